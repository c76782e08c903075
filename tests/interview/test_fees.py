"""2021 format, 六: the interview asks the 信息处理费 facts before the section's text (issue 13),
one press when none was collected, and the 六 draft states them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot import messages as M

from .helpers import Chat, make_service
from .test_flow import current_report, register

pytestmark = pytest.mark.db

FEES = ("s6.fee.notices", "s6.fee.amount", "s6.fee.collected")


def enter_six(chat: Chat) -> None:
    chat.cmd("menu")
    chat.press("六、")


def test_six_asks_the_fees_first_and_one_press_says_none_were_collected(store):
    chat = Chat(make_service(store))
    register(chat)
    enter_six(chat)
    assert "“信息处理费”" in chat.text and "收费通知件数 通知金额（元） 实收金额（元）" in chat.text, chat.text
    chat.press(M.BTN_NO_FEES)
    rep = current_report(store, chat)[0]
    assert [rep.values[k] for k in FEES] == [0, Decimal(0), Decimal(0)]
    assert "其他需要报告的事项" in chat.text  # on to the section's text
    chat.press("采用草稿")
    text = current_report(store, chat)[0].narratives["n6"]
    assert "本年度未收取信息处理费" in text, text


def test_typed_fees_are_kept_as_written_and_stated_in_the_draft(store):
    chat = Chat(make_service(store))
    register(chat)
    enter_six(chat)
    chat.send("2件 1200.50 1200.50元")
    rep = current_report(store, chat)[0]
    assert [rep.values[k] for k in FEES] == [2, Decimal("1200.50"), Decimal("1200.50")]
    chat.press("采用草稿")
    text = current_report(store, chat)[0].narratives["n6"]
    assert "1200.50" in text and "2" in text, text


def test_a_wrong_count_is_refused_and_asked_again(store):
    chat = Chat(make_service(store))
    register(chat)
    enter_six(chat)
    chat.send("1 2")
    assert "需要 3 个数字，收到 2 个" in chat.text and "“信息处理费”" in chat.text
    assert "s6.fee.notices" not in current_report(store, chat)[0].values


def test_the_sections_text_sent_first_goes_to_its_part_and_the_fees_are_asked_later(store):
    chat = Chat(make_service(store))
    register(chat)
    enter_six(chat)
    chat.send("本机关无其他需要报告的事项，特此说明。")
    rep = current_report(store, chat)[0]
    assert rep.narratives["n6"] == "本机关无其他需要报告的事项，特此说明。"
    assert "s6.fee.notices" not in rep.values


def test_the_check_screen_shows_the_fees_with_an_edit_button(store):
    chat = Chat(make_service(store))
    register(chat)
    enter_six(chat)
    chat.send("0 0 0")
    chat.cmd("check")
    chat.press("六、")
    assert "信息处理费" in chat.text and "修改：信息处理费" in chat.buttons(), chat.text
