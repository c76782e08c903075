"""The .xlsx template of a report's format, and reading a filled template back.

``make_template(report)`` writes one sheet per table section (二, 三, 四) with the official labels
and the report's current values; derived totals are formulas in grey cells marked 自动计算; a
hidden sheet ``_keys`` carries the format, year, agency and, for every input cell, its stable key,
sheet and coordinate (and the row label expected beside it), so reading back is exact and a
moved or renamed table is detected instead of read wrongly.

``read_template(data, report)`` checks the file through the guarded reader before opening it
(:func:`report.uploads.check_xlsx`: a zip, a workbook, bounded member count, uncompressed size and
compression ratio — no zip bombs), reads every input cell, and validates the
result with :mod:`report.validation`. It returns the new report (the entered cells only) or
``None`` with the problems, each naming the cell by its labels. The returned report carries the
given report's narratives unchanged (the template has the tables only), so it can replace the
stored report as a whole.

A blank cell means “not entered”; zero must be written as 0. openpyxl parses the XML with
defusedxml when it is installed (it is a project dependency).
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet.datavalidation import DataValidation

from . import uploads, validation
from .formats import Cell, Format, Section, Table
from .model import Report, Value
from .numbers import NumberError, parse_value
from .validation import ERROR, Problem

MAGIC = "disclosure-bot-template"
TEMPLATE_VERSION = 1
KEYS_SHEET = "_keys"
INSTRUCTIONS_SHEET = "填报说明"
UNIT_PREFIX = "unit:"

# A real template is ~30 KB with ~20 members; the package limits are the guarded reader's
# (report.uploads.XLSX: 200 members, 8 MB uncompressed, ratio 200 for a large part).
MAX_BYTES = uploads.MAX_UPLOAD_BYTES
MAX_KEY_ROWS = 2000

GREY = PatternFill("solid", fgColor="D9D9D9")
HEAD = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
BOLD = Font(bold=True)
AUTO = "自动计算"


class TemplateError(ValueError):
    """A file that is not a usable template; ``problem`` says why, in Chinese."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


# -- labels --------------------------------------------------------------------------------
def cell_name(fmt: Format, key: str) -> str:
    """The cell named by its labels, e.g. '三、5.属于三类内部事务信息·自然人'."""
    cell = fmt.cells[key]
    table = cell.table
    prefix = f"{table.section_id}、"
    if table.caption:
        prefix += f"{table.caption} "
    row = cell.row.label
    if table.section_id == "四" and cell.row.group:
        row = f"{cell.row.group}·{row}"
    return f"{prefix}{row}·{cell.column.label}"


def sheet_title(section: Section) -> str:
    return section.title[:31]


