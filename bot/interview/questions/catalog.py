"""A format's questions, in the order the interview asks them, and look-ups over them."""

from __future__ import annotations

from functools import cache

from report.formats import Column, Format, Table
from report.model import Report

from .base import Question, input_columns
from .facts import FactsQuestion
from .gate import GateQuestion
from .narrative import NarrativeQuestion
from .row import RowQuestion
from .unit import UnitQuestion


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
                covered = tuple(table.key(r.id, c.id) for r in members for c in input_columns(fmt, table, r))
                out.append(GateQuestion(id=f"g:{table.id}:{row.id}", section_id=section_id, table=table,
                                        cells=covered, subgroup=row.subgroup))
        out.append(RowQuestion(id=f"r:{table.id}:{row.id}", section_id=section_id, table=table, row=row,
                               columns=cols, cells=tuple(table.key(row.id, c.id) for c in cols)))
        for c in cols:
            if c.unit_choices:
                key = table.key(row.id, c.id)
                out.append(UnitQuestion(id=f"u:{key}", section_id=section_id, table=table, row=row, column=c,
                                        cells=(key,)))
    return out


@cache
def section_questions(fmt: Format, section_id: str) -> tuple[Question, ...]:
    section = fmt.section(section_id)
    if section.kind == "narrative":
        # the figures asked outside the tables (2021 六: 信息处理费) first, so the text's draft states them
        facts = [FactsQuestion(id=f"f:{t.id}:{row.id}", section_id=section_id, table=t, row=row,
                               columns=t.columns, cells=tuple(t.key(row.id, c.id) for c in t.columns))
                 for t in section.facts for row in t.rows]
        return (*facts, *(NarrativeQuestion(id=f"n:{p.key}", section_id=section_id, part=p, optional=True)
                          for p in section.parts))
    out: list[Question] = []
    for table in section.tables:
        out += _table_questions(fmt, section_id, table)
    covered = tuple(k for q in out if isinstance(q, RowQuestion) for k in q.cells)
    if len(section.tables) == 1:
        (table,) = section.tables
        out.insert(0, GateQuestion(id=f"g:{table.id}", section_id=section_id, table=table, cells=covered))
    elif section.tables:
        table = section.tables[0]
        out.insert(0, GateQuestion(id=f"g:sec:{table.id}", section_id=section_id, table=table, cells=covered,
                                   zero_on_yes=True))
    return tuple(out)


@cache
def all_questions(fmt: Format) -> dict[str, Question]:
    return {q.id: q for s in fmt.sections for q in section_questions(fmt, s.id)}


def find(fmt: Format, qid: str | None) -> Question | None:
    return all_questions(fmt).get(qid) if qid else None


def row_question(fmt: Format, table_id: str, row_id: str) -> RowQuestion | None:
    return find(fmt, f"r:{table_id}:{row_id}")


def index_of(fmt: Format, q: Question) -> int:
    return section_questions(fmt, q.section_id).index(q)


def row_labels(fmt: Format, section_id: str) -> list[str]:
    """The labels of the rows asked in a section (listed by its all-zero gate)."""
    return [q.row.label for q in section_questions(fmt, section_id) if isinstance(q, RowQuestion)]


def first_open(fmt: Format, report: Report, skipped: frozenset[str] | set[str] = frozenset(),
               section_ids: list[str] | None = None) -> Question | None:
    """The first unanswered question (not in ``skipped``) of the sections, in order."""
    for sid in section_ids if section_ids is not None else [s.id for s in fmt.sections]:
        for q in section_questions(fmt, sid):
            if q.id not in skipped and not q.answered(report):
                return q
    return None


def next_unanswered(fmt: Format, section_id: str, report: Report, after: int = -1) -> Question | None:
    """The first unanswered question of the section after position ``after``."""
    for q in section_questions(fmt, section_id)[after + 1:]:
        if not q.answered(report):
            return q
    return None


def previous(fmt: Format, q: Question) -> Question | None:
    qs = section_questions(fmt, q.section_id)
    i = qs.index(q)
    return qs[i - 1] if i > 0 else None


def row_totals(fmt: Format, q: Question) -> tuple[tuple[Column, str], ...]:
    """(column, cell key) of the totals (derived cells) in a row question's row, in column order."""
    if not isinstance(q, RowQuestion):
        return ()
    keys = ((c, q.table.key(q.row.id, c.id)) for c in q.table.columns)
    return tuple((c, key) for c, key in keys if key in fmt.derived_keys)


def editable(fmt: Format, section_id: str) -> list[Question]:
    """Questions offered with an Edit button on the check screen (rows, units, narrative parts)."""
    return [q for q in section_questions(fmt, section_id) if not isinstance(q, GateQuestion)]
