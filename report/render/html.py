"""What templates/report/report.html needs beyond the view-model: each table's layout and each
cell's markup (Jinja filters and globals).

A table has fixed column widths: its row-label columns get widths in em from their texts (one set
for a desktop, a narrower one for a phone), the figure columns share the rest and are never
narrower than a five-digit figure or a header word. On a narrow screen the table scrolls inside its
own box while its row labels stay in place (position: sticky, offsets from the label widths).
A header label breaks only between its two-character words (社会公益/组织, never 自然/人).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from markupsafe import Markup, escape

from .grid import CAPTION, HEAD, LABEL, NOTE, VALUE, Grid, GridCell
from .text import display_width

FIGURE_EM = 3.8  # a figure column at least: five digits (about 2.8em) and the cell padding
PAD_EM = 0.8
DESKTOP = (3.0, 14.0)  # a label column's (least, most) width, em
PHONE = (2.3, 7.0)
_CJK_WORDS = re.compile(r"^[\u4e00-\u9fff]{4,}$")


@dataclass(frozen=True)
class TableLayout:
    labels: int  # row-label columns (sticky)
    desktop: tuple[float, ...]  # their widths, em
    phone: tuple[float, ...]
    figures: int  # figure columns

    def style(self) -> str:
        """The table's inline CSS variables, for a desktop (d) and a phone (m): each label column's
        width (--d0, --m0, …) and left offset (--od0, --om0, …), and the table's least width."""
        parts = []
        for name, widths in (("d", self.desktop), ("m", self.phone)):
            offset = 0.0
            for k, w in enumerate(widths):
                parts.append(f"--{name}{k}:{w:g}em;--o{name}{k}:{offset:g}em")
                offset += w
            parts.append(f"--min-{name}:{offset + self.figures * FIGURE_EM:g}em")
        return ";".join(parts)


def _label_width(cells: list[GridCell], least: float, most: float, merged: float) -> float:
    """A label column's width: its longest label on one line, within (least, most); a label merged
    over several rows wraps over them, but keeps ``merged`` characters a line (（三）不予公开)."""
    chars = 0.0
    for c in cells:
        n = display_width(c.text) / 2
        if c.rowspan > 1:
            n = min(n, max(math.ceil(n / c.rowspan), merged))
        chars = max(chars, n)
    return round(min(max(chars + PAD_EM, least), most), 1)


def table_layout(grid: Grid) -> TableLayout:
    values = {c.col for c in grid.cells if c.kind == VALUE and c.colspan == 1}
    labels = 0
    while labels < grid.ncols and labels not in values:
        labels += 1
    by_col: dict[int, list[GridCell]] = {k: [] for k in range(labels)}
    for c in grid.cells:
        if c.colspan == 1 and c.col < labels and c.kind in (LABEL, HEAD):
            by_col[c.col].append(c)
    desktop = tuple(_label_width(by_col[k], *DESKTOP, merged=3.5) for k in range(labels))
    phone = tuple(_label_width(by_col[k], *PHONE, merged=2) for k in range(labels))
    return TableLayout(labels, desktop, phone, grid.ncols - labels)


def header_text(text: str) -> Markup:
    """A header label with break opportunities only between its two-character words (the
    template sets word-break: keep-all): 社会<wbr>公益<wbr>组织; 自然人 and 总计 never break."""
    if not _CJK_WORDS.match(text) or len(text) % 2:
        return escape(text)
    return Markup("<wbr>").join(escape(text[i : i + 2]) for i in range(0, len(text), 2))


def cell_attrs(cell: GridCell, layout: TableLayout) -> Markup:
    """class, scope, rowspan and colspan of a cell's <th>/<td>."""
    classes = [cell.kind]
    if cell.kind != CAPTION and cell.col < layout.labels:
        classes.append(f"l{cell.col}")  # a sticky row-label cell, offset by the columns before it
    if cell.kind == HEAD and display_width(cell.text) <= 6:
        classes.append("nowrap")
    attrs = f' class="{" ".join(classes)}"'
    if cell.kind in (HEAD, NOTE):
        attrs += ' scope="colgroup"' if cell.colspan > 1 else ' scope="col"'
    elif cell.kind == LABEL:
        attrs += ' scope="rowgroup"' if cell.rowspan > 1 else ' scope="row"'
    elif cell.kind == CAPTION:
        attrs += ' scope="rowgroup"'
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    return Markup(attrs)


@dataclass
class RowGroup:
    """A <thead> (the header rows) or a <tbody> (Section 二: one per sub-table, from its caption)."""

    head: bool
    rows: list[list[GridCell]]


def row_groups(grid: Grid) -> list[RowGroup]:
    rows = grid.rows()
    groups: list[RowGroup] = []
    if grid.header_rows:
        groups.append(RowGroup(True, rows[: grid.header_rows]))
    body = rows[grid.header_rows :]
    for row in body:
        starts = bool(row) and row[0].kind == CAPTION
        if not groups or groups[-1].head or starts:
            groups.append(RowGroup(False, []))
        groups[-1].rows.append(row)
    return groups


def install(env) -> None:
    env.filters["header_text"] = header_text
    env.globals["table_layout"] = table_layout
    env.globals["cell_attrs"] = cell_attrs
    env.globals["row_groups"] = row_groups