# -- writing ---------------------------------------------------------------------------------
class _Layout:
    """Where each key went: key -> (sheet, coordinate, label coordinate, label text)."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str, str, str, str]] = []
        self.coords: dict[str, str] = {}

    def add(self, key: str, sheet: str, coord: str, label_coord: str, label: str) -> None:
        self.entries.append((key, sheet, coord, label_coord, label))
        self.coords[key] = coord


def _style_box(ws, row: int, col: int, *, fill=None, bold=False, center=False):
    c = ws.cell(row=row, column=col)
    c.border = BOX
    c.alignment = CENTER if center else WRAP
    if fill is not None:
        c.fill = fill
    if bold:
        c.font = BOLD
    return c


def _write_value(c, value: Value) -> None:
    if value is None:
        return
    c.value = int(value) if isinstance(value, int) else value


def _add_validation(ws, cell: Cell, coord: str, validations: dict[str, DataValidation]) -> None:
    if cell.type not in validations:
        if cell.type == "int":
            dv = DataValidation(type="whole", operator="between", formula1="0", formula2="10000000")
            dv.error = "这一栏只能填 0 或正整数"
        elif cell.type == "signed_int":
            dv = DataValidation(type="whole", operator="between", formula1="-10000000", formula2="10000000")
            dv.error = "这一栏只能填整数（减少可填负数）"
        else:
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
            dv.error = "这一栏只能填不小于 0 的数字"
        dv.errorTitle = "数字有误"
        dv.showErrorMessage = True
        dv.allow_blank = True
        ws.add_data_validation(dv)
        validations[cell.type] = dv
    validations[cell.type].add(coord)


def _derived_formulas(fmt: Format, layout: _Layout) -> dict[str, str]:
    out: dict[str, str] = {}
    for ident in fmt.identities:
        if not ident.derived or ident.target in out:
            continue
        coords = [layout.coords[k] for k in ident.rhs]
        out[ident.target] = "=SUM(" + ",".join(coords) + ")"
    return out


def _write_table(ws, table: Table, report: Report, values: dict[str, Value], layout: _Layout,
                 start_row: int, validations: dict[str, DataValidation]) -> int:
    """Write one table from ``start_row``; returns the next free row."""
    fmt = report.format
    derived = fmt.derived_keys
    label_cols = 3 if table.id == "s3" else (2 if any(r.group for r in table.rows) else 1)
    first = label_cols + 1
    ncols = label_cols + len(table.columns)
    r = start_row
    if table.caption:
        ws.cell(row=r, column=1, value=table.caption).font = BOLD
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncols)
        r += 1
    # Header: [column_header row] [group row] label row.
    has_groups = any(c.group for c in table.columns)
    header_rows = 1 + (1 if table.column_header else 0) + (1 if has_groups else 0)
    top, label_row = r, r + header_rows - 1
    for hr in range(top, label_row + 1):
        for col in range(1, ncols + 1):
            _style_box(ws, hr, col, fill=HEAD, bold=True, center=True)
    ws.cell(row=top, column=1, value=table.note or table.label_header or "项目")
    if header_rows > 1 or label_cols > 1:
        ws.merge_cells(start_row=top, start_column=1, end_row=label_row, end_column=label_cols)
    if table.column_header:
        ws.cell(row=top, column=first, value=table.column_header)
        ws.merge_cells(start_row=top, start_column=first, end_row=top, end_column=ncols)
    group_row = label_row - 1 if has_groups else None
    i = 0
    while i < len(table.columns):
        column = table.columns[i]
        c = first + i
        if group_row is None:
            ws.cell(row=label_row, column=c, value=column.label)
            i += 1
            continue
        if not column.group:
            ws.cell(row=group_row, column=c, value=column.label)
            ws.merge_cells(start_row=group_row, start_column=c, end_row=label_row, end_column=c)
            i += 1
            continue
        j = i
        while j + 1 < len(table.columns) and table.columns[j + 1].group == column.group:
            j += 1
        ws.cell(row=group_row, column=c, value=column.group)
        if j > i:
            ws.merge_cells(start_row=group_row, start_column=c, end_row=group_row, end_column=first + j)
        for k in range(i, j + 1):
            ws.cell(row=label_row, column=first + k, value=table.columns[k].label)
        i = j + 1
    r = label_row + 1
    # Body: label columns (group, subgroup, label) then the values.
    body_top = r
    for row in table.rows:
        for col in range(1, label_cols + 1):
            _style_box(ws, r, col)
        parts = [p for p in (row.group, row.subgroup) if p][: label_cols - 1] + [row.label]
        for n, text in enumerate(parts, start=1):
            ws.cell(row=r, column=n, value=text)
        label_col = len(parts)
        if label_col < label_cols:
            ws.merge_cells(start_row=r, start_column=label_col, end_row=r, end_column=label_cols)
        label_coord = f"{get_column_letter(label_col)}{r}"
        label_text = row.label
        for ci, column in enumerate(table.columns):
            key = table.key(row.id, column.id)
            c = _style_box(ws, r, first + ci)
            if key in derived:
                c.fill = GREY
                c.comment = Comment(f"{AUTO}：无需填写", "disclosure-bot")
            else:
                _write_value(c, values.get(key))
                if column.type == "decimal":
                    c.number_format = "0.00##"
                _add_validation(ws, fmt.cells[key], c.coordinate, validations)
            layout.add(key, ws.title, c.coordinate, label_coord, label_text)
        r += 1
    # Merge runs of equal group / subgroup labels vertically, as in the official table.
    for col in range(1, label_cols):
        run_start = body_top
        for rr in range(body_top, r + 1):
            cur = ws.cell(row=rr, column=col).value if rr < r else None
            prev = ws.cell(row=run_start, column=col).value
            if rr < r and cur is not None and cur == prev:
                continue
            if prev is not None and rr - 1 > run_start and _mergeable(ws, run_start, rr - 1, col):
                ws.merge_cells(start_row=run_start, start_column=col, end_row=rr - 1, end_column=col)
            run_start = rr
    # Units chosen by the officer (e.g. 采购总金额: 元 or 万元).
    for row in table.rows:
        for column in table.columns:
            if not column.unit_choices:
                continue
            key = table.key(row.id, column.id)
            label = f"{row.label}·{column.label}的单位（{'或'.join(column.unit_choices)}）"
            ws.cell(row=r, column=1, value=label)
            c = _style_box(ws, r, label_cols + 1)
            unit = report.units.get(key)
            if unit:
                c.value = unit
            dv = DataValidation(type="list", formula1='"' + ",".join(column.unit_choices) + '"', allow_blank=True)
            ws.add_data_validation(dv)
            dv.add(c.coordinate)
            layout.add(UNIT_PREFIX + key, ws.title, c.coordinate, f"A{r}", label)
            r += 1
    return r + 1


def _mergeable(ws, top: int, bottom: int, col: int) -> bool:
    """True when no cell in the range is already part of a merged range."""
    for rng in ws.merged_cells.ranges:
        if rng.min_col <= col <= rng.max_col and not (rng.max_row < top or rng.min_row > bottom):
            return False
    return True


def _instructions(ws, report: Report) -> None:
    fmt = report.format
    lines = [
        f"{report.title}（{fmt.name}）",
        "",
        "填报说明",
        "1. 本模板由政府信息公开工作年度报告填报助手生成，请在白色单元格中填写数字，填好后把文件原样发回机器人。",
        "2. 没有数据的单元格请填 0；留空的单元格视为“未填写”。",
        "3. 灰色单元格（各“总计”）为自动计算，无需填写。",
        "4. 除“本年增/减”可填负数外，件数只能填 0 或正整数；金额可带小数。",
        "5. 请勿增删行列、修改表名或移动表格；也不要删除隐藏的工作表，否则无法读取。",
        "6. 表三的勾稽关系：第一项加第二项之和，等于第三项加第四项之和。",
        "7. 本模板只包含二、三、四部分的表格；一、五、六部分的文字请在机器人中填写。",
    ]
    if fmt.fact_keys:
        lines[-1] = (
            "7. 本模板包含二、三、四部分的表格和六部分的信息处理费（本年度未收取的各项填 0）；"
            "一、五、六部分的文字请在机器人中填写。"
        )
    for i, line in enumerate(lines, start=1):
        ws.cell(row=i, column=1, value=line).alignment = Alignment(wrap_text=True, vertical="top")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A3"].font = BOLD
    ws.column_dimensions["A"].width = 100


def make_template(report: Report) -> bytes:
    """The .xlsx template of the report's format, current values filled in."""
    fmt = report.format
    values = report.values
    wb = Workbook()
    ws0 = wb.active
    ws0.title = INSTRUCTIONS_SHEET
    _instructions(ws0, report)
    layout = _Layout()
    for section in fmt.sections:
        tables = section.tables + section.facts  # 六 of the 2021 format: the 信息处理费 facts
        if not tables:
            continue
        ws = wb.create_sheet(sheet_title(section))
        ws.cell(row=1, column=1, value=section.title).font = Font(bold=True, size=13)
        ws.cell(row=2, column=1, value=f"灰色单元格为{AUTO}，无需填写；没有数据请填 0。").font = Font(italic=True)
        validations: dict[str, DataValidation] = {}
        r = 4
        for table in tables:
            r = _write_table(ws, table, report, values, layout, r, validations)
        widths = {"s3": (18, 16, 40), "s4": (12, 18)}.get(tables[0].id, (26,))
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w
        for i in range(len(widths) + 1, len(widths) + 9):
            ws.column_dimensions[get_column_letter(i)].width = 14
    # Formulas of the derived cells, now that every coordinate is known.
    formulas = _derived_formulas(fmt, layout)
    for section in fmt.sections:
        for table in section.tables:
            ws = wb[sheet_title(section)]
            for key, formula in formulas.items():
                if fmt.cells[key].table is table:
                    ws[layout.coords[key]] = formula
    keys = wb.create_sheet(KEYS_SHEET)
    keys.sheet_state = "hidden"
    keys.append([MAGIC, TEMPLATE_VERSION])
    keys.append(["format", fmt.id])
    keys.append(["year", report.year])
    keys.append(["agency", report.agency])
    keys.append(["key", "sheet", "cell", "label_cell", "label"])
    for entry in layout.entries:
        keys.append(list(entry))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -- reading ---------------------------------------------------------------------------------
