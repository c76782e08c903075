"""Drafts generated from the figures say only what the figures say."""

from __future__ import annotations

from report.drafts import draft_for
from report.model import Report


def _zero_report(year: int) -> Report:
    rep = Report.new("某局", year)
    for key in rep.format.input_keys:
        rep.values[key] = 0
    return rep


def test_six_draft_is_the_standard_line_when_no_figure_concerns_it():
    rep = _zero_report(2023)
    part = rep.format.narrative_part("n6")
    assert draft_for(part, rep) == "无其他需要报告的事项。"


def test_six_draft_names_applications_dropped_after_an_unpaid_fee_notice():
    rep = _zero_report(2023)
    rep.values["s3.other_2.natural"] = 2
    rep.values["s3.other_2.business"] = 1
    text = draft_for(rep.format.narrative_part("n6"), rep)
    assert "3件" in text and "收费通知" in text and text.endswith("无其他需要报告的事项。")


def test_the_2019_format_has_no_fee_row_and_its_draft_is_the_standard_line():
    rep = _zero_report(2020)
    assert draft_for(rep.format.narrative_part("n6"), rep) == "无其他需要报告的事项。"
