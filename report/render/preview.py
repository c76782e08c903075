"""The report as short texts for a phone (the chat's /preview): one text per section, never a
wide table.

``preview(report)`` → a list of texts: the title (with the 草稿 note of a draft and the opening
paragraph), then one per section, the 落款 closing the last. A table row is a line “label：v v v”
under a line naming the columns, with the row's official short label (“（三）1：0 0 0 0 0 0 0”).
Each text is at most ``LIMIT`` UTF-16 code units (Telegram counts those, and allows 4,096); a
longer section is split between paragraphs (a longer paragraph between sentences).
"""

from __future__ import annotations

import datetime as dt
import re

from ..formats import Table
from ..model import Report
from ..numbers import format_value
from . import report_view, words

LIMIT = 3500
_SENTENCE = re.compile(r"(?<=[。；！？;!?])")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _table_lines(report: Report, table: Table, values: dict) -> list[str]:
    w = words()
    out = [table.caption] if table.caption else []
    columns = " ".join(c.short or c.label for c in table.columns)
    out.append(w.preview_columns.format(columns=columns))
    group = subgroup = None
    for row in table.rows:
        if row.group != group and row.group:
            out.append(row.group)
        if row.subgroup != subgroup and row.subgroup:
            out.append(row.subgroup)
        group, subgroup = row.group, row.subgroup
        figures = []
        for c in table.columns:
            v = values.get(table.key(row.id, c.id))
            figures.append(format_value(v) if v is not None else w.unknown)  # not answered yet
        out.append(f"{row.short or row.label}：{' '.join(figures)}")
    return out


def _split_long(paragraph: str) -> list[str]:
    """A paragraph longer than LIMIT, between sentences (or, failing that, anywhere)."""
    out, cur = [], ""
    for piece in (p for p in _SENTENCE.split(paragraph) if p):
        while utf16_len(piece) > LIMIT:
            head, piece = piece[: LIMIT // 2], piece[LIMIT // 2 :]  # at most 2 units a character
            out, cur = (out + [cur] if cur else out) + [head], ""
        if cur and utf16_len(cur) + utf16_len(piece) > LIMIT:
            out.append(cur)
            cur = ""
        cur += piece
    return out + ([cur] if cur else [])


def pack(lines: list[str]) -> list[str]:
    """Lines joined into texts of at most LIMIT units, split only between lines."""
    texts: list[str] = []
    cur: list[str] = []
    size = 0
    for line in lines:
        for piece in _split_long(line) if utf16_len(line) > LIMIT else [line]:
            n = utf16_len(piece) + 1
            if cur and size + n > LIMIT:
                texts.append("\n".join(cur))
                cur, size = [], 0
            cur.append(piece)
            size += n
    if cur:
        texts.append("\n".join(cur))
    return texts


def preview(report: Report, *, today: dt.date | None = None) -> list[str]:
    v, _notes = report_view(report, today=today)
    w = words()
    values = report.effective()
    head = []
    if v.draft:
        head.append(w.draft_line.format(note=v.draft_note))
    head.append(v.title)
    head += v.preamble
    texts = pack(head)
    sections = {s.id: s for s in report.format.sections}
    for i, s in enumerate(v.sections):
        lines = [s.title]
        if s.grid is not None:
            for table in sections[s.id].tables:
                lines += _table_lines(report, table, values)
        else:
            for part in s.parts:
                if part.label:
                    lines.append(part.label)
                lines += part.paragraphs
        if i == len(v.sections) - 1 and v.signature:
            lines += ["", v.signature.agency, v.signature.date]
        texts += pack(lines)
    return texts


__all__ = ["LIMIT", "pack", "preview", "utf16_len"]
