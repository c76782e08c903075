"""The interview reads answers the way officers type them (issue 14): years with 年/年度 or in
Chinese numerals, figures with units and closing punctuation, 无 for none, a row with its total."""

from __future__ import annotations

import pytest

from bot import messages as M

from .helpers import Chat, make_service
from .test_flow import current_report, register

pytestmark = pytest.mark.db


@pytest.mark.parametrize("typed", ["2022", "2022年", "2022年度", "二〇二二年", "２０２２年度。"])
def test_a_year_is_read_as_people_write_it(store, typed):
    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("report")
    chat.send(typed)
    assert "2022年度政府信息公开工作年度报告" in chat.text, chat.text
    assert current_report(store, chat, 2022)[0].year == 2022


@pytest.mark.parametrize("typed", ["2018", "2030年", "去年", "2022.5"])
def test_a_year_out_of_range_or_unreadable_is_refused_and_asked_again(store, typed):
    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("report")
    chat.send(typed)
    assert chat.text.startswith(M.year_invalid(2024)) and "请选择要填报的年度" in chat.text


def goto_s3_rows(chat: Chat) -> None:
    chat.cmd("menu")
    chat.press("三、")
    chat.press("是")  # there are applications


def test_figures_with_units_punctuation_and_none(store):
    chat = Chat(make_service(store))
    register(chat)
    goto_s3_rows(chat)
    chat.send("3件 0 0 1个 0 无。")
    rep = current_report(store, chat)[0]
    assert [rep.values[f"s3.new.{c}"] for c in ("natural", "business", "research", "welfare", "legal", "other")] \
        == [3, 0, 0, 1, 0, 0]


def test_a_row_typed_with_its_total_is_accepted_when_it_agrees(store):
    chat = Chat(make_service(store))
    register(chat)
    goto_s3_rows(chat)
    chat.send("1 2 3 0 0 0 6")
    assert "已保存" in chat.text
    assert current_report(store, chat)[0].values["s3.new.business"] == 2
    chat.send("1 1 1 1 1 1 9")  # 上年结转: the total does not agree
    assert "按各栏相加应为 6" in chat.text and "s3.carried_in.natural" not in current_report(store, chat)[0].values


def test_a_row_missing_figures_says_totals_are_computed(store):
    chat = Chat(make_service(store))
    register(chat)
    goto_s3_rows(chat)
    chat.send("1 2 3")
    assert "需要 6 个数字，收到 3 个" in chat.text and "合计由系统自动计算" in chat.text
    assert "“一、本年新收政府信息公开申请数量”" in chat.text  # the question again


# -- tables pasted as they are published ---------------------------------------------------------------
S4_HEADER = ("行政复议\t行政诉讼\n结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉\n"
             "\t\t\t\t\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计")


@pytest.mark.parametrize("header", [False, True])
def test_table_four_pasted_as_one_row_of_fifteen_on_its_gate(store, header):
    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("menu")
    chat.press("四、")
    row = "1\t0\t1\t0\t2\t0\t0\t0\t1\t1\t0\t1\t0\t0\t1"
    chat.send(f"{S4_HEADER}\n{row}" if header else row)
    rep = current_report(store, chat)[0]
    assert [rep.values[f"s4.review.{c}"] for c in ("upheld", "corrected", "other", "pending")] == [1, 0, 1, 0]
    assert rep.values["s4.suit_direct.pending"] == 1 and rep.values["s4.suit_after.corrected"] == 1
    assert "已从粘贴的表格导入" in chat.text


def test_table_four_as_one_row_whose_total_disagrees_is_refused(store):
    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("menu")
    chat.press("四、")
    chat.press("是")
    chat.send("1 0 1 0 5 0 0 0 1 1 0 1 0 0 1")
    assert "整表都没有保存" in chat.text and "应为 2" in chat.text
    assert not any(k.startswith("s4.") for k in current_report(store, chat)[0].values)


