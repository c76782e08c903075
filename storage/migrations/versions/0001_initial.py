"""Initial schema: offices, agencies, users, memberships, invitations, reports, cells, narratives,
audit trail, interview positions, deadline overrides, reminder outbox, processed updates.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True)


def _fk(name: str, target: str, *, nullable: bool = True, ondelete: str | None = None) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey(target, ondelete=ondelete), nullable=nullable)


def _text(name: str, *, nullable: bool = False, default: str | None = None) -> sa.Column:
    return sa.Column(name, sa.Text(), nullable=nullable, server_default=default)


def _ts(name: str, *, nullable: bool = False) -> sa.Column:
    # Naive UTC (storage.models.UTCDateTime).
    return sa.Column(name, sa.DateTime(timezone=False), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "office",
        _id(),
        _text("name"),
        _text("region", default=""),
        sa.Column("needs_approval", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("name", name="uq_office_name"),
    )
    op.create_table(
        "agency",
        _id(),
        _text("name"),
        _text("kind"),
        _fk("office_id", "office.id"),
        _text("region", default=""),
        _ts("created_at"),
        sa.UniqueConstraint("name", name="uq_agency_name"),
    )
    op.create_index("ix_agency_office_id", "agency", ["office_id"])
    op.create_table(
        "bot_user",
        _id(),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        _text("display_name", default=""),
        sa.Column("muted_until", sa.Date(), nullable=True),
        _ts("snoozed_until", nullable=True),
        sa.UniqueConstraint("telegram_id", name="uq_bot_user_telegram_id"),
    )
    op.create_table(
        "membership",
        _id(),
        _fk("user_id", "bot_user.id", nullable=False, ondelete="CASCADE"),
        _fk("agency_id", "agency.id", ondelete="CASCADE"),
        _fk("office_id", "office.id", ondelete="CASCADE"),
        _text("scope"),
        _text("role"),
        _ts("created_at"),
    )
    op.create_index("ix_membership_user_id", "membership", ["user_id"])
    op.create_index("uq_membership_user_scope_role", "membership", ["user_id", "scope", "role"], unique=True)
    op.create_table(
        "invitation",
        _id(),
        _text("token_hash"),
        _fk("agency_id", "agency.id", ondelete="CASCADE"),
        _fk("office_id", "office.id", ondelete="CASCADE"),
        _text("role"),
        _fk("created_by", "bot_user.id", ondelete="SET NULL"),
        _ts("created_at"),
        _ts("expires_at"),
        _fk("used_by", "bot_user.id", ondelete="SET NULL"),
        _ts("used_at", nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("token_hash", name="uq_invitation_token_hash"),
    )
    op.create_table(
        "report",
        _id(),
        _fk("agency_id", "agency.id", nullable=False, ondelete="CASCADE"),
        sa.Column("year", sa.Integer(), nullable=False),
        _text("format_id"),
        _text("status", default="draft"),
        sa.Column("version", sa.Integer(), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
    )
    op.create_index("uq_report_agency_year", "report", ["agency_id", "year"], unique=True)
    op.create_table(
        "cell_value",
        _id(),
        _fk("report_id", "report.id", nullable=False, ondelete="CASCADE"),
        _text("key"),
        _text("kind", nullable=True),
        sa.Column("int_value", sa.BigInteger(), nullable=True),
        _text("decimal_text", nullable=True),
        _text("unit", nullable=True),
    )
    op.create_index("uq_cell_value_report_key", "cell_value", ["report_id", "key"], unique=True)
    op.create_table(
        "narrative_part",
        _id(),
        _fk("report_id", "report.id", nullable=False, ondelete="CASCADE"),
        _text("key"),
        _text("text"),
    )
    op.create_index("uq_narrative_part_report_key", "narrative_part", ["report_id", "key"], unique=True)
    op.create_table(
        "audit_event",
        _id(),
        _ts("at"),
        _fk("user_id", "bot_user.id", ondelete="SET NULL"),
        _fk("report_id", "report.id", nullable=False, ondelete="CASCADE"),
        _text("key"),
        _text("old", nullable=True),
        _text("new", nullable=True),
        _text("source"),
    )
    op.create_index("ix_audit_event_report_id", "audit_event", ["report_id"])
    op.create_table(
        "interview_position",
        sa.Column(
            "user_id", sa.Integer(), sa.ForeignKey("bot_user.id", ondelete="CASCADE"), primary_key=True
        ),
        _text("state"),
        _ts("updated_at"),
    )
    op.create_table(
        "deadline_override",
        _id(),
        _fk("office_id", "office.id", ondelete="CASCADE"),
        _fk("agency_id", "agency.id", ondelete="CASCADE"),
        _text("scope"),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
    )
    op.create_index("uq_deadline_override_scope_year", "deadline_override", ["scope", "year"], unique=True)
    op.create_table(
        "reminder_outbox",
        _id(),
        _fk("recipient_user_id", "bot_user.id", nullable=False, ondelete="CASCADE"),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        _fk("report_id", "report.id", ondelete="CASCADE"),
        _fk("office_id", "office.id", ondelete="CASCADE"),
        _text("subject"),
        _text("kind"),
        _ts("due_at"),
        _text("status", default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _text("last_error", nullable=True),
        _ts("sent_at", nullable=True),
        _text("payload", default="{}"),
    )
    op.create_index(
        "uq_reminder_outbox_recipient_subject_kind",
        "reminder_outbox",
        ["recipient_user_id", "subject", "kind"],
        unique=True,
    )
    op.create_index("ix_reminder_outbox_status_due_at", "reminder_outbox", ["status", "due_at"])
    op.create_table(
        "processed_update",
        sa.Column("update_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        _ts("processed_at"),
    )


def downgrade() -> None:
    for table in (
        "processed_update",
        "reminder_outbox",
        "deadline_override",
        "interview_position",
        "audit_event",
        "narrative_part",
        "cell_value",
        "report",
        "invitation",
        "membership",
        "bot_user",
        "agency",
        "office",
    ):
        op.drop_table(table)
