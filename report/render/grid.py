"""A table section as every output kind prints it: a :class:`Grid`, a rectangle of cells where a
cell may span rows and columns (the official tables merge their header and label cells). Every
label comes from the format (``row.group``, ``row.subgroup``, ``column.group``,
``table.column_header``, ``table.note``, ``table.label_header``, ``table.caption``); nothing here
names a label.

Two layouts exist:

* vertical (Sections 二 and 三): format rows are table rows, format columns are table columns;
* horizontal (Section 四): the format rows become column groups and the whole table is one data
  row (行政复议 | 行政诉讼 → 未经复议直接起诉 | 复议后起诉, 15 cells). A table is horizontal when
  its format data says ``"layout": "horizontal"``, or, failing that, when it has neither caption,
  label header, note nor column header (it then has no room for row labels).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..formats import Table
from ..model import Report, Value
from ..numbers import format_value

# The unit of a decimal cell whose header names none (2019: 采购总金额), as the 2021 header writes it.
UNIT_SUFFIX = "（单位：{unit}）"

CAPTION = "caption"
NOTE = "note"
HEAD = "head"
LABEL = "label"
VALUE = "value"


@dataclass
class GridCell:
    text: str
    kind: str
    row: int = 0
    col: int = 0
    rowspan: int = 1
    colspan: int = 1
    key: str | None = None
    value: Value = None

    @property
    def is_value(self) -> bool:
        return self.kind == VALUE


@dataclass
class Grid:
    """A table with merged cells. ``cells`` holds each cell once, at its top-left, in reading order."""

    ncols: int
    nrows: int = 0
    cells: list[GridCell] = field(default_factory=list)
    header_rows: int = 0

    def add(self, cell: GridCell) -> GridCell:
        self.cells.append(cell)
        self.nrows = max(self.nrows, cell.row + cell.rowspan)
        return cell

    def rows(self) -> list[list[GridCell]]:
        """Cells by the row they start in (what an HTML <tr> holds)."""
        out: list[list[GridCell]] = [[] for _ in range(self.nrows)]
        for c in self.cells:
            out[c.row].append(c)
        for r in out:
            r.sort(key=lambda c: c.col)
        return out

    def matrix(self) -> list[list[tuple[GridCell, bool] | None]]:
        """Every position: (the cell covering it, whether the position is the cell's origin)."""
        m: list[list[tuple[GridCell, bool] | None]] = [[None] * self.ncols for _ in range(self.nrows)]
        for c in self.cells:
            for r in range(c.row, c.row + c.rowspan):
                for k in range(c.col, c.col + c.colspan):
                    m[r][k] = (c, r == c.row and k == c.col)
        return m

    def shift(self, rows: int) -> None:
        for c in self.cells:
            c.row += rows


def is_horizontal(table: Table, format_id: str) -> bool:
    """Section 四 prints its rows side by side; the format data says so with ``"layout": "horizontal"``."""
    return table.layout == "horizontal"


def _runs(items: list, attr) -> list[tuple[object, int, int]]:
    """Consecutive runs of equal ``attr(item)``: (value, start index, length)."""
    out: list[tuple[object, int, int]] = []
    for i, item in enumerate(items):
        v = attr(item)
        if out and out[-1][0] == v and v is not None:
            val, start, n = out[-1]
            out[-1] = (val, start, n + 1)
        else:
            out.append((v, i, 1))
    return out


def _column_labels(report: Report, table: Table) -> list[str]:
    labels = []
    for col in table.columns:
        label = col.label
        if col.type == "decimal" and not col.unit:
            units = {report.units.get(table.key(r.id, col.id)) for r in table.rows}
            if len(units) == 1 and None not in units:
                label += UNIT_SUFFIX.format(unit=units.pop())
        labels.append(label)
    return labels


def _value_cell(values: dict[str, Value], key: str, row: int, col: int, colspan: int = 1) -> GridCell:
    v = values.get(key)
    return GridCell(format_value(v), VALUE, row, col, 1, colspan, key=key, value=v)


def vertical_grid(report: Report, table: Table, values: dict[str, Value], width: int | None = None) -> Grid:
    """Rows as rows. ``width`` widens the table (the last column spans the rest) to share a grid."""
    has_group = any(r.group for r in table.rows)
    has_sub = any(r.subgroup for r in table.rows)
    n_label = 1 + has_group + has_sub
    ncols = n_label + len(table.columns)
    width = max(width or ncols, ncols)
    extra = width - ncols
    col_groups = any(c.group for c in table.columns)
    n_head = 1 + col_groups + bool(table.column_header)
    grid = Grid(ncols=width, header_rows=n_head)
    labels = _column_labels(report, table)

    # Header: the top-left cell, then 申请人情况, then 法人或其他组织 etc., then the column labels.
    corner = table.note or table.label_header or ""
    grid.add(GridCell(corner, NOTE if table.note else HEAD, 0, 0, n_head, n_label))
    r = 0
    if table.column_header:
        grid.add(GridCell(table.column_header, HEAD, r, n_label, 1, len(table.columns) + extra))
        r += 1
    last = len(table.columns) - 1
    if col_groups:
        for group, start, n in _runs(list(table.columns), lambda c: c.group):
            span = n + (extra if start + n - 1 == last else 0)
            if group is None:
                for i in range(start, start + n):
                    sp = 1 + (extra if i == last else 0)
                    grid.add(GridCell(labels[i], HEAD, r, n_label + i, n_head - r, sp))
            else:
                grid.add(GridCell(str(group), HEAD, r, n_label + start, 1, span))
        r += 1
        for i, col in enumerate(table.columns):
            if col.group:
                sp = 1 + (extra if i == last else 0)
                grid.add(GridCell(labels[i], HEAD, r, n_label + i, 1, sp))
    else:
        for i in range(len(table.columns)):
            sp = 1 + (extra if i == last else 0)
            grid.add(GridCell(labels[i], HEAD, r, n_label + i, 1, sp))

    # Body: merged group / subgroup label cells, then the row label, then the values.
    body0 = n_head
    rows = list(table.rows)
    for group, start, n in _runs(rows, lambda x: x.group):
        if group is not None:
            grid.add(GridCell(str(group), LABEL, body0 + start, 0, n, 1))
    for sub, start, n in _runs(rows, lambda x: (x.group, x.subgroup) if x.subgroup else None):
        if sub is not None:
            c0 = 1 if rows[start].group else 0
            grid.add(GridCell(rows[start].subgroup or "", LABEL, body0 + start, c0, n, n_label - 1 - c0))
    for i, row in enumerate(rows):
        rr = body0 + i
        if row.subgroup:
            c0 = n_label - 1
        elif row.group:
            c0 = 1
        else:
            c0 = 0
        grid.add(GridCell(row.label, LABEL, rr, c0, 1, n_label - c0))
        for j, col in enumerate(table.columns):
            sp = 1 + (extra if j == last else 0)
            grid.add(_value_cell(values, table.key(row.id, col.id), rr, n_label + j, sp))
    return grid


def horizontal_grid(report: Report, table: Table, values: dict[str, Value]) -> Grid:
    """Rows as column groups; the figures form one data row (Section 四)."""
    rows = list(table.rows)
    ncol = len(table.columns)
    has_group = any(r.group for r in rows)
    n_head = 2 + has_group
    grid = Grid(ncols=len(rows) * ncol, header_rows=n_head)
    labels = _column_labels(report, table)
    for group, start, n in _runs(rows, lambda x: x.group):
        c0 = start * ncol
        if group is None:
            for i in range(start, start + n):
                c = i * ncol
                grid.add(GridCell(rows[i].label, HEAD, 0, c, 1, ncol))
                for j in range(ncol):
                    grid.add(GridCell(labels[j], HEAD, 1, c + j, n_head - 1, 1))
        else:
            grid.add(GridCell(str(group), HEAD, 0, c0, 1, n * ncol))
            for i in range(start, start + n):
                c = i * ncol
                grid.add(GridCell(rows[i].label, HEAD, 1, c, 1, ncol))
                for j in range(ncol):
                    grid.add(GridCell(labels[j], HEAD, 2, c + j, 1, 1))
    for i, row in enumerate(rows):
        for j, col in enumerate(table.columns):
            grid.add(_value_cell(values, table.key(row.id, col.id), n_head, i * ncol + j))
    grid.cells.sort(key=lambda c: (c.row, c.col))
    return grid


def section_grid(report: Report, tables: tuple[Table, ...], values: dict[str, Value]) -> Grid:
    """All tables of a section in one grid (Section 二: caption rows between the sub-tables)."""
    fid = report.format.id
    if len(tables) == 1 and is_horizontal(tables[0], fid):
        return horizontal_grid(report, tables[0], values)

    def natural_width(t: Table) -> int:
        return 1 + any(r.group for r in t.rows) + any(r.subgroup for r in t.rows) + len(t.columns)

    width = max(natural_width(t) for t in tables)
    out = Grid(ncols=width)
    for t in tables:
        if t.caption:
            out.add(GridCell(t.caption, CAPTION, out.nrows, 0, 1, width))
        g = vertical_grid(report, t, values, width)
        g.shift(out.nrows)
        if len(tables) == 1:
            out.header_rows = g.header_rows
        for c in g.cells:
            out.add(c)
    out.cells.sort(key=lambda c: (c.row, c.col))
    return out


