"""Coordination questions answered by typing: a new office's or agency's name, a deadline, a
reviewer's comment. What is being asked is the user's state in the database (never a marker in a
message); the right to do it is checked again when the answer arrives."""

from __future__ import annotations

from typing import ClassVar

from report import terms
from storage import coordination as co
from storage.errors import AlreadyExists

from ..kit.io import Reply
from ..kit.screen import Screen, Step
from ..messages import coordination as T
from . import actions as C
from .common import agency_deadline, agency_of, date_text, parse_deadline
from .permissions import refusal

PROMPTS = ("office_name", "agency_name", "office_deadline", "agency_deadline", "comment")
DEFAULT_WORDS = T.DEADLINE_DEFAULT_WORDS


def ask(ctx, what: str, **params) -> Step:
    """Ask for a typed answer: the next text the user sends answers it."""
    return Step(ctx.state.goto(f"co.{what}", back=ctx.state.back_to(), **params))


def done(ctx, replies: list[Reply]) -> Step:
    """Back where the user was before the question, with the outcome."""
    back = ctx.state.back or {}
    screen = back.get("screen") if isinstance(back.get("screen"), str) else "start"
    params = {k: back.get(k) for k in ("q", "sec", "ret") if isinstance(back.get(k), str)}
    return Step(ctx.state.goto(screen, **params), notes=replies, show=False)


class _Prompt(Screen):
    what: ClassVar[str]

    def act(self, ctx):
        """The action this question belongs to (its permission is checked again)."""
        raise NotImplementedError

    def prompt(self, ctx) -> str:
        raise NotImplementedError

    def view(self, ctx) -> list[Reply]:
        return [Reply(self.prompt(ctx))]

    def text(self, ctx, text: str) -> Step:
        act = self.act(ctx)
        why = refusal(ctx, act) if act is not None else T.UNKNOWN_ACTION
        if why:
            return done(ctx, [Reply(why)])
        text = text.strip()
        if not text:
            return Step(ctx.state, prefix=T.NAME_EMPTY)
        return self.answer(ctx, act, text)

    def answer(self, ctx, act, text: str) -> Step:
        raise NotImplementedError


class OfficeName(_Prompt):
    name: ClassVar[str] = "co.office_name"

    def act(self, ctx):
        return C.NewOffice()

    def prompt(self, ctx) -> str:
        return T.PROMPT_OFFICE_NAME

    def answer(self, ctx, act, text: str) -> Step:
        from .office import office_menu

        if len(text) > 60 or "\n" in text:
            return Step(ctx.state, prefix=T.NAME_INVALID)
        try:
            office = ctx.store.create_office(text)
        except AlreadyExists:
            return Step(ctx.state, prefix=T.CREATE_FAILED.format(reason=T.OFFICE_EXISTS))
        return done(ctx, [Reply(T.OFFICE_CREATED.format(name=office.name)), *office_menu(ctx, office)])


class AgencyName(_Prompt):
    name: ClassVar[str] = "co.agency_name"

    def act(self, ctx):
        kind = ctx.state.kind
        if kind not in terms.AGENCY_KINDS:
            return None
        return C.NewAgencyKind(ctx.state.office, kind) if ctx.state.office else C.NewAgencyKindWithoutOffice(kind)

    def prompt(self, ctx) -> str:
        return T.PROMPT_AGENCY_NAME.format(kind=terms.agency_kind(ctx.state.kind or ""))

    def answer(self, ctx, act, text: str) -> Step:
        from .office import role_choice

        if len(text) > 60 or "\n" in text:
            return Step(ctx.state, prefix=T.NAME_INVALID)
        try:
            agency = ctx.store.create_agency(text, act.kind, ctx.state.office)
        except AlreadyExists:
            return Step(ctx.state, prefix=T.CREATE_FAILED.format(reason=T.AGENCY_EXISTS))
        created = Reply(T.AGENCY_CREATED.format(name=agency.name, kind=terms.agency_kind(act.kind)))
        return done(ctx, [created, role_choice(ctx, agency)])


class OfficeDeadline(_Prompt):
    name: ClassVar[str] = "co.office_deadline"

    def act(self, ctx):
        s = ctx.state
        return C.OfficeDeadline(s.office, s.cy) if s.office and s.cy else None

    def prompt(self, ctx) -> str:
        year = ctx.state.cy
        office_date, _ = co.deadline_overrides(ctx.store, year, office_id=ctx.state.office)
        current = date_text(office_date) if office_date else T.DEADLINE_LEGAL
        return T.PROMPT_DEADLINE.format(year=year, current=current, example=f"{year + 1}-01-20")

    def answer(self, ctx, act, text: str) -> Step:
        if text in DEFAULT_WORDS:
            co.set_deadline_override(ctx.store, act.year, None, office_id=act.office)
            return done(ctx, [Reply(T.DEADLINE_CLEARED.format(year=act.year))])
        date, why = parse_deadline(text, act.year)
        if date is None:
            return Step(ctx.state, prefix=why)
        co.set_deadline_override(ctx.store, act.year, date, office_id=act.office)
        return done(ctx, [Reply(T.DEADLINE_SET.format(year=act.year, date=date_text(date)))])


class AgencyDeadline(_Prompt):
    name: ClassVar[str] = "co.agency_deadline"

    def act(self, ctx):
        s = ctx.state
        return C.AgencyDeadline(s.agency, s.cy) if s.agency and s.cy else None

    def prompt(self, ctx) -> str:
        from .office import agency_deadline_prompt

        agency = agency_of(ctx, ctx.state.agency)
        return agency_deadline_prompt(ctx, agency, ctx.state.cy) if agency else T.UNKNOWN_ACTION

    def answer(self, ctx, act, text: str) -> Step:
        agency = ctx.store.get_agency(act.agency)
        if text in DEFAULT_WORDS:
            co.set_deadline_override(ctx.store, act.year, None, agency_id=agency.id)
            date, source = agency_deadline(ctx, agency, act.year)
            return done(ctx, [Reply(T.AGENCY_DEADLINE_CLEARED.format(
                agency=agency.name, year=act.year, date=date_text(date), source=T.DEADLINE_SOURCE[source]))])
        date, why = parse_deadline(text, act.year)
        if date is None:
            return Step(ctx.state, prefix=why)
        co.set_deadline_override(ctx.store, act.year, date, agency_id=agency.id)
        return done(ctx, [Reply(T.AGENCY_DEADLINE_SET.format(agency=agency.name, year=act.year,
                                                             date=date_text(date)))])


class CommentText(_Prompt):
    name: ClassVar[str] = "co.comment"

    def act(self, ctx):
        return C.Comment(ctx.state.report) if ctx.state.report else None

    def prompt(self, ctx) -> str:
        info = ctx.store.get_report_info(ctx.state.report)
        return T.PROMPT_COMMENT.format(agency=ctx.store.get_agency(info.agency_id).name, year=info.year)

    def answer(self, ctx, act, text: str) -> Step:
        co.add_comment(ctx.store, act.report, ctx.user.id, text[:2000])
        return done(ctx, [Reply(T.COMMENT_SAVED)])


SCREENS = [OfficeName(), AgencyName(), OfficeDeadline(), AgencyDeadline(), CommentText()]
