"""The home page and the office's board (sortable and filterable by query parameters)."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from report import deadlines as dl
from report import terms
from storage import access, desk
from storage.store import NotFound

from . import texts as T
from .desk import Visitor
from .views import desk_of, not_allowed, page, render, year_param

SORTS = {
    "agency": lambda r: r.agency.name,
    "kind": lambda r: (r.agency.kind, r.agency.name),
    "deadline": lambda r: (r.deadline, r.agency.name),
    "status": lambda r: (list(terms.REPORT_STATUSES).index(r.status), r.agency.name),
    "progress": lambda r: (r.done / r.total if r.total else 0, r.agency.name),
    "errors": lambda r: (r.errors, r.agency.name),
    "warnings": lambda r: (r.warnings, r.agency.name),
    "changed": lambda r: (r.last_change_at.timestamp() if r.last_change_at else 0, r.agency.name),
}
COLUMNS = (
    ("agency", T.COL_AGENCY), ("kind", T.COL_KIND), ("deadline", T.COL_DEADLINE), ("status", T.COL_STATUS),
    ("progress", T.COL_PROGRESS), ("errors", T.COL_ERRORS), ("warnings", T.COL_WARNINGS),
    ("changed", T.COL_CHANGED),
)
MAX_QUERY = 50


@page
def home(request: Request, visitor: Visitor) -> Response:
    d = desk_of(request)
    offices = access.visible_offices(d.store, visitor.who)
    agencies = access.member_agencies(d.store, visitor.who)
    return render(request, "home.html", {"offices": offices, "agencies": agencies, "year": d.default_year()},
                  visitor=visitor)


def _office(request: Request, visitor: Visitor):
    d = desk_of(request)
    office_id = request.path_params["office_id"]
    try:
        office = d.store.get_office(office_id)
    except NotFound:
        return None
    return office if access.can_coordinate_office(d.store, visitor.who, office.id) else None


@page
def board(request: Request, visitor: Visitor) -> Response:
    d = desk_of(request)
    office = _office(request, visitor)
    if office is None:
        return not_allowed(request, visitor)
    q = request.query_params
    year = year_param(q.get("year"), d.default_year())
    result = desk.board(d.store, office, year, d.today(), d.rules)
    sort = q.get("sort") if q.get("sort") in SORTS else "agency"
    descending = q.get("order") == "desc"
    status = q.get("status") if q.get("status") in terms.REPORT_STATUSES else ""
    kind = q.get("kind") if q.get("kind") in terms.AGENCY_KINDS else ""
    name = (q.get("q") or "").strip()[:MAX_QUERY]
    rows = [
        r for r in result.rows
        if (not status or r.status == status) and (not kind or r.agency.kind == kind)
        and (not name or name in r.agency.name)
    ]
    rows.sort(key=SORTS[sort], reverse=descending)
    filters = {"year": year, "status": status or None, "kind": kind or None, "q": name or None}

    def sort_link(column: str) -> str:
        order = "desc" if column == sort and not descending else "asc"
        params = {k: v for k, v in {**filters, "sort": column, "order": order}.items() if v}
        return d.url(f"/office/{office.id}/board?") + urlencode(params)

    counts = result.counts()
    done, total = result.sections_done
    return render(request, "board.html", {
        "office": office, "year": year, "board": result, "rows": rows, "counts": counts,
        "sections_done": done, "sections_total": total,
        "submitted": counts[terms.SUBMITTED], "columns": COLUMNS, "sort": sort, "descending": descending,
        "sort_link": sort_link, "status": status, "kind": kind, "name": name,
        "days_left": lambda deadline: dl.working_days_left(d.today(), deadline, d.calendar),
        "own_deadline": dl.SOURCE_AGENCY, "request_id": secrets.token_urlsafe(12),
        "bot_username": bool(d.settings.bot_username),
    }, visitor=visitor)
