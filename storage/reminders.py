"""The reminder outbox: planning due reminders, claiming them for delivery, recording the outcome.

Every public function is one transaction on the given engine and returns plain values.

Planning (:func:`plan`)
    For report years ``today.year - 1`` and ``today.year`` (a December reminder is for the report
    due next January), for every agency whose report is not submitted (a draft, or no report row
    yet): compute the agency's deadline (agency override > office override > legal default, see
    report.deadlines.resolve_deadline), its schedule, and the *latest* reminder whose send time has
    come and whose window (until the next reminder) is still open. Older kinds are superseded, so
    a bot that was down does not fire a backlog. One outbox row per recipient: the agency's
    officers, and for overdue kinds also the coordinators of the agency's office. A report
    ``awaiting_approval`` (the officer submitted, the office wants a reviewer's 批准提交) is the
    reviewers' turn: its officers get nothing, its reviewers get the same schedule under their own
    kinds (``review_<kind>``, e.g. ``review_before_3``). Submitted reports get nothing.
    Coordinators also get a digest of their office's agencies (weekly in the last 30 days before a
    deadline, daily in the last 7). Users muted (muted_until >= today) or snoozed
    (snoozed_until > now) are skipped. Inserts are idempotent: existing keys are skipped and the
    insert itself is ``ON CONFLICT DO NOTHING`` on the (recipient, subject, kind) unique index, so
    two planners racing insert each row once.

    Subject: ``report:<id>`` when the report row exists, else ``agency:<id>:<year>``.

Approval requests (:func:`request_approval`)
    When an officer submits for approval, every reviewer of the agency gets one row at once, kind
    ``approval_request_v<version>`` (the report version after the status change: pressing 提交 twice
    or replanning inserts nothing new; a report returned and submitted again is a new request).
    They are event notices, not deadline reminders: they ignore mute and snooze, and the sweeper
    delivers them outside working hours too. :func:`plan` re-inserts missing ones for reports still
    awaiting approval (a crash between the status change and the request, a reviewer added since).

Delivery states
    pending → (claim) sending → sent | failed (permanent) | unknown (read timeout: it may have
    arrived, never resent automatically) | pending again (retry_at, on connection errors and flood
    control). :func:`claim` marks rows sending and notes the claim (time and attempt count) in the
    payload under ``"_claim"``; :func:`start_attempt` increments ``attempts`` right before the HTTP
    call. :func:`recover_stale` looks at rows still ``sending`` long after their claim (a process
    died mid-sweep): if their attempt never started they go back to ``pending`` (safe to send, so
    none is dropped); if it started they become ``unknown`` (never sent twice).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from report import deadlines as dl
from report import formats
from report.model import Report

from .db import session_scope
from .models import (
    AWAITING_APPROVAL,
    Agency,
    AuditEvent,
    CellValue,
    DeadlineOverrideRow,
    Membership,
    NarrativePartRow,
    Office,
    ReminderOutbox,
    ReportRow,
    User,
    agency_scope,
    office_scope,
    report_subject,
)

CLAIM_KEY = "_claim"
REPORT_PAYLOAD = "report"
DIGEST_PAYLOAD = "digest"
APPROVAL_PAYLOAD = "approval"
APPROVAL_KIND = "approval_request"  # + "_v<version>"
REVIEW_KIND = "review_"  # + the schedule's kind, for reviewers of a report awaiting approval
AWAITING = AWAITING_APPROVAL
_CHUNK = 500


# -- config -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanConfig:
    params: dl.ScheduleParams = field(default_factory=dl.ScheduleParams)
    township_deadline: str = "02-20"
    other_deadline: str = "01-31"
    config_overrides: tuple[Any, ...] = ()  # bot.settings.DeadlineOverride-shaped objects

    @classmethod
    def from_settings(cls, settings: Any) -> PlanConfig:
        r = settings.reminders
        return cls(
            params=dl.ScheduleParams.from_settings(r, settings.timezone),
            township_deadline=r.township_deadline,
            other_deadline=r.other_deadline,
            config_overrides=tuple(settings.deadline_overrides),
        )


def calendar_from_settings(settings: Any) -> dl.WorkCalendar:
    r = settings.reminders
    return dl.WorkCalendar(extra_holidays=r.extra_holidays, extra_workdays=r.extra_workdays)


# -- plain values -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class OutboxItem:
    id: int
    recipient_user_id: int
    chat_id: int
    report_id: int | None
    office_id: int | None
    subject: str
    kind: str
    due_at: dt.datetime
    status: str
    attempts: int
    last_error: str | None
    sent_at: dt.datetime | None
    payload: dict


def _item(r: ReminderOutbox) -> OutboxItem:
    payload = json.loads(r.payload or "{}")
    payload.pop(CLAIM_KEY, None)
    return OutboxItem(
        id=r.id,
        recipient_user_id=r.recipient_user_id,
        chat_id=r.chat_id,
        report_id=r.report_id,
        office_id=r.office_id,
        subject=r.subject,
        kind=r.kind,
        due_at=r.due_at,
        status=r.status,
        attempts=r.attempts,
        last_error=r.last_error,
        sent_at=r.sent_at,
        payload=payload,
    )


@dataclass(frozen=True)
class AgencyDeadline:
    agency_id: int
    name: str
    kind: str
    office_id: int | None
    office_name: str | None
    deadline: dt.date
    source: str  # legal / config / office / agency


@dataclass(frozen=True)
class AgencyStatus:
    agency_id: int
    name: str
    deadline: dt.date
    status: str  # submitted / awaiting_approval / in_progress / not_started
    overdue: bool


@dataclass(frozen=True)
class FailedDelivery:
    outbox_id: int
    recipient_user_id: int
    recipient_name: str
    agency: str | None
    kind: str
    status: str  # failed / unknown
    last_error: str | None
    due_at: dt.datetime


# -- deadlines --------------------------------------------------------------------------------------
def set_deadline_override(
    engine: Engine, year: int, date: dt.date, *, agency_id: int | None = None, office_id: int | None = None
) -> None:
    """Set (replace) the deadline of one agency or one office's agencies for a report year."""
    if (agency_id is None) == (office_id is None):
        raise ValueError("须指定机关或协调办公室之一")
    scope = agency_scope(agency_id) if agency_id is not None else office_scope(office_id)
    with session_scope(engine, write=True) as s:
        row = s.execute(
            select(DeadlineOverrideRow).where(DeadlineOverrideRow.scope == scope, DeadlineOverrideRow.year == year)
        ).scalars().first()
        if row is None:
            s.add(DeadlineOverrideRow(agency_id=agency_id, office_id=office_id, scope=scope, year=year, date=date))
        else:
            row.date = date


