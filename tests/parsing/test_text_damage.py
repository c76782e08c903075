"""Synthetic damage to copied text, each caught precisely and never guessed silently."""

from __future__ import annotations

from decimal import Decimal

from report.parsing import check, parse_bytes, parse_text
from report.render import render

from .conftest import replace_row_values


def _rules(result, severity=None):
    return [p.rule for p in result.diagnostics if severity is None or p.severity == severity]


def _only(result, rule):
    found = [p for p in result.diagnostics if p.rule == rule]
    assert len(found) == 1, [p.message for p in result.diagnostics]
    return found[0]


def test_dropped_cell_in_section_two(clean_sample):
    text = replace_row_values(clean_sample, "规章", ["0", "0"])
    result = parse_text(text)
    p = _only(result, "parse.missing_cell")
    assert "第二十条第（一）项：规章：应有 3 个数，只有 2 个" in p.message
    assert all(result.report.values[f"s2.i1.rules.{c}"] is None for c in ("made", "published", "public_total"))
    # the next row is unaffected
    assert result.report.values["s2.i1.normative.made"] == 0


def test_extra_cell(clean_sample):
    text = replace_row_values(clean_sample, "行政许可", ["1", "2", "3", "4"])
    p = next(p for p in parse_text(text).diagnostics if p.rule == "parse.extra_cell")
    assert "行政许可：应有 3 个数，却有 4 个" in p.message
    assert p.is_error


def test_blank_total_is_blank_not_assumed(clean_sample):
    text = replace_row_values(clean_sample, "一、本年新收政府信息公开申请数量", ["1", "0", "0", "0", "0", "0", ""])
    result = parse_text(text)
    assert result.report.values["s3.new.total"] is None
    assert result.report.values["s3.new.natural"] == 1
    p = _only(result, "parse.blank")
    assert p.message.endswith("一、本年新收政府信息公开申请数量：总计 为空白（没有数据应填 0）")
    assert p.cells == ("s3.new.total",)
    problems = check(result)
    # the blank total is not computed from its terms, and not reported twice
    assert result.report.effective()["s3.new.total"] is None
    assert not [q for q in problems if q.rule == "cell.blank"]


def test_full_width_digits(clean_sample):
    text = replace_row_values(clean_sample, "一、本年新收政府信息公开申请数量", ["３", "１", "０", "０", "０", "０", "４"])
    text = replace_row_values(text, "（一）予以公开".replace("（", "(").replace("）", ")"), ["３", "１", "０", "０", "０", "０", "４"])
    result = parse_text(text)
    assert result.report.values["s3.new.natural"] == 3
    assert result.report.values["s3.new.total"] == 4
    assert result.report.values["s3.open.business"] == 1
    assert "parse.not_number" not in _rules(result)


def test_swapped_rows_read_by_label_and_reported(busy):
    text = render(busy, "txt").decode()
    lines = text.split("\n")
    i = next(k for k, x in enumerate(lines) if "1.属于国家秘密" in x)
    j = next(k for k, x in enumerate(lines) if "2.其他法律行政法规禁止公开" in x)
    a = lines[i].split("|")
    b = lines[j].split("|")
    # swap the whole rows (label with values), keeping the merged label columns in place
    lines[i] = "|".join(a[:2] + b[2:])
    lines[j] = "|".join(b[:2] + a[2:])
    result = parse_bytes("\n".join(lines).encode(), "r.txt")
    assert result.report.values["s3.deny_1.natural"] == busy.values["s3.deny_1.natural"]
    assert result.report.values["s3.deny_2.total"] == busy.values["s3.deny_2.total"]
    p = _only(result, "parse.order")
    assert "1.属于国家秘密" in p.message and "2.其他法律行政法规禁止公开" in p.message
    assert not p.is_error


def test_swapped_values_caught_by_identities(busy):
    text = render(busy, "txt").decode()
    lines = text.split("\n")
    i = next(k for k, x in enumerate(lines) if x.startswith("一、本年新收"))
    j = next(k for k, x in enumerate(lines) if x.startswith("二、上年结转"))
    a, b = lines[i].split("|"), lines[j].split("|")
    a[2], b[2] = b[2], a[2]  # 商业企业 of 一 and 二 exchanged: 一+二 still balances, row totals do not
    lines[i], lines[j] = "|".join(a), "|".join(b)
    result = parse_bytes("\n".join(lines).encode(), "r.txt")
    assert not result.errors
    rules = {p.rule for p in check(result) if p.is_error}
    assert "s3.row_total" in rules


