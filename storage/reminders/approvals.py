"""Approval requests: when an officer submits for approval, every reviewer of the agency gets one
row at once, kind ``approval_request_v<version>`` (see the package docstring)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from sqlalchemy import Engine, select

from ..db import session_scope
from ..models import Agency, AuditEvent, Membership, ReportRow, User, agency_scope, report_subject
from .common import APPROVAL_PAYLOAD, AWAITING, PENDING, approval_kind, insert_ignore


def approval_rows(s, report_ids: Sequence[int], now: dt.datetime) -> list[dict]:
    """One approval-request row per reviewer of each report still awaiting approval."""
    out: list[dict] = []
    for rid in report_ids:
        found = s.execute(
            select(ReportRow.year, ReportRow.version, ReportRow.status, Agency.id, Agency.name, Agency.office_id)
            .join(Agency, Agency.id == ReportRow.agency_id)
            .where(ReportRow.id == rid)
        ).first()
        if found is None or found[2] != AWAITING:
            continue
        year, version, _status, agency_id, agency_name, office_id = found
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
                    "agency_id": agency_id,
                    "office_id": office_id,
                    "subject": report_subject(rid),
                    "kind": approval_kind(version),
                    "due_at": now,
                    "payload": payload,
                    "status": PENDING,
                    "attempts": 0,
                }
            )
    return out


def request_approval(engine: Engine, report_id: int, now: dt.datetime) -> int:
    """Queue the approval request of a report awaiting approval for every reviewer of its agency
    (idempotent: ON CONFLICT DO NOTHING on (recipient, subject, kind)). Returns the rows inserted."""
    with session_scope(engine, write=True) as s:
        return insert_ignore(s, approval_rows(s, [report_id], now))