def _deadlines(s, year: int, cfg: PlanConfig, agency_filter=None) -> list[AgencyDeadline]:
    overrides = {
        scope: date
        for scope, date in s.connection().execute(
            select(DeadlineOverrideRow.scope, DeadlineOverrideRow.date).where(DeadlineOverrideRow.year == year)
        ).all()
    }
    q = select(Agency.id, Agency.name, Agency.kind, Agency.office_id, Office.name).outerjoin(
        Office, Office.id == Agency.office_id
    )
    if agency_filter is not None:
        q = q.where(agency_filter)
    out = []
    for aid, name, kind, office_id, office_name in s.connection().execute(q.order_by(Agency.id)).all():
        date, source = dl.resolve_deadline(
            year,
            kind,
            agency=name,
            office=office_name,
            config_overrides=cfg.config_overrides,
            db_agency_date=overrides.get(agency_scope(aid)),
            db_office_date=overrides.get(office_scope(office_id)) if office_id is not None else None,
            township_deadline=cfg.township_deadline,
            other_deadline=cfg.other_deadline,
        )
        out.append(AgencyDeadline(aid, name, kind, office_id, office_name, date, source))
    return out


def agency_deadlines(engine: Engine, year: int, cfg: PlanConfig) -> list[AgencyDeadline]:
    with session_scope(engine) as s:
        return _deadlines(s, year, cfg)


def deadline_for_agency(engine: Engine, name: str, year: int, cfg: PlanConfig) -> AgencyDeadline | None:
    with session_scope(engine) as s:
        found = _deadlines(s, year, cfg, Agency.name == name)
        return found[0] if found else None


# -- planning ---------------------------------------------------------------------------------------
class _ScheduleCache:
    def __init__(self, params: dl.ScheduleParams, calendar: dl.WorkCalendar):
        self.params = params
        self.calendar = calendar
        self._cache: dict[dt.date, list[tuple[dl.Reminder, dt.datetime]]] = {}

    def windows(self, deadline: dt.date) -> list[tuple[dl.Reminder, dt.datetime]]:
        """Each reminder with the end of its window (the next reminder's send time)."""
        got = self._cache.get(deadline)
        if got is None:
            rems = dl.schedule(deadline, self.params, self.calendar)
            got = []
            for i, r in enumerate(rems):
                if i + 1 < len(rems):
                    end = rems[i + 1].send_at
                else:
                    day = self.calendar.add_working_days(r.send_at.date(), max(1, self.params.overdue_every_working_days))
                    end = dt.datetime.combine(day, self.params.send_time, tzinfo=self.params.tz)
                got.append((r, end))
            self._cache[deadline] = got
        return got

    def current(self, deadline: dt.date, now: dt.datetime) -> dl.Reminder | None:
        for r, end in self.windows(deadline):
            if r.send_at <= now < end:
                return r
        return None


