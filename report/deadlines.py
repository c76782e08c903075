"""Deadlines, working days and the reminder schedule. Pure: no SQL, no Telegram.

Deadlines
    The legal default for report year Y (条例 Art. 49): a department (县级以上人民政府部门) by
    Y+1-01-31; a government's report by Y+1-03-31. Township/street offices and other agencies have
    local dates, passed in as ``MM-DD`` strings (settings.reminders.township_deadline /
    other_deadline). An agency override for the year beats an office override, which beats the
    default (:func:`effective_deadline`).

Working days
    :class:`WorkCalendar` asks chinese-calendar (调休 make-up days are working days, statutory
    holidays are not). For a year the library has no data for it falls back to Monday–Friday, and
    logs a warning once per year and calendar. Dates from config (extra_holidays / extra_workdays)
    always win over both.

Schedule
    One reminder per offset (days before the deadline; 0 is the day itself), kinds ``before_30``, …,
    ``before_1``, ``due_day``; then ``overdue_1`` … ``overdue_<max>`` every N working days after the
    deadline. A day that is not a working day moves to the *previous* working day. When two kinds
    land on the same day they are **merged** into one reminder: the most urgent kind (smallest offset)
    is kept and the others are listed in ``Reminder.merged`` — nobody gets three messages on the
    same morning. The send time is the configured local time in the configured time zone.

Working days left
    :func:`working_days_left` counts the working days from today up to and including the deadline
    (today included when it is a working day); after the deadline it is minus the number of working
    days elapsed after the deadline up to and including today.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger(__name__)

DEPARTMENT = "department"
GOVERNMENT = "government"
TOWNSHIP = "township"
OTHER = "other"
AGENCY_KINDS = (DEPARTMENT, GOVERNMENT, TOWNSHIP, OTHER)

DUE_DAY = "due_day"


# -- deadlines ---------------------------------------------------------------------------------
def month_day(text: str, year: int) -> dt.date:
    """``"02-20"`` in ``year`` → date(year, 2, 20)."""
    month, day = (int(x) for x in text.strip().split("-"))
    return dt.date(year, month, day)


def legal_deadline(
    year: int, kind: str, *, township_deadline: str = "02-20", other_deadline: str = "01-31"
) -> dt.date:
    """The default deadline for the report on ``year`` (always in the following year)."""
    if kind == DEPARTMENT:
        return dt.date(year + 1, 1, 31)
    if kind == GOVERNMENT:
        return dt.date(year + 1, 3, 31)
    if kind == TOWNSHIP:
        return month_day(township_deadline, year + 1)
    if kind == OTHER:
        return month_day(other_deadline, year + 1)
    raise ValueError(f"unknown agency kind: {kind!r}")


def effective_deadline(
    year: int,
    kind: str,
    *,
    township_deadline: str = "02-20",
    other_deadline: str = "01-31",
    office_override: dt.date | None = None,
    agency_override: dt.date | None = None,
) -> dt.date:
    """Agency override, else office override, else the legal default."""
    if agency_override is not None:
        return agency_override
    if office_override is not None:
        return office_override
    return legal_deadline(year, kind, township_deadline=township_deadline, other_deadline=other_deadline)


# -- working days ------------------------------------------------------------------------------
class WorkCalendar:
    """Working days in mainland China, with a weekend fallback for years without data."""

    def __init__(self, extra_holidays: Iterable[dt.date] = (), extra_workdays: Iterable[dt.date] = ()):
        self.extra_holidays = frozenset(extra_holidays)
        self.extra_workdays = frozenset(extra_workdays)
        self._cache: dict[dt.date, bool] = {}
        self._no_data_years: set[int] = set()

    def has_data(self, year: int) -> bool:
        try:
            chinese_calendar.is_workday(dt.date(year, 6, 1))
        except NotImplementedError:
            return False
        return True

    def is_workday(self, day: dt.date) -> bool:
        cached = self._cache.get(day)
        if cached is not None:
            return cached
        if day in self.extra_workdays:
            result = True
        elif day in self.extra_holidays:
            result = False
        else:
            try:
                result = bool(chinese_calendar.is_workday(day))
            except NotImplementedError:
                if day.year not in self._no_data_years:
                    self._no_data_years.add(day.year)
                    log.warning(
                        "chinese-calendar has no data for %s: working days fall back to Monday-Friday "
                        "plus reminders.extra_holidays / extra_workdays from the config",
                        day.year,
                    )
                result = day.weekday() < 5
        self._cache[day] = result
        return result

    def previous_workday(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the nearest earlier working day."""
        for _ in range(366):
            if self.is_workday(day):
                return day
            day -= dt.timedelta(days=1)
        raise ValueError("no working day within a year")  # pragma: no cover - calendar nonsense

    def next_workday(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the nearest later working day."""
        for _ in range(366):
            if self.is_workday(day):
                return day
            day += dt.timedelta(days=1)
        raise ValueError("no working day within a year")  # pragma: no cover

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days d with a <= d < b (negative of the reverse count when b < a)."""
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        day = a
        one = dt.timedelta(days=1)
        while day < b:
            if self.is_workday(day):
                count += 1
            day += one
        return count

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day strictly after ``day`` (n >= 1)."""
        if n < 1:
            raise ValueError("n must be >= 1")
        one = dt.timedelta(days=1)
        while n:
            day += one
            if self.is_workday(day):
                n -= 1
        return day


def working_days_left(today: dt.date, deadline: dt.date, calendar: WorkCalendar) -> int:
    """Working days from today through the deadline (both included); negative once overdue."""
    one = dt.timedelta(days=1)
    if today <= deadline:
        return calendar.working_days_between(today, deadline + one)
    return -calendar.working_days_between(deadline + one, today + one)


# -- schedule ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScheduleParams:
    offsets_days: tuple[int, ...] = (30, 14, 7, 3, 1, 0)
    overdue_every_working_days: int = 2
    overdue_max: int = 5
    send_time: dt.time = dt.time(9, 30)
    working_hours_end: dt.time = dt.time(17, 30)
    timezone: str = "Asia/Shanghai"

    @classmethod
    def from_settings(cls, reminders: Any, timezone: str) -> ScheduleParams:
        """From an object shaped like bot.settings.ReminderSettings (duck-typed: report/ is pure)."""
        return cls(
            offsets_days=tuple(reminders.offsets_days),
            overdue_every_working_days=reminders.overdue_every_working_days,
            overdue_max=reminders.overdue_max,
            send_time=reminders.send_time,
            working_hours_end=reminders.working_hours_end,
            timezone=timezone,
        )

    @property
    def tz(self) -> ZoneInfo:
        return _zone(self.timezone)


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True)
class Reminder:
    kind: str
    send_at: dt.datetime  # aware, in the configured time zone
    working_days_left: int  # at send_at; negative when overdue
    merged: tuple[str, ...] = field(default=())  # other kinds that fell on the same day

    @property
    def overdue(self) -> bool:
        return self.kind.startswith("overdue_")


def kind_for_offset(offset: int) -> str:
    return DUE_DAY if offset == 0 else f"before_{offset}"


def schedule(deadline: dt.date, params: ScheduleParams, calendar: WorkCalendar) -> list[Reminder]:
    """Every reminder for one deadline, in send order."""
    tz = params.tz
    by_day: dict[dt.date, list[int]] = {}
    for offset in sorted({o for o in params.offsets_days if o >= 0}, reverse=True):
        day = calendar.previous_workday(deadline - dt.timedelta(days=offset))
        by_day.setdefault(day, []).append(offset)
    out: list[Reminder] = []
    for day in sorted(by_day):
        offsets = sorted(by_day[day])  # most urgent first
        out.append(
            Reminder(
                kind=kind_for_offset(offsets[0]),
                send_at=dt.datetime.combine(day, params.send_time, tzinfo=tz),
                working_days_left=working_days_left(day, deadline, calendar),
                merged=tuple(kind_for_offset(o) for o in offsets[1:]),
            )
        )
    every = max(1, params.overdue_every_working_days)
    for k in range(1, params.overdue_max + 1):
        day = calendar.add_working_days(deadline, k * every)
        out.append(
            Reminder(
                kind=f"overdue_{k}",
                send_at=dt.datetime.combine(day, params.send_time, tzinfo=tz),
                working_days_left=-(k * every),
            )
        )
    return out


def latest_due(reminders: Sequence[Reminder], now: dt.datetime) -> Reminder | None:
    """The last reminder whose send time has come (the one to send; older ones are superseded)."""
    due = None
    for r in reminders:
        if r.send_at <= now:
            due = r
        else:
            break
    return due


def digest_days(
    deadlines: Iterable[dt.date], calendar: WorkCalendar, *, weekly_from: int = 30, daily_from: int = 7
) -> set[dt.date]:
    """Days a coordinator gets a digest: weekly in the last ``weekly_from`` days before any of the
    deadlines (30, 23, 16, 9 days before), daily in the last ``daily_from`` (7 … 0), each moved to
    the previous working day."""
    days: set[dt.date] = set()
    offsets = list(range(weekly_from, daily_from, -7)) + list(range(daily_from, -1, -1))
    for deadline in set(deadlines):
        for offset in offsets:
            days.add(calendar.previous_workday(deadline - dt.timedelta(days=offset)))
    return days


def in_working_hours(now: dt.datetime, params: ScheduleParams, calendar: WorkCalendar) -> bool:
    local = now.astimezone(params.tz)
    return calendar.is_workday(local.date()) and params.send_time <= local.time() < params.working_hours_end


def next_send_slot(after: dt.datetime, params: ScheduleParams, calendar: WorkCalendar) -> dt.datetime:
    """The send time of the first working day strictly after ``after``'s local date."""
    local = after.astimezone(params.tz)
    day = calendar.next_workday(local.date() + dt.timedelta(days=1))
    return dt.datetime.combine(day, params.send_time, tzinfo=params.tz)


# -- what is missing ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Gaps:
    done: int
    total: int
    missing: tuple[str, ...]  # section titles not started or in progress
    errors: tuple[str, ...]  # section titles with problems


def report_gaps(report: Any, problems: list | None = None) -> Gaps:
    """Progress k/N and the titles of the sections still to fill or in error."""
    from .validation import DONE, HAS_PROBLEMS, section_statuses

    statuses = section_statuses(report, problems)
    for sid in statuses:  # a section with nothing entered is "to fill", whatever validation says
        if report.section_answered(sid)[0] == 0:
            statuses[sid] = "not_started"
    titles = {s.id: s.title for s in report.format.sections}
    return Gaps(
        done=sum(1 for s in statuses.values() if s == DONE),
        total=len(statuses),
        missing=tuple(titles[sid] for sid, s in statuses.items() if s not in (DONE, HAS_PROBLEMS)),
        errors=tuple(titles[sid] for sid, s in statuses.items() if s == HAS_PROBLEMS),
    )


def empty_gaps(format_sections: Sequence[Any]) -> Gaps:
    """Gaps of a report not started (no report row yet)."""
    return Gaps(done=0, total=len(format_sections), missing=tuple(s.title for s in format_sections), errors=())


# -- the coordinator's digest ------------------------------------------------------------------
@dataclass(frozen=True)
class DigestCounts:
    submitted: int = 0
    in_progress: int = 0
    not_started: int = 0
    overdue: int = 0
    failed_deliveries: int = 0
    overdue_agencies: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        return self.submitted + self.in_progress + self.not_started


# -- override resolution -----------------------------------------------------------------------
SOURCE_LEGAL = "legal"
SOURCE_DEFAULT = "default"  # township / other: a configured default, not set by law
SOURCE_CONFIG = "config"
SOURCE_OFFICE = "office"
SOURCE_AGENCY = "agency"


@dataclass(frozen=True)
class DeadlineRules:
    """What besides the database decides a deadline: the configuration's overrides and the
    configured defaults for township and other agencies."""

    config_overrides: tuple[Any, ...] = ()  # bot.settings.DeadlineOverride-shaped objects
    township_deadline: str = "02-20"
    other_deadline: str = "01-31"

    @classmethod
    def from_settings(cls, settings: Any) -> DeadlineRules:
        """From an object shaped like bot.settings.Settings (duck-typed: report/ is pure)."""
        r = settings.reminders
        return cls(tuple(settings.deadline_overrides), r.township_deadline, r.other_deadline)

    def resolve(
        self,
        year: int,
        kind: str,
        *,
        agency: str | None = None,
        office: str | None = None,
        agency_date: dt.date | None = None,
        office_date: dt.date | None = None,
    ) -> tuple[dt.date, str]:
        """(deadline, source): :func:`resolve_deadline` under these rules; ``agency_date`` and
        ``office_date`` are the dates set in the database."""
        return resolve_deadline(
            year, kind, agency=agency, office=office, config_overrides=self.config_overrides,
            db_agency_date=agency_date, db_office_date=office_date,
            township_deadline=self.township_deadline, other_deadline=self.other_deadline,
        )


def resolve_deadline(
    year: int,
    kind: str,
    *,
    agency: str | None = None,
    office: str | None = None,
    config_overrides: Iterable[Any] = (),
    db_agency_date: dt.date | None = None,
    db_office_date: dt.date | None = None,
    township_deadline: str = "02-20",
    other_deadline: str = "01-31",
) -> tuple[dt.date, str]:
    """(deadline, source) for one agency. ``config_overrides`` are objects with year, date, agency,
    office (bot.settings.DeadlineOverride). Precedence: agency (database, then config) > office
    (database, then config) > a config override naming neither (all agencies that year) > the
    legal default (for township / other kinds: the configured default). Source is one of legal /
    default / config / office / agency."""
    cfg_agency = cfg_office = cfg_all = None
    for o in config_overrides:
        if o.year != year:
            continue
        if o.agency:
            if agency is not None and o.agency == agency:
                cfg_agency = o.date
        elif o.office:
            if office is not None and o.office == office:
                cfg_office = o.date
        else:
            cfg_all = o.date
    agency_date = db_agency_date or cfg_agency
    if agency_date is not None:
        return agency_date, SOURCE_AGENCY
    office_date = db_office_date or cfg_office
    if office_date is not None:
        return office_date, SOURCE_OFFICE
    if cfg_all is not None:
        return cfg_all, SOURCE_CONFIG
    return (
        legal_deadline(year, kind, township_deadline=township_deadline, other_deadline=other_deadline),
        SOURCE_LEGAL if kind in ("department", "government") else SOURCE_DEFAULT,
    )
