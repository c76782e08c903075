"""The interview's questions: the kinds (one class each) and the catalog of a format's questions."""

from .base import Question, input_columns
from .catalog import (
    all_questions,
    editable,
    find,
    first_open,
    index_of,
    next_unanswered,
    previous,
    row_labels,
    row_question,
    row_totals,
    section_questions,
)
from .facts import FactsQuestion
from .gate import GateQuestion
from .narrative import NarrativeQuestion
from .row import RowQuestion
from .unit import UnitQuestion

NARRATIVE, ROW, UNIT, GATE = NarrativeQuestion.kind, RowQuestion.kind, UnitQuestion.kind, GateQuestion.kind

__all__ = [
    "GATE", "NARRATIVE", "ROW", "UNIT", "FactsQuestion", "GateQuestion", "NarrativeQuestion", "Question", "RowQuestion",
    "UnitQuestion", "all_questions", "editable", "find", "first_open", "index_of", "input_columns",
    "next_unanswered", "previous", "row_labels", "row_question", "row_totals", "section_questions",
]
