"""Who may press which coordination button: one rule per action, declared here and checked in one
place (:class:`~bot.coordination.handlers.CoordinationActions` ``.guard``, and the prompt screens
again when the answer is typed). The rules themselves are storage/access.py's, shared with the web
desk."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from storage import access
from storage import invitations as inv
from storage.errors import NotFound

from ..messages import coordination as T
from . import actions as C


@dataclass(frozen=True)
class Rule:
    check: Callable  # (ctx, action) -> bool
    refusal: str


def _report_agency(ctx, report_id: int) -> int | None:
    try:
        return ctx.store.get_report_info(report_id).agency_id
    except NotFound:
        return None


def _may_revoke(ctx, act) -> bool:
    """An invitation is revoked by whoever coordinates its office, or an admin."""
    item = inv.get_invitation(ctx.store, act.invitation)
    if item is None:
        return False
    if ctx.principal.is_admin:
        return True
    return item.office_id is not None and access.can_coordinate_office(ctx.store, ctx.principal, item.office_id)


def _on_report(check):
    def rule(ctx, act) -> bool:
        agency = _report_agency(ctx, act.report)
        return agency is not None and check(ctx.store, ctx.principal, agency)
    return rule


ADMIN = Rule(lambda ctx, act: ctx.principal.is_admin, T.NOT_ADMIN)
COORDINATE_OFFICE = Rule(lambda ctx, act: access.can_coordinate_office(ctx.store, ctx.principal, act.office),
                         T.NOT_ALLOWED)
COORDINATE_AGENCY = Rule(lambda ctx, act: access.can_coordinate_agency(ctx.store, ctx.principal, act.agency),
                         T.NOT_ALLOWED)
READ_AGENCY = Rule(lambda ctx, act: access.can_read_agency(ctx.store, ctx.principal, act.agency), T.NOT_ALLOWED)
FILL_AGENCY = Rule(lambda ctx, act: access.can_fill(ctx.store, ctx.principal, act.agency), T.NOT_ALLOWED)
REVIEW_AGENCY = Rule(lambda ctx, act: access.can_review(ctx.store, ctx.principal, act.agency), T.NOT_ALLOWED)
REVIEW_REPORT = Rule(_on_report(access.can_review), T.NOT_ALLOWED)
COMMENT_REPORT = Rule(_on_report(access.can_comment), T.NOT_ALLOWED)
READ_REPORT = Rule(_on_report(access.can_read_agency), T.NOT_ALLOWED)
REVOKE = Rule(_may_revoke, T.NOT_ALLOWED)
ANYONE = Rule(lambda ctx, act: True, "")

RULES: dict[type, Rule] = {
    C.NewOffice: ADMIN, C.CoordinatorInviteChooseOffice: ADMIN, C.CoordinatorInvite: ADMIN, C.ChooseOffice: ADMIN,
    C.AttachChooseAgency: ADMIN, C.AttachChooseOffice: ADMIN, C.Attach: ADMIN, C.NewAgencyChooseOffice: ADMIN,
    C.NewAgencyWithoutOffice: ADMIN, C.NewAgencyKindWithoutOffice: ADMIN,
    C.OfficeMenu: COORDINATE_OFFICE, C.NewAgency: COORDINATE_OFFICE, C.NewAgencyKind: COORDINATE_OFFICE,
    C.InviteChooseTarget: COORDINATE_OFFICE, C.InviteCoCoordinator: COORDINATE_OFFICE,
    C.OpenInvitations: COORDINATE_OFFICE, C.DeadlineChooseYear: COORDINATE_OFFICE,
    C.OfficeDeadline: COORDINATE_OFFICE, C.SetApproval: COORDINATE_OFFICE, C.Board: COORDINATE_OFFICE,
    C.Rollup: COORDINATE_OFFICE,
    C.InviteChooseRole: COORDINATE_AGENCY, C.InviteToAgency: COORDINATE_AGENCY, C.AgencyDeadline: COORDINATE_AGENCY,
    C.Revoke: REVOKE,
    C.Drill: READ_AGENCY, C.SelectAgency: FILL_AGENCY, C.Review: REVIEW_AGENCY,
    C.Approve: REVIEW_REPORT, C.Return: REVIEW_REPORT, C.Comment: COMMENT_REPORT, C.History: READ_REPORT,
    C.Join: ANYONE, C.JoinCancel: ANYONE,
}


def refusal(ctx, act) -> str | None:
    """Why the user may not do this (None: they may)."""
    rule = RULES[type(act)]
    return None if rule.check(ctx, act) else rule.refusal
