"""One report: its tables as the format prints them, problem cells, last year beside this year,
the narratives, the audit trail, the files, and the actions the visitor may take on it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from report import deadlines as dl
from report import render as rr
from report import terms
from report.history import value_shown, what_changed
from report.model import Report, Value
from report.numbers import format_value
from report.render.grid import Grid, horizontal_grid, is_horizontal, vertical_grid
from report.validation import ERROR, validate
from storage import access, desk
from storage.store import AgencyInfo, NotFound, ReportInfo

from . import texts as T
from .desk import Visitor
from .views import desk_of, download, not_allowed, page, render, year_param

FILE_KINDS = ("docx", "html", "xlsx", "txt")
HISTORY_SHOWN = 200
EXCERPT = 60


@dataclass
class TableView:
    caption: str
    grid: Grid


def _grids(report: Report, values: dict[str, Value]) -> dict[str, list[TableView]]:
    """Section id → its tables, each with its own caption and header rows."""
    out: dict[str, list[TableView]] = {}
    fmt = report.format
    for section in fmt.sections:
        if section.kind == "narrative":
            continue
        views = []
        for table in section.tables:
            grid = (horizontal_grid(report, table, values) if is_horizontal(table, fmt.id)
                    else vertical_grid(report, table, values))
            caption = section.title + (f" {table.caption}" if table.caption else "")
            views.append(TableView(caption, grid))
        out[section.id] = views
    return out


def _change(now: Value, before: Value) -> str:
    if now is None or before is None:
        return ""
    delta = now - before
    sign = "+" if delta > 0 else ""
    return T.CHANGE.format(sign=sign, delta=format_value(delta)) if delta else ""


def _lookup(request: Request, visitor: Visitor) -> tuple[AgencyInfo, int] | None:
    d = desk_of(request)
    try:
        agency = d.store.get_agency(request.path_params["agency_id"])
    except NotFound:
        return None
    if not access.can_read_agency(d.store, visitor.who, agency.id):
        return None
    return agency, year_param(str(request.path_params["year"]), 0)


@page
def report_page(request: Request, visitor: Visitor) -> Response:
    found = _lookup(request, visitor)
    if found is None or not found[1]:
        return not_allowed(request, visitor)
    agency, year = found
    d = desk_of(request)
    who = visitor.who
    info = d.store.find_report(agency.id, year)
    deadline, _source = d.deadline(agency, year)
    coordinates = access.can_coordinate_agency(d.store, who, agency.id)
    ctx = {"agency": agency, "year": year, "info": info, "deadline": deadline, "coordinates": coordinates,
           "reviews": access.can_review(d.store, who, agency.id), "request_id": secrets.token_urlsafe(12),
           "notice": request.query_params.get("done"), "file_kinds": FILE_KINDS}
    if info is None:
        return render(request, "report.html", {**ctx, "report": None, "state": terms.NOT_STARTED}, visitor=visitor)
    report, version = d.store.load_report(info.id)
    prev_info = d.store.find_report(agency.id, year - 1)
    previous = d.store.load_report(prev_info.id)[0] if prev_info is not None else None
    problems = validate(report, previous)
    by_cell: dict[str, list] = {}  # cell key → [(problem number, problem)]
    for i, p in enumerate(problems, start=1):
        for key in p.cells:
            by_cell.setdefault(key, []).append((i, p))
    values = report.effective()
    before = previous.effective() if previous is not None else {}
    events = d.store.audit_events(info.id)
    state = desk.state_of(info, report)
    gaps = dl.report_gaps(report, problems)
    ctx.update({
        "report": report, "version": version, "state": state, "overdue": state != terms.SUBMITTED and deadline < d.today(),
        "done": gaps.done, "total": gaps.total, "problems": problems, "by_cell": by_cell, "ERROR": ERROR,
        "grids": _grids(report, values), "before": before, "previous": previous, "change": _change,
        "fmt_value": format_value, "events": list(reversed(events))[:HISTORY_SHOWN], "events_total": len(events),
        "what": lambda key: what_changed(report.format, key),
        "shown": lambda key, value: value_shown(key, value, EXCERPT),
        "can_approve": ctx["reviews"] and info.status == terms.AWAITING,
        "can_return": ctx["reviews"] and info.status in (terms.AWAITING, terms.SUBMITTED),
        "can_remind": coordinates and info.status not in (terms.AWAITING, terms.SUBMITTED),
    })
    ctx["info"] = ReportInfo(info.id, info.agency_id, info.year, info.format_id, info.status, version, info.updated_at)
    return render(request, "report.html", ctx, visitor=visitor)


@page
def report_file(request: Request, visitor: Visitor) -> Response:
    found = _lookup(request, visitor)
    kind = request.path_params["kind"]
    if found is None or not found[1] or kind not in FILE_KINDS:
        return not_allowed(request, visitor)
    agency, year = found
    d = desk_of(request)
    info = d.store.find_report(agency.id, year)
    if info is None:
        return not_allowed(request, visitor)
    report, _ = d.store.load_report(info.id)
    return download(rr.render(report, kind), rr.filename(report, kind), rr.mime_type(kind))
