"""An office's menu: its agencies, invitations, deadlines and whether reports need a reviewer's
approval; and what only administrators do (offices, attaching agencies)."""

from __future__ import annotations

from report import terms
from storage import coordination as co
from storage import invitations as inv
from storage.errors import InvalidData
from storage.infos import AgencyInfo, OfficeInfo

from ..kit.io import Reply
from ..kit.screen import Step, on
from ..messages import coordination as T
from . import actions as C
from .common import agency_deadline, agency_of, date_text, default_year, local_time, office_of
from .prompts import ask


def notes(ctx, replies: list[Reply]) -> Step:
    """A coordination answer: messages, the user's place unchanged."""
    return Step(ctx.state, notes=replies, show=False)


def office_menu(ctx, office: OfficeInfo) -> list[Reply]:
    n = len(ctx.store.agencies_of_office(office.id))
    approval = T.BTN_APPROVAL_OFF if office.needs_approval else T.BTN_APPROVAL_ON
    rows = tuple((ctx.button(label, act),) for label, act in (
        (T.BTN_BOARD, C.Board(office.id, default_year(ctx))),
        (T.BTN_NEW_AGENCY, C.NewAgency(office.id)),
        (T.BTN_INVITE, C.InviteChooseTarget(office.id)),
        (T.BTN_OPEN_INVITES, C.OpenInvitations(office.id)),
        (T.BTN_DEADLINE, C.DeadlineChooseYear(office.id)),
        (approval, C.SetApproval(office.id, 0 if office.needs_approval else 1)),
    ))
    text = T.OFFICE_MENU.format(name=office.name, agencies=n, approval=T.YES if office.needs_approval else T.NO)
    return [Reply(text, rows)]


def office_choice(ctx, make) -> list[Reply]:
    offices = co.all_offices(ctx.store)
    if not offices:
        return [Reply(T.NO_OFFICES)]
    return [Reply(T.CHOOSE_OFFICE, tuple((ctx.button(o.name, make(o.id)),) for o in offices))]


def kind_choice(ctx, make) -> list[Reply]:
    rows = tuple((ctx.button(T.KIND_BUTTON.format(kind=terms.agency_kind(k), hint=T.KIND_HINT[k]), make(k)),)
                 for k in terms.AGENCY_KINDS)
    return [Reply(T.CHOOSE_KIND, rows)]


def invitation(ctx, role: str, *, agency: AgencyInfo | None = None, office: OfficeInfo | None = None) -> list[Reply]:
    username = (ctx.settings.bot_username or ctx.conversation.bot_username or "").lstrip("@")
    if not username:
        return [Reply(T.NO_BOT_USERNAME)]
    token, info = inv.create_invitation(
        ctx.store, role=role, created_by=ctx.user.id, agency_id=agency.id if agency else None,
        office_id=office.id if office and not agency else None, days=ctx.settings.invitation_days, now=ctx.now,
    )
    link = f"https://t.me/{username}?start={token}"
    return [Reply(T.INVITATION_MADE.format(role=terms.role(role), target=agency.name if agency else office.name,
                                            link=link, expires=local_time(ctx, info.expires_at)))]


def role_choice(ctx, agency: AgencyInfo) -> Reply:
    rows = tuple((ctx.button(terms.role(r), C.InviteToAgency(agency.id, r)),) for r in ("officer", "reviewer"))
    return Reply(T.CHOOSE_ROLE.format(agency=agency.name), rows)


class OfficeActions:
    @on(C.OfficeMenu)
    def menu(self, ctx, act) -> Step:
        return notes(ctx, office_menu(ctx, ctx.store.get_office(act.office)))

    @on(C.NewAgency)
    def new_agency(self, ctx, act) -> Step:
        return notes(ctx, kind_choice(ctx, lambda k: C.NewAgencyKind(act.office, k)))

    @on(C.NewAgencyKind)
    def new_agency_kind(self, ctx, act) -> Step | None:
        if act.kind not in terms.AGENCY_KINDS:
            return None
        return ask(ctx, "agency_name", office=act.office, kind=act.kind)

    @on(C.InviteChooseTarget)
    def invite_targets(self, ctx, act) -> Step:
        agencies = ctx.store.agencies_of_office(act.office)
        co_coordinator = (ctx.button(T.BTN_CO_COORDINATOR, C.InviteCoCoordinator(act.office)),)
        if not agencies:
            return notes(ctx, [Reply(T.NO_AGENCIES, (co_coordinator,))])
        rows = tuple((ctx.button(a.name, C.InviteChooseRole(a.id)),) for a in agencies)
        return notes(ctx, [Reply(T.INVITE_FOR, (*rows, co_coordinator))])

    @on(C.InviteChooseRole)
    def invite_role(self, ctx, act) -> Step:
        return notes(ctx, [role_choice(ctx, ctx.store.get_agency(act.agency))])

    @on(C.InviteToAgency)
    def invite_to_agency(self, ctx, act) -> Step | None:
        if act.role not in ("officer", "reviewer"):
            return None
        return notes(ctx, invitation(ctx, act.role, agency=ctx.store.get_agency(act.agency)))

    @on(C.InviteCoCoordinator)
    def invite_co_coordinator(self, ctx, act) -> Step:
        return notes(ctx, invitation(ctx, "coordinator", office=ctx.store.get_office(act.office)))

    @on(C.OpenInvitations)
    def open_invitations(self, ctx, act) -> Step:
        items = inv.open_invitations(ctx.store, office_id=act.office, now=ctx.now)
        if not items:
            return notes(ctx, [Reply(T.NO_OPEN_INVITES)])
        lines = [T.OPEN_INVITES.format(n=len(items))]
        rows = []
        for i, it in enumerate(items, start=1):
            lines.append(T.OPEN_INVITE_LINE.format(i=i, role=terms.role(it.role), target=it.agency_name or it.office_name,
                                                   expires=local_time(ctx, it.expires_at)))
            rows.append((ctx.button(T.BTN_REVOKE.format(i=i), C.Revoke(it.id)),))
        return notes(ctx, [Reply("\n".join(lines), tuple(rows))])

    @on(C.Revoke)
    def revoke(self, ctx, act) -> Step:
        return notes(ctx, [Reply(T.REVOKED if inv.revoke(ctx.store, act.invitation, ctx.user.id) else T.REVOKE_FAILED)])

    @on(C.DeadlineChooseYear)
    def deadline_years(self, ctx, act) -> Step:
        y = default_year(ctx)
        row = tuple(ctx.button(T.YEAR_BUTTON.format(year=year), C.OfficeDeadline(act.office, year))
                    for year in (y - 1, y, y + 1))
        return notes(ctx, [Reply(T.DEADLINE_CHOOSE_YEAR, (row,))])

    @on(C.OfficeDeadline)
    def office_deadline(self, ctx, act) -> Step:
        return ask(ctx, "office_deadline", office=act.office, cy=act.year)

    @on(C.AgencyDeadline)
    def agency_deadline(self, ctx, act) -> Step:
        return ask(ctx, "agency_deadline", agency=act.agency, cy=act.year)

    @on(C.SetApproval)
    def approval(self, ctx, act) -> Step:
        value = act.on == 1
        co.set_needs_approval(ctx.store, act.office, value)
        done = Reply(T.APPROVAL_SET.format(value=T.YES if value else T.NO))
        return notes(ctx, [done, *office_menu(ctx, ctx.store.get_office(act.office))])