def _reports(s, year: int) -> dict[int, tuple[int, str]]:
    """agency_id → (report_id, status) for the year."""
    return {
        aid: (rid, status)
        for rid, aid, status in s.connection().execute(
            select(ReportRow.id, ReportRow.agency_id, ReportRow.status).where(ReportRow.year == year)
        ).all()
    }


def _reports_with_data(s, report_ids: Sequence[int]) -> set[int]:
    out: set[int] = set()
    ids = list(report_ids)
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        out.update(s.connection().execute(select(CellValue.report_id).where(CellValue.report_id.in_(chunk)).distinct()).scalars())
        out.update(
            s.connection().execute(
                select(NarrativePartRow.report_id).where(NarrativePartRow.report_id.in_(chunk)).distinct()
            ).scalars()
        )
    return out


def _load_reports(s, report_ids: Sequence[int]) -> dict[int, Report]:
    """Domain reports (entered values only) for many report ids, in a few queries."""
    rows = {}
    ids = list(report_ids)
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        for rid, year, fmt_id, name in s.execute(
            select(ReportRow.id, ReportRow.year, ReportRow.format_id, Agency.name)
            .join(Agency, Agency.id == ReportRow.agency_id)
            .where(ReportRow.id.in_(chunk))
        ).all():
            rows[rid] = Report(format=formats.for_year(year, fmt_id), year=year, agency=name)
        for c in s.execute(select(CellValue).where(CellValue.report_id.in_(chunk))).scalars():
            if c.kind == "int":
                rows[c.report_id].values[c.key] = int(c.int_value)
            elif c.kind == "decimal":
                from decimal import Decimal

                rows[c.report_id].values[c.key] = Decimal(c.decimal_text)
        for n in s.execute(select(NarrativePartRow).where(NarrativePartRow.report_id.in_(chunk))).scalars():
            rows[n.report_id].narratives[n.key] = n.text
    return rows


def _gaps_payload(gaps: dl.Gaps) -> dict:
    return {"done": gaps.done, "total": gaps.total, "missing": list(gaps.missing), "errors": list(gaps.errors)}


def report_facts(engine: Engine, report_id: int) -> tuple[str, dict] | None:
    """(status, gaps payload) of one report now; None if it is gone."""
    with session_scope(engine) as s:
        status = s.execute(select(ReportRow.status).where(ReportRow.id == report_id)).scalar()
        if status is None:
            return None
        rep = _load_reports(s, [report_id])[report_id]
    return status, _gaps_payload(dl.report_gaps(rep))


def _subject(agency_id: int, year: int, report_id: int | None) -> str:
    return report_subject(report_id) if report_id is not None else f"{agency_scope(agency_id)}:{year}"


def _users(s) -> dict[int, tuple[int, dt.date | None, dt.datetime | None]]:
    return {
        uid: (tg, muted, snoozed)
        for uid, tg, muted, snoozed in s.connection().execute(
            select(User.id, User.telegram_id, User.muted_until, User.snoozed_until)
        ).all()
    }


def _available(user: tuple, today: dt.date, now: dt.datetime) -> bool:
    _tg, muted, snoozed = user
    if muted is not None and muted >= today:
        return False
    if snoozed is not None and snoozed > now:
        return False
    return True


def _existing(s, candidates: list[dict]) -> set[tuple[int, str, str]]:
    by_kind: dict[str, set[str]] = defaultdict(set)
    for c in candidates:
        by_kind[c["kind"]].add(c["subject"])
    found: set[tuple[int, str, str]] = set()
    for kind, subjects in by_kind.items():
        subs = list(subjects)
        for i in range(0, len(subs), _CHUNK):
            for uid, subj in s.connection().execute(
                select(ReminderOutbox.recipient_user_id, ReminderOutbox.subject).where(
                    ReminderOutbox.kind == kind, ReminderOutbox.subject.in_(subs[i : i + _CHUNK])
                )
            ).all():
                found.add((uid, subj, kind))
    return found


def _insert_ignore(s, rows: list[dict]) -> int:
    if not rows:
        return 0
    dialect = s.get_bind().dialect.name
    ins = postgresql.insert if dialect == "postgresql" else sqlite.insert
    count = 0
    for i in range(0, len(rows), _CHUNK):
        # executemany ("insertmanyvalues" batching); RETURNING counts what was really inserted
        stmt = ins(ReminderOutbox.__table__).on_conflict_do_nothing().returning(ReminderOutbox.__table__.c.id)
        count += len(s.execute(stmt, rows[i : i + _CHUNK]).all())
    return count


