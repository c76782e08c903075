"""A government web page: paragraphs and tables, rowspan/colspan expanded into grid lines.

Parsed with lxml's HTML parser (libxml2: no network, no DTD loading). Word-exported markup
(<o:p>, mso styles, conditional comments) and labels split across <span>s are handled by taking
each cell's text as a whole. A table that holds other tables, or only one cell, is page layout:
its content is read as paragraphs.
"""

from __future__ import annotations

import re

from lxml import etree

from .errors import UnreadableReport
from .lines import Document, Line
from .text import clean

BLOCK = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol tr table section article header footer center blockquote "
    "pre dl dt dd form hr title address caption main nav aside figure figcaption".split()
)
SKIP = frozenset("script style noscript template iframe object svg select option button input textarea head".split())
MAX_SPAN = 1000
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def decode_html(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = _META_CHARSET.search(data[:4096])
    declared = m.group(1).decode("ascii").lower() if m else "gb18030"
    if declared in ("gb2312", "gbk", "gb_2312-80", "x-gbk"):
        declared = "gb18030"
    try:
        return data.decode(declared, errors="replace")
    except LookupError:
        return data.decode("gb18030", errors="replace")


def _tag(el) -> str | None:
    tag = el.tag
    return tag if isinstance(tag, str) else None  # libxml2's HTML parser gives lower-case names


class _Out:
    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.buf: list[str] = []

    def add(self, text: str | None) -> None:
        if text:
            self.buf.append(text)

    def flush(self) -> None:
        if self.buf:
            text = clean("".join(self.buf))
            self.buf.clear()
            if text:
                self.lines.append(Line([text], text=text))


_BREAKS = ("p", "div", "br", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6")


def _cell_text(el) -> str:
    if len(el) == 0:  # a cell holding text only (most cells): nothing to walk
        return clean(el.text or "")
    breaks = 0
    for _ in el.iter(*_BREAKS):
        breaks += 1
        if breaks > 1:
            break
    if breaks <= 1:  # the common case (a cell of one paragraph): lxml's C text extraction
        return clean(etree.tostring(el, method="text", encoding="unicode", with_tail=False))
    parts: list[str] = []

    def walk(node) -> None:
        tag = _tag(node)
        if tag in SKIP:
            return
        if tag == "br":
            parts.append("\n")
        elif tag in BLOCK:
            parts.append("\n")
        if node.text and tag is not None:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if tag in BLOCK:
            parts.append("\n")

    walk(el)
    lines = [clean(x) for x in "".join(parts).split("\n")]
    return "\n".join(x for x in lines if x)


def _rows(table) -> list:
    rows = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in child if _tag(c) == "tr")
    return rows


def _cells(tr) -> list:
    return [c for c in tr if _tag(c) in ("td", "th")]


def _span(cell, name: str) -> int:
    raw = cell.get(name)
    if raw is None:
        return 1
    try:
        n = int(raw.strip() or 1)
    except ValueError:
        return 1
    if n == 0 and name == "rowspan":
        return MAX_SPAN
    return max(1, min(n, MAX_SPAN))


def _take_active(active: dict[int, list], cells: list[str], conts: list[bool], spans: list[int], col: int, last: bool = False) -> int:
    """Emit the cells continued (rowspan) from rows above at ``col``, or at the row's end all of
    those right of it; returns the next free column."""
    while True:
        if last:
            later = [k for k in active if k >= col]
            if not later:
                return col
            col = min(later)
        elif col not in active:
            return col
        span = active[col]
        cells.append(span[0])
        conts.append(True)
        spans.append(span[2])
        span[1] -= 1
        used = col
        col += span[2]
        if span[1] <= 0:
            del active[used]


def _table(table, out: _Out) -> None:
    out.flush()
    rows = [(tr, _cells(tr)) for tr in _rows(table)]
    has_nested = next(table.iterdescendants("table"), None) is not None
    cell_count = sum(len(tds) for _, tds in rows)
    if has_nested or cell_count <= 1:
        # Layout: read the cells' content as blocks.
        for _tr, tds in rows:
            for td in tds:
                out.flush()
                _walk_children(td, out)
                out.flush()
        return
    active: dict[int, list] = {}  # column -> [text, rows_left, colspan]
    for _tr, tds in rows:
        cells: list[str] = []
        conts: list[bool] = []
        spans: list[int] = []
        col = 0
        for td in tds:
            col = _take_active(active, cells, conts, spans, col)
            text = _cell_text(td)
            colspan, rowspan = _span(td, "colspan"), _span(td, "rowspan")
            cells.append(text)
            conts.append(False)
            spans.append(colspan)
            if rowspan > 1:
                active[col] = [text, rowspan - 1, colspan]
            col += colspan
        _take_active(active, cells, conts, spans, col, last=True)
        if cells:
            out.lines.append(Line(cells, grid=True, cont=conts, spans=spans, text=" ".join(x for x in cells if x)))


def _walk_children(el, out: _Out) -> None:
    if el.text:
        out.add(el.text)
    for child in el:
        _walk(child, out)


def _walk(el, out: _Out) -> None:
    tag = _tag(el)
    if tag is None:
        out.add(el.tail)
        return
    if tag in SKIP:
        out.add(el.tail)
        return
    if tag == "table":
        _table(el, out)
        out.add(el.tail)
        return
    block = tag in BLOCK
    if block or tag == "br":
        out.flush()
    _walk_children(el, out)
    if block:
        out.flush()
    out.add(el.tail)


def read_html(data: bytes | str) -> Document:
    text = data if isinstance(data, str) else decode_html(data)
    text = _XML_DECL.sub("", text, count=1)
    if not text.strip():
        raise UnreadableReport("html_empty")
    # Plain lxml elements (not lxml.html's classes, whose per-element lookup is slow).
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    try:
        root = etree.fromstring(text, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise UnreadableReport("html_damaged") from exc
    if root is None:
        raise UnreadableReport("html_empty")
    titles = [clean(etree.tostring(t, method="text", encoding="unicode", with_tail=False)) for t in root.iter("title")]
    out = _Out()
    body = root.find("body")
    _walk(body if body is not None else root, out)
    out.flush()
    return Document(out.lines, titles=[t for t in titles if t])
