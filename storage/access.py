"""Who may do what: every permission rule of the bot and the web desk, written once.

A :class:`Principal` is a signed-in person (a Telegram user), resolved on the server for every
request from the database and the configuration; nothing sent by a client (callback data, a link,
a cookie) carries rights. Each predicate below is one rule; the chat and the browser call the
same ones.

Roles (storage.models.ROLES): an agency's ``officer`` fills its report, its ``reviewer`` approves
it; an office's ``coordinator`` oversees the office's agencies. An administrator (configured in
``admins`` or added with ``disclosure-bot admin add``) may do everything a coordinator may, for
every office, and sets up offices and agencies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .db import session_scope
from .infos import AgencyInfo, OfficeInfo, agency_info, office_info
from .models import Admin, Agency, Membership, Office, agency_scope, office_scope, utcnow
from .store import Store

OFFICER, REVIEWER, COORDINATOR = "officer", "reviewer", "coordinator"


@dataclass(frozen=True)
class Principal:
    """A person acting, as the server knows them: their user row, Telegram id and admin right."""

    user_id: int
    telegram_id: int
    is_admin: bool


# -- administrators ---------------------------------------------------------------------------------
def add_admin(store: Store, telegram_id: int, *, now: dt.datetime | None = None) -> bool:
    """Make a Telegram user an administrator; False if they were one already."""
    insert = pg_insert if store.engine.dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(Admin)
        .values(telegram_id=telegram_id, added_at=now or utcnow())
        .on_conflict_do_nothing(index_elements=["telegram_id"])
        .returning(Admin.telegram_id)
    )
    with session_scope(store.engine, write=True) as s:
        return s.connection().execute(stmt).first() is not None


def remove_admin(store: Store, telegram_id: int) -> bool:
    with session_scope(store.engine, write=True) as s:
        row = s.get(Admin, telegram_id)
        if row is None:
            return False
        s.delete(row)
        return True


def stored_admins(store: Store) -> list[int]:
    """Administrators added in the database (the configuration may name more)."""
    with session_scope(store.engine) as s:
        return [int(t) for t in s.execute(select(Admin.telegram_id).order_by(Admin.added_at)).scalars()]


def is_admin(store: Store, telegram_id: int, configured: Iterable[int] = ()) -> bool:
    if telegram_id in set(configured):
        return True
    with session_scope(store.engine) as s:
        return s.get(Admin, telegram_id) is not None


def principal(store: Store, telegram_id: int, configured_admins: Iterable[int] = (),
              display_name: str = "") -> Principal:
    """The person with this Telegram id (their user row created if new)."""
    user = store.get_or_create_user(telegram_id, display_name)
    return Principal(user.id, telegram_id, is_admin(store, telegram_id, configured_admins))


# -- agencies -----------------------------------------------------------------------------------------
def direct_roles(store: Store, user_id: int, agency_id: int) -> set[str]:
    """The roles the user holds in the agency itself (officer, reviewer)."""
    with session_scope(store.engine) as s:
        return set(
            s.execute(
                select(Membership.role).where(Membership.user_id == user_id, Membership.scope == agency_scope(agency_id))
            ).scalars()
        )


def is_coordinator(store: Store, user_id: int, office_id: int) -> bool:
    with session_scope(store.engine) as s:
        found = s.execute(
            select(Membership.id).where(
                Membership.user_id == user_id,
                Membership.scope == office_scope(office_id),
                Membership.role == COORDINATOR,
            )
        ).first()
        return found is not None


def _office_of(store: Store, agency_id: int) -> int | None:
    with session_scope(store.engine) as s:
        return s.execute(select(Agency.office_id).where(Agency.id == agency_id)).scalar()


def can_coordinate_office(store: Store, who: Principal, office_id: int) -> bool:
    """Board, roll-up, invitations, deadlines and the approval setting of an office."""
    return who.is_admin or is_coordinator(store, who.user_id, office_id)


def can_coordinate_agency(store: Store, who: Principal, agency_id: int) -> bool:
    """An agency's invitations and deadline: whoever coordinates its office (it must have one)."""
    office_id = _office_of(store, agency_id)
    return office_id is not None and can_coordinate_office(store, who, office_id)


def can_read_agency(store: Store, who: Principal, agency_id: int) -> bool:
    """See an agency's reports, files and history: its members, its office's coordinators, admins."""
    if who.is_admin or direct_roles(store, who.user_id, agency_id):
        return True
    return can_coordinate_agency(store, who, agency_id)


def can_fill(store: Store, who: Principal, agency_id: int) -> bool:
    """Fill in (write) the agency's report: its officers only (and only while it is a draft)."""
    return OFFICER in direct_roles(store, who.user_id, agency_id)


def can_review(store: Store, who: Principal, agency_id: int) -> bool:
    """Approve or return the agency's report: its reviewers."""
    return REVIEWER in direct_roles(store, who.user_id, agency_id)


def can_comment(store: Store, who: Principal, agency_id: int) -> bool:
    """Leave a comment on the agency's report: its reviewers and its office's coordinators."""
    return can_review(store, who, agency_id) or can_coordinate_agency(store, who, agency_id)


def visible_offices(store: Store, who: Principal) -> list[OfficeInfo]:
    """The offices whose board the person may see: all for an admin, else the ones they coordinate."""
    with session_scope(store.engine) as s:
        q = select(Office).order_by(Office.name)
        if not who.is_admin:
            q = q.join(Membership, Membership.office_id == Office.id).where(
                Membership.user_id == who.user_id, Membership.role == COORDINATOR
            )
        return [office_info(o) for o in s.execute(q).scalars()]


def member_agencies(store: Store, who: Principal) -> list[tuple[AgencyInfo, str]]:
    """The agencies the person belongs to directly, with their role there (reviewer wins)."""
    with session_scope(store.engine) as s:
        rows = s.execute(
            select(Agency, Membership.role)
            .join(Membership, Membership.agency_id == Agency.id)
            .where(Membership.user_id == who.user_id)
            .order_by(Agency.name)
        ).all()
        best: dict[int, tuple[AgencyInfo, str]] = {}
        for agency, role in rows:
            if agency.id not in best or role == REVIEWER:
                best[agency.id] = (agency_info(agency), role)
        return list(best.values())
