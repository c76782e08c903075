"""SQLModel tables. The schema itself is created by the Alembic migrations in storage/migrations/.

Conventions:
- Every datetime column is :class:`UTCDateTime`: stored as naive UTC, returned as an aware UTC
  datetime on SQLite and PostgreSQL alike. Pass aware datetimes (naive ones are taken as UTC).
- Exact values only: integers in a BIGINT column, decimals as their exact decimal text; never float.
- Where a row belongs to "an agency or an office" (or "a report or an office"), a non-null
  ``scope``/``subject`` string such as ``"agency:3"`` / ``"office:2"`` / ``"report:12"`` carries
  the uniqueness, because UNIQUE over a nullable column treats NULLs as distinct.
  Build them with :func:`agency_scope`, :func:`office_scope`, :func:`report_subject`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Index, Integer, MetaData, Text, TypeDecorator
from sqlalchemy import Date as SADate
from sqlmodel import Field, SQLModel

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Our own metadata, so that constraint names are deterministic (needed by Alembic batch mode on SQLite).
metadata = MetaData(naming_convention=NAMING_CONVENTION)

AGENCY_KINDS = ("department", "government", "township", "other")
ROLES = ("officer", "reviewer", "coordinator")
# draft → awaiting_approval (officer's 提交 when the office wants approval) → submitted (reviewer's
# 批准提交); awaiting_approval → draft (退回修改 / 撤回提交). The column is plain text, no CHECK.
REPORT_STATUSES = ("draft", "awaiting_approval", "submitted")
AWAITING_APPROVAL = "awaiting_approval"
AUDIT_SOURCES = ("chat", "excel", "import", "console", "web")
# pending → claimed (a sweeper holds it, not yet handed to Telegram) → sending (the HTTP call may be
# under way) → sent | failed | unknown (may have arrived; never resent) | pending again (retry).
OUTBOX_STATUSES = ("pending", "claimed", "sending", "sent", "failed", "unknown")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def agency_scope(agency_id: int) -> str:
    return f"agency:{agency_id}"


def office_scope(office_id: int) -> str:
    return f"office:{office_id}"


def report_subject(report_id: int) -> str:
    return f"report:{report_id}"


class UTCDateTime(TypeDecorator):
    """Naive UTC in the database, aware UTC in Python."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(SQLModel):
    metadata = metadata


def _fk(target: str, *, nullable: bool, ondelete: str | None = None, index: bool = False) -> Column:
    return Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index)


def _ts(nullable: bool = False) -> Column:
    return Column(UTCDateTime(), nullable=nullable)


class Office(Base, table=True):
    """A coordinator office (e.g. 县政务公开办) overseeing several agencies."""

    __tablename__ = "office"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    region: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    needs_approval: bool = Field(default=False, nullable=False)


class Agency(Base, table=True):
    __tablename__ = "agency"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    kind: str = Field(sa_column=Column(Text, nullable=False))  # AGENCY_KINDS
    office_id: int | None = Field(default=None, sa_column=_fk("office.id", nullable=True, index=True))
    region: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())


class User(Base, table=True):
    __tablename__ = "bot_user"  # "user" is reserved in PostgreSQL
    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
    display_name: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    muted_until: dt.date | None = Field(default=None, sa_column=Column(SADate, nullable=True))
    snoozed_until: dt.datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class Membership(Base, table=True):
    """A user's role in an agency (officer/reviewer) or an office (coordinator)."""

    __tablename__ = "membership"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=_fk("bot_user.id", nullable=False, ondelete="CASCADE", index=True))
    agency_id: int | None = Field(default=None, sa_column=_fk("agency.id", nullable=True, ondelete="CASCADE"))
    office_id: int | None = Field(default=None, sa_column=_fk("office.id", nullable=True, ondelete="CASCADE"))
    scope: str = Field(sa_column=Column(Text, nullable=False))  # agency_scope(id) / office_scope(id)
    role: str = Field(sa_column=Column(Text, nullable=False))  # ROLES
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())

    __table_args__ = (Index("uq_membership_user_scope_role", "user_id", "scope", "role", unique=True),)


class Invitation(Base, table=True):
    __tablename__ = "invitation"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    agency_id: int | None = Field(default=None, sa_column=_fk("agency.id", nullable=True, ondelete="CASCADE"))
    office_id: int | None = Field(default=None, sa_column=_fk("office.id", nullable=True, ondelete="CASCADE"))
    role: str = Field(sa_column=Column(Text, nullable=False))
    created_by: int | None = Field(default=None, sa_column=_fk("bot_user.id", nullable=True, ondelete="SET NULL"))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: dt.datetime = Field(sa_column=_ts())
    used_by: int | None = Field(default=None, sa_column=_fk("bot_user.id", nullable=True, ondelete="SET NULL"))
    used_at: dt.datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    revoked: bool = Field(default=False, nullable=False)


class ReportRow(Base, table=True):
    """One agency's report for one year (named ReportRow to keep it apart from report.model.Report)."""

    __tablename__ = "report"
    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(sa_column=_fk("agency.id", nullable=False, ondelete="CASCADE"))
    year: int = Field(nullable=False)
    format_id: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="draft", sa_column=Column(Text, nullable=False, server_default="draft"))
    version: int = Field(default=1, nullable=False)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())

    __table_args__ = (Index("uq_report_agency_year", "agency_id", "year", unique=True),)


class CellValue(Base, table=True):
    """One stored cell. kind 'int' → int_value; 'decimal' → decimal_text (exact); NULL kind = only a unit."""

    __tablename__ = "cell_value"
    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(sa_column=_fk("report.id", nullable=False, ondelete="CASCADE"))
    key: str = Field(sa_column=Column(Text, nullable=False))
    kind: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    int_value: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    decimal_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    unit: str | None = Field(default=None, sa_column=Column(Text, nullable=True))

    __table_args__ = (Index("uq_cell_value_report_key", "report_id", "key", unique=True),)


