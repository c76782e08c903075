"""An agency's report seen read-only (a coordinator's drill-down, a reviewer's review), approving or
returning it, comments, choosing one's agency (/agency) and the audit trail (/history)."""

from __future__ import annotations

from report import formats
from report.history import terms, value_shown, what_changed
from report.model import Report
from report.numbers import format_value
from report.validation import ERROR, progress, section_statuses, validate
from storage import access, approval
from storage import coordination as co
from storage.infos import AgencyInfo, ReportInfo

from ..kit.io import Reply
from ..kit.screen import Step, on
from ..messages import coordination as T
from . import actions as C
from .common import agency_deadline, date_text, excerpt, local_time, replies, status_of
from .office import notes
from .prompts import ask

HISTORY_PAGE = 30
MAX_PROBLEMS = 15
NARRATIVE_EXCERPT = 40
HISTORY_EXCERPT = 30
INCOMPLETE_RULES = ("section.incomplete", "narrative.empty")


def view_lines(ctx, report: Report, info: ReportInfo) -> list[str]:
    problems = validate(report)
    statuses = section_statuses(report, problems)
    done, total = progress(report, problems)
    lines = [T.VIEW_HEAD.format(title=report.title, status=status_of(info, report), done=done, total=total,
                                version=info.version)]
    eff = report.effective()
    for section in report.format.sections:
        lines += ["", T.VIEW_SECTION.format(title=section.title, status=statuses[section.id])]
        if section.kind == "narrative":
            for part in section.parts:
                text = report.narratives.get(part.key)
                shown = excerpt(text, NARRATIVE_EXCERPT) if text else T.VIEW_NARRATIVE_EMPTY
                if len(section.parts) > 1:
                    lines.append(T.VIEW_NARRATIVE.format(label=part.label, text=shown))
                else:
                    lines.append(T.VIEW_NARRATIVE_SINGLE.format(text=shown))
            continue
        if report.section_answered(section.id)[0] == 0:
            continue
        for table in section.tables:
            for row in table.rows:
                keys = [table.key(row.id, c.id) for c in table.columns]
                if any(k in eff for k in keys):
                    values = " ".join(format_value(eff.get(k)) if k in eff else "—" for k in keys)
                    lines.append(T.VIEW_ROW.format(label=row.short or row.label, values=values))
    shown = [p for p in problems if p.rule not in INCOMPLETE_RULES or p.severity == ERROR]
    lines.append("")
    if shown:
        lines.append(T.VIEW_PROBLEMS.format(n=len(shown)))
        lines += [f"  · {p.message}" for p in shown[:MAX_PROBLEMS]]
        if len(shown) > MAX_PROBLEMS:
            lines.append(T.VIEW_MORE.format(n=len(shown) - MAX_PROBLEMS))
    else:
        lines.append(T.VIEW_NO_PROBLEMS)
    comments = co.comments(ctx.store, info.id)
    if comments:
        lines += ["", T.VIEW_COMMENTS]
        lines += [T.VIEW_COMMENT.format(at=local_time(ctx, c.at), who=c.user_name or T.HISTORY_UNKNOWN_USER,
                                        text=c.text) for c in comments[-10:]]
    return lines


def agency_view(ctx, agency: AgencyInfo, year: int, buttons: tuple = (), extra: list[str] | None = None) -> list[Reply]:
    info = ctx.store.find_report(agency.id, year)
    if info is None:
        return [Reply("\n".join([T.VIEW_NO_REPORT.format(agency=agency.name, year=year), *(extra or [])]), buttons)]
    report, _ = ctx.store.load_report(info.id)
    return replies([*view_lines(ctx, report, info), *(["", *extra] if extra else [])], buttons)


def review(ctx, agency: AgencyInfo, year: int) -> list[Reply]:
    info = ctx.store.find_report(agency.id, year)
    buttons: list = []
    if info is not None:
        if info.status == "awaiting_approval":
            buttons.append((ctx.button(T.BTN_APPROVE, C.Approve(info.id, info.version)),))
        buttons.append((ctx.button(T.BTN_COMMENT, C.Comment(info.id)),))
        if info.status in ("awaiting_approval", "submitted"):
            buttons.append((ctx.button(T.BTN_RETURN, C.Return(info.id)),))
    return agency_view(ctx, agency, year, tuple(buttons))


