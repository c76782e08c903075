"""What an entry of a report's history (its audit events) is about, and its values, in words: the
one rule for the chat's /history and the web desk's report page.

Audit keys are a cell key (its unit: the key + ``:unit``), a narrative part key, or one of
:data:`report.terms.HISTORY_ITEMS` (status, format, a reviewer's comment, the opening paragraph,
the 落款).
"""

from __future__ import annotations

from . import terms
from .formats import Format

UNIT_SUFFIX = ":unit"


def what_changed(fmt: Format, key: str) -> str:
    """The name of what an audit key changed: a cell's official label, a narrative part, …"""
    if key in terms.HISTORY_ITEMS:
        return terms.HISTORY_ITEMS[key]
    base, _, unit = key.partition(":")
    if base in fmt.cells:
        label = fmt.cells[base].label
        return terms.HISTORY_UNIT.format(label=label) if unit else label
    try:
        part = fmt.narrative_part(base)
    except KeyError:
        return key
    section = fmt.section(part.section_id)
    return section.title if len(section.parts) == 1 else f"{section.title}{part.label}"


def value_shown(key: str, value: str | None, limit: int) -> str:
    """An audit value as shown: the status in words, a text on one line cut at ``limit`` characters."""
    if value is None or value == "":
        return terms.HISTORY_EMPTY
    if key == "status":
        return terms.report_status(value)
    value = value.replace("\n", " ").strip()
    return value if len(value) <= limit else value[:limit] + "…"