def _problem(rule: str, message: str, cells: tuple[str, ...] = (), section: str | None = None) -> Problem:
    return Problem(ERROR, rule, message, cells, section)


def check_zip(data: bytes) -> None:
    """Raise TemplateError unless ``data`` is a small, sane .xlsx package (the guarded reader's
    checks, before openpyxl unpacks anything)."""
    try:
        uploads.check_xlsx(data, max_bytes=MAX_BYTES)
    except uploads.UploadRefused as exc:
        rule = "template.too_large" if exc.code in ("too_large", "zip_bomb") else "template.not_xlsx"
        raise TemplateError(_problem(rule, exc.message)) from exc


def _read_meta(wb) -> tuple[dict[str, Any], list[tuple]]:
    if KEYS_SHEET not in wb.sheetnames:
        raise TemplateError(_problem("template.not_template", "这不是本机器人生成的填报模板（缺少模板信息），请用 /template 下载模板"))
    ws = wb[KEYS_SHEET]
    rows = list(ws.iter_rows(min_row=1, max_row=MAX_KEY_ROWS + 6, max_col=5, values_only=True))
    if not rows or rows[0][0] != MAGIC:
        raise TemplateError(_problem("template.not_template", "这不是本机器人生成的填报模板，请用 /template 下载模板"))
    meta = {str(r[0]): r[1] for r in rows[1:4] if r and r[0] is not None}
    entries = [r for r in rows[5:] if r and r[0]]
    return meta, entries


