"""What a coordinator does from the desk that writes: send a reminder now.

A reminder sent "now" is one outbox row per officer of the agency (storage.models.ReminderOutbox),
with the payload every report reminder carries (type ``report``, role, year, agency, deadline,
progress and gaps: see storage/reminders/planning.py), due at once. The sweeper delivers it like any other
reminder — in working hours, paced, exactly once — and drops it if the report is submitted or
awaits approval by then. Its kind is ``manual:<request id>``: the request id comes with the form
that asked for it, so sending the same form twice (a double click, a reload) inserts nothing new,
while every new request is a new reminder (the unique (recipient, subject, kind) index).

Officers who muted their reminders are skipped (they chose so); the caller is told how many.
Rights (storage.access.can_coordinate_agency) are checked by the caller.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from report import deadlines as dl
from report import formats

from .db import session_scope
from .models import Membership, ReminderOutbox, User, agency_scope, utcnow
from .reminders.planning import subject_of
from .store import AgencyInfo, ReportInfo, Store

MANUAL_KIND = "manual:"
REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
DONE_STATES = ("submitted", "awaiting_approval")  # nothing for the officers to do


@dataclass(frozen=True)
class ReminderRequest:
    queued: int  # outbox rows inserted now
    already: int  # rows this same request had inserted before
    muted: int  # officers skipped: they muted reminders
    officers: int  # the agency's officers


def send_now(store: Store, agency: AgencyInfo, year: int, deadline: dt.date, *, request_id: str,
             report: ReportInfo | None, gaps: dl.Gaps | None, now: dt.datetime | None = None,
             today: dt.date | None = None) -> ReminderRequest:
    """Queue a reminder to every officer of the agency for its report of ``year``, due now.

    ``gaps``: the report's progress (report.deadlines.report_gaps), None when nothing is entered;
    ``today``: the local date (mute dates are local), by default the UTC date of ``now``."""
    if not REQUEST_ID.match(request_id or ""):
        raise ValueError("bad request id")
    if report is not None and report.status in DONE_STATES:
        raise ValueError("the report needs nothing from its officers")
    at = now or utcnow()
    gaps = gaps or dl.empty_gaps(formats.for_year(year).sections)
    kind = MANUAL_KIND + request_id
    subject = subject_of(agency.id, year, report.id if report else None)
    payload = json.dumps({
        "type": "report", "role": "officer", "year": year, "agency": agency.name, "agency_id": agency.id,
        "deadline": deadline.isoformat(), "done": gaps.done, "total": gaps.total,
        "missing": list(gaps.missing), "errors": list(gaps.errors),
    }, ensure_ascii=False)
    today = today or at.date()
    insert = pg_insert if store.engine.dialect.name == "postgresql" else sqlite_insert
    with session_scope(store.engine, write=True) as s:
        officers = s.execute(
            select(User.id, User.telegram_id, User.muted_until)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.scope == agency_scope(agency.id), Membership.role == "officer")
            .order_by(Membership.id)
        ).all()
        rows = [
            {"recipient_user_id": uid, "chat_id": int(tg), "report_id": report.id if report else None,
             "office_id": agency.office_id, "agency_id": agency.id, "subject": subject, "kind": kind, "due_at": at, "status": "pending",
             "attempts": 0, "payload": payload}
            for uid, tg, muted in officers if muted is None or muted < today
        ]
        queued = 0
        if rows:
            stmt = insert(ReminderOutbox).values(rows).on_conflict_do_nothing(
                index_elements=["recipient_user_id", "subject", "kind"]).returning(ReminderOutbox.id)
            queued = len(s.execute(stmt).all())
    return ReminderRequest(queued=queued, already=len(rows) - queued, muted=len(officers) - len(rows),
                           officers=len(officers))
