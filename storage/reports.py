"""Reports: rows, their answers and the audit trail (part of the Store).

Every write to a report is one transaction (or a part of the caller's unit of work) that locks the
report row, checks the version the caller showed (``expected_version``: a concurrent change is
refused with :class:`~storage.errors.StaleWrite` instead of silently lost), compares the answers
with the report as stored, writes what differs with one audit event per changed key, and bumps the
version. Nothing changed: nothing written. The stored report of a version is read once
(storage/report_cache.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from report import formats
from report.model import Report, Signature

from . import values as V
from .db import session_scope
from .errors import InvalidData, NotFound, StaleWrite
from .infos import AuditInfo, ReportInfo, report_info
from .models import (
    AUDIT_SOURCES,
    REPORT_STATUSES,
    Agency,
    AuditEvent,
    CellValue,
    NarrativePartRow,
    ReportRow,
    User,
    utcnow,
)
from .report_cache import ReportCache

_KEEP = object()  # "leave as stored" for the opening paragraph and the 落款
_REPORT = ReportRow.__table__
_ROW = (_REPORT.c.id, _REPORT.c.agency_id, _REPORT.c.year, _REPORT.c.format_id, _REPORT.c.status,
        _REPORT.c.version, _REPORT.c.updated_at, _REPORT.c.created_at)
_AGENCY = Agency.__table__
_CELL = CellValue.__table__
_TEXT = NarrativePartRow.__table__
# The hot statements, built once: a statement object keeps its compiled form and cache key.
_BY_ID = (select(*_ROW, _AGENCY.c.name.label("agency")).join(_AGENCY, _AGENCY.c.id == _REPORT.c.agency_id)
          .where(_REPORT.c.id == bindparam("report_id")))
_BY_ID_LOCKED = _BY_ID.with_for_update(of=_REPORT)
_BY_IDS = (select(*_ROW, _AGENCY.c.name.label("agency")).join(_AGENCY, _AGENCY.c.id == _REPORT.c.agency_id)
           .where(_REPORT.c.id.in_(bindparam("ids", expanding=True))))
_CELLS_OF = select(_CELL.c.report_id, _CELL.c.key, _CELL.c.kind, _CELL.c.int_value, _CELL.c.decimal_text,
                   _CELL.c.unit).where(_CELL.c.report_id.in_(bindparam("ids", expanding=True)))
_TEXTS_OF = select(_TEXT.c.report_id, _TEXT.c.key, _TEXT.c.text).where(
    _TEXT.c.report_id.in_(bindparam("ids", expanding=True)))
_CHUNK = 500  # ids per IN (...) list
_OF_YEARS = (select(*_ROW, _AGENCY.c.name.label("agency")).join(_AGENCY, _AGENCY.c.id == _REPORT.c.agency_id)
             .where(_REPORT.c.agency_id == bindparam("agency_id"),
                    _REPORT.c.year.in_(bindparam("years", expanding=True))))
_CELLS = select(_CELL.c.key, _CELL.c.kind, _CELL.c.int_value, _CELL.c.decimal_text, _CELL.c.unit).where(
    _CELL.c.report_id == bindparam("report_id"))
_TEXTS = select(_TEXT.c.key, _TEXT.c.text).where(_TEXT.c.report_id == bindparam("report_id"))
# the version moves on only from the version the change was worked out against (the optimistic
# lock, and on PostgreSQL the row lock until commit)
_BUMP = update(_REPORT).where(_REPORT.c.id == bindparam("report_id"), _REPORT.c.version == bindparam("expected")).values(
    version=bindparam("version"), updated_at=bindparam("now"), status=bindparam("status"),
    format_id=bindparam("format_id"))
_AUDIT = insert(AuditEvent.__table__)
_DELETE_CELLS = delete(_CELL).where(_CELL.c.report_id == bindparam("report_id"),
                                    _CELL.c.key.in_(bindparam("keys", expanding=True)))
_DELETE_TEXTS = delete(_TEXT).where(_TEXT.c.report_id == bindparam("report_id"),
                                    _TEXT.c.key.in_(bindparam("keys", expanding=True)))


def _upserts(dialect: str) -> tuple:
    """(cells, texts) INSERT … ON CONFLICT DO UPDATE of the dialect, built once."""
    found = _UPSERTS.get(dialect)
    if found is None:
        insert_ = pg_insert if dialect == "postgresql" else sqlite_insert
        cells, texts = insert_(_CELL), insert_(_TEXT)
        found = _UPSERTS[dialect] = (
            cells.on_conflict_do_update(index_elements=["report_id", "key"], set_={
                c: cells.excluded[c] for c in ("kind", "int_value", "decimal_text", "unit")}),
            texts.on_conflict_do_update(index_elements=["report_id", "key"], set_={"text": texts.excluded.text}),
        )
    return found


_UPSERTS: dict[str, tuple] = {}


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
            return _info(_row(s, report_id))

    def find_report(self, agency_id: int, year: int) -> ReportInfo | None:
        return self.reports_of_years(agency_id, (year,)).get(year)

    def reports_of_years(self, agency_id: int, years) -> dict[int, ReportInfo]:
        """The agency's stored reports of these years (one statement)."""
        with session_scope(self.engine) as s:
            rows = s.connection().execute(_OF_YEARS, {"agency_id": agency_id, "years": list(years)})
            return {r.year: _info(_seen(s, r)) for r in rows}

    def reports_of_agency(self, agency_id: int) -> list[ReportInfo]:
        with session_scope(self.engine) as s:
            rows = s.execute(select(ReportRow).where(ReportRow.agency_id == agency_id).order_by(ReportRow.year))
            return [report_info(r) for r in rows.scalars()]

    # -- reading --------------------------------------------------------------------------------------
    def load_report(self, report_id: int) -> tuple[Report, int]:
        """The domain Report (entered values only, no derived totals; agency = the agency's name)
        and its version. The caller gets its own copy."""
        with session_scope(self.engine) as s:
            r = _row(s, report_id)
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
        read with its agency's name (:func:`_row`)."""
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

    # -- writing ------------------------------------------------------------------------------------------
    def save_answers(
        self,
        report_id: int,
        *,
        user_id: int | None,
        source: str,
        values: Mapping[str, int | Decimal | None] | None = None,
        narratives: Mapping[str, str | None] | None = None,
        units: Mapping[str, str | None] | None = None,
        preamble: str | None | object = _KEEP,
        signature: Signature | object = _KEEP,
        expected_version: int | None = None,
    ) -> int:
        """Save answers (a value, text or unit replaces the old one; None removes it, back to "not
        answered"); the opening paragraph and the 落款 when given. Returns the version afterwards."""
        _check_source(source)
        with session_scope(self.engine, write=True) as s:
            r = _locked(s, report_id, expected_version)
            vals, narrs, us = V.validated(formats.for_year(r.year, r.format_id), values, narratives, units)
            if preamble is not _KEEP:
                narrs[V.PREAMBLE_KEY] = preamble
            if signature is not _KEEP:
                narrs[V.SIGNATURE_KEY] = V.signature_text(signature)
            return self._save(s, r, user_id=user_id, source=source, values=vals, narratives=narrs, units=us)

    def replace_report(self, report_id: int, rep: Report, *, user_id: int | None, source: str,
                       expected_version: int | None = None) -> int:
        """Make the stored report exactly ``rep`` (Excel template, import): its entered values,
        narratives and units; derived keys are dropped; blank (None) cells are stored as not
        answered; everything else is deleted. The opening paragraph and the 落款 are kept unless
        ``rep`` sets them. Another format than the stored one switches the format (audited as key
        "format"). Returns the version afterwards."""
        _check_source(source)
        with session_scope(self.engine, write=True) as s:
            r = _locked(s, report_id, expected_version)
            if rep.year != r.year:
                raise InvalidData(f"report {r.id} is of {r.year}, not {rep.year}")
            stored = self._stored(s, r)
            vals, narrs, us = V.validated(rep.format, rep.values, rep.narratives, rep.units, drop_derived=True)
            format_changed = rep.format.id != r.format_id
            if format_changed:
                _audit_rows(s, [_event(r.id, user_id, source, "format", r.format_id, rep.format.id)])
            if rep.preamble is not None:
                narrs[V.PREAMBLE_KEY] = rep.preamble
            if rep.signature != Signature():
                narrs[V.SIGNATURE_KEY] = V.signature_text(rep.signature)
            cells = set(stored.values) | set(stored.units)
            return self._save(s, r, user_id=user_id, source=source, stored=stored, format_id=rep.format.id,
                              values={k: None for k in cells} | vals,
                              narratives={k: None for k in stored.narratives} | narrs,
                              units={k: None for k in cells} | us)

    def set_status(self, report_id: int, status: str, *, user_id: int | None, expected_version: int | None = None,
                   source: str = "chat") -> int:
        """draft / awaiting_approval / submitted (models.REPORT_STATUSES); audited as key "status".
        Returns the version afterwards."""
        if status not in REPORT_STATUSES:
            raise InvalidData(f"unknown status {status!r}")
        _check_source(source)
        with session_scope(self.engine, write=True) as s:
            r = _locked(s, report_id, expected_version)
            if r.status == status:
                return r.version
            _audit_rows(s, [_event(r.id, user_id, source, "status", r.status, status)])
            return self._bump(s, r, self._stored(s, r), status=status)

    # -- the one write path --------------------------------------------------------------------------
    def _save(self, s, r, *, user_id, source, values: Mapping, narratives: Mapping, units: Mapping,
              stored: Report | None = None, format_id: str | None = None) -> int:
        """Write what differs from the stored report, with one audit event per changed key, and bump
        the version; the one rule of what a save writes, for every write path."""
        stored = stored if stored is not None else self._stored(s, r)
        events: list[dict] = []
        cell_rows: list[dict] = []
        gone: list[str] = []
        for key in sorted(set(values) | set(units)):
            old_value, old_unit = stored.values.get(key), stored.units.get(key)
            new_value = values[key] if key in values else old_value
            new_unit = units[key] if key in units else old_unit
            if not V.same(old_value, new_value):
                events.append(_event(r.id, user_id, source, key, V.audit_value(old_value), V.audit_value(new_value)))
            if old_unit != new_unit:
                events.append(_event(r.id, user_id, source, key + V.UNIT_SUFFIX, old_unit, new_unit))
            if V.same(old_value, new_value) and old_unit == new_unit:
                continue
            if new_value is None and new_unit is None:
                gone.append(key)
            else:
                cell_rows.append({"report_id": r.id, "key": key, "unit": new_unit, **V.encode(new_value)})
        old_texts = {**stored.narratives, **V.meta_texts(stored.preamble, stored.signature)}
        text_rows: list[dict] = []
        texts_gone: list[str] = []
        for key in sorted(narratives):
            text, old = narratives[key], old_texts.get(key)
            if old == text:
                continue
            events.append(_event(r.id, user_id, source, key, V.audit_text(old), V.audit_text(text)))
            if text is None:
                texts_gone.append(key)
            else:
                text_rows.append({"report_id": r.id, "key": key, "text": text})
        if not events and format_id in (None, r.format_id):
            return r.version
        after = stored.with_answers({k: values[k] for k in values}, {k: v for k, v in narratives.items()
                                                                    if k not in V.META_KEYS}, dict(units))
        after.format = formats.for_year(r.year, format_id or r.format_id)
        after.preamble = narratives[V.PREAMBLE_KEY] if V.PREAMBLE_KEY in narratives else stored.preamble
        after.signature = (V.signature_of(narratives[V.SIGNATURE_KEY]) if V.SIGNATURE_KEY in narratives
                           else stored.signature)
        version = self._bump(s, r, after, format_id=format_id or r.format_id)
        conn = s.connection()
        upsert_cells, upsert_texts = _upserts(conn.dialect.name)
        if cell_rows:
            conn.execute(upsert_cells, cell_rows)
        if gone:
            conn.execute(_DELETE_CELLS, {"report_id": r.id, "keys": gone})
        if text_rows:
            conn.execute(upsert_texts, text_rows)
        if texts_gone:
            conn.execute(_DELETE_TEXTS, {"report_id": r.id, "keys": texts_gone})
        _audit_rows(s, events)
        return version

    def _bump(self, s, r, after: Report, **changes) -> int:
        """version += 1 from the version ``r`` was read at (StaleWrite if it moved since; the row
        stays locked until commit), with ``changes`` to the row; the report of the new version is
        remembered once committed."""
        version = r.version + 1
        now = utcnow()
        status, format_id = changes.get("status", r.status), changes.get("format_id", r.format_id)
        done = s.connection().execute(_BUMP, {"report_id": r.id, "expected": r.version, "version": version,
                                              "now": now, "status": status, "format_id": format_id})
        if done.rowcount != 1:
            s.info.get(_ROWS, {}).pop(r.id, None)
            raise StaleWrite(r.id, r.version, None)
        _seen(s, dataclasses.replace(r, version=version, updated_at=now, status=status, format_id=format_id))
        self.reports.remember(s, (r.id, version, r.created_at), after)
        return version


