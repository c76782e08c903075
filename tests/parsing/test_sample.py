"""The shared sample (text copied from a government web page) reads to its figures."""

from __future__ import annotations

from report.parsing import check, parse_file, parse_text

from .conftest import SAMPLE, SAMPLE_AGENCY


def test_sample_detects_year_agency_format():
    result = parse_file(SAMPLE)
    assert result.detected_year == 2020
    assert result.detected_agency == SAMPLE_AGENCY
    assert result.detected_format == "2019"
    assert result.source == "txt"
    assert result.report.year == 2020 and result.report.agency == SAMPLE_AGENCY


def test_sample_figures_all_zero_and_damaged_row_blank(sample_text):
    result = parse_text(sample_text)
    report = result.report
    fmt = report.format
    lost = {k for k in fmt.cells if k.startswith("s3.deny_5.")}
    assert len(lost) == 7
    for key in fmt.cells:
        assert key in report.values, key
        if key in lost:
            assert report.values[key] is None, key  # not shifted, not guessed
        else:
            assert report.values[key] == 0, key


def test_sample_row_that_lost_a_cell_is_named(sample_text):
    result = parse_text(sample_text)
    errors = [p for p in result.diagnostics if p.is_error]
    assert len(errors) == 1
    (problem,) = errors
    assert problem.rule == "parse.missing_cell"
    assert "5.属于三类内部事务信息：应有 7 个数，只有 6 个" in problem.message
    assert set(problem.cells) == {f"s3.deny_5.{c}" for c in ("natural", "business", "research", "welfare", "legal", "other", "total")}
    # check() does not repeat the blanks validation would report for the same cells
    problems = check(result)
    assert [p.rule for p in problems if p.is_error] == ["parse.missing_cell"]


def test_sample_narratives(sample_text):
    n = parse_text(sample_text).report.narratives
    assert set(n) == {"n1.active", "n1.request", "n1.management", "n1.platform", "n1.oversight", "n5", "n6"}
    assert n["n1.request"] == "我中心2020年无依申请公开情况。"
    # A heading with its text on the same line: the heading is dropped, the text kept.
    assert n["n1.management"].startswith("强化工作措施,完善工作制度。")
    # The introduction before （一） is kept (in the first part), and said so.
    assert n["n1.active"].startswith("按照区政务公开工作领导小组要求")
    assert "150余条" in n["n1.active"]
    assert n["n5"].startswith("(一)存在问题。") and "(二)整改措施。" in n["n5"]
    assert n["n6"] == "无其他需要报告的事项。"
    assert any(p.rule == "parse.narrative" and not p.is_error for p in parse_text(sample_text).diagnostics)
