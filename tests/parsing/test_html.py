"""Government web pages: Word-exported markup, merged cells, split labels, &nbsp; blanks, GBK."""

from __future__ import annotations

from report.model import Report
from report.parsing import check, parse_bytes


def _split(label: str) -> str:
    """A label cut across Word's <span>s, as Word-exported HTML does."""
    mid = len(label) // 2
    return (
        f'<p class=MsoNormal align=center style="mso-line-height-rule:exactly"><span lang=EN-US '
        f'style="font-size:10.5pt;font-family:仿宋_GB2312">{label[:mid]}</span><span style="font-size:10.5pt">'
        f"{label[mid:]}<o:p></o:p></span></p>"
    )


def _value(v) -> str:
    text = "&nbsp;" if v is None else str(v)
    return f'<td style="border:solid windowtext 1.0pt"><p class=MsoNormal align=center><span>{text}<o:p></o:p></span></p></td>'


def _paras(text: str) -> str:
    return "".join(f"<p style='text-indent:2em'>&nbsp;&nbsp;{p}<o:p></o:p></p>" for p in text.split("\n"))


def page(report: Report, *, blank: set[str] = frozenset(), drop: set[str] = frozenset()) -> str:
    """The report as a typical government web page (values from report.effective())."""
    fmt = report.format
    eff = report.effective()

    def val(key: str) -> str:
        if key in drop:
            return ""
        return _value(None if key in blank else eff.get(key))

    body = [f"<p align=center><b><span>{report.agency}{report.year}年政府信息公开工作年度报告</span></b></p>"]
    body.append("<p><span>一、总体情况</span></p>")
    for part in fmt.section("一").parts:
        body.append(f"<p><span>{part.label}</span></p>{_paras(report.narratives.get(part.key, ''))}")
    body.append("<p><span>二、</span><span>主动公开政府信息情况</span></p>")
    width = max(len(t.columns) for t in fmt.section("二").tables) + 1
    rows = []
    for table in fmt.section("二").tables:
        rows.append(f"<tr><td colspan={width}>{_split(table.caption)}</td></tr>")
        pad = width - 1 - len(table.columns)
        head = "".join(f"<td>{_split(c.label)}</td>" for c in table.columns)
        rows.append(f"<tr><td>{_split(table.label_header)}</td>{head}{'<td>&nbsp;</td>' * pad}</tr>")
        for row in table.rows:
            cells = "".join(val(table.key(row.id, c.id)) for c in table.columns)
            rows.append(f"<tr><td>{_split(row.label)}</td>{cells}{'<td>&nbsp;</td>' * pad}</tr>")
    body.append("<table class=MsoNormalTable border=1>" + "".join(rows) + "</table>")

    body.append("<p><span>三、收到和处理政府信息公开申请情况</span></p>")
    t = fmt.table("s3")
    rows = [
        f"<tr><td colspan=3 rowspan=3>{_split(t.note)}</td><td colspan=7>{_split(t.column_header)}</td></tr>",
        "<tr><td rowspan=2>自然人</td><td colspan=5>法人或其他组织</td><td rowspan=2>总计</td></tr>",
        "<tr>" + "".join(f"<td>{c.label}</td>" for c in t.columns if c.group) + "</tr>",
    ]
    groups: dict[str, int] = {}
    subgroups: dict[str, int] = {}
    for row in t.rows:
        if row.group:
            groups[row.group] = groups.get(row.group, 0) + 1
        if row.subgroup:
            subgroups[row.subgroup] = subgroups.get(row.subgroup, 0) + 1
    seen: set[str] = set()
    for row in t.rows:
        cells = []
        if row.group and row.group not in seen:
            seen.add(row.group)
            cells.append(f"<td rowspan={groups[row.group]}>{_split(row.group)}</td>")
        if row.subgroup and row.subgroup not in seen:
            seen.add(row.subgroup)
            cells.append(f"<td rowspan={subgroups[row.subgroup]}>{_split(row.subgroup)}</td>")
        span = 3 - (1 if row.group else 0) - (1 if row.subgroup else 0)
        cells.append(f"<td colspan={span}>{_split(row.label)}</td>")
        cells += [val(t.key(row.id, c.id)) for c in t.columns]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    body.append("<table border=1 cellspacing=0>" + "".join(rows) + "</table>")

    body.append("<p><span>四、政府信息公开行政复议、行政诉讼情况</span></p>")
    t = fmt.table("s4")
    cols = "".join(f"<td>{c.label}</td>" for c in t.columns)
    rows = [
        "<tr><td colspan=5>行政复议</td><td colspan=10>行政诉讼</td></tr>",
        "<tr>" + "".join(f"<td rowspan=2>{c.label}</td>" for c in t.columns)
        + "<td colspan=5>未经复议直接起诉</td><td colspan=5>复议后起诉</td></tr>",
        f"<tr>{cols}{cols}</tr>",
        "<tr>" + "".join(val(t.key(r.id, c.id)) for r in t.rows for c in t.columns) + "</tr>",
    ]
    body.append("<table border=1>" + "".join(rows) + "</table>")
    body.append(f"<p>五、存在的主要问题及改进情况</p>{_paras(report.narratives.get('n5', ''))}")
    body.append(f"<p>六、其他需要报告的事项</p>{_paras(report.narratives.get('n6', ''))}")
    content = "\n".join(body)
    return (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>'
        '<meta http-equiv=Content-Type content="text/html; charset=gb2312">'
        f"<title>{report.agency}{report.year}年政府信息公开工作年度报告_某某市人民政府</title>"
        "<style>p.MsoNormal{mso-style-parent:'';margin:0cm}</style>"
        "<!--[if gte mso 9]><xml><o:DocumentProperties><o:Author>x</o:Author></o:DocumentProperties></xml><![endif]-->"
        "</head><body><div class=nav><a href='/'>首页</a> &gt; 政府信息公开年报</div>"
        # the content sits inside a page-layout table, as many portals do
        f"<table width=900><tr><td>{content}</td></tr></table>"
        "<div class=footer><p>【打印本页】【关闭窗口】</p></div></body></html>"
    )


