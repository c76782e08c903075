"""Coordination's /commands: /admin, /office, /board, /agency, /history, and /start <invitation>."""

from __future__ import annotations

from storage import access
from storage import coordination as co

from ..kit.io import Reply
from ..kit.screen import Step, command
from ..messages import coordination as T
from . import actions as C
from .board import board
from .common import default_year
from .join import start_payload
from .office import notes, office_menu
from .review import history


class CoordinationCommands:
    def start_payload(self, ctx, payload: str) -> Step:
        return start_payload(ctx, payload)

    @command("admin")
    def admin(self, ctx, arg: str) -> Step:
        if not ctx.principal.is_admin:
            return notes(ctx, [Reply(T.NOT_ADMIN)])
        rows = tuple((ctx.button(label, act),) for label, act in (
            (T.ADMIN_NEW_OFFICE, C.NewOffice()), (T.ADMIN_NEW_AGENCY, C.NewAgencyChooseOffice()),
            (T.ADMIN_COORD_INVITE, C.CoordinatorInviteChooseOffice()), (T.ADMIN_OFFICES, C.ChooseOffice()),
            (T.ADMIN_ATTACH, C.AttachChooseAgency())))
        return notes(ctx, [Reply(T.ADMIN_MENU, rows)])

    @command("office")
    def office(self, ctx, arg: str) -> Step:
        offices = access.visible_offices(ctx.store, ctx.principal)
        if not offices:
            return notes(ctx, [Reply(T.NOT_COORDINATOR)])
        if len(offices) == 1:
            return notes(ctx, office_menu(ctx, offices[0]))
        return notes(ctx, [Reply(T.CHOOSE_OFFICE, tuple((ctx.button(o.name, C.OfficeMenu(o.id)),) for o in offices))])

    @command("board")
    def board(self, ctx, arg: str) -> Step:
        offices = access.visible_offices(ctx.store, ctx.principal)
        if not offices:
            return notes(ctx, [Reply(T.NOT_COORDINATOR)])
        year = default_year(ctx)
        if arg.strip().isdigit() and 2000 <= int(arg.strip()) <= ctx.today.year:
            year = int(arg.strip())
        if len(offices) == 1:
            return notes(ctx, board(ctx, offices[0], year))
        rows = tuple((ctx.button(o.name, C.Board(o.id, year)),) for o in offices)
        return notes(ctx, [Reply(T.CHOOSE_OFFICE, rows)])

    @command("agency")
    def agency(self, ctx, arg: str) -> Step:
        rows = []
        for m in ctx.memberships:
            if m.agency_id is None:
                continue
            if m.role == "officer":
                rows.append((ctx.button(T.BTN_FILL.format(agency=m.agency_name)[:60], C.SelectAgency(m.agency_id)),))
            elif m.role == "reviewer":
                label = T.BTN_REVIEW.format(agency=m.agency_name)[:60]
                rows.append((ctx.button(label, C.Review(m.agency_id, default_year(ctx))),))
        if not rows:
            if co.coordinated_offices(ctx.store, ctx.user.id):
                return self.board(ctx, "")
            return notes(ctx, [Reply(T.NO_AGENCY)])
        return notes(ctx, [Reply(T.CHOOSE_AGENCY, tuple(rows))])

    @command("web")
    def web(self, ctx, arg: str) -> Step:
        """A one-time sign-in link to the desk in a browser, for whoever has something to see there."""
        from storage import web_login

        web = ctx.settings.web
        if not web.public_url:
            return notes(ctx, [Reply(T.WEB_NOT_CONFIGURED)])
        if not ctx.memberships and not ctx.principal.is_admin:
            return notes(ctx, [Reply(T.NO_AGENCY)])
        url = web_login.issue_login_link(ctx.store, ctx.settings, ctx.user.telegram_id, now=ctx.now)
        return notes(ctx, [Reply(T.WEB_LINK.format(url=url, minutes=web.link_minutes))])

    @command("history")
    def history(self, ctx, arg: str) -> Step:
        if ctx.agency_id is None:
            return notes(ctx, [Reply(T.HISTORY_NO_REPORT)])
        return notes(ctx, history(ctx, ctx.info.id, 0))
