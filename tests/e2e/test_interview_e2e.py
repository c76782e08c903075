"""The interview over loopback HTTP: ``disclosure-bot run`` as a subprocess against the Bot API emulation."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import docx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bot"))

from scenarios import fill_template, sample_report  # noqa: E402

from bot import messages as M  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.db]

CHAT = 4242
AGENCY = "示例市示例区市场监督管理局"


def seed(env: dict[str, str]) -> None:
    """The officer as an accepted invitation leaves them, written before the bot starts."""
    from storage.store import Store

    store = Store.from_url(env["DISCLOSURE_BOT_DATABASE_URL"], upgrade=True)
    try:
        user = store.get_or_create_user(CHAT, "测试 用户")
        agency = store.create_agency(AGENCY, "department")
        store.add_membership(user.id, "officer", agency_id=agency.id)
    finally:
        store.dispose()


def stored(env: dict[str, str], year: int):
    from storage.store import Store

    store = Store.from_url(env["DISCLOSURE_BOT_DATABASE_URL"], upgrade=False)
    try:
        info = store.find_report(store.find_agency(AGENCY).id, year)
        return store.load_report(info.id)[0]
    finally:
        store.dispose()


def say(emulator, text: str):
    emulator.skip_to_end(CHAT)
    emulator.send_text(CHAT, text)
    return emulator.wait_for_message(CHAT, timeout=20)


def press(emulator, label: str):
    emulator.skip_to_end(CHAT)
    emulator.press_button(CHAT, label)
    return emulator.wait_for_message(CHAT, timeout=20)


def narrative(emulator, text: str) -> None:
    reply = say(emulator, text)
    assert reply.text.startswith("✅ 已保存"), reply.text
    if M.BTN_NEXT in reply.button_labels:
        press(emulator, M.BTN_NEXT)


def test_short_report_completed_and_document_received(bot_factory, bot_env, emulator):
    seed(bot_env)
    bot_factory(bot_env)
    rep = sample_report()
    say(emulator, "/start")
    doc = say(emulator, "/template").document
    assert doc is not None and doc.file_name.endswith(".xlsx")
    emulator.skip_to_end(CHAT)
    emulator.upload_document(CHAT, doc.file_name, fill_template(doc.content, rep))
    assert emulator.wait_for_message(CHAT, timeout=30).text.startswith("✅ 已从 Excel 模板导入")
    press(emulator, "一、总体情况")
    for section in rep.format.sections:
        if section.kind != "narrative":
            continue
        for part in section.parts:
            narrative(emulator, rep.narratives[part.key])
    word = M.EXPORT_KINDS["docx"]
    emulator.skip_to_end(CHAT)
    emulator.send_text(CHAT, "/export")
    # The last answer's replies (check-your-answers, several messages) may still be arriving.
    emulator.wait_for_message(CHAT, predicate=lambda m: word in m.button_labels, timeout=20)
    sent = press(emulator, word)
    # the first final file: the 成文日期 of the 落款 is confirmed with one press
    today = next(label for label in sent.button_labels if label.startswith(M.BTN_SIGN_TODAY))
    sent = press(emulator, today)
    assert sent.document is not None and sent.document.file_name.endswith(".docx")
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(sent.document.content)).paragraphs)
    assert rep.narratives["n6"] in body and rep.narratives["n1.request"] in body
    assert stored(bot_env, rep.year).values == rep.values


def test_sigkill_mid_interview_then_the_officer_continues_where_they_were(bot_factory, bot_env, emulator):
    seed(bot_env)
    process = bot_factory(bot_env)
    rep = sample_report()
    say(emulator, "/start")  # a member goes on at the first question
    parts = rep.format.section("一").parts
    narrative(emulator, rep.narratives[parts[0].key])
    narrative(emulator, rep.narratives[parts[1].key])

    process.kill()  # SIGKILL: no shutdown, nothing flushed by the bot
    process.start()

    question = say(emulator, "/start")  # goes on where the officer was
    assert "第 3/5 题" in question.text and parts[2].label in question.text, question.text
    narrative(emulator, rep.narratives[parts[2].key])
    saved = stored(bot_env, rep.year)
    assert [saved.narratives.get(p.key) for p in parts[:3]] == [rep.narratives[p.key] for p in parts[:3]]