class NarrativePartRow(Base, table=True):
    __tablename__ = "narrative_part"
    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(sa_column=_fk("report.id", nullable=False, ondelete="CASCADE"))
    key: str = Field(sa_column=Column(Text, nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))

    __table_args__ = (Index("uq_narrative_part_report_key", "report_id", "key", unique=True),)


class AuditEvent(Base, table=True):
    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())
    user_id: int | None = Field(default=None, sa_column=_fk("bot_user.id", nullable=True, ondelete="SET NULL"))
    report_id: int = Field(sa_column=_fk("report.id", nullable=False, ondelete="CASCADE", index=True))
    key: str = Field(sa_column=Column(Text, nullable=False))
    old: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    new: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    source: str = Field(sa_column=Column(Text, nullable=False))  # AUDIT_SOURCES


class InterviewPosition(Base, table=True):
    __tablename__ = "interview_position"
    user_id: int = Field(sa_column=Column(Integer, ForeignKey("bot_user.id", ondelete="CASCADE"), primary_key=True))
    state: str = Field(sa_column=Column(Text, nullable=False))  # JSON text: the truth
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())
    # Copies of the state's "agency_id" and "year" (the interview's read joins on them), and the
    # last update that moved the position (a redelivered one is recognised by it). Migration 0002.
    agency_id: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    year: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    update_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


class DeadlineOverrideRow(Base, table=True):
    """A deadline set for one office's agencies or one agency, for one report year."""

    __tablename__ = "deadline_override"
    id: int | None = Field(default=None, primary_key=True)
    office_id: int | None = Field(default=None, sa_column=_fk("office.id", nullable=True, ondelete="CASCADE"))
    agency_id: int | None = Field(default=None, sa_column=_fk("agency.id", nullable=True, ondelete="CASCADE"))
    scope: str = Field(sa_column=Column(Text, nullable=False))  # agency_scope(id) / office_scope(id)
    year: int = Field(nullable=False)
    date: dt.date = Field(sa_column=Column(SADate, nullable=False))

    __table_args__ = (Index("uq_deadline_override_scope_year", "scope", "year", unique=True),)


class ReminderOutbox(Base, table=True):
    """A message to send. Unique per (recipient, subject, kind): subject is report_subject(id) for a
    report reminder or office_scope(id) for a coordinator digest (then kind includes the date).

    ``agency_id``: the agency the message is about (NULL for an office's digest); ``office_id``: the
    office concerned (the agency's office when planned, or the digest's office). ``claimed_at`` /
    ``claimed_by``: the lease of the sweep holding a ``claimed`` or ``sending`` row (migration 0005).
    """

    __tablename__ = "reminder_outbox"
    id: int | None = Field(default=None, primary_key=True)
    recipient_user_id: int = Field(sa_column=_fk("bot_user.id", nullable=False, ondelete="CASCADE"))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    report_id: int | None = Field(default=None, sa_column=_fk("report.id", nullable=True, ondelete="CASCADE"))
    office_id: int | None = Field(default=None, sa_column=_fk("office.id", nullable=True, ondelete="CASCADE"))
    agency_id: int | None = Field(default=None, sa_column=_fk("agency.id", nullable=True, ondelete="CASCADE"))
    subject: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(sa_column=Column(Text, nullable=False))
    due_at: dt.datetime = Field(sa_column=_ts())
    status: str = Field(default="pending", sa_column=Column(Text, nullable=False, server_default="pending"))
    attempts: int = Field(default=0, nullable=False)
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    sent_at: dt.datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    payload: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))  # JSON text
    claimed_at: dt.datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    claimed_by: str | None = Field(default=None, sa_column=Column(Text, nullable=True))

    __table_args__ = (
        Index("uq_reminder_outbox_recipient_subject_kind", "recipient_user_id", "subject", "kind", unique=True),
        Index("ix_reminder_outbox_status_due_at", "status", "due_at"),
    )


class Admin(Base, table=True):
    """An administrator added with ``disclosure-bot admin add`` (the configuration may name more)."""

    __tablename__ = "admin"
    telegram_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    added_at: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())


class WebLoginLink(Base, table=True):
    """A one-time sign-in link of the web desk, bound to one user (storage/web_login.py).
    Only the SHA-256 of its token is stored. Migration 0004."""

    __tablename__ = "web_login_link"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    user_id: int = Field(sa_column=_fk("bot_user.id", nullable=False, ondelete="CASCADE", index=True))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: dt.datetime = Field(sa_column=_ts())
    used_at: dt.datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class WebSession(Base, table=True):
    """A signed-in browser: the SHA-256 of its cookie's token, its user, when it ends. Migration 0004."""

    __tablename__ = "web_session"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column=Column(Text, nullable=False, unique=True))
    user_id: int = Field(sa_column=_fk("bot_user.id", nullable=False, ondelete="CASCADE", index=True))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())
    expires_at: dt.datetime = Field(sa_column=_ts())


class WebSecret(Base, table=True):
    """A secret the web desk generated because none was configured (the session signing key)."""

    __tablename__ = "web_secret"
    name: str = Field(sa_column=Column(Text, primary_key=True))
    value: str = Field(sa_column=Column(Text, nullable=False))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())


class ProcessedUpdate(Base, table=True):
    __tablename__ = "processed_update"
    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    processed_at: dt.datetime = Field(default_factory=utcnow, sa_column=_ts())


# Friendly aliases.
Report = ReportRow
NarrativePart = NarrativePartRow
DeadlineOverride = DeadlineOverrideRow
