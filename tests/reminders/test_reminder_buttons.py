"""Snooze / mute buttons under a reminder (bot/reminders/buttons.py), pressed through the production
Application (bot.app.build_application: every handler in its one order), and the job registration."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import time_machine
from telegram import Update

from bot import reminders
from storage import reminders as repo

from .conftest import BOT_USER, local, make_settings
from .test_outbox import plan_at, rows, url_of

pytestmark = pytest.mark.db


_update_ids = itertools.count(1)


def press(app, data: str, from_id: int) -> Update:
    return Update.de_json(
        {
            "update_id": next(_update_ids),
            "callback_query": {
                "id": "cb1",
                "from": {"id": from_id, "is_bot": False, "first_name": "用户"},
                "chat_instance": "ci",
                "data": data,
                "message": {
                    "message_id": 7,
                    "date": 1737941460,
                    "chat": {"id": from_id, "type": "private"},
                    "from": BOT_USER,
                    "text": "提醒",
                },
            },
        },
        app.bot,
    )


@pytest.fixture
async def app(fake_request, world):
    from bot.app import build_application

    settings = make_settings(url_of(world.store), token="123456:TEST")
    application = build_application(settings, store=world.store, request=fake_request, rate_limiter=False,
                                    updater=False)
    await application.initialize()
    yield application
    await application.shutdown()


def answers(fake_request):
    return [c.params for c in fake_request.calls if c.method == "answerCallbackQuery"]


async def test_snooze_by_the_recipient(app, world, fake_request):
    w = world
    with time_machine.travel(local(2025, 1, 24, 10, 0), tick=False):
        plan_at(w.store, local(2025, 1, 24, 10, 0))
        item = next(r for r in rows(w.store) if r.recipient_user_id == w.officer.id)
        repo.mark_sent(w.store.engine, item.id, local(2025, 1, 24, 10, 0))
        await app.process_update(press(app, f"rem:s1:{item.id}", w.officer.telegram_id))
    assert "2025年1月26日（星期日）09:30" in answers(fake_request)[0]["text"]  # Sunday 26th is a working day
    again = [r for r in rows(w.store) if r.kind.startswith("again_")]
    assert [(r.recipient_user_id, r.due_at, r.subject, r.status) for r in again] == [
        (w.officer.id, local(2025, 1, 26, 9, 30), item.subject, "pending")]
    edits = [c for c in fake_request.calls if c.method == "editMessageReplyMarkup"]
    assert len(edits) == 1
    # while snoozed, planning skips the user; nothing else is planned for them before the 27th
    plan_at(w.store, local(2025, 1, 26, 9, 0))
    plan_at(w.store, local(2025, 1, 26, 9, 40))
    assert sorted(r.kind for r in rows(w.store) if r.recipient_user_id == w.officer.id) == [
        again[0].kind, "before_7"]


async def test_snoozing_defers_pending_reminders(app, world, fake_request):
    w = world
    with time_machine.travel(local(2025, 1, 24, 10, 0), tick=False):
        plan_at(w.store, local(2025, 1, 24, 10, 0))
        item = next(r for r in rows(w.store) if r.recipient_user_id == w.officer.id)
        await app.process_update(press(app, f"rem:s3:{item.id}", w.officer.telegram_id))
    mine = [r for r in rows(w.store) if r.recipient_user_id == w.officer.id]
    assert [(r.kind, r.due_at) for r in mine] == [("before_7", local(2025, 1, 27, 9, 30))]


async def test_someone_else_cannot_press_the_buttons(app, world, fake_request):
    w = world
    with time_machine.travel(local(2025, 1, 24, 10, 0), tick=False):
        plan_at(w.store, local(2025, 1, 24, 10, 0))
        item = next(r for r in rows(w.store) if r.recipient_user_id == w.officer.id)
        await app.process_update(press(app, f"rem:mute:{item.id}", w.officer2.telegram_id))
        await app.process_update(press(app, f"rem:s3:{item.id}", 999999))
    assert [a["text"] for a in answers(fake_request)] == ["这条提醒不是发给您的。"] * 2
    assert not [r for r in rows(w.store) if r.kind.startswith("again_")]
    with time_machine.travel(local(2025, 1, 27, 9, 31), tick=False):
        plan_at(w.store, local(2025, 1, 27, 9, 31))
    assert {r.recipient_user_id for r in rows(w.store) if r.kind == "due_day"} == {w.officer.id, w.officer2.id}


async def test_mute_for_the_year(app, world, fake_request):
    w = world
    with time_machine.travel(local(2025, 1, 24, 10, 0), tick=False):
        plan_at(w.store, local(2025, 1, 24, 10, 0))
        item = next(r for r in rows(w.store) if r.recipient_user_id == w.officer.id)
        await app.process_update(press(app, f"rem:mute:{item.id}", w.officer.telegram_id))
    assert answers(fake_request)[0]["text"] == "好的，今年不再发送填报提醒。"
    assert w.store.get_user(w.officer.id).muted_until == dt.date(2025, 12, 31)
    plan_at(w.store, local(2025, 2, 6, 9, 31))
    assert not [r for r in rows(w.store) if r.recipient_user_id == w.officer.id and r.status == "pending"]
    assert [r.kind for r in rows(w.store) if r.recipient_user_id == w.officer2.id] == ["before_7", "overdue_1"]


async def test_register_jobs_sets_the_sweeper_job(app, world):
    jobs = app.job_queue.get_jobs_by_name(reminders.JOB_NAME)
    assert len(jobs) == 1
    job = jobs[0].job
    assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time == 60
    assert job.trigger.interval == dt.timedelta(seconds=60)
    assert isinstance(app.bot_data["reminders"], reminders.Sweeper)
    assert repo.items(world.store.engine) == []
