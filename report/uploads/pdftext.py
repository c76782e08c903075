"""The text flow of PDF pages: glyphs grouped into lines, lines joined into paragraphs.

A line is a run of glyphs whose vertical centres agree; its text has no spaces between Chinese
characters (justified text spreads them) and a space between Latin words or across a wide gap.
Lines join into a paragraph unless the next line is indented, the line ends well before the right
margin, or a blank line follows: the layout of a printed Chinese document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

from .pdf import Glyph

# "— 1 —", "- 2 -", "3", "第 1 页", "第1页 共3页", "1/3": a page number line, not text.
PAGE_NUMBER = re.compile(r"^\s*(?:[-—–－]*\s*\d{1,4}\s*[-—–－]*|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4})\s*$")


@dataclass
class TextLine:
    glyphs: list[Glyph]
    page: int

    @property
    def x0(self) -> float:
        return self.glyphs[0].x0

    @property
    def x1(self) -> float:
        return self.glyphs[-1].x1

    @property
    def top(self) -> float:
        return min(g.top for g in self.glyphs)

    @property
    def bottom(self) -> float:
        return max(g.bottom for g in self.glyphs)

    @property
    def text(self) -> str:
        return join_glyphs(self.glyphs)


def _ascii_word(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def join_glyphs(glyphs: list[Glyph]) -> str:
    """The glyphs of one line, left to right, as text."""
    parts: list[str] = []
    prev: Glyph | None = None
    for g in glyphs:
        if g.text.isspace():  # a space the PDF really has (not one the reader guessed)
            if parts and parts[-1] != " ":
                parts.append(" ")
            continue
        if prev is not None and parts[-1] != " ":
            gap = g.x0 - prev.x1
            size = max(prev.bottom - prev.top, g.bottom - g.top, 1.0)
            if gap > 1.5 * size or (gap > 0.2 * size and _ascii_word(prev.text[-1]) and _ascii_word(g.text[0])):
                parts.append(" ")
        parts.append(g.text)
        prev = g
    return "".join(parts).strip()


def lines_of(glyphs: list[Glyph], page: int = 0) -> list[TextLine]:
    """Glyphs grouped into lines, top to bottom, each left to right.

    Full-size glyphs form the lines (by their vertical centres); small ones — a comma or 、
    drawn low, a quotation mark drawn high — then join the line whose band they overlap most.
    """
    visible = [g for g in glyphs if g.bottom > g.top]
    if not any(not g.text.isspace() for g in visible):
        return []
    size = median(g.bottom - g.top for g in visible)
    big = sorted((g for g in visible if g.bottom - g.top >= 0.6 * size), key=lambda g: g.top + g.bottom)
    bands: list[list[float]] = []  # [top, bottom, centre]
    members: list[list[Glyph]] = []
    for g in big:
        c = (g.top + g.bottom) / 2
        if bands and abs(c - bands[-1][2]) <= 0.45 * size:
            band = bands[-1]
            band[0], band[1] = min(band[0], g.top), max(band[1], g.bottom)
            members[-1].append(g)
        else:
            bands.append([g.top, g.bottom, c])
            members.append([g])
    for g in visible:
        if g.bottom - g.top >= 0.6 * size:
            continue
        best, overlap = None, 0.0
        for i, (top, bottom, _c) in enumerate(bands):
            o = min(bottom, g.bottom) - max(top, g.top)
            if o > overlap:
                best, overlap = i, o
        if best is None or overlap < 0.3 * (g.bottom - g.top):
            bands.append([g.top, g.bottom, (g.top + g.bottom) / 2])
            members.append([g])
        else:
            members[best].append(g)
    order = sorted(range(len(bands)), key=lambda i: bands[i][2])
    out = []
    for i in order:
        members[i].sort(key=lambda g: g.x0)
        out.append(TextLine(members[i], page))
    return out


def _margin(edges: list[float], outer: int) -> float:
    """The second outermost edge (``outer`` -1 for the right, 0 for the left): one stray wide
    line does not move the margin, and two lines are enough to find it."""
    ordered = sorted(edges)
    if len(ordered) < 2:
        return ordered[0]
    return ordered[-2] if outer < 0 else ordered[1]


def paragraphs(lines: list[TextLine], left: float | None = None, right: float | None = None) -> list[str]:
    """Lines (of one or several pages, in reading order, tables left out) joined into paragraphs;
    ``left`` and ``right`` are the text's margins when the caller knows them from more lines."""
    if not lines:
        return []
    left = _margin([x.x0 for x in lines], 0) if left is None else left
    right = _margin([x.x1 for x in lines], -1) if right is None else right
    out: list[str] = []
    current: list[str] = []
    prev: TextLine | None = None
    for line in lines:
        text = line.text
        if not text or PAGE_NUMBER.match(text):
            continue
        new = prev is None
        if prev is not None:
            size = max(line.bottom - line.top, prev.bottom - prev.top)
            gap = line.top - prev.bottom if line.page == prev.page else 0.0
            new = (
                line.x0 > left + 1.5 * size  # indented: a new paragraph
                or prev.x1 < right - 2.5 * size  # the previous line ended early
                or gap > 1.5 * size
            )
        if new and current:
            out.append("".join(current))
            current = []
        if current and _ascii_word(current[-1][-1]) and _ascii_word(text[0]):
            text = " " + text
        current.append(text)
        prev = line
    if current:
        out.append("".join(current))
    return out
