"""The coordinator's board (who is late, whose figures break the rules) and the office's roll-up."""

from __future__ import annotations

from report import deadlines as dl
from report import formats, terms
from report import rollup as ru
from storage import desk
from storage.infos import OfficeInfo

from ..kit.io import Button, Reply
from ..kit.screen import Step, on
from ..messages import coordination as T
from . import actions as C
from .common import date_text, days_left, local_time, replies
from .office import notes


def board(ctx, office: OfficeInfo, year: int) -> list[Reply]:
    """The office's board (computed by storage/desk.py, shared with the web desk) as chat text."""
    result = desk.board(ctx.store, office, year, ctx.today, desk.DeadlineRules.from_settings(ctx.settings))
    counts = result.state_counts()
    lines, buttons = [], []
    for i, row in enumerate(result.rows, start=1):
        waiting = ""
        if row.state == terms.AWAITING:
            waiting = T.BOARD_AWAITING.format(who="、".join(row.reviewers) if row.reviewers else T.BOARD_NO_REVIEWER)
        activity = T.BOARD_ACTIVITY.format(at=local_time(ctx, row.report.updated_at)) if row.report else ""
        lines.append(T.BOARD_LINE.format(
            i=i, agency=row.agency.name, status=terms.report_status(row.state), done=row.done, total=row.total,
            errors=T.BOARD_ERRORS.format(n=row.errors) if row.errors else "",
            deadline=date_text(row.deadline) + (T.BOARD_OWN_DEADLINE if row.deadline_source == dl.SOURCE_AGENCY else ""),
            left=days_left(ctx, row.deadline), activity=activity,
            failed=T.BOARD_FAILED.format(n=row.failed_deliveries) if row.failed_deliveries else "",
        ) + waiting)
        buttons.append((ctx.button(T.BTN_AGENCY.format(i=i, agency=row.agency.name)[:40], C.Drill(row.agency.id, year)),))
    head = T.BOARD_HEAD.format(office=office.name, year=year, n=len(result.rows), submitted=counts[terms.SUBMITTED],
                               awaiting=counts[terms.AWAITING], draft=counts[terms.DRAFT],
                               none=counts[terms.NOT_STARTED])
    if result.failed_digests:
        head += T.BOARD_DIGEST_FAILED.format(n=result.failed_digests)
    if not result.rows:
        lines = [T.BOARD_EMPTY]
    nav: list[Button] = []
    if year - 1 in formats.report_years(ctx.today):
        nav.append(ctx.button(T.BTN_PREV_YEAR.format(year=year - 1), C.Board(office.id, year - 1)))
    nav.append(ctx.button(T.BTN_ROLLUP, C.Rollup(office.id, year)))
    if year + 1 in formats.report_years(ctx.today):
        nav.append(ctx.button(T.BTN_NEXT_YEAR.format(year=year + 1), C.Board(office.id, year + 1)))
    return replies([head, *lines], (*buttons, tuple(nav)))


def rollup(ctx, office: OfficeInfo, year: int) -> list[Reply]:
    result = ru.rollup(year, desk.office_reports(ctx.store, office.id, year), office=office.name)
    out = [Reply(T.ROLLUP_SENT.format(
        office=office.name, year=year, counted=len(result.counted), missing=len(result.missing),
        incomplete=len(result.incomplete), errors=len(result.with_errors)))]
    if result.mixed_formats:
        out.append(Reply(T.ROLLUP_MIXED.format(n=len(result.other_format),
                                               names="、".join(a for a, _ in result.other_format))))
    for ext, make in (("xlsx", ru.to_xlsx), ("docx", ru.to_docx)):
        name = ru.FILENAME.format(year=year, office=office.name, ext=ext)
        out.append(Reply("", document=(name, make(result, ru.LABELS))))
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
