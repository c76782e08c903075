"""Restarts resume at the same question; random bad input never stores anything."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.interview.paste import read_paste
from bot.kit.io import Text
from report.numbers import NumberError, parse_answer
from storage.store import Store

from .helpers import Chat, make_service
from .test_flow import current_report, register

pytestmark = pytest.mark.db


def _question_header(chat: Chat) -> str:
    """The '【section】第 i/n 题' line plus the question text (without any confirmation prefix)."""
    text = chat.replies[-1].text
    start = text.index("【")
    return text[start:]


def _restart(chat: Chat, url: str) -> tuple[Chat, Store]:
    store = Store.from_url(url, upgrade=False)
    fresh = Chat(make_service(store), chat.actor.telegram_id, chat.actor.display_name)
    return fresh, store


@pytest.mark.parametrize(
    "steps",
    [
        pytest.param([("press", "五、"), ("send", "第一段。")], id="narrative-saved"),
        pytest.param([("press", "五、"), ("send", "第一段。"), ("send", "第二段。")], id="narrative-pending"),
        pytest.param([("press", "二、"), ("send", "2 0 15")], id="row"),
        pytest.param([("press", "二、"), ("send", "bad")], id="row-refused"),
        pytest.param([("press", "三、")], id="gate"),
        pytest.param([("press", "三、"), ("press", "是"), ("send", "1 0 0 0 0 0")], id="after-gate-yes"),
        pytest.param([("press", "三、"), ("press", "是"), ("send", "0 0 0 0 0 0"), ("send", "0 0 0 0 0 0"),
                      ("send", "0 0 0 0 0 0"), ("send", "0 0 0 0 0 0"), ("press", "无")], id="group-gate-no"),
        pytest.param([("press", "四、"), ("press", "否")], id="gate-no-moves-on"),
        pytest.param([("press", "四、"), ("press", "否"), ("cmd", "menu"), ("press", "四、")], id="check-screen"),
    ],
)
def test_restart_resumes_at_the_same_question(migrated_db_url, steps):
    store = Store.from_url(migrated_db_url, upgrade=False)
    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("menu")
    for kind, arg in steps:
        getattr(chat, kind)(arg)
    before_text = _question_header(chat)
    before_buttons = list(chat.buttons())
    before_report = current_report(store, chat)[:2]
    before_pos = store.get_position(store.find_user(42).id)
    store.dispose()

    chat2, store2 = _restart(chat, migrated_db_url)
    try:
        assert store2.get_position(store2.find_user(42).id) == before_pos
        assert current_report(store2, chat2)[:2] == before_report
        chat2.cmd("start")
        if "继续填报" in "".join(chat2.buttons()):
            chat2.press("继续填报")
        if before_text.startswith("【核对】"):
            assert "【一、总体情况】第 1/5 题" in chat2.text  # no question pending: the first open one
            chat2.cmd("menu")
            chat2.press("四、")
        assert _question_header(chat2) == before_text
        assert list(chat2.buttons()) == before_buttons
        # and the interview goes on from there
        if "追加" in before_buttons:
            chat2.press("追加")
            assert current_report(store2, chat2)[0].narratives["n5"] == "第一段。\n第二段。"
    finally:
        store2.dispose()


# ---- hypothesis: random bad text at every question kind -------------------------------------------------

_QUESTION_KINDS = {
    # kind: steps from the hub to a question of that kind
    "row-s3": [("press", "三、"), ("press", "是")],
    "row-s2": [("press", "二、")],
    "row-fee": [("press", "二、"), ("send", "0 0 0"), ("send", "0 0 0"), ("send", "0"), ("send", "0"), ("send", "0")],
    "gate": [("press", "四、")],
    "narrative": [("press", "五、")],
}

_bad_text = st.one_of(
    st.text(min_size=0, max_size=40),
    st.lists(st.sampled_from(["1", "-1", "0.5", "１", "、", "，", " ", "\t", "\n", "x", "一", "12345678901", "3"]),
             max_size=12).map("".join),
)


@pytest.fixture(scope="module")
def fuzz_world():
    """One database for all examples (function-scoped fixtures do not mix with @given)."""
    tmp = Path(tempfile.mkdtemp())
    store = Store.from_url(f"sqlite:///{tmp / 'fuzz.db'}", upgrade=True)
    chats = {}
    for i, (kind, steps) in enumerate(_QUESTION_KINDS.items()):
        chat = Chat(make_service(store), 500 + i, "测试")
        register(chat, f"测试机构{i}")
        chat.cmd("menu")
        for how, arg in steps:
            getattr(chat, how)(arg)
        chats[kind] = chat
    yield store, chats
    store.dispose()


def _would_be_valid(store, chat, kind: str, text: str) -> bool:
    t = text.strip()
    if kind == "narrative":
        return bool(t)
    gate_words = ("是", "有", "是的", "有的", "y", "yes", "Y", "否", "无", "没有", "不是", "n", "no", "N", "都没有",
                  "全部为0", "都为0")
    if kind in ("gate", "row-s2") and t.strip("。.! ！") in gate_words:  # row-s2 starts on 二's gate
        return True
    if kind == "gate":
        return False
    types = {"row-s3": ["int"] * 6, "row-s2": ["int"] * 3, "row-fee": ["decimal"]}[kind]
    if len([ln for ln in t.splitlines() if ln.strip()]) > 1:
        # A multi-line message is read as a table pasted from Excel (header lines skipped).
        rep, _, _ = current_report(store, chat)
        table = {"row-s3": "s3", "row-s2": "s2.i1", "row-fee": "s2.i8"}[kind]
        paste = read_paste(rep, rep.format.table(table), t)
        return not paste.problems and not paste.blanks
    try:
        parse_answer(t, types, 1 if kind == "row-s3" else 0)  # figures as officers type them
        return True
    except NumberError:
        return False


@pytest.mark.parametrize("kind", list(_QUESTION_KINDS))
def test_random_bad_text_changes_nothing(fuzz_world, kind):
    store, chats = fuzz_world
    chat = chats[kind]
    question = _question_header(chat).split("\n")[0:2]

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(text=_bad_text)
    def run(text):
        if _would_be_valid(store, chat, kind, text):
            return
        rep, version, _ = current_report(store, chat)
        replies = chat.service.handle(chat.actor, Text(text))
        chat.replies = replies
        assert replies, "always an answer"
        assert current_report(store, chat)[:2] == (rep, version)
        assert _question_header(chat).split("\n")[0:2] == question

    run()