def s3_lines(total: bool, blank_row: str | None = None) -> str:
    labels = ["一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "（一）予以公开",
              "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "1.属于国家秘密", "2.其他法律行政法规禁止公开",
              "3.危及“三安全一稳定”", "4.保护第三方合法权益", "5.属于三类内部事务信息", "6.属于四类过程性信息",
              "7.属于行政执法案卷", "8.属于行政查询事项", "1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作",
              "3.补正后申请内容仍不明确", "1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物",
              "4.无正当理由大量反复申请", "5.要求行政机关确认或重新出具已获取信息",
              "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
              "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他",
              "四、结转下年度继续办理"]
    groups = {4: "（三）不予公开", 12: "（四）无法提供", 15: "（五）不予处理", 20: "（六）其他处理"}
    out = ["\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他" + ("\t总计" if total else "")]
    group = ""
    for i, label in enumerate(labels):
        group = groups.get(i, group) if i >= 4 else ""
        first = "1" if label.startswith(("一、", "（一）")) else "0"
        cells = [first, "0", "0", "0", "0", "0"] + ([first] if total else [])
        if label == blank_row:
            cells = ["", "", "0", "0", "", "0"] + (["0"] if total else [])
        if label.startswith("四、"):
            cells = ["0"] * len(cells)
        out.append("\t".join([f"{group}{label}" if group and label[0].isdigit() else label, *cells]))
    return "\n".join(out)


def test_table_three_pasted_on_its_gate_without_the_total_column(store):
    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("menu")
    chat.press("三、")  # the gate: 本年度是否收到…？
    chat.send(s3_lines(total=False))
    rep = current_report(store, chat)[0]
    assert all(k in rep.values for k in rep.section_input_keys("三"))
    assert rep.values["s3.new.natural"] == 1 and rep.values["s3.open.natural"] == 1


def test_blank_cells_are_shown_back_and_taken_as_zero_with_one_press(store):
    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("menu")
    chat.press("三、")
    chat.press("是")
    version = current_report(store, chat)[1]
    chat.send(s3_lines(total=True, blank_row="2.重复申请"))
    assert "有 3 个空白单元格" in chat.text and "2.重复申请 自然人" in chat.text
    assert current_report(store, chat)[1] == version  # nothing stored yet: blank is not 0
    chat.press(M.BTN_BLANKS_ZERO)
    rep = current_report(store, chat)[0]
    assert all(k in rep.values for k in rep.section_input_keys("三"))
    assert rep.values["s3.reject_2.natural"] == 0 and rep.values["s3.reject_2.legal"] == 0


def goto_deny_gate(chat: Chat) -> None:
    goto_s3_rows(chat)
    for _ in range(4):  # 一、本年新收 … （二）部分公开
        chat.send("1 0 0 0 0 0")
    assert "有无“（三）不予公开”的申请" in chat.text and "5.属于三类内部事务信息" in chat.text, chat.text


def test_a_subgroup_gate_takes_the_numbers_of_the_rows_that_have_figures(store):
    chat = Chat(make_service(store))
    register(chat)
    goto_deny_gate(chat)
    chat.send("5、6")
    assert "其余各项已填为 0" in chat.text and "“5.属于三类内部事务信息”" in chat.text, chat.text
    rep = current_report(store, chat)[0]
    zeros = [n for n in (1, 2, 3, 4, 7, 8)]
    assert all(rep.values[f"s3.deny_{n}.natural"] == 0 for n in zeros)
    assert "s3.deny_5.natural" not in rep.values and "s3.deny_6.natural" not in rep.values
    chat.send("2 0 0 0 0 0")
    assert "“6.属于四类过程性信息”" in chat.text
    chat.send("1 0 0 0 0 0")
    assert "有无“（四）无法提供”的申请" in chat.text  # on to the next subgroup


@pytest.mark.parametrize("typed", ["0 5", "9", "5 2 0 0 0 0", "属于国家秘密"])
def test_a_wrong_row_number_is_refused_and_nothing_is_stored(store, typed):
    chat = Chat(make_service(store))
    register(chat)
    goto_deny_gate(chat)
    chat.send(typed)
    assert M.subgroup_select_invalid(8) in chat.text and "有无“（三）不予公开”的申请" in chat.text
    assert "s3.deny_1.natural" not in current_report(store, chat)[0].values
