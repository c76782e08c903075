"""The welcome, the task list (hub), choosing the report year and choosing an export format."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from report import formats
from report.numbers import parse_year
from report.validation import DONE, section_statuses, validate

from ... import messages as M
from ...context import AWAITING, SUBMITTED, default_year
from ...kit.io import Reply
from ...kit.screen import Screen, Step, on
from .. import actions as A
from .. import navigation as nav
from . import registration
from .names import HUB, START, YEAR

DRAFTING_MONTH = 11  # from November on, officers start drafting the current year's report


def offered_years(today: dt.date) -> list[int]:
    """The years the year screen offers as buttons: the default (last calendar year) and the one
    before; in November and December also the current year, first."""
    y = default_year(today)
    years = [y, y - 1]
    if today.month >= DRAFTING_MONTH:
        years.insert(0, today.year)
    return years


class StartScreen(Screen):
    """/start: a member sees their agency and report and continues; anyone else is told how to
    join (registration.py)."""

    name: ClassVar[str] = START

    def view(self, ctx) -> list[Reply]:
        if ctx.agency_id is None:
            return registration.not_a_member(ctx)
        year = ctx.report.year
        return [Reply(M.welcome(ctx.agency_name, year), buttons=(
            (ctx.button(M.continue_label(year), A.Continue()),),
            (ctx.button(M.BTN_CHOOSE_YEAR, A.ChooseYear()),),
        ))]

    @on(A.Continue)
    def go_on(self, ctx, act) -> Step:
        return nav.continue_walk(ctx, ctx.state)

    @on(A.ChooseYear)
    def choose_year(self, ctx, act) -> Step:
        return Step(ctx.state.goto(YEAR))

    def text(self, ctx, text: str) -> Step | None:
        if ctx.agency_id is None:
            return registration.unregistered_text(ctx, text)
        return None


class HubScreen(Screen):
    """The task list: each section with its status, progress k/N, and what can be done now."""

    name: ClassVar[str] = HUB
    needs_agency: ClassVar[bool] = True

    def view(self, ctx) -> list[Reply]:
        report = ctx.report
        fmt = report.format
        statuses = section_statuses(report, validate(report, ctx.previous))
        done = sum(1 for s in statuses.values() if s == DONE)
        lines = [M.hub_header(ctx.agency_name, report.year, fmt.name, ctx.status, ctx.role, ctx.reviewers)]
        lines += [M.hub_section_line(s.title, statuses[s.id]) for s in fmt.sections]
        lines.append(M.hub_progress(done, len(fmt.sections)))
        rows = [(ctx.button(s.title, A.EnterSection(s.id)),) for s in fmt.sections]
        rows.append((ctx.button(M.BTN_CHECK_ALL, A.CheckAll()), ctx.button(M.BTN_PREVIEW, A.Preview()),
                     ctx.button(M.BTN_PREAMBLE, A.Preamble())))
        last = [ctx.button(M.BTN_EXPORT, A.ExportMenu())]
        if ctx.role == "officer":
            if ctx.status == SUBMITTED:
                if not ctx.needs_approval:  # an approved report goes back through the reviewer's 退回修改
                    last.append(ctx.button(M.BTN_REOPEN, A.Reopen()))
            elif ctx.status == AWAITING:
                last.append(ctx.button(M.BTN_WITHDRAW, A.Withdraw()))
            else:
                last.append(ctx.button(M.BTN_SUBMIT, A.Submit()))
        rows.append(tuple(last))
        return [Reply("\n".join(lines), buttons=tuple(rows))]

    @on(A.EnterSection)
    def enter(self, ctx, act) -> Step | None:
        if not _section_exists(ctx, act.section):
            return None
        return nav.enter_section(ctx, ctx.state, act.section)


class YearScreen(Screen):
    name: ClassVar[str] = YEAR
    needs_agency: ClassVar[bool] = True

    def view(self, ctx) -> list[Reply]:
        years = offered_years(ctx.today)
        row = tuple(ctx.button(M.year_label(y), A.PickYear(y)) for y in years)
        return [Reply(M.ask_year(ctx.report.year), buttons=(row,))]

    @on(A.PickYear)
    def pick(self, ctx, act) -> Step | None:
        return self.open(ctx, act.year)

    def text(self, ctx, text: str) -> Step:
        year = parse_year(text)
        if year is None:
            return Step(ctx.state, prefix=M.year_invalid(ctx.today.year))
        return self.open(ctx, year)

    @staticmethod
    def open(ctx, year: int) -> Step:
        if year not in formats.report_years(ctx.today):
            return Step(ctx.state, prefix=M.year_invalid(ctx.today.year))
        state = ctx.move_to(ctx.state.goto(HUB, year=year))
        if ctx.can_write and not (ctx.report.values or ctx.report.narratives):  # a fresh report: straight to its first question
            step = nav.continue_walk(ctx, state.replace(q=None))
            return Step(step.state, prefix=M.year_opened(year, ctx.report.format.id))
        return Step(state)


def _section_exists(ctx, section_id: str) -> bool:
    return any(s.id == section_id for s in ctx.report.format.sections)
