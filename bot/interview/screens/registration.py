"""People who are not (yet) members of an agency: the invitation hint with their Telegram ID, and —
when the deployment allows open registration — registering a new agency by name and kind.

Registering never grants access to an agency that exists already: the person is told to ask that
agency's officer or its coordinator for an invitation.
"""

from __future__ import annotations

from typing import ClassVar

from report import formats, terms
from storage import reminders as repo
from storage.errors import AlreadyExists

from ... import messages as M
from ...context import default_year
from ...kit.io import Reply
from ...kit.screen import Screen, Step, on
from .. import actions as A
from .. import questions as Q
from .names import QUESTION, REG_KIND, REG_NAME, START


def not_a_member(ctx) -> list[Reply]:
    """What someone without an agency sees: how to join (and their Telegram ID, which whoever
    invites or sets up the bot may need)."""
    if ctx.settings.open_registration:
        return [Reply(M.REG_ASK_NAME)]
    if ctx.has_memberships:
        return [Reply(M.NEED_INVITATION_COORDINATOR)]
    return [Reply(M.need_invitation(ctx.user.telegram_id))]


def unregistered_text(ctx, text: str) -> Step:
    if not ctx.settings.open_registration:
        return Step(ctx.state.goto(START))
    return Step(ctx.state.goto(REG_NAME))


def refuse_existing(ctx, agency_id: int, name: str) -> Step:
    """Registering an agency that exists grants nothing: the person is told whom to ask, and the
    agency's members are told of the attempt (once per person; storage/reminders/notices.py)."""
    repo.notify_registration_attempt(ctx.store.engine, agency_id, ctx.user.display_name, ctx.user.telegram_id,
                                     ctx.now)
    return Step(ctx.state.goto(REG_NAME), prefix=M.agency_exists(name))


class RegNameScreen(Screen):
    name: ClassVar[str] = REG_NAME

    def view(self, ctx) -> list[Reply]:
        return not_a_member(ctx) if ctx.agency_id is None else [Reply(M.REG_ASK_NAME)]

    def text(self, ctx, text: str) -> Step:
        if not ctx.settings.open_registration or ctx.agency_id is not None:
            return Step(ctx.state.goto(START))
        name = text.strip()
        if not (2 <= len(name) <= 60) or "\n" in name:
            return Step(ctx.state, prefix=M.REG_NAME_INVALID)
        existing = ctx.store.find_agency(name)
        if existing is not None:
            return refuse_existing(ctx, existing.id, name)
        return Step(ctx.state.goto(REG_KIND, reg_name=name))


class RegKindScreen(Screen):
    name: ClassVar[str] = REG_KIND

    def view(self, ctx) -> list[Reply]:
        if ctx.agency_id is not None or not ctx.state.reg_name:
            return not_a_member(ctx)
        rows = tuple((ctx.button(label, A.RegisterKind(kind)),) for kind, label in terms.AGENCY_KINDS.items())
        rem = ctx.settings.reminders
        return [Reply(M.reg_ask_kind(ctx.state.reg_name, rem.township_deadline, rem.other_deadline), buttons=rows)]

    def text(self, ctx, text: str) -> Step:
        return Step(ctx.state, prefix=M.REG_KIND_USE_BUTTONS)

    @on(A.RegisterKind)
    def register(self, ctx, act) -> Step | None:
        name = ctx.state.reg_name
        if act.kind not in terms.AGENCY_KINDS or not name or not ctx.settings.open_registration:
            return None
        try:
            agency = ctx.store.create_agency(name, act.kind)
        except AlreadyExists:
            found = ctx.store.find_agency(name)
            return refuse_existing(ctx, found.id, name) if found is not None else None
        ctx.store.add_membership(ctx.user.id, "officer", agency_id=agency.id)
        # a new officer is walked through the report from its first question
        fmt = formats.for_year(ctx.state.year or default_year(ctx.today))
        first = Q.section_questions(fmt, fmt.sections[0].id)[0]
        new = ctx.state.goto(QUESTION, q=first.id).replace(agency_id=agency.id)
        return Step(new, notes=[Reply(M.registered(agency.name))])
