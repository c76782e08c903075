"""A yes/no gate over a section's table or a subgroup of rows: "no" fills every covered cell with 0
(an all-zero gate asks the other way round: "are all the figures 0?")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from report.formats import Table
from report.model import Report
from report.numbers import NumberError, normalize, parse_answer

from ... import messages as M
from .. import actions as A
from .base import Move, Question, Refused, Result, Saved

ROW_NUMBERS = re.compile(r"\d+(?:\s*[,，、;；和及\s]\s*\d+)*")  # 5 6 / 5、6 / 5,6


@dataclass(frozen=True)
class GateQuestion(Question):
    table: Table | None = None
    subgroup: str | None = None  # the subgroup label of a subgroup gate
    zero_on_yes: bool = False  # "yes" (not "no") fills the cells with 0
    kind: ClassVar[str] = "gate"

    def answered(self, report: Report) -> bool:
        return any(k in report.values for k in self.cells)

    def ask(self, ctx) -> tuple[str, list, list]:
        from .catalog import row_labels

        fmt = ctx.report.format
        title = fmt.section(self.section_id).title
        if self.zero_on_yes:
            body = M.ask_zero_gate(self.section_id, title, row_labels(fmt, self.section_id))
            yes, no = M.BTN_ALL_ZERO, M.BTN_FILL_EACH
        elif self.subgroup:
            body = M.ask_subgroup_gate(self.subgroup, [q.row.label for q in self.members(fmt)])
            yes, no = M.BTN_HAVE, M.BTN_HAVE_NOT
        else:
            body = M.ask_section_gate(self.section_id, title)
            yes, no = M.BTN_YES, M.BTN_NO
        return body, [(ctx.button(yes, A.Yes()), ctx.button(no, A.No()))], []

    def answer(self, ctx, yes: bool) -> Result:
        from .catalog import index_of, next_unanswered

        fmt = ctx.report.format
        if not (yes if self.zero_on_yes else not yes):
            nxt = next_unanswered(fmt, self.section_id, ctx.report, index_of(fmt, self))
            return Move(nxt.id if nxt is not None else None)
        zero = {k: Decimal(0) if fmt.cells[k].type == "decimal" else 0 for k in self.cells}
        return Saved(values=zero, prefix=M.gate_zero_filled(len(self.cells)))

    def press(self, ctx, act) -> Result | None:
        if isinstance(act, (A.Yes, A.No)):
            return self.answer(ctx, isinstance(act, A.Yes))
        return None

    def text(self, ctx, text: str) -> Result:
        word = text.strip().strip("。.! ！")
        if self.zero_on_yes and word in M.THERE_ARE_WORDS + M.THERE_ARE_NONE_WORDS:
            # "are all the figures 0?" answered 有 (there are figures) or 无 (there are none)
            return self.answer(ctx, word in M.THERE_ARE_NONE_WORDS)
        if word in M.YES_WORDS:
            return self.answer(ctx, True)
        if word in M.NO_WORDS:
            return self.answer(ctx, False)
        if self.subgroup:
            return self.select_rows(ctx, text)
        typed = self.typed_figures(ctx, text)
        return typed if typed is not None else Refused(M.GATE_USE_BUTTONS)

    def members(self, fmt) -> list:
        """The row questions of this gate's subgroup, in order."""
        from .catalog import section_questions
        from .row import RowQuestion

        return [q for q in section_questions(fmt, self.section_id)
                if isinstance(q, RowQuestion) and q.table is self.table and q.row.subgroup == self.subgroup]

    def select_rows(self, ctx, text: str) -> Result:
        """The numbers of the subgroup's rows that have figures ("5 6"): the others are 0, and the
        walk asks the chosen ones."""
        fmt = ctx.report.format
        rows = self.members(fmt)
        if not ROW_NUMBERS.fullmatch(normalize(text).strip().rstrip("。.")):
            return Refused(M.subgroup_select_invalid(len(rows)))
        chosen = sorted({int(n) for n in re.findall(r"\d+", normalize(text))})
        if not chosen or chosen[0] < 1 or chosen[-1] > len(rows):
            return Refused(M.subgroup_select_invalid(len(rows)))
        picked = [rows[n - 1] for n in chosen]
        zero = {k: Decimal(0) if fmt.cells[k].type == "decimal" else 0
                for q in rows if q not in picked for k in q.cells}
        if not zero:
            return Move(picked[0].id)
        return Saved(values=zero, prefix=M.subgroup_selected([q.row.label for q in picked], len(zero)))

    def typed_figures(self, ctx, text: str) -> Move | Refused | None:
        """Figures typed on a section gate: "there are figures", and they answer the first row (or,
        pasted, the whole table). A paste that cannot be read is refused with its problems; None
        when typed figures do not fit."""
        from ..paste import looks_like_table, read_section_paste, whole_table_line
        from .catalog import index_of, next_unanswered
        from .row import RowQuestion

        if self.subgroup:
            return None
        fmt = ctx.report.format
        nxt = next_unanswered(fmt, self.section_id, ctx.report, index_of(fmt, self))
        if not isinstance(nxt, RowQuestion):
            return None
        if looks_like_table(text) or whole_table_line(ctx.report, nxt.table, text):
            problems = read_section_paste(ctx.report, fmt.section(self.section_id), nxt.table, text).problems
            if problems:
                return Refused(M.paste_refused(problems))
        else:
            try:
                parse_answer(text, nxt.types, len(nxt.trailing_totals(fmt)))
            except NumberError:
                return None
        return Move(nxt.id, text)

    def example(self) -> str:
        return M.example("gate", [])
