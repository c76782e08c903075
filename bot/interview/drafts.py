"""Drafts of narrative parts generated from the figures (一（二）依申请公开 and 六)."""

from __future__ import annotations

from report.model import Report

from .. import messages as M
from .questions import input_columns


def _outcome_name(label: str) -> str:
    """'（二）部分公开（区分处理的，…）' -> '部分公开'."""
    name = label
    if name.startswith("（") and "）" in name:
        name = name.split("）", 1)[1]
    if "（" in name:
        name = name.split("（", 1)[0]
    return name


def draft_for(part, report: Report) -> str | None:
    """A draft text generated from the figures, for the parts whose format names a draft."""
    if part.draft == "other":
        unpaid = sum(
            report.effective_value(t.key(r.id, "total")) or 0
            for t in report.format.tables
            for r in t.rows
            if "fee_unpaid" in r.tags
        )
        return M.draft_other(part.empty_text or "", unpaid)
    if part.draft != "request":
        return None
    fmt = report.format
    to_row = fmt.carry_over.get("to_row", "")
    from_row = fmt.carry_over.get("from_row", "")
    table_id = to_row.rsplit(".", 1)[0] if to_row else ""
    try:
        table = fmt.table(table_id)
    except KeyError:
        return None
    if any(k not in report.values for k in report.section_input_keys(table.section_id)):
        return None
    total_col = next((c.id for c in table.columns if table.key(table.rows[0].id, c.id) in fmt.derived_keys), None)
    if total_col is None:
        return None

    def total(row_id: str) -> int:
        return int(report.effective_value(table.key(row_id, total_col)) or 0)

    carried_in = to_row.rsplit(".", 1)[1]
    carried_over = from_row.rsplit(".", 1)[1]
    group = next((r.group for r in table.rows if r.group and r.id not in (carried_in, carried_over)), None)
    outcomes: dict[str, int] = {}
    for r in table.rows:
        if r.group != group or not input_columns(fmt, table, r):
            continue
        name = _outcome_name(r.subgroup or r.label)
        outcomes[name] = outcomes.get(name, 0) + total(r.id)
    return M.draft_request(total(table.rows[0].id), total(carried_in), list(outcomes.items()), total(carried_over))
