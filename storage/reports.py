"""Reports: their rows, reading their answers and the audit trail (part of the Store; writing is
storage/report_writes.py). The stored report of a version is read once (storage/report_cache.py);
the report rows a unit of work has read are read once in it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError

from report import formats
from report.model import Report

from . import values as V
from .db import session_scope
from .errors import NotFound
from .infos import AuditInfo, ReportInfo, report_info
from .models import (
    Agency,
    AuditEvent,
    CellValue,
    NarrativePartRow,
    ReportRow,
    User,
)
from .report_cache import ReportCache

REPORT_TABLE = ReportRow.__table__
_ROW = (REPORT_TABLE.c.id, REPORT_TABLE.c.agency_id, REPORT_TABLE.c.year, REPORT_TABLE.c.format_id, REPORT_TABLE.c.status,
        REPORT_TABLE.c.version, REPORT_TABLE.c.updated_at, REPORT_TABLE.c.created_at)
_AGENCY = Agency.__table__
CELL_TABLE = CellValue.__table__
TEXT_TABLE = NarrativePartRow.__table__
# The hot statements, built once: a statement object keeps its compiled form and cache key.
_BY_ID = (select(*_ROW, _AGENCY.c.name.label("agency")).join(_AGENCY, _AGENCY.c.id == REPORT_TABLE.c.agency_id)
          .where(REPORT_TABLE.c.id == bindparam("report_id")))
_BY_ID_LOCKED = _BY_ID.with_for_update(of=REPORT_TABLE)
_BY_IDS = (select(*_ROW, _AGENCY.c.name.label("agency")).join(_AGENCY, _AGENCY.c.id == REPORT_TABLE.c.agency_id)
           .where(REPORT_TABLE.c.id.in_(bindparam("ids", expanding=True))))
_CELLS_OF = select(CELL_TABLE.c.report_id, CELL_TABLE.c.key, CELL_TABLE.c.kind, CELL_TABLE.c.int_value, CELL_TABLE.c.decimal_text,
                   CELL_TABLE.c.unit).where(CELL_TABLE.c.report_id.in_(bindparam("ids", expanding=True)))
_TEXTS_OF = select(TEXT_TABLE.c.report_id, TEXT_TABLE.c.key, TEXT_TABLE.c.text).where(
    TEXT_TABLE.c.report_id.in_(bindparam("ids", expanding=True)))
_CHUNK = 500  # ids per IN (...) list
_OF_YEARS = (select(*_ROW, _AGENCY.c.name.label("agency")).join(_AGENCY, _AGENCY.c.id == REPORT_TABLE.c.agency_id)
             .where(REPORT_TABLE.c.agency_id == bindparam("agency_id"),
                    REPORT_TABLE.c.year.in_(bindparam("years", expanding=True))))
_CELLS = select(CELL_TABLE.c.key, CELL_TABLE.c.kind, CELL_TABLE.c.int_value, CELL_TABLE.c.decimal_text, CELL_TABLE.c.unit).where(
    CELL_TABLE.c.report_id == bindparam("report_id"))
_TEXTS = select(TEXT_TABLE.c.key, TEXT_TABLE.c.text).where(TEXT_TABLE.c.report_id == bindparam("report_id"))


class ReportStore:
    engine = None  # set by Store
    reports: ReportCache

    # -- rows ---------------------------------------------------------------------------------------
    def get_or_create_report(self, agency_id: int, year: int, format_id: str | None = None) -> ReportInfo:
        """The agency's report for the year; a new one uses the year's format (or format_id)."""
        found = self.find_report(agency_id, year)
        if found is not None:
            return found
        try:
            with session_scope(self.engine, write=True, savepoint=True) as s:
                if s.get(Agency, agency_id) is None:
                    raise NotFound("agency", agency_id)
                r = ReportRow(agency_id=agency_id, year=year, format_id=formats.for_year(year, format_id).id)
                s.add(r)
                s.flush()
                return report_info(r)
        except IntegrityError:  # created concurrently
            return self.find_report(agency_id, year)

    def get_report_info(self, report_id: int) -> ReportInfo:
        with session_scope(self.engine) as s:
            return _info(read_row(s, report_id))

    def find_report(self, agency_id: int, year: int) -> ReportInfo | None:
        return self.reports_of_years(agency_id, (year,)).get(year)

    def reports_of_years(self, agency_id: int, years) -> dict[int, ReportInfo]:
        """The agency's stored reports of these years (one statement)."""
        with session_scope(self.engine) as s:
            rows = s.connection().execute(_OF_YEARS, {"agency_id": agency_id, "years": list(years)})
            return {r.year: _info(remember_row(s, r)) for r in rows}

    def reports_of_agency(self, agency_id: int) -> list[ReportInfo]:
        with session_scope(self.engine) as s:
            rows = s.execute(select(ReportRow).where(ReportRow.agency_id == agency_id).order_by(ReportRow.year))
            return [report_info(r) for r in rows.scalars()]

    # -- reading --------------------------------------------------------------------------------------
    def load_report(self, report_id: int) -> tuple[Report, int]:
        """The domain Report (entered values only, no derived totals; agency = the agency's name)
        and its version. The caller gets its own copy."""
        with session_scope(self.engine) as s:
            r = read_row(s, report_id)
            return self._stored(s, r).copy(), r.version

    def load_reports(self, report_ids) -> dict[int, Report]:
        """The domain Reports of many reports (copies), the ones not in memory read together."""
        ids = sorted(set(report_ids))
        out: dict[int, Report] = {}
        with session_scope(self.engine) as s:
            conn = s.connection()
            for chunk in _chunked(ids):
                rows = {r.id: r for r in conn.execute(_BY_IDS, {"ids": chunk})}
                missing = [rid for rid, r in rows.items() if self.reports.get((r.id, r.version, r.created_at)) is None]
                cells: dict[int, list] = {rid: [] for rid in missing}
                texts: dict[int, dict] = {rid: {} for rid in missing}
                if missing:
                    for rid, *cell in conn.execute(_CELLS_OF, {"ids": missing}):
                        cells[rid].append(cell)
                    for rid, key, text in conn.execute(_TEXTS_OF, {"ids": missing}):
                        texts[rid][key] = text
                for rid, r in rows.items():
                    found = self.reports.get((r.id, r.version, r.created_at))
                    if found is None:
                        found = self._build(s, r, cells[rid], texts[rid])
                    out[rid] = found.copy() if found.agency == r.agency else found.copy(agency=r.agency)
        return out

    def _build(self, s, r, cells, texts: dict) -> Report:
        """The Report of a row from its stored cells and texts, remembered for its version."""
        rep = Report(format=formats.for_year(r.year, r.format_id), year=r.year, agency=r.agency)
        for cell, kind, iv, dec, unit in cells:
            if kind is not None:
                rep.values[cell] = V.decode(cell, kind, iv, dec)
            if unit is not None:
                rep.units[cell] = unit
        rep.preamble = texts.pop(V.PREAMBLE_KEY, None)
        rep.signature = V.signature_of(texts.pop(V.SIGNATURE_KEY, None))
        rep.narratives = texts
        self.reports.remember(s, (r.id, r.version, r.created_at), rep)
        return rep

    def _stored(self, s, r) -> Report:
        """The report as stored at the row's version (shared: do not change it); ``r``: a report row
        read with its agency's name (:func:`read_row`)."""
        found = self.reports.get((r.id, r.version, r.created_at))
        if found is not None:
            return found if found.agency == r.agency else found.copy(agency=r.agency)
        conn = s.connection()
        return self._build(s, r, conn.execute(_CELLS, {"report_id": r.id}).all(),
                           dict(conn.execute(_TEXTS, {"report_id": r.id}).all()))

    def audit_events(self, report_id: int) -> list[AuditInfo]:
        with session_scope(self.engine) as s:
            rows = s.execute(select(AuditEvent, User.display_name).outerjoin(User, User.id == AuditEvent.user_id)
                             .where(AuditEvent.report_id == report_id).order_by(AuditEvent.id)).all()
            return [AuditInfo(at=e.at, user_id=e.user_id, user_name=name, key=e.key, old=e.old, new=e.new,
                              source=e.source) for e, name in rows]

    def count_audit_events(self, report_id: int) -> int:
        with session_scope(self.engine) as s:
            return s.execute(select(func.count()).where(AuditEvent.report_id == report_id)).scalar_one()

