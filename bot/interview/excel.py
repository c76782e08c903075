"""The Excel template sent back filled in: read all or nothing, then the report replaced by it."""

from __future__ import annotations

from report import excel_template
from report.model import Report
from report.validation import Problem, validate

from .. import messages as M
from ..kit.io import Document
from ..kit.screen import Step
from .navigation import INCOMPLETE_RULES
from .screens.check import problem_lines
from .screens.names import HUB
from .screens.question import readonly_reason


def import_template(ctx, doc: Document) -> Step:
    state = ctx.state
    if not ctx.can_write:
        return Step(state, prefix=readonly_reason(ctx))
    try:
        rep, problems = excel_template.read_template(doc.data, ctx.report)
    except Exception:  # a damaged or foreign workbook must not crash the interview
        return Step(state, prefix=M.XLSX_UNREADABLE)
    errors = [p for p in problems if p.is_error]
    if rep is None or errors:
        return Step(state, prefix=M.xlsx_refused(problem_lines(errors or problems)))
    ctx.replace(rep, "excel")
    return Step(state.goto(HUB), prefix=applied(rep, ctx.previous, problems))


def applied(rep: Report, previous: Report | None, template_problems: list[Problem]) -> str:
    """The Excel import's confirmation: how many cells were left blank (not answered), by section,
    and what validation finds in the imported report (counts plus the first few problems)."""
    fmt = rep.format
    blank = 0
    sections: list[str] = []
    for section in fmt.sections:
        if section.kind == "narrative":
            continue
        n = sum(1 for k in rep.section_input_keys(section.id) if k not in rep.values)
        if n:
            blank += n
            sections.append(M.xlsx_blank_section(section.title, n))
    problems = [p for p in validate(rep, previous) if p.rule not in INCOMPLETE_RULES]
    seen = {p.message for p in problems}
    problems += [p for p in template_problems if p.message not in seen]
    problems.sort(key=lambda p: not p.is_error)
    errors = sum(1 for p in problems if p.is_error)
    return M.xlsx_applied(blank, sections, errors, len(problems) - errors, problem_lines(problems))
