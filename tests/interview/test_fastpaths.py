"""Fast paths: 一 in one message, split long messages, the all-zero gate of 二, the walk from section
to section, 采用草稿 in one press, and submission when the office wants a reviewer's approval."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bot import messages as M
from bot.conversation import build_conversation
from bot.interview import questions as Q
from bot.interview.narrative import SPLIT_MIN_CHARS, split_by_headings
from bot.kit.io import Actor
from report import formats
from report.validation import DONE, section_statuses

from .helpers import Chat, make_service, make_settings
from .test_flow import current_report, fill_zero_report, register

PARTS = {
    "n1.active": "主动公开的文字。",
    "n1.request": "依申请公开的文字。",
    "n1.management": "政府信息管理的文字。",
    "n1.platform": "平台建设的文字。",
    "n1.oversight": "监督保障的文字。",
}
LABELS = ("（一）主动公开", "（二）依申请公开", "（三）政府信息管理", "（四）平台建设", "（五）监督保障")


# -- splitting by the sub-headings of 一 (pure) ---------------------------------------------------------
@pytest.mark.parametrize("format_id", ["2019", "2021"])
def test_split_by_headings_full_and_half_width_with_optional_suffixes(format_id):
    section = formats.load(format_id).section("一")
    text = (
        "2023年，我局认真贯彻条例。\n"
        "（一）主动公开情况\n主动公开的文字。\n"
        "(二)依申请公开。依申请公开的文字。\n"
        "  （三） 政府信息管理：\n政府信息管理的文字。\n"
        "(四)平台建设情况。\n平台建设的文字。\n"
        "（五）监督保障\n监督保障的文字。\n第二段，按照（一）主动公开的要求继续做。"
    )
    pre, segments = split_by_headings(section, text)
    assert pre == "2023年，我局认真贯彻条例。"
    assert [k for k, _ in segments] == list(PARTS)
    assert dict(segments)["n1.request"] == "依申请公开的文字。"
    # a heading mentioned inside a sentence does not cut the text
    assert dict(segments)["n1.oversight"] == "监督保障的文字。\n第二段，按照（一）主动公开的要求继续做。"


def test_no_split_without_a_heading_at_a_line_start():
    section = formats.load("2021").section("一")
    assert split_by_headings(section, "本年度（一）主动公开和（二）依申请公开都做得很好。") is None
    assert split_by_headings(section, "（一）主动公开政府信息情况良好。") is None  # not the heading itself


def one_message(preamble: str = "") -> str:
    labels = [p.label for p in formats.load("2021").section("一").parts]
    body = "\n".join(f"{label}\n{PARTS[key]}" for label, key in zip(labels, PARTS, strict=True))
    return f"{preamble}\n{body}" if preamble else body


# -- 一 in one message ----------------------------------------------------------------------------------------
def test_section_one_in_one_message_fills_every_part_and_moves_on(store):
    chat = Chat(make_service(store))
    register(chat)  # a new officer lands on the first question
    assert "【一、总体情况】第 1/5 题" in chat.text and "“一、总体情况（一）主动公开”" in chat.text
    chat.send(one_message("2023年，我局认真贯彻条例。"))
    rep = current_report(store, chat)[0]
    # the text before （一） is the section's lead (printed under 一、总体情况), not part of （一）
    assert rep.narratives["n1.lead"] == "2023年，我局认真贯彻条例。"
    assert {k: rep.narratives[k] for k in PARTS} == PARTS
    n0, n1, n2 = len(rep.narratives["n1.lead"]), len(PARTS["n1.active"]), len(PARTS["n1.request"])
    assert chat.text.startswith(f"✅ 已按小标题分别保存：\n开头一段，共 {n0} 字\n（一）主动公开，共 {n1} 字\n"
                                f"（二）依申请公开，共 {n2} 字")
    assert "✅ 一、总体情况：已完成（5 部分" in chat.text
    assert "【二、主动公开政府信息情况】第 1/7 题" in chat.text  # the gate of 二


def test_some_headings_fill_those_parts_then_the_first_unfilled_one_is_asked(store):
    chat = Chat(make_service(store))
    register(chat)
    chat.send("（二）依申请公开\n甲。\n（四）平台建设\n乙。")  # on （一）: the two parts named
    rep = current_report(store, chat)[0]
    assert rep.narratives == {"n1.request": "甲。", "n1.platform": "乙。"}
    assert "“一、总体情况（一）主动公开”" in chat.text  # the first unfilled part
    chat.send("主动公开的文字。")
    chat.press("下一题")
    assert "“一、总体情况（三）政府信息管理”" in chat.text  # （二） is filled: skipped
    # sent again with other text: the parts are replaced, and the confirmation says so; the text
    # before the first heading goes with it (the current part （三） comes after that heading)
    chat.send("前言。\n（二）依申请公开\n丙。\n（四）平台建设\n乙。")
    rep = current_report(store, chat)[0]
    assert rep.narratives["n1.request"] == "丙。" and rep.narratives["n1.lead"] == "前言。"
    assert "n1.management" not in rep.narratives
    assert "（二）依申请公开，共 2 字（替换了原有内容）" in chat.text
    assert "（四）平台建设，共 2 字\n" in chat.text and "（四）平台建设，共 2 字（" not in chat.text
    assert "“一、总体情况（三）政府信息管理”" in chat.text


# -- a long text split by Telegram ------------------------------------------------------------------------
class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2024, 1, 10, 9, 0, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def tick(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def timed_chat(store, telegram_id: int = 42, agency: str = "某某市某某局") -> tuple[Chat, Clock]:
    clock = Clock()
    chat = Chat(build_conversation(store, make_settings(), clock=clock), telegram_id)
    register(chat, agency)
    return chat, clock


LONG = "很长的第一段文字。" * (SPLIT_MIN_CHARS // 9 + 1)
MIDDLE = "很长的中间一段。" * (SPLIT_MIN_CHARS // 8 + 1)


def test_texts_sent_one_after_another_stay_in_the_part_being_written(store):
    """可分几条消息发送: the part stays open; texts are added to it (a piece Telegram cut at its limit
    without a break, others as new paragraphs) until 下一题."""
    chat, clock = timed_chat(store)
    chat.send(LONG)
    assert "正在填写“一、总体情况（一）主动公开”" in chat.text
    clock.tick(1)
    chat.send(MIDDLE)
    clock.tick(40)  # typed later: still the same part
    chat.send("末段。")
    assert current_report(store, chat)[0].narratives == {"n1.active": f"{LONG}\n{MIDDLE}\n末段。"}
    assert "已接在（一）主动公开后面" in chat.text
    chat.press("下一题")
    assert "“一、总体情况（二）依申请公开”" in chat.text
    chat.send("依申请公开的文字。")
    assert current_report(store, chat)[0].narratives["n1.request"] == "依申请公开的文字。"


def test_a_text_that_starts_another_part_goes_there(store):
    chat, clock = timed_chat(store)
    chat.send("一、总体情况\n主动公开的文字。")  # the section's title is not content
    chat.send("（二）依申请公开情况\n依申请公开的文字。")  # clearly the next part
    rep = current_report(store, chat)[0]
    assert rep.narratives == {"n1.active": "主动公开的文字。", "n1.request": "依申请公开的文字。"}
    assert "正在填写“一、总体情况（二）依申请公开”" in chat.text
    chat.send("五、存在的主要问题及改进情况\n存在的问题。")
    assert current_report(store, chat)[0].narratives["n5"] == "存在的问题。"


def test_a_continuation_meant_for_the_current_part_is_moved_with_one_press(store):
    """After a text with sub-headings the walk moves on; the rest of that long message, arriving a
    moment later, goes to the part it continues, and one press moves it to the part now asked."""
    chat, clock = timed_chat(store)
    chat.send(f"（一）主动公开\n甲。\n（二）依申请公开\n乙。\n（三）政府信息管理\n丙。\n（四）平台建设\n{LONG}")
    assert "“一、总体情况（五）监督保障”" in chat.text
    clock.tick(1)
    chat.send("后半段。")
    assert current_report(store, chat)[0].narratives["n1.platform"] == f"{LONG}\n后半段。"
    assert M.BTN_MOVE_HERE in chat.buttons()
    clock.tick(30)
    chat.press(M.BTN_MOVE_HERE)
    rep = current_report(store, chat)[0]
    assert rep.narratives["n1.platform"] == LONG and rep.narratives["n1.oversight"] == "后半段。"
    assert "已把这段文字从（四）平台建设移出" in chat.text


def test_split_message_over_a_section_end_and_with_headings(store):
    chat, clock = timed_chat(store)
    chat.send("\n".join(f"{label}\n{PARTS[key]}" for key, label in list(zip(PARTS, LABELS, strict=True))[:4])
              + f"\n（五）监督保障\n{LONG}")  # every part: the walk moves on to the gate of 二
    assert "是否都为 0" in chat.text
    clock.tick(1)
    chat.send("（五）的后半段。")  # not a gate answer: the rest of （五）
    assert current_report(store, chat)[0].narratives["n1.oversight"] == f"{LONG}\n（五）的后半段。"
    assert "是否都为 0" in chat.text and M.BTN_MOVE_HERE not in chat.buttons()
    # one long 一 split by Telegram in the middle of （二）: the second piece carries （三）–（五）
    chat2, clock2 = timed_chat(store, 77, "某某县某某局")
    first = f"（一）主动公开\n{LONG}\n（二）依申请公开\n依申请公开的前半"
    chat2.send(first)
    assert "“一、总体情况（三）政府信息管理”" in chat2.text
    clock2.tick(1)
    chat2.send("和后半。\n（三）政府信息管理\n丙。\n（四）平台建设\n丁。\n（五）监督保障\n戊。")
    rep = current_report(store, chat2)[0]
    assert rep.narratives["n1.active"] == LONG
    assert rep.narratives["n1.request"] == "依申请公开的前半\n和后半。"
    assert [rep.narratives[k] for k in list(PARTS)[2:]] == ["丙。", "丁。", "戊。"]
    assert "是否都为 0" in chat2.text


# -- the all-zero gate of 二 ----------------------------------------------------------------------------------
def test_all_zero_gate_of_section_two(store):
    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("menu")
    chat.press("二、")
    assert ("本年度主动公开的各项（规章、行政规范性文件、行政许可、行政处罚、行政强制、行政事业性收费）是否都为 0？"
            in chat.text)
    assert {M.BTN_ALL_ZERO, M.BTN_FILL_EACH} <= set(chat.buttons())
    chat.press(M.BTN_ALL_ZERO)
    rep = current_report(store, chat)[0]
    keys = rep.section_input_keys("二")
    assert len(keys) == 10 and all(rep.values[k] == 0 for k in keys)
    assert rep.values["s2.i8.fees.fees"] == Decimal(0) and isinstance(rep.values["s2.i8.fees.fees"], Decimal)
    assert section_statuses(rep)["二"] == DONE
    assert M.gate_zero_filled(10) in chat.text and M.SECTION_GATES["三"] in chat.text


def test_all_zero_gate_2019_asks_no_unit_and_no_means_row_by_row(store):
    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("report")
    chat.send("2020")  # a fresh report: its first question
    chat.cmd("menu")
    chat.press("二、")
    chat.press(M.BTN_FILL_EACH)
    assert "“规章”" in chat.text  # the first row
    chat.cmd("menu")
    chat.press("二、")
    chat.press(M.BTN_ALL_ZERO)
    rep = current_report(store, chat, 2020)[0]
    assert rep.format.id == "2019" and len(rep.section_input_keys("二")) == 22
    assert all(rep.values[k] == 0 for k in rep.section_input_keys("二"))
    assert rep.values["s2.i9.procurement.amount"] == Decimal(0) and rep.units == {}
    assert "单位" not in chat.text and M.SECTION_GATES["三"] in chat.text
    assert Q.next_unanswered(rep.format, "二", rep) is None


# -- the walk from section to section --------------------------------------------------------------------
def test_continue_walks_the_report_and_ends_on_the_whole_check(store):
    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("start")  # goes on at the stored question: （一）
    assert "“一、总体情况（一）主动公开”" in chat.text
    chat.send(one_message())
    assert M.BTN_TASK_LIST in chat.buttons()
    chat.press(M.BTN_TASK_LIST)
    assert "进度：已完成 1/6" in chat.text
    chat.cmd("start")  # no question pending: the first unanswered one, 二's gate
    assert "是否都为 0" in chat.text
    chat.press(M.BTN_ALL_ZERO)
    chat.press("否")
    chat.press("否")
    chat.send("存在的问题。")
    chat.press("下一题")
    chat.press(M.BTN_NO_FEES)  # 六 asks the 信息处理费 first
    chat.press(M.BTN_USE_DRAFT)  # one press: saved, and everything is answered
    assert "【检查全部】没有发现问题" in chat.text
    assert {"提交", "导出", "主页"} <= set(chat.buttons())
    chat.press("导出")
    assert M.EXPORT_ASK in chat.text


def test_a_skipped_part_is_not_asked_again_by_the_walk(store):
    chat = Chat(make_service(store))
    register(chat)
    chat.send("（一）主动公开\n甲。\n（二）依申请公开\n乙。\n（三）政府信息管理\n丙。\n（四）平台建设\n丁。")
    assert "（五）监督保障”" in chat.text
    chat.press("跳过")
    assert "是否都为 0" in chat.text  # on to 二, no summary: 一 is not complete
    assert "一、总体情况：已完成" not in chat.text
    chat.press(M.BTN_ALL_ZERO)
    chat.press("否")
    chat.press("否")
    chat.send("存在的问题。")
    chat.press("下一题")
    chat.press(M.BTN_NO_FEES)  # 六 asks the 信息处理费 first
    chat.press(M.BTN_USE_DRAFT)
    assert "【检查全部】" in chat.text  # not back to the skipped （五）
    assert "（五）监督保障：尚未填写" in chat.text


# -- approval ------------------------------------------------------------------------------------------------------
def test_submit_waits_for_the_reviewers_approval_when_the_office_wants_it(store):
    from bot.coordination import actions as C
    from bot.kit.actions import encode
    from bot.kit.io import Callback

    service = make_service(store)
    office = store.create_office("某某市政务公开办", needs_approval=True)
    agency = store.create_agency("某某市某某局", "department", office_id=office.id)
    officer = Chat(service, 1, "填报人")
    store.add_membership(store.get_or_create_user(1, "填报人").id, "officer", agency_id=agency.id)
    reviewer = store.get_or_create_user(2, "审核人")
    store.add_membership(reviewer.id, "reviewer", agency_id=agency.id)
    fill_zero_report(officer)
    officer.press("提交")
    assert M.AWAITING_APPROVAL in officer.text and "审核人批准后即为已提交" in officer.text
    rep, version, info = current_report(store, officer)
    assert info.status == "awaiting_approval"  # the lifecycle: tests/interview/test_approval_lifecycle.py
    assert "重新打开" not in officer.buttons() and "提交" not in officer.buttons()
    # the reviewer's 批准提交 (bot/coordination) is what submits it
    service.handle(Actor(2, "审核人", 2), Callback(encode(C.Approve(info.id, version))), next(Chat._ids))
    assert store.get_report_info(info.id).status == "submitted"
    officer.cmd("menu")
    assert "已提交（只读）" in officer.text and "重新打开" not in officer.buttons()
    tok = officer.button_data("导出").split(":")[0]
    officer.press_data(f"{tok}:reopen")  # a crafted 重新打开: refused, the reviewer returns reports
    assert M.APPROVED_READONLY in officer.text
    assert store.get_report_info(info.id).status == "submitted"


def test_submit_without_approval_still_submits(store):
    chat = Chat(make_service(store))
    register(chat)
    fill_zero_report(chat)
    chat.press("提交")
    assert M.SUBMITTED in chat.text
    assert current_report(store, chat)[2].status == "submitted"
