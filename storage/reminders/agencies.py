"""Where each agency stands for a report year: its deadline, its report's status and progress, and
the counts of a coordinator's digest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Engine, and_, func, or_, select

from report import deadlines as dl
from report import formats
from report.model import Report

from ..db import session_scope
from ..models import (
    Agency,
    CellValue,
    DeadlineOverrideRow,
    NarrativePartRow,
    Office,
    ReminderOutbox,
    ReportRow,
    agency_scope,
    office_scope,
)
from .common import AWAITING, CHUNK, SHOWN_TO_COORDINATOR, AgencyDeadline, AgencyStatus, PlanConfig


# -- deadlines --------------------------------------------------------------------------------------
def deadlines_in(s, year: int, cfg: PlanConfig, agency_filter=None) -> list[AgencyDeadline]:
    """Every agency's deadline for the report year (agency override > office override > config >
    legal default, see report.deadlines.resolve_deadline)."""
    overrides = {
        scope: date
        for scope, date in s.connection().execute(
            select(DeadlineOverrideRow.scope, DeadlineOverrideRow.date).where(DeadlineOverrideRow.year == year)
        ).all()
    }
    q = select(Agency.id, Agency.name, Agency.kind, Agency.office_id, Office.name).outerjoin(
        Office, Office.id == Agency.office_id
    )
    if agency_filter is not None:
        q = q.where(agency_filter)
    out = []
    for aid, name, kind, office_id, office_name in s.connection().execute(q.order_by(Agency.id)).all():
        date, source = cfg.rules.resolve(
            year,
            kind,
            agency=name,
            office=office_name,
            agency_date=overrides.get(agency_scope(aid)),
            office_date=overrides.get(office_scope(office_id)) if office_id is not None else None,
        )
        out.append(AgencyDeadline(aid, name, kind, office_id, office_name, date, source))
    return out


def agency_deadlines(engine: Engine, year: int, cfg: PlanConfig) -> list[AgencyDeadline]:
    with session_scope(engine) as s:
        return deadlines_in(s, year, cfg)


def deadline_for_agency(engine: Engine, name: str, year: int, cfg: PlanConfig) -> AgencyDeadline | None:
    with session_scope(engine) as s:
        found = deadlines_in(s, year, cfg, Agency.name == name)
        return found[0] if found else None


# -- reports ----------------------------------------------------------------------------------------
def reports_of_year(s, year: int) -> dict[int, tuple[int, str]]:
    """agency_id → (report_id, status) for the year."""
    return {
        aid: (rid, status)
        for rid, aid, status in s.connection().execute(
            select(ReportRow.id, ReportRow.agency_id, ReportRow.status).where(ReportRow.year == year)
        ).all()
    }


def reports_with_data(s, report_ids: Sequence[int]) -> set[int]:
    out: set[int] = set()
    ids = list(report_ids)
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        out.update(s.connection().execute(select(CellValue.report_id).where(CellValue.report_id.in_(chunk)).distinct()).scalars())
        out.update(
            s.connection().execute(
                select(NarrativePartRow.report_id).where(NarrativePartRow.report_id.in_(chunk)).distinct()
            ).scalars()
        )
    return out


def load_reports(s, report_ids: Sequence[int]) -> dict[int, Report]:
    """Domain reports (entered values only) for many report ids, in a few queries."""
    rows = {}
    ids = list(report_ids)
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        for rid, year, fmt_id, name in s.execute(
            select(ReportRow.id, ReportRow.year, ReportRow.format_id, Agency.name)
            .join(Agency, Agency.id == ReportRow.agency_id)
            .where(ReportRow.id.in_(chunk))
        ).all():
            rows[rid] = Report(format=formats.for_year(year, fmt_id), year=year, agency=name)
        for c in s.execute(select(CellValue).where(CellValue.report_id.in_(chunk))).scalars():
            if c.kind == "int":
                rows[c.report_id].values[c.key] = int(c.int_value)
            elif c.kind == "decimal":
                rows[c.report_id].values[c.key] = Decimal(c.decimal_text)
        for n in s.execute(select(NarrativePartRow).where(NarrativePartRow.report_id.in_(chunk))).scalars():
            rows[n.report_id].narratives[n.key] = n.text
    return rows


def gaps_payload(gaps: dl.Gaps) -> dict:
    return {"done": gaps.done, "total": gaps.total, "missing": list(gaps.missing), "errors": list(gaps.errors)}


def report_facts(engine: Engine, report_id: int) -> tuple[str, dict] | None:
    """(status, gaps payload) of one report now; None if it is gone."""
    with session_scope(engine) as s:
        status = s.execute(select(ReportRow.status).where(ReportRow.id == report_id)).scalar()
        if status is None:
            return None
        rep = load_reports(s, [report_id])[report_id]
    return status, gaps_payload(dl.report_gaps(rep))


# -- statuses and digest counts ---------------------------------------------------------------------
def agency_statuses(
    engine: Engine, year: int, today: dt.date, cfg: PlanConfig, office_id: int | None = None
) -> list[AgencyStatus]:
    """Each agency's state for the year (of one office, or all): submitted / in_progress /
    not_started, and overdue (not submitted and the deadline has passed)."""
    with session_scope(engine) as s:
        return _agency_statuses(s, year, today, cfg, office_id)


def _agency_statuses(s, year, today, cfg, office_id=None) -> list[AgencyStatus]:
    flt = Agency.office_id == office_id if office_id is not None else None
    deadlines = deadlines_in(s, year, cfg, flt)
    reports = reports_of_year(s, year)
    with_data = reports_with_data(s, [rid for rid, _st in reports.values()])
    return statuses(deadlines, reports, with_data, today)


def statuses(deadlines, reports, with_data, today) -> list[AgencyStatus]:
    out = []
    for a in deadlines:
        rep = reports.get(a.agency_id)
        if rep is not None and rep[1] in ("submitted", AWAITING):
            status = rep[1]
        elif rep is not None and rep[0] in with_data:
            status = "in_progress"
        else:
            status = "not_started"
        out.append(AgencyStatus(a.agency_id, a.name, a.deadline, status, status != "submitted" and a.deadline < today))
    return out


@dataclass(frozen=True)
class DigestCounts(dl.DigestCounts):
    """report.deadlines.DigestCounts plus the reports awaiting a reviewer's approval (not submitted
    yet, counted apart from in_progress)."""

    awaiting_approval: int = 0

    @property
    def total(self) -> int:
        return super().total + self.awaiting_approval


def digest_counts(engine: Engine, office_id: int, year: int, today: dt.date, cfg: PlanConfig) -> DigestCounts:
    with session_scope(engine) as s:
        return digest_counts_in(s, office_id, _agency_statuses(s, year, today, cfg, office_id), year)


def digest_counts_in(s, office_id: int, statuses: list[AgencyStatus], year: int) -> DigestCounts:
    # Failed / unknown deliveries about the office's agencies for this report year: under the
    # report's subject, or under the agency's subject when the report row did not exist yet.
    failed = s.execute(
        select(func.count(ReminderOutbox.id))
        .outerjoin(ReportRow, ReportRow.id == ReminderOutbox.report_id)
        .join(Agency, Agency.id == func.coalesce(ReminderOutbox.agency_id, ReportRow.agency_id))
        .where(
            Agency.office_id == office_id,
            ReminderOutbox.status.in_(SHOWN_TO_COORDINATOR),
            or_(
                ReportRow.year == year,
                and_(ReminderOutbox.report_id.is_(None), ReminderOutbox.subject.like(f"agency:%:{year}")),
            ),
        )
    ).scalar()
    return DigestCounts(
        submitted=sum(1 for a in statuses if a.status == "submitted"),
        awaiting_approval=sum(1 for a in statuses if a.status == AWAITING),
        in_progress=sum(1 for a in statuses if a.status == "in_progress"),
        not_started=sum(1 for a in statuses if a.status == "not_started"),
        overdue=sum(1 for a in statuses if a.overdue),
        failed_deliveries=int(failed or 0),
        overdue_agencies=tuple(a.name for a in statuses if a.overdue),
    )
