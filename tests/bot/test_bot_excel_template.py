"""The Excel template: what an officer downloads, fills in Excel/WPS and sends back."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from scenarios import locate

from report import interchange
from report.excel_template import make_template, read_template
from report.model import Report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def busy() -> Report:
    return interchange.loads((FIXTURES / "2023-busy.json").read_text(encoding="utf-8")).without_derived()


def sample_2019() -> Report:
    return interchange.loads((FIXTURES / "2020-shuicheng.json").read_text(encoding="utf-8")).without_derived()


def empty_like(rep: Report) -> Report:
    return Report(format=rep.format, year=rep.year, agency=rep.agency)


# -- a user's view of the workbook: cells found by the labels printed in it (scenarios.locate) -------
def fill(data: bytes, rep: Report, values: dict[str, object], units: dict[str, str] | None = None) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    for key, value in values.items():
        locate(wb, rep, key).value = value
    for _key, unit in (units or {}).items():
        ws = wb[rep.format.section("二").title[:31]]
        row = next(r for r in ws.iter_rows() if isinstance(r[0].value, str) and r[0].value.endswith("（元或万元）"))
        row[1].value = unit
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# -- round trips --------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [busy, sample_2019])
def test_a_filled_report_round_trips_exactly(make):
    rep = make()
    new, problems = read_template(make_template(rep), rep)
    assert problems == []
    assert new.values == rep.values
    assert new.units == rep.units
    assert new.narratives == rep.narratives  # the template has the tables only; narratives are kept


def test_the_template_shows_the_official_labels_and_marks_totals_auto():
    rep = busy()
    wb = load_workbook(io.BytesIO(make_template(rep)))
    assert wb.sheetnames[0] == "填报说明"
    assert wb["_keys"].sheet_state == "hidden"
    assert "二、主动公开政府信息情况" in wb.sheetnames
    s3 = wb["三、收到和处理政府信息公开申请情况"]
    texts = {c.value for row in s3.iter_rows() for c in row if isinstance(c.value, str)}
    for label in ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况",
                  "法人或其他组织", "3.危及“三安全一稳定”", "（七）总计", "四、结转下年度继续办理"):
        assert label in texts
    total = locate(wb, rep, "s3.new.total")
    assert str(total.value).startswith("=SUM(")
    assert "自动计算" in total.comment.text
    # the current values are filled in
    assert locate(wb, rep, "s3.new.natural").value == rep.values["s3.new.natural"]


def test_an_officer_fills_an_empty_template_and_it_is_read_back():
    rep = busy()
    blank = empty_like(rep)
    typed: dict[str, object] = {}
    for key, value in rep.values.items():
        if isinstance(value, Decimal):
            typed[key] = float(value)  # what Excel stores
        elif key.startswith("s3.") and key.endswith(".natural"):
            typed[key] = f"{value}"  # typed as text, e.g. pasted from WPS
        else:
            typed[key] = value
    typed["s3.new.business"] = "０" if rep.values["s3.new.business"] == 0 else str(rep.values["s3.new.business"])
    new, problems = read_template(fill(make_template(blank), blank, typed), blank)
    assert [p.message for p in problems] == []
    assert new.values == rep.values
    assert isinstance(new.values["s2.i8.fees.fees"], Decimal)


def test_blank_cells_stay_unanswered():
    rep = busy()
    blank = empty_like(rep)
    new, problems = read_template(fill(make_template(blank), blank, {"s4.review.upheld": 2}), blank)
    assert problems == []
    assert new.values == {"s4.review.upheld": 2}


def test_2019_unit_of_procurement_amount_is_read():
    rep = sample_2019()
    blank = empty_like(rep)
    data = fill(make_template(blank), blank, {"s2.i9.procurement.amount": 12.5}, units={"x": "万元"})
    new, problems = read_template(data, blank)
    assert problems == []
    assert new.values["s2.i9.procurement.amount"] == Decimal("12.5")
    assert new.units == {"s2.i9.procurement.amount": "万元"}


# -- errors: every problem named by its labels, nothing returned -----------------------------------
def test_bad_cells_are_each_named_by_their_labels():
    rep = busy()
    data = fill(make_template(rep), rep, {
        "s3.deny_5.natural": "abc",
        "s2.i1.rules.issued": -1,
        "s4.review.upheld": 1.5,
        "s2.i8.fees.fees": "十万",
    })
    new, problems = read_template(data, rep)
    assert new is None
    messages = [p.message for p in problems]
    assert "三、5.属于三类内部事务信息·自然人：“abc”不是数字" in messages
    assert any(m.startswith("二、第二十条第（一）项 规章·本年制发件数：") and "负数" in m for m in messages)
    assert any(m.startswith("四、行政复议·结果维持：") and "不是整数" in m for m in messages)
    assert any(m.startswith("二、第二十条第（八）项 行政事业性收费·本年收费金额（单位：万元）：") for m in messages)
    assert len(problems) == 4


def test_an_identity_error_refuses_the_file():
    rep = busy()
    data = fill(make_template(rep), rep, {"s3.carried_over.natural": rep.values["s3.carried_over.natural"] + 1})
    new, problems = read_template(data, rep)
    assert new is None
    assert any(p.rule == "s3.balance" and "自然人列" in p.message for p in problems)


def test_a_total_typed_over_its_formula_must_agree():
    rep = busy()
    data = fill(make_template(rep), rep, {"s4.review.total": 999})
    new, problems = read_template(data, rep)
    assert new is None
    assert any(p.rule == "s4.total" and "999" in p.message for p in problems)


def test_a_total_typed_over_its_formula_that_agrees_is_accepted_and_not_stored():
    rep = busy()
    total = sum(rep.values[f"s4.review.{c}"] for c in ("upheld", "corrected", "other", "pending"))
    new, problems = read_template(fill(make_template(rep), rep, {"s4.review.total": total}), rep)
    assert problems == []
    assert "s4.review.total" not in new.values


def test_not_an_xlsx():
    rep = busy()
    for data in (b"hello", b"PK\x03\x04 broken", b"%PDF-1.7\n"):
        new, problems = read_template(data, rep)
        assert new is None and len(problems) == 1
        assert "Excel" in problems[0].message or "损坏" in problems[0].message


def test_a_docx_or_foreign_workbook_is_refused():
    rep = busy()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    new, problems = read_template(buf.getvalue(), rep)
    assert new is None and "Excel" in problems[0].message
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = 3
    out = io.BytesIO()
    wb.save(out)
    new, problems = read_template(out.getvalue(), rep)
    assert new is None and "不是本机器人生成的填报模板" in problems[0].message


def test_a_zip_bomb_is_refused_before_unpacking():
    rep = busy()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 * 1024 * 1024))
    assert len(buf.getvalue()) < 200_000
    new, problems = read_template(buf.getvalue(), rep)
    assert new is None
    assert problems[0].rule == "template.too_large"


def test_a_template_of_another_year_or_format_is_refused():
    rep = busy()
    other_year = Report(format=rep.format, year=rep.year - 1, agency=rep.agency)
    new, problems = read_template(make_template(other_year), rep)
    assert new is None and "2022" in problems[0].message and "2023" in problems[0].message
    old_format = Report.new(rep.agency, 2020)
    new, problems = read_template(make_template(old_format), rep)
    assert new is None and problems[0].rule == "template.wrong_report"


def test_a_moved_row_is_detected_not_misread():
    rep = busy()
    wb = load_workbook(io.BytesIO(make_template(rep)))
    wb["三、收到和处理政府信息公开申请情况"].insert_rows(8)
    out = io.BytesIO()
    wb.save(out)
    new, problems = read_template(out.getvalue(), rep)
    assert new is None and problems[0].rule == "template.structure"
