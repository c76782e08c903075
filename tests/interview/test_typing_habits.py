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
