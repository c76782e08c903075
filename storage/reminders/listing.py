"""Reading the outbox: one row, all rows, and what the coordinator's board lists."""

from __future__ import annotations

from sqlalchemy import Engine, and_, func, or_, select

from ..db import session_scope
from ..models import Agency, ReminderOutbox, ReportRow, User
from .common import SHOWN_TO_COORDINATOR, FailedDelivery, OutboxItem, item_of


def get_item(engine: Engine, outbox_id: int) -> tuple[OutboxItem, int] | None:
    """An outbox row and its recipient's Telegram id."""
    with session_scope(engine) as s:
        row = s.execute(
            select(ReminderOutbox, User.telegram_id)
            .join(User, User.id == ReminderOutbox.recipient_user_id)
            .where(ReminderOutbox.id == outbox_id)
        ).first()
        return (item_of(row[0]), int(row[1])) if row else None


def items(engine: Engine, *, status: str | None = None) -> list[OutboxItem]:
    with session_scope(engine) as s:
        q = select(ReminderOutbox).order_by(ReminderOutbox.id)
        if status is not None:
            q = q.where(ReminderOutbox.status == status)
        return [item_of(r) for r in s.execute(q).scalars()]


def failed_deliveries(engine: Engine, office_id: int) -> list[FailedDelivery]:
    """Every failed and unknown delivery concerning one office, newest first — for the coordinator's
    board: the rows about its agencies (officers', reviewers' and coordinators' reminders, approval
    requests; whether or not the agency had a report row when it was planned) and its own digests.
    The agency is the row's ``agency_id``, else its report's agency (rows written without one)."""
    with session_scope(engine) as s:
        rows = s.execute(
            select(ReminderOutbox, User.display_name, Agency.name)
            .join(User, User.id == ReminderOutbox.recipient_user_id)
            .outerjoin(ReportRow, ReportRow.id == ReminderOutbox.report_id)
            .outerjoin(Agency, Agency.id == func.coalesce(ReminderOutbox.agency_id, ReportRow.agency_id))
            .where(
                ReminderOutbox.status.in_(SHOWN_TO_COORDINATOR),
                or_(
                    Agency.office_id == office_id,
                    and_(Agency.id.is_(None), ReminderOutbox.office_id == office_id),
                ),
            )
            .order_by(ReminderOutbox.due_at.desc(), ReminderOutbox.id.desc())
        ).all()
        return [
            FailedDelivery(r.id, r.recipient_user_id, name or "", agency, r.kind, r.status, r.last_error, r.due_at)
            for r, name, agency in rows
        ]
