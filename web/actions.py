"""What a coordinator or reviewer does from the desk: remind an agency now, approve or return a
report, create an invitation link. Each checks the visitor's rights (storage/access.py) on the
server, writes through the storage rule the chat uses, then answers with a page (Post/Redirect/Get
where there is nothing secret to show)."""

from __future__ import annotations

import datetime as dt

from starlette.requests import Request
from starlette.responses import Response

from report import deadlines as dl
from report import terms
from storage import access, approval, desk_actions
from storage import invitations as inv
from storage.store import NotFound

from . import texts as T
from .desk import Visitor
from .views import action, desk_of, int_param, message, not_allowed, redirect, render

ROLES = ("officer", "reviewer")


@action
def remind(request: Request, visitor: Visitor, form: dict) -> Response:
    d = desk_of(request)
    agency_id = request.path_params["agency_id"]
    year = request.path_params["year"]
    if not (2000 <= year <= 2100) or not access.can_coordinate_agency(d.store, visitor.who, agency_id):
        return not_allowed(request, visitor)
    agency = d.store.get_agency(agency_id)
    info = d.store.find_report(agency.id, year)
    if info is not None and info.status in desk_actions.DONE_STATES:
        return message(request, T.REMIND_DONE, 409, visitor)
    request_id = form.get("request_id", "")
    if not desk_actions.REQUEST_ID.match(request_id):
        return message(request, T.BAD_FORM, 400, visitor)
    gaps = None
    if info is not None:
        report, _ = d.store.load_report(info.id)
        if report.values or report.narratives:
            gaps = dl.report_gaps(report)
    deadline, _ = d.deadline(agency, year)
    result = desk_actions.send_now(d.store, agency, year, deadline, request_id=request_id, report=info, gaps=gaps,
                                   now=d.now(), today=d.today())
    if not result.officers:
        return message(request, T.REMIND_NOBODY, 409, visitor)
    lines = [T.REMINDED.format(n=result.queued) if result.queued else T.REMINDED_AGAIN]
    if result.muted:
        lines.append(T.REMINDED_MUTED.format(n=result.muted))
    back = form.get("back") == "board" and agency.office_id is not None
    return render(request, "done.html", {
        "lines": lines,
        "back": f"/office/{agency.office_id}/board?year={year}" if back else f"/agency/{agency.id}/{year}",
        "back_label": T.BACK_TO_BOARD if back else T.REPORT_TITLE.format(agency=agency.name, year=year),
    }, visitor=visitor)


def _review(request: Request, visitor: Visitor, form: dict, approve: bool) -> Response:
    d = desk_of(request)
    report_id = request.path_params["report_id"]
    comment = form.get("comment", "")
    if approve:
        version = int_param(form.get("version"))
        if version is None:
            return message(request, T.BAD_FORM, 400, visitor)
        out = approval.approve(d.store, visitor.who, report_id, expected_version=version, comment=comment,
                               source="web")
    else:
        out = approval.return_report(d.store, visitor.who, report_id, comment=comment,
                                     expected_version=int_param(form.get("version")), source="web")
    if out.result == approval.NOT_ALLOWED:
        return not_allowed(request, visitor)
    if not out.ok:
        text = T.APPROVAL_REFUSED[out.result].format(n=out.errors)
        return message(request, text, 409, visitor)
    return redirect(request, f"/agency/{out.info.agency_id}/{out.info.year}", done="approved" if approve else "returned")


@action
def approve(request: Request, visitor: Visitor, form: dict) -> Response:
    return _review(request, visitor, form, True)


@action
def return_report(request: Request, visitor: Visitor, form: dict) -> Response:
    return _review(request, visitor, form, False)


@action
def invite(request: Request, visitor: Visitor, form: dict) -> Response:
    d = desk_of(request)
    office_id = request.path_params["office_id"]
    try:
        office = d.store.get_office(office_id)
    except NotFound:
        return not_allowed(request, visitor)
    if not access.can_coordinate_office(d.store, visitor.who, office.id):
        return not_allowed(request, visitor)
    target, role = form.get("target", ""), form.get("role", "")
    agency = None
    if target == "office" and role == "coordinator":
        pass
    elif target.startswith("agency:") and role in ROLES:
        agency_id = int_param(target.removeprefix("agency:"))
        try:
            agency = d.store.get_agency(agency_id) if agency_id is not None else None
        except NotFound:
            agency = None
        if agency is None or agency.office_id != office.id:
            return message(request, T.INVITE_BAD, 400, visitor)
    else:
        return message(request, T.INVITE_BAD, 400, visitor)
    username = (d.settings.bot_username or "").lstrip("@")
    if not username:
        return message(request, T.NO_BOT_USERNAME, 409, visitor)
    token, info = inv.create_invitation(
        d.store, role=role, created_by=visitor.who.user_id, agency_id=agency.id if agency else None,
        office_id=None if agency else office.id, days=int(d.settings.invitation_days or 7), now=d.now(),
    )
    link = f"https://t.me/{username}?start={token}"
    return render(request, "invitation.html", {
        "office": office, "role": terms.role(role), "target": agency.name if agency else office.name,
        "link": link, "expires": d.local(info.expires_at.astimezone(dt.UTC)),
    }, visitor=visitor)
