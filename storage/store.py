"""The Store: every public method is one transaction and returns plain values or domain objects.

Values are exact (int / Decimal, never float). Derived cells (totals) are never stored.
Writes to a report bump its ``version``; pass ``expected_version`` (the version you showed the
user) to have a concurrent change refused with :class:`StaleWrite` instead of silently lost.
Pass the Telegram ``update_id`` to make a write idempotent: a redelivered update changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from report import formats
from report.model import Report

from .db import make_engine, session_scope, upgrade_schema
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


def _upsert(s: Session, model):
    """INSERT with ON CONFLICT support (SQLite and PostgreSQL dialects)."""
    if s.get_bind().dialect.name == "postgresql":
        return pg_insert(model)
    return sqlite_insert(model)


# -- the Store --------------------------------------------------------------------------------------

class Store:
    def __init__(self, engine: Engine):
        self.engine = engine

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

    def dispose(self) -> None:
        self.engine.dispose()

    def _read(self):
        return session_scope(self.engine)

    def _write(self):
        return session_scope(self.engine, write=True)

    # -- users / offices / agencies -------------------------------------------------------------
    def get_or_create_user(self, telegram_id: int, display_name: str = "") -> UserInfo:
        """The user with this Telegram id, created if new; a non-empty display_name is kept current."""
        for _ in range(2):
            try:
                with self._write() as s:
                    u = s.execute(select(User).where(User.telegram_id == telegram_id)).scalars().first()
                    if u is None:
                        u = User(telegram_id=telegram_id, display_name=display_name)
                        s.add(u)
                        s.flush()
                    elif display_name and u.display_name != display_name:
                        u.display_name = display_name
                    return _user_info(u)
            except IntegrityError:  # created concurrently
                continue
        raise RuntimeError("could not create user")  # pragma: no cover

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
            raise ValueError(f"未知机构类型 {kind!r}（应为 {' / '.join(AGENCY_KINDS)}）")
        name = name.strip()
        if not name:
            raise ValueError("机构名称不能为空")
        try:
            with self._write() as s:
                a = Agency(name=name, kind=kind, office_id=office_id, region=region)
                s.add(a)
                s.flush()
                return _agency_info(a)
        except IntegrityError as exc:
            raise ValueError(f"机构“{name}”已存在，或所属协调办公室不存在") from exc

    def find_agency(self, name: str) -> AgencyInfo | None:
        with self._read() as s:
            a = s.execute(select(Agency).where(Agency.name == name.strip())).scalars().first()
            return _agency_info(a) if a else None

    def get_agency(self, agency_id: int) -> AgencyInfo:
        with self._read() as s:
            a = s.get(Agency, agency_id)
            if a is None:
                raise NotFound(f"机构 {agency_id} 不存在")
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
            raise ValueError("须指定机构或协调办公室之一")
        if role == "coordinator" and office_id is None:
            raise ValueError("协调人须属于协调办公室")
        if role != "coordinator" and agency_id is None:
            raise ValueError("填报人和审核人须属于机构")
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
                raise NotFound("用户、机构或协调办公室不存在") from exc

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
        """The agency's report for the year; a new one uses the year's format (or format_id)."""
        fmt_id = formats.for_year(year, format_id).id
        for _ in range(2):
            try:
                with self._write() as s:
                    r = s.execute(
                        select(ReportRow).where(ReportRow.agency_id == agency_id, ReportRow.year == year)
                    ).scalars().first()
                    if r is None:
                        if s.get(Agency, agency_id) is None:
                            raise NotFound(f"机构 {agency_id} 不存在")
                        r = ReportRow(agency_id=agency_id, year=year, format_id=fmt_id)
                        s.add(r)
                        s.flush()
                    return _report_info(r)
            except IntegrityError:
                continue
        raise RuntimeError("could not create report")  # pragma: no cover

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
        """The domain Report (entered values only, no derived totals; agency = agency name) and its version."""
        with self._read() as s:
            r = self._report(s, report_id)
            agency = s.get(Agency, r.agency_id)
            rep = Report(format=formats.for_year(r.year, r.format_id), year=r.year, agency=agency.name)
            for c in s.execute(select(CellValue).where(CellValue.report_id == report_id)).scalars():
                if c.kind is not None:
                    rep.values[c.key] = _decode(c)
                if c.unit is not None:
                    rep.units[c.key] = c.unit
            for n in s.execute(select(NarrativePartRow).where(NarrativePartRow.report_id == report_id)).scalars():
                rep.narratives[n.key] = n.text
            return rep, r.version

    # -- writing ------------------------------------------------------------------------------------
    @staticmethod
    def _claim_update(s: Session, update_id: int | None) -> bool:
        """Record the update id in this transaction; False if it was processed before."""
        if update_id is None:
            return True
        stmt = _upsert(s, ProcessedUpdate).values(update_id=update_id, processed_at=utcnow())
        stmt = stmt.on_conflict_do_nothing(index_elements=["update_id"]).returning(ProcessedUpdate.update_id)
        return s.execute(stmt).first() is not None

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

    @staticmethod
    def _set_position(s: Session, user_id: int, position: dict | None) -> None:
        if position is None:
            s.execute(delete(InterviewPosition).where(InterviewPosition.user_id == user_id))
            return
        state = json.dumps(position, ensure_ascii=False, sort_keys=True)
        now = utcnow()
        stmt = _upsert(s, InterviewPosition).values(user_id=user_id, state=state, updated_at=now)
        s.execute(stmt.on_conflict_do_update(index_elements=["user_id"], set_={"state": state, "updated_at": now}))

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
        derived = fmt.derived_keys
        narrative_keys = {p.key for p in fmt.narrative_parts}
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
            with self._write() as s:
                if not self._claim_update(s, update_id):
                    return None
                r = self._lock_report(s, report_id, expected_version)
                fmt = formats.for_year(r.year, r.format_id)
                vals, narrs, us = self._validated(fmt, values, narratives, units)
                changed = self._apply(
                    s, r, fmt, user_id=user_id, source=source, values=vals, narratives=narrs, units=us
                )
                version = self._bump(s, r) if changed else r.version
                if position is not None:
                    self._set_position(s, user_id, position)
                return version
        except IntegrityError:
            if update_id is not None and self._is_processed(update_id):
                return None
            raise

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
        """draft / submitted; audited as key "status". Returns the version afterwards."""
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
        """Store (None: clear) the user's interview state; False if update_id was already processed."""
        try:
            with self._write() as s:
                if not self._claim_update(s, update_id):
                    return False
                self._set_position(s, user_id, position)
                return True
        except IntegrityError:
            if update_id is not None and self._is_processed(update_id):
                return False
            raise

    def mark_update_processed(self, update_id: int) -> bool:
        """True the first time this update id is seen, False after (its own transaction)."""
        try:
            with self._write() as s:
                return self._claim_update(s, update_id)
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