def _chunked(ids: list[int]):
    for i in range(0, len(ids), _CHUNK):
        yield ids[i:i + _CHUNK]


ROWS_READ = "report_rows"  # Session.info: the report rows this unit of work has read, by id


@dataclasses.dataclass(frozen=True)
class _RowRead(ReportInfo):
    """A report row as read (the columns of ReportInfo, in order, then these), with its agency's name."""

    created_at: dt.datetime
    agency: str


def remember_row(s, r) -> _RowRead:
    """Remember a report row read (or written) in this unit of work: reading it again in the same
    transaction costs no statement; a change is still checked against its version (:meth:`_bump`)."""
    row = r if isinstance(r, _RowRead) else _RowRead(*r)
    s.info.setdefault(ROWS_READ, {})[row.id] = row
    return row


def read_row(s, report_id: int, *, lock: bool = False):
    """The report row with its agency's name (``agency``): as this unit of work read it, else read
    now (locked for writing when ``lock``)."""
    found = s.info.get(ROWS_READ, {}).get(report_id)
    if found is not None:
        return found
    r = s.connection().execute(_BY_ID_LOCKED if lock else _BY_ID, {"report_id": report_id}).first()
    if r is None:
        raise NotFound("report", report_id)
    return remember_row(s, r)


def _info(r) -> ReportInfo:
    return ReportInfo(id=r.id, agency_id=r.agency_id, year=r.year, format_id=r.format_id, status=r.status,
                      version=r.version, updated_at=r.updated_at)
