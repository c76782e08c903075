"""The JSON interchange format (docs/interchange.md): what `render` reads and `check --json` prints.

Keys are the official labels. Narrative 一 may be one string or an object by sub-part heading.
null is a blank or missing cell; decimals are strings, kept as written ("12.50"). Optional "units"
gives the unit of a decimal cell whose unit the format leaves open (采购总金额), by caption → row →
column; "facts" the figures a section asks for outside its tables (2021, 六: 信息处理费);
"preamble" the opening paragraph (null: the standard one; "": none); "signature" the 落款.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from . import formats
from .model import Report, Signature, Value
from .numbers import format_value


class InterchangeError(ValueError):
    """Malformed interchange JSON; the message names the offending key."""


def _out(values: dict[str, Value], key: str) -> Any:
    """A value as the file writes it: null, an integer, or an amount as a string, as written."""
    v = values.get(key)
    if v is None:
        return None
    return format_value(v) if isinstance(v, Decimal) else v


# The key of a section's lead in the interchange JSON (the text before its first sub-heading).
LEAD = "开头"


def _table_json(report: Report, table: formats.Table, values: dict[str, Value]) -> Any:
    def out(key: str) -> Any:
        return _out(values, key)

    section = table.section_id
    if section == "二":
        return {r.label: {c.label: out(table.key(r.id, c.id)) for c in table.columns} for r in table.rows}
    return {r.label: [out(table.key(r.id, c.id)) for c in table.columns] for r in table.rows}


def to_dict(report: Report, *, include_derived: bool = True) -> dict[str, Any]:
    fmt = report.format
    values = report.effective() if include_derived else dict(report.values)
    narrative: dict[str, Any] = {}
    for section in fmt.sections:
        if section.kind != "narrative":
            continue
        if len(section.parts) > 1:
            parts = {p.label: report.narratives.get(p.key) for p in section.parts}
            lead = report.narratives.get(section.lead_key)
            narrative[section.id] = {LEAD: lead, **parts} if lead else parts
        else:
            narrative[section.id] = report.narratives.get(section.parts[0].key)
    tables: dict[str, Any] = {}
    for section in fmt.sections:
        if section.kind != "tables":
            continue
        if section.id == "二":
            tables["二"] = {t.caption: _table_json(report, t, values) for t in section.tables}
        else:
            (table,) = section.tables
            tables[section.id] = _table_json(report, table, values)
    doc: dict[str, Any] = {
        "format": fmt.id,
        "year": report.year,
        "agency": report.agency,
        "narrative": narrative,
        "tables": tables,
    }
    facts: dict[str, Any] = {}
    for section in fmt.sections:
        for t in section.facts:  # only the answered facts: a missing one is not answered yet
            for r in t.rows:
                answered = {c.label: _out(values, t.key(r.id, c.id)) for c in t.columns if t.key(r.id, c.id) in values}
                if answered:
                    facts.setdefault(section.id, {})[r.label] = answered
    if facts:
        doc["facts"] = facts
    doc["preamble"] = report.preamble
    sig = report.signature
    # null: the report's agency / not dated yet (a final rendering uses the day it is made)
    doc["signature"] = {"agency": sig.agency or None, "date": sig.date.isoformat() if sig.date else None}
    if report.units:
        units: dict[str, Any] = {}
        for key, unit in report.units.items():
            cell = fmt.cells[key]
            units.setdefault(cell.table.caption or cell.table.section_id, {}).setdefault(cell.row.label, {})[
                cell.column.label
            ] = unit
        doc["units"] = units
    return doc


def dumps(report: Report, **kw: Any) -> str:
    return json.dumps(to_dict(report, **kw), ensure_ascii=False, indent=2)


def _read_value(raw: Any, cell: formats.Cell, where: str) -> Value:
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise InterchangeError(f"{where}: 应为数字，得到 {raw!r}")
    if cell.type == "decimal":
        if isinstance(raw, float):
            raise InterchangeError(f"{where}: 金额须写成字符串（如 \"12.5\"），以免精度丢失")
        try:
            d = Decimal(str(raw))
        except InvalidOperation as exc:
            raise InterchangeError(f"{where}: 不是数字：{raw!r}") from exc
        if not d.is_finite():
            raise InterchangeError(f"{where}: 不是数字：{raw!r}")
        return d
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.strip().lstrip("+-").isdigit():
        return int(raw.strip())
    raise InterchangeError(f"{where}: 应为整数，得到 {raw!r}")


def from_dict(doc: Any) -> Report:
    if not isinstance(doc, dict):
        raise InterchangeError("顶层应为 JSON 对象")
    for key in ("year", "tables"):
        if key not in doc:
            raise InterchangeError(f"缺少键 \"{key}\"")
    year = doc["year"]
    if not isinstance(year, int) or isinstance(year, bool):
        raise InterchangeError(f"\"year\" 应为整数年份，得到 {year!r}")
    fmt_id = doc.get("format")
    if fmt_id is not None and not isinstance(fmt_id, str):
        raise InterchangeError(f"\"format\" 应为 \"2019\" 或 \"2021\"，得到 {fmt_id!r}")
    try:
        fmt = formats.for_year(year, fmt_id)
    except KeyError as exc:
        raise InterchangeError(f"\"format\": 未知格式 {fmt_id!r}") from exc
    agency = doc.get("agency") or ""
    if not isinstance(agency, str):
        raise InterchangeError(f"\"agency\" 应为字符串，得到 {agency!r}")
    report = Report(format=fmt, year=year, agency=agency)

    for sid, section, content in _sections(fmt, "narrative", doc.get("narrative") or {}, "部分"):
        if isinstance(content, str):
            # The section's only part; undivided text for 一: keep it in the first part.
            report.narratives[section.parts[0].key] = content
            continue
        if not isinstance(content, dict):
            raise InterchangeError(f"narrative.\"{sid}\": 应为字符串或对象")
        by_label = {p.label: p for p in section.parts}
        for label, text in content.items():
            if label == LEAD and section.lead_key and isinstance(text, str):
                report.narratives[section.lead_key] = text
                continue
            if label not in by_label:
                raise InterchangeError(
                    f"narrative.\"{sid}\".\"{label}\": 未知小标题（应为 {'、'.join(by_label)}）"
                )
            if text is None:
                continue
            if not isinstance(text, str):
                raise InterchangeError(f"narrative.\"{sid}\".\"{label}\": 应为字符串")
            report.narratives[by_label[label].key] = text

    for sid, section, content in _sections(fmt, "tables", doc["tables"], "表格"):
        if not isinstance(content, dict):
            raise InterchangeError(f"tables.\"{sid}\": 应为对象")
        if sid == "二":
            by_caption = {t.caption: t for t in section.tables}
            for caption, rows in content.items():
                if caption not in by_caption:
                    raise InterchangeError(
                        f"tables.\"二\".\"{caption}\": 未知表格（{fmt.id} 格式为 {'、'.join(by_caption)}）"
                    )
                table = by_caption[caption]
                _read_named_rows(report, table, rows, f"tables.\"二\".\"{caption}\"")
        else:
            (table,) = section.tables
            _read_list_rows(report, table, content, f"tables.\"{sid}\"")

    facts = doc.get("facts") or {}
    if not isinstance(facts, dict):
        raise InterchangeError("\"facts\" 应为对象")
    known = {s.id: s for s in fmt.sections if s.facts}
    for sid, rows in facts.items():
        if sid not in known:
            raise InterchangeError(f"facts.\"{sid}\": {fmt.id} 格式没有这部分数据" + (f"（应为 {'、'.join(known)}）" if known else ""))
        if rows is None:
            continue
        for table in known[sid].facts:
            _read_named_rows(report, table, rows, f"facts.\"{sid}\"")
    report.preamble = _read_preamble(doc.get("preamble"))
    report.signature = _read_signature(doc.get("signature"), agency)

    units = doc.get("units") or {}
    if not isinstance(units, dict):
        raise InterchangeError("\"units\" 应为对象")
    for caption, rows in units.items():
        tables_by_caption = {t.caption: t for t in fmt.tables if t.caption}
        table = tables_by_caption.get(caption)
        if table is None or not isinstance(rows, dict):
            raise InterchangeError(f"units.\"{caption}\": 未知表格")
        for row_label, cols in rows.items():
            row = next((r for r in table.rows if r.label == row_label), None)
            if row is None or not isinstance(cols, dict):
                raise InterchangeError(f"units.\"{caption}\".\"{row_label}\": 未知行")
            for col_label, unit in cols.items():
                col = next((c for c in table.columns if c.label == col_label), None)
                if col is None or col.type != "decimal" or not isinstance(unit, str):
                    raise InterchangeError(f"units.\"{caption}\".\"{row_label}\".\"{col_label}\": 不是金额栏")
                report.units[table.key(row.id, col.id)] = unit
    return report


def _read_preamble(raw: Any) -> str | None:
    if raw is not None and not isinstance(raw, str):
        raise InterchangeError(f"\"preamble\" 应为字符串（\"\" 表示不要开头段落）或 null（标准开头段落），得到 {raw!r}")
    return raw


def _read_signature(raw: Any, agency: str) -> Signature:
    """The 落款; an agency equal to the report's reads back as the default (empty)."""
    if raw is None:
        return Signature()
    if not isinstance(raw, dict):
        raise InterchangeError("\"signature\" 应为对象：{\"agency\": \"机关全称\", \"date\": \"YYYY-MM-DD\"}")
    unknown = set(raw) - {"agency", "date"}
    if unknown:
        raise InterchangeError(f"signature.\"{sorted(unknown)[0]}\": 未知键（应为 agency、date）")
    name = raw.get("agency") or ""
    if not isinstance(name, str):
        raise InterchangeError(f"signature.\"agency\" 应为字符串，得到 {name!r}")
    date = raw.get("date")
    if date is not None:
        try:
            date = dt.date.fromisoformat(date) if isinstance(date, str) and len(date) == 10 else None
        except ValueError:
            date = None
        if date is None:
            raise InterchangeError(f"signature.\"date\" 应为 YYYY-MM-DD 格式的日期（成文日期），得到 {raw.get('date')!r}")
    name = name.strip()
    return Signature(agency="" if name == agency.strip() else name, date=date)


