"""Plain-text and Markdown tables from a :class:`~report.render.grid.Grid` (Jinja filters).

Text tables align columns by display width (a Chinese character takes two columns). A merged
cell is printed once, where it starts; the positions it covers are left blank.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .grid import VALUE, Grid

SEP = " | "


@lru_cache(maxsize=4096)  # the same labels in every rendering
def display_width(text: str) -> int:
    """Columns a text takes in a monospace font: a Chinese (wide) character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "FWA" else 1 for ch in text)


def _pad(text: str, width: int, align: str = "left") -> str:
    gap = max(0, width - display_width(text))
    if align == "right":
        return " " * gap + text
    if align == "center":
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return text + " " * gap


def column_widths(grid: Grid) -> list[int]:
    widths = [0] * grid.ncols
    for c in grid.cells:
        if c.colspan == 1:
            widths[c.col] = max(widths[c.col], display_width(c.text))
    for c in sorted((c for c in grid.cells if c.colspan > 1), key=lambda c: c.colspan):
        have = sum(widths[c.col : c.col + c.colspan]) + len(SEP) * (c.colspan - 1)
        need = display_width(c.text)
        if need > have:
            widths[c.col + c.colspan - 1] += need - have
    return widths


def text_table(grid: Grid) -> str:
    widths = column_widths(grid)
    lines = []
    for r, row in enumerate(grid.matrix()):
        parts = []
        k = 0
        while k < grid.ncols:
            pos = row[k]
            if pos is None:
                parts.append(" " * widths[k])
                k += 1
                continue
            cell, _origin = pos
            span = cell.colspan - (k - cell.col)
            w = sum(widths[k : k + span]) + len(SEP) * (span - 1)
            text = cell.text if cell.row == r else ""
            align = "left" if cell.kind != VALUE else ("right" if cell.colspan == 1 else "center")
            parts.append(_pad(text, w, align))
            k += span
        lines.append(SEP.join(parts).rstrip())
    return "\n".join(lines)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_table(grid: Grid) -> str:
    lines = []
    matrix = grid.matrix()
    for r, row in enumerate(matrix):
        cells = []
        for pos in row:
            if pos is None:
                cells.append("")
                continue
            cell, origin = pos
            cells.append(md_escape(cell.text) if origin else "")
        lines.append("| " + " | ".join(cells) + " |")
        if r == 0:
            aligns = []
            for pos in matrix[-1]:
                aligns.append("---:" if pos and pos[0].kind == VALUE else "---")
            lines.append("| " + " | ".join(aligns) + " |")
    return "\n".join(lines)
