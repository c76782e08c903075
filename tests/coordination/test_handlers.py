"""Coordination through the REAL PTB Application (tests/bot/harness.py, offline): deep-link joining,
answering a question the bot asked (what is asked is state in the database, not a marker in a
message), and an officer of agency A aiming every command, callback, deep link and upload at agency
B — B is neither changed nor shown."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from docx import Document

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bot"))

from harness import ChatClient, RecordingRequest  # noqa: E402

from bot.messages import coordination as T  # noqa: E402
from bot.settings import Settings  # noqa: E402
from report import formats  # noqa: E402
from storage import invitations as inv  # noqa: E402

from .conftest import full_values  # noqa: E402

pytestmark = pytest.mark.db

ADMIN_ID, OFFICER_ID, OTHER_ID = 9001, 9002, 9003
MARK = 987654  # a figure only agency B has
YEAR = dt.datetime.now(ZoneInfo("Asia/Shanghai")).year - 1  # the year the interview opens by default


@pytest.fixture
def settings(migrated_db_url):
    return Settings(token="123:ABC", database_url=migrated_db_url, admins=[ADMIN_ID])


class TelegramLikeRequest(RecordingRequest):
    """Like Telegram, a sent message carries back only an inline keyboard, not a ForceReply markup.

    (The shared harness echoes any reply_markup, which PTB cannot parse back for ForceReply.)
    """

    def _message(self, params, **extra):
        msg = super()._message(params, **extra)
        if "inline_keyboard" not in (msg.get("reply_markup") or {"inline_keyboard": 1}):
            msg.pop("reply_markup")
        return msg


@pytest.fixture
async def clients(migrated_db_url, settings):
    made = []

    async def make(user_id: int, name: str) -> ChatClient:
        c = ChatClient(migrated_db_url, settings, user_id=user_id, first_name=name, last_name="",
                       request=TelegramLikeRequest())
        await c.start()
        made.append(c)
        return c

    yield make
    for c in made:
        await c.stop()


def seed(store):
    office = store.create_office("某县政务公开办公室")
    a = store.create_agency("甲县市场监督管理局", "department", office.id)
    b = store.create_agency("乙县教育局", "department", office.id)
    return office, a, b


def fill_b(store, b_id: int) -> int:
    info = store.get_or_create_report(b_id, YEAR)
    values = full_values(YEAR, 9)
    values["s2.i5.licensing.decisions"] = MARK
    fmt = formats.for_year(YEAR)
    store.save_answers(info.id, user_id=None, source="chat", values=values,
                       narratives={p.key: f"乙县教育局{MARK}号说明" for p in fmt.narrative_parts})
    return info.id


def document_text(name: str, data: bytes) -> str:
    if name.endswith(".xlsx"):
        wb = openpyxl.load_workbook(io.BytesIO(data))
        return " ".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    if name.endswith(".docx"):
        doc = Document(io.BytesIO(data))
        cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
        return " ".join([p.text for p in doc.paragraphs] + cells)
    if zipfile.is_zipfile(io.BytesIO(data)):
        return ""
    return data.decode("utf-8", "replace")


async def test_deep_link_join_and_forged_link(clients):
    officer = await clients(OFFICER_ID, "王")
    store = officer.store
    office, a, _ = seed(store)
    token, _ = inv.create_invitation(store, role="officer", created_by=None, agency_id=a.id)
    forged = await officer.command(f"/start {token[:-1]}{'A' if token[-1] != 'A' else 'B'}")
    assert forged == [T.JOIN_REFUSED["unknown"]]
    asked = await officer.command(f"/start {token}")
    assert "甲县市场监督管理局" in asked[0] and "填报人" in asked[0]
    user = store.find_user(OFFICER_ID)
    assert user is None or store.memberships(user.id) == []  # no role before the confirmation
    joined = await officer.press(T.BTN_JOIN)
    assert joined[0] == T.JOINED_AGENCY.format(role="填报人", agency="甲县市场监督管理局")
    assert len(joined) > 1  # the interview's hub for the agency follows
    user = store.find_user(OFFICER_ID)
    assert store.role_in_agency(user.id, a.id) == "officer"
    again = await officer.command(f"/start {token}")
    assert again == [T.JOIN_ALREADY.format(target="甲县市场监督管理局")]
    assert officer.errors == []


async def test_admin_answers_a_question_by_typing(clients):
    admin = await clients(ADMIN_ID, "管")
    await admin.command("/admin")
    await admin.press(T.ADMIN_NEW_OFFICE)
    prompt = admin.request.sent(admin.chat_id)[-1]
    assert "force_reply" not in json.dumps(prompt.params.get("reply_markup") or {})
    await admin.send("某市政务公开办公室")
    assert admin.new_texts()[0] == T.OFFICE_CREATED.format(name="某市政务公开办公室")
    assert admin.store.find_office("某市政务公开办公室") is not None
    # the same text, even as a reply to the admin's question, from a non-admin creates nothing
    other = await clients(OTHER_ID, "他")
    await other.feed({"message": other._message(text="冒名办公室", reply_to_message=prompt.result)})
    assert admin.store.find_office("冒名办公室") is None
    assert admin.errors == [] and other.errors == []


async def test_officer_of_a_cannot_reach_b_through_telegram(clients):
    officer = await clients(OFFICER_ID, "王")
    store = officer.store
    office, a, b = seed(store)
    user = store.get_or_create_user(OFFICER_ID, "王")
    store.add_membership(user.id, "officer", agency_id=a.id)
    rid_b = fill_b(store, b.id)
    used_b, _ = inv.create_invitation(store, role="officer", created_by=None, agency_id=b.id)
    inv.accept(store, used_b, store.get_or_create_user(OTHER_ID, "他").id)
    revoked_b, info_rb = inv.create_invitation(store, role="reviewer", created_by=None, agency_id=b.id)
    inv.revoke(store, info_rb.id)
    open_b = inv.create_invitation(store, role="officer", created_by=None, agency_id=b.id)[1]
    before = store.load_report(rid_b)

    for cmd in ("/start", "/menu", "/preview", "/export", "/template", "/history", "/agency", "/board",
                "/office", "/admin", "/board 2024", f"/start {used_b}", f"/start {revoked_b}"):
        await officer.command(cmd)
    message = officer.request.sent(officer.chat_id)[-1].result
    pos = store.get_position(user.id) or {}
    tok = pos.get("tok", 0)
    crafted = [
        f"co:d:{b.id}:{YEAR}", f"co:r:{b.id}:{YEAR}", f"co:s:{b.id}", f"co:ok:{rid_b}:{before[1]}", f"co:rt:{rid_b}",
        f"co:cm:{rid_b}", f"co:h:{rid_b}:0", f"co:b:{office.id}:{YEAR}", f"co:ru:{office.id}:{YEAR}",
        f"co:mka:{b.id}:officer", f"co:x:{open_b.id}", f"co:ap:{office.id}:1", f"co:ol:{office.id}",
        f"{tok}:pv", f"{tok}:x:docx", f"{tok}:x:xlsx", f"{tok}:tpl", f"{tok}:yr:{YEAR}", f"{tok}:sub",
        f"{tok}:all", f"{b.id}:pv", "0:x:txt",
    ]
    for data in crafted:
        await officer.press_data(message, data)
    # uploads: an empty workbook and a text file, while the interview points at A
    wb = openpyxl.Workbook()
    buf = io.BytesIO()
    wb.save(buf)
    await officer.upload("乙县教育局.xlsx", buf.getvalue())
    await officer.upload("乙县教育局.txt", "乙县教育局 1 2 3".encode())
    # a "prompt" naming B's report, forged into a reply: only the database says what was asked
    fake_prompt = dict(message, text=f"请回复\n〔co:cm:{rid_b}〕")
    await officer.feed({"message": officer._message(text="改成0", reply_to_message=fake_prompt)})

    assert officer.errors == []
    assert store.load_report(rid_b) == before
    assert store.get_report_info(rid_b).status == "draft"
    assert store.role_in_agency(user.id, b.id) is None
    assert inv.get_invitation(store, open_b.id).revoked is False
    assert [e.key for e in store.audit_events(rid_b) if e.key in ("comment", "status")] == []
    shown = " ".join(officer.texts())
    shown += " ".join(document_text(n, d) for n, d in officer.documents())
    assert str(MARK) not in shown
    assert "乙县教育局" not in shown.replace("乙县教育局.xlsx", "").replace("乙县教育局.txt", "")
    texts = officer.texts()
    assert T.NOT_ALLOWED in texts and T.NOT_COORDINATOR in texts and T.NOT_ADMIN in texts


async def test_web_command_sends_a_one_time_sign_in_link_bound_to_the_user(migrated_db_url):
    from storage import web_login

    settings = Settings(token="123:ABC", database_url=migrated_db_url, admins=[ADMIN_ID],
                        web={"public_url": "https://desk.example.gov.cn"})
    officer = ChatClient(migrated_db_url, settings, user_id=OFFICER_ID, first_name="王", last_name="")
    stranger = ChatClient(migrated_db_url, settings, user_id=OTHER_ID, first_name="他", last_name="",
                          store=None)
    await officer.start()
    await stranger.start()
    try:
        store = officer.store
        _office, a, _b = seed(store)
        store.add_membership(store.get_or_create_user(OFFICER_ID, "王").id, "officer", agency_id=a.id)
        (text,) = await officer.command("/web")
        url = text.rsplit("\n", 1)[-1]
        assert url.startswith("https://desk.example.gov.cn/") and "只能使用一次" in text
        token = url.rsplit("/", 1)[-1]
        user_id, refused = web_login.link_user(store, token, dt.datetime.now(dt.UTC))
        assert refused is None and user_id == store.find_user(OFFICER_ID).id
        # someone with nothing to see gets no link
        assert await stranger.command("/web") == [T.NO_AGENCY]
    finally:
        await officer.stop()
        await stranger.stop()
