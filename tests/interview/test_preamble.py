"""The opening paragraph (issue 13): the standard one by default, filled from the agency and the
year; the officer can replace it with their own text or switch it off, and every file follows."""

from __future__ import annotations

import pytest

from bot import messages as M
from report import render

from .helpers import Chat, make_service
from .test_flow import current_report, register

pytestmark = pytest.mark.db

OWN = "为全面反映本局2023年度政府信息公开工作情况，根据《条例》编制本报告。"


def open_preamble(chat: Chat) -> None:
    chat.cmd("menu")
    chat.press(M.BTN_PREAMBLE)


def test_the_standard_paragraph_is_shown_and_used_by_default(store):
    chat = Chat(make_service(store))
    register(chat)
    open_preamble(chat)
    rep = current_report(store, chat)[0]
    assert rep.preamble is None
    assert M.PREAMBLE_STANDARD in chat.text and "统计期限为2023年1月1日至12月31日" in chat.text
    assert rep.agency in chat.text


def test_own_text_replaces_it_in_the_files_and_can_be_switched_off_and_back(store):
    chat = Chat(make_service(store))
    register(chat)
    open_preamble(chat)
    chat.send(OWN)
    assert M.preamble_saved(len(OWN)) in chat.text and M.PREAMBLE_OWN in chat.text
    rep = current_report(store, chat)[0]
    assert rep.preamble == OWN
    text = render.render(rep, "txt").decode("utf-8")
    assert OWN in text and "统计期限为2023年1月1日至12月31日" not in text

    chat.press(M.BTN_PREAMBLE_NONE)
    rep = current_report(store, chat)[0]
    assert rep.preamble == "" and M.PREAMBLE_NONE in chat.text
    assert OWN not in render.render(rep, "txt").decode("utf-8")

    chat.press(M.BTN_PREAMBLE_STANDARD)
    rep = current_report(store, chat)[0]
    assert rep.preamble is None and "统计期限为2023年1月1日至12月31日" in render.render(rep, "txt").decode("utf-8")


def test_a_too_long_paragraph_is_refused_and_nothing_is_stored(store):
    chat = Chat(make_service(store))
    register(chat)
    open_preamble(chat)
    chat.send("字" * 2001)
    assert "开头段落太长" in chat.text and "未保存" in chat.text
    assert current_report(store, chat)[0].preamble is None
