"""The buttons of coordination — setting up offices and agencies, invitations, deadlines, the
board, the roll-up, reviewing and /history — as free actions (family ``co``): they stay valid
whatever the user did since, because every one of them names what it is about and
bot/coordination/permissions.py checks, on the server, who may do it."""

from __future__ import annotations

from ..kit.actions import Id, Key, Page, Version, Year, action

CO = "co"


# -- administrators --------------------------------------------------------------------------------
@action("no", family=CO)
class NewOffice: ...


@action("ci", family=CO)
class CoordinatorInviteChooseOffice: ...


@action("ci2", family=CO)
class CoordinatorInvite:
    office: Id


@action("ao", family=CO)
class ChooseOffice: ...


@action("aa", family=CO)
class AttachChooseAgency: ...


@action("aa2", family=CO)
class AttachChooseOffice:
    agency: Id


@action("aa3", family=CO)
class Attach:
    agency: Id
    office: Id


@action("nao", family=CO)
class NewAgencyChooseOffice: ...


@action("nan", family=CO)
class NewAgencyWithoutOffice: ...


@action("nkn", family=CO)
class NewAgencyKindWithoutOffice:
    kind: Key


# -- an office ---------------------------------------------------------------------------------------
@action("om", family=CO)
class OfficeMenu:
    office: Id


@action("na", family=CO)
class NewAgency:
    office: Id


@action("nk", family=CO)
class NewAgencyKind:
    office: Id
    kind: Key


@action("iv", family=CO)
class InviteChooseTarget:
    office: Id


@action("ir", family=CO)
class InviteChooseRole:
    agency: Id


@action("mka", family=CO)
class InviteToAgency:
    agency: Id
    role: Key


@action("mko", family=CO)
class InviteCoCoordinator:
    office: Id


@action("ol", family=CO)
class OpenInvitations:
    office: Id


@action("x", family=CO)
class Revoke:
    invitation: Id


@action("dl", family=CO)
class DeadlineChooseYear:
    office: Id


@action("dy", family=CO)
class OfficeDeadline:
    office: Id
    year: Year


@action("ap", family=CO)
class SetApproval:
    office: Id
    on: Page


@action("b", family=CO)
class Board:
    office: Id
    year: Year


@action("ru", family=CO)
class Rollup:
    office: Id
    year: Year


# -- an agency and its report --------------------------------------------------------------------------
@action("d", family=CO)
class Drill:
    agency: Id
    year: Year


@action("ad", family=CO)
class AgencyDeadline:
    agency: Id
    year: Year


@action("s", family=CO)
class SelectAgency:
    agency: Id


@action("r", family=CO)
class Review:
    agency: Id
    year: Year


@action("ok", family=CO)
class Approve:
    report: Id
    version: Version


@action("rt", family=CO)
class Return:
    report: Id


@action("cm", family=CO)
class Comment:
    report: Id


@action("h", family=CO)
class History:
    report: Id
    page: Page


# -- joining by invitation ---------------------------------------------------------------------------------
@action("j", family=CO)
class Join:
    token: Key


@action("jn", family=CO)
class JoinCancel: ...