def agency_statuses(
    engine: Engine, year: int, today: dt.date, cfg: PlanConfig, office_id: int | None = None
) -> list[AgencyStatus]:
    """Each agency's state for the year (of one office, or all): submitted / in_progress /
    not_started, and overdue (not submitted and the deadline has passed)."""
    with session_scope(engine) as s:
        return _agency_statuses(s, year, today, cfg, office_id)


def _agency_statuses(s, year, today, cfg, office_id=None) -> list[AgencyStatus]:
    flt = Agency.office_id == office_id if office_id is not None else None
    deadlines = _deadlines(s, year, cfg, flt)
    reports = _reports(s, year)
    with_data = _reports_with_data(s, [rid for rid, _st in reports.values()])
    return _statuses(deadlines, reports, with_data, today)


def _statuses(deadlines, reports, with_data, today) -> list[AgencyStatus]:
    out = []
    for a in deadlines:
        rep = reports.get(a.agency_id)
        if rep is not None and rep[1] in ("submitted", AWAITING):
            status = rep[1]
        elif rep is not None and rep[0] in with_data:
            status = "in_progress"
        else:
            status = "not_started"
        out.append(AgencyStatus(a.agency_id, a.name, a.deadline, status, status != "submitted" and a.deadline < today))
    return out


@dataclass(frozen=True)
class DigestCounts(dl.DigestCounts):
    """report.deadlines.DigestCounts plus the reports awaiting a reviewer's approval (not submitted
    yet, counted apart from in_progress)."""

    awaiting_approval: int = 0

    @property
    def total(self) -> int:
        return super().total + self.awaiting_approval


def digest_counts(engine: Engine, office_id: int, year: int, today: dt.date, cfg: PlanConfig) -> DigestCounts:
    with session_scope(engine) as s:
        return _digest_counts(s, office_id, _agency_statuses(s, year, today, cfg, office_id), year)


def _digest_counts(s, office_id: int, statuses: list[AgencyStatus], year: int) -> DigestCounts:
    failed = s.execute(
        select(func.count(ReminderOutbox.id))
        .join(ReportRow, ReportRow.id == ReminderOutbox.report_id)
        .join(Agency, Agency.id == ReportRow.agency_id)
        .where(Agency.office_id == office_id, ReportRow.year == year, ReminderOutbox.status.in_(("failed", "unknown")))
    ).scalar()
    return DigestCounts(
        submitted=sum(1 for a in statuses if a.status == "submitted"),
        awaiting_approval=sum(1 for a in statuses if a.status == AWAITING),
        in_progress=sum(1 for a in statuses if a.status == "in_progress"),
        not_started=sum(1 for a in statuses if a.status == "not_started"),
        overdue=sum(1 for a in statuses if a.overdue),
        failed_deliveries=int(failed or 0),
        overdue_agencies=tuple(a.name for a in statuses if a.overdue),
    )


def plan(engine: Engine, now: dt.datetime, cfg: PlanConfig, calendar: dl.WorkCalendar) -> int:
    """Insert the reminders due at ``now`` (idempotent); returns the number of rows inserted."""
    params = cfg.params
    today = now.astimezone(params.tz).date()
    cache = _ScheduleCache(params, calendar)
    inserted = 0
    for year in (today.year - 1, today.year):
        # Read and compute in a read transaction; then a short write transaction for the inserts
        # (ON CONFLICT DO NOTHING covers a concurrent planner), so the SQLite write lock is held
        # only for the inserts.
        with session_scope(engine) as s:
            new_rows = _plan_year(s, year, now, today, cfg, cache)
        if new_rows:
            with session_scope(engine, write=True) as s:
                inserted += _insert_ignore(s, new_rows)
    return inserted


