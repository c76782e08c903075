"""Delivery: claiming due rows under a lease, marking each ``sending`` right before its HTTP call,
recording the outcome, and recovering the rows of a sweep that died (see the package docstring).

Every transition out of ``claimed`` / ``sending`` names the claim it belongs to (``claimed_by``, a
token unique to one claim): a sweep whose lease was taken back (it stalled past the stale window and
another instance re-queued and claimed its rows) can neither send those rows nor overwrite what the
new holder records.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import Engine, delete, or_, select, update

from ..db import session_scope
from ..models import ReminderOutbox
from .common import (
    APPROVAL_KIND,
    CLAIMED,
    FAILED,
    PENDING,
    SENDING,
    SENT,
    UNKNOWN,
    OutboxItem,
    item_of,
)

HELD = (CLAIMED, SENDING)
INTERRUPTED_BEFORE_SENDING = "claim expired before the message was handed to Telegram; queued again"
INTERRUPTED_WHILE_SENDING = "the sweep stopped while sending; delivery unknown, not resent"


def claim(
    engine: Engine, now: dt.datetime, limit: int, claimer: str, *, approvals_only: bool = False
) -> list[OutboxItem]:
    """Take up to ``limit`` due pending rows for the claim ``claimer`` (a token unique to this claim):
    status ``claimed`` with the lease starting now, in one transaction (FOR UPDATE SKIP LOCKED on
    PostgreSQL, so instances claim disjoint rows; SQLite serialises writers with BEGIN IMMEDIATE).
    ``approvals_only``: approval requests only (what is sent outside working hours)."""
    with session_scope(engine, write=True) as s:
        q = (
            select(ReminderOutbox)
            .where(ReminderOutbox.status == PENDING, ReminderOutbox.due_at <= now)
            .order_by(ReminderOutbox.due_at, ReminderOutbox.id)
            .limit(limit)
        )
        if approvals_only:
            q = q.where(ReminderOutbox.kind.like(f"{APPROVAL_KIND}%"))
        if s.get_bind().dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        rows = list(s.execute(q).scalars())
        for r in rows:
            r.status = CLAIMED
            r.claimed_at = now
            r.claimed_by = claimer
        s.flush()
        return [item_of(r) for r in rows]


def mark_sending(engine: Engine, claims: Sequence[tuple[int, str]], now: dt.datetime) -> set[int]:
    """Right before the HTTP calls: (row id, claim) pairs still held under that claim become
    ``sending`` (attempts + 1, lease renewed), in one commit. Returns the ids that did; a row missing
    from it was taken back by recovery and must not be sent by this sweep."""
    by_claim: dict[str, list[int]] = defaultdict(list)
    for outbox_id, claimer in claims:
        by_claim[claimer].append(outbox_id)
    done: set[int] = set()
    with session_scope(engine, write=True) as s:
        for claimer, ids in by_claim.items():
            res = s.execute(
                update(ReminderOutbox)
                .where(
                    ReminderOutbox.id.in_(ids),
                    ReminderOutbox.status == CLAIMED,
                    ReminderOutbox.claimed_by == claimer,
                )
                .values(status=SENDING, attempts=ReminderOutbox.attempts + 1, claimed_at=now)
                .returning(ReminderOutbox.id)
                .execution_options(synchronize_session=False)
            )
            done.update(res.scalars())
    return done


# -- outcomes ---------------------------------------------------------------------------------------
def sent_values(at: dt.datetime) -> dict:
    return {"status": SENT, "sent_at": at, "last_error": None}


def failed_values(error: str) -> dict:
    """Permanent failure (bot blocked, chat gone); shown on the coordinator's board."""
    return {"status": FAILED, "last_error": error[:500]}


def unknown_values(error: str) -> dict:
    """May or may not have arrived (read timeout); never resent automatically; shown on the board."""
    return {"status": UNKNOWN, "last_error": error[:500]}


def retry_values(retry_at: dt.datetime, error: str) -> dict:
    """Back to the queue, due at ``retry_at`` (it certainly did not arrive)."""
    return {"status": PENDING, "due_at": retry_at, "last_error": error[:500], "claimed_at": None, "claimed_by": None}


def held_values(now: dt.datetime, error: str) -> dict:
    """Still held by this sweep but certainly not sent (flood control): ``claimed`` again while the
    sweep waits to retry, so a crash meanwhile queues it again instead of making it unknown."""
    return {"status": CLAIMED, "claimed_at": now, "last_error": error[:500]}


