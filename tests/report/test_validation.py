"""Validation: each identity caught with its exact cells and numbers, cell checks, cross-year checks."""

from __future__ import annotations

from decimal import Decimal

from report import formats
from report.model import Report
from report.validation import ERROR, WARNING, validate


def by_rule(problems, rule):
    return [p for p in problems if p.rule == rule]


def zero_report(year: int = 2023, format_id: str | None = None) -> Report:
    """Every input cell 0 (totals not entered: the bot's way), all narratives written."""
    r = Report.new("示例县人民政府办公室", year, format_id)
    for key in r.format.input_keys:
        r.values[key] = 0
    for part in r.format.narrative_parts:
        r.narratives[part.key] = "本年度工作情况良好。"
    return r


def test_busy_fixture_is_consistent(busy: Report) -> None:
    assert validate(busy) == []


def test_row_total_and_results_total_name_the_cells(busy: Report) -> None:
    busy.values["s3.deny_3.business"] += 1
    problems = [p for p in validate(busy) if p.is_error]
    assert {p.rule for p in problems} == {"s3.row_total", "s3.results_total"}
    (row,) = by_rule(problems, "s3.row_total")
    assert row.cells == (
        "s3.deny_3.total",
        "s3.deny_3.natural",
        "s3.deny_3.business",
        "s3.deny_3.research",
        "s3.deny_3.welfare",
        "s3.deny_3.legal",
        "s3.deny_3.other",
    )
    total = busy.values["s3.deny_3.total"]
    assert f"（三）3：总计为{total}，但各类申请人之和" in row.message
    assert f"为{total + 1}" in row.message
    (col,) = by_rule(problems, "s3.results_total")
    assert col.cells[0] == "s3.total.business"
    assert "s3.deny_3.business" in col.cells and "s3.deny_3.natural" not in col.cells
    assert col.message.startswith("三、收到和处理政府信息公开申请情况：商业企业列：（七）总计为")
    assert all(p.section == "三" for p in problems)


def test_balance_names_both_sides(busy: Report) -> None:
    # Row totals still add up, but 一+二 no longer equals （七）总计+四 in two columns.
    busy.values["s3.new.natural"] += 2
    busy.values["s3.new.total"] += 2
    problems = [p for p in validate(busy) if p.is_error]
    assert {p.rule for p in problems} == {"s3.balance"}
    assert [p.cells for p in problems] == [
        ("s3.new.natural", "s3.carried_in.natural", "s3.total.natural", "s3.carried_over.natural"),
        ("s3.new.total", "s3.carried_in.total", "s3.total.total", "s3.carried_over.total"),
    ]
    v = busy.values
    lhs = v["s3.new.natural"] + v["s3.carried_in.natural"]
    rhs = v["s3.total.natural"] + v["s3.carried_over.natural"]
    assert problems[0].message.endswith(f"自然人列：一+二={lhs}，但（七）总计+四={rhs}")


def test_balance_message_with_derived_totals() -> None:
    r = zero_report()
    r.values["s3.new.natural"] = 3
    r.values["s3.carried_in.natural"] = 2
    r.values["s3.open.natural"] = 4
    messages = [p.message for p in validate(r) if p.rule == "s3.balance"]
    assert "三、收到和处理政府信息公开申请情况：总计列：一+二=5，但（七）总计+四=4" in messages
    assert "三、收到和处理政府信息公开申请情况：自然人列：一+二=5，但（七）总计+四=4" in messages
    # Totals are derived, so no total is "wrong": only the balance is reported.
    assert {p.rule for p in validate(r) if p.is_error} == {"s3.balance"}


def test_section_4_total(busy: Report) -> None:
    busy.values["s4.suit_after.pending"] += 1
    (p,) = [p for p in validate(busy) if p.is_error]
    assert p.rule == "s4.total"
    assert p.cells == (
        "s4.suit_after.total",
        "s4.suit_after.upheld",
        "s4.suit_after.corrected",
        "s4.suit_after.other",
        "s4.suit_after.pending",
    )
    v = busy.values
    terms = sum(v[f"s4.suit_after.{c}"] for c in ("upheld", "corrected", "other", "pending"))
    assert p.message == (
        f"四、政府信息公开行政复议、行政诉讼情况：复议后起诉：总计为{v['s4.suit_after.total']}，"
        f"但结果维持+结果纠正+其他结果+尚未审结={terms}"
    )


def test_lawsuit_after_review_may_exceed_reviews(busy: Report) -> None:
    busy.values["s4.suit_after.upheld"] += 50
    busy.values["s4.suit_after.total"] += 50
    assert validate(busy) == []


def test_blank_is_not_zero() -> None:
    r = zero_report()
    assert [p for p in validate(r) if p.is_error] == []
    r.values["s3.deny_5.natural"] = None
    problems = [p for p in validate(r) if p.is_error]
    assert [(p.rule, p.cells) for p in problems] == [("cell.blank", ("s3.deny_5.natural",))]
    assert "5.属于三类内部事务信息 自然人 为空白（没有数据应填 0）" in problems[0].message


def test_sample_lost_cell_is_reported_as_blank(sample: Report) -> None:
    problems = [p for p in validate(sample) if p.is_error]
    assert [(p.rule, p.cells) for p in problems] == [("cell.blank", ("s3.deny_5.total",))]


