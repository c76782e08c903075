"""Rendering a report: .txt, .md and .html from the Jinja2 templates in templates/report/,
.docx (python-docx) and .xlsx (openpyxl), all from one view-model (:mod:`report.render.view`).

``render(report, kind, preamble=...)`` returns the file's bytes; ``filename(report, ext)`` its
name; ``MIME_TYPES[kind]`` its media type. Every cell of the format is printed, zero as 0,
totals as derived by :meth:`Report.effective`; an unknown cell is printed empty.
"""

from __future__ import annotations

import re
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..model import Report
from . import text as _text
from .view import ReportView, build, paragraphs

KINDS = ("txt", "md", "html", "docx", "xlsx")

MIME_TYPES = {
    "txt": "text/plain; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# Characters that cannot appear in a file name on common systems.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def mime_type(kind: str) -> str:
    return MIME_TYPES[kind]


def filename(report: Report, ext: str) -> str:
    """'{year}年{agency}政府信息公开工作年度报告.{ext}' (characters unsafe in a file name become _)."""
    agency = _UNSAFE.sub("_", report.agency.strip())
    return f"{report.year}年{agency}政府信息公开工作年度报告.{ext.lstrip('.')}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("templates", "report"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters["text_table"] = _text.text_table
    env.filters["md_table"] = _text.md_table
    env.filters["md_escape"] = _text.md_escape
    return env


def preamble_paragraphs(report: Report, preamble: dict | None) -> list[str] | None:
    """The standard preamble (legal basis, the six parts, the period, website, contact), or None."""
    if preamble is None:
        return None
    fmt = report.format
    tmpl = environment().get_template("preamble.txt")
    text = tmpl.render(
        year=report.year,
        agency=report.agency,
        format_name=fmt.name,
        headings=[s.heading for s in fmt.sections],
        count=fmt.sections[-1].id,
        website=(preamble.get("website") or "").strip(),
        contact=(preamble.get("contact") or "").strip(),
    )
    return paragraphs(text)


def view(report: Report, preamble: dict | None = None) -> ReportView:
    return build(report, preamble_paragraphs(report, preamble))


def render(report: Report, kind: str, *, preamble: dict | None = None) -> bytes:
    if kind not in KINDS:
        raise ValueError(f"unknown output kind {kind!r}; known: {', '.join(KINDS)}")
    v = view(report, preamble)
    if kind == "docx":
        from .docx import render_docx

        return render_docx(v)
    if kind == "xlsx":
        from .xlsx import render_xlsx

        return render_xlsx(v)
    return environment().get_template(f"report.{kind}").render(report=v).encode("utf-8")


__all__ = ["KINDS", "MIME_TYPES", "filename", "mime_type", "render", "view"]
