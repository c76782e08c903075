"""The Bot API emulation itself, driven by a real python-telegram-bot ``Bot`` (in process)."""

from __future__ import annotations

import asyncio
import json
import urllib.request

import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken

from tests.emulator import BotApiEmulator

from .harness import TEST_TOKEN


@pytest.fixture
async def bot(emulator: BotApiEmulator):
    async with Bot(TEST_TOKEN, base_url=emulator.base_url, base_file_url=emulator.base_file_url) as b:
        yield b


def keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=f"cb:{label}")] for label in labels]
    )


async def test_get_me_and_wrong_token(bot, emulator):
    me = await bot.get_me()
    assert me.id == 123456 and me.is_bot and me.username == "disclosure_test_bot"
    with pytest.raises(InvalidToken):
        async with Bot("123456:wrong", base_url=emulator.base_url) as other:
            await other.get_me()
    assert emulator.unauthorized_requests >= 1


async def test_messages_keyboard_edits_and_button_press(bot, emulator):
    sent = await bot.send_message(
        42, "<b>请选择</b> 部分 &amp; 表格", parse_mode="HTML", reply_markup=keyboard("一", "二")
    )
    assert sent.text == "请选择 部分 & 表格"
    msg = emulator.wait_for_message(42)
    assert msg.text == "请选择 部分 & 表格" and msg.raw_text.startswith("<b>")
    assert msg.buttons == [["一"], ["二"]]

    with pytest.raises(BadRequest, match="(?i)not modified"):
        await bot.edit_message_text(
            "请选择 部分 & 表格", 42, sent.message_id, reply_markup=keyboard("一", "二")
        )
    await bot.edit_message_text("已选择", 42, sent.message_id)
    edited = emulator.wait_for_message(42, include_edits=True)
    assert edited.text == "已选择" and edited.buttons == [] and edited.edits == 1
    with pytest.raises(LookupError):
        emulator.press_button(42, "一")  # the keyboard is gone
    await bot.edit_message_reply_markup(42, sent.message_id, reply_markup=keyboard("三"))
    assert emulator.messages(42)[-1].buttons == [["三"]]

    update = emulator.press_button(42, "三", user=7)
    got = await bot.get_updates(timeout=0)
    assert [u.update_id for u in got] == [update["update_id"]]
    query = got[0].callback_query
    assert query.data == "cb:三" and query.from_user.id == 7 and query.message.message_id == sent.message_id
    assert await query.answer("好的")
    assert emulator.callback_answers[-1]["text"] == "好的"
    with pytest.raises(BadRequest, match="(?i)query ID is invalid"):
        await query.answer()  # answered already
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", 42, 999)


async def test_api_refusals_a_bot_can_run_into(bot, emulator):
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(1, "字" * 4097)
    with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(
            1, "x", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("a", callback_data="a" * 65)]])
        )
    with pytest.raises(BadRequest, match="(?i)can.t parse entities"):
        await bot.send_message(1, "机构 <某局> 的报告", parse_mode="HTML")
    emulator.inject_error("sendMessage", 403, "Forbidden: bot was blocked by the user")
    with pytest.raises(Forbidden):
        await bot.send_message(1, "提醒")
    await bot.send_message(1, "提醒")  # the fault was for one call only
    assert [m.text for m in emulator.messages(1)] == ["提醒"]


async def test_documents_both_ways(bot, emulator):
    await bot.send_document(
        5, InputFile(b"%PDF docx bytes", filename="2024年某局政府信息公开工作年度报告.docx"), caption="报告"
    )
    doc = emulator.documents(5)[0]
    assert doc.file_name == "2024年某局政府信息公开工作年度报告.docx"
    assert doc.content == b"%PDF docx bytes" and doc.caption == "报告"
    assert emulator.wait_for_message(5).document == doc

    emulator.upload_document(5, "去年报告.txt", "一、总体情况".encode(), caption="去年的")
    (update,) = await bot.get_updates(timeout=0)
    document = update.message.document
    assert document.file_name == "去年报告.txt" and update.message.caption == "去年的"
    file = await bot.get_file(document.file_id)
    assert bytes(await file.download_as_bytearray()) == "一、总体情况".encode()
    with pytest.raises(BadRequest, match="(?i)invalid file_id"):
        await bot.get_file("nope")


async def test_long_poll_returns_when_an_update_arrives_and_offset_confirms(bot, emulator):
    poll = asyncio.create_task(bot.get_updates(timeout=30, read_timeout=40))
    await asyncio.to_thread(emulator.wait_for_call, "getUpdates")
    assert not poll.done()
    first = emulator.send_text(9, "/start 邀请码")
    updates = await asyncio.wait_for(poll, 20)
    assert [u.update_id for u in updates] == [first["update_id"]]
    message = updates[0].message
    assert message.text == "/start 邀请码" and message.entities[0].type == "bot_command"
    assert message.entities[0].length == len("/start")

    assert [u.update_id for u in await bot.get_updates(timeout=0)] == [first["update_id"]]  # not confirmed
    assert await bot.get_updates(offset=first["update_id"] + 1, timeout=0) == ()
    assert emulator.pending_updates() == []


async def test_a_second_poller_terminates_the_first_with_409(bot, emulator):
    first = asyncio.create_task(bot.get_updates(timeout=30, read_timeout=40))
    await asyncio.to_thread(emulator.wait_for_call, "getUpdates")
    async with Bot(TEST_TOKEN, base_url=emulator.base_url) as second:
        assert await second.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="(?i)terminated by other getUpdates"):
        await asyncio.wait_for(first, 20)


async def test_commands_and_webhook_bookkeeping(bot, emulator):
    await bot.set_my_commands([BotCommand("start", "开始或继续填报"), BotCommand("menu", "回到任务列表")])
    assert emulator.commands == [("start", "开始或继续填报"), ("menu", "回到任务列表")]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "menu"]
    with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start-Now", "x")])

    assert await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="abc_DEF-1")
    info = await bot.get_webhook_info()
    assert info.url == "http://127.0.0.1:9/hook"
    assert emulator.webhook_secret == "abc_DEF-1"
    with pytest.raises(Conflict, match="(?i)webhook is active"):
        await bot.get_updates(timeout=0)
    assert await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == ()

    await bot.do_api_request("someFutureMethod", api_kwargs={"chat_id": 1})
    assert emulator.unknown_methods == ["someFutureMethod"]


def test_raw_http_json_body_and_emulated_updates_parse_in_ptb(emulator):
    request = urllib.request.Request(
        f"{emulator.base_url}{TEST_TOKEN}/sendMessage",
        data=json.dumps({"chat_id": 3, "text": "123"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request) as response:
        body = json.loads(response.read())
    assert body["ok"] and body["result"]["text"] == "123"  # text stays a string
    assert emulator.calls("sendMessage")[0].params == {"chat_id": 3, "text": "123"}

    update = Update.de_json(emulator.build_text_update(-100, "你好", user=8), Bot(TEST_TOKEN))
    assert update.effective_chat.type == "group" and update.effective_user.id == 8
    assert update.message.entities == ()
