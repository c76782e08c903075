"""The coordinator's board (who is late, whose figures break the rules) and the office's roll-up."""

from __future__ import annotations

from report import deadlines as dl
from report import formats, terms
from report import rollup as ru
from report.validation import ERROR, progress, validate
from storage import coordination as co
from storage.infos import OfficeInfo

from ..kit.io import Button, Reply
from ..kit.screen import Step, on
from ..messages import coordination as T
from . import actions as C
from .common import date_text, days_left, deadline_for, local_time, replies, status_of
from .office import notes

INCOMPLETE_RULES = ru.INCOMPLETE_RULES


def failed_deliveries(ctx, office_id: int) -> tuple[dict[str, int], int]:
    """Failed (or unknown) reminder deliveries: per agency name, and the office's own digests."""
    from storage import reminders

    per_agency: dict[str, int] = {}
    digests = 0
    for f in reminders.failed_deliveries(ctx.store.engine, office_id):
        if f.agency:
            per_agency[f.agency] = per_agency.get(f.agency, 0) + 1
        else:
            digests += 1
    return per_agency, digests


def board(ctx, office: OfficeInfo, year: int) -> list[Reply]:
    rows = co.office_reports(ctx.store, office.id, year)
    office_date, agency_dates = co.deadline_overrides(ctx.store, year, office_id=office.id)
    failed, failed_digests = failed_deliveries(ctx, office.id)
    counts = {code: 0 for code in (terms.SUBMITTED, terms.AWAITING, terms.DRAFT, terms.NOT_STARTED)}
    lines, buttons = [], []
    for i, row in enumerate(rows, start=1):
        report = ctx.store.load_report(row.report.id)[0] if row.report else None
        status = status_of(row.report, report)
        code = next(c for c in counts if terms.report_status(c) == status)
        counts[code] += 1
        if report is not None:
            problems = validate(report)
            done, total = progress(report, problems)
            n_err = sum(1 for p in problems if p.severity == ERROR and p.rule not in INCOMPLETE_RULES)
            activity = T.BOARD_ACTIVITY.format(at=local_time(ctx, row.report.updated_at))
        else:
            done, total, n_err, activity = 0, len(formats.for_year(year).sections), 0, ""
        deadline, source = deadline_for(ctx, row.agency, office, year, office_date, agency_dates)
        n_failed = failed.get(row.agency.name, 0)
        waiting = ""
        if code == terms.AWAITING:
            names = [name or str(tg) for _uid, tg, name in co.agency_reviewers(ctx.store, row.agency.id)]
            waiting = T.BOARD_AWAITING.format(who="、".join(names) if names else T.BOARD_NO_REVIEWER)
        lines.append(T.BOARD_LINE.format(
            i=i, agency=row.agency.name, status=status, done=done, total=total,
            errors=T.BOARD_ERRORS.format(n=n_err) if n_err else "",
            deadline=date_text(deadline) + (T.BOARD_OWN_DEADLINE if source == dl.SOURCE_AGENCY else ""),
            left=days_left(ctx, deadline), activity=activity,
            failed=T.BOARD_FAILED.format(n=n_failed) if n_failed else "",
        ) + waiting)
        buttons.append((ctx.button(T.BTN_AGENCY.format(i=i, agency=row.agency.name)[:40], C.Drill(row.agency.id, year)),))
    head = T.BOARD_HEAD.format(office=office.name, year=year, n=len(rows), submitted=counts[terms.SUBMITTED],
                               awaiting=counts[terms.AWAITING], draft=counts[terms.DRAFT],
                               none=counts[terms.NOT_STARTED])
    if failed_digests:
        head += T.BOARD_DIGEST_FAILED.format(n=failed_digests)
    if not rows:
        lines = [T.BOARD_EMPTY]
    nav: list[Button] = []
    if year - 1 in formats.report_years(ctx.today):
        nav.append(ctx.button(T.BTN_PREV_YEAR.format(year=year - 1), C.Board(office.id, year - 1)))
    nav.append(ctx.button(T.BTN_ROLLUP, C.Rollup(office.id, year)))
    if year + 1 in formats.report_years(ctx.today):
        nav.append(ctx.button(T.BTN_NEXT_YEAR.format(year=year + 1), C.Board(office.id, year + 1)))
    return replies([head, *lines], (*buttons, tuple(nav)))


def rollup(ctx, office: OfficeInfo, year: int) -> list[Reply]:
    entries = []
    for row in co.office_reports(ctx.store, office.id, year):
        report = ctx.store.load_report(row.report.id)[0] if row.report else None
        if report is not None and not report.values and not report.narratives:
            report = None  # created but never filled: still missing
        entries.append((row.agency.name, report))
    result = ru.rollup(year, entries, office=office.name)
    out = [Reply(T.ROLLUP_SENT.format(
        office=office.name, year=year, counted=len(result.counted), missing=len(result.missing),
        incomplete=len(result.incomplete), errors=len(result.with_errors)))]
    if result.mixed_formats:
        out.append(Reply(T.ROLLUP_MIXED.format(n=len(result.other_format),
                                               names="、".join(a for a, _ in result.other_format))))
    for ext, make in (("xlsx", ru.to_xlsx), ("docx", ru.to_docx)):
        name = T.ROLLUP_FILENAME.format(year=year, office=office.name, ext=ext)
        out.append(Reply("", document=(name, make(result, T.ROLLUP_LABELS))))
    return out


class BoardActions:
    @on(C.Board)
    def board(self, ctx, act) -> Step | None:
        if act.year not in formats.report_years(ctx.today):
            return None
        return notes(ctx, board(ctx, ctx.store.get_office(act.office), act.year))

    @on(C.Rollup)
    def rollup(self, ctx, act) -> Step | None:
        if act.year not in formats.report_years(ctx.today):
            return None
        return notes(ctx, rollup(ctx, ctx.store.get_office(act.office), act.year))
