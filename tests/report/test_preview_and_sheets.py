"""The phone preview (short texts, rows as “label：v v v”), the workbook's text sheet, grown rows
and page numbers, and the web page's table markup."""

from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser

import openpyxl

from report.model import Report
from report.render import render
from report.render.preview import LIMIT, preview, utf16_len

DATE = dt.date(2024, 1, 17)


# -- the phone preview ----------------------------------------------------------------------------
def test_one_text_per_section_with_rows_as_label_and_figures(busy: Report) -> None:
    texts = preview(busy, today=DATE)
    assert texts[0].startswith(busy.title + "\n根据《中华人民共和国政府信息公开条例》")
    assert [t.split("\n", 1)[0] for t in texts[1:]] == [s.title for s in busy.format.sections]
    three = texts[3].splitlines()
    assert three[1] == "各列：自然人 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计"
    assert "一：95 107 102 101 89 96 590" in three
    assert "（三）不予公开" in three and "（三）5：2 9 5 1 1 9 27" in three
    assert "复议后起诉：1 5 5 2 13" in texts[4].splitlines()
    assert texts[-1].endswith("\n\n示例市示例区市场监督管理局\n2024年1月17日")
    for text in texts:
        assert "|" not in text  # never a table drawn in characters
        assert all(len(line) <= 40 for line in texts[3].splitlines())  # every row fits a phone's line


def test_long_sections_are_split_between_paragraphs(busy: Report) -> None:
    paragraph = "😀本年度主动公开政府信息，" * 60 + "结束。"  # astral characters count two UTF-16 units
    busy.narratives["n5"] = "\n".join(f"{i}、{paragraph}" for i in range(8))
    busy.narratives["n6"] = "一" * 9000 + "。"  # one paragraph longer than a message
    texts = preview(busy, today=DATE)
    assert all(utf16_len(t) <= LIMIT for t in texts)
    five = [t for t in texts if "、😀" in t]
    assert len(five) > 1 and five[0].startswith("五、存在的主要问题及改进情况\n")
    joined = "\n".join(five).split("\n", 1)[1]
    assert joined == busy.narratives["n5"]  # split only between paragraphs, nothing lost
    assert "".join(t for t in texts if "一一一" in t).count("一") >= 9000


def test_preview_of_a_draft_says_what_is_missing_and_shows_unanswered_cells() -> None:
    rep = Report.new("某镇人民政府", 2023)
    rep.values["s3.new.natural"] = 1
    texts = preview(rep, today=DATE)
    assert texts[0].startswith("【草稿】以下部分尚未填写——一、总体情况（一）主动公开；")
    assert "一：1 — — — — — —" in texts[3]


# -- the workbook ----------------------------------------------------------------------------------
def test_workbook_text_sheet_grown_rows_and_page_numbers(busy: Report) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(render(busy, "xlsx", today=DATE)))
    text = [c.value for c in wb["正文"]["A"] if c.value]
    assert text[0] == busy.title and text[-2:] == [busy.agency, "2024年1月17日"]
    assert "（一）主动公开" in text and "　　全年共收到政府信息公开申请590件，均在法定期限内答复。" in text
    assert all(ws.oddFooter.center.text == "— &P —" for ws in wb.worksheets)
    ws = wb["三、收到和处理政府信息公开申请情况"]
    row = next(c.row for c in ws["C"] if c.value and str(c.value).startswith("2.申请人逾期未按收费通知"))
    width = ws.column_dimensions["C"].width
    lines = -(-len(ws.cell(row, 3).value) * 2 // int(width - 1))
    assert lines >= 2 and ws.row_dimensions[row].height >= lines * 14
    short = next(c.row for c in ws["C"] if c.value == "3.其他")
    assert ws.row_dimensions[short].height is None  # one line: the default height


# -- the web page's tables ---------------------------------------------------------------------------
class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_every_table_has_caption_head_and_scopes(busy: Report) -> None:
    parser = _Tables()
    parser.feed(render(busy, "html").decode("utf-8"))
    tags = parser.tags
    assert sum(1 for t, _ in tags if t == "table") == 3
    assert sum(1 for t, _ in tags if t == "caption") == 3
    assert sum(1 for t, _ in tags if t == "thead") == 2  # 三 and 四; 二's sub-tables head their own groups
    ths = [a for t, a in tags if t == "th"]
    assert all(a.get("scope") in ("col", "colgroup", "row", "rowgroup") for a in ths)
    assert sum(1 for t, a in tags if t == "tbody" and a.get("class") == "group") == 4 + 2


def test_short_headers_never_wrap_and_long_ones_break_between_words(busy: Report) -> None:
    html = render(busy, "html").decode("utf-8")
    assert re.search(r'<th class="head nowrap" scope="col"[^>]*>自然人</th>', html)
    assert re.search(r'<th class="head nowrap" scope="col"[^>]*>总计</th>', html)
    assert ">社会<wbr>公益<wbr>组织</th>" in html and ">法律<wbr>服务<wbr>机构</th>" in html
