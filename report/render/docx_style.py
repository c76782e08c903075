"""The styled, empty Word document every rendering starts from, built with python-docx ahead of
time: ``python -m report.render.docx_style`` writes its parts to templates/report/docx/, which
:mod:`.docx` reads (a rendering needs neither python-docx nor its 800 KB default template).

A4 with the GB/T 9704 margins; styles: the title in 方正小标宋简体 22pt (二号), section headings in
黑体 and sub-part headings in 楷体_GB2312, body in 仿宋_GB2312 16pt (三号) with a two-character
first-line indent and a fixed 28pt line, table text in 宋体, the 落款 right-aligned; page numbers
“— 1 —” centred in the footer (a PAGE field); a draft says 草稿 in the header of every page. A
computer without the official fonts substitutes its own; the names are the ones a government office
expects to see in the font box.

The package is clean: Word 2013+ compatibility mode (python-docx's template says Word 2010, which
Word opens in “compatibility mode”), Chinese as the East Asian language, no thumbnail, only the
styles used.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from .docx import (
    BODY_PT,
    DRAFT,
    LANGUAGE,
    MANIFEST,
    MARGINS_CM,
    PAGE_AFTER,
    PAGE_BEFORE,
    PAGE_CM,
    SIGNATURE_STYLE,
    STORED_DIR,
    TABLE_STYLE,
    stored_name,
)

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
BODY_FONT = "仿宋_GB2312"
TABLE_FONT = "宋体"
LATIN_FONT = "Times New Roman"

BODY_SIZE = Pt(BODY_PT)
TITLE_SIZE = Pt(22)
TABLE_SIZE = Pt(10.5)
PAGE_NUMBER_SIZE = Pt(14)  # 4号半角宋体阿拉伯数字
LINE = Pt(28)
COMPATIBILITY_MODE = "15"  # Word 2013 and later: opened without “compatibility mode”
STORED = Path(__file__).resolve().parents[2] / "templates" / "report" / STORED_DIR


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


def _settings(doc) -> None:
    """Word 2013+ compatibility mode, Chinese as the theme's East Asian language, no preview picture."""
    settings = doc.settings.element
    for el in settings.iter(qn("w:compatSetting")):
        if el.get(qn("w:name")) == "compatibilityMode":
            el.set(qn("w:val"), COMPATIBILITY_MODE)
    for el in settings.findall(qn("w:savePreviewPicture")):
        settings.remove(el)
    for el in settings.iter(qn("w:themeFontLang")):
        el.set(qn("w:eastAsia"), LANGUAGE)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    for lang in defaults.iter(qn("w:lang")) if defaults is not None else ():
        lang.set(qn("w:eastAsia"), LANGUAGE)  # w:val stays en-US: Latin text (figures) breaks as Latin
    pkg = doc.part.package
    for rid, rel in list(pkg.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del pkg.rels[rid]


def _field_runs(paragraph, instruction: str, shown: str) -> None:
    """A field (PAGE) as Word writes it: begin, instruction, separate, the last result, end."""
    for kind in ("begin", None, "separate", "result", "end"):
        run = paragraph.add_run()
        if kind is None:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instruction} "
        elif kind == "result":
            el = OxmlElement("w:t")
            el.text = shown
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)


def _page_numbers(section) -> None:
    """“— 1 —” centred in the footer: the words around a PAGE field (placeholders, filled from
    templates/report/words.j2 when a document is written)."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(PAGE_BEFORE)
    _field_runs(p, "PAGE", "1")
    p.add_run(PAGE_AFTER)
    for run in p.runs:
        run.font.size = PAGE_NUMBER_SIZE
        _set_fonts(run._r, TABLE_FONT)


def _draft_header(section) -> None:
    """草稿 centred in the header of every page of a draft (a placeholder: empty in a final file)."""
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(DRAFT)
    run.bold = True
    run.font.size = Pt(22)
    _set_fonts(run._r, HEADING_FONT)


def _setup(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
    top, right, bottom, left = MARGINS_CM
    section.top_margin, section.bottom_margin = Cm(top), Cm(bottom)
    section.left_margin, section.right_margin = Cm(left), Cm(right)
    section.footer_distance = Cm(2.5)  # the page number sits about 7 mm under the text block

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
    styles["Title"].paragraph_format.keep_with_next = True
    table_style = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table_style.base_style = styles["Normal"]
    _style_paragraph(table_style, TABLE_FONT, TABLE_SIZE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    table_style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    closing = styles.add_style(SIGNATURE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    closing.base_style = styles["Normal"]
    _style_paragraph(closing, BODY_FONT, BODY_SIZE, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    closing.paragraph_format.keep_with_next = True
    _settings(doc)
    _page_numbers(section)
    _draft_header(section)


STYLE_NAMES = (TABLE_STYLE, SIGNATURE_STYLE, "Table Grid", "Title", "Heading 1", "Heading 2")
_UNUSED_PARTS = (RT.CUSTOM_XML, "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects")


def _prune(doc, keep_names: tuple[str, ...]) -> None:
    """Only the styles the document uses (and those they are based on, linked to or followed by):
    python-docx's template carries 350 KB of them, and a second copy (stylesWithEffects) and a
    customXml item no document needs. What is left writes and compresses in a fraction of the time."""
    root = doc.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in root.findall(qn("w:style"))}
    keep = {doc.styles[n].style_id for n in keep_names} | {
        s.get(qn("w:styleId")) for s in by_id.values() if s.get(qn("w:default")) == "1"
    }
    keep |= {"Header", "Footer"}
    todo = list(keep)
    while todo:
        style = by_id.get(todo.pop())
        for tag in ("w:basedOn", "w:link", "w:next"):
            ref = style.find(qn(tag)) if style is not None else None
            if ref is not None and ref.get(qn("w:val")) not in keep:
                keep.add(ref.get(qn("w:val")))
                todo.append(ref.get(qn("w:val")))
    for sid, style in by_id.items():
        if sid not in keep:
            root.remove(style)
    for latent in root.findall(qn("w:latentStyles")):
        root.remove(latent)
    rels = doc.part.rels
    for rid, rel in list(rels.items()):
        if rel.reltype in _UNUSED_PARTS:
            del rels[rid]


def build() -> dict[str, bytes]:
    """The parts of the styled, empty document (name → bytes; core.xml is written per document),
    and ``MANIFEST``: the parts' order and the ids of the styles the body uses."""
    doc = Document()
    _setup(doc)
    ids = {name: doc.styles[name].style_id for name in STYLE_NAMES}
    _prune(doc, STYLE_NAMES)
    buf = io.BytesIO()
    doc.save(buf)
    with zipfile.ZipFile(buf) as zf:
        names = [n for n in zf.namelist() if n != "docProps/core.xml"]
        parts = {name: zf.read(name) for name in names}
    manifest = {"parts": names, "styles": ids}
    parts[MANIFEST] = (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    return parts


def write(directory: Path) -> None:
    for name, data in build().items():
        path = directory / stored_name(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def main() -> int:
    """``python -m report.render.docx_style``: rebuild templates/report/docx/ after a style change
    (a test checks that the files there are what this module builds)."""
    write(STORED)
    print(f"written to {STORED}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
