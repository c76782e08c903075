"""Render → parse: our own output (txt, md, html, docx) reads back to the same report."""

from __future__ import annotations

from decimal import Decimal

import pytest

from report.parsing import check, parse_bytes, parse_text
from report.render import render

KINDS = ("txt", "md", "html", "docx")
PREAMBLE = {"website": "示例市人民政府门户网站", "contact": "示例局办公室（电话：0000-1234567）"}


@pytest.mark.parametrize("kind", KINDS)
def test_busy_2021_round_trip(busy, kind):
    result = parse_bytes(render(busy, kind, preamble=PREAMBLE), f"r.{kind}")
    assert (result.detected_year, result.detected_agency, result.detected_format) == (2023, busy.agency, "2021")
    assert not result.errors, [p.message for p in result.errors]
    assert result.report.filled() == busy.filled()
    assert result.report.narratives == busy.narratives
    assert not [p for p in check(result) if p.is_error]


@pytest.mark.parametrize("kind", KINDS)
def test_2019_sample_round_trip(sample_text, kind):
    original = parse_text(sample_text).report  # its damaged row is blank (None)
    original.values["s2.i9.procurement.amount"] = Decimal("251000")
    original.units["s2.i9.procurement.amount"] = "元"
    original.values["s2.i5.licensing.change"] = -8
    result = parse_bytes(render(original, kind), f"r.{kind}")
    assert (result.detected_year, result.detected_format) == (2020, "2019")
    assert result.report.values == original.values
    assert result.report.units == original.units
    assert result.report.narratives == original.narratives
    # the blank row is reported as blank, by its label
    (p,) = [p for p in result.diagnostics if p.is_error]
    assert p.rule == "parse.blank" and "5.属于三类内部事务信息" in p.message


@pytest.mark.parametrize("kind", ("txt", "html", "docx"))
def test_blank_cells_round_trip(busy, kind):
    busy.values["s3.new.total"] = None
    busy.values["s3.deny_5.natural"] = None
    result = parse_bytes(render(busy, kind), f"r.{kind}")
    assert result.report.filled() == busy.filled()
    blanks = [p for p in result.diagnostics if p.rule == "parse.blank"]
    assert {c for p in blanks for c in p.cells} == {"s3.new.total", "s3.deny_5.natural"}
