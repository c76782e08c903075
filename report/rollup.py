"""The roll-up: an office's sums over its agencies' reports for one year. Pure.

Summed: every entered cell of the Section 三 and 四 tables, and the Section 二 cells whose column
is ``additive`` in the format (2019's 采购总金额 is not: its unit differs between reports). Totals
(derived cells) are not summed but derived again from the summed inputs, so the roll-up satisfies
the format's identities whenever every member report does. Values stay exact (int / Decimal).

Reports of another format than the roll-up's (a 2019-format report in a 2021-or-later year, say)
are not summed: they are listed in ``other_format``. Agencies without a report are ``missing``;
reports with unanswered summed cells are ``incomplete`` (their answered cells are summed); reports
with validation errors other than incompleteness are ``with_errors`` (still summed).

The renderers take their words from a :class:`RollupLabels` supplied by the caller (the bot keeps
every user-visible word in one place); format labels come from the format data.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from . import formats
from .formats import Format, Row, Table
from .model import Report, Value
from .numbers import format_value
from .validation import validate

SUMMED_SECTIONS = ("三", "四")
ADDITIVE_SECTIONS = ("二",)
INCOMPLETE_RULES = frozenset({"section.incomplete", "narrative.empty"})


def summed_tables(fmt: Format) -> list[Table]:
    """The tables taking part in the roll-up, in reading order."""
    return [t for t in fmt.tables if t.section_id in SUMMED_SECTIONS + ADDITIVE_SECTIONS]


def summed_columns(table: Table) -> list:
    if table.section_id in SUMMED_SECTIONS:
        return list(table.columns)
    return [c for c in table.columns if c.additive]


def summed_keys(fmt: Format) -> list[str]:
    """Every cell of the roll-up (inputs and totals), in reading order."""
    return [t.key(r.id, c.id) for t in summed_tables(fmt) for r in t.rows for c in summed_columns(t)]


def summed_input_keys(fmt: Format) -> list[str]:
    derived = fmt.derived_keys
    return [k for k in summed_keys(fmt) if k not in derived]


@dataclass
class Rollup:
    year: int
    format: Format
    office: str = ""
    values: dict[str, Value] = field(default_factory=dict)  # every summed key, totals included
    counted: list[str] = field(default_factory=list)  # agencies whose report is summed
    missing: list[str] = field(default_factory=list)  # no report at all
    incomplete: list[str] = field(default_factory=list)  # summed, but some summed cells unanswered
    with_errors: list[str] = field(default_factory=list)  # summed, with validation errors
    other_format: list[tuple[str, str]] = field(default_factory=list)  # (agency, format id), not summed

    @property
    def mixed_formats(self) -> bool:
        return bool(self.other_format)

    def value(self, key: str) -> Value:
        return self.values.get(key)


def rollup(
    year: int,
    entries: Sequence[tuple[str, Report | None]],
    *,
    office: str = "",
    format_id: str | None = None,
) -> Rollup:
    """Sum the reports of ``entries`` ((agency name, its report for the year or None))."""
    fmt = formats.for_year(year, format_id)
    inputs = summed_input_keys(fmt)
    sums: dict[str, int | Decimal] = {k: 0 for k in inputs}
    out = Rollup(year=year, format=fmt, office=office)
    for name, rep in entries:
        if rep is None:
            out.missing.append(name)
            continue
        if rep.format.id != fmt.id:
            out.other_format.append((name, rep.format.id))
            continue
        out.counted.append(name)
        if any(k not in rep.values for k in inputs):
            out.incomplete.append(name)
        for k in inputs:
            v = rep.values.get(k)
            if v is not None:
                sums[k] = sums[k] + v
        if any(p.is_error and p.rule not in INCOMPLETE_RULES for p in validate(rep)):
            out.with_errors.append(name)
    total = Report(format=fmt, year=year, agency=office, values=dict(sums)).effective()
    out.values = {k: total.get(k) for k in summed_keys(fmt)}
    return out


# -- rendering ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class RollupLabels:
    """Every word of the roll-up documents that is not a format label."""

    title: str  # "{office}{year}年度政府信息公开工作年度报告汇总表"
    sheet_sums: str
    sheet_agencies: str
    item: str  # header of the row-label column
    counted: str
    missing: str
    incomplete: str
    with_errors: str
    other_format_head: str
    other_format: str  # "{agency}（{format}）"
    none: str
    mixed_note: str  # "{n}个机构使用了其他格式，未计入汇总"


def row_label(row: Row) -> str:
    prefix = row.subgroup or row.group
    return f"{prefix} {row.label}" if prefix else row.label


def _table_blocks(r: Rollup, labels: RollupLabels) -> list[tuple[str, list[str], list[tuple[str, list[str]]]]]:
    """(title, header, [(row label, [values…])]) per summed table."""
    blocks = []
    for t in summed_tables(r.format):
        section = r.format.section(t.section_id)
        title = section.title + (f" {t.caption}" if t.caption else "")
        cols = summed_columns(t)
        header = [t.label_header or labels.item] + [
            f"{c.group} {c.label}" if c.group and t.section_id == "三" else c.label for c in cols
        ]
        rows = [(row_label(row), [format_value(r.values.get(t.key(row.id, c.id))) for c in cols]) for row in t.rows]
        blocks.append((title, header, rows))
    return blocks


def _agency_lines(r: Rollup, labels: RollupLabels) -> list[tuple[str, str]]:
    other = [labels.other_format.format(agency=a, format=f) for a, f in r.other_format]
    groups = [
        (labels.counted, r.counted),
        (labels.missing, r.missing),
        (labels.incomplete, r.incomplete),
        (labels.with_errors, r.with_errors),
        (labels.other_format_head, other),
    ]
    return [(head, "、".join(names) if names else labels.none) for head, names in groups]


def _title(r: Rollup, labels: RollupLabels) -> str:
    return labels.title.format(office=r.office, year=r.year)


def to_xlsx(r: Rollup, labels: RollupLabels) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = labels.sheet_sums
    ws.append([_title(r, labels)])
    ws["A1"].font = Font(bold=True, size=14)
    if r.mixed_formats:
        ws.append([labels.mixed_note.format(n=len(r.other_format))])
    for title, header, rows in _table_blocks(r, labels):
        ws.append([])
        ws.append([title])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        ws.append(header)
        for label, values in rows:
            ws.append([label, *(_cell(v) for v in values)])
    ws.column_dimensions["A"].width = 48
    for col in "BCDEFGH":
        ws.column_dimensions[col].width = 14
    ws2 = wb.create_sheet(labels.sheet_agencies)
    for head, names in _agency_lines(r, labels):
        ws2.append([head, names])
        ws2.cell(row=ws2.max_row, column=2).alignment = Alignment(wrap_text=True)
    ws2.column_dimensions["A"].width = 24
    ws2.column_dimensions["B"].width = 80
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _cell(text: str) -> int | float | str:
    """Numbers as numbers in Excel (exact: ints stay ints; decimals keep their text if not exact)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        d = Decimal(text)
    except Exception:
        return text
    f = float(d)
    return f if Decimal(repr(f)) == d else text