class AdminActions:
    @on(C.NewOffice)
    def new_office(self, ctx, act) -> Step:
        return ask(ctx, "office_name")

    @on(C.CoordinatorInviteChooseOffice)
    def coordinator_invite_office(self, ctx, act) -> Step:
        return notes(ctx, office_choice(ctx, C.CoordinatorInvite))

    @on(C.CoordinatorInvite)
    def coordinator_invite(self, ctx, act) -> Step | None:
        office = office_of(ctx, act.office)
        return notes(ctx, invitation(ctx, "coordinator", office=office)) if office is not None else None

    @on(C.ChooseOffice)
    def choose_office(self, ctx, act) -> Step:
        return notes(ctx, office_choice(ctx, C.OfficeMenu))

    @on(C.NewAgencyChooseOffice)
    def new_agency_office(self, ctx, act) -> Step:
        replies = office_choice(ctx, C.NewAgency)
        if replies[0].buttons:
            none = (ctx.button(T.NO_OFFICE_OPTION, C.NewAgencyWithoutOffice()),)
            replies = [Reply(replies[0].text, (*replies[0].buttons, none))]
        else:
            replies = [Reply(T.CHOOSE_OFFICE, ((ctx.button(T.NO_OFFICE_OPTION, C.NewAgencyWithoutOffice()),),))]
        return notes(ctx, replies)

    @on(C.NewAgencyWithoutOffice)
    def new_agency_no_office(self, ctx, act) -> Step:
        return notes(ctx, kind_choice(ctx, C.NewAgencyKindWithoutOffice))

    @on(C.NewAgencyKindWithoutOffice)
    def new_agency_kind_no_office(self, ctx, act) -> Step | None:
        if act.kind not in terms.AGENCY_KINDS:
            return None
        return ask(ctx, "agency_name", kind=act.kind)

    @on(C.AttachChooseAgency)
    def attach_agencies(self, ctx, act) -> Step:
        agencies = co.all_agencies_without_office(ctx.store)
        if not agencies:
            return notes(ctx, [Reply(T.ATTACH_NONE)])
        rows = tuple((ctx.button(a.name[:60], C.AttachChooseOffice(a.id)),) for a in agencies)
        return notes(ctx, [Reply(T.ATTACH_CHOOSE_AGENCY, rows)])

    @on(C.AttachChooseOffice)
    def attach_offices(self, ctx, act) -> Step | None:
        agency = agency_of(ctx, act.agency)
        if agency is None:
            return None
        offices = co.all_offices(ctx.store)
        if not offices:
            return notes(ctx, [Reply(T.NO_OFFICES)])
        rows = tuple((ctx.button(o.name[:60], C.Attach(agency.id, o.id)),) for o in offices)
        return notes(ctx, [Reply(T.ATTACH_CHOOSE_OFFICE.format(agency=agency.name), rows)])

    @on(C.Attach)
    def attach(self, ctx, act) -> Step | None:
        agency, office = agency_of(ctx, act.agency), office_of(ctx, act.office)
        if agency is None or office is None:
            return None
        if agency.office_id not in (None, office.id):
            return notes(ctx, [Reply(T.ATTACH_ALREADY.format(agency=agency.name))])
        try:
            co.set_agency_office(ctx.store, agency.id, office.id)
        except InvalidData:
            return notes(ctx, [Reply(T.ATTACH_ALREADY.format(agency=agency.name))])
        return notes(ctx, [Reply(T.ATTACHED.format(agency=agency.name, office=office.name))])


def agency_deadline_prompt(ctx, agency: AgencyInfo, year: int) -> str:
    date, source = agency_deadline(ctx, agency, year)
    return T.PROMPT_AGENCY_DEADLINE.format(agency=agency.name, year=year, current=date_text(date),
                                           source=T.DEADLINE_SOURCE[source], example=f"{year + 1}-01-20")
