"""Drafts of narrative parts written from the figures, for the parts whose format names one.

``draft_for(part, report)`` gives the text an officer may accept or edit, or None when the part has
no draft or its figures are not all answered yet. The words are in templates/report/drafts/*.j2:

* ``"request"`` (一（二）依申请公开): from table 三 — applications received and carried over, the
  outcomes with a figure, what is carried into next year. Only once every cell of 三 is answered.
* ``"other"`` (六、其他需要报告的事项): the 信息处理费 facts of the 2021 format once answered (收费通知
  count, amount notified, amount collected — “本年度未收取信息处理费” when all are 0), the applications
  dropped after an unpaid fee notice (rows tagged ``fee_unpaid``), then the part's standard line.
"""

from __future__ import annotations

from dataclasses import dataclass

from .formats import NarrativePart
from .model import Report
from .numbers import format_value


@dataclass(frozen=True)
class Fees:
    """The 信息处理费 facts as printed (amounts as written, in 元)."""

    notices: str
    amount: str
    collected: str
    paid: bool  # anything notified or collected


def fees(report: Report) -> Fees | None:
    """The report's 信息处理费 facts (a facts row tagged ``fee_facts``), None while any is unanswered
    or blank, or when the format asks for none (2019)."""
    for section in report.format.sections:
        for table in section.facts:
            for row in table.rows:
                if "fee_facts" not in row.tags:
                    continue
                got = {c.id: report.values.get(table.key(row.id, c.id)) for c in table.columns}
                if None in got.values() or not {"notices", "amount", "collected"} <= set(got):
                    return None
                return Fees(
                    notices=format_value(got["notices"]),
                    amount=format_value(got["amount"]),
                    collected=format_value(got["collected"]),
                    paid=any(got[k] for k in ("notices", "amount", "collected")),
                )
    return None


def _render(name: str, **context) -> str:
    from .render import environment

    text = environment().get_template(f"drafts/{name}.j2").render(**context)
    return "".join(line.strip() for line in text.splitlines())


def outcome_name(label: str) -> str:
    """'（二）部分公开（区分处理的，…）' → '部分公开'; '（三）不予公开' → '不予公开'."""
    name = label
    if name.startswith("（") and "）" in name:
        name = name.split("）", 1)[1]
    if "（" in name:
        name = name.split("（", 1)[0]
    return name


def _other(part: NarrativePart, report: Report) -> str:
    unpaid = sum(
        report.effective_value(t.key(r.id, "total")) or 0
        for t in report.format.tables
        for r in t.rows
        if "fee_unpaid" in r.tags
    )
    return _render("other", fees=fees(report), unpaid=unpaid, empty_text=part.empty_text or "")


def _request(report: Report) -> str | None:
    fmt = report.format
    to_row = fmt.carry_over.get("to_row", "")
    from_row = fmt.carry_over.get("from_row", "")
    try:
        table = fmt.table(to_row.rsplit(".", 1)[0])
    except KeyError:  # a format without carry-over rows
        return None
    if any(k not in report.values for k in fmt.input_keys_of(table.section_id)):
        return None
    derived = fmt.derived_keys
    total_col = next((c.id for c in table.columns if table.key(table.rows[0].id, c.id) in derived), None)
    if total_col is None:
        return None

    def total(row_id: str) -> int:
        return int(report.effective_value(table.key(row_id, total_col)) or 0)

    carried_in = to_row.rsplit(".", 1)[1]
    carried_over = from_row.rsplit(".", 1)[1]
    group = next((r.group for r in table.rows if r.group and r.id not in (carried_in, carried_over)), None)
    outcomes: dict[str, int] = {}
    for r in table.rows:
        entered = any(table.key(r.id, c.id) not in derived for c in table.columns)
        if r.group != group or not entered:
            continue  # another block, or a row of totals only (（七）总计)
        name = outcome_name(r.subgroup or r.label)
        outcomes[name] = outcomes.get(name, 0) + total(r.id)
    return _render(
        "request",
        new=total(table.rows[0].id),
        carried_in=total(carried_in),
        carried_over=total(carried_over),
        outcomes=list(outcomes.items()),
    )


def draft_for(part: NarrativePart, report: Report) -> str | None:
    """A draft text generated from the figures, for the parts whose format names a draft."""
    if part.draft == "other":
        return _other(part, report)
    if part.draft == "request":
        return _request(report)
    return None


__all__ = ["Fees", "draft_for", "fees", "outcome_name"]