def finish_many(engine: Engine, outcomes: Sequence[tuple[int, str | None, dict]]) -> set[int]:
    """Record several outcomes in one transaction: (row id, claim, column values) triples, the
    values built by :func:`sent_values` / :func:`failed_values` / :func:`unknown_values` /
    :func:`retry_values` / :func:`held_values`. With a claim, a row is changed only while that
    claim holds it (``unknown`` included: recovery may have given up on a send that then answered).
    Returns the ids changed."""
    done: set[int] = set()
    if not outcomes:
        return done
    with session_scope(engine, write=True) as s:
        for outbox_id, claimer, values in outcomes:
            stmt = update(ReminderOutbox).where(ReminderOutbox.id == outbox_id)
            if claimer is not None:
                stmt = stmt.where(
                    ReminderOutbox.claimed_by == claimer, ReminderOutbox.status.in_((*HELD, UNKNOWN))
                )
            if s.execute(stmt.values(**values).execution_options(synchronize_session=False)).rowcount:
                done.add(outbox_id)
    return done


def _finish(engine: Engine, outbox_id: int, values: dict) -> bool:
    return outbox_id in finish_many(engine, [(outbox_id, None, values)])


def mark_sent(engine: Engine, outbox_id: int, at: dt.datetime) -> bool:
    return _finish(engine, outbox_id, sent_values(at))


def mark_failed(engine: Engine, outbox_id: int, error: str) -> bool:
    return _finish(engine, outbox_id, failed_values(error))


def mark_unknown(engine: Engine, outbox_id: int, error: str) -> bool:
    return _finish(engine, outbox_id, unknown_values(error))


def reschedule(engine: Engine, outbox_id: int, retry_at: dt.datetime, error: str) -> bool:
    return _finish(engine, outbox_id, retry_values(retry_at, error))


def release(engine: Engine, outbox_ids: Iterable[int], claimer: str) -> int:
    """Give back rows claimed but not handed to Telegram (a sweep stopping cleanly): pending again."""
    ids = list(outbox_ids)
    if not ids:
        return 0
    with session_scope(engine, write=True) as s:
        return s.execute(
            update(ReminderOutbox)
            .where(ReminderOutbox.id.in_(ids), ReminderOutbox.status == CLAIMED, ReminderOutbox.claimed_by == claimer)
            .values(status=PENDING, claimed_at=None, claimed_by=None)
            .execution_options(synchronize_session=False)
        ).rowcount


def drop(engine: Engine, outbox_ids: Iterable[int], claimer: str | None = None) -> int:
    """Delete obsolete rows (e.g. the report was submitted after planning); with ``claimer``, only
    while that claim holds them."""
    ids = list(outbox_ids)
    if not ids:
        return 0
    with session_scope(engine, write=True) as s:
        stmt = delete(ReminderOutbox).where(ReminderOutbox.id.in_(ids))
        if claimer is not None:
            stmt = stmt.where(ReminderOutbox.claimed_by == claimer, ReminderOutbox.status == CLAIMED)
        return s.execute(stmt.execution_options(synchronize_session=False)).rowcount


def recover_stale(engine: Engine, now: dt.datetime, older_than: dt.timedelta) -> tuple[int, int]:
    """Rows whose lease is older than ``older_than`` (the sweep holding them died or stalled):
    ``claimed`` ones never reached Telegram and go back to pending; ``sending`` ones may have reached
    it and become ``unknown`` (never resent; shown to the coordinator). Returns (pending, unknown)."""
    limit = now - older_than
    expired = or_(ReminderOutbox.claimed_at.is_(None), ReminderOutbox.claimed_at < limit)
    with session_scope(engine, write=True) as s:
        to_pending = s.execute(
            update(ReminderOutbox)
            .where(ReminderOutbox.status == CLAIMED, expired)
            .values(status=PENDING, claimed_at=None, claimed_by=None, last_error=INTERRUPTED_BEFORE_SENDING)
            .execution_options(synchronize_session=False)
        ).rowcount
        to_unknown = s.execute(
            update(ReminderOutbox)
            .where(ReminderOutbox.status == SENDING, expired)
            .values(status=UNKNOWN, last_error=INTERRUPTED_WHILE_SENDING)
            .execution_options(synchronize_session=False)
        ).rowcount
    return to_pending, to_unknown