def test_negative_in_int_cell() -> None:
    r = zero_report()
    r.values["s2.i6.penalty.decisions"] = -3
    (p,) = [p for p in validate(r) if p.is_error]
    assert (p.rule, p.cells, p.section) == ("cell.range", ("s2.i6.penalty.decisions",), "二")
    assert p.message.endswith("第二十条第（六）项 行政处罚 本年处理决定数量 不能为负数，填的是 -3")


def test_negative_fee_is_an_error() -> None:
    r = zero_report()
    r.values["s2.i8.fees.fees"] = Decimal("-0.5")
    assert [p.rule for p in validate(r) if p.is_error] == ["cell.range"]


def test_signed_change_may_be_negative_in_2019_format() -> None:
    r = zero_report(2020)
    assert r.format.id == "2019"
    r.values["s2.i5.licensing.change"] = -8
    r.values["s2.i8.fees.change"] = -2
    assert [p for p in validate(r) if p.is_error] == []
    r.values["s2.i5.licensing.prev_items"] = -8
    assert [p.cells for p in validate(r) if p.is_error] == [("s2.i5.licensing.prev_items",)]


def test_carry_over_against_last_year() -> None:
    last = zero_report(2022)
    last.values["s3.carried_over.natural"] = 3
    last.values["s3.open.natural"] = 0
    last.values["s3.new.natural"] = 3
    this = zero_report(2023)
    this.values["s3.carried_in.natural"] = 2
    this.values["s3.open.natural"] = 2
    assert validate(this) == []
    p, total = validate(this, previous=last)
    assert (p.severity, p.rule, p.cells) == (ERROR, "carry_over", ("s3.carried_in.natural",))
    assert (total.rule, total.cells) == ("carry_over", ("s3.carried_in.total",))
    assert p.message == (
        "三、自然人列：本年“二、上年结转政府信息公开申请数量”为2，但2022年度报告“四、结转下年度继续办理”为3"
    )
    this.values["s3.carried_in.natural"] = 3
    this.values["s3.open.natural"] = 3
    assert validate(this, previous=last) == []


def test_carry_over_from_a_2019_format_report() -> None:
    last = zero_report(2020)
    last.values["s3.carried_over.legal"] = 1
    last.values["s3.new.legal"] = 1
    this = zero_report(2021)
    problems = validate(this, previous=last)
    assert [(p.rule, p.cells) for p in problems] == [
        ("carry_over", ("s3.carried_in.legal",)),
        ("carry_over", ("s3.carried_in.total",)),
    ]


def test_in_force_trend_is_a_soft_warning() -> None:
    last = zero_report(2022)
    last.values["s2.i1.normative.in_force"] = 40
    this = zero_report(2023)
    this.values.update({"s2.i1.normative.issued": 5, "s2.i1.normative.abolished": 2})
    this.values["s2.i1.normative.in_force"] = 43
    assert validate(this, previous=last) == []
    this.values["s2.i1.normative.in_force"] = 45
    (p,) = validate(this, previous=last)
    assert (p.severity, p.rule, p.cells) == (WARNING, "in_force.trend", ("s2.i1.normative.in_force",))
    assert "上年现行有效40+本年制发5−本年废止2=43，但本年现行有效件数为45" in p.message


def test_narrative_figures_contradict_the_table() -> None:
    r = zero_report()
    r.values["s3.new.natural"] = 4
    r.values["s3.open.natural"] = 4
    r.narratives["n1.request"] = "全年共收到申请5件，均按时答复。"
    (p,) = validate(r)
    assert (p.severity, p.rule) == (WARNING, "narrative.figures")
    assert p.cells == ("n1.request", "s3.new.total")
    assert p.message == (
        "一、总体情况（二）依申请公开写“收到申请5件”，但表三“一、本年新收政府信息公开申请数量”总计为4"
    )
    r.narratives["n1.request"] = "全年共收到申请4件，均按时答复。"
    assert validate(r) == []


def test_narrative_says_none_but_table_has_requests() -> None:
    r = zero_report()
    r.narratives["n1.request"] = "我中心本年度无依申请公开情况。"
    assert validate(r) == []
    r.values["s3.new.other"] = 1
    r.values["s3.open.other"] = 1
    (p,) = validate(r)
    assert p.rule == "narrative.figures" and "写无依申请公开" in p.message


def test_format_must_match_year() -> None:
    assert validate(zero_report(2020)) == []
    wrong = zero_report(2023, "2019")
    (p,) = validate(wrong)
    assert (p.severity, p.rule) == (WARNING, "format.year")
    assert "2023年度报告使用了中华人民共和国政府信息公开工作年度报告格式（试行）" in p.message
    (p,) = validate(zero_report(2020, "2021"))
    assert p.rule == "format.year"


def test_section_5_must_not_be_empty() -> None:
    r = zero_report()
    del r.narratives["n5"]
    (p,) = validate(r)
    assert (p.severity, p.rule, p.cells) == (ERROR, "narrative.empty", ("n5",))
    del r.narratives["n6"]  # optional: "无其他需要报告的事项" is printed instead
    assert [p.cells for p in validate(r)] == [("n5",)]


def test_formats_for_years() -> None:
    assert formats.for_year(2019).id == "2019"
    assert formats.for_year(2020).id == "2019"
    assert formats.for_year(2021).id == "2021"
    assert formats.for_year(2030).id == "2021"
