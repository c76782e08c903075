"""The report's figures as a workbook (openpyxl): one sheet per table section (二, 三, 四).

Each sheet: the report title, the section heading, then the official table with its merged
cells. Figures are numbers (decimals too: 万元 amounts stay exact as written), totals are the
numbers derived from the cells, blank or unknown cells are left empty.
"""

from __future__ import annotations

import io
from copy import copy

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange

from .text import display_width
from .view import CAPTION, LABEL, NOTE, VALUE, ReportView

FONT = "宋体"
_thin = Side(style="thin", color="000000")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
TITLE_FONT = Font(name=FONT, size=14, bold=True)
HEAD_FONT = Font(name=FONT, size=12, bold=True)
CELL_FONT = Font(name=FONT, size=10.5)
BOLD_FONT = Font(name=FONT, size=10.5, bold=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
# Sheet names may not contain these and are at most 31 characters.
_BAD_SHEET = str.maketrans({c: "_" for c in "[]:*?/\\"})

FIRST_ROW = 3  # row 1: report title, row 2: section heading


class _Styles:
    """Applies a few fixed cell styles quickly.

    openpyxl hashes font, border and alignment objects on every assignment; a style is set through
    the API once per workbook and its style array copied to the other cells.
    """

    def __init__(self) -> None:
        self._arrays: dict[str, object] = {}

    def apply(self, cell, name: str) -> None:
        arr = self._arrays.get(name)
        if arr is not None:
            cell._style = copy(arr)
            return
        cell.border = BORDER
        cell.font = BOLD_FONT if name == CAPTION else CELL_FONT
        cell.alignment = LEFT if name in (LABEL, CAPTION, NOTE) else CENTER
        self._arrays[name] = copy(cell._style)


def render_xlsx(view: ReportView) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = view.title
    wb.properties.creator = view.agency or None
    styles = _Styles()
    for s in view.table_sections:
        grid = s.grid
        ws = wb.create_sheet(s.title.translate(_BAD_SHEET)[:31])
        ws.cell(1, 1, view.title).font = TITLE_FONT
        ws.cell(2, 1, s.title).font = HEAD_FONT
        widths = [6] * grid.ncols
        for c in grid.cells:
            if c.colspan == 1:
                widths[c.col] = max(widths[c.col], min(display_width(c.text) + 2, 40))
        for k, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(k)].width = w
        for c in grid.cells:
            r, k = FIRST_ROW + c.row, 1 + c.col
            if c.kind == VALUE:
                ws.cell(r, k, c.value)
            else:
                ws.cell(r, k, c.text or None)
            for rr in range(r, r + c.rowspan):
                for kk in range(k, k + c.colspan):
                    styles.apply(ws.cell(rr, kk), c.kind)
            if c.rowspan > 1 or c.colspan > 1:
                # Registered directly: ws.merge_cells() re-styles the range's edges, slowly;
                # the covered cells already carry their borders. Readers see an ordinary merge.
                ws.merged_cells.add(
                    CellRange(min_col=k, min_row=r, max_col=k + c.colspan - 1, max_row=r + c.rowspan - 1)
                )
        if grid.header_rows:
            ws.print_title_rows = f"{FIRST_ROW}:{FIRST_ROW + grid.header_rows - 1}"
        ws.page_setup.orientation = "landscape" if grid.ncols > 8 else "portrait"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