def test_misspelled_label_read_with_warning(clean_sample):
    text = clean_sample.replace("6.属于四类过程性信息", "6.属于四类过程信息")
    result = parse_text(text)
    p = _only(result, "parse.unknown_label")
    assert p.severity == "warning"
    assert "“6.属于四类过程信息”不是官方标签，按最接近的“6.属于四类过程性信息”读入" in p.message
    assert result.report.values["s3.deny_6.total"] == 0


def test_unknown_label_named_with_suggestion(clean_sample):
    text = clean_sample.replace("7.属于行政执法案卷", "7.其他情形")
    result = parse_text(text)
    unknown = [p for p in result.diagnostics if p.rule == "parse.unknown_label"]
    assert unknown and unknown[0].is_error
    assert "“7.其他情形”不是本表的行名称" in unknown[0].message
    assert "这一行的 7 个数未读入" in unknown[0].message
    missing = [p for p in result.diagnostics if p.rule == "parse.missing_row"]
    assert len(missing) == 1 and "7.属于行政执法案卷：没有找到这一行" in missing[0].message
    assert "s3.deny_7.total" not in result.report.values


def test_ambiguous_values(clean_sample):
    text = replace_row_values(clean_sample, "一、本年新收政府信息公开申请数量", ["1,234", "12.5", "0", "0", "0", "0", "0"])
    result = parse_text(text)
    amb = [p for p in result.diagnostics if p.rule == "parse.ambiguous"]
    assert len(amb) == 2
    assert "自然人" in amb[0].message and "1234" in amb[0].message and "1、234" in amb[0].message
    assert "商业企业" in amb[1].message and "不是整数" in amb[1].message and "125" in amb[1].message
    assert result.report.values["s3.new.natural"] is None
    assert result.report.values["s3.new.business"] is None
    assert result.report.values["s3.new.research"] == 0


def test_units_and_annotations(clean_sample):
    text = replace_row_values(clean_sample, "政府集中采购", ["3", "251000元"])
    text = replace_row_values(text, "行政许可", ["22（其中修订16件）", "-8", "5"])
    result = parse_text(text)
    values = result.report.values
    assert values["s2.i9.procurement.amount"] == Decimal(251000)
    assert result.report.units["s2.i9.procurement.amount"] == "元"
    assert values["s2.i5.licensing.prev_items"] == 22
    assert values["s2.i5.licensing.change"] == -8  # 本年增/减 may be negative
    p = _only(result, "parse.annotation")
    assert p.severity == "warning" and "按 22 读取" in p.message


def test_dash_means_blank_not_zero(clean_sample):
    text = replace_row_values(clean_sample, "行政处罚", ["—", "0", "0"])
    result = parse_text(text)
    assert result.report.values["s2.i6.penalty.prev_items"] is None
    p = _only(result, "parse.blank")
    assert "写的是“—”" in p.message


def test_tab_and_space_separated_rows(busy):
    fmt = busy.format
    eff = busy.effective()
    out = [f"{busy.agency}{busy.year}年政府信息公开工作年度报告", "一、总体情况", "概况。", "二、主动公开政府信息情况"]
    for table in fmt.section("二").tables:
        out.append(table.caption)
        for row in table.rows:
            out.append(" ".join([row.label] + [str(eff[table.key(row.id, c.id)]) for c in table.columns]))
    out.append("三、收到和处理政府信息公开申请情况")
    table = fmt.table("s3")
    for row in table.rows:
        labels = [x for x in (row.group, row.subgroup) if x] + [row.label]
        out.append("\t".join(labels + [str(eff[table.key(row.id, c.id)]) for c in table.columns]))
    out.append("四、政府信息公开行政复议、行政诉讼情况")
    table = fmt.table("s4")
    out.append("\t".join(str(eff[table.key(r.id, c.id)]) for r in table.rows for c in table.columns))
    out += ["五、存在的主要问题及改进情况", "问题。", "六、其他需要报告的事项", "无。"]
    result = parse_text("\n".join(out))
    assert result.detected_format == "2021"
    assert not result.errors, [p.message for p in result.errors]
    assert result.report.filled() == busy.filled()


def test_row_with_no_numbers(clean_sample):
    text = replace_row_values(clean_sample, "2.重复申请", [])
    p = _only(result := parse_text(text), "parse.missing_cell")
    assert "（五）不予处理 2.重复申请：应有 7 个数，一个也没有" in p.message
    assert "s3.reject_2.total" not in result.report.values


def test_2021_year_with_2019_tables_is_flagged(clean_sample):
    text = clean_sample.replace("2020年度政府信息公开工作报告", "2021年度政府信息公开工作报告")
    result = parse_text(text)
    assert result.detected_year == 2021 and result.detected_format == "2019"
    assert any(p.rule == "format.year" for p in check(result))