def _sections(fmt: formats.Format, kind: str, content: Any, what: str) -> Iterator[tuple[str, formats.Section, Any]]:
    """(section id, section, its content) for each entry of the document's object ``content`` under
    the key ``kind`` ("narrative" / "tables"), keyed by the ids of the format's sections of that
    kind (``what`` names them in errors); null entries are skipped."""
    where = kind
    if not isinstance(content, dict):
        raise InterchangeError(f"\"{where}\" 应为对象")
    known = {s.id: s for s in fmt.sections if s.kind == kind}
    for sid, value in content.items():
        if sid not in known:
            raise InterchangeError(f"{where}.\"{sid}\": 未知{what}（应为 {'、'.join(known)}）")
        if value is not None:
            yield sid, known[sid], value


def _read_named_rows(report: Report, table: formats.Table, rows: Any, where: str) -> None:
    if not isinstance(rows, dict):
        raise InterchangeError(f"{where}: 应为对象（行名 → {{列名: 数值}}）")
    by_label = {r.label: r for r in table.rows}
    for row_label, cols in rows.items():
        if row_label not in by_label:
            raise InterchangeError(f"{where}.\"{row_label}\": 未知行（应为 {'、'.join(by_label)}）")
        row = by_label[row_label]
        if not isinstance(cols, dict):
            raise InterchangeError(f"{where}.\"{row_label}\": 应为对象（列名 → 数值）")
        col_by_label = {c.label: c for c in table.columns}
        for col_label, raw in cols.items():
            if col_label not in col_by_label:
                raise InterchangeError(
                    f"{where}.\"{row_label}\".\"{col_label}\": 未知列（应为 {'、'.join(col_by_label)}）"
                )
            col = col_by_label[col_label]
            key = table.key(row.id, col.id)
            report.values[key] = _read_value(raw, report.format.cells[key], f"{where}.\"{row_label}\".\"{col_label}\"")


def _read_list_rows(report: Report, table: formats.Table, rows: dict, where: str) -> None:
    by_label = {r.label: r for r in table.rows}
    for row_label, cells in rows.items():
        if row_label not in by_label:
            raise InterchangeError(f"{where}.\"{row_label}\": 未知行")
        row = by_label[row_label]
        if cells is None:
            continue
        if not isinstance(cells, list):
            raise InterchangeError(f"{where}.\"{row_label}\": 应为 {len(table.columns)} 个数值的数组")
        if len(cells) != len(table.columns):
            names = "、".join(c.label for c in table.columns)
            raise InterchangeError(
                f"{where}.\"{row_label}\": 应为 {len(table.columns)} 个数值（{names}），得到 {len(cells)} 个"
            )
        for col, raw in zip(table.columns, cells, strict=True):
            key = table.key(row.id, col.id)
            report.values[key] = _read_value(raw, report.format.cells[key], f"{where}.\"{row_label}\"[{col.label}]")


def loads(text: str) -> Report:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InterchangeError(f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列附近有语法错误") from exc
    return from_dict(doc)
