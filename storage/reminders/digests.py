"""Coordinators' digests: their office's agencies for a report year, weekly in the last 30 days
before a deadline and daily in the last 7 (report.deadlines.digest_days), one per coordinator and
day (kind ``digest_<year>_<date>``, subject the office)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import TYPE_CHECKING

from sqlalchemy import select

from report import deadlines as dl

from ..models import ReminderOutbox, office_scope
from .agencies import digest_counts_in, statuses
from .common import DIGEST_PAYLOAD, PENDING, AgencyDeadline, AgencyStatus

if TYPE_CHECKING:
    from .planning import ScheduleCache, YearWorld


def digest_rows(s, w: YearWorld, cache: ScheduleCache) -> list[dict]:
    """Today's digest rows not planned yet (none before today's send time)."""
    send_at = dt.datetime.combine(w.today, cache.params.send_time, tzinfo=cache.params.tz)
    if w.now < send_at:
        return []
    by_office: dict[int, list[AgencyDeadline]] = defaultdict(list)
    for a in w.deadlines:
        if a.office_id is not None:
            by_office[a.office_id].append(a)
    kind = f"digest_{w.year}_{w.today.isoformat()}"
    by_office_status: dict[int, list[AgencyStatus]] | None = None
    rows = []
    for office_id, agencies in by_office.items():
        coords = [u for u in w.coordinators.get(office_id, ()) if w.available(u)]
        if not coords:
            continue
        office_deadlines = sorted({a.deadline for a in agencies})
        if w.today not in dl.digest_days(office_deadlines, cache.calendar):
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
        if by_office_status is None:
            by_office_status = defaultdict(list)
            office_of = {a.agency_id: a.office_id for a in w.deadlines}
            for st in statuses(w.deadlines, w.reports, w.reports_with_data(s), w.today):
                by_office_status[office_of[st.agency_id]].append(st)
        counts = digest_counts_in(s, office_id, by_office_status[office_id], w.year)
        payload = {
            "type": DIGEST_PAYLOAD,
            "year": w.year,
            "office": agencies[0].office_name,
            "office_id": office_id,
            "today": w.today.isoformat(),
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
            rows.append(
                {
                    "recipient_user_id": uid,
                    "chat_id": w.users[uid][0],
                    "report_id": None,
                    "agency_id": None,
                    "office_id": office_id,
                    "subject": subject,
                    "kind": kind,
                    "due_at": send_at,
                    "payload": json.dumps(payload, ensure_ascii=False),
                    "status": PENDING,
                    "attempts": 0,
                }
            )
    return rows