def to_docx(r: Rollup, labels: RollupLabels) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading(_title(r, labels), level=1)
    if r.mixed_formats:
        doc.add_paragraph(labels.mixed_note.format(n=len(r.other_format)))
    for title, header, rows in _table_blocks(r, labels):
        doc.add_heading(title, level=2)
        table = doc.add_table(rows=0, cols=len(header))
        table.style = "Table Grid"
        # Fill row by row through the row's own cells (table.cell(i, j) rescans the whole table).
        for texts in (header, *([label, *values] for label, values in rows)):
            for cell, text in zip(table.add_row().cells, texts, strict=True):
                cell.text = text
    doc.add_heading(labels.sheet_agencies, level=2)
    for head, names in _agency_lines(r, labels):
        doc.add_paragraph(f"{head}：{names}")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# The roll-up file's words and name (the chat and the web desk hand back the same file).
FILENAME = "{year}年{office}政府信息公开工作年度报告汇总表.{ext}"

LABELS = RollupLabels(
    title="{office}{year}年度政府信息公开工作年度报告汇总表",
    sheet_sums="汇总",
    sheet_agencies="机关情况",
    item="项目",
    counted="已计入汇总",
    missing="尚未填报",
    incomplete="尚未填完",
    with_errors="存在错误",
    other_format_head="格式不同未计入",
    other_format="{agency}（{format}年格式）",
    none="无",
    mixed_note="注意：{n}个机关的报告使用了其他格式，未计入汇总。",
)
