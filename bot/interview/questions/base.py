"""The interview's questions, generated from the report format (no label is written here), and
the base of the question kinds.

Kinds (each a class in this package that knows its prompt, its input and when it is answered):
- :class:`~.narrative.NarrativeQuestion`: one narrative part (free text, several messages,
  .txt/.docx upload, a draft);
- :class:`~.row.RowQuestion`: one table row, every input column in one message (totals are
  derived, never asked);
- :class:`~.unit.UnitQuestion`: the unit of an amount whose unit the format leaves open (2019
  采购总金额);
- :class:`~.gate.GateQuestion`: yes/no over a whole section table or a subgroup of rows; "no"
  fills every covered input cell with 0. A section of several tables (二) starts with a gate
  asked the other way round (``zero_on_yes``): "are all the figures 0?".

Question ids are short ASCII strings kept in the stored state and in callback data:
``n:<part key>``, ``r:<table>:<row>``, ``u:<cell key>``, ``g:<table>`` (section gate of a
one-table section), ``g:sec:<first table>`` (all-zero gate of a section of several tables),
``g:<table>:<first row of the subgroup>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from report.formats import Column, Format, Row, Table
from report.model import Report

from ...kit.state import State


@dataclass(frozen=True)
class Question:
    id: str
    section_id: str
    cells: tuple[str, ...] = ()  # cells asked (row, unit) or covered (gate)
    optional: bool = False
    kind: ClassVar[str]

    def answered(self, report: Report) -> bool:
        raise NotImplementedError

    def ask(self, ctx) -> tuple[str, list, list]:
        """(the prompt, rows of the question's own buttons, buttons after 上一题 in the last row)."""
        raise NotImplementedError

    def text(self, ctx, text: str) -> Result:
        """A typed answer."""
        raise NotImplementedError

    def press(self, ctx, act) -> Result | None:
        """One of the question's own buttons (None: not one of them)."""
        return None

    def example(self) -> str:
        """A short valid answer, shown after three failed attempts."""
        raise NotImplementedError


def input_columns(fmt: Format, table: Table, row: Row) -> tuple[Column, ...]:
    derived = fmt.derived_keys
    return tuple(c for c in table.columns if table.key(row.id, c.id) not in derived)


# -- what an answer does (the question screen saves and moves on) ----------------------------------------
@dataclass
class Saved:
    """Answers to save, and the confirmation shown with the next question."""

    values: dict = field(default_factory=dict)
    narratives: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    prefix: str = ""
    from_start: bool = False  # move on from the section's first question (several parts were saved)
    written: str | None = None  # the narrative part a text was written to (a split message continues it)
    length: int = 0  # ... and that text's length
    stay: bool = False  # the part stays open: the question is asked again, further texts are added


@dataclass
class Refused:
    """Nothing saved; the same question again with the reason."""

    reason: str


@dataclass
class Stay:
    """Nothing saved yet; the question again in this state (a text awaiting 追加 / 替换 …)."""

    state: State
    prefix: str = ""
    changes: dict = field(default_factory=dict)  # narratives to save without moving on


@dataclass
class Move:
    """Go to another question of the walk without saving (a gate answered "there are figures"),
    and answer it with ``text`` when given (figures typed on the gate)."""

    question: str | None  # None: the gate covered the rest of its section
    text: str | None = None


Result = Saved | Refused | Stay | Move
