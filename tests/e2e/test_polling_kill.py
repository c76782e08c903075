"""kill -9 of ``disclosure-bot run`` (polling) while officers' answers are in flight: after the
restart every answer sent is stored — handled before the kill, or delivered again by Telegram and
handled then — and none twice (issue 17, item 6). Runs on SQLite and, in CI's second pass, on
PostgreSQL, where the interview's step runs in a worker thread."""

from __future__ import annotations

import re
import time

import pytest

from storage.store import Store

from .harness import bot_environment

pytestmark = [pytest.mark.e2e, pytest.mark.db]

OFFICERS = 12
FIRST_CHAT = 61_000


def agency_name(i: int) -> str:
    return f"某县第{i + 1}局"


def question_year(text: str) -> int:
    """The report year in a question's header (【一、总体情况】第 1/5 题 · 2025年度报告)."""
    found = re.search(r"第 1/\d+ 题 · (\d{4})年度报告", text)
    assert found, text
    return int(found.group(1))


def answer_text(i: int) -> str:
    return f"本机关第{i + 1}号答复：全年主动公开政府信息{100 + i}条，标记 ANSWER-{i:03d}。"


def seed(db_url: str) -> None:
    store = Store.from_url(db_url, upgrade=True)
    try:
        for i in range(OFFICERS):
            user = store.get_or_create_user(FIRST_CHAT + i, f"填报人{i}")
            agency = store.create_agency(agency_name(i), "department")
            store.add_membership(user.id, "officer", agency_id=agency.id)
    finally:
        store.dispose()


def stored_answers(db_url: str, year: int) -> dict[int, str]:
    """Officer index → everything stored in their report's narratives."""
    store = Store.from_url(db_url, upgrade=False)
    try:
        out = {}
        for i in range(OFFICERS):
            info = store.find_report(store.find_agency(agency_name(i)).id, year)
            out[i] = "\n".join(store.load_report(info.id)[0].narratives.values()) if info else ""
        return out
    finally:
        store.dispose()


def test_kill_9_with_answers_in_flight_loses_none(bot_factory, emulator, migrated_db_url, tmp_path):
    seed(migrated_db_url)
    env = bot_environment(emulator, tmp_path, DISCLOSURE_BOT_DATABASE_URL=migrated_db_url)
    process = bot_factory(env)
    chats = [FIRST_CHAT + i for i in range(OFFICERS)]
    year = None
    for chat in chats:  # every officer opens the first question of 一、总体情况
        emulator.send_text(chat, "/start")  # a member goes on at the first question
        year = question_year(emulator.wait_for_message(chat, timeout=20).text)

    before = len(emulator.requests)
    for i, chat in enumerate(chats):  # all answers at once
        emulator.send_text(chat, answer_text(i))
    # the first reply to an answer: the bot is in the middle of handling them
    emulator.wait_for_call("sendMessage", lambda c: int(c.params.get("chat_id", 0)) in chats, after=before)
    process.kill()
    stored_at_kill = stored_answers(migrated_db_url, year)
    assert sum(answer_text(i) in stored_at_kill[i] for i in range(OFFICERS)) < OFFICERS, "nothing was in flight"

    process.start()
    deadline = time.monotonic() + 60
    while True:
        stored = stored_answers(migrated_db_url, year)
        if all(answer_text(i) in stored[i] for i in range(OFFICERS)) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    missing = [i for i in range(OFFICERS) if answer_text(i) not in stored[i]]
    assert missing == [], f"answers lost: {missing}\n{process.output()}"
    assert all(stored[i].count(f"ANSWER-{i:03d}") == 1 for i in range(OFFICERS)), stored  # none twice
