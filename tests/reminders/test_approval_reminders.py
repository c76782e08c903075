"""Reports awaiting a reviewer's approval: the reviewers are asked at once (outbox, kind
approval_request_v<version>) and reminded on the schedule (review_<kind>); the officers are not."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from bot.reminders import texts
from report import deadlines as dl
from storage import reminders as repo

from .conftest import local
from .test_outbox import plan_at, rows, sweeper_for

pytestmark = pytest.mark.db


@pytest.fixture
def waiting(world):
    """The department's report awaiting approval (submitted by officer 张三), with one reviewer."""
    w = world
    w.reviewer = w.store.get_or_create_user(3001, "赵六")
    w.store.add_membership(w.reviewer.id, "reviewer", agency_id=w.dept.id)
    w.store.set_status(w.report_id, "awaiting_approval", user_id=w.officer.id)
    return w


def markup_of(call) -> list[list[dict]]:
    markup = call.params["reply_markup"]
    return (json.loads(markup) if isinstance(markup, str) else markup)["inline_keyboard"]


def test_only_reviewers_are_reminded_while_a_report_awaits_approval(waiting):
    w = waiting
    plan_at(w.store, local(2025, 1, 27, 9, 31))
    got = {(r.recipient_user_id, r.kind) for r in rows(w.store) if r.report_id == w.report_id}
    version = w.store.get_report_info(w.report_id).version
    # no officer reminder; the reviewer's own kind; the missing approval request is filled in
    assert got == {(w.reviewer.id, "review_due_day"), (w.reviewer.id, f"approval_request_v{version}")}
    review = next(r for r in rows(w.store) if r.kind == "review_due_day")
    assert review.payload["role"] == "reviewer" and review.payload["agency_id"] == w.dept.id


def test_after_return_the_officers_are_reminded_again_and_the_reviewer_is_not(waiting):
    w = waiting
    w.store.set_status(w.report_id, "draft", user_id=w.reviewer.id)  # 退回修改
    plan_at(w.store, local(2025, 1, 27, 9, 31))
    got = {(r.recipient_user_id, r.kind) for r in rows(w.store) if r.report_id == w.report_id}
    assert got == {(w.officer.id, "due_day"), (w.officer2.id, "due_day")}


def test_overdue_awaiting_report_reminds_reviewer_and_coordinator(waiting):
    w = waiting
    plan_at(w.store, local(2025, 2, 6, 9, 31))
    got = {(r.recipient_user_id, r.kind) for r in rows(w.store) if r.report_id == w.report_id
           and not repo.is_approval_kind(r.kind)}
    assert got == {(w.reviewer.id, "review_overdue_1"), (w.coordinator.id, "overdue_1")}


def test_digest_counts_awaiting_approval_apart(waiting):
    w = waiting
    s = w.store
    s.save_answers(w.report_id, narratives={"n5": "存在的问题。"}, user_id=w.officer.id, source="chat")
    s.set_status(w.report_id, "awaiting_approval", user_id=w.officer.id)
    plan_at(s, local(2025, 1, 27, 9, 31))
    digest = next(r for r in rows(s) if r.kind.startswith("digest_"))
    c = digest.payload["counts"]
    assert (c["submitted"], c["awaiting_approval"], c["in_progress"], c["not_started"]) == (0, 1, 0, 1)
    text = texts.message_text(digest, local(2025, 1, 27, 9, 31), dl.ScheduleParams(), dl.WorkCalendar())
    assert "已提交：0\n待审核：1\n填报中：0\n未开始：1" in text
    counts = repo.digest_counts(s.engine, w.office.id, 2024, local(2025, 1, 27).date(), repo.PlanConfig())
    assert counts.awaiting_approval == 1 and counts.total == 2
    statuses = {a.name: a.status for a in repo.agency_statuses(s.engine, 2024, local(2025, 1, 27).date(),
                                                                repo.PlanConfig())}
    assert statuses["某县教育局"] == "awaiting_approval"


async def test_approval_request_goes_out_at_once_even_after_hours(waiting, bot, fake_request):
    w = waiting
    saturday_night = local(2025, 2, 8, 22, 0)
    assert repo.request_approval(w.store.engine, w.report_id, saturday_night) == 1
    assert repo.request_approval(w.store.engine, w.report_id, saturday_night) == 0  # idempotent
    with time_machine.travel(saturday_night, tick=False):
        stats = await sweeper_for(w.store).run_once(bot)
        again = await sweeper_for(w.store).run_once(bot)
    assert (stats.planned, stats.sent, again.claimed) == (0, 1, 0)  # no planning after hours
    [call] = fake_request.sent()
    assert call.params["chat_id"] == w.reviewer.telegram_id
    assert "【待审核】2024年度政府信息公开工作年度报告（某县教育局）" in call.params["text"]
    assert "张三已提交报告，等待您审核" in call.params["text"]
    assert markup_of(call) == [[{"text": "查看并审核", "callback_data": f"co:r:{w.dept.id}:2024"}]]


async def test_withdrawn_report_drops_pending_reviewer_messages(waiting, bot, fake_request):
    w = waiting
    with time_machine.travel(local(2025, 1, 27, 9, 31), tick=False):
        plan_at(w.store, local(2025, 1, 27, 9, 31))
        w.store.set_status(w.report_id, "draft", user_id=w.officer.id)  # 撤回提交
        sweeper = sweeper_for(w.store, plan_every=dt.timedelta(days=1))
        sweeper._last_plan = local(2025, 1, 27, 9, 31)  # no replanning: deliver what was planned
        stats = await sweeper.run_once(bot)
    assert stats.dropped == 2  # the reviewer's review_due_day and approval request
    assert w.reviewer.telegram_id not in [c.params["chat_id"] for c in fake_request.sent()]


async def test_reviewer_reminder_text_and_buttons(waiting, bot, fake_request):
    w = waiting
    with time_machine.travel(local(2025, 1, 27, 9, 31), tick=False):
        await sweeper_for(w.store).run_once(bot)
    sent = [c for c in fake_request.sent() if c.params["chat_id"] == w.reviewer.telegram_id]
    assert len(sent) == 2  # the approval request and the scheduled reminder
    review = next(c for c in sent if "【审核提醒】" in c.params["text"])
    assert "填报人已提交，正等待您审核批准。截止日期：2025年1月31日" in review.params["text"]
    kb = markup_of(review)
    assert kb[0] == [{"text": "查看并审核", "callback_data": f"co:r:{w.dept.id}:2024"}]
    assert [b["text"] for b in kb[1]] == ["1天后提醒", "3天后提醒"]
    # the officers got nothing about this report
    assert not {w.officer.telegram_id, w.officer2.telegram_id} & {c.params["chat_id"] for c in fake_request.sent()}
