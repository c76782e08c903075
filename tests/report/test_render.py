"""Rendering: every label and figure printed in the official order, and read back equal.

The .docx, .xlsx and .html outputs are read back with python-docx, openpyxl and html.parser
(merged cells expanded) and every cell compared with ``report.effective()``.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.shared import Pt

from report import formats
from report.model import Report
from report.numbers import format_value
from report.render import KINDS, MIME_TYPES, filename, render

REPO = Path(__file__).resolve().parents[2]
# The shared sample (../shared/samples/), copied into the fixtures so the tests are self-contained.
SAMPLE = REPO / "tests" / "fixtures" / "2020-shuicheng-investment-promotion.txt"
HALF_TO_FULL = str.maketrans({"(": "（", ")": "）", ",": "，", ":": "：", ";": "；"})


# -- readers ---------------------------------------------------------------------------------------
class _HtmlTables(HTMLParser):
    """Tables of an HTML page as rows of (text, rowspan, colspan)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[tuple[str, int, int]]]] = []
        self._cell: list[str] | None = None
        self._span = (1, 1)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
            self._span = (int(a.get("rowspan", 1)), int(a.get("colspan", 1)))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(("".join(self._cell).strip(), *self._span))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def expand(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    """Rows of spanning cells → a full matrix, each merged cell's text at every position it covers."""
    grid: dict[tuple[int, int], str] = {}
    for r, row in enumerate(rows):
        k = 0
        for text, rowspan, colspan in row:
            while (r, k) in grid:
                k += 1
            for dr in range(rowspan):
                for dk in range(colspan):
                    grid[(r + dr, k + dk)] = text
            k += colspan
    nrows = 1 + max(r for r, _ in grid)
    ncols = 1 + max(k for _, k in grid)
    return [[grid.get((r, k), "") for k in range(ncols)] for r in range(nrows)]


def html_tables(data: bytes) -> list[list[list[str]]]:
    parser = _HtmlTables()
    parser.feed(data.decode("utf-8"))
    return [expand(t) for t in parser.tables]


def docx_tables(data: bytes) -> list[list[list[str]]]:
    document = docx.Document(io.BytesIO(data))
    return [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]


def xlsx_sheets(data: bytes) -> tuple[list[str], list[list[list[object]]]]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    out = []
    for ws in wb.worksheets:
        m = [[ws.cell(r, k).value for k in range(1, ws.max_column + 1)] for r in range(1, ws.max_row + 1)]
        for rng in ws.merged_cells.ranges:
            v = m[rng.min_row - 1][rng.min_col - 1]
            for r in range(rng.min_row, rng.max_row + 1):
                for k in range(rng.min_col, rng.max_col + 1):
                    m[r - 1][k - 1] = v
        out.append(m)
    return wb.sheetnames, out


def as_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return format_value(Decimal(repr(v)))
    return str(v)


def read_cells(fmt: formats.Format, sections: list[list[list[str]]]) -> dict[str, str]:
    """Cell values located by their official labels in the tables of sections 二, 三 and 四."""
    m2, m3, m4 = sections
    out: dict[str, str] = {}
    # 二: caption row, header row (信息内容 | ...), data rows.
    by_caption = {t.caption: t for t in fmt.section("二").tables}
    table, cols = None, {}
    for row in m2:
        if row[0] in by_caption and set(row) == {row[0]}:
            table, cols = by_caption[row[0]], {}
        elif table is not None and row[0] == table.label_header:
            cols = {c.id: row.index(c.label) for c in table.columns}
        elif table is not None:
            r = next(r for r in table.rows if r.label == row[0])
            for cid, j in cols.items():
                out[table.key(r.id, cid)] = row[j]
    # 三: the column labels are in the last header row; the row label sits left of the figures.
    t3 = fmt.table("s3")
    first = next(i for i, row in enumerate(m3) if t3.rows[0].label in row)
    cols = {c.id: m3[first - 1].index(c.label) for c in t3.columns}
    label_col = min(cols.values()) - 1
    by_label = {r.label: r for r in t3.rows}
    for row in m3[first:]:
        r = by_label[row[label_col]]
        for cid, j in cols.items():
            out[t3.key(r.id, cid)] = row[j]
    # 四: three header rows (行政复议 | 行政诉讼 → 未经复议直接起诉 | 复议后起诉 → five columns), one data row.
    t4 = fmt.table("s4")
    rows4 = {r.label: r for r in t4.rows}
    cols4 = {c.label: c for c in t4.columns}
    *head, data = m4[-4:]
    for j, value in enumerate(data):
        r = rows4.get(head[1][j]) or rows4[head[0][j]]
        out[t4.key(r.id, cols4[head[2][j]].id)] = value
    return out


def expected_cells(report: Report) -> dict[str, str]:
    """Every printed cell (the tables; not the facts of 六, which only the text states)."""
    eff = report.effective()
    facts = set(report.format.fact_keys)
    return {k: format_value(eff.get(k)) for k in report.format.cells if k not in facts}


# -- the shared sample -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def _tables_part(text: str, fmt: formats.Format) -> str:
    return text[text.index(fmt.section("二").title) : text.index(fmt.section("五").title)]


def _is_figure(token: str) -> bool:
    return bool(re.fullmatch(r"-?\d+(\.\d+)?", token))


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[|\s]+", text) if t]


def assert_subsequence(wanted: list[str], tokens: list[str]) -> None:
    """Each wanted token in order; a label cut short in the source (本年新) may match a prefix."""
    pos = 0
    for i, w in enumerate(wanted):
        while pos < len(tokens):
            t = tokens[pos]
            pos += 1
            if t == w or (not _is_figure(w) and t.startswith(w)):
                break
        else:
            raise AssertionError(
                f"token {i} {w!r} not found in order; preceding: {wanted[max(0, i - 5) : i]}"
            )


def test_sample_txt_has_every_label_and_figure_in_order(sample: Report, sample_text: str) -> None:
    wanted = [t.translate(HALF_TO_FULL) for t in _tokens(_tables_part(sample_text, sample.format))]
    rendered = render(sample, "txt").decode("utf-8")
    got = _tokens(_tables_part(rendered, sample.format))
    assert_subsequence(wanted, got)
    # Every figure, and no more: the sample's 197 zeros (one cell was lost in the source).
    assert [t for t in got if _is_figure(t)] == [t for t in wanted if _is_figure(t)]
    assert len([t for t in wanted if _is_figure(t)]) == 197


def test_lost_cell_is_printed_empty(sample: Report) -> None:
    rendered = render(sample, "txt").decode("utf-8")
    (line,) = [ln for ln in rendered.splitlines() if "5.属于三类内部事务信息" in ln]
    cells = [c.strip() for c in line.split("|")]
    assert cells[-7:] == ["0", "0", "0", "0", "0", "0", ""]
    (line,) = [ln for ln in rendered.splitlines() if "6.属于四类过程性信息" in ln]
    assert [c.strip() for c in line.split("|")][-7:] == ["0"] * 7


def test_sample_narratives_and_structure(sample: Report) -> None:
    text = render(sample, "txt").decode("utf-8")
    assert text.startswith("六盘水市水城区招商投资促进服务中心2020年政府信息公开工作年度报告\n")
    positions = [text.index(s.title) for s in sample.format.sections]
    assert positions == sorted(positions)
    parts = [text.index(p.label + "\n") for p in sample.format.section("一").parts]
    assert parts == sorted(parts) and parts[0] > positions[0] and parts[-1] < positions[1]
    assert "（二）依申请公开\n　　我中心2020年无依申请公开情况。\n" in text
    assert "　　(二)整改措施。一是强化政府信息公开制度建设。" in text
    assert "六、其他需要报告的事项\n　　无其他需要报告的事项。\n\n六盘水市水城区招商投资促进服务中心\n" in text


def test_2019_format_other_handling_is_one_row(sample: Report) -> None:
    (_, m3, _) = html_tables(render(sample, "html"))
    group = sample.format.table("s3").row("open").group
    (row,) = [r for r in m3 if "（六）其他处理" in r]
    assert row[:3] == [group, "（六）其他处理", "（六）其他处理"]
    assert row[3:] == ["0"] * 7


# -- the busy 2021 report: every format reads back equal ------------------------------------------------
def test_all_kinds_render(busy: Report) -> None:
    for kind in KINDS:
        data = render(busy, kind)
        assert isinstance(data, bytes) and data
    assert MIME_TYPES["docx"].endswith("wordprocessingml.document")
    assert MIME_TYPES["xlsx"].endswith("spreadsheetml.sheet")
    assert MIME_TYPES["html"].startswith("text/html")
    with pytest.raises(ValueError):
        render(busy, "pdf")


def test_docx_reads_back_equal(busy: Report) -> None:
    tables = docx_tables(render(busy, "docx"))
    assert len(tables) == 3
    assert read_cells(busy.format, tables) == expected_cells(busy)


def test_html_reads_back_equal(busy: Report) -> None:
    tables = html_tables(render(busy, "html"))
    assert len(tables) == 3
    assert read_cells(busy.format, tables) == expected_cells(busy)


def test_xlsx_reads_back_equal_as_numbers(busy: Report) -> None:
    names, sheets = xlsx_sheets(render(busy, "xlsx"))
    assert names == ["正文"] + [busy.format.section(s).title for s in ("二", "三", "四")]
    sheets = sheets[1:]
    raw = read_cells(
        busy.format, [[[as_text(v) if isinstance(v, str) else v for v in row] for row in m] for m in sheets]
    )
    assert all(isinstance(v, int | float) and not isinstance(v, bool) for v in raw.values())
    assert {k: as_text(v) for k, v in raw.items()} == expected_cells(busy)
    assert raw["s2.i8.fees.fees"] == pytest.approx(12.35)
    assert raw["s3.total.total"] == busy.effective()["s3.total.total"]


def test_xlsx_totals_agree_with_cells_when_not_entered(busy: Report) -> None:
    bare = busy.without_derived()
    _, sheets = xlsx_sheets(render(bare, "xlsx"))
    raw = read_cells(bare.format, sheets[1:])
    for ident in bare.format.identities:
        if ident.derived:
            assert raw[ident.target] == sum(raw[k] for k in ident.rhs), ident.target


def _merged_label_columns(m3: list[list[str]], fmt: formats.Format) -> None:
    first = next(i for i, row in enumerate(m3) if fmt.table("s3").rows[0].label in row)
    for row, r in zip(m3[first:], fmt.table("s3").rows, strict=True):
        if r.subgroup:
            assert row[:3] == [r.group, r.subgroup, r.label]
        elif r.group:
            assert row[:3] == [r.group, r.label, r.label]
        else:
            assert row[:3] == [r.label] * 3
    note = fmt.table("s3").note
    assert [row[:3] for row in m3[:first]] == [[note] * 3] * first


def test_html_and_docx_merge_like_the_official_tables(busy: Report) -> None:
    fmt = busy.format
    for tables in (html_tables(render(busy, "html")), docx_tables(render(busy, "docx"))):
        m2, m3, m4 = tables
        _merged_label_columns(m3, fmt)
        assert m3[0][3:] == [fmt.table("s3").column_header] * 7
        assert m3[1][3:] == ["自然人"] + ["法人或其他组织"] * 5 + ["总计"]
        assert m4[0] == ["行政复议"] * 5 + ["行政诉讼"] * 10
        assert (
            m4[1]
            == [c.label for c in fmt.table("s4").columns] + ["未经复议直接起诉"] * 5 + ["复议后起诉"] * 5
        )
        assert m2[0] == ["第二十条第（一）项"] * 4
        assert ["信息内容"] + ["本年处理决定数量"] * 3 in m2


def test_html_row_and_column_spans(busy: Report) -> None:
    html = render(busy, "html").decode("utf-8")
    assert '<th class="label l0" scope="rowgroup" rowspan="22">三、本年度办理结果</th>' in html
    assert '<th class="label l1" scope="rowgroup" rowspan="8">（三）不予公开</th>' in html
    assert '<th class="label l1" scope="rowgroup" rowspan="3">（六）其他处理</th>' in html
    assert (
        'rowspan="3" colspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</th>'
        in html
    )
    assert '<th class="head" scope="colgroup" colspan="5">法人或其他<wbr>组织</th>' not in html  # odd: whole
    assert '<th class="head" scope="colgroup" colspan="5">法人或其他组织</th>' in html
    assert '<th class="head" scope="colgroup" colspan="10">行政<wbr>诉讼</th>' in html


def _line_cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


@pytest.mark.parametrize("kind", ["txt", "md"])
def test_text_kinds_have_every_row_with_its_figures(busy: Report, kind: str) -> None:
    lines = [_line_cells(ln) for ln in render(busy, kind).decode("utf-8").splitlines() if "|" in ln]
    expected = expected_cells(busy)
    for table in busy.format.tables:
        if table.id == "s4":
            figures = [expected[table.key(r.id, c.id)] for r in table.rows for c in table.columns]
            assert figures in lines
            continue
        for r in table.rows:
            figures = [expected[table.key(r.id, c.id)] for c in table.columns]
            matching = [cells for cells in lines if r.label in cells]
            assert any([c for c in cells if _is_figure(c)] == figures for cells in matching), (kind, r.label)


def test_html_is_standalone_printable_and_escaped(busy: Report) -> None:
    html = render(busy, "html").decode("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "@media print" in html and '<meta charset="utf-8">' in html
    assert not re.search(r"<(link|script|img)\b|src=|url\(", html)
    assert "新增&lt;执法公示&gt;子栏目" in html and "<执法公示>" not in html
    agency, phrase = busy.agency, busy.title.removeprefix(busy.agency)
    assert f'<h1><span class="line">{agency}</span><span class="line">{phrase}</span></h1>' in html
    assert "<h3>（一）主动公开</h3>" in html


def test_md_headings(busy: Report) -> None:
    md = render(busy, "md").decode("utf-8")
    assert md.startswith(f"# {busy.title}\n")
    for s in busy.format.sections:
        assert f"\n## {s.title}\n" in md
    assert "\n### （五）监督保障\n" in md
    assert "新增\\<执法公示\\>子栏目" in md


def test_docx_looks_like_an_official_document(busy: Report) -> None:
    document = docx.Document(io.BytesIO(render(busy, "docx")))
    paras = document.paragraphs
    title = paras[0]
    # broken between the agency and the year's title (a line break, not a new paragraph)
    assert title.text == busy.agency + "\n" + busy.title.removeprefix(busy.agency)
    assert title.style.font.size == Pt(22)
    assert title.style.paragraph_format.alignment == 1  # centre
    fonts = title.style.element.rPr.rFonts
    assert (
        fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        == "方正小标宋简体"
    )
    headings = [p.text for p in paras if p.style.name == "Heading 1"]
    assert headings == [s.title for s in busy.format.sections]
    subheadings = [p.text for p in paras if p.style.name == "Heading 2"]
    assert subheadings == [p.label for p in busy.format.section("一").parts]
    body = next(p for p in paras if p.text.startswith("全年共收到政府信息公开申请"))
    assert body.style.name == "Normal"
    assert body.style.font.size == Pt(16)
    assert body.style.paragraph_format.first_line_indent == Pt(32)
    assert document.core_properties.title == busy.title


def test_preamble(busy: Report) -> None:
    """The standard opening paragraph by default, filled from the agency and year; details added on
    request; the officer's own text; none when switched off."""
    plain = render(busy, "txt").decode("utf-8")
    intro = plain[: plain.index(busy.format.section("一").title)]
    assert "根据《中华人民共和国政府信息公开条例》" in intro
    assert "《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）" in intro
    assert f"要求，{busy.agency}编制本报告" in intro
    assert "统计期限为2023年1月1日至12月31日" in intro
    assert all(s.heading in intro for s in busy.format.sections)
    assert "查阅或下载" not in intro and "联系" not in intro
    details = {
        "website": "示例区人民政府门户网站（www.example.gov.cn）",
        "contact": "示例区市场监督管理局办公室（电话：0123-4567890）",
    }
    text = render(busy, "txt", preamble=details).decode("utf-8")
    assert "本报告电子版可在示例区人民政府门户网站（www.example.gov.cn）查阅或下载" in text
    assert "请与示例区市场监督管理局办公室（电话：0123-4567890）联系" in text
    for kind in ("md", "html", "docx"):
        data = render(busy, kind)
        if kind == "docx":
            data = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs).encode()
        assert "统计期限为2023年1月1日至12月31日".encode() in data, kind
    busy.preamble = "本局依据条例编制本报告。\n\n如有疑问请来电。"
    own = render(busy, "txt").decode("utf-8")
    assert "　　本局依据条例编制本报告。\n　　如有疑问请来电。\n" in own and "统计期限" not in own
    busy.preamble = ""
    none = render(busy, "txt").decode("utf-8")
    assert none.startswith(busy.title + "\n\n一、总体情况\n")


def test_unanswered_cells_print_empty_and_optional_part_its_default() -> None:
    r = Report.new("示例镇人民政府", 2023)
    r.values["s3.new.natural"] = 0
    r.narratives["n5"] = "无。"
    text = render(r, "txt").decode("utf-8")
    (line,) = [ln for ln in text.splitlines() if "一、本年新收政府信息公开申请数量" in ln]
    assert [c.strip() for c in line.split("|")][1:] == ["0", "", "", "", "", "", ""]
    assert "六、其他需要报告的事项\n　　无其他需要报告的事项。" in text
    _, sheets = xlsx_sheets(render(r, "xlsx"))
    cells = read_cells(r.format, sheets[1:])
    assert cells["s3.new.natural"] == 0 and cells["s3.new.business"] is None


def test_2019_unit_of_procurement_is_shown(sample: Report) -> None:
    sample.units["s2.i9.procurement.amount"] = "万元"
    text = render(sample, "txt").decode("utf-8")
    assert "采购总金额（单位：万元）" in text


def test_filename(busy: Report) -> None:
    assert filename(busy, "docx") == "2023年示例市示例区市场监督管理局政府信息公开工作年度报告.docx"
    busy.agency = "某局/办公室"
    assert filename(busy, ".txt") == "2023年某局_办公室政府信息公开工作年度报告.txt"


def test_docx_renderings_do_not_leak_into_each_other(busy: Report, sample: Report) -> None:
    first = docx.Document(io.BytesIO(render(busy, "docx")))
    second = docx.Document(io.BytesIO(render(sample, "docx")))
    assert len(first.tables) == len(second.tables) == 3
    texts = [p.text for p in second.paragraphs]
    assert texts[0].replace("\n", "") == sample.title and busy.agency not in "".join(texts)
    assert second.core_properties.title == sample.title
    assert len(second.tables[2].rows[-1].cells) == 15
