"""The files the interview hands back: the report in five formats, the Excel template, the preview.

A report with empty required parts is handed back as a draft (the file says 草稿; the caption names
what is missing); a complete one as the final file, with the 成文日期 the officer confirmed.
"""

from __future__ import annotations

from report import excel_template
from report.model import Report
from report.render import KINDS, render_file
from report.render.preview import preview as phone_preview
from report.validation import validate

from .. import messages as M
from ..kit.io import Reply
from .navigation import INCOMPLETE_RULES

DOC_KINDS = ("docx", "html", "txt", "md", "xlsx")
assert set(DOC_KINDS) == set(KINDS)


def export(ctx, report: Report, kind: str) -> Reply:
    """The report as a file: a draft while parts are empty, else the final file."""
    if kind not in DOC_KINDS:
        return Reply(M.EXPORT_UNKNOWN)
    rendering = render_file(report, kind, today=ctx.today)
    if rendering.draft:
        caption = M.export_draft(list(rendering.missing))
    else:
        errors = sum(1 for p in validate(report, ctx.previous) if p.is_error and p.rule not in INCOMPLETE_RULES)
        caption = M.export_incomplete(0, errors) if errors else M.EXPORT_DONE
        caption = "\n".join([caption, *rendering.notes])
    return Reply(caption, document=(rendering.filename, rendering.data))


def template(report: Report) -> Reply:
    data = excel_template.make_template(report)
    return Reply(M.TEMPLATE_CAPTION, document=(M.template_filename(report.year, report.agency), data))


def preview(ctx, report: Report) -> list[Reply]:
    """One short message per section: rows as “label：v v v”, never a wide table."""
    return [Reply(text) for text in phone_preview(report, today=ctx.today)]
