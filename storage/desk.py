"""The coordinator's board and the office's figures, computed once for the chat's /board and the
web desk.

:func:`board` reads an office's agencies with their reports of the year in one query, every
stored cell and narrative of those reports in one more, then the latest change of each report, the
deadline overrides, failed reminder deliveries and the reviewers — a fixed number of statements
whatever the number of agencies. A report is read and validated only when its version is not
one the process has seen (a small cache keyed by id, version and time of the last change). Each row carries the stored state (terms: 未开始/填报中/待审核/
已提交), whether it is overdue (not submitted and the deadline has passed: 逾期), progress k/N,
errors and warnings, the deadline and where it comes from, and the last change and by whom.

Rights are the caller's business (storage/access.py): nothing here checks who asks.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from report import formats, terms
from report.deadlines import DeadlineRules
from report.model import Report
from report.rollup import INCOMPLETE_RULES
from report.validation import ERROR, WARNING, progress, validate

from . import coordination as co
from .db import session_scope
from .models import Agency, AuditEvent, CellValue, Membership, ReportRow, User
from .store import AgencyInfo, OfficeInfo, ReportInfo, Store
from .values import decode

_CHUNK = 500  # ids per IN (...) list


def agency_deadline(store: Store, agency: AgencyInfo, year: int, rules: DeadlineRules) -> tuple[dt.date, str]:
    """(deadline, source) of one agency's report, as the board and the reminders find it: the
    agency's and its office's dates set in the database, then the configured rules."""
    office = store.get_office(agency.office_id) if agency.office_id is not None else None
    if office is None:
        return rules.resolve(year, agency.kind, agency=agency.name)
    office_date, agency_dates = co.deadline_overrides(store, year, office_id=office.id)
    return rules.resolve(year, agency.kind, agency=agency.name, office=office.name,
                         agency_date=agency_dates.get(agency.id), office_date=office_date)


@dataclass(frozen=True)
class BoardRow:
    agency: AgencyInfo
    report: ReportInfo | None
    state: str  # terms.NOT_STARTED / DRAFT / AWAITING / SUBMITTED
    overdue: bool
    done: int
    total: int
    errors: int  # validation errors other than "not filled in yet"
    warnings: int
    deadline: dt.date
    deadline_source: str  # report.deadlines.SOURCE_*
    last_change_at: dt.datetime | None
    last_change_by: str | None
    failed_deliveries: int  # reminders that could not be delivered (failed / unknown)
    reviewers: tuple[str, ...]  # the agency's reviewers (names), for a report awaiting approval

    @property
    def status(self) -> str:
        """What the board shows: 逾期 wins over the stored state."""
        return terms.OVERDUE if self.overdue else self.state


@dataclass(frozen=True)
class Board:
    office: OfficeInfo
    year: int
    today: dt.date
    rows: list[BoardRow]
    failed_digests: int  # the coordinators' own digests that could not be delivered

    def counts(self) -> dict[str, int]:
        """Agencies per shown status (every status of terms.REPORT_STATUSES, zeros included)."""
        out = dict.fromkeys(terms.REPORT_STATUSES, 0)
        for r in self.rows:
            out[r.status] += 1
        return out

    def state_counts(self) -> dict[str, int]:
        """Agencies per stored state (overdue or not)."""
        out = dict.fromkeys((terms.SUBMITTED, terms.AWAITING, terms.DRAFT, terms.NOT_STARTED), 0)
        for r in self.rows:
            out[r.state] += 1
        return out

    @property
    def sections_done(self) -> tuple[int, int]:
        """Sections complete over all sections of all the office's reports (the office's progress bar)."""
        return sum(r.done for r in self.rows), sum(r.total for r in self.rows)


# -- reading many reports at once ----------------------------------------------------------------------
def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    ids = list(ids)
    for i in range(0, len(ids), _CHUNK):
        yield ids[i:i + _CHUNK]


def load_reports(store: Store, infos: Iterable[tuple[ReportInfo, str]]) -> dict[int, Report]:
    """Domain reports of many reports at once (Store.load_reports: one statement per 500, the ones
    in memory not read again). ``infos``: (report info, agency name) pairs."""
    return store.load_reports(info.id for info, _name in infos)


def _last_changes(store: Store, report_ids: Sequence[int]) -> dict[int, tuple[dt.datetime, str | None]]:
    """report id → (when, by whom) of its latest audit event other than a comment."""
    out: dict[int, tuple[dt.datetime, str | None]] = {}
    for chunk in _chunks(report_ids):
        latest = (
            select(func.max(AuditEvent.id))
            .where(AuditEvent.report_id.in_(chunk), AuditEvent.key != co.COMMENT_KEY)
            .group_by(AuditEvent.report_id)
        )
        with session_scope(store.engine) as s:
            rows = s.execute(
                select(AuditEvent.report_id, AuditEvent.at, User.display_name, User.telegram_id)
                .outerjoin(User, User.id == AuditEvent.user_id)
                .where(AuditEvent.id.in_(latest))
            ).all()
        for rid, at, name, tg in rows:
            out[rid] = (at, name or (str(tg) if tg is not None else None))
    return out


def _reviewers(store: Store, office_id: int) -> dict[int, tuple[str, ...]]:
    """agency id → its reviewers' names (membership order), for the office's agencies."""
    with session_scope(store.engine) as s:
        rows = s.execute(
            select(Membership.agency_id, User.display_name, User.telegram_id)
            .join(User, User.id == Membership.user_id)
            .join(Agency, Agency.id == Membership.agency_id)
            .where(Agency.office_id == office_id, Membership.role == "reviewer")
            .order_by(Membership.id)
        ).all()
    out: dict[int, list[str]] = defaultdict(list)
    for aid, name, tg in rows:
        out[aid].append(name or str(tg))
    return {k: tuple(v) for k, v in out.items()}


def _failed_deliveries(store: Store, office_id: int) -> tuple[dict[int, int], int]:
    """Failed (or unknown) reminder deliveries: per agency id, and the office's own digests."""
    from . import reminders as rem_store  # the outbox's own query

    per_agency: dict[int, int] = defaultdict(int)
    digests = 0
    names = {a.name: a.id for a in store.agencies_of_office(office_id)}
    for f in rem_store.failed_deliveries(store.engine, office_id):
        if f.agency and f.agency in names:
            per_agency[names[f.agency]] += 1
        elif not f.agency:
            digests += 1
    return per_agency, digests


