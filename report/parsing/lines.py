"""The intermediate form every reader produces: a sequence of lines of cells.

A paragraph is a line of one cell. A table row read from HTML or Word is a *grid* line: its cells
are exactly that row (each merged cell once; a cell continued from a row above by rowspan/vMerge
is flagged ``cont``; ``spans`` says how many grid columns each cell covers). Text copied from a web page or PDF gives *stream* lines: cells flattened one
or several per line, whose row boundaries the walker finds from the labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Line:
    cells: list[str]
    grid: bool = False
    cont: list[bool] = field(default_factory=list)
    text: str = ""  # the line as prose (paragraphs keep their line breaks)
    right: bool = False  # a rectangular row (markdown): the numbers are its rightmost cells
    spans: list[int] = field(default_factory=list)  # columns each cell spans (grid lines; 1 each by default)

    def __post_init__(self) -> None:
        if not self.cont:
            self.cont = [False] * len(self.cells)
        if not self.spans:
            self.spans = [1] * len(self.cells)
        if not self.text:
            self.text = " ".join(c for c in self.cells if c)


@dataclass(slots=True)
class Document:
    lines: list[Line]
    titles: list[str] = field(default_factory=list)  # extra title candidates (HTML <title>, core props)