def _plan_year(s, year, now, today, cfg: PlanConfig, cache: _ScheduleCache) -> list[dict]:
    """The outbox rows to insert for one report year (not inserted here)."""
    deadlines = _deadlines(s, year, cfg)
    reports = _reports(s, year)
    users = _users(s)
    officers: dict[int, list[int]] = defaultdict(list)
    reviewers: dict[int, list[int]] = defaultdict(list)
    coordinators: dict[int, list[int]] = defaultdict(list)
    for uid, aid, oid, role in s.connection().execute(
        select(Membership.user_id, Membership.agency_id, Membership.office_id, Membership.role)
        .where(Membership.role.in_(("officer", "reviewer", "coordinator")))
        .order_by(Membership.id)
    ).all():
        if role == "officer" and aid is not None:
            officers[aid].append(uid)
        elif role == "reviewer" and aid is not None:
            reviewers[aid].append(uid)
        elif role == "coordinator" and oid is not None:
            coordinators[oid].append(uid)

    # 1. report reminders
    candidates: list[dict] = []
    for a in deadlines:
        rep = reports.get(a.agency_id)
        if rep is not None and rep[1] == "submitted":
            continue
        current = cache.current(a.deadline, now)
        if current is None:
            continue
        report_id = rep[0] if rep is not None else None
        subject = _subject(a.agency_id, year, report_id)
        awaiting = rep is not None and rep[1] == AWAITING
        if awaiting:  # the reviewers' turn; the officers' part is done
            recipients = [("reviewer", u) for u in reviewers.get(a.agency_id, ())]
        else:
            recipients = [("officer", u) for u in officers.get(a.agency_id, ())]
        if current.overdue and a.office_id is not None:
            recipients += [("coordinator", u) for u in coordinators.get(a.office_id, ())]
        for role, uid in recipients:
            user = users.get(uid)
            if user is None or not _available(user, today, now):
                continue
            candidates.append(
                {
                    "recipient_user_id": uid,
                    "chat_id": user[0],
                    "report_id": report_id,
                    "office_id": a.office_id if role == "coordinator" else None,
                    "subject": subject,
                    "kind": REVIEW_KIND + current.kind if role == "reviewer" else current.kind,
                    "due_at": current.send_at,
                    "_role": role,
                    "_agency": a,
                }
            )
    # Keys planned under the other subject form (report created since) count as existing too.
    existing = _existing(s, candidates)
    alt = []
    for c in candidates:
        a = c["_agency"]
        if c["report_id"] is not None:
            alt.append({**c, "subject": _subject(a.agency_id, year, None)})
    existing_alt = _existing(s, alt) if alt else set()
    new = [
        c
        for c in candidates
        if (c["recipient_user_id"], c["subject"], c["kind"]) not in existing
        and (c["recipient_user_id"], _subject(c["_agency"].agency_id, year, None), c["kind"]) not in existing_alt
    ]
    with_data: set[int] | None = None
    if new or coordinators:
        with_data = _reports_with_data(s, [rid for rid, _st in reports.values()])
    # Only reports with something entered need loading and validating; the others are "all to fill".
    loaded = _load_reports(
        s, sorted({c["report_id"] for c in new if c["report_id"] is not None and c["report_id"] in with_data})
    )
    gaps_cache: dict[int, dict] = {}
    empty = _gaps_payload(dl.empty_gaps(formats.for_year(year).sections))
    rows = []
    for c in new:
        a: AgencyDeadline = c.pop("_agency")
        role = c.pop("_role")
        rid = c["report_id"]
        if rid is None or rid not in loaded:
            gaps = empty
        else:
            gaps = gaps_cache.get(rid)
            if gaps is None:
                gaps = gaps_cache[rid] = _gaps_payload(dl.report_gaps(loaded[rid]))
        payload = {
            "type": REPORT_PAYLOAD,
            "role": role,
            "year": year,
            "agency": a.name,
            "agency_id": a.agency_id,
            "deadline": a.deadline.isoformat(),
            **gaps,
        }
        rows.append({**c, "payload": json.dumps(payload, ensure_ascii=False), "status": "pending", "attempts": 0})

    # 2. approval requests missing for reports awaiting approval (normally inserted at submission)
    awaiting_ids = [rid for rid, st in reports.values() if st == AWAITING]
    if awaiting_ids:
        rows += _approval_rows(s, awaiting_ids, now)

    # 3. coordinator digests
    by_office: dict[int, list[AgencyDeadline]] = defaultdict(list)
    for a in deadlines:
        if a.office_id is not None:
            by_office[a.office_id].append(a)
    send_at = dt.datetime.combine(today, cache.params.send_time, tzinfo=cache.params.tz)
    if now < send_at:
        return rows
    digest_rows = []
    kind = f"digest_{year}_{today.isoformat()}"
    statuses_by_office: dict[int, list[AgencyStatus]] | None = None
    for office_id, agencies in by_office.items():
        coords = [u for u in coordinators.get(office_id, ()) if u in users and _available(users[u], today, now)]
        if not coords:
            continue
        office_deadlines = sorted({a.deadline for a in agencies})
        if today not in dl.digest_days(office_deadlines, cache.calendar):
            continue
        subject = office_scope(office_id)
        have = set(
            s.connection().execute(
                select(ReminderOutbox.recipient_user_id).where(
                    ReminderOutbox.subject == subject, ReminderOutbox.kind == kind
                )
            ).scalars()
        )
        coords = [u for u in coords if u not in have]
        if not coords:
            continue
        if statuses_by_office is None:
            statuses_by_office = defaultdict(list)
            office_of = {a.agency_id: a.office_id for a in deadlines}
            for st in _statuses(deadlines, reports, with_data or set(), today):
                statuses_by_office[office_of[st.agency_id]].append(st)
        statuses = statuses_by_office[office_id]
        counts = _digest_counts(s, office_id, statuses, year)
        payload = {
            "type": DIGEST_PAYLOAD,
            "year": year,
            "office": agencies[0].office_name,
            "office_id": office_id,
            "today": today.isoformat(),
            "deadlines": [d.isoformat() for d in office_deadlines],
            "counts": {
                "submitted": counts.submitted,
                "awaiting_approval": counts.awaiting_approval,
                "in_progress": counts.in_progress,
                "not_started": counts.not_started,
                "overdue": counts.overdue,
                "failed_deliveries": counts.failed_deliveries,
                "overdue_agencies": list(counts.overdue_agencies),
            },
        }
        for uid in coords:
            digest_rows.append(
                {
                    "recipient_user_id": uid,
                    "chat_id": users[uid][0],
                    "report_id": None,
                    "office_id": office_id,
                    "subject": subject,
                    "kind": kind,
                    "due_at": send_at,
                    "payload": json.dumps(payload, ensure_ascii=False),
                    "status": "pending",
                    "attempts": 0,
                }
            )
    return rows + digest_rows