# -- the board ---------------------------------------------------------------------------------------------
def state_of(info: ReportInfo | None, report: Report | None) -> str:
    """The stored state in terms' codes: a report with nothing entered has not started."""
    if info is None or report is None or (not report.values and not report.narratives):
        return terms.NOT_STARTED
    return info.status if info.status in (terms.AWAITING, terms.SUBMITTED) else terms.DRAFT


@dataclass(frozen=True)
class _Figures:
    """What the board shows of one report version: state, progress, errors, warnings."""

    state: str
    done: int
    total: int
    errors: int
    warnings: int


class _FiguresCache:
    """Figures per report version, keyed by (id, version, updated_at): every write to a report bumps
    its version and updated_at, so an entry never outlives what it describes (a report deleted and
    its id reused has another updated_at). Bounded; shared by the threads of one process."""

    SIZE = 4096

    def __init__(self) -> None:
        self._items: OrderedDict[tuple, _Figures] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(info: ReportInfo) -> tuple:
        return (info.id, info.version, info.updated_at, info.status, info.format_id)

    def get(self, info: ReportInfo) -> _Figures | None:
        with self._lock:
            return self._items.get(self.key(info))

    def put(self, info: ReportInfo, figures: _Figures) -> None:
        with self._lock:
            self._items[self.key(info)] = figures
            while len(self._items) > self.SIZE:
                self._items.popitem(last=False)


_figures = _FiguresCache()


def _compute(info: ReportInfo, rep: Report) -> _Figures:
    problems = validate(rep)
    done, total = progress(rep, problems)
    return _Figures(
        state_of(info, rep), done, total,
        sum(1 for p in problems if p.severity == ERROR and p.rule not in INCOMPLETE_RULES),
        sum(1 for p in problems if p.severity == WARNING),
    )