def _chunked(ids: list[int]):
    for i in range(0, len(ids), _CHUNK):
        yield ids[i:i + _CHUNK]


def _check_source(source: str) -> None:
    if source not in AUDIT_SOURCES:
        raise InvalidData(f"unknown audit source {source!r}")


_ROWS = "report_rows"  # Session.info: the report rows this unit of work has read, by id


@dataclasses.dataclass(frozen=True)
class _RowRead(ReportInfo):
    """A report row as read (the columns of ReportInfo, in order, then these), with its agency's name."""

    created_at: dt.datetime
    agency: str


def _seen(s, r) -> _RowRead:
    """Remember a report row read (or written) in this unit of work: reading it again in the same
    transaction costs no statement; a change is still checked against its version (:meth:`_bump`)."""
    row = r if isinstance(r, _RowRead) else _RowRead(*r)
    s.info.setdefault(_ROWS, {})[row.id] = row
    return row


def _row(s, report_id: int, *, lock: bool = False):
    """The report row with its agency's name (``agency``): as this unit of work read it, else read
    now (locked for writing when ``lock``)."""
    found = s.info.get(_ROWS, {}).get(report_id)
    if found is not None:
        return found
    r = s.connection().execute(_BY_ID_LOCKED if lock else _BY_ID, {"report_id": report_id}).first()
    if r is None:
        raise NotFound("report", report_id)
    return _seen(s, r)


def _info(r) -> ReportInfo:
    return ReportInfo(id=r.id, agency_id=r.agency_id, year=r.year, format_id=r.format_id, status=r.status,
                      version=r.version, updated_at=r.updated_at)


def _locked(s, report_id: int, expected_version: int | None):
    r = _row(s, report_id, lock=True)
    if expected_version is not None and r.version != expected_version:
        raise StaleWrite(report_id, expected_version, r.version)
    return r


def _event(report_id: int, user_id, source: str, key: str, old: str | None, new: str | None) -> dict:
    return {"at": utcnow(), "user_id": user_id, "report_id": report_id, "key": key, "old": old, "new": new,
            "source": source}


def _audit_rows(s, events: list[dict]) -> None:
    if events:
        s.connection().execute(_AUDIT, events)
