"""The web desk: one-time sign-in links, browser sessions, and the generated signing key.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _ts(name: str, *, nullable: bool = False) -> sa.Column:
    # Naive UTC (storage.models.UTCDateTime).
    return sa.Column(name, sa.DateTime(timezone=False), nullable=nullable)


def _user_fk() -> sa.Column:
    return sa.Column("user_id", sa.Integer(), sa.ForeignKey("bot_user.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "web_login_link",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.Text(), nullable=False),
        _user_fk(),
        _ts("created_at"),
        _ts("expires_at"),
        _ts("used_at", nullable=True),
        sa.UniqueConstraint("token_hash", name="uq_web_login_link_token_hash"),
    )
    op.create_index("ix_web_login_link_user_id", "web_login_link", ["user_id"])
    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.Text(), nullable=False),
        _user_fk(),
        _ts("created_at"),
        _ts("expires_at"),
        sa.UniqueConstraint("token_hash", name="uq_web_session_token_hash"),
    )
    op.create_index("ix_web_session_user_id", "web_session", ["user_id"])
    op.create_table(
        "web_secret",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_web_secret")),
    )


def downgrade() -> None:
    op.drop_table("web_secret")
    op.drop_table("web_session")
    op.drop_table("web_login_link")
