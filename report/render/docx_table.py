"""A view Grid as a Word table (the w:tbl XML, written directly: python-docx's cell API is far too
slow for a 200-cell table).

Layout: every figure column is wide enough for a five-digit figure at the table's font size plus
its cell margins; the label columns absorb the rest. A table whose figure columns cannot all have
that width at 10.5 pt (五号) is set at 9 pt (小五), then 7.5 pt (六号), with narrower cell margins
(Section 四: fifteen figure columns). Rows never split across pages; header rows repeat on every
page; a caption row and the header rows keep with the rows under them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

from .grid import CAPTION, HEAD, LABEL, NOTE, VALUE, Grid
from .text import display_width

TWIPS_PER_PT = 20
DIGITS = 5  # figures up to 99999 never break
DIGIT_EM = 0.55  # a digit's advance in em, with room for the fonts that replace Times New Roman
SIZES = ((10.5, 0.10), (9.0, 0.05), (7.5, 0.03))  # (font pt, left/right cell margin cm)
MIN_LABEL_CHARS = 2.5  # a label column narrower than this is unreadable
LABEL_CAP = 20  # half-width characters a label column asks for at most (it wraps beyond)
HEAD_CAP = 16  # … and a figure column for its header (本年处理决定数量)


@dataclass(frozen=True)
class Layout:
    size: float  # font size, pt
    margin: int  # left/right cell margin, twips
    widths: tuple[int, ...]  # column widths, twips


def _pt(cm: float) -> float:
    return cm / 2.54 * 72


def value_columns(grid: Grid) -> set[int]:
    """Grid columns holding a figure of their own (not only a figure spanning several)."""
    return {c.col for c in grid.cells if c.kind == VALUE and c.colspan == 1}


def layout(grid: Grid, text_width: float) -> Layout:
    """Column widths (twips) filling ``text_width`` (pt), and the font size they need."""
    values = value_columns(grid)
    labels = [k for k in range(grid.ncols) if k not in values]
    for size, margin_cm in SIZES:
        margin = _pt(margin_cm)
        min_value = DIGITS * DIGIT_EM * size + 2 * margin + 1
        min_label = MIN_LABEL_CHARS * size + 2 * margin
        if len(values) * min_value + len(labels) * min_label <= text_width or size == SIZES[-1][0]:
            break
    half = size / 2  # a half-width character, pt
    slack = 2 * margin + 2  # cell margins, and rounding in the word processor
    need = [min_value if k in values else min_label for k in range(grid.ncols)]
    head = list(need)  # a figure column's header on one line (up to HEAD_CAP)
    want = list(need)  # a label column's text on one line (up to LABEL_CAP)
    for c in grid.cells:
        if c.colspan != 1:
            continue
        chars = display_width(c.text)
        if c.col in values:
            if c.kind == HEAD:
                # 自然人 stays whole; a longer header may break after every two characters
                # (商业/企业, 社会/公益/组织), which is where its words end.
                need[c.col] = max(need[c.col], min(chars if chars <= 6 else 4, HEAD_CAP) * half + slack)
                head[c.col] = max(head[c.col], min(chars, HEAD_CAP) * half + slack)
        else:
            if c.rowspan > 1:  # a merged label may wrap over its rows: ask for little width
                chars = max(8, math.ceil(chars / c.rowspan))
            want[c.col] = max(want[c.col], min(chars, LABEL_CAP) * half + slack)
    widths = list(need)
    room = text_width - sum(need)
    # The labels as far as room allows, then the figure headers on one line; whatever is left goes
    # to the label columns, by what they ask for.
    for group, goal in ((labels, want), (sorted(values), head)):
        deficit = sum(max(0.0, goal[k] - widths[k]) for k in group)
        if room <= 0 or deficit <= 0:
            continue
        share = min(1.0, room / deficit)
        for k in group:
            widths[k] += max(0.0, goal[k] - widths[k]) * share
        room -= deficit * share
    if room > 0:
        asks = {k: want[k] for k in labels} or {k: head[k] for k in range(grid.ncols)}
        total = sum(asks.values())
        for k, w in asks.items():
            widths[k] += room * w / total
    return Layout(size, round(margin * TWIPS_PER_PT), tuple(int(w * TWIPS_PER_PT) for w in widths))


def _keep_with_next(grid: Grid) -> set[int]:
    """Rows kept with the row under them: caption rows, header rows, and the rows of a small
    sub-table under its caption (Section 二), so no caption or header is stranded at a page foot."""
    keep: set[int] = set(range(grid.header_rows))
    starts = sorted(c.row for c in grid.cells if c.kind == CAPTION)
    for i, top in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else grid.nrows
        keep.update(range(top, end - 1))
    return keep


def table_xml(grid: Grid, text_width: float, table_style_id: str, para_style_id: str) -> str:
    """The w:tbl of a grid. Merges as Word writes them: w:gridSpan across, w:vMerge down."""
    lay = layout(grid, text_width)
    widths = lay.widths
    half_points = round(lay.size * 2)
    size = f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'
    keep = _keep_with_next(grid)
    out = [
        f'<w:tbl><w:tblPr><w:tblStyle w:val="{table_style_id}"/>'
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
        '<w:tblLayout w:type="fixed"/>'
        f'<w:tblCellMar><w:left w:w="{lay.margin}" w:type="dxa"/><w:right w:w="{lay.margin}" w:type="dxa"/>'
        "</w:tblCellMar>"
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" '
        'w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>'
    ]
    out += [f'<w:gridCol w:w="{w}"/>' for w in widths]
    out.append("</w:tblGrid>")
    for r, row in enumerate(grid.matrix()):
        header = "<w:tblHeader/>" if r < grid.header_rows else ""
        out.append(f"<w:tr><w:trPr><w:cantSplit/>{header}</w:trPr>")
        for k, pos in enumerate(row):
            if pos is None:  # pragma: no cover - a grid covers every position
                out.append(f'<w:tc><w:tcPr><w:tcW w:w="{widths[k]}" w:type="dxa"/></w:tcPr><w:p/></w:tc>')
                continue
            cell, origin = pos
            if k != cell.col:
                continue  # covered by a horizontal span
            span = cell.colspan
            tcpr = f'<w:tcW w:w="{sum(widths[k : k + span])}" w:type="dxa"/>'
            if span > 1:
                tcpr += f'<w:gridSpan w:val="{span}"/>'
            if cell.rowspan > 1:
                tcpr += '<w:vMerge w:val="restart"/>' if origin else "<w:vMerge/>"
            tcpr += '<w:vAlign w:val="center"/>'
            ppr = f'<w:pStyle w:val="{para_style_id}"/>'
            if r in keep:
                ppr += "<w:keepNext/>"
            if cell.kind in (LABEL, CAPTION, NOTE):
                ppr += '<w:jc w:val="left"/>'
            ppr += f"<w:rPr>{size}</w:rPr>"
            run = ""
            if origin and cell.text:
                bold = "<w:b/>" if cell.kind == CAPTION else ""
                run = f'<w:r><w:rPr>{bold}{size}</w:rPr><w:t xml:space="preserve">{escape(cell.text)}</w:t></w:r>'
            out.append(f"<w:tc><w:tcPr>{tcpr}</w:tcPr><w:p><w:pPr>{ppr}</w:pPr>{run}</w:p></w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)
