"""QA regressions in report/numbers.py."""

from __future__ import annotations

import pytest

from report.numbers import NumberError, parse_row


@pytest.mark.parametrize(
    ("text", "types", "plain"),
    [("1,234", ["int"], "1234"), ("１，２３４", ["int"], "1234"), ("1,234.5", ["decimal"], "1234.5")],
)
def test_thousands_separator_gets_a_hint(text, types, plain):
    with pytest.raises(NumberError) as exc:
        parse_row(text, types)
    assert "需要 1 个数字，收到 2 个" in exc.value.reason
    assert f"请写成 {plain}" in exc.value.reason


def test_separator_commas_get_no_hint():
    with pytest.raises(NumberError) as exc:
        parse_row("3,0,0", ["int", "int"])
    assert exc.value.reason == "需要 2 个数字，收到 3 个"
    assert parse_row("3,0,0", ["int"] * 3) == [3, 0, 0]
