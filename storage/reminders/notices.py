"""Notices sent once, at once, through the outbox like any reminder (exactly once, paced):
someone tried to register an agency that exists already (bot/interview/screens/registration.py).

The agency's members are told (its officers and reviewers; its office's coordinators when it has
none), once per person trying: kind ``registration_attempt_<telegram id>`` under the agency's scope."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Engine, select

from ..db import session_scope
from ..models import Agency, Membership, User, agency_scope, office_scope
from .common import PENDING, insert_ignore

REGISTRATION_ATTEMPT_PAYLOAD = "registration_attempt"
MEMBER_ROLES = ("officer", "reviewer")


def notify_registration_attempt(engine: Engine, agency_id: int, name: str, telegram_id: int,
                                now: dt.datetime) -> int:
    """Queue the notice for the agency's members (in the caller's transaction when there is one);
    returns the rows inserted (0 when this person was reported before)."""
    with session_scope(engine, write=True) as s:
        return _notify(s, agency_id, name, telegram_id, now)


def _notify(s, agency_id: int, name: str, telegram_id: int, now: dt.datetime) -> int:
    agency = s.get(Agency, agency_id)
    if agency is None:
        return 0

    def members(scope: str, roles: tuple[str, ...]):
        return s.execute(
            select(User.id, User.telegram_id).join(Membership, Membership.user_id == User.id)
            .where(Membership.scope == scope, Membership.role.in_(roles)).order_by(Membership.id)
        ).all()

    recipients = members(agency_scope(agency_id), MEMBER_ROLES)
    if not recipients and agency.office_id is not None:
        recipients = members(office_scope(agency.office_id), ("coordinator",))
    payload = json.dumps({"type": REGISTRATION_ATTEMPT_PAYLOAD, "agency": agency.name, "agency_id": agency_id,
                          "name": name, "telegram_id": int(telegram_id)}, ensure_ascii=False)
    rows = [{
        "recipient_user_id": uid, "chat_id": int(tg), "report_id": None, "agency_id": agency_id,
        "office_id": agency.office_id, "subject": agency_scope(agency_id),
        "kind": f"{REGISTRATION_ATTEMPT_PAYLOAD}_{int(telegram_id)}", "due_at": now, "payload": payload,
        "status": PENDING, "attempts": 0,
    } for uid, tg in recipients if int(tg) != int(telegram_id)]
    return insert_ignore(s, rows)
