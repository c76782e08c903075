"""The Store: the repository every adapter uses. Every public method that writes is one
transaction — or a part of the caller's unit of work (:meth:`Store.transaction`) — and all return
plain values (storage/infos.py) or domain objects (report.model.Report), never ORM rows.

Values are exact (int / Decimal, never float); derived cells (totals) are never stored. Writes to a
report bump its ``version``; pass ``expected_version`` (the version shown to the user) to have a
concurrent change refused with :class:`StaleWrite` instead of silently lost.

The methods live by subject: people.py (users, offices, agencies, memberships), reports.py (reports,
reading answers, audit trail), report_writes.py (saving answers, status), positions.py (where users
stand, handled updates).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import Engine

from .db import make_engine, session_scope, upgrade_schema
from .errors import AlreadyExists, InvalidData, NotFound, StaleWrite, StorageError
from .infos import (
    AgencyInfo,
    AuditInfo,
    MembershipInfo,
    OfficeInfo,
    ReportInfo,
    UserInfo,
    agency_info,
    office_info,
    report_info,
    user_info,
)
from .people import PeopleStore
from .positions import PositionStore
from .report_cache import ReportCache
from .report_writes import ReportWriter
from .reports import ReportStore
from .values import UNIT_SUFFIX

__all__ = [
    "AgencyInfo", "AlreadyExists", "AuditInfo", "InvalidData", "MembershipInfo", "NotFound", "OfficeInfo",
    "ReportInfo", "StaleWrite", "StorageError", "Store", "UNIT_SUFFIX", "UserInfo", "agency_info",
    "office_info", "report_info", "user_info",
]


class Store(PeopleStore, ReportStore, ReportWriter, PositionStore):
    def __init__(self, engine: Engine):
        self.engine = engine
        self.reports = ReportCache()  # the stored report of each (id, version), read once

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
    def dialect(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """A unit of work: every Store method (and every storage function) called inside it, in
        this thread or task, commits with it or not at all. It takes the write lock at once on
        SQLite, so a read-then-write never fails on lock upgrade."""
        with session_scope(self.engine, write=True):
            yield