# -- approval requests ------------------------------------------------------------------------------
def approval_kind(version: int) -> str:
    return f"{APPROVAL_KIND}_v{version}"


def _approval_rows(s, report_ids: Sequence[int], now: dt.datetime) -> list[dict]:
    """One approval-request row per reviewer of each report still awaiting approval."""
    out: list[dict] = []
    for rid in report_ids:
        found = s.execute(
            select(ReportRow.id, ReportRow.year, ReportRow.version, ReportRow.status, Agency.id, Agency.name)
            .join(Agency, Agency.id == ReportRow.agency_id)
            .where(ReportRow.id == rid)
        ).first()
        if found is None or found[3] != AWAITING:
            continue
        _rid, year, version, _status, agency_id, agency_name = found
        reviewers = s.execute(
            select(User.id, User.telegram_id)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.scope == agency_scope(agency_id), Membership.role == "reviewer")
            .order_by(Membership.id)
        ).all()
        if not reviewers:
            continue
        by = s.execute(
            select(User.display_name)
            .join(AuditEvent, AuditEvent.user_id == User.id)
            .where(AuditEvent.report_id == rid, AuditEvent.key == "status", AuditEvent.new == AWAITING)
            .order_by(AuditEvent.id.desc())
            .limit(1)
        ).scalar()
        payload = json.dumps(
            {"type": APPROVAL_PAYLOAD, "year": year, "agency": agency_name, "agency_id": agency_id, "by": by or ""},
            ensure_ascii=False,
        )
        for uid, tg in reviewers:
            out.append(
                {
                    "recipient_user_id": uid,
                    "chat_id": int(tg),
                    "report_id": rid,
                    "office_id": None,
                    "subject": report_subject(rid),
                    "kind": approval_kind(version),
                    "due_at": now,
                    "payload": payload,
                    "status": "pending",
                    "attempts": 0,
                }
            )
    return out


def request_approval(engine: Engine, report_id: int, now: dt.datetime) -> int:
    """Queue the approval request of a report awaiting approval for every reviewer of its agency
    (idempotent: ON CONFLICT DO NOTHING on (recipient, subject, kind)). Returns the rows inserted."""
    with session_scope(engine, write=True) as s:
        return _insert_ignore(s, _approval_rows(s, [report_id], now))


def is_approval_kind(kind: str) -> bool:
    return kind.startswith(APPROVAL_KIND)


# -- delivery ---------------------------------------------------------------------------------------
def _with_claim(payload_text: str, claim: dict | None) -> str:
    payload = json.loads(payload_text or "{}")
    if claim is None:
        payload.pop(CLAIM_KEY, None)
    else:
        payload[CLAIM_KEY] = claim
    return json.dumps(payload, ensure_ascii=False)


def claim(
    engine: Engine, now: dt.datetime, limit: int, claimer: str = "", *, approvals_only: bool = False
) -> list[OutboxItem]:
    """Due pending rows, marked sending, in one transaction (FOR UPDATE SKIP LOCKED on PostgreSQL;
    SQLite serialises writers with BEGIN IMMEDIATE). ``approvals_only``: approval requests only
    (what is sent outside working hours)."""
    with session_scope(engine, write=True) as s:
        q = (
            select(ReminderOutbox)
            .where(ReminderOutbox.status == "pending", ReminderOutbox.due_at <= now)
            .order_by(ReminderOutbox.due_at, ReminderOutbox.id)
            .limit(limit)
        )
        if approvals_only:
            q = q.where(ReminderOutbox.kind.like(f"{APPROVAL_KIND}%"))
        if s.get_bind().dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        rows = list(s.execute(q).scalars())
        for r in rows:
            r.status = "sending"
            r.payload = _with_claim(r.payload, {"at": now.isoformat(), "attempts": r.attempts, "by": claimer})
        s.flush()
        return [_item(r) for r in rows]


