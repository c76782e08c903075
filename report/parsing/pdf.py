"""A PDF report: tables from ruling lines and glyph positions, narratives from the text flow.

The guarded reader (:func:`report.uploads.read_pages`) gives each page's glyphs and ruling lines.
Ruling lines that touch form a table; their x and y positions are the grid; two neighbouring grid
cells with no line between them are one merged cell (a label spanning rows, a header spanning
columns). Glyphs are placed into cells by their centres, so a number that wraps inside a narrow
cell ("5/9/5" stacked) reads as one number, and each table row becomes a grid line exactly as a
web page's row does (a merged cell given again, flagged, in the rows below). A table continued
on the next page is simply more rows: the walker finds rows by their labels and ignores the
repeated header. Text outside tables is joined into paragraphs; page numbers are dropped.
A page without ruling lines gives its lines split at wide gaps (a borderless table).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from statistics import median

from ..uploads import Glyph, Page, read_pages
from ..uploads.pdftext import PAGE_NUMBER, TextLine, join_glyphs, lines_of, paragraphs
from .lines import Document, Line
from .text import kind
from .txt import _space_cells

TOL = 2.0  # points: line ends and positions closer than this are the same


@dataclass
class _H:
    x0: float
    x1: float
    y: float


@dataclass
class _V:
    y0: float
    y1: float
    x: float


@dataclass
class _Table:
    xs: list[float]
    ys: list[float]
    hs: list[_H]
    vs: list[_V]

    @property
    def top(self) -> float:
        return self.ys[0]

    def contains(self, x: float, y: float) -> bool:
        return self.xs[0] - TOL <= x <= self.xs[-1] + TOL and self.ys[0] - TOL <= y <= self.ys[-1] + TOL


def _collinear(items: list, pos, lo, hi, make) -> list:
    """Segments on one line (positions within TOL) whose extents touch, merged into one."""
    out: list = []
    items = sorted(items, key=pos)
    i = 0
    while i < len(items):
        j = i + 1
        while j < len(items) and pos(items[j]) - pos(items[i]) <= TOL:
            j += 1
        at = median(pos(s) for s in items[i:j])
        run: list[list[float]] = []
        for s in sorted(items[i:j], key=lo):
            if run and lo(s) <= run[-1][1] + TOL:
                run[-1][1] = max(run[-1][1], hi(s))
            else:
                run.append([lo(s), hi(s)])
        out.extend(make(a, b, at) for a, b in run)
        i = j
    return out


def _merge_h(segments: list[_H]) -> list[_H]:
    return _collinear(segments, lambda s: s.y, lambda s: s.x0, lambda s: s.x1, _H)


def _merge_v(segments: list[_V]) -> list[_V]:
    return _collinear(segments, lambda s: s.x, lambda s: s.y0, lambda s: s.y1, _V)


def _positions(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= TOL:
            continue
        out.append(v)
    return out


def _tables(page: Page) -> list[_Table]:
    hs = _merge_h([_H(x0, x1, (t + b) / 2) for x0, t, x1, b in page.rules if b - t <= 3])
    vs = _merge_v([_V(t, b, (x0 + x1) / 2) for x0, t, x1, b in page.rules if x1 - x0 <= 3])
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if h.x0 - TOL <= v.x <= h.x1 + TOL and v.y0 - TOL <= h.y <= v.y1 + TOL:
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, tuple[list[_H], list[_V]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    out = []
    for ghs, gvs in groups.values():
        if len(ghs) >= 2 and len(gvs) >= 2:
            out.append(_Table(_positions([v.x for v in gvs]), _positions([h.y for h in ghs]), ghs, gvs))
    return sorted(out, key=lambda t: t.top)


def _at(positions: list[float], segments: list, pos) -> dict[int, list]:
    """The segments lying on each grid position (by index)."""
    out: dict[int, list] = {}
    for seg in segments:
        p = pos(seg)
        i = bisect_right(positions, p)
        for k in (i - 1, i):
            if 0 <= k < len(positions) and abs(positions[k] - p) <= TOL:
                out.setdefault(k, []).append(seg)
                break
    return out


def cell_text(glyphs: list[Glyph]) -> str:
    """A cell's glyphs as one text: its wrapped lines joined without a break (a label or a
    number wrapped in a narrow cell is still one label or one number)."""
    if max(g.top for g in glyphs) - min(g.top for g in glyphs) < 0.3 * (glyphs[0].bottom - glyphs[0].top):
        return join_glyphs(sorted(glyphs, key=lambda g: g.x0))  # one line: most cells
    return "".join(line.text for line in lines_of(glyphs))


def _grid_lines(table: _Table, glyphs: list[Glyph]) -> list[_Row]:
    xs, ys = table.xs, table.ys
    nr, nc = len(ys) - 1, len(xs) - 1
    root = list(range(nr * nc))

    def find(i: int) -> int:
        while root[i] != i:
            root[i] = root[root[i]]
            i = root[i]
        return i

    v_at = _at(xs, table.vs, lambda v: v.x)
    h_at = _at(ys, table.hs, lambda h: h.y)
    for r in range(nr):
        ymid = (ys[r] + ys[r + 1]) / 2
        for c in range(nc):
            xmid = (xs[c] + xs[c + 1]) / 2
            if c + 1 < nc and not any(v.y0 - TOL <= ymid <= v.y1 + TOL for v in v_at.get(c + 1, ())):
                root[find(r * nc + c + 1)] = find(r * nc + c)
            if r + 1 < nr and not any(h.x0 - TOL <= xmid <= h.x1 + TOL for h in h_at.get(r + 1, ())):
                root[find((r + 1) * nc + c)] = find(r * nc + c)
    first: dict[int, tuple[int, int]] = {}
    width: dict[int, int] = {}
    for r in range(nr):
        for c in range(nc):
            k = find(r * nc + c)
            if k not in first:
                first[k] = (r, c)
            if r == first[k][0]:
                width[k] = width.get(k, 0) + 1
    content: dict[int, list[Glyph]] = {}
    for g in glyphs:
        cx, cy = (g.x0 + g.x1) / 2, (g.top + g.bottom) / 2
        c, r = bisect_right(xs, cx) - 1, bisect_right(ys, cy) - 1
        if 0 <= r < nr and 0 <= c < nc:
            content.setdefault(find(r * nc + c), []).append(g)
    texts = {k: cell_text(v) for k, v in content.items()}
    rows = []
    for r in range(nr):
        cells, conts, spans, edges = [], [], [], []
        for c in range(nc):
            k = find(r * nc + c)
            top, left = first[k]
            if left != c:
                continue  # inside a cell spanning columns: given once, at its left
            cells.append(texts.get(k, ""))
            conts.append(top != r)
            spans.append(width[k])
            edges.append(round(xs[c]))
        if any(cells):
            rows.append(_Row(Line(cells, grid=True, cont=conts, spans=spans), tuple(edges)))
    return rows


@dataclass
class _Row:
    line: Line
    edges: tuple[int, ...]  # the left edge of each cell, to recognise the same columns on the next page


def _join_split_row(previous: list[_Row], current: list[_Row]) -> None:
    """A row that Word or LibreOffice split across a page break: its remainder (the lower lines of
    a wrapped number or label) is the first row of the table on the next page. It is joined back
    into the last row of the previous page when the columns are the same and the remainder is not a
    row of its own (no label beside numbers) nor a repeated header."""
    headers = [row.line.cells for row in previous[:6]]
    i = 0
    while i < len(current) and current[i].line.cells in headers:
        i += 1  # the header rows repeated on the new page
    if not previous or i >= len(current):
        return
    last, rest = previous[-1], current[i]
    if last.edges != rest.edges:
        return
    kinds = [kind(c) for c in rest.line.cells]
    has_values = any(k in ("value", "mark") for k in kinds)
    has_labels = any(k == "label" for k in kinds)
    last_values = any(kind(c) in ("value", "mark") for c in last.line.cells)
    if (has_values and has_labels) or not last_values:
        return
    line = last.line
    line.cells = [a + b for a, b in zip(line.cells, rest.line.cells, strict=True)]
    line.text = " ".join(c for c in line.cells if c)
    del current[i]


def _gap_cells(line: TextLine) -> list[str]:
    """A line of a borderless table: cells split where the gap is wider than two characters."""
    size = median(g.bottom - g.top for g in line.glyphs)
    cells, current = [], [line.glyphs[0]]
    for prev, g in zip(line.glyphs, line.glyphs[1:], strict=False):
        if g.x0 - prev.x1 > 2 * size:
            cells.append(join_glyphs(current))
            current = []
        current.append(g)
    cells.append(join_glyphs(current))
    out: list[str] = []
    for cell in cells:
        tokens = cell.split()
        # numbers closer together than the gap (“2 18”) are still separate cells
        out.extend(tokens if len(tokens) > 1 and all(kind(t) != "label" for t in tokens) else [cell])
    return [c for c in out if c]


def _title(lines: list[TextLine]) -> tuple[str, int]:
    """The title on the first page: the leading lines set larger than the body text."""
    if not lines:
        return "", 0
    body = median(x.bottom - x.top for x in lines)
    n = 0
    while n < min(4, len(lines)) and lines[n].bottom - lines[n].top > 1.15 * body:
        n += 1
    return "".join(x.text for x in lines[:n]), n


def read_pdf(data: bytes, *, max_chars: int) -> Document:
    pages = read_pages(data, max_chars=max_chars)
    items: list[tuple[int, float, object]] = []  # (page, top, TextLine | list[Line])
    for page in pages:
        tables = _tables(page)
        inside: dict[int, list[Glyph]] = {i: [] for i in range(len(tables))}
        outside: list[Glyph] = []
        for g in page.glyphs:
            cx, cy = (g.x0 + g.x1) / 2, (g.top + g.bottom) / 2
            for i, t in enumerate(tables):
                if t.contains(cx, cy):
                    inside[i].append(g)
                    break
            else:
                outside.append(g)
        page_items: list[tuple[int, float, object]] = [(page.number, t.top, _grid_lines(t, inside[i])) for i, t in enumerate(tables)]
        page_items += [(page.number, x.top, x) for x in lines_of(outside, page.number) if not PAGE_NUMBER.match(x.text)]
        page_items.sort(key=lambda it: it[1])
        if items and page_items and isinstance(items[-1][2], list) and isinstance(page_items[0][2], list):
            _join_split_row(items[-1][2], page_items[0][2])
        items += page_items
    text_lines = [it[2] for it in items if isinstance(it[2], TextLine)]
    title, skip = _title([x for x in text_lines if x.page == 1])
    left = sorted(x.x0 for x in text_lines)[1:2] or [0.0]
    right = sorted(x.x1 for x in text_lines)[-2:-1] or [0.0]
    out: list[Line] = [Line([title])] if title else []
    run: list[TextLine] = []

    def prose_lines(prose: list[TextLine]) -> list[Line]:
        # a paragraph ending in numbers (“规章 2 1 17” in a table without lines) is a row, as in text
        return [Line(_space_cells(p), text=p) for p in paragraphs(prose, left[0], right[0])]

    def flush() -> None:
        prose: list[TextLine] = []
        for line in run:
            cells = _gap_cells(line)
            if len(cells) > 1:
                out.extend(prose_lines(prose))
                prose = []
                out.append(Line(cells))
            else:
                prose.append(line)
        out.extend(prose_lines(prose))
        run.clear()

    for _page, _top, item in items:
        if isinstance(item, TextLine):
            if skip:
                skip -= 1
                continue
            run.append(item)
        else:
            flush()
            out.extend(row.line for row in item)
    flush()
    return Document(out, titles=[title] if title else [])
