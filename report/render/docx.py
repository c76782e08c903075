"""The report as a Word document in the style of an official document (GB/T 9704).

The styled, empty package is built ahead of time with python-docx (:mod:`.docx_style`, kept in
templates/report/docx/); a rendering writes only the body (the title broken between the agency
and “XXXX年政府信息公开工作年度报告”, the opening paragraph, the sections, the tables of
:mod:`.docx_table`, the 落款), the core properties of this rendering (created now, author the
agency, language zh-CN), the header (草稿 in a draft) and the footer's page number words, and zips
them with the other parts as they are. python-docx reads the result like any Word file.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass
from functools import cache
from importlib import resources
from xml.sax.saxutils import escape

from .docx_table import table_xml
from .text import display_width
from .view import ReportView

# The page (GB/T 9704): A4; margins top, right, bottom, left; the body in 三号 (16 pt).
PAGE_CM = (21.0, 29.7)
MARGINS_CM = (3.7, 2.6, 3.5, 2.8)
TEXT_WIDTH_PT = (PAGE_CM[0] - MARGINS_CM[1] - MARGINS_CM[3]) / 2.54 * 72
BODY_PT = 16.0
LANGUAGE = "zh-CN"
TABLE_STYLE = "表格文字"
SIGNATURE_STYLE = "落款"
# The stored package (templates/report/docx/) and its placeholders, filled from words.j2.
STORED_DIR = "docx"
MANIFEST = "manifest.json"
DRAFT = "{draft}"
PAGE_BEFORE = "{page_before}"
PAGE_AFTER = "{page_after}"


@dataclass(frozen=True)
class Package:
    """The styled, empty document: its parts in order (name → bytes), document.xml around the
    body, and the ids of the styles the body uses."""

    parts: dict[str, bytes]
    head: str  # document.xml up to and including <w:body>
    tail: str  # from the section properties to the end
    style_ids: dict[str, str]


def stored_name(part: str) -> str:
    """The file a part is kept in: “_rels/.rels” as “_rels/package.rels” (package data leaves out
    files whose names start with a dot)."""
    return part.removesuffix(".rels") + "package.rels" if part.endswith("/.rels") else part


@cache
def package() -> Package:
    root = resources.files("templates").joinpath("report", STORED_DIR)
    manifest = json.loads(root.joinpath(MANIFEST).read_text(encoding="utf-8"))
    parts = {name: root.joinpath(*stored_name(name).split("/")).read_bytes() for name in manifest["parts"]}
    document = parts["word/document.xml"].decode("utf-8")
    start = document.index("<w:body>") + len("<w:body>")
    end = document.index("<w:sectPr", start)
    return Package(parts, document[:start], document[end:], manifest["styles"])


CORE = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>{title}</dc:title><dc:subject>{subject}</dc:subject><dc:creator>{author}</dc:creator>"
    "<cp:lastModifiedBy>{author}</cp:lastModifiedBy><cp:revision>1</cp:revision>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
    "<dc:language>{language}</dc:language></cp:coreProperties>"
)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # pasted control characters


def _xml(text: str) -> str:
    return escape(_NOT_XML.sub("", text))


def _run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{_xml(text)}</w:t></w:r>' if text else ""


def _p(text: str = "", style: str | None = None, *, extra: str = "", runs: str | None = None) -> str:
    ppr = (f'<w:pStyle w:val="{style}"/>' if style else "") + extra
    return f"<w:p>{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{_run(text) if runs is None else runs}</w:p>"


def _twips(pt: float) -> int:
    return round(pt * 20)


def _signature(view: ReportView, style: str) -> list[str]:
    """GB/T 9704 7.3.5.1: a blank line, the agency two characters from the right, the date under
    it starting two characters right of the agency's first character (two from the right if
    longer)."""
    sig = view.signature
    if sig is None:
        return []
    em = BODY_PT
    shift = max(2.0, (display_width(sig.agency) - display_width(sig.date)) / 2)
    return [
        _p("", style),
        _p(sig.agency, style, extra=f'<w:ind w:right="{_twips(2 * em)}"/>'),
        # the last paragraph: the style keeps it with the next, there is no next
        _p(sig.date, style, extra=f'<w:keepNext w:val="0"/><w:ind w:right="{_twips(shift * em)}"/>'),
    ]


def _body(view: ReportView, ids: dict[str, str]) -> str:
    lines = view.title_lines or (view.title,)
    title = "<w:r><w:br/></w:r>".join(_run(line) for line in lines)  # between the agency and the year
    out = [_p(style=ids["Title"], runs=title)]
    out += [_p(text) for text in view.preamble]
    width = TEXT_WIDTH_PT
    for s in view.sections:
        out.append(_p(s.title, ids["Heading 1"]))
        if s.grid is not None:
            out.append(table_xml(s.grid, width, ids["Table Grid"], ids[TABLE_STYLE]))
            out.append(_p())  # Word needs a paragraph between tables, and after the last one
            continue
        for part in s.parts:
            if part.label:
                out.append(_p(part.label, ids["Heading 2"]))
            out += [_p(text) for text in part.paragraphs]
    last = view.sections[-1].parts[-1].paragraphs[-1:] if view.sections and view.sections[-1].parts else []
    if view.signature and last:  # the 落款 never stands alone on a page: the text above keeps with it
        out[-1] = _p(last[0], extra="<w:keepNext/>")
    out += _signature(view, ids[SIGNATURE_STYLE])
    return "".join(out)


def _core(view: ReportView) -> bytes:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return CORE.format(
        title=_xml(view.title),
        subject=_xml(view.format_name),
        author=_xml(view.agency),
        now=now,
        language=LANGUAGE,
    ).encode("utf-8")


def _filled(data: bytes, values: dict[str, str]) -> bytes:
    text = data.decode("utf-8")
    for placeholder, value in values.items():
        text = text.replace(placeholder, _xml(value))
    return text.encode("utf-8")


def render_docx(view: ReportView) -> bytes:
    pkg = package()
    words = view.words
    before, _, after = words.page_number.partition("{page}")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in pkg.parts.items():  # [Content_Types].xml first, as Word writes it
            if name == "word/document.xml":
                data = (pkg.head + _body(view, pkg.style_ids) + pkg.tail).encode("utf-8")
            elif name.startswith("word/header"):
                data = _filled(data, {DRAFT: words.draft if view.draft else ""})
            elif name.startswith("word/footer"):
                data = _filled(data, {PAGE_BEFORE: before, PAGE_AFTER: after})
            zf.writestr(name, data)
        zf.writestr("docProps/core.xml", _core(view))
    return buf.getvalue()
