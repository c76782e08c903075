"""A PDF report (interim: its text flow, line by line; tables from positions come next)."""

from __future__ import annotations

from ..uploads import read_pages
from ..uploads.pdftext import lines_of
from .lines import Document, Line
from .txt import _space_cells


def read_pdf(data: bytes, *, max_chars: int) -> Document:
    pages = read_pages(data, max_chars=max_chars)
    lines = []
    for page in pages:
        for line in lines_of(page.glyphs, page.number):
            text = line.text
            lines.append(Line(_space_cells(text), text=text))
    return Document(lines)
