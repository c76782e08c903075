"""Published reports as they really come (issue 15): text copied from a PDF viewer or produced by
OCR, rows printed as runs of digits, merged value cells, renamed closing sections, a 落款.

The fixtures in tests/fixtures/damaged/ hold the busy 2021-format report (a distinct figure in
every cell) damaged one way each; every cell is asserted.
"""

from __future__ import annotations

import datetime as dt

import pytest

from report import interchange
from report.model import Signature
from report.parsing import check, parse_bytes, parse_file, parse_text

from .conftest import FIXTURES, replace_row_values

DAMAGED = FIXTURES / "damaged"


@pytest.fixture(scope="module")
def busy_report():
    return interchange.loads((FIXTURES / "2023-busy.json").read_text(encoding="utf-8"))


def table_cells(fmt) -> list[str]:
    """Every cell of the format's tables (the figures a published report prints)."""
    return [t.key(r.id, c.id) for t in fmt.tables for r in t.rows for c in t.columns]


def wrong_cells(result, busy) -> dict:
    eff = busy.effective()
    return {k: (result.report.values.get(k), eff[k]) for k in table_cells(busy.format) if result.report.values.get(k) != eff[k]}


@pytest.mark.parametrize(
    "name",
    ["pdf-copy-broken-labels.txt", "markdown-debris.txt", "split-headers.txt"],
)
def test_damaged_copy_reads_every_cell(name, busy_report):
    result = parse_file(DAMAGED / name)
    assert (result.detected_year, result.detected_agency, result.detected_format) == (2023, busy_report.agency, "2021")
    assert not wrong_cells(result, busy_report)
    assert result.report.narratives == busy_report.narratives
    assert not [p.message for p in result.diagnostics], "labels rejoined against the official ones, silently"
    assert not [p.message for p in check(result) if p.is_error]


def test_vertical_layout_with_ocr_errors(busy_report):
    """One label or one value per line, header text one character per line; two numbers with a
    letter read for a digit: those two are reported with their candidate, never taken."""
    result = parse_file(DAMAGED / "ocr-vertical.txt")
    assert set(wrong_cells(result, busy_report)) == {"s2.i5.licensing.decisions", "s3.open.total"}
    assert result.report.values["s3.open.total"] is None
    errors = {p.cells: p.message for p in result.diagnostics if p.is_error}
    assert errors == {
        ("s2.i5.licensing.decisions",): "二、主动公开政府信息情况 第二十条第（五）项：行政许可 本年处理决定数量："
        "“l375”不是数字，可能是 1375（文字识别把数字认成了字母），无法确定",
        ("s3.open.total",): "三、收到和处理政府信息公开申请情况：（一）予以公开 总计：“4l”不是数字，可能是 41（文字识别把数字认成了字母），无法确定",
    }
    assert not [p for p in result.diagnostics if not p.is_error]


def test_digit_runs_decoded_only_where_unique(busy_report):
    """Every row of 三 and 四 printed as one run glued to its label: each has exactly one split
    that keeps the row totals; 规章 “2117” (2 1 17? 2 11 7? 21 1 7?) has no identity to decide."""
    result = parse_file(DAMAGED / "digit-runs.txt")
    assert set(wrong_cells(result, busy_report)) == {"s2.i1.rules.issued", "s2.i1.rules.abolished", "s2.i1.rules.in_force"}
    assert all(result.report.values[f"s2.i1.rules.{c}"] is None for c in ("issued", "abolished", "in_force"))
    (refused,) = [p for p in result.diagnostics if p.is_error]
    assert refused.rule == "parse.digit_run"
    assert refused.message == (
        "二、主动公开政府信息情况 第二十条第（一）项：规章：数字连在一起（“2117”），可以拆成 2 1 17；2 11 7；21 1 7"
        "（共 3 种），无法确定，本行 3 格均按空白（未知）处理"
    )
    decoded = [p for p in result.diagnostics if p.rule == "parse.digit_run" and not p.is_error]
    assert len(decoded) == 26  # 25 rows of 三 and the one line of 四
    assert "一、本年新收政府信息公开申请数量：数字连在一起（“951071021018996590”），按表内勾稽关系只有一种拆法，读作 95 107 102 101 89 96 590" in decoded[0].message


def _runs(sample: str, rows: dict[str, str]) -> str:
    """The shared sample with the seven value lines of each named row replaced by one run."""
    for label, run in rows.items():
        sample = replace_row_values(sample, label, [run])
    return sample


