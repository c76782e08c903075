"""Webhook mode answers Telegram 200 only after the update was handled: once the POST returns, the
answer is in the database (issue 17, item 6). Telegram redelivers an update it got no 200 for."""

from __future__ import annotations

import pytest

from .harness import bot_environment, free_port
from .test_polling_kill import FIRST_CHAT, answer_text, question_year, seed, stored_answers

pytestmark = [pytest.mark.e2e, pytest.mark.db]


def test_the_answer_is_stored_when_telegram_gets_200(bot_factory, emulator, migrated_db_url, tmp_path):
    seed(migrated_db_url)
    port = free_port()
    env = bot_environment(
        emulator,
        tmp_path,
        DISCLOSURE_BOT_DATABASE_URL=migrated_db_url,
        DISCLOSURE_BOT_MODE="webhook",
        DISCLOSURE_BOT_WEBHOOK__LISTEN="127.0.0.1",
        DISCLOSURE_BOT_WEBHOOK__PORT=str(port),
        DISCLOSURE_BOT_WEBHOOK__URL_PATH="hook",
        DISCLOSURE_BOT_WEBHOOK__PUBLIC_URL=f"http://127.0.0.1:{port}/hook",
        DISCLOSURE_BOT_WEBHOOK__SECRET_TOKEN="s3cret_Token-42",
    )
    process = bot_factory(env)
    chat = FIRST_CHAT
    emulator.send_text(chat, "/start")  # returns once the webhook answered 200
    year = question_year(emulator.wait_for_message(chat, timeout=20).text)  # on the first question
    emulator.send_text(chat, answer_text(0))
    assert answer_text(0) in stored_answers(migrated_db_url, year)[0], process.output()
    assert process.terminate() == 0