def _to_value(raw: Any, cell_type: str) -> Value:
    """A cell's raw openpyxl value as a report value; None for blank; NumberError when bad."""
    if raw is None:
        return None
    if isinstance(raw, str):
        if not raw.strip():
            return None
        return parse_value(raw.strip(), cell_type)
    if isinstance(raw, bool):
        raise NumberError(f"“{raw}”不是数字", str(raw))
    if isinstance(raw, int):
        return parse_value(str(raw), cell_type)
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise NumberError("不是数字", str(raw))
        text = str(int(raw)) if raw.is_integer() and abs(raw) < 1e15 else repr(raw)
        return parse_value(text, cell_type)
    if isinstance(raw, Decimal):
        return parse_value(str(raw), cell_type)
    raise NumberError(f"“{raw}”不是数字", str(raw))


def read_template(data: bytes, report: Report) -> tuple[Report | None, list[Problem]]:
    """Read a filled template back for ``report``: (new report with the entered cells, problems).

    The report is None when there is any error; nothing is half-applied.
    """
    try:
        check_zip(data)
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on broken files
            raise TemplateError(_problem("template.not_xlsx", "无法打开这个 Excel 文件，文件可能已损坏")) from exc
        try:
            return _read(wb, report)
        except TemplateError:
            raise
        except Exception as exc:  # openpyxl reads sheets lazily: a damaged part fails only here
            raise TemplateError(_problem("template.not_xlsx", "无法读取这个 Excel 文件，文件可能已损坏")) from exc
        finally:
            wb.close()
    except TemplateError as exc:
        return None, [exc.problem]


