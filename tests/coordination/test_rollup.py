"""report/rollup.py: sums over member reports, derived totals, formats, and the documents."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from docx import Document

from report import rollup as ru
from report.model import Report
from report.validation import validate

from .conftest import full_report

LABELS = ru.RollupLabels(
    title="{office}{year}汇总", sheet_sums="S", sheet_agencies="A", item="项目", counted="计入", missing="缺",
    incomplete="未完", with_errors="错", other_format_head="异格式", other_format="{agency}（{format}）", none="无",
    mixed_note="{n}个异格式",
)


def test_full_reports_are_valid():
    rep = full_report(2024, "甲局", 3)
    assert [p for p in validate(rep) if p.is_error] == []


def test_sums_equal_member_sums_and_totals_are_derived():
    a, b = full_report(2024, "甲局", 3), full_report(2024, "乙局", 11)
    r = ru.rollup(2024, [("甲局", a), ("乙局", b)], office="某县")
    fmt = a.format
    ea, eb = a.effective(), b.effective()
    for key in ru.summed_keys(fmt):
        assert r.values[key] == ea[key] + eb[key], key
    assert r.values["s3.new.total"] == ea["s3.new.total"] + eb["s3.new.total"] > 0
    assert r.values["s2.i8.fees.fees"] == Decimal("14.50")
    # The sum is itself a consistent report.
    summed = Report(format=fmt, year=2024, values={k: v for k, v in r.values.items() if k not in fmt.derived_keys})
    assert [p for p in validate(summed, completeness=False) if p.is_error] == []
    assert r.counted == ["甲局", "乙局"] and not (r.missing or r.incomplete or r.with_errors or r.mixed_formats)


def test_section_two_non_additive_columns_are_left_out():
    a = full_report(2020, "甲局", 2)
    r = ru.rollup(2020, [("甲局", a), ("乙局", full_report(2020, "乙局", 5))])
    assert r.format.id == "2019"
    assert "s2.i9.procurement.amount" not in r.values
    assert r.values["s2.i9.procurement.items"] == a.values["s2.i9.procurement.items"] + full_report(
        2020, "乙局", 5).values["s2.i9.procurement.items"]
    assert all(not k.startswith("n") for k in r.values)


def test_missing_incomplete_errors_and_other_formats():
    good = full_report(2024, "甲局", 3)
    incomplete = full_report(2024, "乙局", 4)
    del incomplete.values["s3.new.natural"]
    wrong = full_report(2024, "丙局", 5)
    wrong.values["s3.open.natural"] += 1  # breaks 一+二 = （七）总计+四
    old = full_report(2024, "丁局", 6, format_id="2019")
    r = ru.rollup(2024, [("甲局", good), ("乙局", incomplete), ("丙局", wrong), ("丁局", old), ("戊局", None)])
    assert r.counted == ["甲局", "乙局", "丙局"]
    assert r.missing == ["戊局"] and r.incomplete == ["乙局"] and r.with_errors == ["丙局"]
    assert r.other_format == [("丁局", "2019")] and r.mixed_formats
    assert r.values["s3.new.natural"] == 3 + 5  # 乙局's missing cell counts as nothing
    assert r.values["s3.open.natural"] == 3 + 4 + 6


def test_documents_carry_the_sums_and_the_lists():
    a, b = full_report(2024, "甲局", 3), full_report(2024, "乙局", 11)
    r = ru.rollup(2024, [("甲局", a), ("乙局", b), ("丙局", None)], office="某县")
    wb = openpyxl.load_workbook(io.BytesIO(ru.to_xlsx(r, LABELS)))
    ws = wb["S"]
    assert ws["A1"].value == "某县2024汇总"
    rows = {row[0]: row[1:] for row in ws.iter_rows(values_only=True) if row and row[0]}
    new_row = rows["一、本年新收政府信息公开申请数量"]
    assert list(new_row[:7]) == [r.values[f"s3.new.{c}"] for c in
                                 ("natural", "business", "research", "welfare", "legal", "other", "total")]
    assert rows["行政事业性收费"][0] == pytest.approx(14.5)
    agencies = {row[0]: row[1] for row in wb["A"].iter_rows(values_only=True)}
    assert agencies["缺"] == "丙局" and agencies["计入"] == "甲局、乙局" and agencies["错"] == "无"
    doc = Document(io.BytesIO(ru.to_docx(r, LABELS)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "某县2024汇总" in text and "缺：丙局" in text
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert str(r.values["s3.new.total"]) in cells
