"""The view-model of a rendering, shared by every output kind: the title (and its two printed
lines), the opening paragraph, each section (a narrative's parts and paragraphs, or a table as a
:class:`~report.render.grid.Grid`), the 落款, and whether it is a draft and what it lacks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..formats import Section
from ..model import Report
from ..validation import undivided
from .grid import CAPTION, HEAD, LABEL, NOTE, VALUE, Grid, GridCell, section_grid


@dataclass
class PartView:
    label: str | None
    paragraphs: list[str]


@dataclass
class SectionView:
    id: str
    title: str
    kind: str
    parts: list[PartView] = field(default_factory=list)
    grid: Grid | None = None


@dataclass
class SignatureView:
    """The 落款 as printed: the agency's full name and the 成文日期 (2024年1月17日)."""

    agency: str
    date: str


@dataclass
class ReportView:
    title: str
    agency: str
    year: int
    format_id: str
    format_name: str
    preamble: list[str]  # the opening paragraph(s); empty: none
    sections: list[SectionView]
    # The title broken for print (Word, HTML): the agency, then “XXXX年政府信息公开工作年度报告”;
    # one line when the title does not start with the agency.
    title_lines: tuple[str, ...] = ()
    signature: SignatureView | None = None
    draft: bool = False  # the document says 草稿
    missing: tuple[str, ...] = ()  # what a draft still lacks, by printed name
    words: object = None  # templates/report/words.j2 (草稿, page numbers, …)

    @property
    def draft_note(self) -> str:
        """What a draft lacks: “以下部分尚未填写——…”."""
        w = self.words
        return w.draft_note.format(parts=w.parts_separator.join(self.missing)) if self.draft else ""

    @property
    def table_sections(self) -> list[SectionView]:
        return [s for s in self.sections if s.grid is not None]


def paragraphs(text: str | None) -> list[str]:
    """A narrative's paragraphs as the officer wrote them: one per line, blank lines dropped."""
    if not text:
        return []
    return [line.strip() for line in text.splitlines() if line.strip()]


def title_lines(report: Report) -> tuple[str, ...]:
    """(agency, “2023年政府信息公开工作年度报告”) when the title is the agency then that phrase."""
    title = report.title
    phrase = report.format.title("", report.year).strip()
    agency = report.agency.strip()
    if agency and phrase and title == agency + phrase:
        return (agency, phrase)
    return (title,)


def narrative_parts(report: Report, section: Section, not_written: str) -> list[PartView]:
    """What a narrative section prints. Never a heading without text: an undivided section (only
    its first part written) prints as its own paragraphs without sub-headings; an optional part
    left empty prints its standard line (“无其他需要报告的事项。”) or nothing; a required part left
    empty prints ``not_written`` (only a draft has one: a final rendering refuses such a report)."""
    whole = undivided(report, section)
    multi = len(section.parts) > 1 and not whole
    out: list[PartView] = []
    lead = paragraphs(report.narratives.get(section.lead_key)) if section.lead_key else []
    if lead:  # the text the section opens with, before its first sub-heading
        out.append(PartView(None, lead))
    for p in section.parts:
        paras = paragraphs(report.narratives.get(p.key))
        if not paras and p.empty_text:
            paras = paragraphs(p.empty_text)
        if not paras:
            if whole or not p.required:
                continue
            paras = [not_written]
        out.append(PartView(p.label if multi else None, paras))
    return out or [PartView(None, [not_written])]


def build(
    report: Report,
    preamble: list[str],
    *,
    signature: SignatureView | None = None,
    missing: tuple[str, ...] = (),
    draft: bool = False,
    words: object = None,
) -> ReportView:
    fmt = report.format
    values = report.effective()
    not_written = getattr(words, "not_written", "")
    sections: list[SectionView] = []
    for s in fmt.sections:
        view = SectionView(id=s.id, title=s.title, kind=s.kind)
        if s.kind == "narrative":
            view.parts = narrative_parts(report, s, not_written)
        else:
            view.grid = section_grid(report, s.tables, values)
        sections.append(view)
    return ReportView(
        title=report.title,
        agency=report.agency,
        year=report.year,
        format_id=fmt.id,
        format_name=fmt.name,
        preamble=preamble,
        sections=sections,
        title_lines=title_lines(report),
        signature=signature,
        draft=draft,
        missing=missing,
        words=words,
    )


__all__ = ["CAPTION", "HEAD", "LABEL", "NOTE", "VALUE", "Grid", "GridCell", "ReportView", "build", "paragraphs"]
