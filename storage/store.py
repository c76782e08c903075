"""The Store: every public method that writes is one transaction; all return plain values or
domain objects.

Values are exact (int / Decimal, never float). Derived cells (totals) are never stored.
Writes to a report bump its ``version``; pass ``expected_version`` (the version you showed the
user) to have a concurrent change refused with :class:`StaleWrite` instead of silently lost.
Pass the Telegram ``update_id`` to make a write idempotent: a redelivered update changes nothing
(the interview position records the last update that moved it; other writes use the
processed-update table).

The interview's hot path (``load_step``, ``save_answers``, ``set_position``) runs on the database
driver (storage/driver.py); everything else through SQLAlchemy sessions.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Engine, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from report import formats
from report.model import Report

from .db import make_engine, session_scope, upgrade_schema
from .driver import DriverPool, DriverTx, Statement
from .models import (
    AGENCY_KINDS,
    AUDIT_SOURCES,
    REPORT_STATUSES,
    ROLES,
    Agency,
    AuditEvent,
    CellValue,
    InterviewPosition,
    Membership,
    NarrativePartRow,
    Office,
    ProcessedUpdate,
    ReportRow,
    User,
    agency_scope,
    office_scope,
    utcnow,
)


class StaleWrite(Exception):
    """The report changed since the caller read it (optimistic lock)."""

    def __init__(self, report_id: int, expected: int | None = None, actual: int | None = None):
        self.report_id = report_id
        self.expected = expected
        self.actual = actual
        super().__init__("报告已被他人修改，请重新查看后再填写")


class NotFound(LookupError):
    """No such agency / report / user."""


# -- plain value objects ----------------------------------------------------------------------------

@dataclass(frozen=True)
class UserInfo:
    id: int
    telegram_id: int
    display_name: str
    muted_until: dt.date | None


@dataclass(frozen=True)
class OfficeInfo:
    id: int
    name: str
    region: str
    needs_approval: bool


@dataclass(frozen=True)
class AgencyInfo:
    id: int
    name: str
    kind: str
    office_id: int | None
    region: str


@dataclass(frozen=True)
class MembershipInfo:
    role: str
    agency_id: int | None
    office_id: int | None
    agency_name: str | None
    office_name: str | None


@dataclass(frozen=True)
class ReportInfo:
    id: int
    agency_id: int
    year: int
    format_id: str
    status: str
    version: int
    updated_at: dt.datetime


@dataclass(frozen=True)
class AuditInfo:
    at: dt.datetime
    user_id: int | None
    user_name: str | None
    key: str
    old: str | None
    new: str | None
    source: str


@dataclass
class StepData:
    """Everything one interview step needs, as :meth:`Store.load_step` read it.

    ``report`` and ``previous`` are shared cached objects (per report id and version): treat them
    as read-only (copy before changing)."""

    user: UserInfo
    position: dict | None
    has_memberships: bool
    agency_id: int | None = None  # the agency in effect (the position's, else the first membership's)
    agency_name: str = ""
    role: str | None = None  # reviewer / officer / coordinator; None: no access
    needs_approval: bool = False  # the agency's office requires a reviewer's approval
    year: int | None = None  # the report year in effect
    info: ReportInfo | None = None  # the report of (agency_id, year); created if missing
    report: Report | None = None
    previous_info: ReportInfo | None = None  # the agency's report of year - 1, if stored
    previous: Report | None = None
    memberships: list[MembershipInfo] = field(default_factory=list)
    position_update_id: int | None = None  # the last update that moved the position


def _user_info(u: User) -> UserInfo:
    return UserInfo(id=u.id, telegram_id=u.telegram_id, display_name=u.display_name, muted_until=u.muted_until)


def _office_info(o: Office) -> OfficeInfo:
    return OfficeInfo(id=o.id, name=o.name, region=o.region, needs_approval=bool(o.needs_approval))


def _agency_info(a: Agency) -> AgencyInfo:
    return AgencyInfo(id=a.id, name=a.name, kind=a.kind, office_id=a.office_id, region=a.region)


def _report_info(r: ReportRow) -> ReportInfo:
    return ReportInfo(
        id=r.id,
        agency_id=r.agency_id,
        year=r.year,
        format_id=r.format_id,
        status=r.status,
        version=r.version,
        updated_at=r.updated_at,
    )


# -- value encoding ---------------------------------------------------------------------------------

UNIT_SUFFIX = ":unit"  # audit key of a cell's unit, e.g. "s2.i8.purchase.amount:unit"


def _audit_text(value: int | Decimal | None) -> str | None:
    return None if value is None else str(value)


def _coerce(key: str, cell: formats.Cell, value: Any) -> int | Decimal:
    """An exact value of the cell's type; ValueError for floats, bools and wrong types."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError(f"{key}: 须为精确数值（int 或 Decimal），得到 {value!r}")
    if cell.type == "decimal":
        if isinstance(value, int):
            return Decimal(value)
        if isinstance(value, Decimal) and value.is_finite():
            return value
        raise ValueError(f"{key}: 须为金额（Decimal），得到 {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    raise ValueError(f"{key}: 须为整数，得到 {value!r}")


def _decode(row: CellValue) -> int | Decimal | None:
    if row.kind == "int":
        return int(row.int_value)
    if row.kind == "decimal":
        try:
            return Decimal(row.decimal_text)
        except InvalidOperation as exc:  # pragma: no cover - only if someone edits the DB by hand
            raise ValueError(f"stored decimal for {row.key} is not a number: {row.decimal_text!r}") from exc
    return None


def _encode(row: CellValue, value: int | Decimal | None) -> None:
    if value is None:
        row.kind, row.int_value, row.decimal_text = None, None, None
    elif isinstance(value, Decimal):
        row.kind, row.int_value, row.decimal_text = "decimal", None, str(value)
    else:
        row.kind, row.int_value, row.decimal_text = "int", int(value), None


def _same(a: int | Decimal | None, b: int | Decimal | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a == b


def apply_answers(
    report: Report,
    values: Mapping[str, int | Decimal | None] | None = None,
    narratives: Mapping[str, str | None] | None = None,
    units: Mapping[str, str | None] | None = None,
) -> Report:
    """A copy of ``report`` with saved answers applied as :meth:`Store.save_answers` stores them."""
    return report.with_answers(values, narratives, units)


def _copy(report: Report) -> Report:
    return report.copy()


class _LRU:
    """A small thread-safe LRU map."""

    def __init__(self, size: int):
        self.size = size
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


_USER = User.__table__
_POSITION = InterviewPosition.__table__
_MEMBERSHIP = Membership.__table__
_AGENCY = Agency.__table__
_OFFICE = Office.__table__
_REPORT = ReportRow.__table__
_CELL = CellValue.__table__
_NARRATIVE = NarrativePartRow.__table__
_AUDIT = AuditEvent.__table__
_PROCESSED = ProcessedUpdate.__table__
_REPORT_COLS = (
    _REPORT.c.id,
    _REPORT.c.agency_id,
    _REPORT.c.year,
    _REPORT.c.format_id,
    _REPORT.c.status,
    _REPORT.c.version,
    _REPORT.c.updated_at,
    _REPORT.c.created_at,
)


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _memberships_of(rows) -> list[MembershipInfo]:
    """The memberships of a user's rows (each may repeat, once per report joined), in order."""
    seen: set = set()
    out = []
    for r in rows:
        if r.role is None:
            continue
        key = (r.role, r.m_agency_id, r.m_office_id)
        if key in seen:
            continue
        seen.add(key)
        out.append(MembershipInfo(role=r.role, agency_id=r.m_agency_id, office_id=r.m_office_id,
                                  agency_name=r.m_agency_name, office_name=r.m_office_name))
    return out


def _info_of(row) -> ReportInfo:
    return ReportInfo(
        id=row.id,
        agency_id=row.agency_id,
        year=row.year,
        format_id=row.format_id,
        status=row.status,
        version=row.version,
        updated_at=row.updated_at,
    )


def _decode_cols(key: str, kind: str | None, int_value: int | None, decimal_text: str | None):
    if kind == "int":
        return int(int_value)
    if kind == "decimal":
        try:
            return Decimal(decimal_text)
        except InvalidOperation as exc:  # pragma: no cover - only if someone edits the DB by hand
            raise ValueError(f"stored decimal for {key} is not a number: {decimal_text!r}") from exc
    return None


def _encode_cols(value: int | Decimal | None) -> dict:
    if value is None:
        return {"kind": None, "int_value": None, "decimal_text": None}
    if isinstance(value, Decimal):
        return {"kind": "decimal", "int_value": None, "decimal_text": str(value)}
    return {"kind": "int", "int_value": int(value), "decimal_text": None}


_FORMAT_KEYS: dict[tuple[str, int], tuple[frozenset, frozenset]] = {}


def _format_keys(fmt: formats.Format) -> tuple[frozenset, frozenset]:
    """(derived cell keys, narrative part keys) of a format, computed once."""
    key = (fmt.id, id(fmt))
    found = _FORMAT_KEYS.get(key)
    if found is None:
        found = (fmt.derived_keys, frozenset(p.key for p in fmt.narrative_parts))
        _FORMAT_KEYS[key] = found
    return found


# Hot statements, built once (a reused statement object keeps its memoized cache key, so SQLAlchemy
# neither rebuilds nor re-keys it on every execution); values come as bound parameters.
_Q_AGENCY_REPORTS = (
    select(
        _AGENCY.c.name.label("agency_name"),
        _AGENCY.c.office_id.label("a_office_id"),
        _OFFICE.c.needs_approval,
        *_REPORT_COLS,
    )
    .select_from(_AGENCY)
    .outerjoin(_OFFICE, _OFFICE.c.id == _AGENCY.c.office_id)
    .outerjoin(
        _REPORT,
        (_REPORT.c.agency_id == _AGENCY.c.id) & _REPORT.c.year.in_([bindparam("year"), bindparam("prev_year")]),
    )
    .where(_AGENCY.c.id == bindparam("agency_id"))
)
# The interview's usual read, one statement: the user, their position and memberships, and the
# position's agency (its name, its office's approval rule) with its reports of the position's year
# and the year before: one row per (membership, report).
_POS_AGENCY = _AGENCY.alias("pos_agency")
_POS_OFFICE = _OFFICE.alias("pos_office")
_POS_YEAR = func.coalesce(_POSITION.c.year, bindparam("default_year"))
_Q_STEP = (
    select(
        _USER.c.id.label("u_id"),
        _USER.c.display_name,
        _USER.c.muted_until,
        _POSITION.c.state,
        _POSITION.c.agency_id.label("p_agency_id"),
        _POSITION.c.update_id.label("p_update_id"),
        _POS_YEAR.label("p_year"),
        _MEMBERSHIP.c.role,
        _MEMBERSHIP.c.agency_id.label("m_agency_id"),
        _MEMBERSHIP.c.office_id.label("m_office_id"),
        _AGENCY.c.name.label("m_agency_name"),
        _OFFICE.c.name.label("m_office_name"),
        _POS_AGENCY.c.name.label("agency_name"),
        _POS_AGENCY.c.office_id.label("a_office_id"),
        _POS_OFFICE.c.needs_approval,
        *_REPORT_COLS,
    )
    .select_from(_USER)
    .outerjoin(_POSITION, _POSITION.c.user_id == _USER.c.id)
    .outerjoin(_MEMBERSHIP, _MEMBERSHIP.c.user_id == _USER.c.id)
    .outerjoin(_AGENCY, _AGENCY.c.id == _MEMBERSHIP.c.agency_id)
    .outerjoin(_OFFICE, _OFFICE.c.id == _MEMBERSHIP.c.office_id)
    .outerjoin(_POS_AGENCY, _POS_AGENCY.c.id == _POSITION.c.agency_id)
    .outerjoin(_POS_OFFICE, _POS_OFFICE.c.id == _POS_AGENCY.c.office_id)
    .outerjoin(
        _REPORT,
        (_REPORT.c.agency_id == _POS_AGENCY.c.id) & _REPORT.c.year.in_([_POS_YEAR, _POS_YEAR - 1]),
    )
    .where(_USER.c.telegram_id == bindparam("telegram_id"))
    .order_by(_MEMBERSHIP.c.id, _REPORT.c.year)
)
_Q_REPORT_WITH_AGENCY = (
    select(*_REPORT_COLS, _AGENCY.c.name)
    .join(_AGENCY, _AGENCY.c.id == _REPORT.c.agency_id)
    .where(_REPORT.c.id == bindparam("report_id"))
)
_Q_REPORT_CELLS = (
    select(_REPORT.c.version, _CELL.c.key, _CELL.c.kind, _CELL.c.int_value, _CELL.c.decimal_text, _CELL.c.unit)
    .select_from(_REPORT)
    .outerjoin(_CELL, _CELL.c.report_id == _REPORT.c.id)
    .where(_REPORT.c.id == bindparam("report_id"))
)
_Q_REPORT_NARRATIVES = (
    select(_REPORT.c.version, _NARRATIVE.c.key, _NARRATIVE.c.text)
    .select_from(_REPORT)
    .outerjoin(_NARRATIVE, _NARRATIVE.c.report_id == _REPORT.c.id)
    .where(_REPORT.c.id == bindparam("report_id"))
)
_Q_REPORT = select(*_REPORT_COLS).where(_REPORT.c.id == bindparam("report_id"))
_Q_REPORT_LOCK = _Q_REPORT.with_for_update()
_U_BUMP = (
    update(_REPORT)
    .where(_REPORT.c.id == bindparam("rid"), _REPORT.c.version == bindparam("old_version"))
    .values(version=bindparam("new_version"), updated_at=bindparam("now"))
)
_I_AUDIT = insert(_AUDIT)


def _upserts(dialect: str) -> dict[str, Any]:
    """The dialect's ON CONFLICT statements, built once per dialect."""
    found = _UPSERTS.get(dialect)
    if found is not None:
        return found
    ins = pg_insert if dialect == "postgresql" else sqlite_insert
    claim = ins(_PROCESSED).on_conflict_do_nothing(index_elements=["update_id"])
    pos = ins(_POSITION)
    pos = pos.on_conflict_do_update(
        index_elements=["user_id"],
        set_={c: pos.excluded[c] for c in ("state", "updated_at", "agency_id", "year")},
    )
    pos_new = ins(_POSITION).on_conflict_do_nothing(index_elements=["user_id"])
    cell = ins(_CELL)
    cell = cell.on_conflict_do_update(
        index_elements=["report_id", "key"],
        set_={c: cell.excluded[c] for c in ("kind", "int_value", "decimal_text", "unit")},
    )
    narr = ins(_NARRATIVE)
    narr = narr.on_conflict_do_update(index_elements=["report_id", "key"], set_={"text": narr.excluded.text})
    user = ins(_USER).on_conflict_do_nothing(index_elements=["telegram_id"])
    report = ins(_REPORT).on_conflict_do_nothing(index_elements=["agency_id", "year"])
    found = {"claim": claim, "position": pos, "position_new": pos_new, "cell": cell, "narrative": narr, "user": user,
             "report": report}
    _UPSERTS[dialect] = found
    return found


_UPSERTS: dict[str, dict[str, Any]] = {}


_R_STEP = Statement(_Q_STEP)
_R_AGENCY_REPORTS = Statement(_Q_AGENCY_REPORTS)
_R_REPORT = Statement(_Q_REPORT)
_R_REPORT_LOCK = Statement(_Q_REPORT_LOCK)
_R_BUMP = Statement(_U_BUMP)
_R_AUDIT = Statement(_I_AUDIT, ["at", "user_id", "report_id", "key", "old", "new", "source"])
_R_BUMP_CACHED = Statement(
    update(_REPORT)
    .where(
        _REPORT.c.id == bindparam("rid"),
        _REPORT.c.version == bindparam("old_version"),
        _REPORT.c.created_at == bindparam("created_at"),
    )
    .values(version=bindparam("new_version"), updated_at=bindparam("now"))
)
_R_REPORT_CELLS = Statement(_Q_REPORT_CELLS)
_R_REPORT_NARRATIVES = Statement(_Q_REPORT_NARRATIVES)
_R_REPORT_WITH_AGENCY = Statement(_Q_REPORT_WITH_AGENCY)
_R_DELETE_CELL = Statement(
    delete(_CELL).where(_CELL.c.report_id == bindparam("report_id"), _CELL.c.key == bindparam("key"))
)
_R_DELETE_NARRATIVE = Statement(
    delete(_NARRATIVE).where(_NARRATIVE.c.report_id == bindparam("report_id"), _NARRATIVE.c.key == bindparam("key"))
)
_R_DELETE_POSITION = Statement(delete(_POSITION).where(_POSITION.c.user_id == bindparam("user_id")))
# The position moved by an update, unless that update (or a later one) moved it already.
_R_POSITION_MOVE = Statement(
    update(_POSITION)
    .where(
        _POSITION.c.user_id == bindparam("user_id"),
        (_POSITION.c.update_id.is_(None)) | (_POSITION.c.update_id < bindparam("uid")),
    )
    .values(
        state=bindparam("state"),
        updated_at=bindparam("updated_at"),
        agency_id=bindparam("agency_id"),
        year=bindparam("year"),
        update_id=bindparam("uid"),
    )
)
_R_USER_BY_TELEGRAM_ID = Statement(
    select(_USER.c.id, _USER.c.display_name, _USER.c.muted_until).where(_USER.c.telegram_id == bindparam("telegram_id"))
)
_R_RENAME_USER = Statement(
    update(_USER)
    .where(_USER.c.telegram_id == bindparam("telegram_id"), _USER.c.display_name != bindparam("name"))
    .values(display_name=bindparam("name"))
)
_R_REPORT_OF_YEAR = Statement(
    select(*_REPORT_COLS).where(_REPORT.c.agency_id == bindparam("agency_id"), _REPORT.c.year == bindparam("year"))
)
_R_UPSERTS: dict[str, dict[str, Statement]] = {}
_UPSERT_KEYS = {
    "claim": ["update_id", "processed_at"],
    "position": ["user_id", "state", "updated_at", "agency_id", "year"],
    "position_new": ["user_id", "state", "updated_at", "agency_id", "year", "update_id"],
    "cell": ["report_id", "key", "kind", "int_value", "decimal_text", "unit"],
    "narrative": ["report_id", "key", "text"],
    "user": ["telegram_id", "display_name"],
    "report": ["agency_id", "year", "format_id", "status", "version", "created_at", "updated_at"],
}


def _raw_upserts(dialect: str) -> dict[str, Statement]:
    """:func:`_upserts` as driver :class:`~storage.driver.Statement` s."""
    found = _R_UPSERTS.get(dialect)
    if found is None:
        found = {k: Statement(stmt, _UPSERT_KEYS[k]) for k, stmt in _upserts(dialect).items()}
        _R_UPSERTS[dialect] = found
    return found


@dataclass
class _Stored:
    """Stored answers of some keys of a report (what :meth:`Store._changes` compares with)."""

    values: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    narratives: dict = field(default_factory=dict)


@dataclass
class _Changes:
    """The rows one save writes (see Store._changes)."""

    report_id: int
    upserts: list[dict] = field(default_factory=list)
    deletes: list[dict] = field(default_factory=list)
    n_upserts: list[dict] = field(default_factory=list)
    n_deletes: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)


# -- the Store --------------------------------------------------------------------------------------

class Store:
    #: Domain reports kept in memory per (report id, version). An entry is used
    #: only when the version read in the same transaction matches, so it is never stale: every
    #: write to a report's values, narratives, units, format or status bumps its version.
    REPORT_CACHE_SIZE = 256

    def __init__(self, engine: Engine):
        self.engine = engine
        # the interview's hot transactions, on the driver (storage/driver.py)
        self._driver = DriverPool(engine)
        weakref.finalize(self, self._driver.dispose)
        self._reports = _LRU(self.REPORT_CACHE_SIZE)

    @classmethod
    def from_url(cls, url: str, *, upgrade: bool = True) -> Store:
        engine = make_engine(url)
        if upgrade:
            try:
                upgrade_schema(engine)
            except BaseException:
                engine.dispose()
                raise
        return cls(engine)

    @property
    def in_process(self) -> bool:
        """Whether the database runs inside this process (SQLite): no network between us."""
        return self._driver.sqlite

    def checkpoint_wal(self) -> tuple[int, int] | None:
        """SQLite (a file): move the write-ahead log into the database file (see
        :meth:`storage.driver.DriverPool.checkpoint`); None elsewhere."""
        return self._driver.checkpoint()

    def dispose(self) -> None:
        self._driver.dispose()
        self.engine.dispose()

    def _read(self):
        return session_scope(self.engine)

    def _write(self):
        return session_scope(self.engine, write=True)

    # -- users / offices / agencies -------------------------------------------------------------
    def get_or_create_user(self, telegram_id: int, display_name: str = "") -> UserInfo:
        """The user with this Telegram id, created if new; a non-empty display_name is kept current.
        (Every officer's first update comes here: Core statements on the driver, one transaction.)"""
        with self._driver.transaction(write=True) as tx:
            _raw_upserts(tx.dialect.name)["user"].rowcount(tx, {"telegram_id": telegram_id, "display_name": display_name})
            if display_name:
                _R_RENAME_USER.rowcount(tx, {"telegram_id": telegram_id, "name": display_name})
            u = _R_USER_BY_TELEGRAM_ID.first(tx, {"telegram_id": telegram_id})
        return UserInfo(id=u.id, telegram_id=telegram_id, display_name=u.display_name, muted_until=u.muted_until)

    def get_user(self, user_id: int) -> UserInfo:
        with self._read() as s:
            u = s.get(User, user_id)
            if u is None:
                raise NotFound(f"用户 {user_id} 不存在")
            return _user_info(u)

    def find_user(self, telegram_id: int) -> UserInfo | None:
        with self._read() as s:
            u = s.execute(select(User).where(User.telegram_id == telegram_id)).scalars().first()
            return _user_info(u) if u else None

    def create_office(self, name: str, region: str = "", needs_approval: bool = False) -> OfficeInfo:
        try:
            with self._write() as s:
                o = Office(name=name, region=region, needs_approval=needs_approval)
                s.add(o)
                s.flush()
                return _office_info(o)
        except IntegrityError as exc:
            raise ValueError(f"协调办公室“{name}”已存在") from exc

    def get_office(self, office_id: int) -> OfficeInfo:
        with self._read() as s:
            o = s.get(Office, office_id)
            if o is None:
                raise NotFound(f"协调办公室 {office_id} 不存在")
            return _office_info(o)

    def find_office(self, name: str) -> OfficeInfo | None:
        with self._read() as s:
            o = s.execute(select(Office).where(Office.name == name)).scalars().first()
            return _office_info(o) if o else None

    def create_agency(self, name: str, kind: str, office_id: int | None = None, region: str = "") -> AgencyInfo:
        if kind not in AGENCY_KINDS:
            raise ValueError(f"未知机关类型 {kind!r}（应为 {' / '.join(AGENCY_KINDS)}）")
        name = name.strip()
        if not name:
            raise ValueError("机关名称不能为空")
        try:
            with self._write() as s:
                a = Agency(name=name, kind=kind, office_id=office_id, region=region)
                s.add(a)
                s.flush()
                return _agency_info(a)
        except IntegrityError as exc:
            raise ValueError(f"机关“{name}”已存在，或所属协调办公室不存在") from exc

    def find_agency(self, name: str) -> AgencyInfo | None:
        with self._read() as s:
            a = s.execute(select(Agency).where(Agency.name == name.strip())).scalars().first()
            return _agency_info(a) if a else None

    def get_agency(self, agency_id: int) -> AgencyInfo:
        with self._read() as s:
            a = s.get(Agency, agency_id)
            if a is None:
                raise NotFound(f"机关 {agency_id} 不存在")
            return _agency_info(a)

    def agencies_of_office(self, office_id: int) -> list[AgencyInfo]:
        with self._read() as s:
            rows = s.execute(select(Agency).where(Agency.office_id == office_id).order_by(Agency.name)).scalars()
            return [_agency_info(a) for a in rows]

    # -- memberships -------------------------------------------------------------------------------
    def add_membership(
        self, user_id: int, role: str, agency_id: int | None = None, office_id: int | None = None
    ) -> None:
        """Give a user a role in an agency (officer/reviewer) or an office (coordinator). Idempotent."""
        if role not in ROLES:
            raise ValueError(f"未知角色 {role!r}（应为 {' / '.join(ROLES)}）")
        if (agency_id is None) == (office_id is None):
            raise ValueError("须指定机关或协调办公室之一")
        if role == "coordinator" and office_id is None:
            raise ValueError("协调人须属于协调办公室")
        if role != "coordinator" and agency_id is None:
            raise ValueError("填报人和审核人须属于机关")
        scope = agency_scope(agency_id) if agency_id is not None else office_scope(office_id)
        try:
            with self._write() as s:
                exists = s.execute(
                    select(Membership.id).where(
                        Membership.user_id == user_id, Membership.scope == scope, Membership.role == role
                    )
                ).first()
                if exists is None:
                    s.add(
                        Membership(user_id=user_id, agency_id=agency_id, office_id=office_id, scope=scope, role=role)
                    )
        except IntegrityError as exc:
            # Either added concurrently (fine) or a missing user/agency/office.
            with self._read() as s:
                exists = s.execute(
                    select(Membership.id).where(
                        Membership.user_id == user_id, Membership.scope == scope, Membership.role == role
                    )
                ).first()
            if exists is None:
                raise NotFound("用户、机关或协调办公室不存在") from exc

    def remove_membership(
        self, user_id: int, role: str, agency_id: int | None = None, office_id: int | None = None
    ) -> bool:
        scope = agency_scope(agency_id) if agency_id is not None else office_scope(office_id)
        with self._write() as s:
            res = s.connection().execute(
                delete(Membership).where(
                    Membership.user_id == user_id, Membership.scope == scope, Membership.role == role
                )
            )
            return res.rowcount > 0

    def memberships(self, user_id: int) -> list[MembershipInfo]:
        with self._read() as s:
            rows = s.execute(
                select(Membership, Agency.name, Office.name)
                .outerjoin(Agency, Agency.id == Membership.agency_id)
                .outerjoin(Office, Office.id == Membership.office_id)
                .where(Membership.user_id == user_id)
                .order_by(Membership.id)
            ).all()
            return [
                MembershipInfo(
                    role=m.role, agency_id=m.agency_id, office_id=m.office_id, agency_name=an, office_name=on
                )
                for m, an, on in rows
            ]

    def role_in_agency(self, user_id: int, agency_id: int) -> str | None:
        """The user's role for this agency: reviewer or officer (direct membership; reviewer wins),
        else coordinator if they coordinate the agency's office; None means no access."""
        with self._read() as s:
            roles = set(
                s.execute(
                    select(Membership.role).where(
                        Membership.user_id == user_id, Membership.scope == agency_scope(agency_id)
                    )
                ).scalars()
            )
            for role in ("reviewer", "officer"):
                if role in roles:
                    return role
            office_id = s.execute(select(Agency.office_id).where(Agency.id == agency_id)).scalar()
            if office_id is not None:
                coord = s.execute(
                    select(Membership.id).where(
                        Membership.user_id == user_id,
                        Membership.scope == office_scope(office_id),
                        Membership.role == "coordinator",
                    )
                ).first()
                if coord is not None:
                    return "coordinator"
            return None

    # -- reports ------------------------------------------------------------------------------------
    def get_or_create_report(self, agency_id: int, year: int, format_id: str | None = None) -> ReportInfo:
        """The agency's report for the year; a new one uses the year's format (or format_id).
        (Core statements on the driver, one transaction, like :meth:`get_or_create_user`.)"""
        now = utcnow()
        try:
            with self._driver.transaction(write=True) as tx:
                _raw_upserts(tx.dialect.name)["report"].rowcount(tx, {
                    "agency_id": agency_id, "year": year, "format_id": formats.for_year(year, format_id).id,
                    "status": "draft", "version": 1, "created_at": now, "updated_at": now,
                })
                return _info_of(_R_REPORT_OF_YEAR.first(tx, {"agency_id": agency_id, "year": year}))
        except IntegrityError as exc:  # the agency's foreign key
            raise NotFound(f"机关 {agency_id} 不存在") from exc

    def get_report_info(self, report_id: int) -> ReportInfo:
        with self._read() as s:
            return _report_info(self._report(s, report_id))

    def find_report(self, agency_id: int, year: int) -> ReportInfo | None:
        with self._read() as s:
            r = s.execute(
                select(ReportRow).where(ReportRow.agency_id == agency_id, ReportRow.year == year)
            ).scalars().first()
            return _report_info(r) if r else None

    def reports_of_agency(self, agency_id: int) -> list[ReportInfo]:
        with self._read() as s:
            rows = s.execute(select(ReportRow).where(ReportRow.agency_id == agency_id).order_by(ReportRow.year))
            return [_report_info(r) for r in rows.scalars()]

    @staticmethod
    def _report(s: Session, report_id: int, *, lock: bool = False) -> ReportRow:
        q = select(ReportRow).where(ReportRow.id == report_id)
        if lock:
            q = q.with_for_update()
        r = s.execute(q).scalars().first()
        if r is None:
            raise NotFound(f"报告 {report_id} 不存在")
        return r

    def load_report(self, report_id: int) -> tuple[Report, int]:
        """The domain Report (entered values only, no derived totals; agency = agency name) and its version.

        The caller gets its own copy (free to change it)."""
        with self._driver.transaction(write=False) as tx:
            row = _R_REPORT_WITH_AGENCY.first(tx, {"report_id": report_id})
            if row is None:
                raise NotFound(f"报告 {report_id} 不存在")
            rep = self._domain_report(tx, row, row.name)
            return _copy(rep), row.version

    # -- the interview's read: everything for one step ------------------------------------------
    def _cached(self, row) -> Report | None:
        """The cached Report of a report row (id, version, created_at) read in this transaction.

        The creation time tells a report apart from a later one that reused a deleted one's id."""
        found = self._reports.get((row.id, row.version))
        if found is None or found[0] != row.created_at:
            return None
        return found[1]

    def cached_report(self, report_id: int, version: int) -> Report | None:
        """The report of this id and version if it is in memory (shared: do not change it).

        Use it only for a version just read or written (e.g. the one save_answers returned)."""
        found = self._reports.get((report_id, version))
        return found[1] if found is not None else None

    def _domain_report(self, tx: DriverTx, row, agency_name: str) -> Report:
        """The Report of a report row (id, year, format_id, version, created_at) read in this
        transaction: from the cache when it holds this version, else read (and cached)."""
        rep = self._cached(row)
        if rep is not None:
            if rep.agency != agency_name:  # the agency was renamed (not a report change)
                rep = Report(rep.format, rep.year, agency_name, rep.narratives, rep.values, rep.units)
                self._reports.put((row.id, row.version), (row.created_at, rep))
            return rep
        rep = Report(format=formats.for_year(row.year, row.format_id), year=row.year, agency=agency_name)
        # Each statement carries the report's version: under READ COMMITTED (PostgreSQL) every
        # statement has its own snapshot, and a version that moved means the rows belong to
        # another version than ``row.version`` (then nothing is cached).
        consistent = True
        for version, k, kind, iv, dec, unit in _R_REPORT_CELLS.all(tx, {"report_id": row.id}):
            consistent = consistent and version == row.version
            if k is None:
                continue
            if kind is not None:
                rep.values[k] = _decode_cols(k, kind, iv, dec)
            if unit is not None:
                rep.units[k] = unit
        for version, k, text in _R_REPORT_NARRATIVES.all(tx, {"report_id": row.id}):
            consistent = consistent and version == row.version
            if k is not None:
                rep.narratives[k] = text
        if consistent:
            self._reports.put((row.id, row.version), (row.created_at, rep))
        return rep

    def load_step(
        self, telegram_id: int, display_name: str, *, default_year: int, state: dict | None = None
    ) -> StepData:
        """The user (created if new; a non-empty display_name kept current), their stored interview
        position, memberships and role, the agency, the report of (agency, year) with its values
        (created if missing) and last year's report: a few statements read in autocommit, each
        consistent in itself (the report's rows carry its version; a save checks the version it was
        shown), plus a write transaction only when the user or the report is new, or the name
        changed.

        The agency and the year are the ``state``'s (default: the stored position's); the agency
        falls back to the user's first agency membership when the user has no role there, the year
        to ``default_year``. The role is read from the database on every call.
        """
        for _ in range(3):
            data = self._load_step(telegram_id, display_name, default_year, state)
            if data is not None:
                return data
        raise RuntimeError("could not load the interview step")  # pragma: no cover

    def _load_step(self, telegram_id: int, display_name: str, default_year: int, state: dict | None):
        with self._driver.transaction(write=False) as conn:
            # 1: the user, their position and memberships, and the position's agency with its
            # reports (one row per membership and report)
            rows = _R_STEP.all(conn, {"telegram_id": telegram_id, "default_year": default_year})
            u = rows[0] if rows else None
            if u is None or (display_name and u.display_name != display_name):
                new_user = True
            else:
                new_user = False
                user = UserInfo(id=u.u_id, telegram_id=telegram_id, display_name=u.display_name,
                                muted_until=u.muted_until)
                position = json.loads(u.state) if u.state is not None else None
                memberships = _memberships_of(rows)
                data = StepData(user=user, position=position, has_memberships=bool(memberships),
                                memberships=memberships, position_update_id=u.p_update_id)
                src = (position if state is None else state) or {}
                year = int(src.get("year") or default_year)
                agency_id = src.get("agency_id")
                if agency_id and agency_id == u.p_agency_id and year == u.p_year and u.agency_name is not None:
                    # the position's agency and year, as the statement joined them
                    found = self._agency_access(memberships, agency_id, u, {r.year: r for r in rows if r.id is not None})
                else:
                    # 2: another agency or year (or none stored): the agency, its office's
                    # approval rule and its reports of year and year - 1
                    found = self._agency_reports(conn, memberships, agency_id, year) if agency_id else None
                if found is None:
                    ids = [m.agency_id for m in memberships if m.agency_id is not None]
                    agency_id = ids[0] if ids else None
                    found = self._agency_reports(conn, memberships, agency_id, year) if agency_id else None
                if found is None:
                    return data
                data.agency_id = agency_id
                data.year = year
                data.agency_name, data.role, data.needs_approval, reports = found
                current = reports.get(year)
                if current is not None:
                    # 3: the values of reports not in memory at the version just read
                    data.info = _info_of(current)
                    data.report = self._domain_report(conn, current, data.agency_name)
                    prev = reports.get(year - 1)
                    if prev is not None:
                        data.previous_info = _info_of(prev)
                        data.previous = self._domain_report(conn, prev, data.agency_name)
                    return data
        # rare: a new user, a changed name or a new report: write, then read again
        if new_user:
            self.get_or_create_user(telegram_id, display_name)
        else:
            self.get_or_create_report(agency_id, year)
        return None

    @staticmethod
    def _agency_reports(
        conn, memberships: list[MembershipInfo], agency_id: int, year: int
    ) -> tuple[str, str, bool, dict] | None:
        """(agency name, role, needs approval, {year: report row} for year and year - 1) of the user
        in this agency; None: no access. Roles as :meth:`role_in_agency`: a direct reviewer/officer
        membership, else coordinator of the agency's office."""
        rows = _R_AGENCY_REPORTS.all(conn, {"agency_id": agency_id, "year": year, "prev_year": year - 1})
        if not rows:
            return None
        return Store._agency_access(memberships, agency_id, rows[0], {r.year: r for r in rows if r.id is not None})

    @staticmethod
    def _agency_access(
        memberships: list[MembershipInfo], agency_id: int, row, reports: dict
    ) -> tuple[str, str, bool, dict] | None:
        """As :meth:`_agency_reports`, from a row with the agency's ``agency_name``,
        ``a_office_id`` and ``needs_approval`` and the reports read."""
        roles = {m.role for m in memberships if m.agency_id == agency_id}
        role = next((r for r in ("reviewer", "officer") if r in roles), None)
        if role is None and row.a_office_id is not None and any(
            m.role == "coordinator" and m.office_id == row.a_office_id for m in memberships
        ):
            role = "coordinator"
        if role is None:
            return None
        return row.agency_name, role, bool(row.needs_approval), reports

    # -- writing ------------------------------------------------------------------------------------
    @staticmethod
    def _lock_report(s: Session, report_id: int, expected_version: int | None) -> ReportRow:
        r = Store._report(s, report_id, lock=True)
        if expected_version is not None and r.version != expected_version:
            raise StaleWrite(report_id, expected_version, r.version)
        return r

    @staticmethod
    def _bump(s: Session, r: ReportRow) -> int:
        """version += 1, conditional on the version we read (so two writers cannot both win)."""
        now = utcnow()
        res = s.connection().execute(
            update(ReportRow)
            .where(ReportRow.id == r.id, ReportRow.version == r.version)
            .values(version=r.version + 1, updated_at=now)
        )
        if res.rowcount != 1:
            raise StaleWrite(r.id, r.version)
        # Reflect the new state on the loaded row without issuing another UPDATE at flush.
        set_committed_value(r, "version", r.version + 1)
        set_committed_value(r, "updated_at", now)
        return r.version


    def _apply(
        self,
        s: Session,
        r: ReportRow,
        fmt: formats.Format,
        *,
        user_id: int | None,
        source: str,
        values: Mapping[str, int | Decimal | None],
        narratives: Mapping[str, str | None],
        units: Mapping[str, str | None],
    ) -> int:
        """Write the given changes with one audit event per changed key; returns how many changed."""
        changed = 0
        keys = set(values) | set(units)
        existing: dict[str, CellValue] = {}
        if keys:
            existing = {
                c.key: c
                for c in s.execute(
                    select(CellValue).where(CellValue.report_id == r.id, CellValue.key.in_(sorted(keys)))
                ).scalars()
            }
        events: list[dict] = []
        now = utcnow()

        def audit(key: str, old: str | None, new: str | None) -> None:
            events.append(
                {"at": now, "user_id": user_id, "report_id": r.id, "key": key, "old": old, "new": new, "source": source}
            )

        for key in sorted(keys):
            row = existing.get(key)
            old_value = _decode(row) if row is not None else None
            old_unit = row.unit if row is not None else None
            new_value = values[key] if key in values else old_value
            new_unit = units[key] if key in units else old_unit
            value_changed = not _same(old_value, new_value)
            unit_changed = old_unit != new_unit
            if not value_changed and not unit_changed:
                continue
            if value_changed:
                audit(key, _audit_text(old_value), _audit_text(new_value))
                changed += 1
            if unit_changed:
                audit(key + UNIT_SUFFIX, old_unit, new_unit)
                changed += 1
            if new_value is None and new_unit is None:
                if row is not None:
                    s.delete(row)
                continue
            if row is None:
                row = CellValue(report_id=r.id, key=key)
                s.add(row)
            _encode(row, new_value)
            row.unit = new_unit

        if narratives:
            existing_n = {
                n.key: n
                for n in s.execute(
                    select(NarrativePartRow).where(
                        NarrativePartRow.report_id == r.id, NarrativePartRow.key.in_(sorted(narratives))
                    )
                ).scalars()
            }
            for key in sorted(narratives):
                text = narratives[key]
                row = existing_n.get(key)
                old = row.text if row is not None else None
                if old == text:
                    continue
                audit(key, old, text)
                changed += 1
                if text is None:
                    s.delete(row)
                elif row is None:
                    s.add(NarrativePartRow(report_id=r.id, key=key, text=text))
                else:
                    row.text = text
        if events:
            s.execute(insert(AuditEvent), events)
        return changed

    @staticmethod
    def _check_source(source: str) -> None:
        if source not in AUDIT_SOURCES:
            raise ValueError(f"unknown audit source {source!r}; expected one of {AUDIT_SOURCES}")

    @staticmethod
    def _validated(
        fmt: formats.Format,
        values: Mapping[str, Any] | None,
        narratives: Mapping[str, str | None] | None,
        units: Mapping[str, str | None] | None,
        *,
        drop_derived: bool = False,
    ) -> tuple[dict, dict, dict]:
        derived, narrative_keys = _format_keys(fmt)
        vals: dict[str, int | Decimal | None] = {}
        for key, value in (values or {}).items():
            cell = fmt.cells.get(key)
            if cell is None:
                raise ValueError(f"未知栏目 {key!r}（格式 {fmt.id}）")
            if key in derived:
                if drop_derived:
                    continue
                raise ValueError(f"{key} 是合计栏，由系统计算，不能填写")
            vals[key] = None if value is None else _coerce(key, cell, value)
        narrs: dict[str, str | None] = {}
        for key, text in (narratives or {}).items():
            if key not in narrative_keys:
                raise ValueError(f"未知文字部分 {key!r}（格式 {fmt.id}）")
            if text is not None and not isinstance(text, str):
                raise ValueError(f"{key}: 文字须为字符串")
            narrs[key] = text
        us: dict[str, str | None] = {}
        for key, unit in (units or {}).items():
            cell = fmt.cells.get(key)
            if cell is None or cell.type != "decimal":
                raise ValueError(f"{key!r} 不是金额栏，不能设置单位")
            if unit is not None and not isinstance(unit, str):
                raise ValueError(f"{key}: 单位须为字符串")
            us[key] = unit
        return vals, narrs, us

    def save_answers(
        self,
        report_id: int,
        *,
        user_id: int | None,
        source: str,
        values: dict[str, int | Decimal | None] | None = None,
        narratives: dict[str, str | None] | None = None,
        units: dict[str, str] | None = None,
        expected_version: int | None = None,
        position: dict | None = None,
        update_id: int | None = None,
    ) -> int | None:
        """Save answers in ONE transaction: values, narratives, units, one audit event per changed
        key (old → new), the saver's interview ``position`` (if given; None leaves it alone), the
        processed ``update_id`` and version += 1 (only if something changed).

        A None value/narrative deletes the answer. Unknown or derived keys raise ValueError.
        Returns the report's version afterwards, or None if ``update_id`` was already processed.
        Raises StaleWrite if ``expected_version`` is given and differs from the stored version.
        """
        self._check_source(source)
        if position is not None and user_id is None:
            raise ValueError("position needs a user_id")
        try:
            with self._driver.transaction(write=True) as conn:
                now = utcnow()  # one time for every row the save writes
                # a redelivered update: the position it moved says so (else the processed-update table)
                if position is not None:
                    if not self._upsert_position(conn, user_id, position, now, update_id):
                        return None
                elif not self._claim(conn, update_id, now):
                    return None
                # The usual answer: the report as stored at ``expected_version`` is in memory, so
                # the changes are known before touching it, and the version bump, conditional on
                # that version (and on the report being the one cached), both checks it and takes
                # the report's lock, with no read of the report row.
                saved = self._save_on_cached(conn, report_id, expected_version, now, user_id, source,
                                             values, narratives, units)
                if saved is None:
                    saved = self._save_on_read(conn, report_id, expected_version, now, user_id, source,
                                               values, narratives, units)
                version, cache_entry = saved
            if cache_entry is not None:  # committed: the new version's report, for the next read
                self._reports.put((report_id, version), cache_entry)
            return version
        except IntegrityError:
            if update_id is not None and self._is_processed(update_id):
                return None
            raise

    def _save_on_cached(self, conn: DriverTx, report_id: int, expected_version: int | None, now, user_id, source,
                        values, narratives, units) -> tuple[int, tuple | None] | None:
        """Save against the cached report of ``expected_version``: (new version, cache entry), or
        None when that is not possible (not cached, nothing changes, or the bump finds another
        version or another report: then :meth:`_save_on_read` decides)."""
        if expected_version is None:
            return None
        entry = self._reports.get((report_id, expected_version))
        if entry is None:
            return None
        created_at, cached = entry
        vals, narrs, us = self._validated(cached.format, values, narratives, units)
        changes = self._changes(report_id, cached, now, user_id, source, vals, narrs, us)
        if not changes.events:
            return None
        bumped = _R_BUMP_CACHED.rowcount(conn, {
            "rid": report_id, "old_version": expected_version, "new_version": expected_version + 1, "now": now,
            "created_at": created_at,
        })
        if bumped != 1:
            return None
        self._write_changes(conn, changes)
        return expected_version + 1, (created_at, apply_answers(cached, vals, narrs, us))

    def _save_on_read(self, conn: DriverTx, report_id: int, expected_version: int | None, now, user_id, source,
                      values, narratives, units) -> tuple[int, tuple | None]:
        """Save after reading (and locking) the report row; old values from the cache when it holds
        the version read, else from the database."""
        # SQLite: BEGIN IMMEDIATE already holds the write lock
        q = _R_REPORT if conn.dialect.name == "sqlite" else _R_REPORT_LOCK
        r = q.first(conn, {"report_id": report_id})
        if r is None:
            raise NotFound(f"报告 {report_id} 不存在")
        if expected_version is not None and r.version != expected_version:
            raise StaleWrite(report_id, expected_version, r.version)
        fmt = formats.for_year(r.year, r.format_id)
        vals, narrs, us = self._validated(fmt, values, narratives, units)
        cached = self._cached(r)
        changes = self._changes(r.id, cached if cached is not None else self._old_values(conn, r.id, vals, narrs, us),
                                now, user_id, source, vals, narrs, us)
        if not changes.events:
            return r.version, None
        bumped = _R_BUMP.rowcount(conn, {"rid": r.id, "old_version": r.version, "new_version": r.version + 1, "now": now})
        if bumped != 1:
            raise StaleWrite(r.id, r.version)
        self._write_changes(conn, changes)
        entry = (r.created_at, apply_answers(cached, vals, narrs, us)) if cached is not None else None
        return r.version + 1, entry

    @staticmethod
    def _claim(conn: DriverTx, update_id: int | None, now: dt.datetime | None = None) -> bool:
        """Record the update id in this transaction (Core); False if it was processed before."""
        if update_id is None:
            return True
        stmt = _raw_upserts(conn.dialect.name)["claim"]
        return stmt.rowcount(conn, {"update_id": update_id, "processed_at": now or utcnow()}) == 1

    @staticmethod
    def _upsert_position(
        conn: DriverTx, user_id: int, position: dict, now: dt.datetime | None = None, update_id: int | None = None
    ) -> bool:
        """Store the position (its agency and year copied into their columns). With an
        ``update_id``: only if no update with that id or a later one moved it yet (then it records
        the id); False: this update was handled before."""
        params = {
            "user_id": user_id,
            "state": json.dumps(position, ensure_ascii=False, sort_keys=True),
            "updated_at": now or utcnow(),
            "agency_id": _int_or_none(position.get("agency_id")),
            "year": _int_or_none(position.get("year")),
        }
        upserts = _raw_upserts(conn.dialect.name)
        if update_id is None:
            upserts["position"].rowcount(conn, params)
            return True
        if _R_POSITION_MOVE.rowcount(conn, {**params, "uid": update_id}) == 1:
            return True
        # no position yet (or a later update's): a first one only
        return upserts["position_new"].rowcount(conn, {**params, "update_id": update_id}) == 1

    @staticmethod
    def _old_values(conn: DriverTx, report_id: int, values, narratives, units) -> _Stored | None:
        """The stored values, units and narratives of the keys being saved (read), for
        :meth:`_changes`; None when nothing is saved."""
        keys = set(values) | set(units)
        if not keys and not narratives:
            return None
        part = _Stored()
        if keys:
            for _v, k, kind, iv, dec, unit in _R_REPORT_CELLS.all(conn, {"report_id": report_id}):
                if k in keys:
                    if kind is not None:
                        part.values[k] = _decode_cols(k, kind, iv, dec)
                    if unit is not None:
                        part.units[k] = unit
        if narratives:
            for _v, k, text in _R_REPORT_NARRATIVES.all(conn, {"report_id": report_id}):
                if k in narratives:
                    part.narratives[k] = text
        return part

    @staticmethod
    def _changes(
        report_id: int,
        stored: Report | _Stored | None,
        now: dt.datetime,
        user_id: int | None,
        source: str,
        values: Mapping[str, int | Decimal | None],
        narratives: Mapping[str, str | None],
        units: Mapping[str, str | None],
    ) -> _Changes:
        """What saving these answers over ``stored`` (the stored report, or the part of it being
        saved) writes: rows to upsert and delete, and one audit event per changed key."""
        keys = sorted(set(values) | set(units))
        stored_values = stored.values if stored is not None else {}
        stored_units = stored.units if stored is not None else {}
        stored_narratives = stored.narratives if stored is not None else {}
        ch = _Changes(report_id)

        def audit(key: str, old: str | None, new: str | None) -> None:
            ch.events.append(
                {"at": now, "user_id": user_id, "report_id": report_id, "key": key, "old": old, "new": new,
                 "source": source}
            )

        for key in keys:
            existed = key in stored_values or key in stored_units
            old_value, old_unit = stored_values.get(key), stored_units.get(key)
            new_value = values[key] if key in values else old_value
            new_unit = units[key] if key in units else old_unit
            value_changed = not _same(old_value, new_value)
            unit_changed = old_unit != new_unit
            if not value_changed and not unit_changed:
                continue
            if value_changed:
                audit(key, _audit_text(old_value), _audit_text(new_value))
            if unit_changed:
                audit(key + UNIT_SUFFIX, old_unit, new_unit)
            if new_value is None and new_unit is None:
                if existed:
                    ch.deletes.append({"report_id": report_id, "key": key})
                continue
            ch.upserts.append({"report_id": report_id, "key": key, "unit": new_unit, **_encode_cols(new_value)})
        for key in sorted(narratives):
            text = narratives[key]
            old = stored_narratives.get(key)
            if old == text:
                continue
            audit(key, old, text)
            if text is None:
                ch.n_deletes.append({"report_id": report_id, "key": key})
            else:
                ch.n_upserts.append({"report_id": report_id, "key": key, "text": text})
        return ch

    @staticmethod
    def _write_changes(conn: DriverTx, ch: _Changes) -> None:
        upserts = _raw_upserts(conn.dialect.name)
        if ch.upserts:
            upserts["cell"].many(conn, ch.upserts)
        if ch.deletes:
            _R_DELETE_CELL.many(conn, ch.deletes)
        if ch.n_upserts:
            upserts["narrative"].many(conn, ch.n_upserts)
        if ch.n_deletes:
            _R_DELETE_NARRATIVE.many(conn, ch.n_deletes)
        if ch.events:
            _R_AUDIT.many(conn, ch.events)

    def replace_report(
        self,
        report_id: int,
        rep: Report,
        *,
        user_id: int | None,
        source: str,
        expected_version: int | None = None,
    ) -> int:
        """Make the stored report exactly ``rep`` (excel/import): its entered values, narratives and
        units; derived keys are dropped; blank (None) cells are stored as not answered; everything
        else is deleted. If ``rep`` has another format than the stored report, the format changes
        (audited as key "format"). Audited per changed key; returns the new version."""
        self._check_source(source)
        with self._write() as s:
            r = self._lock_report(s, report_id, expected_version)
            if rep.year != r.year:
                raise ValueError(f"年度不符：报告为 {r.year} 年度，导入的是 {rep.year} 年度")
            fmt = rep.format
            vals, narrs, us = self._validated(fmt, rep.values, rep.narratives, rep.units, drop_derived=True)
            stored_keys = set(s.execute(select(CellValue.key).where(CellValue.report_id == r.id)).scalars())
            stored_narr = set(
                s.execute(select(NarrativePartRow.key).where(NarrativePartRow.report_id == r.id)).scalars()
            )
            changed = 0
            if fmt.id != r.format_id:
                s.add(
                    AuditEvent(
                        user_id=user_id, report_id=r.id, key="format", old=r.format_id, new=fmt.id, source=source
                    )
                )
                r.format_id = fmt.id
                changed += 1
            all_values = {k: None for k in stored_keys} | vals
            all_units: dict[str, str | None] = {k: None for k in stored_keys} | us
            all_narrs = {k: None for k in stored_narr} | narrs
            changed += self._apply(
                s, r, fmt, user_id=user_id, source=source, values=all_values, narratives=all_narrs, units=all_units
            )
            return self._bump(s, r) if changed else r.version

    def set_status(self, report_id: int, status: str, *, user_id: int | None, expected_version: int | None = None,
                   source: str = "chat") -> int:
        """draft / awaiting_approval / submitted (models.REPORT_STATUSES); audited as key "status".
        Returns the version afterwards."""
        if status not in REPORT_STATUSES:
            raise ValueError(f"未知状态 {status!r}（应为 {' / '.join(REPORT_STATUSES)}）")
        self._check_source(source)
        with self._write() as s:
            r = self._lock_report(s, report_id, expected_version)
            if r.status == status:
                return r.version
            s.add(AuditEvent(user_id=user_id, report_id=r.id, key="status", old=r.status, new=status, source=source))
            r.status = status
            s.flush()
            return self._bump(s, r)

    def audit_events(self, report_id: int) -> list[AuditInfo]:
        with self._read() as s:
            rows = s.execute(
                select(AuditEvent, User.display_name)
                .outerjoin(User, User.id == AuditEvent.user_id)
                .where(AuditEvent.report_id == report_id)
                .order_by(AuditEvent.id)
            ).all()
            return [
                AuditInfo(at=e.at, user_id=e.user_id, user_name=name, key=e.key, old=e.old, new=e.new, source=e.source)
                for e, name in rows
            ]

    # -- interview position / processed updates -------------------------------------------------
    def get_position(self, user_id: int) -> dict | None:
        with self._read() as s:
            row = s.get(InterviewPosition, user_id)
            return json.loads(row.state) if row is not None else None

    def set_position(self, user_id: int, position: dict | None, update_id: int | None = None) -> bool:
        """Store (None: clear) the user's interview state; False if ``update_id`` was handled before
        (the position records the last update that moved it; clearing uses the processed-update
        table)."""
        try:
            with self._driver.transaction(write=True) as conn:
                if position is not None:
                    return self._upsert_position(conn, user_id, position, update_id=update_id)
                if not self._claim(conn, update_id):
                    return False
                _R_DELETE_POSITION.rowcount(conn, {"user_id": user_id})
                return True
        except IntegrityError:
            if update_id is not None and self._is_processed(update_id):
                return False
            raise

    def mark_update_processed(self, update_id: int) -> bool:
        """True the first time this update id is seen, False after (its own transaction)."""
        try:
            with self._driver.transaction(write=True) as conn:
                return self._claim(conn, update_id)
        except IntegrityError:
            return False

    def _is_processed(self, update_id: int) -> bool:
        with self._read() as s:
            return s.get(ProcessedUpdate, update_id) is not None

    def prune_processed_updates(self, older_than: dt.datetime) -> int:
        """Forget processed update ids older than this (Telegram keeps updates for 24 hours)."""
        with self._write() as s:
            res = s.connection().execute(delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < older_than))
            return res.rowcount
