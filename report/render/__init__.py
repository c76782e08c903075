"""Rendering a report: .txt, .md and .html from the Jinja2 templates in templates/report/,
.docx (python-docx) and .xlsx (openpyxl), all from one view-model (:mod:`report.render.view`).

``render_file(report, kind, *, final=False, today=None)`` returns a :class:`Rendering` (the bytes,
file name, media type, whether it is a draft, what is missing, notes for the caller);
``render(...)`` only the bytes. Every cell of the format is printed, zero as 0, amounts as written,
totals as derived by :meth:`Report.effective`; an unknown cell is printed empty.

Every rendering has the opening paragraph (``report.preamble``: None → the standard one filled from
the agency and year; "" → none; else the officer's text) and the 落款 after the last section (the
signature's agency, else the report's; its date, else today's — and a note says so).

A report with empty required parts (:func:`report.validation.unfinished`) renders only as a draft:
the document says 草稿 and ``Rendering.missing`` names the parts. ``final=True`` refuses such a
report with :class:`IncompleteReport` (its ``missing`` names them); a complete report renders the
same either way.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..model import Report
from ..validation import unfinished
from . import html as _html
from . import text as _text
from .view import ReportView, SignatureView, build, paragraphs

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


class IncompleteReport(ValueError):
    """A final rendering of a report with empty required parts; ``missing`` names them."""

    def __init__(self, missing: list[str] | tuple[str, ...]):
        self.missing = tuple(missing)
        w = words()
        super().__init__(w.incomplete.format(parts=w.parts_separator.join(self.missing)))


@dataclass(frozen=True)
class Rendering:
    data: bytes
    kind: str
    filename: str
    mime_type: str
    draft: bool  # the document says 草稿 (required parts are empty)
    missing: tuple[str, ...]  # those parts, by printed name
    notes: tuple[str, ...]  # what the caller should tell the user (a 成文日期 of today, …)


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
        auto_reload=False,  # package data: no stat() per rendering
    )
    env.filters["text_table"] = _text.text_table
    env.filters["md_table"] = _text.md_table
    env.filters["md_escape"] = _text.md_escape
    _html.install(env)
    return env


@cache
def words():
    """The words a rendering adds (templates/report/words.j2): 草稿, the date, page numbers, …"""
    return environment().get_template("words.j2").module


def chinese_date(day: dt.date) -> str:
    """2024年1月17日 (the 成文日期 as GB/T 9704 writes it: no leading zeros)."""
    return words().date.format(year=day.year, month=day.month, day=day.day)


def standard_preamble(report: Report, details: dict | None = None) -> str:
    """The standard opening paragraph: legal basis, the parts, the statistical period; ``details``
    may add where the report is published (``website``) and whom to ask (``contact``)."""
    fmt = report.format
    details = details or {}
    return (
        environment()
        .get_template("preamble.txt")
        .render(
            year=report.year,
            agency=report.agency.strip(),
            format_name=fmt.name,
            notice=fmt.notice,
            headings=[s.heading for s in fmt.sections],
            count=fmt.sections[-1].id,  # 六
            website=(details.get("website") or "").strip(),
            contact=(details.get("contact") or "").strip(),
        )
        .strip()
    )


def preamble_paragraphs(report: Report, details: dict | None = None) -> list[str]:
    if report.preamble is None:
        return paragraphs(standard_preamble(report, details))
    return paragraphs(report.preamble)


def signature(report: Report, today: dt.date | None = None) -> tuple[SignatureView, str | None]:
    """The 落款 as printed, and the note to give when the date is today's (not dated yet)."""
    sig = report.signature
    agency = (sig.agency or report.agency).strip()
    if sig.date is not None:
        return SignatureView(agency, chinese_date(sig.date)), None
    day = chinese_date(today or dt.date.today())
    return SignatureView(agency, day), words().date_note.format(date=day)


def report_view(
    report: Report, *, final: bool = False, today: dt.date | None = None, preamble: dict | None = None
) -> tuple[ReportView, tuple[str, ...]]:
    """The view-model of a rendering and the notes for the caller; see :func:`render_file`."""
    missing = tuple(unfinished(report))
    if final and missing:
        raise IncompleteReport(missing)
    sig, note = signature(report, today)
    v = build(
        report,
        preamble_paragraphs(report, preamble),
        signature=sig,
        missing=missing,
        draft=bool(missing),
        words=words(),
    )
    return v, (note,) if note else ()


def render_file(
    report: Report,
    kind: str,
    *,
    final: bool = False,
    today: dt.date | None = None,
    preamble: dict | None = None,
) -> Rendering:
    """The report as a file of ``kind`` (txt, md, html, docx, xlsx).

    ``final``: refuse (:class:`IncompleteReport`) rather than render a draft. ``today``: the day of
    rendering (the 成文日期 when the report has none; default: the local date). ``preamble``:
    details for the standard opening paragraph (``website``, ``contact``)."""
    if kind not in KINDS:
        raise ValueError(f"unknown output kind {kind!r}; known: {', '.join(KINDS)}")
    v, notes = report_view(report, final=final, today=today, preamble=preamble)
    if kind == "docx":
        from .docx import render_docx

        data = render_docx(v)
    elif kind == "xlsx":
        from .xlsx import render_xlsx

        data = render_xlsx(v)
    else:
        data = environment().get_template(f"report.{kind}").render(report=v).encode("utf-8")
    return Rendering(data, kind, filename(report, kind), MIME_TYPES[kind], v.draft, v.missing, notes)


def render(
    report: Report,
    kind: str,
    *,
    final: bool = False,
    today: dt.date | None = None,
    preamble: dict | None = None,
) -> bytes:
    """The bytes of :func:`render_file`."""
    return render_file(report, kind, final=final, today=today, preamble=preamble).data


__all__ = [
    "KINDS",
    "MIME_TYPES",
    "IncompleteReport",
    "Rendering",
    "chinese_date",
    "filename",
    "mime_type",
    "render",
    "render_file",
    "standard_preamble",
    "words",
    "report_view",
]
