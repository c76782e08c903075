"""bot/app.py's one ordered handler list, through the production Application (build_application,
offline): every command of the bot's menu, with and without a payload, is answered by its own
handler (none is shadowed by another's catch-all) and never crashes; each kind of button reaches its
handler — the interview's, coordination's, a reminder's (its tests: tests/reminders) and the
check-up's."""

from __future__ import annotations

import pytest
from conftest import make_settings
from harness import ChatClient
from scenarios import busy_report

from bot import messages as M
from bot.messages import coordination as T
from report import render

pytestmark = pytest.mark.db

ADMIN_ID = 4242


@pytest.fixture
async def admin(migrated_db_url):
    client = ChatClient(migrated_db_url, make_settings(migrated_db_url, admins=[ADMIN_ID]), user_id=ADMIN_ID)
    await client.start()
    yield client
    await client.stop()


@pytest.mark.parametrize("payload", ["", " 2023", " " + "x" * 60])
async def test_every_menu_command_is_answered_by_its_own_handler(chat, payload):
    for command, _ in M.BOT_COMMANDS:
        out = await chat.command(f"/{command}{payload}")
        assert out, f"/{command}{payload} got no answer"
        assert not any(M.unknown_command(command) in text for text in out), f"/{command} fell through"
        if command not in ("admin",):  # an officer is not an administrator: told so, nothing else
            assert T.NOT_ADMIN not in out[0], (command, out)
    assert chat.errors == []


async def test_an_unknown_command_is_said_to_be_unknown(chat):
    out = await chat.command("/nosuch")
    assert out == [M.unknown_command("nosuch")]


async def test_each_kind_of_button_reaches_its_handler(admin, migrated_db_url):
    # coordination: the administrator's own screen, its buttons answered by coordination's handler
    await admin.command("/admin")
    assert admin.buttons(), admin.last_text()
    before = admin.answered_callbacks()
    await admin.press(admin.buttons()[0])
    assert admin.answered_callbacks() == before + 1
    assert M.EXPIRED not in " ".join(admin.new_texts() + [admin.last_text()])
    assert admin.errors == []


async def test_the_check_up_and_its_import_button(chat):
    rep = busy_report(2022)
    await chat.command("/check")
    await chat.upload("2022年报.txt", render.render(rep, "txt"))
    assert "年度：2022年度" in chat.last_text() or any("年度：2022年度" in t for t in chat.texts()[-3:])
    await chat.press(M.import_label(2022), exact=True)
    assert any("已导入为2022年度报告" in t for t in chat.texts()[-3:]), chat.texts()[-3:]
    assert chat.errors == []


async def test_an_interview_button_of_a_screen_left_behind_expires(chat):
    await chat.command("/menu")
    title = busy_report().format.sections[1].title
    old, data = chat.find_button(title)
    await chat.press(title)
    await chat.command("/menu")  # the user moves on; the old message's button is pressed again
    await chat.press_data(old, data)
    said = chat.new_texts() + [c.params.get("text") or "" for c in chat.request.calls[-3:]
                               if c.method == "answerCallbackQuery"]
    assert any(M.EXPIRED in t for t in said), said
    assert chat.errors == []
