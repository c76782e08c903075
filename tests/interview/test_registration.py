"""Registration (issue 14): an existing agency's name never grants access — the person is told whom
to ask and the agency's members are told of the attempt, once; the kinds are explained with the
deadline each implies and what a 事业单位 or 派出机构 should choose."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import messages as M
from bot.reminders import texts
from report import deadlines as dl
from storage import reminders as repo

from .helpers import Chat, make_service
from .test_flow import register

pytestmark = pytest.mark.db

AGENCY = "某某市某某局"


def test_an_existing_agency_is_refused_and_its_members_are_told_once(store):
    service = make_service(store)
    officer = Chat(service, telegram_id=42, name="张三")
    register(officer, AGENCY)
    stranger = Chat(service, telegram_id=77, name="李四")
    stranger.cmd("start")
    stranger.send(AGENCY)
    assert M.agency_exists(AGENCY) in stranger.text
    assert M.REG_KIND_USE_BUTTONS not in stranger.text and "请选择机关类型" not in stranger.text
    user = store.find_user(77)
    assert store.memberships(user.id) == []  # nothing granted
    stranger.send(AGENCY)  # again: refused again, the members are not told twice
    assert M.agency_exists(AGENCY) in stranger.text

    rows = [r for r in repo.items(store.engine) if r.payload.get("type") == repo.REGISTRATION_ATTEMPT_PAYLOAD]
    assert [(r.chat_id, r.payload["name"], r.payload["telegram_id"]) for r in rows] == [(42, "李四", 77)]
    text = texts.message_text(rows[0], dt.datetime.now(dt.UTC), dl.ScheduleParams(), dl.WorkCalendar())
    assert f"有人尝试以“{AGENCY}”的名义登记" in text and "李四" in text and "77" in text

    stranger.send("某某市另一局")  # another name goes on to the kind
    assert "请选择机关类型" in stranger.text


def test_the_kinds_are_explained_with_their_deadlines(store):
    chat = Chat(make_service(store))
    chat.cmd("start")
    chat.send(AGENCY)
    text = chat.text
    assert "政府部门：" in text and "次年1月31日前" in text
    assert "人民政府：" in text and "次年3月31日前" in text
    assert "乡镇（街道）：" in text and "默认次年2月20日" in text
    assert "事业单位、派出机构" in text and "“其他机关”" in text
    assert {"政府部门", "人民政府", "乡镇（街道）", "其他机关"} <= set(chat.buttons())