def start_attempt(engine: Engine, outbox_id: int) -> None:
    """Right before the HTTP call: attempts + 1 (tells recovery that the message may have left)."""
    with session_scope(engine, write=True) as s:
        s.execute(
            update(ReminderOutbox)
            .where(ReminderOutbox.id == outbox_id, ReminderOutbox.status == "sending")
            .values(attempts=ReminderOutbox.attempts + 1)
        )


def start_attempts(engine: Engine, outbox_ids: Sequence[int]) -> None:
    """:func:`start_attempt` for several rows in one transaction."""
    if not outbox_ids:
        return
    with session_scope(engine, write=True) as s:
        s.execute(
            update(ReminderOutbox)
            .where(ReminderOutbox.id.in_(list(outbox_ids)), ReminderOutbox.status == "sending")
            .values(attempts=ReminderOutbox.attempts + 1)
        )


def finish_many(engine: Engine, outcomes: Sequence[tuple[int, dict]]) -> None:
    """Record several outcomes in one transaction: (outbox id, column values) pairs, as built by
    :func:`sent_values` / :func:`failed_values` / :func:`unknown_values` / :func:`retry_values`."""
    if not outcomes:
        return
    with session_scope(engine, write=True) as s:
        for outbox_id, values in outcomes:
            s.execute(update(ReminderOutbox).where(ReminderOutbox.id == outbox_id).values(**values))


def sent_values(at: dt.datetime) -> dict:
    return {"status": "sent", "sent_at": at, "last_error": None}


def failed_values(error: str) -> dict:
    return {"status": "failed", "last_error": error[:500]}


def unknown_values(error: str) -> dict:
    return {"status": "unknown", "last_error": error[:500]}


def retry_values(retry_at: dt.datetime, error: str) -> dict:
    return {"status": "pending", "due_at": retry_at, "last_error": error[:500]}


def _finish(engine: Engine, outbox_id: int, **values) -> bool:
    """One UPDATE (the stale "_claim" note may stay in the payload: only ``sending`` rows read it)."""
    with session_scope(engine, write=True) as s:
        res = s.execute(update(ReminderOutbox).where(ReminderOutbox.id == outbox_id).values(**values))
        return res.rowcount > 0


def mark_sent(engine: Engine, outbox_id: int, at: dt.datetime) -> bool:
    return _finish(engine, outbox_id, **sent_values(at))


def mark_failed(engine: Engine, outbox_id: int, error: str) -> bool:
    """Permanent failure (bot blocked, chat gone); shown on the coordinator's board."""
    return _finish(engine, outbox_id, **failed_values(error))


def mark_unknown(engine: Engine, outbox_id: int, error: str) -> bool:
    """May or may not have arrived (read timeout); never resent automatically."""
    return _finish(engine, outbox_id, **unknown_values(error))


def reschedule(engine: Engine, outbox_id: int, retry_at: dt.datetime, error: str) -> bool:
    """Back to pending, due at retry_at."""
    return _finish(engine, outbox_id, **retry_values(retry_at, error))


def drop(engine: Engine, outbox_ids: Iterable[int]) -> int:
    """Delete obsolete rows (e.g. the report was submitted after planning)."""
    ids = list(outbox_ids)
    if not ids:
        return 0
    with session_scope(engine, write=True) as s:
        return s.execute(delete(ReminderOutbox).where(ReminderOutbox.id.in_(ids))).rowcount


def recover_stale(engine: Engine, now: dt.datetime, older_than: dt.timedelta) -> tuple[int, int]:
    """Rows left ``sending`` by a sweep that died: (back to pending, marked unknown)."""
    limit = now - older_than
    to_pending = to_unknown = 0
    with session_scope(engine, write=True) as s:
        q = select(ReminderOutbox).where(ReminderOutbox.status == "sending")
        if s.get_bind().dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        for r in s.execute(q).scalars():
            c = json.loads(r.payload or "{}").get(CLAIM_KEY) or {}
            try:
                claimed_at = dt.datetime.fromisoformat(c["at"])
            except (KeyError, TypeError, ValueError):
                claimed_at = None
            if claimed_at is not None and claimed_at > limit:
                continue  # a live sweep may still own it
            if claimed_at is not None and r.attempts <= int(c.get("attempts", r.attempts)):
                r.status = "pending"  # the HTTP call never started
                r.last_error = "sweep interrupted before sending"
                to_pending += 1
            else:
                r.status = "unknown"
                r.last_error = "sweep interrupted while sending; delivery unknown"
                to_unknown += 1
            r.payload = _with_claim(r.payload, None)
    return to_pending, to_unknown


