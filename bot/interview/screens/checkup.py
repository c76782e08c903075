"""The check-up of a published report (.txt/.html/.docx/.pdf): its problems in plain Chinese, across
years with the agency's stored reports, then 导入 / 不导入 for an officer. Nothing is stored until
导入; an unreadable file leaves the user where they were."""

from __future__ import annotations

import json
import logging
from typing import ClassVar

from report import formats, interchange
from report.parsing import UnreadableReport, check, parse_bytes
from report.validation import Problem, check_previous

from ... import messages as M
from ...context import AWAITING, SUBMITTED
from ...kit.io import Document, Reply
from ...kit.screen import Screen, Step, on
from ...kit.state import MAX_IMPORT_CHARS, State
from ...kit.texts import split
from .. import actions as A
from .check import problem_lines
from .names import AWAIT_FILE, CHECKUP, HUB, QUESTION

log = logging.getLogger(__name__)
CHECKUP_MAX_LISTED = 15  # problems listed in a check-up; the rest are counted
NARRATIVE_FILES = (".txt", ".docx", ".pdf")


def checkup(ctx, doc: Document) -> Step:
    state = ctx.state
    waiting = state.wait or state.screen == AWAIT_FILE
    try:
        result = parse_bytes(doc.data, doc.filename, max_bytes=ctx.settings.max_upload_bytes)
    except UnreadableReport as exc:
        hint = ctx.agency_id is not None and not waiting and doc.filename.lower().endswith(NARRATIVE_FILES)
        return Step(state, prefix=M.checkup_unreadable(exc.message_zh.rstrip("。"), hint))
    except Exception:  # the parser must never break the interview
        log.exception("the check-up of an uploaded report failed")
        return Step(state, prefix=M.CHECKUP_FAILED)
    parsed, year = result.report, result.detected_year
    before = after = None
    if parsed is not None and year is not None and ctx.agency_id is not None:
        before, after = ctx.year_report(year - 1), ctx.year_report(year + 1)
        before = before if before is not None and _has_answers(before[0]) else None
        after = after if after is not None and _has_answers(after[0]) else None
    problems = check(result, before[0] if before else None)
    if after is not None and parsed is not None:
        problems += [Problem(p.severity, p.rule, M.checkup_next_year(after[0].year, p.message), p.cells, p.section)
                     for p in check_previous(after[0], parsed)]
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    fmt = parsed.format if parsed is not None else formats.load(result.detected_format or formats.available()[-1])
    text = M.checkup_report(doc.filename, year, result.detected_agency, fmt.name, fmt.id,
                            [r[0].year for r in (before, after) if r is not None], len(errors), len(warnings),
                            problem_lines((errors + warnings)[:CHECKUP_MAX_LISTED]))
    notes = [Reply(piece) for piece in split(text)]
    if parsed is None or year is None or ctx.agency_id is None or ctx.role != "officer":
        return Step(state, notes=notes)
    if year not in formats.report_years(ctx.today):
        return Step(state, notes=notes + [Reply(M.import_year_invalid(year, ctx.today.year))])
    payload = interchange.to_dict(parsed, include_derived=False)
    if len(json.dumps(payload, ensure_ascii=False)) > MAX_IMPORT_CHARS:
        return Step(state, notes=notes + [Reply(M.IMPORT_TOO_LARGE)])
    back = state.back if state.screen == CHECKUP else state.back_to()
    return Step(state.goto(CHECKUP, imp=payload, back=back or {"screen": HUB}), notes=notes)


def _has_answers(report) -> bool:
    return bool(report.values or report.narratives or report.units)


def go_back(state: State) -> State:
    """The state on the screen the check-up started from (the hub when none was saved)."""
    back = state.back or {}
    screen = back.get("screen") if back.get("screen") in (HUB, QUESTION, "check", "all") else HUB
    params = {k: back.get(k) for k in ("q", "sec", "ret") if isinstance(back.get(k), str)}
    return state.goto(screen, **params)


class AwaitFileScreen(Screen):
    """/check without a report of one's own: waiting for a published report to check."""

    name: ClassVar[str] = AWAIT_FILE

    def view(self, ctx) -> list[Reply]:
        return [Reply(M.CHECKUP_ASK_FILE)]

    def document(self, ctx, doc: Document) -> Step:
        return checkup(ctx, doc)


class CheckupScreen(Screen):
    name: ClassVar[str] = CHECKUP
    needs_agency: ClassVar[bool] = True

    def view(self, ctx) -> list[Reply]:
        imp = ctx.state.imp or {}
        year = imp.get("year")
        if not isinstance(year, int) or ctx.role != "officer":
            return ctx.conversation.screens[HUB].view(ctx)
        if ctx.state.ovr:
            return [Reply(M.import_overwrite(year), buttons=(
                (ctx.button(M.BTN_IMPORT_OVERWRITE, A.ImportOverwrite()), ctx.button(M.BTN_NO_IMPORT, A.NoImport())),))]
        detected = imp.get("agency") if isinstance(imp.get("agency"), str) else None
        return [Reply(M.import_offer(year, ctx.agency_name, detected or None), buttons=(
            (ctx.button(M.import_label(year), A.Import()), ctx.button(M.BTN_NO_IMPORT, A.NoImport())),))]

    @on(A.NoImport)
    def no(self, ctx, act) -> Step:
        return Step(go_back(ctx.state), prefix=M.NOT_IMPORTED)

    @on(A.Import, A.ImportOverwrite)
    def import_it(self, ctx, act) -> Step:
        """导入: the checked report becomes the agency's report of its year (source import)."""
        state = ctx.state
        if ctx.role != "officer":
            return Step(state, prefix=M.READONLY_ROLE)
        try:
            rep = interchange.from_dict(state.imp)
        except (interchange.InterchangeError, KeyError, TypeError, ValueError):
            return Step(go_back(state), prefix=M.IMPORT_LOST)
        year = rep.year
        if year not in formats.report_years(ctx.today):
            return Step(go_back(state), prefix=M.import_year_invalid(year, ctx.today.year))
        target = ctx.year_report(year)
        if target is not None and target[2] == SUBMITTED:
            return Step(state, prefix=M.import_target_submitted(year))
        if target is not None and target[2] == AWAITING:
            return Step(state, prefix=M.import_target_awaiting(year))
        if target is not None and _has_answers(target[0]) and not isinstance(act, A.ImportOverwrite):
            return Step(state.replace(ovr=True))
        rep.agency = ctx.agency_name
        rep = rep.without_derived()
        info = ctx.store.get_or_create_report(ctx.agency_id, year, rep.format.id)
        ctx.store.replace_report(info.id, rep, user_id=ctx.user.id, source="import",
                                 expected_version=target[1] if target is not None else None)
        n = sum(1 for v in rep.values.values() if v is not None)
        carry_to = state.year if state.year == year + 1 else None
        ctx.refresh()
        return Step(state.goto(HUB), prefix=M.imported(year, n, carry_to))
