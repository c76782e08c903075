"""Drafts written from the figures (report/drafts.py) and the 信息处理费 facts of the 2021 format."""

from __future__ import annotations

from decimal import Decimal

from report.drafts import draft_for, fees
from report.model import Report
from report.validation import validate


def zero_report(year: int) -> Report:
    rep = Report.new("某局", year)
    for key in rep.format.input_keys:
        rep.values[key] = 0
    return rep


def draft(rep: Report, key: str) -> str | None:
    return draft_for(rep.format.narrative_part(key), rep)


# -- 一（二）依申请公开 ---------------------------------------------------------------------------------
def test_request_draft_waits_for_every_figure_of_table_three() -> None:
    rep = zero_report(2023)
    del rep.values["s3.deny_3.legal"]
    assert draft(rep, "n1.request") is None
    assert draft(rep, "n1.active") is None  # a part without a draft


def test_request_draft_says_only_what_the_figures_say() -> None:
    rep = zero_report(2023)
    assert draft(rep, "n1.request") == "本年度未收到政府信息公开申请，也无上年结转的申请。"
    rep.values |= {"s3.new.natural": 3, "s3.new.business": 2, "s3.carried_in.natural": 1}
    rep.values |= {"s3.open.natural": 2, "s3.partial.business": 1, "s3.deny_1.natural": 1, "s3.deny_4.business": 1}
    rep.values |= {"s3.other_2.natural": 1, "s3.carried_over.natural": 0}
    assert draft(rep, "n1.request") == (
        "本年度共收到政府信息公开申请5件，上年结转1件。"
        "办理结果：予以公开2件，部分公开1件，不予公开2件，其他处理1件。结转下年度继续办理0件。"
    )


def test_request_draft_in_the_2019_format() -> None:
    rep = zero_report(2020)
    rep.values |= {"s3.new.natural": 1, "s3.unable_1.natural": 1}
    assert draft(rep, "n1.request") == "本年度共收到政府信息公开申请1件，上年结转0件。办理结果：无法提供1件。结转下年度继续办理0件。"


# -- 六 and the 信息处理费 ---------------------------------------------------------------------------
def test_six_draft_before_the_fees_are_answered_is_the_standard_line() -> None:
    rep = zero_report(2023)
    assert fees(rep) is None
    assert draft(rep, "n6") == "无其他需要报告的事项。"
    rep.values |= {"s3.other_2.natural": 2, "s3.other_2.business": 1}
    assert draft(rep, "n6") == (
        "本年度有3件政府信息公开申请因申请人逾期未按收费通知要求缴纳费用，行政机关不再处理。无其他需要报告的事项。"
    )


def test_six_draft_states_no_fee_when_all_are_zero() -> None:
    rep = zero_report(2023)
    rep.values |= {"s6.fee.notices": 0, "s6.fee.amount": Decimal(0), "s6.fee.collected": Decimal(0)}
    assert draft(rep, "n6") == "本年度未收取信息处理费。无其他需要报告的事项。"


def test_six_draft_states_the_fees_as_written() -> None:
    rep = zero_report(2023)
    rep.values |= {"s6.fee.notices": 2, "s6.fee.amount": Decimal("120.50"), "s6.fee.collected": Decimal("100.00")}
    rep.values["s3.other_2.legal"] = 1
    assert draft(rep, "n6") == (
        "本年度依据《政府信息公开信息处理费管理办法》发出收费通知2件，金额120.50元，实际收取信息处理费100.00元。"
        "本年度有1件政府信息公开申请因申请人逾期未按收费通知要求缴纳费用，行政机关不再处理。无其他需要报告的事项。"
    )
    rep.values |= {"s6.fee.notices": 0, "s6.fee.amount": Decimal(0)}  # notices of last year, paid this year
    assert draft(rep, "n6").startswith("本年度未发出收费通知，实际收取信息处理费100.00元。")


def test_the_2019_format_asks_for_no_fees() -> None:
    rep = zero_report(2020)
    assert rep.format.fact_keys == () and fees(rep) is None
    assert draft(rep, "n6") == "无其他需要报告的事项。"


def test_fee_facts_are_checked() -> None:
    rep = zero_report(2023)
    rep.narratives = {p.key: "有。" for p in rep.format.narrative_parts}
    assert validate(rep) == []  # not answered: nothing to check
    rep.values |= {"s6.fee.notices": 0, "s6.fee.amount": Decimal("50"), "s6.fee.collected": Decimal(0)}
    (p,) = validate(rep)
    assert (p.severity, p.rule, p.section) == ("error", "facts.fee", "六")
    assert p.message == "六、其他需要报告的事项：信息处理费：未发出收费通知，收费通知金额应为 0，填的是 50 元"
    rep.values |= {"s6.fee.notices": 1, "s6.fee.amount": Decimal(0)}
    (p,) = validate(rep)
    assert (p.severity, p.rule) == ("warning", "facts.fee")
    rep.values |= {"s6.fee.notices": -1}
    assert {p.rule for p in validate(rep) if p.is_error} == {"cell.range"}


def test_a_fee_written_in_the_text_agrees_with_the_amount_collected() -> None:
    rep = zero_report(2023)
    rep.narratives = {p.key: "有。" for p in rep.format.narrative_parts}
    rep.values |= {"s6.fee.notices": 1, "s6.fee.amount": Decimal("30"), "s6.fee.collected": Decimal("30.00")}
    rep.narratives["n6"] = "本年度实际收取信息处理费30元。"
    assert validate(rep) == []
    rep.narratives["n6"] = "本年度收取信息处理费２０元。"
    (p,) = validate(rep)
    assert p.rule == "narrative.figures" and "收取信息处理费20元" in p.message and "30.00元" in p.message
    rep.narratives["n6"] = "本年度未收取信息处理费。"
    assert [p.rule for p in validate(rep)] == ["narrative.figures"]
