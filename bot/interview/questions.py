"""The questions of the interview, generated from the report format (no label is written here).

Kinds:
- ``narrative``: one narrative part (free text, several messages, .txt/.docx upload, a draft);
- ``row``: one table row, every input column in one message (totals are derived, never asked);
- ``unit``: the unit of a decimal cell whose unit the format leaves open (2019 采购总金额);
- ``gate``: a yes/no question covering a whole section table or a subgroup of rows; "no" fills
  every covered input cell with 0. A section of several tables (二) starts with a gate asked the
  other way round (``zero_on_yes``): "are all the figures 0?", where "yes" fills every cell with 0.

Question ids are short ASCII strings kept in the stored state and in callback data:
``n:<part key>``, ``r:<table>:<row>``, ``u:<cell key>``, ``g:<table>`` (section gate of a
one-table section), ``g:sec:<first table>`` (all-zero gate of a section of several tables),
``g:<table>:<first row of the subgroup>``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, wraps
from typing import TypeVar

from report.formats import Column, Format, NarrativePart, Row, Table
from report.model import Report

NARRATIVE = "narrative"
ROW = "row"
UNIT = "unit"
GATE = "gate"

T = TypeVar("T")


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    section_id: str
    part: NarrativePart | None = None
    table: Table | None = None
    row: Row | None = None
    columns: tuple[Column, ...] = ()  # input columns of a row question
    cells: tuple[str, ...] = ()  # cells asked (row, unit) or covered (gate)
    subgroup: str | None = None  # the subgroup label of a subgroup gate
    optional: bool = False
    zero_on_yes: bool = False  # a gate asking "all 0?": "yes" (not "no") fills the cells with 0

    @property
    def types(self) -> list[str]:
        return [c.type for c in self.columns]

    def answered(self, report: Report) -> bool:
        if self.kind == NARRATIVE:
            return bool((report.narratives.get(self.part.key) or "").strip())
        if self.kind == UNIT:
            # a unit is asked only for an amount other than 0
            return self.cells[0] in report.units or report.values.get(self.cells[0]) == 0
        if self.kind == GATE:
            return any(k in report.values for k in self.cells)
        return all(k in report.values for k in self.cells)


def input_columns(fmt: Format, table: Table, row: Row) -> tuple[Column, ...]:
    derived = fmt.derived_keys
    return tuple(c for c in table.columns if table.key(row.id, c.id) not in derived)


def _table_questions(fmt: Format, section_id: str, table: Table) -> list[Question]:
    out: list[Question] = []
    seen_subgroups: set[str] = set()
    for row in table.rows:
        cols = input_columns(fmt, table, row)
        if not cols:
            continue  # a derived row (（七）总计)
        if row.subgroup and row.subgroup not in seen_subgroups:
            seen_subgroups.add(row.subgroup)
            members = [r for r in table.rows if r.subgroup == row.subgroup]
            if len(members) > 1:
                covered = tuple(
                    table.key(r.id, c.id) for r in members for c in input_columns(fmt, table, r)
                )
                out.append(
                    Question(
                        id=f"g:{table.id}:{row.id}",
                        kind=GATE,
                        section_id=section_id,
                        table=table,
                        cells=covered,
                        subgroup=row.subgroup,
                    )
                )
        out.append(
            Question(
                id=f"r:{table.id}:{row.id}",
                kind=ROW,
                section_id=section_id,
                table=table,
                row=row,
                columns=cols,
                cells=tuple(table.key(row.id, c.id) for c in cols),
            )
        )
        for c in cols:
            if c.unit_choices:
                out.append(
                    Question(
                        id=f"u:{table.key(row.id, c.id)}",
                        kind=UNIT,
                        section_id=section_id,
                        table=table,
                        row=row,
                        columns=(c,),
                        cells=(table.key(row.id, c.id),),
                    )
                )
    return out


@cache
def section_questions(fmt: Format, section_id: str) -> tuple[Question, ...]:
    section = fmt.section(section_id)
    if section.kind == "narrative":
        return tuple(
            Question(id=f"n:{p.key}", kind=NARRATIVE, section_id=section_id, part=p, optional=True)
            for p in section.parts
        )
    out: list[Question] = []
    for table in section.tables:
        out += _table_questions(fmt, section_id, table)
    covered = tuple(k for q in out if q.kind == ROW for k in q.cells)
    if len(section.tables) == 1:
        (table,) = section.tables
        out.insert(0, Question(id=f"g:{table.id}", kind=GATE, section_id=section_id, table=table, cells=covered))
    elif section.tables:
        table = section.tables[0]
        out.insert(
            0,
            Question(
                id=f"g:sec:{table.id}", kind=GATE, section_id=section_id, table=table, cells=covered, zero_on_yes=True
            ),
        )
    return tuple(out)


def row_labels(fmt: Format, section_id: str) -> list[str]:
    """The labels of the rows asked in a section (listed by its all-zero gate)."""
    return [q.row.label for q in section_questions(fmt, section_id) if q.kind == ROW]


def first_open(fmt: Format, report: Report, skipped: frozenset[str] | set[str] = frozenset(),
               section_ids: list[str] | None = None) -> Question | None:
    """The first unanswered question (not in ``skipped``) of the sections, in order."""
    for sid in section_ids if section_ids is not None else [s.id for s in fmt.sections]:
        for q in section_questions(fmt, sid):
            if q.id not in skipped and not q.answered(report):
                return q
    return None


@cache
def all_questions(fmt: Format) -> dict[str, Question]:
    return {q.id: q for s in fmt.sections for q in section_questions(fmt, s.id)}


def find(fmt: Format, qid: str | None) -> Question | None:
    if not qid:
        return None
    return all_questions(fmt).get(qid)


def per_question(fn: Callable[[Format, Question], T]) -> Callable[[Format, Question], T]:
    """``fn(fmt, q)`` computed once per format and question id (a format and its questions never
    change), for a question of the format's own; another question (built elsewhere) is computed
    each time. The value is shared: make it immutable."""
    by_id = cache(lambda fmt, qid: fn(fmt, all_questions(fmt)[qid]))

    @wraps(fn)
    def cached(fmt: Format, q: Question) -> T:
        if all_questions(fmt).get(q.id) is q:
            return by_id(fmt, q.id)
        return fn(fmt, q)

    return cached


@per_question
def index_of(fmt: Format, q: Question) -> int:
    return section_questions(fmt, q.section_id).index(q)


def next_unanswered(fmt: Format, section_id: str, report: Report, after: int = -1) -> Question | None:
    """The first unanswered question of the section after position ``after``."""
    qs = section_questions(fmt, section_id)
    for q in qs[after + 1 :]:
        if not q.answered(report):
            return q
    return None


def previous(fmt: Format, q: Question) -> Question | None:
    qs = section_questions(fmt, q.section_id)
    i = index_of(fmt, q)
    return qs[i - 1] if i > 0 else None


@per_question
def row_totals(fmt: Format, q: Question) -> tuple[tuple[Column, str], ...]:
    """(column, cell key) of the totals (derived cells) in the row of a row question, in column
    order; none for another kind of question."""
    if q.kind != ROW:
        return ()
    keys = ((c, q.table.key(q.row.id, c.id)) for c in q.table.columns)
    return tuple((c, key) for c, key in keys if key in fmt.derived_keys)


def editable(fmt: Format, section_id: str) -> list[Question]:
    """Questions offered with an Edit button on the check screen (rows, units, narrative parts)."""
    return [q for q in section_questions(fmt, section_id) if q.kind != GATE]


def row_question(fmt: Format, table_id: str, row_id: str) -> Question | None:
    return find(fmt, f"r:{table_id}:{row_id}")
