"""A recipient's choices under a reminder: snooze (1天后提醒 / 3天后提醒) and mute (今年不再提醒)."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Engine, delete, select, update

from ..db import session_scope
from ..models import ReminderOutbox, User
from .common import APPROVAL_KIND, LEGACY_CLAIM_KEY, PENDING


def _clean_payload(payload_text: str) -> str:
    payload = json.loads(payload_text or "{}")
    payload.pop(LEGACY_CLAIM_KEY, None)
    return json.dumps(payload, ensure_ascii=False)


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
                ReminderOutbox.status == PENDING,
                ReminderOutbox.due_at < until,
                ReminderOutbox.kind.notlike(f"{APPROVAL_KIND}%"),
            )
            .values(due_at=until)
        )
        src = s.get(ReminderOutbox, again_from) if again_from is not None else None
        if src is None or src.recipient_user_id != user_id:
            return None
        if src.status == PENDING:
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
            agency_id=src.agency_id,
            office_id=src.office_id,
            subject=src.subject,
            kind=kind,
            due_at=until,
            payload=_clean_payload(src.payload),
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
                ReminderOutbox.status == PENDING,
                ReminderOutbox.kind.notlike(f"{APPROVAL_KIND}%"),
            )
        )
        return True
