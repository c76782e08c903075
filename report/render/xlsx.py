"""The report as a workbook (openpyxl): the text on a sheet of its own (正文: title, opening paragraph,
the narrative sections, the 落款), then one sheet per table section (二, 三, 四).

Each table sheet: the report title, the section heading, then the official table with its merged
cells. Figures are numbers, amounts with the decimals they were written with (12.50 shows 12.50),
totals the numbers derived from the cells, blank or unknown cells empty. Rows grow to fit their
wrapped labels; every page has its number (“— 1 —”) in the footer, and a draft says 草稿 in the
header.
"""

from __future__ import annotations

import io
import math
from copy import copy
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from .grid import CAPTION, LABEL, NOTE, VALUE
from .text import display_width
from .view import ReportView

FONT = "宋体"
_thin = Side(style="thin", color="000000")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
TITLE_FONT = Font(name=FONT, size=14, bold=True)
HEAD_FONT = Font(name=FONT, size=12, bold=True)
TEXT_FONT = Font(name=FONT, size=12)
CELL_FONT = Font(name=FONT, size=10.5)
BOLD_FONT = Font(name=FONT, size=10.5, bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
TEXT = Alignment(horizontal="left", vertical="top", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="top")
# Sheet names may not contain these and are at most 31 characters.
_BAD_SHEET = str.maketrans({c: "_" for c in "[]:*?/\\"})

FIRST_ROW = 3  # row 1: report title, row 2: section heading
LINE_PT = 14.0  # the height of a wrapped line of 10.5 pt text
TEXT_LINE_PT = 16.0  # … of 12 pt text
TEXT_WIDTH = 90  # the 正文 sheet's column, in character widths


class _Styles:
    """Applies a few fixed cell styles quickly.

    openpyxl hashes font, border and alignment objects on every assignment; a style is set through
    the API once per workbook and its style array copied to the other cells.
    """

    def __init__(self) -> None:
        self._arrays: dict[tuple[str, str], object] = {}

    def apply(self, cell, name: str, number_format: str = "General") -> None:
        arr = self._arrays.get((name, number_format))
        if arr is not None:
            cell._style = copy(arr)
            return
        cell.border = BORDER
        cell.font = BOLD_FONT if name == CAPTION else CELL_FONT
        cell.alignment = LEFT if name in (LABEL, CAPTION, NOTE) else CENTER
        cell.number_format = number_format
        self._arrays[(name, number_format)] = copy(cell._style)


def sheet_name(title: str) -> str:
    return title.translate(_BAD_SHEET)[:31]


def number_format(value: object) -> str:
    """An amount with the decimals it was written with: 12.50 → 0.00; whole numbers → General."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent < 0:
            return "0." + "0" * -exponent
    return "General"


def lines(text: str, width: float) -> int:
    """Lines a wrapped text takes in a column ``width`` characters wide (a Chinese character is
    two), one line for the cell's padding spared."""
    return max(1, math.ceil(display_width(text) / max(width - 1, 1)))


def _page_setup(ws, view: ReportView, landscape: bool = False) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.oddFooter.center.text = view.words.page_number.replace("{page}", "&P")
    ws.oddFooter.center.size = 12
    if view.draft:
        ws.oddHeader.center.text = view.words.draft
        ws.oddHeader.center.size = 16


def _text_sheet(wb, view: ReportView) -> None:
    """正文: everything but the tables, one paragraph a row."""
    ws = wb.create_sheet(view.words.narrative_sheet)
    ws.column_dimensions["A"].width = TEXT_WIDTH
    rows: list[tuple[str, Font, Alignment]] = []
    if view.draft:
        note = view.words.draft_line.format(note=view.draft_note)
        rows.append((note, HEAD_FONT, TEXT))
    rows.append((view.title, TITLE_FONT, CENTER))
    rows += [("　　" + p, TEXT_FONT, TEXT) for p in view.preamble]
    for s in view.sections:
        rows.append((s.title, HEAD_FONT, TEXT))
        if s.grid is not None:
            rows.append(("　　" + view.words.see_sheet.format(sheet=sheet_name(s.title)), TEXT_FONT, TEXT))
        for part in s.parts:
            if part.label:
                rows.append((part.label, HEAD_FONT, TEXT))
            rows += [("　　" + p, TEXT_FONT, TEXT) for p in part.paragraphs]
    if view.signature:
        rows += [("", TEXT_FONT, TEXT), (view.signature.agency, TEXT_FONT, RIGHT), (view.signature.date, TEXT_FONT, RIGHT)]
    for r, (text, font, align) in enumerate(rows, start=1):
        cell = ws.cell(r, 1, text or None)
        cell.font, cell.alignment = font, align
        n = lines(text, TEXT_WIDTH * 12 / font.size)
        if n > 1:
            ws.row_dimensions[r].height = n * TEXT_LINE_PT * font.size / 12 + 2
    _page_setup(ws, view)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def render_xlsx(view: ReportView) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = view.title
    wb.properties.creator = view.agency or None
    wb.properties.language = "zh-CN"
    _text_sheet(wb, view)
    styles = _Styles()
    for s in view.table_sections:
        grid = s.grid
        ws = wb.create_sheet(sheet_name(s.title))
        ws.cell(1, 1, view.title).font = TITLE_FONT
        ws.cell(2, 1, s.title).font = HEAD_FONT
        widths = [6] * grid.ncols
        for c in grid.cells:
            if c.colspan == 1:
                widths[c.col] = max(widths[c.col], min(display_width(c.text) + 2, 40))
        for k, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(k)].width = w
        height = [1] * grid.nrows  # lines of each table row
        for c in grid.cells:
            r, k = FIRST_ROW + c.row, 1 + c.col
            fmt = "General"
            if c.kind == VALUE:
                ws.cell(r, k, c.value)
                fmt = number_format(c.value)
            else:
                ws.cell(r, k, c.text or None)
                if c.rowspan == 1:
                    height[c.row] = max(height[c.row], lines(c.text, sum(widths[c.col : c.col + c.colspan])))
            for rr in range(r, r + c.rowspan):
                for kk in range(k, k + c.colspan):
                    styles.apply(ws.cell(rr, kk), c.kind, fmt)
            if c.rowspan > 1 or c.colspan > 1:
                # Registered directly: ws.merge_cells() re-styles the range's edges, slowly;
                # the covered cells already carry their borders. Readers see an ordinary merge.
                ws.merged_cells.add(
                    CellRange(min_col=k, min_row=r, max_col=k + c.colspan - 1, max_row=r + c.rowspan - 1)
                )
        for row, n in enumerate(height):
            if n > 1:
                ws.row_dimensions[FIRST_ROW + row].height = n * LINE_PT + 2
        if grid.header_rows:
            ws.print_title_rows = f"{FIRST_ROW}:{FIRST_ROW + grid.header_rows - 1}"
        _page_setup(ws, view, landscape=grid.ncols > 8)
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
