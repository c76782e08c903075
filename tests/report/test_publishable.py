"""A rendered report an officer can sign and publish as it is: opening paragraph, 落款, no bare
headings, drafts marked 草稿 and final files refused while parts are empty, amounts as written,
and a Word package that is the agency's own (properties, no compatibility mode, no thumbnail)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import docx
import openpyxl
import pytest
from docx.shared import Pt

from report import interchange
from report.model import Report, Signature
from report.render import KINDS, IncompleteReport, render, render_file
from report.render.docx_table import DIGIT_EM, DIGITS
from report.validation import unfinished

DATE = dt.date(2024, 1, 17)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def text_of(report: Report, kind: str, **kw) -> str:
    data = render(report, kind, today=DATE, **kw)
    if kind == "docx":
        document = docx.Document(io.BytesIO(data))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        return "\n".join(cells + [p.text for p in document.paragraphs])
    if kind == "xlsx":  # the text: the 正文 sheet
        ws = openpyxl.load_workbook(io.BytesIO(data))["正文"]
        return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    if kind == "html":
        body = data.decode("utf-8").split("<body>", 1)[1]
        return re.sub(r"\n+", "\n", re.sub(r"<[^>]+>", "\n", body)).strip() + "\n"
    return data.decode("utf-8")


# -- 落款 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_ends_with_the_signature(busy: Report, kind: str) -> None:
    busy.signature = Signature(agency="示例市示例区市场监督管理局（盖章）", date=dt.date(2024, 1, 7))
    text = text_of(busy, kind)
    assert re.search(r"示例市示例区市场监督管理局（盖章）\s*\n\s*2024年1月7日\s*$", text), text[-200:]


def test_signature_defaults_to_the_agency_and_today_and_says_so(busy: Report) -> None:
    r = render_file(busy, "txt", today=DATE)
    assert r.data.decode().endswith("\n\n示例市示例区市场监督管理局\n2024年1月17日\n")
    assert r.notes == ("成文日期未填写，落款使用了今天的日期：2024年1月17日",)
    busy.signature = Signature(date=DATE)
    assert render_file(busy, "txt", final=True).notes == ()


def test_docx_signature_layout(busy: Report) -> None:
    busy.signature = Signature(date=DATE)
    paras = docx.Document(io.BytesIO(render(busy, "docx"))).paragraphs
    agency, date = paras[-2], paras[-1]
    assert (agency.text, date.text) == (busy.agency, "2024年1月17日")
    assert agency.style.paragraph_format.alignment == 2  # right
    # GB/T 9704: the agency two characters from the right, the date starting two characters right
    # of the agency's first character
    em = 16  # pt: 三号
    assert agency.paragraph_format.right_indent == Pt(2 * em)
    # 13 characters of agency, 6.5 of date (digits are half-width): the date ends 6.5 from the right
    assert date.paragraph_format.right_indent == Pt((13 - 6.5) * em)
    assert paras[-3].text == ""  # a blank line above it
    assert paras[-4].paragraph_format.keep_with_next  # the text above keeps with it


# -- narratives -------------------------------------------------------------------------------------
def test_an_undivided_section_prints_as_its_own_paragraphs(busy: Report) -> None:
    doc = interchange.to_dict(busy)
    doc["narrative"]["一"] = "本年度，本局主动公开政府信息1286条。\n全年收到申请590件。"
    rep = interchange.from_dict(doc)
    assert unfinished(rep) == []
    text = text_of(rep, "txt")
    assert "一、总体情况\n　　本年度，本局主动公开政府信息1286条。\n　　全年收到申请590件。\n\n二、" in text
    for kind in ("md", "html", "docx"):
        printed = text_of(rep, kind)
        assert not any(p.label in printed for p in rep.format.section("一").parts), kind


def test_no_heading_is_printed_without_text(busy: Report) -> None:
    busy.narratives["n1.platform"] = "  \n"
    text = render_file(busy, "txt", today=DATE)
    assert text.draft and text.missing == ("一、总体情况（四）平台建设",)
    assert "（四）平台建设\n　　（尚未填写）\n" in text.data.decode()
    del busy.narratives["n6"]  # optional: its standard line
    assert "六、其他需要报告的事项\n　　无其他需要报告的事项。\n" in text_of(busy, "txt")


def test_paragraphs_as_the_officer_wrote_them(busy: Report) -> None:
    busy.narratives["n5"] = "第一段。\n\n\n第二段，\n第三段。"
    assert "五、存在的主要问题及改进情况\n　　第一段。\n　　第二段，\n　　第三段。\n" in text_of(busy, "txt")


# -- drafts and final files --------------------------------------------------------------------------
def test_a_final_rendering_refuses_an_unfinished_report_naming_its_parts(busy: Report) -> None:
    del busy.narratives["n5"]
    for key in busy.format.input_keys_of("四"):
        busy.values.pop(key, None)
    with pytest.raises(IncompleteReport) as exc:
        render(busy, "docx", final=True)
    assert exc.value.missing == ("四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况")
    assert "四、政府信息公开行政复议、行政诉讼情况；五、存在的主要问题及改进情况" in str(exc.value)


@pytest.mark.parametrize("kind", KINDS)
def test_a_draft_says_so(busy: Report, kind: str) -> None:
    del busy.narratives["n5"]
    r = render_file(busy, kind, today=DATE)
    assert r.draft and r.missing == ("五、存在的主要问题及改进情况",)
    if kind == "docx":
        header = docx.Document(io.BytesIO(r.data)).sections[0].header
        assert [p.text for p in header.paragraphs] == ["草稿"]
    elif kind == "xlsx":
        wb = openpyxl.load_workbook(io.BytesIO(r.data))
        assert all(ws.oddHeader.center.text == "草稿" for ws in wb.worksheets)
        assert "尚未填写——五、存在的主要问题及改进情况" in wb["正文"]["A1"].value
    else:
        first = {
            "txt": "【草稿】以下部分尚未填写——五、存在的主要问题及改进情况\n",
            "md": "> **草稿**　以下部分尚未填写——五、存在的主要问题及改进情况\n",
            "html": '<body>\n<p class="draft-note" role="note"><strong>草稿</strong>　以下部分尚未填写——五、',
        }[kind]
        assert first in r.data.decode()
    complete = render_file(busy.copy(narratives={**busy.narratives, "n5": "无。"}), kind, today=DATE)
    assert not complete.draft and complete.missing == ()


def test_a_final_word_file_has_no_draft_header(busy: Report) -> None:
    render(busy.copy(narratives={}), "docx")  # a draft first, in the same thread
    header = docx.Document(io.BytesIO(render(busy, "docx", final=True))).sections[0].header
    assert "草稿" not in "".join(p.text for p in header.paragraphs)


# -- amounts as written --------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_amounts_are_printed_as_written(busy: Report, kind: str) -> None:
    busy.values["s2.i8.fees.fees"] = Decimal("12.50")
    if kind == "xlsx":
        wb = openpyxl.load_workbook(io.BytesIO(render(busy, "xlsx")))
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == 12.5]
        assert [c.number_format for c in cells] == ["0.00"]
        return
    text = text_of(busy, kind)
    assert re.search(r"(?<![\d.])12\.50(?!\d)", text) and not re.search(r"(?<![\d.])12\.5(?![\d0])", text)


# -- the Word package ------------------------------------------------------------------------------------
def test_word_package_is_the_agencys_own(busy: Report) -> None:
    data = render(busy, "docx")
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert not any("thumbnail" in n for n in names)
    settings = zipfile.ZipFile(io.BytesIO(data)).read("word/settings.xml").decode()
    assert re.search(r'w:name="compatibilityMode"[^>]*w:val="15"', settings)
    props = docx.Document(io.BytesIO(data)).core_properties
    assert props.author == busy.agency and props.title == busy.title and props.language == "zh-CN"
    now = dt.datetime.now(dt.UTC)
    assert abs((props.created.replace(tzinfo=dt.UTC) - now).total_seconds()) < 600
    assert props.created == props.modified
    assert props.comments in ("", None) and props.last_modified_by == busy.agency


def test_word_tables_never_split_a_row_and_repeat_their_headers(busy: Report) -> None:
    doc = docx.Document(io.BytesIO(render(busy, "docx")))
    for table in doc.tables:
        rows = table._tbl.findall(f"{W}tr")
        assert all(tr.find(f"{W}trPr/{W}cantSplit") is not None for tr in rows)
    s3 = doc.tables[1]._tbl.findall(f"{W}tr")
    assert [tr.find(f"{W}trPr/{W}tblHeader") is not None for tr in s3[:4]] == [True, True, True, False]


def test_word_figure_columns_hold_five_digits(busy: Report) -> None:
    doc = docx.Document(io.BytesIO(render(busy, "docx")))
    for table in doc.tables:
        tbl = table._tbl
        widths = [int(g.get(f"{W}w")) for g in tbl.findall(f"{W}tblGrid/{W}gridCol")]
        margin = int(tbl.find(f"{W}tblPr/{W}tblCellMar/{W}left").get(f"{W}w"))
        size = int(tbl.find(f".//{W}sz").get(f"{W}val")) / 2  # pt
        first_row = tbl.findall(f"{W}tr")[-1]  # the last row: figures in every figure column
        cells = first_row.findall(f"{W}tc")
        figure_columns = len([c for c in cells if re.fullmatch(r"\d+", "".join(t.text for t in c.iter(f"{W}t")))])
        need = DIGITS * DIGIT_EM * size * 20 + 2 * margin
        assert all(w >= need for w in widths[-figure_columns:]), (widths, need)
        assert sum(widths) <= round((21 - 2.8 - 2.6) / 2.54 * 1440) + 5


def test_word_title_is_broken_between_the_agency_and_the_year(busy: Report) -> None:
    title = docx.Document(io.BytesIO(render(busy, "docx"))).paragraphs[0]
    runs = title._p.findall(f"{W}r")
    assert ["".join(t.text for t in r.iter(f"{W}t")) for r in runs] == [busy.agency, "", "2023年政府信息公开工作年度报告"]
    assert runs[1].find(f"{W}br") is not None


def test_word_footer_numbers_pages(busy: Report) -> None:
    footer = docx.Document(io.BytesIO(render(busy, "docx"))).sections[0].footer
    xml = footer._element.xml
    assert "PAGE" in xml and 'w:fldCharType="begin"' in xml
    assert footer.paragraphs[0].text.replace("1", "") == "—  —"
