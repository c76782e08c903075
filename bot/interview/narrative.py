"""Narrative texts as officers send them: sub-headings inside one message, and the pieces of a long
message that Telegram splits (pure functions, no state)."""

from __future__ import annotations

import re
from functools import cache

# Telegram splits a text longer than 4,096 characters into several messages that arrive within a
# second or two. A text arriving less than CONTINUATION_SECONDS after a text of at least
# SPLIT_MIN_CHARS was saved continues the part that text was saved to.
CONTINUATION_SECONDS = 3.0
SPLIT_MIN_CHARS = 2000
# A piece this long (in UTF-16 units, as Telegram counts) was cut by Telegram at its 4,096 limit:
# the next piece continues the same sentence, so it is joined without a break.
TELEGRAM_CUT = 4000


@cache
def heading_pattern(label: str) -> re.Pattern | None:
    """'（一）主动公开' -> a heading at a line start: full- or half-width brackets, optional 情况 and
    punctuation, then the end of the line, a space or the text of the part."""
    m = re.match(r"^[（(]\s*([^）)]+?)\s*[）)]\s*(.+?)\s*$", label)
    if m is None:
        return None
    num, name = re.escape(m.group(1)), re.escape(m.group(2))
    return re.compile(
        rf"^[ \t\u3000]*[（(][ \t\u3000]*{num}[ \t\u3000]*[）)][ \t\u3000]*(?:关于)?{name}(?:{RENAMED})?"
        rf"(?:[ \t\u3000]*[。．.：:]|[ \t\u3000]*$|[ \t\u3000]+)",
        re.M,
    )


# Words published reports add to a sub-heading: （一）主动公开情况 / 方面 / 工作 / 政府信息情况.
RENAMED = "情况|方面|工作|政府信息情况|政府信息"


@cache
def title_pattern(section_id: str) -> re.Pattern:
    """A section's title at a line start: 一、总体情况 / 五、存在的主要问题… (the numeral and 、 or a
    point, then the rest of that line)."""
    return re.compile(rf"^[ \t\u3000]*{re.escape(section_id)}[ \t\u3000]*[、.．][^\n]*(?:\n|$)")


def strip_title(section, text: str) -> str:
    """The text without a first line that only repeats the section's title (“一、总体情况”)."""
    m = title_pattern(section.id).match(text)
    if m is None:
        return text
    line = m.group(0).strip()
    name = line.split("、", 1)[-1].split(".", 1)[-1].split("．", 1)[-1].strip(" 。：:")
    if name and (name in section.heading or section.heading in name) and len(name) <= len(section.heading) + 6:
        return text[m.end():].lstrip("\n")
    return text


def leading_part(fmt, text: str, current: str):
    """(part, the text after its heading) when ``text`` begins with the heading of another narrative
    part than ``current`` (a sub-heading such as “（二）依申请公开”, or the title of a one-part section
    such as “五、存在的主要问题及改进情况”); None otherwise."""
    for section in fmt.sections:
        if section.kind != "narrative":
            continue
        if len(section.parts) == 1:
            part = section.parts[0]
            if part.key != current and title_pattern(section.id).match(text):
                stripped = strip_title(section, text)
                if stripped != text:
                    return part, stripped
            continue
        for part in section.parts:
            rx = heading_pattern(part.label)
            m = rx.match(text) if rx is not None else None
            if m is not None and part.key != current:
                return part, text[m.end():].strip()
    return None


def split_by_headings(section, text: str) -> tuple[str, list[tuple[str, str]]] | None:
    """A text holding the sub-headings of a section's parts, cut at them: (the text before the
    first heading, [(part key, text)] in the order of the text). None without any heading."""
    found: list[tuple[int, int, str]] = []
    for part in section.parts:
        rx = heading_pattern(part.label)
        if rx is not None:
            found += [(m.start(), m.end(), part.key) for m in rx.finditer(text)]
    if not found:
        return None
    found.sort()
    segments: list[tuple[str, str]] = []
    for i, (_, end, key) in enumerate(found):
        stop = found[i + 1][0] if i + 1 < len(found) else len(text)
        segments.append((key, text[end:stop].strip()))
    return text[: found[0][0]].strip(), segments


def joined(old: str, piece: str, last_len: int | None) -> str:
    """A continuation joined to the text it continues: directly after a piece Telegram cut at its
    limit (mid-sentence), else as a new line."""
    return old + piece if (last_len or 0) >= TELEGRAM_CUT else f"{old}\n{piece}"


def continues(last_key: str | None, last_at: float | None, last_len: int | None, now: float) -> bool:
    """Whether a text arriving at ``now`` continues the long text saved to ``last_key``."""
    if not last_key or last_at is None or (last_len or 0) < SPLIT_MIN_CHARS:
        return False
    return 0 <= now - last_at < CONTINUATION_SECONDS
