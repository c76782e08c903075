"""Every label a format knows, in comparison form, and the format/title detection built on them.

Nothing here names a label: all of it is read from :mod:`report.formats`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cache

from .. import formats
from ..formats import Format, Row, Table
from .lines import Document
from .text import clean, norm


@dataclass
class Vocabulary:
    fmt: Format
    rows: dict[str, list[tuple[Table, Row]]] = field(default_factory=dict)
    captions: dict[str, Table] = field(default_factory=dict)
    groups: dict[str, list[tuple[Table, Row]]] = field(default_factory=dict)
    struct: set[str] = field(default_factory=set)  # every label that is not a data row
    columns: dict[str, list[tuple[Table, object]]] = field(default_factory=dict)
    headings: dict[str, str] = field(default_factory=dict)  # section id -> normalised heading
    labels: set[str] = field(default_factory=set)  # everything, for format detection
    row_index: dict[tuple[str, str], int] = field(default_factory=dict)  # (table, row) -> position
    kinds: dict[str, str] = field(default_factory=dict)  # section id -> "narrative" | "tables"
    markers: tuple[str, ...] = ()
    known: set[str] = field(default_factory=set)  # every label, column headers included
    prefixes: set[str] = field(default_factory=set)  # every beginning of a known label

    def all_row_labels(self, tables: list[Table]) -> list[tuple[str, Table, Row]]:
        return [(norm(r.label), t, r) for t in tables for r in t.rows]


@cache
def vocabulary(format_id: str) -> Vocabulary:
    fmt = formats.load(format_id)
    v = Vocabulary(fmt)
    for section in fmt.sections:
        v.headings[section.id] = norm(section.heading)
        v.kinds[section.id] = section.kind
        for table in section.tables:
            if table.caption:
                v.captions[norm(table.caption)] = table
                v.struct.add(norm(table.caption))
            for text in (table.label_header, table.note, table.column_header):
                if text:
                    v.struct.add(norm(text))
            for col in table.columns:
                v.struct.add(norm(col.label))
                v.columns.setdefault(norm(col.label), []).append((table, col))
                if col.group:
                    v.struct.add(norm(col.group))
            for i, row in enumerate(table.rows):
                v.row_index[(table.id, row.id)] = i
                v.rows.setdefault(norm(row.label), []).append((table, row))
                for g in (row.group, row.subgroup):
                    if g:
                        v.struct.add(norm(g))
                        v.groups.setdefault(norm(g), []).append((table, row))
    v.labels = set(v.struct) | set(v.rows)
    v.known = v.labels | set(v.columns)
    v.prefixes = {label[:i] for label in v.known for i in range(1, len(label) + 1)}
    v.markers = tuple(norm(m) for m in fmt.markers)
    return v


# -- format -------------------------------------------------------------------------------------


@cache
def _available() -> tuple[str, ...]:
    return tuple(formats.available())


@cache
def _distinct(format_id: str) -> frozenset[str]:
    mine = vocabulary(format_id).labels
    others: set[str] = set()
    for other in _available():
        if other != format_id:
            others |= vocabulary(other).labels
    return frozenset(mine - others)


def format_scores(doc: Document) -> dict[str, int]:
    """How many labels unique to each format the document shows (and its marker phrases)."""
    cells = {norm(c) for line in doc.lines for c in line.cells if c and len(c) <= 80}
    joined = "\n".join(cells)
    scores = {}
    for fid in _available():
        v = vocabulary(fid)
        score = sum(1 for label in _distinct(fid) if label in cells)
        score += sum(1 for m in v.markers if m and m in joined)
        scores[fid] = score
    return scores


# -- title, year, agency --------------------------------------------------------------------------

_TITLE = re.compile(r"政府信息公开(?:工作)?(?:年度)?(?:工作)?报告|政务公开(?:工作)?(?:年度)?报告")
_YEAR = re.compile(r"[〔\[【(（]?\s*((?:19|20)\d{2})\s*[〕\]】)）]?\s*(?:年度|年)?")
_PERIOD = re.compile(r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日\D{0,6}?(?:19|20)\d{2}\s*年\s*12\s*月\s*31\s*日")
_AGENCY_TRIM = " \t:：|《》<>“”\"'、，,。.-—_（）()〔〕[]【】"
_LEADING = re.compile(r"^[\s#>*_|]*(?:(?:标题|题目|名称|文章标题)\s*[:：]?\s*)?")
_SENTENCE = re.compile(r"[《》。；;]|根据|按照|依据")


@dataclass(frozen=True)
class Title:
    text: str
    year: int | None
    agency: str | None


def parse_title(text: str) -> Title | None:
    """A title line: “XX局2023年政府信息公开工作年度报告” (markdown and labels such as “标题：”
    removed); a sentence that merely names the report (根据《…年度报告格式》…) is not a title."""
    s = unicodedata.normalize("NFKC", clean(text))
    s = _LEADING.sub("", s).rstrip("#*_ ")
    if s.startswith("《") and s.endswith("》"):
        s = s[1:-1]
    if _SENTENCE.search(s):
        return None
    m = _TITLE.search(s)
    if not m:
        return None
    ym = None
    for cand in _YEAR.finditer(s):
        ym = cand
        break
    if ym is None:
        return Title(s, None, _trim(s[: m.start()]) or None)
    year = int(ym.group(1))
    agency = _trim(s[: ym.start()])
    if not agency:
        end = min(m.start(), len(s))
        agency = _trim(s[ym.end() : end]) if ym.end() < end else ""
    return Title(s, year, agency or None)


def _trim(s: str) -> str:
    s = s.strip(_AGENCY_TRIM)
    if s.startswith("关于"):
        s = s[2:]
    if s.endswith("的"):
        s = s[:-1]
    return s.strip(_AGENCY_TRIM)


def find_title(doc: Document, limit: int = 60) -> Title | None:
    """The report title: the first early line (or cell) naming a 政府信息公开工作年度报告."""
    best: Title | None = None
    for line in doc.lines[:limit]:
        for cell in line.cells if len(line.cells) > 1 else [line.text]:
            if len(cell) > 120:
                continue
            t = parse_title(cell)
            if t and t.year:
                return t
            best = best or t
    for text in doc.titles:
        t = parse_title(text)
        if t and t.year:
            return t
        best = best or t
    return best


def find_period_year(doc: Document) -> int | None:
    for line in doc.lines:
        if "月" in line.text:
            m = _PERIOD.search(unicodedata.normalize("NFKC", line.text))
            if m:
                return int(m.group(1))
    return None


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()
