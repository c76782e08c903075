"""Defects found by a hostile run (issue 17) and by trying the running bot (issue 12), reproduced
through the production composition (bot.app.build_application) before they were fixed."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from conftest import AGENCY, OFFICER_ID
from harness import ChatClient
from sqlalchemy import select

from bot import messages as M
from storage.db import session_scope
from storage.models import AuditEvent, ReminderOutbox, report_subject

pytestmark = pytest.mark.db


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def sent_texts(chat: ChatClient) -> list[str]:
    return [c.params.get("text", "") for c in chat.request.calls if c.method == "sendMessage"]


def refused_sends(chat: ChatClient) -> list:
    return [c for c in chat.request.calls if isinstance(c.result, tuple)]


async def test_messages_are_answered_after_update_ids_restart_lower(chat):
    """After a week without updates Telegram may restart update ids at a random, lower value: an
    existing officer's messages must still be answered (17.1: 0 of 5 were)."""
    await chat.feed({"message": chat._message(text="/start", entities=[
        {"type": "bot_command", "offset": 0, "length": 6}])}, update_id=900_000_000)
    assert chat.new_texts(), "the first /start is answered"
    for i, text in enumerate(["/menu", "/help", "/start", "/menu", "/help"]):
        await chat.feed({"message": chat._message(text=text, entities=[
            {"type": "bot_command", "offset": 0, "length": len(text)}])}, update_id=1_000 + i)
        assert chat.new_texts(), f"{text} (update id {1_000 + i}) got no answer"


async def test_a_redelivered_update_changes_nothing_and_is_not_dropped_silently(chat, caplog):
    await chat.command("/start")  # resumes at the question
    await chat.send("第一部分的内容。")
    before = stored_narratives(chat)
    with caplog.at_level("INFO"):
        await chat.replay()
    assert stored_narratives(chat) == before
    assert chat.new_texts() == [], "answered once"
    dropped = [r for r in caplog.records if "dropped" in r.getMessage()]
    assert dropped and "handled before" in dropped[0].getMessage(), "a dropped update is logged with the reason"
    assert "第一部分" not in dropped[0].getMessage()


def chat_year(chat: ChatClient) -> int:
    return dt.date.today().year - 1


def stored_narratives(chat: ChatClient) -> dict:
    agency = chat.store.find_agency(AGENCY)
    info = chat.store.find_report(agency.id, chat_year(chat))
    return dict(chat.store.load_report(info.id)[0].narratives) if info else {}


async def test_reminder_buttons_reach_their_handler_in_the_running_bot(chat):
    """稍后提醒 / 不再提醒 under a reminder were answered "已过期" by the interview's catch-all."""
    await chat.command("/start")
    agency = chat.store.find_agency(AGENCY)
    info = chat.store.get_or_create_report(agency.id, chat_year(chat))
    user = chat.store.find_user(OFFICER_ID)
    with session_scope(chat.store.engine, write=True) as s:
        row = ReminderOutbox(recipient_user_id=user.id, chat_id=OFFICER_ID, report_id=info.id,
                             subject=report_subject(info.id), kind="d7", status="sent",
                             due_at=dt.datetime.now(dt.UTC), payload="{}")
        s.add(row)
        s.flush()
        outbox_id = row.id
    message = {"message_id": 5, "date": 1, "chat": {"id": OFFICER_ID, "type": "private"}, "text": "提醒"}
    await chat.press_data(message, f"rem:mute:{outbox_id}")
    answers = [c.params for c in chat.request.calls if c.method == "answerCallbackQuery"]
    assert answers and "不再" in (answers[-1].get("text") or ""), answers[-1:]
    assert M.EXPIRED not in chat.new_texts()
    assert chat.store.find_user(OFFICER_ID).muted_until is not None


