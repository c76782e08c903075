"""The outbox: planning (storage/reminders.py) and delivery (bot/reminders) against a fake Bot API."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import threading

import httpx
import pytest
import time_machine
from telegram.error import NetworkError, TimedOut

from bot.reminders import Sweeper
from report import deadlines as dl
from storage import reminders as repo
from storage.db import make_engine

from .conftest import SHANGHAI, FakeRequest, error, local, make_settings

pytestmark = pytest.mark.db


def url_of(store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def cfg() -> repo.PlanConfig:
    return repo.PlanConfig()


def plan_at(store, when: dt.datetime) -> int:
    return repo.plan(store.engine, when, cfg(), dl.WorkCalendar())


def rows(store, **kw) -> list[repo.OutboxItem]:
    return repo.items(store.engine, **kw)


def keyset(store) -> set[tuple[int, str, str]]:
    return {(r.recipient_user_id, r.subject, r.kind) for r in rows(store)}


def sweeper_for(store, **kw) -> Sweeper:
    return Sweeper(store.engine, make_settings(url_of(store)), **kw)


def outbox_id_of(call) -> int:
    markup = call.params["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    data = markup["inline_keyboard"][1][0]["callback_data"]
    return int(data.rsplit(":", 1)[1])


# -- planning ---------------------------------------------------------------------------------------
def test_plan_is_idempotent_and_picks_the_current_reminder(world):
    w = world
    subject = f"report:{w.report_id}"
    assert plan_at(w.store, local(2025, 1, 24, 10, 0)) == 3  # 7 days before: a daily digest too
    assert keyset(w.store) == {
        (w.officer.id, subject, "before_7"), (w.officer2.id, subject, "before_7"),
        (w.coordinator.id, f"office:{w.office.id}", "digest_2024_2025-01-24")}
    assert plan_at(w.store, local(2025, 1, 24, 10, 5)) == 0
    # Saturday: still before_7's window; nothing new
    assert plan_at(w.store, local(2025, 1, 25, 10, 0)) == 0
    # Monday 27th: the due_day reminder for both officers, and the coordinator's daily digest
    plan_at(w.store, local(2025, 1, 27, 9, 31))
    kinds = sorted((r.recipient_user_id, r.kind) for r in rows(w.store))
    assert kinds == sorted([
        (w.officer.id, "before_7"), (w.officer2.id, "before_7"), (w.coordinator.id, "digest_2024_2025-01-24"),
        (w.officer.id, "due_day"), (w.officer2.id, "due_day"),
        (w.coordinator.id, "digest_2024_2025-01-27"),
    ])
    # the government's report (due 31 March) has no reminder yet; before_14 was never planned late
    assert all(r.payload.get("agency") != "某县人民政府" for r in rows(w.store))
    due = [r for r in rows(w.store) if r.kind == "due_day"][0]
    assert due.due_at == dt.datetime(2025, 1, 27, 9, 30, tzinfo=SHANGHAI)
    assert due.payload["missing"][2] == "三、收到和处理政府信息公开申请情况" and due.payload["done"] == 0


def test_overdue_reminders_go_to_officers_and_the_coordinator(world):
    w = world
    plan_at(w.store, local(2025, 2, 6, 9, 31))
    got = {(r.recipient_user_id, r.kind) for r in rows(w.store)}
    assert got == {(w.officer.id, "overdue_1"), (w.officer2.id, "overdue_1"), (w.coordinator.id, "overdue_1")}


def test_a_report_not_created_yet_is_reminded_under_the_agency_subject(world):
    w = world
    plan_at(w.store, local(2025, 3, 31, 9, 31))  # the government's due day; it has no report row
    gov_rows = [r for r in rows(w.store) if r.payload.get("agency") == "某县人民政府"]
    assert [(r.subject, r.kind, r.report_id) for r in gov_rows] == [(f"agency:{w.gov.id}:2024", "due_day", None)]
    # the report is created afterwards: the same kind is not planned again under report:<id>
    w.store.get_or_create_report(w.gov.id, 2024)
    repo.plan(w.store.engine, local(2025, 3, 31, 10, 0), cfg(), dl.WorkCalendar())
    assert len([r for r in rows(w.store) if r.payload.get("agency") == "某县人民政府"]) == 1


def test_submitted_report_gets_no_reminder(world):
    w = world
    w.store.set_status(w.report_id, "submitted", user_id=w.officer.id)
    plan_at(w.store, local(2025, 1, 27, 9, 31))
    plan_at(w.store, local(2025, 2, 6, 9, 31))
    assert [r.kind for r in rows(w.store) if r.report_id == w.report_id] == []


async def test_report_submitted_after_planning_is_not_reminded(world, bot, fake_request):
    w = world
    with time_machine.travel(local(2025, 1, 27, 9, 31), tick=False):
        plan_at(w.store, local(2025, 1, 27, 9, 31))
        w.store.set_status(w.report_id, "submitted", user_id=w.officer.id)
        stats = await sweeper_for(w.store).run_once(bot)
    assert stats.dropped == 2
    assert [c.params["chat_id"] for c in fake_request.sent()] == [w.coordinator.telegram_id]  # the digest only
    assert [r.kind for r in rows(w.store)] == ["digest_2024_2025-01-27"]


def test_muted_and_snoozed_users_are_skipped(world):
    w = world
    repo.mute(w.store.engine, w.officer.id, dt.date(2025, 12, 31))
    repo.snooze(w.store.engine, w.officer2.id, local(2025, 1, 28, 9, 30))
    plan_at(w.store, local(2025, 1, 27, 9, 31))
    assert {r.recipient_user_id for r in rows(w.store)} == {w.coordinator.id}
    # the snooze is over on the next working day: officer2 gets the reminder still current then
    plan_at(w.store, local(2025, 2, 6, 9, 31))
    assert {(r.recipient_user_id, r.kind) for r in rows(w.store) if r.report_id} == {
        (w.officer2.id, "overdue_1"), (w.coordinator.id, "overdue_1")}


def test_digest_counts_agree_with_agency_statuses(world):
    w = world
    s = w.store
    # the department report has data (in progress); add a submitted one and one with a report but no data
    s.save_answers(w.report_id, narratives={"n5": "存在的问题。"}, user_id=w.officer.id, source="chat")
    done = s.create_agency("某县卫健委", "department", w.office.id)
    r_done = s.get_or_create_report(done.id, 2024)
    s.set_status(r_done.id, "submitted", user_id=None)
    empty = s.create_agency("某县司法局", "department", w.office.id)
    s.get_or_create_report(empty.id, 2024)
    s.create_agency("别的县教育局", "department")  # another office: not counted
    today = dt.date(2025, 3, 24)
    statuses = repo.agency_statuses(s.engine, 2024, today, cfg(), office_id=w.office.id)
    by_name = {a.name: (a.status, a.overdue) for a in statuses}
    assert by_name == {
        "某县教育局": ("in_progress", True),
        "某县人民政府": ("not_started", False),
        "某县卫健委": ("submitted", False),
        "某县司法局": ("not_started", True),
    }
    plan_at(s, local(2025, 3, 24, 9, 31))  # 7 days before the government's deadline: daily digest
    digest = [r for r in rows(s) if r.kind.startswith("digest_")]
    assert [r.recipient_user_id for r in digest] == [w.coordinator.id]
    c = digest[0].payload["counts"]
    assert c["submitted"] == sum(1 for a in statuses if a.status == "submitted") == 1
    assert c["in_progress"] == sum(1 for a in statuses if a.status == "in_progress") == 1
    assert c["not_started"] == sum(1 for a in statuses if a.status == "not_started") == 2
    assert c["in_progress"] + c["not_started"] + c["submitted"] == 4
    assert c["overdue"] == 2 and sorted(c["overdue_agencies"]) == ["某县司法局", "某县教育局"]
    assert c["failed_deliveries"] == 0


# -- delivery ---------------------------------------------------------------------------------------
async def test_sweep_sends_each_due_reminder_once_with_buttons(world, bot, fake_request):
    w = world
    with time_machine.travel(local(2025, 1, 27, 9, 31), tick=False):
        sweeper = sweeper_for(w.store)
        stats = await sweeper.run_once(bot)
        again = await sweeper_for(w.store).run_once(bot)
    assert (stats.claimed, stats.sent, again.claimed) == (3, 3, 0)
    sent = fake_request.sent()
    assert sorted(c.params["chat_id"] for c in sent) == sorted(
        [w.officer.telegram_id, w.officer2.telegram_id, w.coordinator.telegram_id])
    officer_msg = next(c for c in sent if c.params["chat_id"] == w.officer.telegram_id)
    text = officer_msg.params["text"]
    assert "2024年度政府信息公开工作年度报告（某县教育局）" in text
    assert "截止日期：2025年1月31日（星期五）" in text and "其中工作日 1 天（含今天）" in text
    assert "已完成 0/6 部分" in text and "三、收到和处理政府信息公开申请情况" in text
    markup = officer_msg.params["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    buttons = [b["text"] for row in markup["inline_keyboard"] for b in row]
    assert buttons == ["继续填写", "1天后提醒", "3天后提醒", "今年不再提醒"]
    assert markup["inline_keyboard"][0][0]["callback_data"] == "menu"
    assert {r.status for r in rows(w.store)} == {"sent"}
    assert all(r.sent_at is not None and r.attempts == 1 for r in rows(w.store))


async def test_sweep_does_nothing_outside_working_hours(world, bot, fake_request):
    with time_machine.travel(local(2025, 1, 27, 8, 0), tick=False):
        stats = await sweeper_for(world.store).run_once(bot)
    with time_machine.travel(local(2025, 1, 28, 10, 0), tick=False):  # Spring Festival
        stats2 = await sweeper_for(world.store).run_once(bot)
    assert stats.claimed == stats2.claimed == 0 and fake_request.sent() == [] and rows(world.store) == []


def _script_by_chat(mapping):
    def script(call):
        return mapping.get(int(call.params["chat_id"]), lambda: None)()
    return script


async def test_forbidden_fails_for_good_and_shows_on_the_board(world, bot, fake_request):
    w = world
    fake_request.script = _script_by_chat({
        w.officer.telegram_id: lambda: error(403, "Forbidden: bot was blocked by the user")})
    with time_machine.travel(local(2025, 1, 27, 9, 31), tick=False):
        stats = await sweeper_for(w.store).run_once(bot)
    assert (stats.sent, stats.failed) == (2, 1)
    failed = repo.failed_deliveries(w.store.engine, w.office.id)
    assert [(f.recipient_name, f.agency, f.kind, f.status) for f in failed] == [("张三", "某县教育局", "due_day", "failed")]
    assert "blocked" in failed[0].last_error
    with time_machine.travel(local(2025, 1, 27, 11, 0), tick=False):
        again = await sweeper_for(w.store).run_once(bot)
    assert again.claimed == 0 and len(fake_request.sent()) == 3


async def test_retry_after_waits_and_retries(world, bot, fake_request):
    w = world
    seen = []

    def script(call):
        if int(call.params["chat_id"]) == w.officer.telegram_id and not seen:
            seen.append(call)
            return error(429, "Too Many Requests: retry after 0.05", retry_after=0.05)
        return None

    fake_request.script = script
    with time_machine.travel(local(2025, 1, 27, 9, 31), tick=False):
        sweeper = sweeper_for(w.store)
        stats = await sweeper.run_once(bot)
    assert stats.sent == 3 and stats.retried == 0
    officer_calls = [c for c in fake_request.sent() if int(c.params["chat_id"]) == w.officer.telegram_id]
    assert len(officer_calls) == 2
    row = next(r for r in rows(w.store) if r.recipient_user_id == w.officer.id)
    assert (row.status, row.attempts) == ("sent", 2)


async def test_read_timeout_is_unknown_and_not_resent(world, bot, fake_request):
    w = world
    fake_request.script = _script_by_chat({w.officer.telegram_id: lambda: TimedOut("Timed out")})
    with time_machine.travel(local(2025, 1, 27, 9, 31), tick=False):
        stats = await sweeper_for(w.store).run_once(bot)
    with time_machine.travel(local(2025, 1, 27, 15, 0), tick=False):
        later = await sweeper_for(w.store).run_once(bot)
    assert (stats.unknown, stats.sent, later.claimed) == (1, 2, 0)
    row = next(r for r in rows(w.store) if r.recipient_user_id == w.officer.id and r.report_id)
    assert row.status == "unknown"
    assert [(f.status, f.kind) for f in repo.failed_deliveries(w.store.engine, w.office.id)] == [("unknown", "due_day")]


async def test_connection_errors_go_back_to_pending_with_backoff(world, bot, fake_request):
    w = world
    failures = {"n": 0}

    def refuse():
        failures["n"] += 1
        if failures["n"] == 1:
            return NetworkError("httpx.ConnectError: [Errno 111] Connection refused")
        if failures["n"] == 2:
            exc = TimedOut()
            exc.__cause__ = httpx.ConnectTimeout("connect timeout")
            return exc
        return None

    fake_request.script = _script_by_chat({w.officer.telegram_id: refuse})
    start = local(2025, 1, 27, 9, 31)
    with time_machine.travel(start, tick=False):
        s1 = await sweeper_for(w.store, backoff_base=30).run_once(bot)
    row = next(r for r in rows(w.store) if r.recipient_user_id == w.officer.id and r.report_id)
    assert (s1.retried, row.status, row.attempts) == (1, "pending", 1)
    assert row.due_at == start + dt.timedelta(seconds=30) and "Connection refused" in row.last_error
    with time_machine.travel(start + dt.timedelta(seconds=10), tick=False):
        assert (await sweeper_for(w.store).run_once(bot)).claimed == 0  # not yet
    with time_machine.travel(start + dt.timedelta(seconds=31), tick=False):
        s2 = await sweeper_for(w.store, backoff_base=30).run_once(bot)  # connect timeout: never left
    row = next(r for r in rows(w.store) if r.id == row.id)
    assert (s2.retried, row.status, row.attempts) == (1, "pending", 2)
    assert row.due_at == start + dt.timedelta(seconds=31 + 60)
    with time_machine.travel(start + dt.timedelta(seconds=100), tick=False):
        s3 = await sweeper_for(w.store).run_once(bot)
    assert s3.sent == 1 and next(r for r in rows(w.store) if r.id == row.id).status == "sent"


async def test_restart_in_the_middle_of_a_sweep_sends_none_twice_and_drops_none(world, bot, fake_request):
    w = world
    extra = [w.store.get_or_create_user(3000 + i, f"用户{i}") for i in range(6)]
    for u in extra:
        w.store.add_membership(u.id, "officer", agency_id=w.dept.id)
    start = local(2025, 1, 27, 9, 31)
    with time_machine.travel(start, tick=False):
        plan_at(w.store, start)
        # the first process claims a batch, hands two of them to Telegram, then dies
        claimed = repo.claim(w.store.engine, start, 5, "dead-process:1")
        assert repo.mark_sending(w.store.engine, [(i.id, "dead-process:1") for i in claimed[:2]], start) == {
            i.id for i in claimed[:2]}
        total = len(rows(w.store))
        assert total == 9 and len(claimed) == 5
        # the restarted process sweeps at once: the claimed rows are left alone (their lease holds)
        s1 = await sweeper_for(w.store).run_once(bot)
    assert s1.sent == 4 and s1.recovered == (0, 0)
    with time_machine.travel(start + dt.timedelta(minutes=11), tick=False):  # the default window: 600 s
        s2 = await sweeper_for(w.store).run_once(bot)
    assert s2.recovered == (3, 2) and s2.sent == 3
    statuses = {r.id: r.status for r in rows(w.store)}
    assert sorted(statuses[i.id] for i in claimed) == ["sent", "sent", "sent", "unknown", "unknown"]
    assert list(statuses.values()).count("sent") == total - 2
    ids = [outbox_id_of(c) for c in fake_request.sent()]
    assert len(ids) == len(set(ids)) == total - 2  # none twice; the two possibly-sent ones not resent


def test_two_sweepers_on_one_database_send_each_reminder_exactly_once(world, tmp_path):
    """Two processes (threads here, each with its own engine and event loop) sweep the same
    database: on PostgreSQL the claim uses FOR UPDATE SKIP LOCKED, on SQLite writers are serialised."""
    w = world
    users = [w.store.get_or_create_user(5000 + i, "") for i in range(120)]
    for u in users:
        w.store.add_membership(u.id, "officer", agency_id=w.dept.id)
    start = local(2025, 1, 27, 9, 31)
    plan_at(w.store, start)
    total = len(rows(w.store))
    assert total == 123
    calls = []
    lock = threading.Lock()

    def script(call):
        with lock:
            calls.append(outbox_id_of(call))

    def run_sweeper():
        async def main():
            from telegram import Bot

            req = FakeRequest(script, delay=0.002)
            b = Bot("123456:TEST", request=req, get_updates_request=FakeRequest())
            await b.initialize()
            engine = make_engine(url_of(w.store))
            try:
                sw = Sweeper(engine, make_settings(url_of(w.store)), batch_size=7)
                await sw.run_once(b)
            finally:
                engine.dispose()
                await b.shutdown()

        asyncio.run(main())

    with time_machine.travel(start, tick=False):
        threads = [threading.Thread(target=run_sweeper) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert len(calls) == total and len(set(calls)) == total
    assert {r.status for r in rows(w.store)} == {"sent"}
    if os.environ.get("DISCLOSURE_BOT_TEST_DATABASE_URL"):
        assert w.store.engine.dialect.name == "postgresql"
