"""Reminder outbox: the agency a row is about, and the lease of the sweep that holds it.

- ``agency_id`` (the agency a reminder or approval request concerns; NULL for an office's digest):
  the coordinator's failed-delivery list finds every row of the office's agencies through it,
  including agencies that had no report row when the reminder was planned (subject
  ``agency:<id>:<year>``, report_id NULL, office_id NULL before this revision). Existing rows get it
  from their report, else from their subject; ``office_id`` is filled with the agency's office.
- ``claimed_at`` / ``claimed_by``: a sweep claims rows (status ``claimed``, not yet handed to
  Telegram) and marks each ``sending`` in its own commit right before the HTTP call. Rows left
  ``sending`` by the previous scheme carried their claim in the payload (``"_claim"``): those whose
  HTTP call never started become ``claimed`` (recovery returns them to the queue), the others keep
  ``sending`` (recovery makes them ``unknown``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import datetime as dt
import json
import re

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_AGENCY_SUBJECT = re.compile(r"^agency:(\d+):\d+$")

outbox = sa.table(
    "reminder_outbox",
    sa.column("id", sa.Integer()),
    sa.column("report_id", sa.Integer()),
    sa.column("office_id", sa.Integer()),
    sa.column("agency_id", sa.Integer()),
    sa.column("subject", sa.Text()),
    sa.column("status", sa.Text()),
    sa.column("attempts", sa.Integer()),
    sa.column("payload", sa.Text()),
    sa.column("claimed_at", sa.DateTime()),
    sa.column("claimed_by", sa.Text()),
)
report = sa.table("report", sa.column("id", sa.Integer()), sa.column("agency_id", sa.Integer()))
agency = sa.table("agency", sa.column("id", sa.Integer()), sa.column("office_id", sa.Integer()))


def _naive_utc(text: object) -> dt.datetime | None:
    try:
        at = dt.datetime.fromisoformat(str(text))
    except (TypeError, ValueError):
        return None
    return at.astimezone(dt.UTC).replace(tzinfo=None) if at.tzinfo else at


def _backfill_agencies(conn) -> None:
    conn.execute(
        outbox.update()
        .where(outbox.c.report_id.is_not(None))
        .values(
            agency_id=sa.select(report.c.agency_id).where(report.c.id == outbox.c.report_id).scalar_subquery()
        )
    )
    existing = set(conn.execute(sa.select(agency.c.id)).scalars())
    rows = conn.execute(
        sa.select(outbox.c.id, outbox.c.subject).where(
            outbox.c.report_id.is_(None), outbox.c.subject.like("agency:%")
        )
    ).all()
    for row_id, subject in rows:
        m = _AGENCY_SUBJECT.match(subject or "")
        if m and int(m.group(1)) in existing:
            conn.execute(outbox.update().where(outbox.c.id == row_id).values(agency_id=int(m.group(1))))
    conn.execute(
        outbox.update()
        .where(outbox.c.agency_id.is_not(None), outbox.c.office_id.is_(None))
        .values(
            office_id=sa.select(agency.c.office_id).where(agency.c.id == outbox.c.agency_id).scalar_subquery()
        )
    )


def _convert_claims(conn) -> None:
    rows = conn.execute(
        sa.select(outbox.c.id, outbox.c.attempts, outbox.c.payload).where(outbox.c.status == "sending")
    ).all()
    for row_id, attempts, payload_text in rows:
        try:
            payload = json.loads(payload_text or "{}")
        except ValueError:
            payload = {}
        claim = payload.pop("_claim", None) if isinstance(payload, dict) else None
        claim = claim if isinstance(claim, dict) else {}
        try:
            started = int(attempts) > int(claim["attempts"])
        except (KeyError, TypeError, ValueError):
            started = True  # unknown: it may have been sent
        conn.execute(
            outbox.update()
            .where(outbox.c.id == row_id)
            .values(
                status="sending" if started else "claimed",
                claimed_at=_naive_utc(claim.get("at")),
                claimed_by=str(claim.get("by") or "before-0005"),
                payload=json.dumps(payload, ensure_ascii=False) if isinstance(payload, dict) else payload_text,
            )
        )


def upgrade() -> None:
    with op.batch_alter_table("reminder_outbox") as batch:
        batch.add_column(sa.Column("agency_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=False), nullable=True))
        batch.add_column(sa.Column("claimed_by", sa.Text(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_reminder_outbox_agency_id_agency"), "agency", ["agency_id"], ["id"], ondelete="CASCADE"
        )
    conn = op.get_bind()
    _backfill_agencies(conn)
    _convert_claims(conn)


def downgrade() -> None:
    conn = op.get_bind()
    # The previous scheme has no "claimed": such rows never reached Telegram, so they are queued again.
    conn.execute(outbox.update().where(outbox.c.status == "claimed").values(status="pending"))
    with op.batch_alter_table("reminder_outbox") as batch:
        batch.drop_constraint(op.f("fk_reminder_outbox_agency_id_agency"), type_="foreignkey")
        batch.drop_column("claimed_by")
        batch.drop_column("claimed_at")
        batch.drop_column("agency_id")
