"""Where each user stands in the conversation, and which Telegram updates were handled (part of
the Store).

Telegram may deliver an update again (after a crash, before its offset was confirmed); handling it
twice must change nothing. Each update's id is claimed in the transaction that handles it: a second
claim within :data:`REDELIVERY_WINDOW` says "handled before". Update ids are not assumed to grow —
after a week without updates Telegram restarts them at a random value — and an id claimed longer
ago than Telegram keeps updates (24 hours) is a new update that happens to reuse it.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .db import session_scope
from .infos import UserInfo
from .models import InterviewPosition, ProcessedUpdate, User, utcnow

_POSITION = InterviewPosition.__table__
_PROCESSED = ProcessedUpdate.__table__
_STATE = select(_POSITION.c.state).where(_POSITION.c.user_id == bindparam("user_id"))
_USER = User.__table__
_USER_AND_STATE = (select(_USER.c.id, _USER.c.display_name, _USER.c.muted_until, _POSITION.c.state)
                   .outerjoin(_POSITION, _POSITION.c.user_id == _USER.c.id)
                   .where(_USER.c.telegram_id == bindparam("tg")))
_BUILT: dict[str, tuple] = {}


def _statements(dialect: str) -> tuple:
    """(claim an update id, store a position): the dialect's INSERT … ON CONFLICT, built once."""
    found = _BUILT.get(dialect)
    if found is None:
        insert_ = pg_insert if dialect == "postgresql" else sqlite_insert
        claim = insert_(_PROCESSED)
        claim = claim.on_conflict_do_update(
            index_elements=["update_id"], set_={"processed_at": claim.excluded.processed_at},
            where=_PROCESSED.c.processed_at < bindparam("cutoff"),
        ).returning(_PROCESSED.c.update_id)
        position = insert_(_POSITION)
        position = position.on_conflict_do_update(index_elements=["user_id"], set_={
            c: position.excluded[c] for c in ("state", "agency_id", "year", "updated_at")})
        found = _BUILT[dialect] = (claim, position)
    return found
# Telegram keeps an undelivered update for at most 24 hours; beyond this an id is a new update.
REDELIVERY_WINDOW = dt.timedelta(hours=26)


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _position(text: str | None) -> dict | None:
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


class PositionStore:
    engine = None  # set by Store

    def get_position(self, user_id: int) -> dict | None:
        with session_scope(self.engine) as s:
            return _position(s.connection().execute(_STATE, {"user_id": user_id}).scalar())

    def user_and_position(self, telegram_id: int, display_name: str = "") -> tuple[UserInfo, dict | None]:
        """The user (created if new, the display name kept current: get_or_create_user) and where
        they stand — one statement for a known user."""
        with session_scope(self.engine) as s:
            found = s.connection().execute(_USER_AND_STATE, {"tg": telegram_id}).first()
        if found is None or (display_name and found.display_name != display_name):
            user = self.get_or_create_user(telegram_id, display_name)
            return user, self.get_position(user.id)
        return UserInfo(found.id, telegram_id, found.display_name, found.muted_until), _position(found.state)

    def set_position(self, user_id: int, position: dict | None) -> None:
        """Store (None: clear) where the user stands (a JSON-able dict)."""
        with session_scope(self.engine, write=True) as s:
            conn = s.connection()
            if position is None:
                conn.execute(delete(_POSITION).where(_POSITION.c.user_id == user_id))
                return
            row = {"user_id": user_id, "state": json.dumps(position, ensure_ascii=False, sort_keys=True),
                   "agency_id": _int_or_none(position.get("agency_id")), "year": _int_or_none(position.get("year")),
                   "updated_at": utcnow()}
            conn.execute(_statements(conn.dialect.name)[1], row)

    def claim_update(self, update_id: int, now: dt.datetime | None = None) -> bool:
        """Record that this update is being handled (in the caller's unit of work): True the first
        time, False when it was handled before (within :data:`REDELIVERY_WINDOW`)."""
        now = now or utcnow()
        with session_scope(self.engine, write=True) as s:
            conn = s.connection()
            claim = _statements(conn.dialect.name)[0]
            return conn.execute(claim, {"update_id": update_id, "processed_at": now,
                                        "cutoff": now - REDELIVERY_WINDOW}).first() is not None

    def is_update_claimed(self, update_id: int) -> bool:
        with session_scope(self.engine) as s:
            return s.execute(select(ProcessedUpdate.update_id).where(
                ProcessedUpdate.update_id == update_id)).first() is not None

    def prune_processed_updates(self, older_than: dt.datetime) -> int:
        """Forget processed update ids older than this (Telegram keeps updates for 24 hours)."""
        with session_scope(self.engine, write=True) as s:
            return s.connection().execute(
                delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < older_than)).rowcount