@pytest.mark.parametrize("data", [
    "co:d:99999999999999999999:2025",
    "co:b:1:99999999999999999999",
    "{tok}:yr:99999999999999999999",
    "{tok}:yr:-1",
    "{tok}:yr:0",
    "{tok}:e:r:s3:" + "x" * 40,
    "{tok}:" + "z" * 58,
    "rem:s1:99999999999999999999",
    "rem:mute:-3",
    "",
    ":::",
])
async def test_forged_callback_data_expires_without_a_traceback_or_a_report(chat, data):
    await chat.command("/start")
    _, real = chat.find_button(M.BTN_HUB)  # any button of the screen shown: its token
    tok = real.split(":", 1)[0]
    message = {"message_id": 5, "date": 1, "chat": {"id": OFFICER_ID, "type": "private"}, "text": "x"}
    reports_before = reports_of_agency(chat)
    await chat.press_data(message, data.format(tok=tok))
    assert chat.errors == []
    assert reports_of_agency(chat) == reports_before, "a forged button created or changed a report"
    said = chat.new_texts() + [c.params.get("text") or "" for c in chat.request.calls[-3:]
                               if c.method == "answerCallbackQuery"]
    assert any(M.EXPIRED in t or "失效" in t for t in said), said


def reports_of_agency(chat: ChatClient) -> list[tuple[int, int]]:
    agency = chat.store.find_agency(AGENCY)
    return [(r.year, r.version) for r in chat.store.reports_of_agency(agency.id)]


async def test_a_refused_input_is_never_echoed_beyond_telegrams_limit(chat):
    """A refused paste echoed its row label back whole: the reply exceeded 4,096 UTF-16 units and
    never arrived."""
    await chat.command("/start")  # resumes at the question
    await chat.command("/menu")
    await chat.press("三、收到和处理政府信息公开申请情况")
    huge_label = "𠀀" * 2000  # astral characters: 2 UTF-16 units each (Telegram's limit counts units)
    await chat.send(f"{huge_label}\t1\t2\t3\t4\t5\t6\n{huge_label}\t1\t2\t3\t4\t5\t6")
    assert chat.new_texts(), "the refusal of the paste arrived"
    await chat.send("/x" + "𠀀" * 2040)
    assert chat.new_texts(), "the unknown command's answer arrived"
    assert refused_sends(chat) == []
    assert all(utf16_len(t) <= 4096 for t in sent_texts(chat))


async def test_nul_characters_in_a_narrative_are_cleaned_not_a_crash(chat):
    await chat.command("/start")  # resumes at the question
    await chat.send("主动公开\x00情况良好。\x07")
    assert chat.errors == []
    texts = [t for t in stored_narratives(chat).values()]
    assert texts and all("\x00" not in t and "\x07" not in t for t in texts), texts
    assert any("主动公开情况良好。" in t for t in texts)


def docx_bomb(characters: int) -> bytes:
    """A small .docx whose document.xml inflates to ``characters`` characters of text."""
    body = "<w:p><w:r><w:t>" + "公开" * (characters // 2) + "</w:t></w:r></w:p>"
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           f"<w:body>{body}</w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="rels" ContentType="application/'
                   'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
                   '"application/xml"/><Override PartName="/word/document.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
                   'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
                   '.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                   '</Relationships>')
        z.writestr("word/document.xml", xml)
    return out.getvalue()


async def test_a_docx_bomb_on_a_narrative_question_is_refused_and_nothing_is_stored(chat):
    await chat.command("/start")  # resumes at the question
    bomb = docx_bomb(3_000_000)
    assert len(bomb) < 200_000
    await chat.upload("总体情况.docx", bomb)
    assert chat.errors == []
    assert stored_narratives(chat) == {}
    assert chat.new_texts(), "the officer is told why"


async def test_long_continuation_messages_do_not_grow_the_database_without_bound(chat):
    """200 messages of 4,000 characters to one part: the part is capped with a message, and the
    audit trail keeps excerpts, not two whole copies per save (17.4: 1.0 GB, 318 M characters)."""
    await chat.command("/start")  # resumes at the question
    for i in range(200):
        await chat.send(f"第{i}段。" + "内容" * 2000)
    texts = stored_narratives(chat)
    assert max(len(t) for t in texts.values()) <= 20_000
    with session_scope(chat.store.engine) as s:
        audit_chars = sum(len(e.old or "") + len(e.new or "") for e in s.execute(select(AuditEvent)).scalars())
    assert audit_chars <= 200 * 2_000, audit_chars
    assert refused_sends(chat) == []