def _parse(html: str, encoding: str = "gb18030"):
    return parse_bytes(html.encode(encoding), "report.html")


def test_busy_page_reads_every_figure(busy):
    result = _parse(page(busy))
    assert result.source == "html"
    assert (result.detected_year, result.detected_agency, result.detected_format) == (2023, busy.agency, "2021")
    assert not result.errors, [p.message for p in result.errors]
    assert result.report.filled() == busy.filled()
    assert result.report.narratives == busy.narratives
    assert not [p for p in check(result) if p.is_error]


def test_nbsp_cell_is_blank(busy):
    result = _parse(page(busy, blank={"s3.new.total", "s2.i5.licensing.decisions"}))
    assert result.report.values["s3.new.total"] is None
    assert result.report.values["s2.i5.licensing.decisions"] is None
    blanks = sorted(p.message for p in result.diagnostics if p.rule == "parse.blank")
    assert len(blanks) == 2
    assert any("一、本年新收政府信息公开申请数量：总计 为空白" in m for m in blanks)
    assert any("第二十条第（五）项：行政许可：本年处理决定数量 为空白" in m for m in blanks)


def test_missing_td_names_the_row(busy):
    result = _parse(page(busy, drop={"s3.unable_2.research"}))
    (p,) = [p for p in result.diagnostics if p.rule == "parse.missing_cell"]
    assert "（四）无法提供 2.没有现成信息需要另行制作：应有 7 个数，只有 6 个" in p.message
    assert all(result.report.values[f"s3.unable_2.{c}"] is None for c in ("natural", "total"))
    assert result.report.values["s3.unable_3.natural"] == busy.values["s3.unable_3.natural"]


def test_wide_table_missing_cell(busy):
    result = _parse(page(busy, drop={"s4.suit_after.pending"}))
    (p,) = [p for p in result.diagnostics if p.rule == "parse.missing_cell"]
    assert "四、政府信息公开行政复议、行政诉讼情况：应有 15 个数，只有 14 个" in p.message
    assert result.report.values["s4.review.upheld"] is None


def test_utf8_page_and_2019_sample(clean_sample):
    from report.parsing import parse_text

    report = parse_text(clean_sample).report
    result = _parse(page(report), "utf-8")
    assert result.detected_format == "2019" and result.detected_year == 2020
    assert not result.errors, [p.message for p in result.errors]
    assert result.report.values == report.values


def test_page_without_tables_is_unreadable():
    import pytest

    from report.parsing import UnreadableReport

    with pytest.raises(UnreadableReport) as exc:
        _parse("<html><body><p>通知公告</p><p>这里没有年度报告。</p></body></html>")
    assert "没有找到" in exc.value.message_zh
