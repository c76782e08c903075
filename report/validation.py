"""Validation: every identity of the format, cell types, completeness, cross-year and narrative checks.

``validate`` returns problems; it never raises on a bad report. Each problem names its rule, its
severity, the cells involved and a plain Chinese message carrying the numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache

from .formats import Format, Identity, Section
from .model import Report, Value
from .numbers import format_value

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    severity: str
    rule: str
    message: str
    cells: tuple[str, ...] = field(default_factory=tuple)
    section: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_dict(self) -> dict:
        return {"severity": self.severity, "rule": self.rule, "cells": list(self.cells), "message": self.message}


def _fmt(v: Value) -> str:
    return format_value(v)


def _sum(values: list[Value]) -> int | Decimal:
    return sum((v for v in values if v is not None), start=0)


def check_identity(report: Report, ident: Identity, values: dict[str, Value]) -> Problem | None:
    """One identity against the given values; None when it holds or cannot be checked yet."""
    get = values.get
    if None in map(get, ident.cells):  # a cell missing or blank
        return None
    # every cell known: plain sums (what _sum gives without blanks)
    lhs = sum(map(get, ident.lhs), start=0)
    rhs = sum(map(get, ident.rhs), start=0)
    if lhs == rhs:
        return None
    fmt = report.format
    terms_text = "+".join(_fmt(values[k]) for k in ident.rhs)
    message = ident.message.format(
        row_label=ident.row_label,
        col_label=ident.col_label,
        target=_fmt(lhs),
        terms_sum=_fmt(rhs),
        terms_text=terms_text,
        lhs_sum=_fmt(lhs),
        rhs_sum=_fmt(rhs),
    )
    section = fmt.section_of(ident.lhs[0]).id
    return Problem(ERROR, ident.rule, f"{fmt.section(section).title}：{message}", ident.cells, section)


def check_identities(report: Report, identities: Iterable[Identity] | None = None) -> list[Problem]:
    """Identities (all the format's, or those given) over entered values and, for totals not
    entered, the derived ones."""
    values = report._effective()
    problems = []
    for ident in report.format.identities if identities is None else identities:
        p = check_identity(report, ident, values)
        if p:
            problems.append(p)
    return problems


def check_cells(report: Report, keys: Iterable[str] | None = None) -> list[Problem]:
    """The entered values (all, or those of the keys given) against their cells' types."""
    fmt = report.format
    problems: list[Problem] = []
    cells = fmt.cells
    values = report.values
    items = values.items() if keys is None else [(k, values[k]) for k in keys if k in values]
    for key, value in items:
        cell = cells.get(key)
        if cell is not None and type(value) is int and value >= 0:
            continue  # fits every cell type (CELL_TYPES): the common case, nothing to report
        if cell is None:
            problems.append(Problem(ERROR, "cell.unknown", f"未知的单元格：{key}", (key,)))
            continue
        section = cell.table.section_id

        def where(cell=cell, section=section) -> str:
            return f"{fmt.section(section).title}：{cell.label}"

        if value is None:
            problems.append(
                Problem(ERROR, "cell.blank", f"{where()} 为空白（没有数据应填 0）", (key,), section)
            )
            continue
        if cell.type in ("int", "signed_int"):
            if not isinstance(value, int) and not (isinstance(value, Decimal) and value == value.to_integral_value()):
                problems.append(Problem(ERROR, "cell.type", f"{where()} 应为整数，填的是 {_fmt(value)}", (key,), section))
                continue
            if cell.type == "int" and value < 0:
                problems.append(Problem(ERROR, "cell.range", f"{where()} 不能为负数，填的是 {_fmt(value)}", (key,), section))
        elif cell.type == "decimal" and value < 0:
            problems.append(Problem(ERROR, "cell.range", f"{where()} 不能为负数，填的是 {_fmt(value)}", (key,), section))
    return problems


def check_completeness(report: Report) -> list[Problem]:
    fmt = report.format
    problems: list[Problem] = []
    for section in fmt.sections:
        if section.kind == "narrative":
            for part in section.parts:
                text = (report.narratives.get(part.key) or "").strip()
                if text:
                    continue
                if not part.required:
                    continue
                label = section.title if len(section.parts) == 1 else f"{section.title}{part.label}"
                severity = ERROR if section.id == "五" else WARNING
                problems.append(
                    Problem(severity, "narrative.empty", f"{label}：尚未填写", (part.key,), section.id)
                )
        else:
            missing = [k for k in fmt.input_keys_of(section.id) if k not in report.values]
            if missing:
                first = fmt.cells[missing[0]]
                problems.append(
                    Problem(
                        ERROR,
                        "section.incomplete",
                        f"{section.title}：还有 {len(missing)} 项未填写（如：{first.label}）",
                        tuple(missing),
                        section.id,
                    )
                )
    return problems


def undivided(report: Report, section: Section) -> bool:
    """A narrative of several parts written as one text: only its first part holds text (an
    undivided 一 as published, or read from an interchange file that gives 一 as one string)."""
    if len(section.parts) < 2:
        return False
    written = [bool((report.narratives.get(p.key) or "").strip()) for p in section.parts]
    return written[0] and not any(written[1:])


def unfinished(report: Report) -> list[str]:
    """The parts a final rendering cannot do without that are still empty, by their printed names
    (“一、总体情况（二）依申请公开”, “三、收到和处理政府信息公开申请情况”): every required narrative part
    (an undivided section counts as written) and every table section with an unanswered cell.
    The facts blocks (六: 信息处理费) do not stop a rendering: their text is the officer's."""
    fmt = report.format
    out: list[str] = []
    for section in fmt.sections:
        if section.kind == "narrative":
            if undivided(report, section):
                continue
            for part in section.parts:
                if part.required and not (report.narratives.get(part.key) or "").strip():
                    out.append(section.title if len(section.parts) == 1 else f"{section.title}{part.label}")
        elif any(k not in report.values for k in fmt.input_keys_of(section.id)):
            out.append(section.title)
    return out


def check_facts(report: Report) -> list[Problem]:
    """The 信息处理费 facts (2021, 六; a facts row tagged ``fee_facts``): an amount notified needs a
    收费通知 (an error), a notice states an amount (a warning), and a fee written in the section's
    text (“收取信息处理费X元”) agrees with the amount collected (a warning). Only answered cells are
    compared."""
    fmt = report.format
    problems: list[Problem] = []
    values = report.values
    for section in fmt.sections:
        for table in section.facts:
            for row in table.rows:
                if "fee_facts" not in row.tags:
                    continue
                key = {c.id: table.key(row.id, c.id) for c in table.columns}
                notices, amount, collected = (values.get(key.get(c)) for c in ("notices", "amount", "collected"))
                where = f"{section.title}：{row.label}"
                if notices == 0 and amount:
                    problems.append(
                        Problem(
                            ERROR,
                            "facts.fee",
                            f"{where}：未发出收费通知，收费通知金额应为 0，填的是 {_fmt(amount)} 元",
                            (key["notices"], key["amount"]),
                            section.id,
                        )
                    )
                elif notices and amount == 0:
                    problems.append(
                        Problem(
                            WARNING,
                            "facts.fee",
                            f"{where}：发出收费通知 {_fmt(notices)} 件，但收费通知金额为 0",
                            (key["notices"], key["amount"]),
                            section.id,
                        )
                    )
                if collected is None:
                    continue
                for part in section.parts:
                    said = _fee_figure(report.narratives.get(part.key) or "")
                    if said is not None and said != collected:
                        problems.append(
                            Problem(
                                WARNING,
                                "narrative.figures",
                                f"{section.title}写“收取信息处理费{_fmt(said)}元”，但实际收取金额为{_fmt(collected)}元",
                                (part.key, key["collected"]),
                                section.id,
                            )
                        )
    return problems


_FEE = re.compile(r"(?:实际)?收取(?:了)?(?:信息处理费|费用)(?:共|合计|总计)?\s*([0-9０-９]+(?:[.．][0-9０-９]+)?)\s*元")
_NO_FEE = re.compile(r"未收取(?:任何)?(?:信息处理费|费用)")


@lru_cache(maxsize=256)
def _fee_figure(text: str) -> Decimal | None:
    """The 信息处理费 a text says was collected (收取信息处理费X元; 未收取信息处理费 is 0), if it says."""
    if "收取" not in text:
        return None
    m = _FEE.search(text)
    if m:
        return Decimal(m.group(1).translate(_FULLWIDTH_DIGITS).replace("．", "."))
    if _NO_FEE.search(text):
        return Decimal(0)
    return None


def check_format_year(report: Report) -> list[Problem]:
    fmt = report.format
    if fmt.applies_to(report.year):
        return []
    last = f"{fmt.last_year}" if fmt.last_year else "以后"
    return [
        Problem(
            WARNING,
            "format.year",
            f"{report.year}年度报告使用了{fmt.name}（适用于{fmt.first_year}–{last}年度），格式与年度不符",
        )
    ]


def check_previous(report: Report, previous: Report) -> list[Problem]:
    """Cross-year checks against last year's report."""
    problems: list[Problem] = []
    fmt, prev_fmt = report.format, previous.format
    if previous.year != report.year - 1:
        # Another year's report is no "last year": comparing with it would only invent errors.
        return [
            Problem(
                WARNING,
                "previous.year",
                f"上年报告是{previous.year}年度的，不是{report.year - 1}年度，未做跨年度核对",
            )
        ]
    to_row, from_row = fmt.carry_over.get("to_row"), prev_fmt.carry_over.get("from_row")
    if to_row and from_row:
        this_vals = report._effective()
        prev_vals = previous._effective()
        to_table = fmt.table(to_row.rsplit(".", 1)[0])
        for col in to_table.columns:
            this_key = f"{to_row}.{col.id}"
            prev_key = f"{from_row}.{col.id}"
            a, b = this_vals.get(this_key), prev_vals.get(prev_key)
            if a is None or b is None or a == b:
                continue
            row_label = fmt.cells[this_key].row.label
            prev_label = prev_fmt.cells[prev_key].row.label
            problems.append(
                Problem(
                    ERROR,
                    "carry_over",
                    f"三、{col.label}列：本年“{row_label}”为{_fmt(a)}，但{previous.year}年度报告“{prev_label}”为{_fmt(b)}",
                    (this_key,),
                    "三",
                )
            )
    # Soft check: 现行有效件数 ≈ last year's + 本年制发件数 − 本年废止件数 (2021 format, both years).
    if fmt.id == "2021" and prev_fmt.id == "2021":
        this_vals, prev_vals = report._effective(), previous._effective()
        for row in ("rules", "normative"):
            k = f"s2.i1.{row}"
            cur, issued, abolished = (this_vals.get(f"{k}.{c}") for c in ("in_force", "issued", "abolished"))
            prev = prev_vals.get(f"{k}.in_force")
            if None in (cur, issued, abolished, prev):
                continue
            expected = prev + issued - abolished
            if expected != cur:
                label = fmt.cells[f"{k}.in_force"].row.label
                problems.append(
                    Problem(
                        WARNING,
                        "in_force.trend",
                        f"二、{label}：上年现行有效{_fmt(prev)}+本年制发{_fmt(issued)}−本年废止{_fmt(abolished)}"
                        f"={_fmt(expected)}，但本年现行有效件数为{_fmt(cur)}（如有修订或清理可忽略）",
                        (f"{k}.in_force",),
                        "二",
                    )
                )
    return problems


_NUM = r"([0-9０-９]+)"
_RECEIVED = [
    re.compile(r"(?:共|累计|全年)?(?:新)?收到(?:政府信息公开|依申请公开)?申请" + _NUM + r"\s*件"),
    re.compile(r"(?:共|累计|全年)(?:新)?(?:受理|收到)[^，。；0-9０-９]{0,12}?" + _NUM + r"\s*件"),
]
_RECEIVED_LITERAL = "件"  # every _RECEIVED pattern ends with it: a text without it matches none
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_NONE_RECEIVED = re.compile(r"(?:无|没有|未收到)(?:政府信息公开|依申请公开)?(?:申请|依申请公开情况)|依申请公开(?:申请)?(?:为)?(?:0|零)件")


@lru_cache(maxsize=256)  # texts rarely change between validations
def _received_figure(text: str) -> int | None:
    """The number of applications a narrative says were received (收到申请N件), if it says one."""
    if _RECEIVED_LITERAL not in text:  # a cheap test before the patterns
        return None
    for pat in _RECEIVED:
        m = pat.search(text)
        if m:
            return int(m.group(1).translate(_FULLWIDTH_DIGITS))
    return None


@lru_cache(maxsize=256)
def _says_none_received(text: str) -> bool:
    """Whether a narrative says no application was received (无依申请公开)."""
    return _NONE_RECEIVED.search(text) is not None


def check_narrative_figures(report: Report) -> list[Problem]:
    """Figures written in the narrative that contradict the tables."""
    fmt = report.format
    if "s3.new.total" not in fmt.cells:
        return []
    values = report._effective()
    received = values.get("s3.new.total")
    if received is None:
        return []
    problems = []
    for part in fmt.narrative_parts:
        text = report.narratives.get(part.key) or ""
        found = _received_figure(text)
        section = fmt.section(part.section_id)
        label = section.title if len(section.parts) == 1 else f"{section.title}{part.label}"
        if found is not None and found != received:
            problems.append(
                Problem(
                    WARNING,
                    "narrative.figures",
                    f"{label}写“收到申请{found}件”，但表三“一、本年新收政府信息公开申请数量”总计为{_fmt(received)}",
                    (part.key, "s3.new.total"),
                    part.section_id,
                )
            )
        elif found is None and received and _says_none_received(text):
            problems.append(
                Problem(
                    WARNING,
                    "narrative.figures",
                    f"{label}写无依申请公开，但表三“一、本年新收政府信息公开申请数量”总计为{_fmt(received)}",
                    (part.key, "s3.new.total"),
                    part.section_id,
                )
            )
    return problems


def section_checks(report: Report, previous: Report | None, section_id: str) -> list[Problem]:
    """What validate(report, previous) finds that can be an error of the section other than an
    unanswered item: the checks of its cells and of its identities, and the cross-year checks (all
    other problems are warnings, unanswered items or another section's). Far cheaper than
    validate() for a section without identities."""
    fmt = report.format
    section = fmt.section(section_id)
    facts = tuple(t.key(r.id, c.id) for t in section.facts for r in t.rows for c in t.columns)
    problems = check_cells(report, fmt.keys_of(section_id) + facts)
    if facts:
        problems += [p for p in check_facts(report) if p.is_error]
    identities = _identities_by_section(fmt).get(section_id)
    if identities:
        problems += check_identities(report, identities)
    if previous is not None:
        problems += check_previous(report, previous)
    return problems


@cache
def _identities_by_section(fmt: Format) -> dict[str, tuple[Identity, ...]]:
    """The format's identities by the section of their problems (that of their first cell)."""
    found: dict[str, list[Identity]] = {}
    for ident in fmt.identities:
        found.setdefault(fmt.section_of(ident.lhs[0]).id, []).append(ident)
    return {sid: tuple(idents) for sid, idents in found.items()}


def validate(report: Report, previous: Report | None = None, *, completeness: bool = True) -> list[Problem]:
    """Every problem of the report (against last year's, if given)."""
    problems: list[Problem] = []
    problems += check_format_year(report)
    problems += check_cells(report)
    problems += check_identities(report)
    if completeness:
        problems += check_completeness(report)
    problems += check_narrative_figures(report)
    problems += check_facts(report)
    if previous is not None:
        problems += check_previous(report, previous)
    return problems


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


# -- section status for the hub ------------------------------------------------------------
NOT_STARTED = "未开始"
IN_PROGRESS = "进行中"
DONE = "已完成"
HAS_PROBLEMS = "有问题"


def section_statuses(report: Report, problems: list[Problem] | None = None) -> dict[str, str]:
    """Status of each section: 未开始 / 进行中 / 已完成 / 有问题."""
    if problems is None:
        problems = validate(report)
    # Unanswered items make a section 未开始/进行中, not 有问题.
    incomplete_rules = {"section.incomplete", "narrative.empty"}
    bad_sections = {p.section for p in problems if p.is_error and p.rule not in incomplete_rules}
    out = {}
    for section in report.format.sections:
        done, total = report.section_answered(section.id)
        if section.id in bad_sections:
            out[section.id] = HAS_PROBLEMS
        elif done == 0:
            out[section.id] = NOT_STARTED
        elif done < total:
            out[section.id] = IN_PROGRESS
        else:
            out[section.id] = DONE
    return out


def progress(report: Report, problems: list[Problem] | None = None) -> tuple[int, int]:
    """(sections complete, sections) — k/N on the hub and in reminders."""
    statuses = section_statuses(report, problems)
    return sum(1 for s in statuses.values() if s == DONE), len(statuses)
