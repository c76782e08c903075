"""What coordination screens share: dates as people read them, each agency's deadline and how far
off it is, a report's status on the board, long lists cut into messages."""

from __future__ import annotations

import datetime as dt

from report import deadlines as dl
from report import terms
from report.model import Report
from storage import desk
from storage.errors import NotFound
from storage.infos import AgencyInfo, OfficeInfo, ReportInfo

from ..kit.io import Reply
from ..messages import coordination as T

MAX_MESSAGE = 3800


def local_time(ctx, at: dt.datetime) -> str:
    return T.DATETIME.format(d=at.astimezone(ctx.now.tzinfo))


def date_text(d: dt.date) -> str:
    return T.DATE.format(d=d)


def excerpt(text: str | None, n: int) -> str:
    text = (text or "").replace("\n", " ").strip()
    return text if len(text) <= n else text[:n] + "…"


def chunks(lines: list[str], limit: int = MAX_MESSAGE) -> list[str]:
    out: list[str] = []
    cur = ""
    for line in lines:
        if cur and len(cur) + len(line) + 1 > limit:
            out.append(cur)
            cur = ""
        cur = f"{cur}\n{line}" if cur else line
    if cur:
        out.append(cur)
    return out or [""]


def replies(lines: list[str], buttons: tuple = ()) -> list[Reply]:
    """Lines as messages of a readable length, the buttons under the last one."""
    parts = chunks(lines)
    return [Reply(c) for c in parts[:-1]] + [Reply(parts[-1], buttons)]


def calendar(ctx) -> dl.WorkCalendar:
    rem = ctx.settings.reminders
    return dl.WorkCalendar(rem.extra_holidays, rem.extra_workdays)


def agency_deadline(ctx, agency: AgencyInfo, year: int) -> tuple[dt.date, str]:
    """(deadline, source): the deadline the board and the reminders use (storage/desk.py)."""
    return desk.agency_deadline(ctx.store, agency, year, desk.DeadlineRules.from_settings(ctx.settings))


def days_left(ctx, deadline: dt.date) -> str:
    n = dl.working_days_left(ctx.today, deadline, calendar(ctx))
    if n > 0:
        return T.DAYS_LEFT.format(n=n)
    if ctx.today <= deadline:
        return T.DAYS_DUE_TODAY
    return T.DAYS_OVERDUE.format(n=-n)


def status_of(info: ReportInfo | None, report: Report | None) -> str:
    """未开始 / 填报中 / 待审核 / 已提交 (report/terms.py), as the board states it (storage/desk.py)."""
    return terms.report_status(desk.state_of(info, report))


def office_of(ctx, office_id: int | None) -> OfficeInfo | None:
    if office_id is None:
        return None
    try:
        return ctx.store.get_office(office_id)
    except NotFound:
        return None


def agency_of(ctx, agency_id: int) -> AgencyInfo | None:
    try:
        return ctx.store.get_agency(agency_id)
    except NotFound:
        return None


def default_year(ctx) -> int:
    return ctx.today.year - 1


def parse_deadline(text: str, year: int) -> tuple[dt.date | None, str | None]:
    """(date, None) or (None, the reason it is refused). A report's deadline lies in year + 1."""
    from report.numbers import parse_date

    from ..kit.texts import quote

    date = parse_date(text)
    if date is None:
        return None, T.DEADLINE_BAD.format(text=quote(text))
    if date.year != year + 1:
        return None, T.DEADLINE_BAD_YEAR.format(year=year, next_year=year + 1)
    return date, None
