"""The cheaper paths agree with the plain computations they stand for, on random reports: the
effective values (passes over the derived identities), a single total computed from its terms
(Report.effective_value) and one section's errors (section_checks)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from report import formats
from report.model import Report
from report.validation import section_checks, validate

INCOMPLETE_RULES = ("section.incomplete", "narrative.empty")
ABSENT = object()


def reference_effective(report: Report) -> dict:
    """Every derived identity in format order, pass after pass, until a pass computes nothing."""
    out = dict(report.values)
    rules = [(i.target, i.rhs) for i in report.format.identities if i.derived]
    changed = True
    while changed:
        changed = False
        for target, rhs in rules:
            if target in out:
                continue
            terms = [out.get(k) for k in rhs]
            if None not in terms:
                out[target] = sum(terms, start=0)
                changed = True
    return out


def random_value(rng: random.Random):
    x = rng.random()
    if x < 0.04:
        return None  # a blank cell
    if x < 0.08:
        return -rng.randint(1, 5)
    if x < 0.12:
        return Decimal(rng.randint(0, 40)) / 10
    return rng.randint(0, 30)


def random_report(rng: random.Random, fmt, year: int) -> Report:
    """Some cells entered, a few totals entered too (as a parsed report may have them)."""
    report = Report(fmt, year, "示例机关")
    share = rng.random()
    for key in fmt.cells:
        if rng.random() < share and (key not in fmt.derived_keys or rng.random() < 0.15):
            report.values[key] = random_value(rng)
    for part in fmt.narrative_parts:
        if rng.random() < 0.5:
            report.narratives[part.key] = rng.choice(["全年共收到政府信息公开申请12件。", "无依申请公开申请。", "情况良好。"])
    return report


def described(value) -> tuple:
    return (type(value).__name__, str(value))


@pytest.mark.parametrize("format_id", ["2019", "2021"])
def test_effective_values_and_single_totals(format_id: str) -> None:
    rng = random.Random(format_id)
    fmt = formats.load(format_id)
    for _ in range(150):
        report = random_report(rng, fmt, fmt.first_year)
        expected = reference_effective(report)
        effective = report.effective()
        assert list(effective) == list(expected)
        assert [described(v) for v in effective.values()] == [described(v) for v in expected.values()]
        for key in fmt.cells:
            found = report.effective_value(key, ABSENT)
            assert (found is ABSENT) == (key not in expected), key
            if found is not ABSENT:
                assert described(found) == described(expected[key]), key
            assert report.effective_value(key) == expected.get(key)


@pytest.mark.parametrize("format_id", ["2019", "2021"])
def test_section_checks_find_the_section_errors_of_validate(format_id: str) -> None:
    rng = random.Random(f"sections {format_id}")
    fmt = formats.load(format_id)
    for _ in range(100):
        report = random_report(rng, fmt, fmt.first_year + 1)
        previous = random_report(rng, fmt, fmt.first_year) if rng.random() < 0.5 else None
        problems = validate(report, previous)
        for section in fmt.sections:

            def errors(found, sid=section.id):
                return sorted(
                    (p.rule, p.message, p.cells)
                    for p in found
                    if p.is_error and p.section == sid and p.rule not in INCOMPLETE_RULES
                )

            assert errors(section_checks(report, previous, section.id)) == errors(problems)