def test_digit_run_of_the_row_length_and_an_identity_violation_seen(clean_sample):
    """“0000000” is one digit per cell; “1000002” too — and then 一's row total is violated,
    which validation reports instead of the whole table being refused."""
    text = _runs(clean_sample, {"一、本年新收政府信息公开申请数量": "1000002", "二、上年结转政府信息公开申请数量": "0000000"})
    result = parse_text(text)
    values = result.report.values
    assert [values[f"s3.new.{c}"] for c in ("natural", "business", "research", "welfare", "legal", "other", "total")] == [1, 0, 0, 0, 0, 0, 2]
    assert all(values[f"s3.carried_in.{c}"] == 0 for c in ("natural", "total"))
    assert not result.errors
    assert "s3.row_total" in {p.rule for p in check(result) if p.is_error}


def test_digit_run_split_by_the_row_total(clean_sample):
    """The issue's “291000030”: 29 1 0 0 0 0 30 is the only split whose total holds."""
    result = parse_text(_runs(clean_sample, {"一、本年新收政府信息公开申请数量": "291000030"}))
    assert [result.report.values[f"s3.new.{c}"] for c in ("natural", "business", "total")] == [29, 1, 30]
    (p,) = [p for p in result.diagnostics if p.rule == "parse.digit_run"]
    assert not p.is_error and "读作 29 1 0 0 0 0 30" in p.message


def test_ambiguous_digit_run_refused_naming_the_row(clean_sample):
    """“100001011” keeps 一's total two ways (1 0 0 0 0 10 11 or 10 0 0 0 1 0 11); 四 printed the
    same way leaves 一+二=三+四 holding either way: both rows refused, each named, with the
    candidates — never guessed."""
    text = _runs(clean_sample, {"一、本年新收政府信息公开申请数量": "100001011", "四、结转下年度继续办理": "100001011"})
    result = parse_text(text)
    refused = [p for p in result.diagnostics if p.rule == "parse.digit_run" and p.is_error]
    assert [p.message.split("：")[1] for p in refused] == ["一、本年新收政府信息公开申请数量", "四、结转下年度继续办理"]
    assert all("可以拆成 1 0 0 0 0 10 11；10 0 0 0 1 0 11（共 2 种），无法确定" in p.message for p in refused)
    assert result.report.values["s3.new.total"] is None and result.report.values["s3.carried_over.total"] is None


def test_digit_run_settled_by_the_column_identities(clean_sample):
    """The same run for 一 alone: 一+二=三+四 with 四 all zeros leaves no split (一 must be 0):
    refused as impossible; with 四 printed plainly as 1 0 0 0 0 10 11, exactly one split holds."""
    text = _runs(clean_sample, {"一、本年新收政府信息公开申请数量": "100001011"})
    text = replace_row_values(text, "四、结转下年度继续办理", ["1", "0", "0", "0", "0", "10", "11"])
    result = parse_text(text)
    assert [result.report.values[f"s3.new.{c}"] for c in ("natural", "other", "total")] == [1, 10, 11]
    assert not [p for p in result.diagnostics if p.rule == "parse.digit_run" and p.is_error]


def test_renamed_closing_sections_signature_and_department(busy_report):
    result = parse_file(DAMAGED / "closing-renamed.txt")
    report = result.report
    assert report.narratives["n5"] == "解读形式较为单一。\n六、下一步改进举措\n丰富图解、视频等解读形式。"
    assert report.narratives["n6"] == "本年度未收取信息处理费。"  # the 落款 is not in 六
    assert report.signature == Signature("示例市示例区市场监督管理局", dt.date(2024, 1, 17))
    assert (result.detected_year, result.detected_agency) == (2023, "示例市示例区市场监督管理局")
    rules = [p.rule for p in result.diagnostics]
    assert rules.count("parse.section_renamed") == 3
    missing = [p for p in result.diagnostics if p.rule == "parse.missing_row"]
    assert len(missing) == 1 and not missing[0].is_error and "规章" in missing[0].message
    assert not [p.message for p in check(result) if p.is_error]
    assert set(wrong_cells(result, busy_report)) == {"s2.i1.rules.issued", "s2.i1.rules.abolished", "s2.i1.rules.in_force"}


