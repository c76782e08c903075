"""Plain, frozen value objects the Store returns (never ORM rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .models import Agency, Office, ReportRow, User


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


def user_info(u: User) -> UserInfo:
    return UserInfo(id=u.id, telegram_id=u.telegram_id, display_name=u.display_name, muted_until=u.muted_until)


def office_info(o: Office) -> OfficeInfo:
    return OfficeInfo(id=o.id, name=o.name, region=o.region, needs_approval=bool(o.needs_approval))


def agency_info(a: Agency) -> AgencyInfo:
    return AgencyInfo(id=a.id, name=a.name, kind=a.kind, office_id=a.office_id, region=a.region)


def report_info(r: ReportRow) -> ReportInfo:
    return ReportInfo(id=r.id, agency_id=r.agency_id, year=r.year, format_id=r.format_id, status=r.status,
                      version=r.version, updated_at=r.updated_at)
