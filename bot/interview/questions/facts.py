"""The figures a section asks for outside its tables (2021 format, 六: the 信息处理费 facts —
收费通知件数, 通知金额, 实收金额), asked as one row before the section's text so that its draft
can state them. One press (or 无 / 没有 / 0) answers “本年度未收取信息处理费”: every figure 0."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from report.numbers import NumberError, parse_answer

from ... import messages as M
from .. import actions as A
from .base import Move, Refused, Result
from .row import RowQuestion, row_text

PROSE = re.compile(r"[\u4e00-\u9fff]{6,}")  # a sentence, not figures with their units


@dataclass(frozen=True)
class FactsQuestion(RowQuestion):
    kind: ClassVar[str] = "facts"

    def ask(self, ctx) -> tuple[str, list, list]:
        report = ctx.report
        current = [report.values.get(k) for k in self.cells]
        body = M.ask_facts(
            note=self.table.note, row_label=self.row.label,
            columns=[M.facts_column(c.short or c.label, c.unit) for c in self.columns],
            current=row_text(current) if None not in current else None,
        )
        rows = [(ctx.button(M.BTN_NO_FEES, A.NoFees()),)]
        nav = [ctx.button(M.BTN_RETURN_CHECK if ctx.state.ret else M.BTN_KEEP, A.Keep())] if None not in current else []
        return body, rows, nav

    def zeros(self, ctx) -> Result:
        fmt = ctx.report.format
        values = {k: Decimal(0) if fmt.cells[k].type == "decimal" else 0 for k in self.cells}
        return self.saved(ctx, values)

    def press(self, ctx, act) -> Result | None:
        return self.zeros(ctx) if isinstance(act, A.NoFees) else None

    def text(self, ctx, text: str) -> Result:
        word = text.strip().strip("。.！! ")
        if word in M.NO_WORDS or word in M.THERE_ARE_NONE_WORDS or word in M.NO_FEES_WORDS or word in ("0", "０"):
            return self.zeros(ctx)
        try:
            nums, _ = parse_answer(text, self.types)
        except NumberError as exc:
            if PROSE.search(text):  # the section's text sent first: it goes to its part
                return Move(self.next_part(ctx), text)
            return Refused(exc.reason)
        return self.saved(ctx, dict(zip(self.cells, nums, strict=True)))

    def next_part(self, ctx) -> str | None:
        from .catalog import index_of, next_unanswered, section_questions

        fmt = ctx.report.format
        nxt = next_unanswered(fmt, self.section_id, ctx.report, index_of(fmt, self))
        if nxt is None:  # every part written: the first one takes the text (追加 / 替换 is offered)
            nxt = next(q for q in section_questions(fmt, self.section_id) if q.kind == "narrative")
        return nxt.id

    def example(self) -> str:
        return M.example("row", self.types)
