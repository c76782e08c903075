"""Coordination storage: offices listing, the approval setting, deadline overrides, reviewer comments.

Every function is one transaction and returns plain values. Rights are checked by the caller.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from .db import session_scope
from .errors import InvalidData, NotFound
from .infos import AgencyInfo, OfficeInfo, ReportInfo, agency_info, office_info, report_info
from .models import (
    Agency,
    AuditEvent,
    DeadlineOverrideRow,
    Membership,
    Office,
    ReportRow,
    User,
    agency_scope,
    office_scope,
)
from .store import Store

COMMENT_KEY = "comment"  # audit key of a reviewer's comment (new = the text)


def all_offices(store: Store) -> list[OfficeInfo]:
    with session_scope(store.engine) as s:
        return [office_info(o) for o in s.exec(select(Office).order_by(Office.name)).scalars()]


def all_agencies_without_office(store: Store) -> list[AgencyInfo]:
    with session_scope(store.engine) as s:
        rows = s.exec(select(Agency).where(Agency.office_id.is_(None)).order_by(Agency.name)).scalars()
        return [agency_info(a) for a in rows]


def coordinated_offices(store: Store, user_id: int) -> list[OfficeInfo]:
    """Offices where the user is a coordinator."""
    with session_scope(store.engine) as s:
        rows = s.exec(
            select(Office)
            .join(Membership, Membership.office_id == Office.id)
            .where(Membership.user_id == user_id, Membership.role == "coordinator")
            .order_by(Office.name)
        ).scalars()
        return [office_info(o) for o in rows]


def is_coordinator(store: Store, user_id: int, office_id: int) -> bool:
    with session_scope(store.engine) as s:
        return (
            s.exec(
                select(Membership.id).where(
                    Membership.user_id == user_id,
                    Membership.scope == office_scope(office_id),
                    Membership.role == "coordinator",
                )
            ).first()
            is not None
        )


def set_needs_approval(store: Store, office_id: int, needs_approval: bool) -> None:
    with session_scope(store.engine, write=True) as s:
        o = s.get(Office, office_id)
        if o is None:
            raise NotFound("office", office_id)
        o.needs_approval = needs_approval


def agency_reviewers(store: Store, agency_id: int) -> list[tuple[int, int, str]]:
    """(user id, Telegram id, display name) of the agency's reviewers, by membership age."""
    with session_scope(store.engine) as s:
        rows = s.exec(
            select(User.id, User.telegram_id, User.display_name)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.scope == agency_scope(agency_id), Membership.role == "reviewer")
            .order_by(Membership.id)
        ).all()
        return [(uid, int(tg), name or "") for uid, tg, name in rows]


def set_agency_office(store: Store, agency_id: int, office_id: int) -> AgencyInfo:
    """Attach an agency that has no office to an office (admin). Refuses an agency already in one."""
    with session_scope(store.engine, write=True) as s:
        a = s.get(Agency, agency_id)
        if a is None:
            raise NotFound("agency", agency_id)
        if s.get(Office, office_id) is None:
            raise NotFound("office", office_id)
        if a.office_id is not None and a.office_id != office_id:
            raise InvalidData(f"agency {agency_id} belongs to another office")
        a.office_id = office_id
        s.flush()
        return agency_info(a)


def needs_approval(store: Store, agency_id: int) -> bool:
    """Whether a report of this agency must be approved by a reviewer to count as submitted."""
    with session_scope(store.engine) as s:
        a = s.get(Agency, agency_id)
        if a is None or a.office_id is None:
            return False
        o = s.get(Office, a.office_id)
        return bool(o and o.needs_approval)


# -- deadline overrides ------------------------------------------------------------------------
def set_deadline_override(
    store: Store, year: int, date: dt.date | None, *, office_id: int | None = None, agency_id: int | None = None
) -> None:
    """Set (date) or clear (None) the deadline of an office's agencies or of one agency for a year."""
    if (office_id is None) == (agency_id is None):
        raise ValueError("name an office or an agency")
    scope = office_scope(office_id) if office_id is not None else agency_scope(agency_id)
    with session_scope(store.engine, write=True) as s:
        row = s.exec(
            select(DeadlineOverrideRow).where(DeadlineOverrideRow.scope == scope, DeadlineOverrideRow.year == year)
        ).scalars().first()
        if date is None:
            if row is not None:
                s.delete(row)
            return
        if row is None:
            s.add(DeadlineOverrideRow(office_id=office_id, agency_id=agency_id, scope=scope, year=year, date=date))
        else:
            row.date = date


def deadline_overrides(store: Store, year: int, *, office_id: int) -> tuple[dt.date | None, dict[int, dt.date]]:
    """(the office's override, {agency id: the agency's override}) for the office's agencies."""
    with session_scope(store.engine) as s:
        office_date = s.exec(
            select(DeadlineOverrideRow.date).where(
                DeadlineOverrideRow.scope == office_scope(office_id), DeadlineOverrideRow.year == year
            )
        ).scalar()
        rows = s.exec(
            select(DeadlineOverrideRow.agency_id, DeadlineOverrideRow.date)
            .join(Agency, Agency.id == DeadlineOverrideRow.agency_id)
            .where(Agency.office_id == office_id, DeadlineOverrideRow.year == year)
        ).all()
        return office_date, {aid: d for aid, d in rows}


# -- the board ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class BoardRow:
    agency: AgencyInfo
    report: ReportInfo | None


def office_reports(store: Store, office_id: int, year: int) -> list[BoardRow]:
    """Every agency of the office (by name) with its report for the year, if any."""
    with session_scope(store.engine) as s:
        rows = s.exec(
            select(Agency, ReportRow)
            .outerjoin(ReportRow, (ReportRow.agency_id == Agency.id) & (ReportRow.year == year))
            .where(Agency.office_id == office_id)
            .order_by(Agency.name)
        ).all()
        return [BoardRow(agency_info(a), report_info(r) if r is not None else None) for a, r in rows]


def report_ids_of_agency(store: Store, agency_id: int) -> list[int]:
    with session_scope(store.engine) as s:
        return list(s.exec(select(ReportRow.id).where(ReportRow.agency_id == agency_id)).scalars())


# -- reviewer comments and approvals -------------------------------------------------------------
def add_comment(store: Store, report_id: int, user_id: int, text: str, source: str = "chat") -> None:
    """A reviewer's comment, kept in the audit trail (key "comment"); the report version is unchanged."""
    with session_scope(store.engine, write=True) as s:
        if s.get(ReportRow, report_id) is None:
            raise NotFound("report", report_id)
        s.add(AuditEvent(user_id=user_id, report_id=report_id, key=COMMENT_KEY, old=None, new=text, source=source))


@dataclass(frozen=True)
class CommentInfo:
    at: dt.datetime
    user_name: str | None
    text: str


def comments(store: Store, report_id: int) -> list[CommentInfo]:
    with session_scope(store.engine) as s:
        rows = s.exec(
            select(AuditEvent, User.display_name)
            .outerjoin(User, User.id == AuditEvent.user_id)
            .where(AuditEvent.report_id == report_id, AuditEvent.key == COMMENT_KEY)
            .order_by(AuditEvent.id)
        ).all()
        return [CommentInfo(e.at, name, e.new or "") for e, name in rows]
