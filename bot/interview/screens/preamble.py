"""The report's opening paragraph (开头段落): the standard one by default (filled from the agency
and the year: report/render.standard_preamble), the officer's own text, or none."""

from __future__ import annotations

from typing import ClassVar

from report.render import standard_preamble

from ... import messages as M
from ...kit.io import Reply
from ...kit.screen import Screen, Step, on
from .. import actions as A
from .names import PREAMBLE
from .question import readonly_reason

MAX_PREAMBLE = 2000  # characters; the standard paragraph is about 150


class PreambleScreen(Screen):
    name: ClassVar[str] = PREAMBLE
    needs_agency: ClassVar[bool] = True

    def view(self, ctx) -> list[Reply]:
        report = ctx.report
        if report.preamble is None:
            choice, text = M.PREAMBLE_STANDARD, standard_preamble(report)
        elif report.preamble.strip():
            choice, text = M.PREAMBLE_OWN, report.preamble
        else:
            choice, text = M.PREAMBLE_NONE, ""
        rows = []
        if ctx.can_write:
            if report.preamble is not None:
                rows.append((ctx.button(M.BTN_PREAMBLE_STANDARD, A.StandardPreamble()),))
            if report.preamble is None or report.preamble.strip():
                rows.append((ctx.button(M.BTN_PREAMBLE_NONE, A.NoPreamble()),))
        rows.append((ctx.button(M.BTN_HUB, A.ToHub()),))
        return [Reply(M.preamble_view(choice, text, ctx.can_write), buttons=tuple(rows))]

    @on(A.StandardPreamble, A.NoPreamble)
    def choose(self, ctx, act) -> Step:
        if not ctx.can_write:
            return Step(ctx.state, prefix=readonly_reason(ctx))
        standard = isinstance(act, A.StandardPreamble)
        ctx.save(preamble=None if standard else "")
        return Step(ctx.state, prefix=M.PREAMBLE_SET_STANDARD if standard else M.PREAMBLE_SET_NONE)

    def text(self, ctx, text: str) -> Step:
        if not ctx.can_write:
            return Step(ctx.state, prefix=readonly_reason(ctx))
        own = text.strip()
        if len(own) > MAX_PREAMBLE:
            return Step(ctx.state, prefix=M.preamble_too_long(len(own), MAX_PREAMBLE))
        ctx.save(preamble=own)
        return Step(ctx.state, prefix=M.preamble_saved(len(own)))
