"""Coordination through the conversation against a real store: bootstrap, joining, rights, board,
roll-up, approval, deadlines and /history."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
import time_machine

from bot import messages as M
from bot.kit.io import Actor
from bot.messages import coordination as T
from bot.settings import Settings
from report import deadlines as dl
from report import rollup as ru
from storage import coordination as co
from storage import invitations as inv

from .conftest import ADMIN, COORD, NOW, OFFICER, REVIEWER, YEAR, full_values
from .driver import Coordination, asks

pytestmark = pytest.mark.db

STRANGER = Actor(5, "路人", 5)


@pytest.fixture
def settings(migrated_db_url):
    return Settings(database_url=migrated_db_url, admins=[ADMIN.telegram_id], bot_username="TestBot")


@pytest.fixture
def svc(store, settings):
    with time_machine.travel(NOW, tick=False):
        yield Coordination(store, settings)


def texts(replies) -> str:
    return "\n".join(r.text for r in replies)


def buttons(replies) -> dict[str, str]:
    return {b.label: b.data for r in replies for row in r.buttons for b in row}


def token_of(replies) -> str:
    m = re.search(r"https://t\.me/TestBot\?start=([A-Za-z0-9_-]+)", texts(replies))
    assert m, texts(replies)
    return m.group(1)


def join(svc, actor, token):
    asked = svc.start_payload(actor, token)
    data = buttons(asked)[T.BTN_JOIN]
    return asked, svc.callback(actor, data)


@pytest.fixture
def world(svc, store):
    """Admin → office → coordinator → agencies A and B → officer and reviewer of A (all via the bot)."""
    assert texts(svc.admin(COORD)) == T.NOT_ADMIN
    prompt = svc.callback(ADMIN, "co:no")
    assert asks(prompt)
    out = svc.answer(ADMIN, "某县政务公开办公室")
    assert T.OFFICE_CREATED.format(name="某县政务公开办公室") in texts(out)
    office = store.find_office("某县政务公开办公室")
    link = svc.callback(ADMIN, f"co:ci2:{office.id}")
    _, joined = join(svc, COORD, token_of(link))
    assert "某县政务公开办公室" in texts(joined)
    ids = {}
    for name in ("甲县市场监督管理局", "乙县教育局"):
        p = svc.callback(COORD, f"co:nk:{office.id}:department")
        assert asks(p)
        svc.answer(COORD, name)
        ids[name] = store.find_agency(name).id
    a, b = ids["甲县市场监督管理局"], ids["乙县教育局"]
    _, j = join(svc, OFFICER, token_of(svc.callback(COORD, f"co:mka:{a}:officer")))
    assert T.JOINED_AGENCY.format(role="填报人", agency="甲县市场监督管理局") in texts(j)
    join(svc, REVIEWER, token_of(svc.callback(COORD, f"co:mka:{a}:reviewer")))
    return office, a, b


def test_bootstrap_and_roles(world, store):
    office, a, b = world
    u = {x: store.find_user(x.telegram_id).id for x in (COORD, OFFICER, REVIEWER)}
    assert store.role_in_agency(u[COORD], a) == "coordinator" == store.role_in_agency(u[COORD], b)
    assert store.role_in_agency(u[OFFICER], a) == "officer" and store.role_in_agency(u[OFFICER], b) is None
    assert store.role_in_agency(u[REVIEWER], a) == "reviewer"
    assert store.get_agency(a).kind == "department" and store.get_agency(a).office_id == office.id
    # the officer's current agency was selected by the interview after joining
    assert store.get_position(u[OFFICER])["agency_id"] == a


def test_join_shows_target_and_asks_first(svc, world, store):
    office, a, _ = world
    token = token_of(svc.callback(COORD, f"co:mka:{a}:officer"))
    asked = svc.start_payload(STRANGER, token)
    assert "甲县市场监督管理局" in texts(asked) and "填报人" in texts(asked)
    stranger = store.find_user(STRANGER.telegram_id)
    assert stranger is None or store.role_in_agency(stranger.id, a) is None  # nothing until confirmed
    assert texts(svc.callback(STRANGER, "co:jn")) == T.CANCELLED
    assert inv.check(store, token).ok


@pytest.mark.parametrize("case", ["forged", "used", "expired", "revoked"])
def test_bad_links_give_a_clear_message_and_nothing_else(svc, world, store, case):
    office, a, _ = world
    token = token_of(svc.callback(COORD, f"co:mka:{a}:officer"))
    if case == "forged":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif case == "used":
        join(svc, Actor(77, "某人", 77), token)
    elif case == "revoked":
        item = inv.open_invitations(store, agency_id=a)[0]
        assert texts(svc.callback(COORD, f"co:x:{item.id}")) == T.REVOKED
    later = NOW + dt.timedelta(days=8) if case == "expired" else NOW
    with time_machine.travel(later, tick=False):
        asked = svc.start_payload(STRANGER, token)
        confirmed = svc.callback(STRANGER, f"co:j:{token}")
    reason = {"forged": "unknown"}.get(case, case)
    assert texts(asked) == T.JOIN_REFUSED[reason] == texts(confirmed)
    assert "甲县" not in texts(asked) + texts(confirmed)
    assert not buttons(asked)
    assert store.memberships(store.get_or_create_user(STRANGER.telegram_id).id) == []


def _fill(store, agency_id, seed, user_id=None):
    info = store.get_or_create_report(agency_id, YEAR)
    fmt_values = full_values(YEAR, seed)
    from report import formats

    fmt = formats.for_year(YEAR)
    store.save_answers(info.id, user_id=user_id, source="chat", values=fmt_values,
                       narratives={p.key: f"第{seed}号机构情况说明。" for p in fmt.narrative_parts})
    return info.id


MARK = 987654  # a figure only agency B has


def _fill_b(store, b):
    rid = _fill(store, b, 9)
    store.save_answers(rid, user_id=None, source="chat", values={"s2.i5.licensing.decisions": MARK})
    return rid


def test_officer_of_a_cannot_reach_b(svc, world, store, settings):
    office, a, b = world
    rid_b = _fill_b(store, b)
    rid_a = _fill(store, a, 3)
    before, version = store.load_report(rid_b)
    item = inv.create_invitation(store, role="officer", created_by=None, agency_id=b)[1]
    u = store.find_user(OFFICER.telegram_id)
    crafted = [
        f"co:d:{b}:{YEAR}", f"co:r:{b}", f"co:s:{b}", f"co:ok:{rid_b}:{version}", f"co:rt:{rid_b}",
        f"co:cm:{rid_b}", f"co:h:{rid_b}:0", f"co:b:{office.id}:{YEAR}", f"co:ru:{office.id}:{YEAR}",
        f"co:mka:{b}:officer", f"co:mko:{office.id}", f"co:x:{item.id}", f"co:ap:{office.id}:1",
        f"co:iv:{office.id}", f"co:ol:{office.id}", f"co:dl:{office.id}", f"co:dy:{office.id}:{YEAR}",
        f"co:om:{office.id}", f"co:na:{office.id}", f"co:nk:{office.id}:department", "co:no", "co:ci",
        f"co:ci2:{office.id}", "co:ao", f"co:ir:{b}", "co:nao", "co:nkn:department", f"co:ok:{rid_a}:1",
        "co:zz", "co:d:x:y", "co:h",
    ]
    seen = []
    for data in crafted:
        out = svc.callback(OFFICER, data)
        seen += out
        assert texts(out) in (T.NOT_ALLOWED, T.NOT_ADMIN, M.EXPIRED), (data, texts(out))
    # what would answer a coordination question, typed by someone the bot asked nothing of, goes to
    # their own interview (there are no markers in messages to forge)
    for typed in ("2025-01-02", "默认", "某县政务公开办公室", f"〔co:dy:{office.id}:{YEAR}〕"):
        seen += svc.answer(OFFICER, typed)
    seen += svc.board_command(OFFICER) + svc.office(OFFICER) + svc.admin(OFFICER)
    # nothing of B shown, nothing of B changed
    shown = texts(seen) + "".join(r.document[0] for r in seen if r.document)
    assert str(MARK) not in shown and "乙县" not in shown
    after, version_after = store.load_report(rid_b)
    assert (after, version_after) == (before, version)
    assert store.get_report_info(rid_b).status == "draft"
    assert co.comments(store, rid_b) == []
    assert store.role_in_agency(u.id, b) is None
    assert inv.get_invitation(store, item.id).revoked is False
    assert store.get_office(office.id).needs_approval is False
    assert co.deadline_overrides(store, YEAR, office_id=office.id) == (None, {})
    assert [x.name for x in store.agencies_of_office(office.id)] == ["乙县教育局", "甲县市场监督管理局"]
    assert len(store.audit_events(rid_a)) and all(e.key != "status" for e in store.audit_events(rid_a))


def test_history_of_the_current_report_in_order(svc, world, store):
    _, a, _ = world
    u = store.find_user(OFFICER.telegram_id)
    info = store.get_or_create_report(a, YEAR)
    for i, v in enumerate((1, 2, 5)):
        with time_machine.travel(NOW + dt.timedelta(minutes=i), tick=False):
            store.save_answers(info.id, user_id=u.id, source="chat" if i < 2 else "excel",
                               values={"s3.new.natural": v})
    out = svc.history_command(OFFICER)
    text = texts(out)
    label = "一、本年新收政府信息公开申请数量 自然人"
    lines = [line for line in text.splitlines() if label in line]
    assert lines == [f"  {label}：（空） → 1", f"  {label}：1 → 2", f"  {label}：2 → 5"]
    assert "2025-01-13 11:00 填报人（对话）" in text and "2025-01-13 11:02 填报人（Excel表格）" in text
    # a stranger cannot read it, even with the report id
    assert texts(svc.callback(STRANGER, f"co:h:{info.id}:0")) == T.NOT_ALLOWED


def test_history_is_paginated_by_30(svc, world, store):
    _, a, _ = world
    info = store.get_or_create_report(a, YEAR)
    for v in range(1, 36):
        store.save_answers(info.id, user_id=None, source="chat", values={"s3.new.natural": v})
    latest = svc.history(OFFICER, info.id, 0)
    assert "第6–35条，共35条" in latest[0].text
    assert "34 → 35" in latest[-1].text and "（空） → 1" not in texts(latest)
    older = svc.callback(OFFICER, buttons(latest)[T.BTN_OLDER])
    assert "第1–5条，共35条" in older[0].text and "（空） → 1" in texts(older)
    assert T.BTN_NEWER in buttons(older) and T.BTN_OLDER not in buttons(older)


def test_board_and_rollup_figures_are_the_member_sums(svc, world, store):
    office, a, b = world
    _fill(store, a, 3)
    _fill(store, b, 11)
    store.create_agency("丙县民政局", "township", office.id)
    out = svc.board_command(COORD)
    text = texts(out)
    assert "已提交 0 · 待审核 0 · 填报中 2 · 未开始 1" in text
    left = dl.working_days_left(dt.date(2025, 1, 13), dt.date(2025, 1, 31), dl.WorkCalendar())
    assert left == 12  # Spring Festival 2025: 28 Jan – 4 Feb off, Sunday 26 Jan worked
    assert "甲县市场监督管理局：填报中，6/6部分\n   截止2025年1月31日（剩12个工作日）" in text
    assert "丙县民政局：未开始，0/6部分\n   截止2025年2月20日" in text
    data = buttons(out)
    drill = svc.callback(COORD, data["2. 乙县教育局"])
    assert "乙县教育局2024年政府信息公开工作年度报告" in texts(drill)
    assert T.BTN_APPROVE not in buttons(drill)  # coordinator reads, does not approve
    docs = svc.callback(COORD, data[T.BTN_ROLLUP])
    assert "已计入2个机关；未报1个" in docs[0].text
    files = {r.document[0]: r.document[1] for r in docs if r.document}
    assert set(files) == {f"2024年某县政务公开办公室政府信息公开工作年度报告汇总表.{e}" for e in ("xlsx", "docx")}
    wb = openpyxl.load_workbook(io.BytesIO(files["2024年某县政务公开办公室政府信息公开工作年度报告汇总表.xlsx"]))
    rows = {r[0]: r[1:] for r in wb[ru.LABELS.sheet_sums].iter_rows(values_only=True) if r and r[0]}
    ea = store.load_report(store.find_report(a, YEAR).id)[0].effective()
    eb = store.load_report(store.find_report(b, YEAR).id)[0].effective()
    cols = ("natural", "business", "research", "welfare", "legal", "other", "total")
    assert list(rows["一、本年新收政府信息公开申请数量"][:7]) == [ea[f"s3.new.{k}"] + eb[f"s3.new.{k}"] for k in cols]
    assert rows["行政复议"][:5] == tuple(ea[f"s4.review.{k}"] + eb[f"s4.review.{k}"]
                                     for k in ("upheld", "corrected", "other", "pending", "total"))
    agencies = {r[0]: r[1] for r in wb[ru.LABELS.sheet_agencies].iter_rows(values_only=True)}
    assert agencies[ru.LABELS.missing] == "丙县民政局"


def test_deadline_override_reaches_the_board(svc, world, store):
    office, a, _ = world
    years = svc.callback(COORD, f"co:dl:{office.id}")
    prompt = svc.callback(COORD, buttons(years)[T.YEAR_BUTTON.format(year=YEAR)])
    assert asks(prompt)
    assert texts(svc.answer(COORD, "明天")).startswith(T.DEADLINE_BAD.format(text="明天"))  # and asks again
    assert "应在2025年内" in texts(svc.answer(COORD, "2024-12-01"))
    assert texts(svc.answer(COORD, "２０２５年1月20日")) == T.DEADLINE_SET.format(
        year=YEAR, date="2025年1月20日")
    assert co.deadline_overrides(store, YEAR, office_id=office.id) == (dt.date(2025, 1, 20), {})
    assert "甲县市场监督管理局：未开始，0/6部分\n   截止2025年1月20日" in texts(svc.board_command(COORD))
    assert asks(svc.callback(COORD, buttons(years)[T.YEAR_BUTTON.format(year=YEAR)]))  # asked again
    svc.answer(COORD, "默认")
    assert "截止2025年1月31日" in texts(svc.board_command(COORD))


def test_reviewer_approval_flow(svc, world, store):
    office, a, _ = world
    assert texts(svc.callback(COORD, f"co:ap:{office.id}:1")).startswith(
        T.APPROVAL_SET.format(value=T.YES))
    info = store.get_or_create_report(a, YEAR)
    store.save_answers(info.id, user_id=None, source="chat", values={"s3.new.natural": 1})
    listing = svc.agency_command(REVIEWER)
    view = svc.callback(REVIEWER, buttons(listing)["审核：甲县市场监督管理局"])
    assert T.BTN_APPROVE not in buttons(view)  # a draft: the officer has not submitted it for approval
    v = store.get_report_info(info.id).version
    assert texts(svc.callback(REVIEWER, f"co:ok:{info.id}:{v}")) == T.APPROVE_NOT_AWAITING
    store.set_status(info.id, "awaiting_approval", user_id=None)  # the officer's 提交 (tests/interview)
    view = svc.callback(REVIEWER, buttons(listing)["审核：甲县市场监督管理局"])
    assert T.BTN_APPROVE in buttons(view)
    refused = svc.callback(REVIEWER, buttons(view)[T.BTN_APPROVE])
    assert texts(refused).startswith("报告还有")
    assert store.get_report_info(info.id).status == "awaiting_approval"
    # the officer cannot approve; the coordinator neither
    v = store.get_report_info(info.id).version
    assert texts(svc.callback(OFFICER, f"co:ok:{info.id}:{v}")) == T.NOT_ALLOWED
    assert texts(svc.callback(COORD, f"co:ok:{info.id}:{v}")) == T.NOT_ALLOWED
    _fill(store, a, 4)
    stale = svc.callback(REVIEWER, buttons(view)[T.BTN_APPROVE])  # the reviewer's view is outdated
    assert store.get_report_info(info.id).status == "awaiting_approval" and T.BTN_APPROVE in buttons(stale)
    done = svc.callback(REVIEWER, buttons(stale)[T.BTN_APPROVE])
    assert texts(done) == T.APPROVED.format(agency="甲县市场监督管理局", year=YEAR)
    assert store.get_report_info(info.id).status == "submitted"
    # a comment is kept and shown in the history
    assert asks(svc.callback(REVIEWER, f"co:cm:{info.id}"))
    svc.answer(REVIEWER, "表三请再核对。")
    assert [c.text for c in co.comments(store, info.id)] == ["表三请再核对。"]
    hist = texts(svc.history(REVIEWER, info.id, 0))
    assert "审核意见：（空） → 表三请再核对。" in hist and "报告状态：待审核 → 已提交" in hist
    back = svc.callback(REVIEWER, f"co:rt:{info.id}")
    assert texts(back) == T.RETURNED.format(agency="甲县市场监督管理局", year=YEAR)
    assert store.get_report_info(info.id).status == "draft"


def test_agency_picker_selects_through_the_interview(svc, world, store):
    office, a, b = world
    inv_token = token_of(svc.callback(COORD, f"co:mka:{b}:officer"))
    join(svc, OFFICER, inv_token)
    u = store.find_user(OFFICER.telegram_id)
    listing = svc.agency_command(OFFICER)
    assert set(buttons(listing)) == {"填报：甲县市场监督管理局", "填报：乙县教育局"}
    svc.callback(OFFICER, buttons(listing)["填报：甲县市场监督管理局"])
    assert store.get_position(u.id)["agency_id"] == a
    svc.callback(OFFICER, buttons(listing)["填报：乙县教育局"])
    assert store.get_position(u.id)["agency_id"] == b
    assert texts(svc.agency_command(STRANGER)) == T.NO_AGENCY


def test_open_invitations_list_and_revoke(svc, world, store):
    office, a, _ = world
    svc.callback(COORD, f"co:mka:{a}:reviewer")
    svc.callback(COORD, f"co:mko:{office.id}")
    listing = svc.callback(COORD, f"co:ol:{office.id}")
    assert T.OPEN_INVITES.format(n=2) in texts(listing)
    assert "审核人 · 甲县市场监督管理局" in texts(listing) and "协调人 · 某县政务公开办公室" in texts(listing)
    svc.callback(COORD, buttons(listing)[T.BTN_REVOKE.format(i=1)])
    assert T.OPEN_INVITES.format(n=1) in texts(svc.callback(COORD, f"co:ol:{office.id}"))


def test_board_shows_failed_reminder_deliveries(svc, world, store):
    from storage.db import session_scope
    from storage.models import ReminderOutbox, report_subject

    office, a, _ = world
    rid = _fill(store, a, 3)
    officer = store.find_user(OFFICER.telegram_id)
    with session_scope(store.engine, write=True) as s:
        s.add(ReminderOutbox(recipient_user_id=officer.id, chat_id=OFFICER.telegram_id, report_id=rid,
                             subject=report_subject(rid), kind="before_7", due_at=NOW, status="failed",
                             last_error="Forbidden: bot was blocked by the user"))
    text = texts(svc.board_command(COORD))
    agency_line = text[text.index("甲县市场监督管理局："):]
    assert T.BOARD_FAILED.format(n=1) in agency_line
    assert text.count("未能送达") == 1