def test_year_from_the_date_in_chinese_numerals():
    text = (DAMAGED / "closing-renamed.txt").read_text(encoding="utf-8")
    text = text.split("\n", 1)[1].replace("2024年1月17日", "二〇二四年一月十七日")  # no 统计期限 line
    result = parse_text(text)
    assert result.detected_year == 2023
    assert result.report.signature.date == dt.date(2024, 1, 17)
    assert any(p.rule == "parse.year" and "按成文日期" in p.message for p in result.diagnostics)


def test_agency_cleaned_of_markup_and_never_a_sentence(busy_report):
    text = (DAMAGED / "markdown-debris.txt").read_text(encoding="utf-8")
    preamble = (
        "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《关于印发中华人民共和国政府信息公开"
        "工作年度报告格式的通知》（国办公开办函〔2021〕30号）要求，编制本报告。"
    )
    result = parse_text(preamble + "\n" + text)
    assert result.detected_agency == busy_report.agency  # not “定》)和《关于印发中华人民共和国”, no “#”
    no_title = text.split("\n", 1)[1]
    result = parse_text(preamble + "\n" + no_title)
    assert result.detected_agency is None and result.detected_year is None


def _simple_page(busy, rowspan: tuple[str, ...], colspan: tuple[str, str]) -> str:
    """The report as a plain web page whose value cells ``rowspan`` (s3 rows, 自然人) are one cell
    spanning those rows, and whose 规章 cells ``colspan`` (two columns) are one cell."""
    fmt, eff = busy.format, busy.effective()
    out = [f"<html><head><meta charset=utf-8></head><body><p>{busy.agency}{busy.year}年政府信息公开工作年度报告</p>"]
    for section in fmt.sections:
        out.append(f"<p>{section.title}</p>")
        for part in section.parts:
            if len(section.parts) > 1:
                out.append(f"<p>{part.label}</p>")
            out += [f"<p>{x}</p>" for x in busy.narratives.get(part.key, "").split("\n")]
        for table in section.tables:
            if table.caption:
                out.append(f"<p>{table.caption}</p>")
            rows = []
            if table.id == "s4":
                rows.append("<tr>" + "".join(f"<td>{eff[table.key(r.id, c.id)]}</td>" for r in table.rows for c in table.columns) + "</tr>")
            for row in table.rows if table.id != "s4" else ():
                cells = [f"<td>{row.label}</td>"]
                for c in table.columns:
                    key = table.key(row.id, c.id)
                    if c.id == "natural" and row.id in rowspan:
                        if row.id == rowspan[0]:
                            cells.append(f"<td rowspan={len(rowspan)}>{eff[key]}</td>")
                        continue
                    if key == colspan[0]:
                        cells.append(f"<td colspan=2>{eff[key]}</td>")
                        continue
                    if key == colspan[1]:
                        continue
                    cells.append(f"<td>{eff[key]}</td>")
                rows.append("<tr>" + "".join(cells) + "</tr>")
            out.append("<table border=1>" + "".join(rows) + "</table>")
    return "".join(out) + "</body></html>"


def test_merged_value_cells_copied_into_every_cell_they_span(busy_report):
    """A 7 merged down three rows (rowspan) and a 2 spanning two columns (colspan): each cell they
    span holds the value (it was read as blank, an error, for the lower rows)."""
    busy = interchange.loads(interchange.dumps(busy_report))
    for row in ("deny_1", "deny_2", "deny_3"):
        busy.values[f"s3.{row}.natural"] = 7
    busy.values["s2.i1.rules.abolished"] = busy.values["s2.i1.rules.issued"]
    busy.values["s3.deny_1.total"] = sum(busy.effective()[f"s3.deny_1.{c}"] for c in ("natural", "business", "research", "welfare", "legal", "other"))
    html = _simple_page(busy, ("deny_1", "deny_2", "deny_3"), ("s2.i1.rules.issued", "s2.i1.rules.abolished"))
    result = parse_bytes(html.encode("utf-8"), "page.html")
    assert [result.report.values[f"s3.{r}.natural"] for r in ("deny_1", "deny_2", "deny_3")] == [7, 7, 7]
    assert result.report.values["s2.i1.rules.issued"] == result.report.values["s2.i1.rules.abolished"] == busy.values["s2.i1.rules.issued"]
    merged = [p for p in result.diagnostics if p.rule == "parse.merged"]
    assert len(merged) == 3 and not any(p.is_error for p in merged)
    assert not result.errors
