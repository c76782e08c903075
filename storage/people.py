"""Users, coordinator offices, agencies and memberships (part of the Store)."""

from __future__ import annotations

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from .db import session_scope
from .errors import AlreadyExists, InvalidData, NotFound
from .infos import AgencyInfo, MembershipInfo, OfficeInfo, UserInfo, agency_info, office_info, user_info
from .models import AGENCY_KINDS, ROLES, Agency, Membership, Office, User, agency_scope, office_scope

_USER = User.__table__
_USER_BY_TELEGRAM_ID = select(_USER.c.id, _USER.c.display_name, _USER.c.muted_until).where(
    _USER.c.telegram_id == bindparam("tg"))
_M, _A, _O = Membership.__table__, Agency.__table__, Office.__table__
_MEMBERSHIPS = (
    select(_M.c.role, _M.c.agency_id, _M.c.office_id, _A.c.name, _O.c.name)
    .select_from(_M.outerjoin(_A, _A.c.id == _M.c.agency_id).outerjoin(_O, _O.c.id == _M.c.office_id))
    .where(_M.c.user_id == bindparam("user_id"))
    .order_by(_M.c.id)
)


class PeopleStore:
    engine = None  # set by Store

    def _read(self):
        return session_scope(self.engine)

    def _write(self, savepoint: bool = False):
        return session_scope(self.engine, write=True, savepoint=savepoint)

    # -- users ---------------------------------------------------------------------------------------
    def get_or_create_user(self, telegram_id: int, display_name: str = "") -> UserInfo:
        """The user with this Telegram id, created if new; a non-empty display_name is kept current."""
        with self._write() as s:
            conn = s.connection()
            u = conn.execute(_USER_BY_TELEGRAM_ID, {"tg": telegram_id}).first()
            if u is None:
                conn.execute(insert(_USER).values(telegram_id=telegram_id, display_name=display_name))
                u = conn.execute(_USER_BY_TELEGRAM_ID, {"tg": telegram_id}).first()
            elif display_name and u.display_name != display_name:
                conn.execute(update(_USER).where(_USER.c.id == u.id).values(display_name=display_name))
                return UserInfo(u.id, telegram_id, display_name, u.muted_until)
            return UserInfo(u.id, telegram_id, u.display_name, u.muted_until)

    def get_user(self, user_id: int) -> UserInfo:
        with self._read() as s:
            u = s.get(User, user_id)
            if u is None:
                raise NotFound("user", user_id)
            return user_info(u)

    def find_user(self, telegram_id: int) -> UserInfo | None:
        with self._read() as s:
            u = s.connection().execute(_USER_BY_TELEGRAM_ID, {"tg": telegram_id}).first()
            return UserInfo(u.id, telegram_id, u.display_name, u.muted_until) if u else None

    # -- offices and agencies -------------------------------------------------------------------------
    def create_office(self, name: str, region: str = "", needs_approval: bool = False) -> OfficeInfo:
        try:
            with self._write(savepoint=True) as s:
                o = Office(name=name, region=region, needs_approval=needs_approval)
                s.add(o)
                s.flush()
                return office_info(o)
        except IntegrityError as exc:
            raise AlreadyExists("office", name) from exc

    def get_office(self, office_id: int) -> OfficeInfo:
        with self._read() as s:
            o = s.get(Office, office_id)
            if o is None:
                raise NotFound("office", office_id)
            return office_info(o)

    def find_office(self, name: str) -> OfficeInfo | None:
        with self._read() as s:
            o = s.execute(select(Office).where(Office.name == name)).scalars().first()
            return office_info(o) if o else None

    def create_agency(self, name: str, kind: str, office_id: int | None = None, region: str = "") -> AgencyInfo:
        if kind not in AGENCY_KINDS:
            raise InvalidData(f"unknown agency kind {kind!r}")
        name = name.strip()
        if not name:
            raise InvalidData("an agency needs a name")
        try:
            with self._write(savepoint=True) as s:
                a = Agency(name=name, kind=kind, office_id=office_id, region=region)
                s.add(a)
                s.flush()
                return agency_info(a)
        except IntegrityError as exc:
            raise AlreadyExists("agency", name) from exc

    def find_agency(self, name: str) -> AgencyInfo | None:
        with self._read() as s:
            a = s.execute(select(Agency).where(Agency.name == name.strip())).scalars().first()
            return agency_info(a) if a else None

    def get_agency(self, agency_id: int) -> AgencyInfo:
        with self._read() as s:
            a = s.get(Agency, agency_id)
            if a is None:
                raise NotFound("agency", agency_id)
            return agency_info(a)

    def agencies_of_office(self, office_id: int) -> list[AgencyInfo]:
        with self._read() as s:
            rows = s.execute(select(Agency).where(Agency.office_id == office_id).order_by(Agency.name)).scalars()
            return [agency_info(a) for a in rows]

    # -- memberships ------------------------------------------------------------------------------------
    def add_membership(self, user_id: int, role: str, agency_id: int | None = None,
                       office_id: int | None = None) -> None:
        """Give a user a role in an agency (officer/reviewer) or an office (coordinator). Idempotent."""
        if role not in ROLES:
            raise InvalidData(f"unknown role {role!r}")
        if (agency_id is None) == (office_id is None):
            raise InvalidData("a membership is in an agency or an office")
        if (role == "coordinator") != (office_id is not None):
            raise InvalidData("coordinators belong to offices, officers and reviewers to agencies")
        scope = agency_scope(agency_id) if agency_id is not None else office_scope(office_id)
        found = select(Membership.id).where(Membership.user_id == user_id, Membership.scope == scope,
                                            Membership.role == role)
        try:
            with self._write(savepoint=True) as s:
                if s.execute(found).first() is None:
                    s.add(Membership(user_id=user_id, agency_id=agency_id, office_id=office_id, scope=scope, role=role))
                    s.flush()
        except IntegrityError as exc:  # added concurrently (fine), or a missing user/agency/office
            with self._read() as s:
                if s.execute(found).first() is None:
                    raise NotFound("user, agency or office", (user_id, agency_id, office_id)) from exc

    def remove_membership(self, user_id: int, role: str, agency_id: int | None = None,
                          office_id: int | None = None) -> bool:
        scope = agency_scope(agency_id) if agency_id is not None else office_scope(office_id)
        with self._write() as s:
            res = s.connection().execute(
                delete(Membership).where(Membership.user_id == user_id, Membership.scope == scope,
                                         Membership.role == role)
            )
            return res.rowcount > 0

    def memberships(self, user_id: int) -> list[MembershipInfo]:
        with self._read() as s:
            rows = s.connection().execute(_MEMBERSHIPS, {"user_id": user_id})
            return [MembershipInfo(*row) for row in rows]

    def role_in_agency(self, user_id: int, agency_id: int) -> str | None:
        """The user's role for this agency: reviewer or officer (direct membership; reviewer wins),
        else coordinator if they coordinate the agency's office; None means no access."""
        with self._read() as s:
            roles = set(s.execute(select(Membership.role).where(
                Membership.user_id == user_id, Membership.scope == agency_scope(agency_id))).scalars())
            for role in ("reviewer", "officer"):
                if role in roles:
                    return role
            office_id = s.execute(select(Agency.office_id).where(Agency.id == agency_id)).scalar()
            if office_id is not None and s.execute(select(Membership.id).where(
                    Membership.user_id == user_id, Membership.scope == office_scope(office_id),
                    Membership.role == "coordinator")).first() is not None:
                return "coordinator"
            return None
