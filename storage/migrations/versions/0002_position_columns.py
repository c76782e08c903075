"""Interview positions: the agency, year and last update id as columns beside the state.

The state (JSON text) stays the truth of where a user stands; ``agency_id`` and ``year`` copy the
two of its keys the interview's read joins on (the user's agency and its reports, in one
statement), and ``update_id`` is the last Telegram update that moved the position (a redelivered
update is recognised by it, in the same transaction that stores the answer). Existing rows get
their agency and year from their state.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _int(value) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def upgrade() -> None:
    with op.batch_alter_table("interview_position") as batch:
        batch.add_column(sa.Column("agency_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("year", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("update_id", sa.BigInteger(), nullable=True))
    conn = op.get_bind()
    position = sa.table(
        "interview_position",
        sa.column("user_id", sa.Integer()),
        sa.column("state", sa.Text()),
        sa.column("agency_id", sa.Integer()),
        sa.column("year", sa.Integer()),
    )
    for user_id, state in conn.execute(sa.select(position.c.user_id, position.c.state)).all():
        try:
            data = json.loads(state)
        except (TypeError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        conn.execute(
            position.update()
            .where(position.c.user_id == user_id)
            .values(agency_id=_int(data.get("agency_id")), year=_int(data.get("year")))
        )


def downgrade() -> None:
    with op.batch_alter_table("interview_position") as batch:
        batch.drop_column("update_id")
        batch.drop_column("year")
        batch.drop_column("agency_id")
