"""Joining by invitation: /start <token> shows what the invitation is for and asks to confirm;
确认加入 adds the membership (single use, checked atomically by storage/invitations.py)."""

from __future__ import annotations

from report import terms
from storage import invitations as inv

from ..kit.io import Reply
from ..kit.screen import Step, on
from ..messages import coordination as T
from . import actions as C
from .office import notes


def refused(ctx, reason: str | None, info: inv.InvitationInfo | None) -> list[Reply]:
    if reason == inv.USED and info is not None and info.used_by == ctx.user.id:
        return [Reply(T.JOIN_ALREADY.format(target=info.agency_name or info.office_name))]
    return [Reply(T.JOIN_REFUSED.get(reason or inv.UNKNOWN, T.JOIN_REFUSED[inv.UNKNOWN]))]


def start_payload(ctx, payload: str) -> Step:
    token = payload.strip()
    result = inv.check(ctx.store, token, now=ctx.now)
    if not result.ok or len(token) > 48:
        return notes(ctx, refused(ctx, result.reason, result.info))
    info = result.info
    role = terms.role(info.role)
    if info.agency_id is not None:
        suffix = T.JOIN_OFFICE_SUFFIX.format(office=info.office_name) if info.office_name else ""
        text = T.JOIN_ASK_AGENCY.format(role=role, agency=info.agency_name, office=suffix)
    else:
        text = T.JOIN_ASK_OFFICE.format(role=role, office=info.office_name)
    buttons = ((ctx.button(T.BTN_JOIN, C.Join(token)), ctx.button(T.CANCEL, C.JoinCancel())),)
    return notes(ctx, [Reply(text, buttons)])


class JoinActions:
    @on(C.Join)
    def join(self, ctx, act) -> Step:
        try:
            info = inv.accept(ctx.store, act.token, ctx.user.id, now=ctx.now)
        except inv.InvitationRefused as exc:
            return notes(ctx, refused(ctx, exc.reason, inv.check(ctx.store, act.token, now=ctx.now).info))
        if info.agency_id is None:
            return notes(ctx, [Reply(T.JOINED_OFFICE.format(office=info.office_name))])
        joined = Reply(T.JOINED_AGENCY.format(role=terms.role(info.role), agency=info.agency_name))
        if info.role == "officer":
            return Step(ctx.state.goto("hub", agency_id=info.agency_id), notes=[joined])
        return notes(ctx, [joined, Reply(T.JOINED_REVIEWER_HINT)])

    @on(C.JoinCancel)
    def cancel(self, ctx, act) -> Step:
        return notes(ctx, [Reply(T.CANCELLED)])
