"""Check your answers: one section with an Edit button per item (检查), the whole report (检查全部),
and the confirmation before submitting a report that has warnings."""

from __future__ import annotations

from typing import ClassVar

from report.model import Report, Value
from report.numbers import format_value
from report.validation import Problem, section_statuses, validate

from ... import messages as M
from ...kit.io import Reply
from ...kit.screen import Screen, Step, on
from .. import actions as A
from .. import navigation as nav
from .. import questions as Q
from .names import CHECK, CHECK_ALL, SUBMIT

MAX_TEXT = 3800


def problem_lines(problems: list[Problem]) -> list[str]:
    return [M.problem_line(p.is_error, p.message) for p in problems]


def section_lines(report: Report, section_id: str, eff: dict[str, Value]) -> list[str]:
    """Every value of the section, compact: one line per narrative part or table row."""
    section = report.format.section(section_id)
    if section.kind == "narrative":
        lines = [line for t in section.facts for line in table_lines(report, t, eff)]  # 六: 信息处理费
        return lines + [M.check_part_line(p.label, (report.narratives.get(p.key) or "").strip())
                        for p in section.parts]
    return [line for table in section.tables for line in table_lines(report, table, eff)]


def table_lines(report: Report, table, eff: dict[str, Value]) -> list[str]:
    lines: list[str] = []
    if table.caption:
        lines.append(M.check_caption(table.caption))
    wide = len(table.columns) > 4
    if wide:
        lines.append(M.check_columns(" ".join(c.short or c.label for c in table.columns)))
    for row in table.rows:
        keys = [table.key(row.id, c.id) for c in table.columns]
        cells = [format_value(eff[k]) if eff.get(k) is not None else "—" for k in keys]
        if wide:
            body = " ".join(cells)
        else:
            body = M.CHECK_PAIR_SEP.join(
                M.check_pair(c.short or c.label, text, report.units.get(k))
                for c, k, text in zip(table.columns, keys, cells, strict=True))
        lines.append(M.check_row_line(row.short or row.label, body))
    return lines


def edit_label(q: Q.Question) -> str:
    """“修改：1.属于国家秘密”: the item's official name."""
    if isinstance(q, Q.NarrativeQuestion):
        return M.edit_label(q.part.label)
    if isinstance(q, Q.UnitQuestion):
        return M.edit_label(M.unit_edit_label(q.row.label))
    return M.edit_label(q.row.label)


def edit_buttons(ctx, questions) -> list[tuple]:
    buttons = [ctx.button(edit_label(q), A.Edit(q.id)) for q in questions]
    short = all(len(b.label) <= 10 for b in buttons)
    width = 2 if short else 1
    return [tuple(buttons[i: i + width]) for i in range(0, len(buttons), width)]


def section_view(ctx, section_id: str, problems: list[Problem], eff: dict) -> Reply:
    """One compact message: the section's problems first, then its values, an Edit button per item."""
    report = ctx.report
    mine = [p for p in problems if p.section == section_id]
    lines = [M.check_header(report.format.section(section_id).title)]
    if mine:
        lines.append(M.check_problems(problem_lines(mine)))
    else:
        done, total = report.section_answered(section_id)
        lines.append(M.CHECK_OK if done == total else M.check_missing(total - done))
    lines += section_lines(report, section_id, eff)
    buttons = edit_buttons(ctx, Q.editable(report.format, section_id)) if ctx.can_write else []
    last = [ctx.button(M.BTN_HUB, A.ToHub())]
    if ctx.can_write:
        last.insert(0, ctx.button(M.BTN_NEXT_SECTION, A.NextSection()))
    buttons.append(tuple(last))
    return Reply("\n".join(lines)[: MAX_TEXT + 200], buttons=tuple(buttons))


class _Editing(Screen):
    needs_agency: ClassVar[bool] = True

    @on(A.Edit)
    def edit(self, ctx, act) -> Step | None:
        q = Q.find(ctx.report.format, act.question)
        if q is None:
            return None
        if not ctx.can_write:
            from .question import readonly_reason

            return Step(ctx.state, prefix=readonly_reason(ctx))
        state = ctx.state
        return Step(nav.ask(state, q, ret=state.screen, sec=state.sec if state.screen == CHECK else None))


class CheckScreen(_Editing):
    name: ClassVar[str] = CHECK

    def view(self, ctx) -> list[Reply]:
        sec = ctx.state.sec
        if not any(s.id == sec for s in ctx.report.format.sections):
            return ctx.conversation.screens["hub"].view(ctx)
        report = ctx.report
        return [section_view(ctx, sec, validate(report, ctx.previous), report.effective())]

    @on(A.NextSection)
    def next_section(self, ctx, act) -> Step:
        return nav.next_section(ctx, ctx.state)


class CheckAllScreen(_Editing):
    name: ClassVar[str] = CHECK_ALL

    def view(self, ctx) -> list[Reply]:
        """One message: every problem first, then each section's status with a button to its check
        screen (the values are there, one section at a time)."""
        report = ctx.report
        problems = validate(report, ctx.previous)
        errs = [p for p in problems if p.is_error]
        warns = [p for p in problems if not p.is_error]
        statuses = section_statuses(report, problems)
        lines = [M.check_all_summary(problem_lines(errs), problem_lines(warns)), ""]
        lines += [M.hub_section_line(s.title, statuses[s.id]) for s in report.format.sections]
        if ctx.state.wait:
            lines += ["", M.CHECKUP_ASK_FILE]
        sections = [ctx.button(M.check_section_label(s.title), A.CheckSection(s.id)) for s in report.format.sections]
        rows = [tuple(sections[i: i + 2]) for i in range(0, len(sections), 2)]
        files = (ctx.button(M.BTN_EXPORT_WORD, A.ExportAs("docx")), ctx.button(M.BTN_EXPORT, A.ExportMenu()))
        last = [ctx.button(M.BTN_HUB, A.ToHub())]
        if ctx.can_write:
            last.insert(0, ctx.button(M.BTN_SUBMIT, A.Submit()))
        return [Reply("\n".join(lines), buttons=(*rows, files, tuple(last)))]


class SubmitScreen(Screen):
    name: ClassVar[str] = SUBMIT
    needs_agency: ClassVar[bool] = True

    def view(self, ctx) -> list[Reply]:
        warns = [p for p in validate(ctx.report, ctx.previous) if not p.is_error]
        return [Reply(M.submit_warnings(problem_lines(warns)), buttons=(
            (ctx.button(M.BTN_SUBMIT_ANYWAY, A.SubmitAnyway()), ctx.button(M.BTN_HUB, A.ToHub())),))]

    @on(A.SubmitAnyway)
    def anyway(self, ctx, act) -> Step:
        from ..status import submit

        return submit(ctx, confirmed=True)


