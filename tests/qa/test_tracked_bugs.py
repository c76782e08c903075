"""Regressions for bugs found in QA."""

from __future__ import annotations

from pathlib import Path

from report import interchange
from report.validation import check_previous

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "2023-busy.json"


def _busy(year: int):
    report = interchange.loads(FIXTURE.read_text(encoding="utf-8"))
    report.year = year
    return report


def test_check_previous_does_not_compare_another_year():
    problems = check_previous(_busy(2022), _busy(2023))
    assert [p.rule for p in problems] == ["previous.year"]
