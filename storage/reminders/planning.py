"""Planning the outbox: the reminders due now, one row per recipient (see the package docstring)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from report import deadlines as dl
from report import formats

from ..db import session_scope
from ..models import Membership, ReminderOutbox, User, agency_scope, report_subject
from .agencies import deadlines_in, gaps_payload, load_reports, reports_of_year, reports_with_data
from .approvals import approval_rows
from .common import (
    AWAITING,
    CHUNK,
    PENDING,
    REPORT_PAYLOAD,
    REVIEW_KIND,
    AgencyDeadline,
    PlanConfig,
    insert_ignore,
)
from .digests import digest_rows


class ScheduleCache:
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


@dataclass
class YearWorld:
    """What planning one report year reads once."""

    year: int
    now: dt.datetime
    today: dt.date
    deadlines: list[AgencyDeadline]
    reports: dict[int, tuple[int, str]]  # agency id → (report id, status)
    users: dict[int, tuple[int, dt.date | None, dt.datetime | None]]  # user id → (telegram id, muted, snoozed)
    officers: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))  # agency id → user ids
    reviewers: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    coordinators: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))  # office id → user ids
    with_data: set[int] | None = None  # report ids with something entered (read when needed)

    def available(self, user_id: int) -> bool:
        """Known, not muted (muted_until >= today) and not snoozed (snoozed_until > now)."""
        user = self.users.get(user_id)
        if user is None:
            return False
        _tg, muted, snoozed = user
        return not (muted is not None and muted >= self.today) and not (snoozed is not None and snoozed > self.now)

    def reports_with_data(self, s) -> set[int]:
        if self.with_data is None:
            self.with_data = reports_with_data(s, [rid for rid, _st in self.reports.values()])
        return self.with_data


def subject_of(agency_id: int, year: int, report_id: int | None) -> str:
    return report_subject(report_id) if report_id is not None else f"{agency_scope(agency_id)}:{year}"


def _world(s, year: int, now: dt.datetime, today: dt.date, cfg: PlanConfig) -> YearWorld:
    users = {
        uid: (tg, muted, snoozed)
        for uid, tg, muted, snoozed in s.connection().execute(
            select(User.id, User.telegram_id, User.muted_until, User.snoozed_until)
        ).all()
    }
    w = YearWorld(year, now, today, deadlines_in(s, year, cfg), reports_of_year(s, year), users)
    for uid, aid, oid, role in s.connection().execute(
        select(Membership.user_id, Membership.agency_id, Membership.office_id, Membership.role)
        .where(Membership.role.in_(("officer", "reviewer", "coordinator")))
        .order_by(Membership.id)
    ).all():
        if role == "officer" and aid is not None:
            w.officers[aid].append(uid)
        elif role == "reviewer" and aid is not None:
            w.reviewers[aid].append(uid)
        elif role == "coordinator" and oid is not None:
            w.coordinators[oid].append(uid)
    return w


def _existing(s, candidates: list[dict]) -> set[tuple[int, str, str]]:
    by_kind: dict[str, set[str]] = defaultdict(set)
    for c in candidates:
        by_kind[c["kind"]].add(c["subject"])
    found: set[tuple[int, str, str]] = set()
    for kind, subjects in by_kind.items():
        subs = list(subjects)
        for i in range(0, len(subs), CHUNK):
            for uid, subj in s.connection().execute(
                select(ReminderOutbox.recipient_user_id, ReminderOutbox.subject).where(
                    ReminderOutbox.kind == kind, ReminderOutbox.subject.in_(subs[i : i + CHUNK])
                )
            ).all():
                found.add((uid, subj, kind))
    return found


def plan(engine: Engine, now: dt.datetime, cfg: PlanConfig, calendar: dl.WorkCalendar) -> int:
    """Insert the reminders due at ``now`` (idempotent); returns the number of rows inserted."""
    params = cfg.params
    today = now.astimezone(params.tz).date()
    cache = ScheduleCache(params, calendar)
    inserted = 0
    for year in (today.year - 1, today.year):
        # Read and compute in a read transaction; then a short write transaction for the inserts
        # (ON CONFLICT DO NOTHING covers a concurrent planner), so the SQLite write lock is held
        # only for the inserts.
        with session_scope(engine) as s:
            w = _world(s, year, now, today, cfg)
            new_rows = _report_rows(s, w, cache)
            awaiting_ids = [rid for rid, st in w.reports.values() if st == AWAITING]
            if awaiting_ids:  # approval requests missing (normally inserted at submission)
                new_rows += approval_rows(s, awaiting_ids, now)
            new_rows += digest_rows(s, w, cache)
        if new_rows:
            with session_scope(engine, write=True) as s:
                inserted += insert_ignore(s, new_rows)
    return inserted


def _report_rows(s, w: YearWorld, cache: ScheduleCache) -> list[dict]:
    """Report reminders not planned yet: the agency's officers (its reviewers while the report awaits
    approval), plus the office's coordinators once overdue."""
    candidates: list[dict] = []
    for a in w.deadlines:
        rep = w.reports.get(a.agency_id)
        if rep is not None and rep[1] == "submitted":
            continue
        current = cache.current(a.deadline, w.now)
        if current is None:
            continue
        report_id = rep[0] if rep is not None else None
        awaiting = rep is not None and rep[1] == AWAITING
        if awaiting:  # the reviewers' turn; the officers' part is done
            recipients = [("reviewer", u) for u in w.reviewers.get(a.agency_id, ())]
        else:
            recipients = [("officer", u) for u in w.officers.get(a.agency_id, ())]
        if current.overdue and a.office_id is not None:
            recipients += [("coordinator", u) for u in w.coordinators.get(a.office_id, ())]
        for role, uid in recipients:
            if not w.available(uid):
                continue
            candidates.append(
                {
                    "recipient_user_id": uid,
                    "chat_id": w.users[uid][0],
                    "report_id": report_id,
                    "agency_id": a.agency_id,
                    "office_id": a.office_id,
                    "subject": subject_of(a.agency_id, w.year, report_id),
                    "kind": REVIEW_KIND + current.kind if role == "reviewer" else current.kind,
                    "due_at": current.send_at,
                    "_role": role,
                    "_agency": a,
                }
            )
    # Keys planned under the other subject form (report created since) count as existing too.
    existing = _existing(s, candidates)
    alt = [{**c, "subject": subject_of(c["agency_id"], w.year, None)} for c in candidates if c["report_id"] is not None]
    existing_alt = _existing(s, alt) if alt else set()
    new = [
        c
        for c in candidates
        if (c["recipient_user_id"], c["subject"], c["kind"]) not in existing
        and (c["recipient_user_id"], subject_of(c["agency_id"], w.year, None), c["kind"]) not in existing_alt
    ]
    if not new:
        return []
    with_data = w.reports_with_data(s)
    # Only reports with something entered need loading and validating; the others are "all to fill".
    loaded = load_reports(s, sorted({c["report_id"] for c in new if c["report_id"] in with_data}))
    gaps_cache: dict[int, dict] = {}
    empty = gaps_payload(dl.empty_gaps(formats.for_year(w.year).sections))
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
                gaps = gaps_cache[rid] = gaps_payload(dl.report_gaps(loaded[rid]))
        payload = {
            "type": REPORT_PAYLOAD,
            "role": role,
            "year": w.year,
            "agency": a.name,
            "agency_id": a.agency_id,
            "deadline": a.deadline.isoformat(),
            **gaps,
        }
        rows.append({**c, "payload": json.dumps(payload, ensure_ascii=False), "status": PENDING, "attempts": 0})
    return rows
