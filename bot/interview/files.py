"""The files the interview hands back: the report in five formats, the Excel template, the preview."""

from __future__ import annotations

from report import excel_template, render
from report.model import Report
from report.validation import validate

from .. import messages as M
from ..kit.io import Reply
from ..kit.texts import split
from .navigation import INCOMPLETE_RULES

DOC_KINDS = ("docx", "html", "txt", "md", "xlsx")


def export_caption(report: Report, previous: Report | None) -> str:
    """报告已导出, or, for an unfinished report, how many items are unanswered and how many errors."""
    problems = validate(report, previous)
    missing = sum(len(p.cells) for p in problems if p.rule in INCOMPLETE_RULES)
    errors = sum(1 for p in problems if p.is_error and p.rule not in INCOMPLETE_RULES)
    return M.export_incomplete(missing, errors) if missing or errors else M.EXPORT_DONE


def export(report: Report, previous: Report | None, kind: str) -> Reply:
    if kind not in DOC_KINDS:
        return Reply(M.EXPORT_UNKNOWN)
    data = render.render(report, kind)
    return Reply(export_caption(report, previous), document=(render.filename(report, kind), data))


def template(report: Report) -> Reply:
    data = excel_template.make_template(report)
    return Reply(M.TEMPLATE_CAPTION, document=(M.template_filename(report.year, report.agency), data))


def preview(report: Report) -> list[Reply]:
    text = render.render(report, "txt").decode("utf-8")
    return [Reply(piece) for piece in split(text)]
