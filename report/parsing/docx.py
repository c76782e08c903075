"""A Word (.docx) report: paragraphs and tables in body order, merged cells counted once.

The package is opened by the guarded reader (:func:`report.uploads.docx_tree`: zip limits checked
before anything inflates, ``word/document.xml`` read with a hard cap and parsed by defusedxml).
Tables are read from the XML: ``w:gridSpan`` (a cell spanning columns) gives one cell, and a
``w:vMerge`` continuation gives the cell above again, flagged as continued, so nothing is
counted twice.
"""

from __future__ import annotations

from ..uploads import docx_tree
from .lines import Document, Line
from .text import clean
from .vocab import parse_title

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_P, W_TBL, W_TR, W_TC, W_SDT, W_SDTCONTENT = (W + t for t in ("p", "tbl", "tr", "tc", "sdt", "sdtContent"))
W_T, W_TAB, W_BR, W_CR = (W + t for t in ("t", "tab", "br", "cr"))
W_TCPR, W_GRIDSPAN, W_VMERGE, W_VAL = W + "tcPr", W + "gridSpan", W + "vMerge", W + "val"
W_TRPR, W_GRIDBEFORE, W_BODY = W + "trPr", W + "gridBefore", W + "body"
_TEXT_TAGS = frozenset((W_T, W_TAB, W_BR, W_CR))


def _para_text(p) -> str:
    parts = []
    for el in p.iter():
        tag = el.tag
        if tag not in _TEXT_TAGS:
            continue
        if tag == W_T:
            parts.append(el.text or "")
        elif tag == W_TAB:
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def _tc_text(tc) -> str:
    texts = []
    for p in tc.iter(W_P):
        t = clean(_para_text(p))
        if t:
            texts.append(t)
    return "\n".join(texts)


def _val(el, tag: str, default: str | None = None) -> str | None:
    child = el.find(tag) if el is not None else None
    if child is None:
        return default
    return child.get(W_VAL, "")


def _int(raw: str | None, default: int, least: int) -> int:
    try:
        return max(least, min(int(raw or default), 1000))
    except ValueError:
        return default


def _table(tbl, out: list[Line]) -> None:
    rows = [tr for tr in tbl if tr.tag == W_TR]
    nested = any(t is not tbl for t in tbl.iter(W_TBL))  # ElementTree's iter includes tbl itself
    tcs = [tc for tr in rows for tc in tr if tc.tag == W_TC]
    if nested or len(tcs) <= 1:
        for tc in tcs:
            _blocks(tc, out)
        return
    above: dict[int, str] = {}  # grid column -> text of the cell that starts a vertical merge there
    for tr in rows:
        cells: list[str] = []
        conts: list[bool] = []
        spans: list[int] = []
        col = _int(_val(tr.find(W_TRPR), W_GRIDBEFORE), 0, 0)
        for tc in (c for c in tr if c.tag == W_TC):
            pr = tc.find(W_TCPR)
            span = _int(_val(pr, W_GRIDSPAN), 1, 1)
            vmerge = _val(pr, W_VMERGE)
            spans.append(span)
            if vmerge is not None and vmerge != "restart":
                cells.append(above.get(col, ""))
                conts.append(True)
            else:
                text = _tc_text(tc)
                cells.append(text)
                conts.append(False)
                if vmerge == "restart":
                    above[col] = text
                else:
                    above.pop(col, None)
            col += span
        if cells:
            out.append(Line(cells, grid=True, cont=conts, spans=spans, text=" ".join(c for c in cells if c)))


def _broken_title(pieces: list[str]) -> bool:
    """A title broken by a line break (GB/T 9704: the agency, then “XXXX年政府信息公开工作年度报告”):
    the last line is a title without an agency, the whole paragraph one with it."""
    last = parse_title(pieces[-1])
    if last is None or last.agency is not None:
        return False
    whole = parse_title("".join(pieces))
    return whole is not None and whole.agency is not None


def _blocks(parent, out: list[Line]) -> None:
    for child in parent:
        tag = child.tag
        if tag == W_P:
            pieces = [p for p in (clean(x) for x in _para_text(child).split("\n")) if p]
            if len(pieces) > 1 and _broken_title(pieces):
                pieces = ["".join(pieces)]
            for piece in pieces:
                out.append(Line([piece], text=piece))
        elif tag == W_TBL:
            _table(child, out)
        elif tag == W_SDT:
            content = child.find(W_SDTCONTENT)
            if content is not None:
                _blocks(content, out)


def read_docx(data: bytes) -> Document:
    root, title = docx_tree(data)
    body = root.find(W_BODY)
    lines: list[Line] = []
    if body is not None:
        _blocks(body, lines)
    return Document(lines, titles=[clean(title)] if title and clean(title) else [])
