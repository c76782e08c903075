"""Writing reports (part of the Store): every write is one transaction (or a part of the caller's
unit of work) that checks the version the caller showed (``expected_version``: a concurrent change
is refused with :class:`~storage.errors.StaleWrite` instead of silently lost), compares the answers
with the report as stored, moves the version on (only from the version the change was worked out
against, which locks the row until commit), and writes what differs with one audit event per
changed key. Nothing changed: nothing written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy import bindparam, delete, insert, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from report import formats
from report.model import Report, Signature

from . import values as V
from .db import session_scope
from .errors import InvalidData, StaleWrite
from .models import AUDIT_SOURCES, REPORT_STATUSES, AuditEvent, utcnow
from .reports import CELL_TABLE, REPORT_TABLE, ROWS_READ, TEXT_TABLE, read_row, remember_row

_KEEP = object()  # "leave as stored" for the opening paragraph and the 落款

# the version moves on only from the version the change was worked out against (the optimistic
# lock, and on PostgreSQL the row lock until commit)
_BUMP = update(REPORT_TABLE).where(REPORT_TABLE.c.id == bindparam("report_id"), REPORT_TABLE.c.version == bindparam("expected")).values(
    version=bindparam("version"), updated_at=bindparam("now"), status=bindparam("status"),
    format_id=bindparam("format_id"))
_AUDIT = insert(AuditEvent.__table__)
_DELETE_CELLS = delete(CELL_TABLE).where(CELL_TABLE.c.report_id == bindparam("report_id"),
                                    CELL_TABLE.c.key.in_(bindparam("keys", expanding=True)))
_DELETE_TEXTS = delete(TEXT_TABLE).where(TEXT_TABLE.c.report_id == bindparam("report_id"),
                                    TEXT_TABLE.c.key.in_(bindparam("keys", expanding=True)))


def _upserts(dialect: str) -> tuple:
    """(cells, texts) INSERT … ON CONFLICT DO UPDATE of the dialect, built once."""
    found = _UPSERTS.get(dialect)
    if found is None:
        insert_ = pg_insert if dialect == "postgresql" else sqlite_insert
        cells, texts = insert_(CELL_TABLE), insert_(TEXT_TABLE)
        found = _UPSERTS[dialect] = (
            cells.on_conflict_do_update(index_elements=["report_id", "key"], set_={
                c: cells.excluded[c] for c in ("kind", "int_value", "decimal_text", "unit")}),
            texts.on_conflict_do_update(index_elements=["report_id", "key"], set_={"text": texts.excluded.text}),
        )
    return found


_UPSERTS: dict[str, tuple] = {}


class ReportWriter:
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
            s.info.get(ROWS_READ, {}).pop(r.id, None)
            raise StaleWrite(r.id, r.version, None)
        remember_row(s, dataclasses.replace(r, version=version, updated_at=now, status=status, format_id=format_id))
        self.reports.remember(s, (r.id, version, r.created_at), after)
        return version


def _check_source(source: str) -> None:
    if source not in AUDIT_SOURCES:
        raise InvalidData(f"unknown audit source {source!r}")


def _locked(s, report_id: int, expected_version: int | None):
    r = read_row(s, report_id, lock=True)
    if expected_version is not None and r.version != expected_version:
        raise StaleWrite(report_id, expected_version, r.version)
    return r


def _event(report_id: int, user_id, source: str, key: str, old: str | None, new: str | None) -> dict:
    return {"at": utcnow(), "user_id": user_id, "report_id": report_id, "key": key, "old": old, "new": new,
            "source": source}


def _audit_rows(s, events: list[dict]) -> None:
    if events:
        s.connection().execute(_AUDIT, events)
