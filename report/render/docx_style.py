"""The report as a Word document in the style of an official document (python-docx).

A4 with the GB/T 9704 margins; the title centred in 方正小标宋简体 22pt (二号); section headings in
黑体 and sub-part headings in 楷体_GB2312, body in 仿宋_GB2312 16pt (三号) with a two-character
first-line indent; tables with borders and the official merged cells. A computer without the
official fonts substitutes its own (Word falls back to 宋体/SimSun); the names below are the ones
a government office expects to see in the font box.
"""

from __future__ import annotations

import io
import threading
from functools import cache
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

from .text import display_width
from .view import CAPTION, LABEL, NOTE, Grid, ReportView

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"

BODY_SIZE = Pt(16)
TITLE_SIZE = Pt(22)
TABLE_SIZE = Pt(10.5)
LINE = Pt(28)

TABLE_STYLE = "表格文字"
TEXT_WIDTH = Cm(21 - 2.8 - 2.6)


def _set_fonts(rpr_owner, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Set the East Asian and Latin typefaces, dropping theme fonts that would override them."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)


def _style_paragraph(style, east_asia: str, size, *, bold=False, indent=True, align=None, before=0, after=0):
    style.font.size = size
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(style.element, east_asia)
    pf = style.paragraph_format
    pf.first_line_indent = Pt(size.pt * 2) if indent else Pt(0)
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = LINE if size.pt <= 16 else Pt(size.pt * 1.5)
    if align is not None:
        pf.alignment = align


def _setup(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    styles = doc.styles
    _style_paragraph(styles["Normal"], BODY_FONT, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _style_paragraph(
        styles["Title"], TITLE_FONT, TITLE_SIZE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, after=16
    )
    _style_paragraph(styles["Heading 1"], HEADING_FONT, BODY_SIZE, before=6)
    _style_paragraph(styles["Heading 2"], SUBHEADING_FONT, BODY_SIZE)
    for name in ("Title", "Heading 1", "Heading 2"):
        # The default template draws a rule under the title and keeps headings in theme colours.
        ppr = styles[name].element.pPr
        if ppr is not None:
            for border in ppr.findall(qn("w:pBdr")):
                ppr.remove(border)
    table_style = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table_style.base_style = styles["Normal"]
    _style_paragraph(table_style, TABLE_FONT, TABLE_SIZE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    table_style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE


def _column_widths(grid: Grid) -> list[int]:
    """Column widths in EMU: proportional to the longest single-column text, within bounds."""
    weights = [3] * grid.ncols
    for c in grid.cells:
        if c.colspan == 1:
            weights[c.col] = max(weights[c.col], min(display_width(c.text), 26))
    total = sum(weights)
    return [int(TEXT_WIDTH * w / total) for w in weights]


def _table_xml(grid: Grid, table_style_id: str, para_style_id: str) -> str:
    """The w:tbl of a grid, written out directly (python-docx's cell API is far too slow here).

    Merges as Word writes them: w:gridSpan across, w:vMerge restart/continue down.
    """
    widths = [w // 635 for w in _column_widths(grid)]  # EMU → twentieths of a point
    out = [
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{table_style_id}"/>'
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
        '<w:tblLayout w:type="fixed"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" '
        'w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>'
    ]
    out += [f'<w:gridCol w:w="{w}"/>' for w in widths]
    out.append("</w:tblGrid>")
    for r, row in enumerate(grid.matrix()):
        out.append("<w:tr>")
        if r < grid.header_rows:
            out.append("<w:trPr><w:tblHeader/></w:trPr>")
        for k, pos in enumerate(row):
            if pos is None:  # pragma: no cover - a grid covers every position
                out.append(f'<w:tc><w:tcPr><w:tcW w:w="{widths[k]}" w:type="dxa"/></w:tcPr><w:p/></w:tc>')
                continue
            cell, origin = pos
            if k != cell.col:
                continue  # covered by a horizontal span
            span = cell.colspan
            tcpr = f'<w:tcW w:w="{sum(widths[k : k + span])}" w:type="dxa"/>'
            if span > 1:
                tcpr += f'<w:gridSpan w:val="{span}"/>'
            if cell.rowspan > 1:
                tcpr += '<w:vMerge w:val="restart"/>' if origin else "<w:vMerge/>"
            tcpr += '<w:vAlign w:val="center"/>'
            ppr = f'<w:pStyle w:val="{para_style_id}"/>'
            if cell.kind in (LABEL, CAPTION, NOTE):
                ppr += '<w:jc w:val="left"/>'
            run = ""
            if origin and cell.text:
                rpr = "<w:rPr><w:b/></w:rPr>" if cell.kind == CAPTION else ""
                run = f'<w:r>{rpr}<w:t xml:space="preserve">{escape(cell.text)}</w:t></w:r>'
            out.append(f"<w:tc><w:tcPr>{tcpr}</w:tcPr><w:p><w:pPr>{ppr}</w:pPr>{run}</w:p></w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _add_table(doc, grid: Grid, table_style_id: str, para_style_id: str) -> None:
    after = doc.add_paragraph()
    after._p.addprevious(parse_xml(_table_xml(grid, table_style_id, para_style_id)))


def _paragraph(doc, text: str, style_id: str | None = None) -> None:
    p = doc.add_paragraph(text)
    if style_id:
        p._p.get_or_add_pPr().style = style_id  # by id: python-docx's lookup by name is slow


@cache
def _template() -> tuple[bytes, dict[str, str]]:
    """The empty, styled document (built once per process) and its style ids."""
    doc = Document()
    _setup(doc)
    names = (TABLE_STYLE, "Table Grid", "Title", "Heading 1", "Heading 2")
    ids = {name: doc.styles[name].style_id for name in names}
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue(), ids


_local = threading.local()


def _blank_document():
    """A styled, empty document, loaded once per thread and emptied for each rendering.

    Loading the package costs as much as building the whole report, so it is reused: only the
    body (and the core properties) change between renderings.
    """
    doc = getattr(_local, "doc", None)
    if doc is None:
        template, _ids = _template()
        doc = _local.doc = Document(io.BytesIO(template))
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return doc


def render_docx(view: ReportView) -> bytes:
    _template_bytes, ids = _template()
    doc = _blank_document()
    props = doc.core_properties
    props.title = view.title
    props.author = view.agency
    props.subject = view.format_name
    _paragraph(doc, view.title, ids["Title"])
    for text in view.preamble or ():
        _paragraph(doc, text)
    for s in view.sections:
        _paragraph(doc, s.title, ids["Heading 1"])
        if s.grid is not None:
            _add_table(doc, s.grid, ids["Table Grid"], ids[TABLE_STYLE])
            continue
        for part in s.parts:
            if part.label:
                _paragraph(doc, part.label, ids["Heading 2"])
            for text in part.paragraphs:
                _paragraph(doc, text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
