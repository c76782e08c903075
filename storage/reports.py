"""Reports: rows, their answers and the audit trail (part of the Store).

Every write to a report is one transaction (or a part of the caller's unit of work) that locks the
report row, checks the version the caller showed (``expected_version``: a concurrent change is
refused with :class:`~storage.errors.StaleWrite` instead of silently lost), writes the changed rows
with one audit event per changed key, and bumps the version. Nothing changed: nothing written.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import func, insert, select
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

_KEEP = object()  # "leave as stored" for the opening paragraph and the 落款


class ReportStore:
    engine = None  # set by Store

    # -- rows ---------------------------------------------------------------------------------------
    def get_or_create_report(self, agency_id: int, year: int, format_id: str | None = None) -> ReportInfo:
        """The agency's report for the year; a new one uses the year's format (or format_id)."""
        found = select(ReportRow).where(ReportRow.agency_id == agency_id, ReportRow.year == year)
        try:
            with session_scope(self.engine, write=True) as s:
                r = s.execute(found).scalars().first()
                if r is None:
                    if s.get(Agency, agency_id) is None:
                        raise NotFound("agency", agency_id)
                    r = ReportRow(agency_id=agency_id, year=year, format_id=formats.for_year(year, format_id).id)
                    s.add(r)
                    s.flush()
                return report_info(r)
        except IntegrityError:  # created concurrently
            with session_scope(self.engine) as s:
                return report_info(s.execute(found).scalars().one())

    def get_report_info(self, report_id: int) -> ReportInfo:
        with session_scope(self.engine) as s:
            return report_info(_row(s, report_id))

    def find_report(self, agency_id: int, year: int) -> ReportInfo | None:
        with session_scope(self.engine) as s:
            r = s.execute(select(ReportRow).where(ReportRow.agency_id == agency_id,
                                                  ReportRow.year == year)).scalars().first()
            return report_info(r) if r else None

    def reports_of_agency(self, agency_id: int) -> list[ReportInfo]:
        with session_scope(self.engine) as s:
            rows = s.execute(select(ReportRow).where(ReportRow.agency_id == agency_id).order_by(ReportRow.year))
            return [report_info(r) for r in rows.scalars()]

    # -- reading --------------------------------------------------------------------------------------
    def load_report(self, report_id: int) -> tuple[Report, int]:
        """The domain Report (entered values only, no derived totals; agency = the agency's name)
        and its version. The caller gets its own copy."""
        with session_scope(self.engine) as s:
            found = s.execute(select(ReportRow, Agency.name).join(Agency, Agency.id == ReportRow.agency_id)
                              .where(ReportRow.id == report_id)).first()
            if found is None:
                raise NotFound("report", report_id)
            r, agency = found
            rep = Report(format=formats.for_year(r.year, r.format_id), year=r.year, agency=agency)
            cells = s.execute(select(CellValue.key, CellValue.kind, CellValue.int_value, CellValue.decimal_text,
                                     CellValue.unit).where(CellValue.report_id == r.id))
            for key, kind, iv, dec, unit in cells:
                if kind is not None:
                    rep.values[key] = V.decode(key, kind, iv, dec)
                if unit is not None:
                    rep.units[key] = unit
            texts = dict(s.execute(select(NarrativePartRow.key, NarrativePartRow.text)
                                   .where(NarrativePartRow.report_id == r.id)).all())
            rep.preamble = texts.pop(V.PREAMBLE_KEY, None)
            rep.signature = V.signature_of(texts.pop(V.SIGNATURE_KEY, None))
            rep.narratives = texts
            return rep, r.version

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
            fmt = formats.for_year(r.year, r.format_id)
            vals, narrs, us = V.validated(fmt, values, narratives, units)
            if preamble is not _KEEP:
                narrs[V.PREAMBLE_KEY] = preamble
            if signature is not _KEEP:
                narrs[V.SIGNATURE_KEY] = V.signature_text(signature)
            changed = _apply(s, r, user_id=user_id, source=source, values=vals, narratives=narrs, units=us)
            return _bump(s, r) if changed else r.version

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
            fmt = rep.format
            vals, narrs, us = V.validated(fmt, rep.values, rep.narratives, rep.units, drop_derived=True)
            stored_cells = set(s.execute(select(CellValue.key).where(CellValue.report_id == r.id)).scalars())
            stored_texts = set(s.execute(select(NarrativePartRow.key)
                                         .where(NarrativePartRow.report_id == r.id)).scalars()) - set(V.META_KEYS)
            changed = 0
            if fmt.id != r.format_id:
                _audit(s, r.id, user_id, source, "format", r.format_id, fmt.id)
                r.format_id = fmt.id
                changed += 1
            if rep.preamble is not None:
                narrs[V.PREAMBLE_KEY] = rep.preamble
            if rep.signature != Signature():
                narrs[V.SIGNATURE_KEY] = V.signature_text(rep.signature)
            changed += _apply(
                s, r, user_id=user_id, source=source,
                values={k: None for k in stored_cells} | vals,
                narratives={k: None for k in stored_texts} | narrs,
                units={k: None for k in stored_cells} | us,
            )
            return _bump(s, r) if changed else r.version

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
            _audit(s, r.id, user_id, source, "status", r.status, status)
            r.status = status
            return _bump(s, r)


# -- one write path -----------------------------------------------------------------------------------
def _check_source(source: str) -> None:
    if source not in AUDIT_SOURCES:
        raise InvalidData(f"unknown audit source {source!r}")


def _row(s, report_id: int, *, lock: bool = False) -> ReportRow:
    q = select(ReportRow).where(ReportRow.id == report_id)
    r = s.execute(q.with_for_update() if lock else q).scalars().first()
    if r is None:
        raise NotFound("report", report_id)
    return r


def _locked(s, report_id: int, expected_version: int | None) -> ReportRow:
    r = _row(s, report_id, lock=True)
    if expected_version is not None and r.version != expected_version:
        raise StaleWrite(report_id, expected_version, r.version)
    return r


def _bump(s, r: ReportRow) -> int:
    """version += 1 (the row is locked: on PostgreSQL FOR UPDATE, on SQLite the write transaction)."""
    r.version += 1
    r.updated_at = utcnow()
    s.flush()
    return r.version


def _audit(s, report_id: int, user_id: int | None, source: str, key: str, old: str | None, new: str | None) -> None:
    s.add(AuditEvent(report_id=report_id, user_id=user_id, source=source, key=key, old=old, new=new, at=utcnow()))


def _apply(s, r: ReportRow, *, user_id: int | None, source: str, values: Mapping, narratives: Mapping,
           units: Mapping) -> int:
    """Write what differs from the stored rows, with one audit event per changed key; returns how
    many keys changed. The one rule of what a save writes, for every write path."""
    now = utcnow()
    events: list[dict] = []

    def audit(key: str, old: str | None, new: str | None) -> None:
        events.append({"at": now, "user_id": user_id, "report_id": r.id, "key": key, "old": old, "new": new,
                       "source": source})

    keys = sorted(set(values) | set(units))
    stored = {c.key: c for c in s.execute(select(CellValue).where(
        CellValue.report_id == r.id, CellValue.key.in_(keys))).scalars()} if keys else {}
    for key in keys:
        row = stored.get(key)
        old_value = V.decode(key, row.kind, row.int_value, row.decimal_text) if row is not None else None
        old_unit = row.unit if row is not None else None
        new_value = values[key] if key in values else old_value
        new_unit = units[key] if key in units else old_unit
        if not V.same(old_value, new_value):
            audit(key, V.audit_value(old_value), V.audit_value(new_value))
        if old_unit != new_unit:
            audit(key + V.UNIT_SUFFIX, old_unit, new_unit)
        if V.same(old_value, new_value) and old_unit == new_unit:
            continue
        if new_value is None and new_unit is None:
            s.delete(row)
        elif row is None:
            s.add(CellValue(report_id=r.id, key=key, unit=new_unit, **V.encode(new_value)))
        else:
            for column, v in V.encode(new_value).items():
                setattr(row, column, v)
            row.unit = new_unit
    if narratives:
        texts = {n.key: n for n in s.execute(select(NarrativePartRow).where(
            NarrativePartRow.report_id == r.id, NarrativePartRow.key.in_(sorted(narratives)))).scalars()}
        for key in sorted(narratives):
            text, row = narratives[key], texts.get(key)
            old = row.text if row is not None else None
            if old == text:
                continue
            audit(key, V.audit_text(old), V.audit_text(text))
            if text is None:
                s.delete(row)
            elif row is None:
                s.add(NarrativePartRow(report_id=r.id, key=key, text=text))
            else:
                row.text = text
    if events:
        s.flush()
        s.execute(insert(AuditEvent), events)
    return len(events)