def _read(wb, report: Report) -> tuple[Report | None, list[Problem]]:
    fmt = report.format
    meta, entries = _read_meta(wb)
    if str(meta.get("format")) != fmt.id or str(meta.get("year")) != str(report.year):
        year = meta.get("year")
        raise TemplateError(
            _problem(
                "template.wrong_report",
                f"这是 {year} 年度（{meta.get('format')} 格式）的模板，不是本报告（{report.year} 年度，"
                f"{fmt.id} 格式）的模板，请用 /template 重新下载",
            )
        )
    if (meta.get("agency") or "") != (report.agency or ""):
        raise TemplateError(
            _problem(
                "template.wrong_report",
                f"这是“{meta.get('agency') or ''}”的模板，不是“{report.agency}”的，请用 /template 重新下载",
            )
        )
    expected = set(fmt.cells)
    expected |= {UNIT_PREFIX + k for k, c in fmt.cells.items() if c.column.unit_choices}
    by_key = {str(e[0]): e for e in entries}
    if set(by_key) != expected or len(entries) != len(expected):
        raise TemplateError(_problem("template.structure", "模板的隐藏信息与报告格式不符，请用 /template 重新下载"))
    grids = _read_grids(wb, entries)
    problems: list[Problem] = []
    # The template holds the tables only: the narratives are kept as they are.
    new = Report(format=fmt, year=report.year, agency=report.agency, narratives=dict(report.narratives))
    check = Report(format=fmt, year=report.year, agency=report.agency)
    derived = fmt.derived_keys
    moved: list[str] = []
    for key, sheet, coord, label_coord, label in entries:
        key, sheet = str(key), str(sheet)
        grid = grids[sheet]
        if str(grid.get(label_coord) or "").strip() != str(label or "").strip():
            moved.append(f"“{sheet}”{coord}")
            continue
        raw = grid.get(coord)
        if key.startswith(UNIT_PREFIX):
            cell_key = key[len(UNIT_PREFIX):]
            column = fmt.cells[cell_key].column
            if raw is None or not str(raw).strip():
                continue
            unit = str(raw).strip()
            if unit not in column.unit_choices:
                problems.append(
                    _problem("cell.unit", f"{cell_name(fmt, cell_key)}的单位只能填{'或'.join(column.unit_choices)}，"
                             f"填的是“{unit}”", (cell_key,), fmt.cells[cell_key].table.section_id)
                )
            else:
                new.units[cell_key] = unit
            continue
        cell = fmt.cells[key]
        if key in derived and isinstance(raw, str) and raw.startswith("="):
            continue  # our formula, never evaluated (the file was not saved by a spreadsheet program)
        try:
            value = _to_value(raw, cell.type)
        except NumberError as exc:
            where = cell_name(fmt, key) + (f"（{AUTO}）" if key in derived else "")
            problems.append(_problem("cell.value", f"{where}：{exc.reason}", (key,), cell.table.section_id))
            continue
        if value is None:
            continue
        # A total typed over its formula (or its cached result) is checked against its terms.
        check.values[key] = value
        if key not in derived:
            new.values[key] = value
    if moved:
        raise TemplateError(
            _problem("template.structure", "表格的行或列被移动过（如 " + "、".join(moved[:3]) + "），"
                     "请不要增删行列，或用 /template 重新下载")
        )
    if not problems:
        for p in validation.validate(check, completeness=False):
            if p.rule in ("format.year", "narrative.figures"):
                continue
            problems.append(p)
    if any(p.is_error for p in problems):
        return None, problems
    return new, problems


def _read_grids(wb, entries: list[tuple]) -> dict[str, dict[str, Any]]:
    """The raw values at every coordinate the key sheet names, sheet by sheet (one streamed pass each)."""
    needed: dict[str, set[str]] = {}
    for _key, sheet, coord, label_coord, _label in entries:
        needed.setdefault(str(sheet), set()).update({str(coord), str(label_coord)})
    grids: dict[str, dict[str, Any]] = {}
    for sheet, coords in needed.items():
        if sheet not in wb.sheetnames:
            raise TemplateError(
                _problem("template.structure", f"找不到工作表“{sheet}”：请不要修改表名，或用 /template 重新下载")
            )
        try:
            tuples = {c: coordinate_to_tuple(c) for c in coords}
        except (ValueError, TypeError) as exc:
            raise TemplateError(_problem("template.structure", "模板的隐藏信息已损坏，请用 /template 重新下载")) from exc
        max_row = max(t[0] for t in tuples.values())
        max_col = max(t[1] for t in tuples.values())
        if max_row > 1000 or max_col > 100:
            raise TemplateError(_problem("template.structure", "模板的隐藏信息已损坏，请用 /template 重新下载"))
        rows = list(wb[sheet].iter_rows(min_row=1, max_row=max_row, max_col=max_col, values_only=True))
        grid: dict[str, Any] = {}
        for c, (rr, cc) in tuples.items():
            row = rows[rr - 1] if rr - 1 < len(rows) else ()
            grid[c] = row[cc - 1] if cc - 1 < len(row) else None
        grids[sheet] = grid
    return grids
