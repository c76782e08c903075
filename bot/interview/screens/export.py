"""Choosing a file to export, and — before the first final file — confirming the 成文日期 of the
落款 (default: today, one press)."""

from __future__ import annotations

from typing import ClassVar

from report.model import Signature
from report.numbers import parse_date
from report.render import chinese_date
from report.validation import unfinished

from ... import messages as M
from ...kit.io import Reply
from ...kit.screen import Screen, Step, on
from .. import actions as A
from .. import files
from .names import EXPORT, SIGN


def export(ctx, kind: str) -> Step:
    """The file, or first the 成文日期 when a complete report has none yet (an officer's export)."""
    report = ctx.report
    if report.signature.date is None and ctx.can_write and not unfinished(report):
        return Step(ctx.state.goto(SIGN, kind=kind))
    return Step(ctx.state.goto(EXPORT), notes=[files.export(ctx, report, kind)], show=False)


class ExportScreen(Screen):
    name: ClassVar[str] = EXPORT
    needs_agency: ClassVar[bool] = True

    def view(self, ctx) -> list[Reply]:
        row = tuple(ctx.button(M.EXPORT_KINDS[k], A.ExportAs(k)) for k in files.DOC_KINDS)
        return [Reply(M.EXPORT_ASK, buttons=(row[:3], row[3:], (ctx.button(M.BTN_HUB, A.ToHub()),)))]



class SignScreen(Screen):
    """成文日期: one press for today, or a typed date; then the final file."""

    name: ClassVar[str] = SIGN
    needs_agency: ClassVar[bool] = True

    def view(self, ctx) -> list[Reply]:
        today = chinese_date(ctx.today)
        return [Reply(M.ask_signature_date(today), buttons=(
            (ctx.button(M.sign_today_label(today), A.SignToday()),), (ctx.button(M.BTN_HUB, A.ToHub()),)))]

    @on(A.SignToday)
    def today(self, ctx, act) -> Step:
        return self.sign(ctx, ctx.today)

    def text(self, ctx, text: str) -> Step:
        date = parse_date(text)
        year = ctx.report.year
        if date is None or not (year < date.year <= year + 2):
            return Step(ctx.state, prefix=M.signature_date_invalid(year))
        return self.sign(ctx, date)

    @staticmethod
    def sign(ctx, date) -> Step:
        kind = ctx.state.kind if ctx.state.kind in files.DOC_KINDS else "docx"
        ctx.save(signature=Signature(agency=ctx.report.signature.agency, date=date))
        return Step(ctx.state.goto(EXPORT), notes=[files.export(ctx, ctx.report, kind)], show=False)