def history(ctx, report_id: int, page: int) -> list[Reply]:
    """The audit trail, oldest first, in pages of 30; page 0 is the latest 30."""
    info = ctx.store.get_report_info(report_id)
    agency = ctx.store.get_agency(info.agency_id)
    fmt = formats.for_year(info.year, info.format_id)
    events = ctx.store.audit_events(report_id)
    total = len(events)
    if not total:
        return [Reply(T.HISTORY_EMPTY.format(agency=agency.name, year=info.year))]
    end = max(0, total - page * HISTORY_PAGE)
    if end == 0:
        page = (total - 1) // HISTORY_PAGE
        end = total - page * HISTORY_PAGE
    start = max(0, end - HISTORY_PAGE)
    lines = [T.HISTORY_HEAD.format(agency=agency.name, year=info.year, first=start + 1, last=end, total=total)]
    for e in events[start:end]:
        lines.append(T.HISTORY_LINE.format(
            at=local_time(ctx, e.at), who=e.user_name or T.HISTORY_UNKNOWN_USER, source=terms.SOURCES.get(e.source, e.source),
            what=what_changed(fmt, e.key), old=value_shown(e.key, e.old, HISTORY_EXCERPT),
            new=value_shown(e.key, e.new, HISTORY_EXCERPT)))
    nav = []
    if start > 0:
        nav.append(ctx.button(T.BTN_OLDER, C.History(report_id, page + 1)))
    if page > 0:
        nav.append(ctx.button(T.BTN_NEWER, C.History(report_id, page - 1)))
    return replies(lines, (tuple(nav),) if nav else ())


class ReviewActions:
    @on(C.Drill)
    def drill(self, ctx, act) -> Step | None:
        if act.year not in formats.report_years(ctx.today):
            return None
        agency = ctx.store.get_agency(act.agency)
        buttons: tuple = ()
        extra: list[str] = []
        if access.can_coordinate_agency(ctx.store, ctx.principal, agency.id):
            buttons = ((ctx.button(T.BTN_AGENCY_DEADLINE, C.AgencyDeadline(agency.id, act.year)),),
                       (ctx.button(T.BTN_BACK_BOARD, C.Board(agency.office_id, act.year)),))
            date, source = agency_deadline(ctx, agency, act.year)
            extra.append(T.VIEW_DEADLINE.format(date=date_text(date), source=T.DEADLINE_SOURCE[source]))
        return notes(ctx, agency_view(ctx, agency, act.year, buttons, extra))

    @on(C.Review)
    def review(self, ctx, act) -> Step | None:
        if act.year not in formats.report_years(ctx.today):
            return None
        return notes(ctx, review(ctx, ctx.store.get_agency(act.agency), act.year))

    @on(C.Approve)
    def approve(self, ctx, act) -> Step:
        outcome = approval.approve(ctx.store, ctx.principal, act.report, expected_version=act.version)
        info = outcome.info or ctx.store.get_report_info(act.report)
        agency = ctx.store.get_agency(info.agency_id)
        if outcome.result == approval.STALE:  # changed since the reviewer looked at it: show it again
            return notes(ctx, review(ctx, agency, info.year))
        said = {
            approval.OK: T.APPROVED.format(agency=agency.name, year=info.year),
            approval.ALREADY_SUBMITTED: T.ALREADY_SUBMITTED,
            approval.NOT_NEEDED: T.APPROVE_NOT_NEEDED,
            approval.NOT_AWAITING: T.APPROVE_NOT_AWAITING,
            approval.HAS_ERRORS: T.APPROVE_HAS_ERRORS.format(n=outcome.errors),
        }.get(outcome.result, T.NOT_ALLOWED)
        return notes(ctx, [Reply(said)])

    @on(C.Return)
    def return_report(self, ctx, act) -> Step:
        outcome = approval.return_report(ctx.store, ctx.principal, act.report)
        if not outcome.ok:
            return notes(ctx, [Reply(T.RETURN_NOTHING if outcome.result == approval.NOTHING_TO_RETURN
                                     else T.NOT_ALLOWED)])
        agency = ctx.store.get_agency(outcome.info.agency_id)
        return notes(ctx, [Reply(T.RETURNED.format(agency=agency.name, year=outcome.info.year))])

    @on(C.Comment)
    def comment(self, ctx, act) -> Step:
        return ask(ctx, "comment", report=act.report)

    @on(C.History)
    def history(self, ctx, act) -> Step:
        return notes(ctx, history(ctx, act.report, act.page))

    @on(C.SelectAgency)
    def select(self, ctx, act) -> Step:
        return Step(ctx.state.goto("hub", agency_id=act.agency))