def board(store: Store, office: OfficeInfo, year: int, today: dt.date, rules: DeadlineRules) -> Board:
    """Every agency of the office (by name) with its report's state for the year.

    Reports whose figures are known for their current version are neither read nor validated again;
    the others are read together (one statement per 500) and validated."""
    entries = co.office_reports(store, office.id, year)
    with_report = [(e.report, e.agency.name) for e in entries if e.report is not None]
    known = {info.id: f for info, _ in with_report if (f := _figures.get(info)) is not None}
    reports = load_reports(store, [(info, name) for info, name in with_report if info.id not in known])
    for info, _ in with_report:
        if info.id in reports:
            known[info.id] = _compute(info, reports[info.id])
            _figures.put(info, known[info.id])
    changes = _last_changes(store, [info.id for info, _ in with_report])
    office_date, agency_dates = co.deadline_overrides(store, year, office_id=office.id)
    failed, failed_digests = _failed_deliveries(store, office.id)
    reviewers = _reviewers(store, office.id)
    n_sections = len(formats.for_year(year).sections)
    rows = []
    for e in entries:
        f = known.get(e.report.id) if e.report is not None else None
        if f is None:
            f = _Figures(terms.NOT_STARTED, 0, n_sections, 0, 0)
        state, done, total, n_err, n_warn = f.state, f.done, f.total, f.errors, f.warnings
        deadline, source = rules.resolve(year, e.agency.kind, agency=e.agency.name, office=office.name,
                                         agency_date=agency_dates.get(e.agency.id), office_date=office_date)
        at, by = changes.get(e.report.id, (None, None)) if e.report is not None else (None, None)
        rows.append(BoardRow(
            agency=e.agency, report=e.report, state=state, overdue=state != terms.SUBMITTED and deadline < today,
            done=done, total=total, errors=n_err, warnings=n_warn, deadline=deadline, deadline_source=source,
            last_change_at=at, last_change_by=by, failed_deliveries=failed.get(e.agency.id, 0),
            reviewers=reviewers.get(e.agency.id, ()),
        ))
    return Board(office, year, today, rows, failed_digests)


# -- the office's figures ------------------------------------------------------------------------------------
def office_reports(store: Store, office_id: int, year: int) -> list[tuple[str, Report | None]]:
    """(agency name, its report of the year or None if missing or never filled), for the roll-up."""
    entries = co.office_reports(store, office_id, year)
    reports = load_reports(store, [(e.report, e.agency.name) for e in entries if e.report is not None])
    out = []
    for e in entries:
        rep = reports.get(e.report.id) if e.report is not None else None
        if rep is not None and not rep.values and not rep.narratives:
            rep = None  # created but never filled: still missing
        out.append((e.agency.name, rep))
    return out


APPLICATIONS_KEY = "s3.new.total"  # 本年新收政府信息公开申请数量, 总计


def applications(store: Store, office_id: int, years: Sequence[int]) -> dict[str, dict[int, int | None]]:
    """Applications received (三、本年新收, 总计) per agency (by name) and year; None: not entered."""
    years = sorted(set(years))
    with session_scope(store.engine) as s:
        agencies = s.execute(
            select(Agency.id, Agency.name).where(Agency.office_id == office_id).order_by(Agency.name)
        ).all()
        infos = s.execute(
            select(ReportRow.id, ReportRow.year, ReportRow.format_id, ReportRow.agency_id)
            .join(Agency, Agency.id == ReportRow.agency_id)
            .where(Agency.office_id == office_id, ReportRow.year.in_(years))
        ).all()
        prefix = APPLICATIONS_KEY.rsplit(".", 1)[0] + "."
        cells: dict[int, dict[str, int | Decimal]] = defaultdict(dict)
        for chunk in _chunks([i.id for i in infos]):
            for rid, key, kind, iv, text in s.execute(
                select(CellValue.report_id, CellValue.key, CellValue.kind, CellValue.int_value,
                       CellValue.decimal_text)
                .where(CellValue.report_id.in_(chunk), CellValue.key.startswith(prefix))
            ).all():
                if kind is not None:
                    cells[rid][key] = decode(key, kind, iv, text)
    by_agency: dict[int, dict[int, int | None]] = {aid: dict.fromkeys(years) for aid, _ in agencies}
    for rid, year, fmt_id, aid in infos:
        if not cells.get(rid):
            continue
        rep = Report(format=formats.for_year(year, fmt_id), year=year, values=cells[rid])
        value = rep.effective().get(APPLICATIONS_KEY)
        by_agency[aid][year] = int(value) if value is not None else None
    return {name: by_agency[aid] for aid, name in agencies}