def get_item(engine: Engine, outbox_id: int) -> tuple[OutboxItem, int] | None:
    """An outbox row and its recipient's Telegram id."""
    with session_scope(engine) as s:
        row = s.execute(
            select(ReminderOutbox, User.telegram_id)
            .join(User, User.id == ReminderOutbox.recipient_user_id)
            .where(ReminderOutbox.id == outbox_id)
        ).first()
        return (_item(row[0]), int(row[1])) if row else None


def items(engine: Engine, *, status: str | None = None) -> list[OutboxItem]:
    with session_scope(engine) as s:
        q = select(ReminderOutbox).order_by(ReminderOutbox.id)
        if status is not None:
            q = q.where(ReminderOutbox.status == status)
        return [_item(r) for r in s.execute(q).scalars()]


def failed_deliveries(engine: Engine, office_id: int) -> list[FailedDelivery]:
    """Failed and unknown deliveries concerning one office (its agencies' reports and its digests),
    newest first — for the coordinator's board."""
    with session_scope(engine) as s:
        rows = s.execute(
            select(ReminderOutbox, User.display_name, Agency.name)
            .join(User, User.id == ReminderOutbox.recipient_user_id)
            .outerjoin(ReportRow, ReportRow.id == ReminderOutbox.report_id)
            .outerjoin(Agency, Agency.id == ReportRow.agency_id)
            .where(
                ReminderOutbox.status.in_(("failed", "unknown")),
                or_(
                    Agency.office_id == office_id,
                    and_(ReminderOutbox.report_id.is_(None), ReminderOutbox.office_id == office_id),
                ),
            )
            .order_by(ReminderOutbox.due_at.desc(), ReminderOutbox.id.desc())
        ).all()
        return [
            FailedDelivery(r.id, r.recipient_user_id, name or "", agency, r.kind, r.status, r.last_error, r.due_at)
            for r, name, agency in rows
        ]


# -- snooze / mute ----------------------------------------------------------------------------------
def snooze(engine: Engine, user_id: int, until: dt.datetime, *, again_from: int | None = None) -> int | None:
    """Snooze the user's reminders until ``until``: their pending rows are deferred to then (keeping
    their keys, so planning does not add them again) and, when ``again_from`` names a row already
    delivered, a copy of it is queued for ``until``. Returns the id of the row due then, if any."""
    with session_scope(engine, write=True) as s:
        user = s.get(User, user_id)
        if user is None:
            return None
        user.snoozed_until = until
        s.execute(
            update(ReminderOutbox)
            .where(
                ReminderOutbox.recipient_user_id == user_id,
                ReminderOutbox.status == "pending",
                ReminderOutbox.due_at < until,
                ReminderOutbox.kind.notlike(f"{APPROVAL_KIND}%"),
            )
            .values(due_at=until)
        )
        src = s.get(ReminderOutbox, again_from) if again_from is not None else None
        if src is None or src.recipient_user_id != user_id:
            return None
        if src.status == "pending":
            return src.id
        kind = f"again_{until.strftime('%Y%m%d%H%M')}"
        existing = s.execute(
            select(ReminderOutbox.id).where(
                ReminderOutbox.recipient_user_id == user_id,
                ReminderOutbox.subject == src.subject,
                ReminderOutbox.kind == kind,
            )
        ).scalar()
        if existing is not None:
            return existing
        row = ReminderOutbox(
            recipient_user_id=user_id,
            chat_id=src.chat_id,
            report_id=src.report_id,
            office_id=src.office_id,
            subject=src.subject,
            kind=kind,
            due_at=until,
            payload=_with_claim(src.payload, None),
        )
        s.add(row)
        s.flush()
        return row.id


def mute(engine: Engine, user_id: int, until: dt.date) -> bool:
    """No reminders or digests for the user through ``until``; pending ones are dropped."""
    with session_scope(engine, write=True) as s:
        user = s.get(User, user_id)
        if user is None:
            return False
        user.muted_until = until
        s.execute(
            delete(ReminderOutbox).where(
                ReminderOutbox.recipient_user_id == user_id,
                ReminderOutbox.status == "pending",
                ReminderOutbox.kind.notlike(f"{APPROVAL_KIND}%"),
            )
        )
        return True
