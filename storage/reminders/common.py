"""What the reminder modules share: payload and status names, the planning configuration, the plain
values returned to callers, and the idempotent bulk insert."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from report import deadlines as dl

from ..models import AWAITING_APPROVAL, ReminderOutbox

REPORT_PAYLOAD = "report"
DIGEST_PAYLOAD = "digest"
APPROVAL_PAYLOAD = "approval"
APPROVAL_KIND = "approval_request"  # + "_v<version>"
REVIEW_KIND = "review_"  # + the schedule's kind, for reviewers of a report awaiting approval
AWAITING = AWAITING_APPROVAL
LEGACY_CLAIM_KEY = "_claim"  # the claim note of rows written before migration 0005; never shown

# Delivery states (storage.models.OUTBOX_STATUSES).
PENDING, CLAIMED, SENDING, SENT, FAILED, UNKNOWN = "pending", "claimed", "sending", "sent", "failed", "unknown"
SHOWN_TO_COORDINATOR = (FAILED, UNKNOWN)

CHUNK = 500


def for_reviewer(payload: dict) -> bool:
    """A row addressed to a report's reviewer: an approval request, or a review reminder."""
    kind = payload.get("type")
    return kind == APPROVAL_PAYLOAD or (kind == REPORT_PAYLOAD and payload.get("role") == "reviewer")


# -- config -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanConfig:
    params: dl.ScheduleParams = field(default_factory=dl.ScheduleParams)
    rules: dl.DeadlineRules = field(default_factory=dl.DeadlineRules)

    @classmethod
    def from_settings(cls, settings: Any) -> PlanConfig:
        return cls(
            params=dl.ScheduleParams.from_settings(settings.reminders, settings.timezone),
            rules=dl.DeadlineRules.from_settings(settings),
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
    agency_id: int | None = None
    claimed_by: str | None = None  # the claim (lease) this copy was read under


def item_of(r: ReminderOutbox) -> OutboxItem:
    payload = json.loads(r.payload or "{}")
    payload.pop(LEGACY_CLAIM_KEY, None)
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
        agency_id=r.agency_id,
        claimed_by=r.claimed_by,
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
    agency: str | None  # None: the office's own digest
    kind: str
    status: str  # failed / unknown
    last_error: str | None
    due_at: dt.datetime


# -- approval request kinds -------------------------------------------------------------------------
def approval_kind(version: int) -> str:
    return f"{APPROVAL_KIND}_v{version}"


def is_approval_kind(kind: str) -> bool:
    return kind.startswith(APPROVAL_KIND)


# -- inserting --------------------------------------------------------------------------------------
def insert_ignore(s, rows: list[dict]) -> int:
    """Insert outbox rows, skipping existing (recipient, subject, kind) keys; returns how many went in."""
    if not rows:
        return 0
    dialect = s.get_bind().dialect.name
    ins = postgresql.insert if dialect == "postgresql" else sqlite.insert
    count = 0
    for i in range(0, len(rows), CHUNK):
        # executemany ("insertmanyvalues" batching); RETURNING counts what was really inserted
        stmt = ins(ReminderOutbox.__table__).on_conflict_do_nothing().returning(ReminderOutbox.__table__.c.id)
        count += len(s.execute(stmt, rows[i : i + CHUNK]).all())
    return count
