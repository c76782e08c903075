"""Administrators kept in the database (``disclosure-bot admin add TELEGRAM_ID``), beside the ones
named in the configuration (``admins``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin",
        sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=False), nullable=False),
        sa.PrimaryKeyConstraint("telegram_id", name=op.f("pk_admin")),
    )


def downgrade() -> None:
    op.drop_table("admin")
