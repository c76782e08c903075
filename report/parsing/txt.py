"""Plain text copied from a web page or a PDF (or written by our own .txt/.md renderer).

Cells come one per line with ``|`` residue, a whole row per line separated by ``|``, tabs (a
copy from Excel/WPS) or spaces. Tabs and inner ``|`` keep blank cells; trailing ``|`` residue is
dropped; a line of only ``|`` is one blank cell.
"""

from __future__ import annotations

import re

from .lines import Document, Line
from .text import is_decoration, is_value_like

_PIPE = re.compile(r"(?<!\\)\|")
_MD_ESCAPE = re.compile(r"\\([\\`*_\[\]<>|#])")
_PADDED_BLANK = re.compile(r"\|\s{2,}\|")  # an aligned blank cell, as our renderer prints it
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_MD_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _unescape(text: str) -> str:
    return _MD_ESCAPE.sub(r"\1", text)


def is_markdown_row(raw: str) -> bool:
    return raw.startswith("|") and raw.rstrip().endswith("|")


def _pipe_cells(raw: str, markdown: bool = False) -> tuple[list[str], bool]:
    """The cells of a line with ``|``, and whether the line is a whole table row.

    A line with two or more filled cells is a whole row (as our renderer and markdown write it):
    its blank cells are kept. A line with one filled cell is a flattened cell with ``|`` residue.
    """
    stripped = raw.strip()
    parts = [p.strip() for p in _PIPE.split(stripped)]
    if markdown:
        parts = [_unescape(p) for p in parts]
    filled = sum(1 for p in parts if p)
    if filled == 0:
        return [""], False
    if raw.startswith("|") and stripped.endswith("|") and len(parts) >= 3:
        return parts[1:-1], filled >= 2  # markdown: | a | b |
    if parts and not parts[0] and stripped.startswith("|"):
        parts = parts[1:]
    if filled >= 2 or _PADDED_BLANK.search(raw):
        if raw.rstrip().endswith("||"):
            while parts and not parts[-1]:
                parts.pop()
        return parts, True
    while parts and not parts[-1]:
        parts.pop()
    return parts, False


_GLUED = re.compile(r"^(.*[\u4e00-\u9fff）)”》])(\d{2,})$")


def _space_cells(line: str) -> list[str]:
    """'规章 0 0 0' → ['规章', '0', '0', '0']; '规章000' → ['规章', '000'] (a row printed as one run
    of digits glued to its label); prose stays one cell."""
    tokens = line.split()
    if tokens and len(tokens) <= 4:
        glued = _GLUED.match(tokens[-1])
        if glued and len(line) <= 80:
            tokens[-1:] = [glued.group(1), glued.group(2)]
    if len(tokens) < 2 or not is_value_like(tokens[-1]):
        return [line]
    i = len(tokens)
    while i > 0 and is_value_like(tokens[i - 1]):
        i -= 1
    head = tokens[:i]
    if head and len("".join(head)) > 60:
        return [line]  # a sentence ending in a number
    return [*head, *tokens[i:]]


def read_text(text: str, *, markdown: bool = False) -> Document:
    """``markdown``: the file is Markdown (our .md rendering): headings, bold and escapes undone."""
    lines: list[Line] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        if "\t" in raw:
            cells = [c.strip() for c in raw.rstrip("\r\n").split("\t")]
            if "|" in raw:
                cells = [c.strip(" |") for c in cells]
            lines.append(Line(cells, grid=sum(1 for c in cells if c) >= 2, text=raw.strip()))
            continue
        if "|" in raw:
            cells, whole_row = _pipe_cells(raw, markdown)
            if any(is_decoration(c) for c in cells):
                continue
            text_form = " ".join(c for c in cells if c)
            lines.append(Line(cells, grid=whole_row, text=text_form, right=is_markdown_row(raw)))
            continue
        s = raw.strip()
        # Markdown left in copied text (“## 三、…”, “**表三**”) is read as plain text everywhere.
        s = _MD_BOLD.sub(r"\1", _MD_HEADING.sub("", s))
        if markdown:
            s = _unescape(s)
        if is_decoration(s):
            continue
        lines.append(Line(_space_cells(s), text=s))
    return Document(lines)
