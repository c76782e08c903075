"""``check(result, previous)`` with a "previous" report of the wrong year (disclosure-bot check --previous)."""

from __future__ import annotations

from pathlib import Path

from report import interchange
from report.parsing import check, parse_bytes

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "2023-busy.json"


def _busy(year: int):
    report = interchange.loads(FIXTURE.read_text(encoding="utf-8"))
    report.year = year
    return report


def test_wrong_year_previous_is_not_compared():
    """A 2023 report given as last year's for a 2022 report: one warning, no invented carry-over errors."""
    result = parse_bytes(interchange.dumps(_busy(2022)).encode("utf-8"), "2022.json")
    problems = check(result, _busy(2023))
    rules = [p.rule for p in problems]
    assert rules == ["previous.year"]
    assert problems[0].message == "上年报告是2023年度的，不是2021年度，未做跨年度核对"
    assert not any(p.is_error for p in problems)


def test_right_year_previous_is_compared():
    result = parse_bytes(interchange.dumps(_busy(2024)).encode("utf-8"), "2024.json")
    rules = {p.rule for p in check(result, _busy(2023))}
    assert "carry_over" in rules and "previous.year" not in rules
