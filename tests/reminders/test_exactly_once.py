"""Claim → pace → send → record: a sweep that stops at any point loses no reminder and sends none
twice (issue 17, item 3). The same with real processes killed by SIGKILL is in test_sweeper_kill.py;
here the states a dead sweep leaves behind are produced in process, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt

import httpx
import pytest
import time_machine
from telegram.error import NetworkError

from bot.reminders import Sweeper
from report import deadlines as dl
from storage import desk
from storage import reminders as repo

from .conftest import error, local, make_settings
from .test_outbox import outbox_id_of, plan_at, rows, url_of

pytestmark = pytest.mark.db

START = local(2025, 1, 27, 9, 31)  # the 2024 departments' due day


def add_officers(w, n: int) -> None:
    for i in range(n):
        u = w.store.get_or_create_user(7000 + i, f"填报人{i}")
        w.store.add_membership(u.id, "officer", agency_id=w.dept.id)


def statuses(store) -> dict[int, str]:
    return {r.id: r.status for r in rows(store)}


async def test_a_sweep_that_dies_while_rows_wait_for_a_send_slot_loses_none(world, bot, fake_request):
    w = world
    add_officers(w, 6)
    settings = make_settings(url_of(w.store), stale_after_seconds=60)
    with time_machine.travel(START, tick=False):
        plan_at(w.store, START)
        total = len(rows(w.store))
        dead = Sweeper(w.store.engine, settings, batch_size=4)
        never = asyncio.Event()

        async def no_slot(chat_id, prepare=None):  # the process dies while its workers wait for send slots
            await never.wait()

        async def nothing_given_back():  # SIGKILL: no clean-up runs
            return 0

        dead.pacer.acquire = no_slot
        dead._release_held = nothing_given_back
        task = asyncio.create_task(dead.run_once(bot))
        for _ in range(500):
            if set(statuses(w.store).values()) == {"claimed"}:
                break
            await asyncio.sleep(0.01)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert set(statuses(w.store).values()) == {"claimed"}  # none was marked sending
        assert fake_request.sent() == []
        # another instance, within the lease: it leaves them alone
        early = await Sweeper(w.store.engine, settings).run_once(bot)
    assert (early.claimed, early.recovered) == (0, (0, 0))
    with time_machine.travel(START + dt.timedelta(seconds=61), tick=False):  # stale_after_seconds = 60
        later = await Sweeper(w.store.engine, settings).run_once(bot)
    assert later.recovered == (total, 0) and later.sent == total
    assert set(statuses(w.store).values()) == {"sent"}
    ids = [outbox_id_of(c) for c in fake_request.sent()]
    assert sorted(ids) == sorted(statuses(w.store))  # each exactly once


async def test_the_stale_window_comes_from_the_configuration(world, bot, fake_request):
    w = world
    with time_machine.travel(START, tick=False):
        plan_at(w.store, START)
        claimed = repo.claim(w.store.engine, START, 10, "dead:1")
    for seconds, settings_window, recovered in ((20, 30, (0, 0)), (31, 30, (len(claimed), 0))):
        settings = make_settings(url_of(w.store), stale_after_seconds=settings_window)
        sweeper = Sweeper(w.store.engine, settings)
        assert sweeper.stale_after == dt.timedelta(seconds=settings_window)
        with time_machine.travel(START + dt.timedelta(seconds=seconds), tick=False):
            assert (await sweeper.run_once(bot)).recovered == recovered


async def test_a_stalled_sweep_whose_lease_was_taken_back_does_not_send(world, bot, fake_request):
    w = world
    with time_machine.travel(START, tick=False):
        plan_at(w.store, START)
        stalled = Sweeper(w.store.engine, make_settings(url_of(w.store)))
        claimed = repo.claim(w.store.engine, START, 2, stalled.next_claim())
    with time_machine.travel(START + dt.timedelta(minutes=11), tick=False):
        live = await Sweeper(w.store.engine, make_settings(url_of(w.store))).run_once(bot)
        assert live.recovered == (2, 0) and live.sent == len(rows(w.store))
        # the stalled sweep wakes up with its old copy of the rows
        outcomes = [await stalled.deliver_one(bot, item) for item in claimed]
    assert outcomes == ["taken_over", "taken_over"]
    ids = [outbox_id_of(c) for c in fake_request.sent()]
    assert len(ids) == len(set(ids)) == len(rows(w.store))
    assert set(statuses(w.store).values()) == {"sent"}


async def test_flood_control_keeps_the_row_claimed_while_it_waits(world, bot, fake_request):
    w = world
    refused = []

    def script(call):
        if int(call.params["chat_id"]) == w.officer.telegram_id and not refused:
            refused.append(call)
            return error(429, "Too Many Requests: retry after 0.05", retry_after=0.05)
        return None

    fake_request.script = script
    with time_machine.travel(START, tick=False):
        sweeper = Sweeper(w.store.engine, make_settings(url_of(w.store)))
        seen = []
        acquire = sweeper.pacer.acquire

        async def watching(chat_id, prepare=None):
            if chat_id == w.officer.telegram_id:
                row = next(r for r in rows(w.store) if r.chat_id == chat_id)
                seen.append(row.status)
            return await acquire(chat_id, prepare)

        sweeper.pacer.acquire = watching
        stats = await sweeper.run_once(bot)
    # before the first try and while waiting to retry: claimed (a crash then queues it again)
    assert seen == ["claimed", "claimed"] and stats.sent == 3
    row = next(r for r in rows(w.store) if r.chat_id == w.officer.telegram_id)
    assert (row.status, row.attempts) == ("sent", 2)


async def test_a_connection_lost_after_the_request_was_written_is_unknown(world, bot, fake_request):
    w = world

    def script(call):
        if int(call.params["chat_id"]) == w.officer.telegram_id:
            exc = NetworkError("httpx.ReadError: connection reset")
            exc.__cause__ = httpx.ReadError("connection reset")
            return exc
        return None

    fake_request.script = script
    with time_machine.travel(START, tick=False):
        stats = await Sweeper(w.store.engine, make_settings(url_of(w.store))).run_once(bot)
    assert (stats.unknown, stats.sent, stats.retried) == (1, 2, 0)


async def test_the_board_lists_failed_rows_of_an_agency_without_a_report_row(world, bot, fake_request):
    """某县人民政府 has no report row yet (it has not started): its officer blocked the bot."""
    w = world
    fake_request.script = lambda call: (
        error(403, "Forbidden: bot was blocked by the user") if int(call.params["chat_id"]) == w.officer.telegram_id
        else None
    )
    when = local(2025, 3, 24, 9, 31)  # 7 days before the governments' 31 March
    with time_machine.travel(when, tick=False):
        stats = await Sweeper(w.store.engine, make_settings(url_of(w.store))).run_once(bot)
        assert stats.failed == 1
        gov_row = next(r for r in rows(w.store) if r.status == "failed")
        assert gov_row.report_id is None and gov_row.subject == f"agency:{w.gov.id}:2024"
        assert (gov_row.agency_id, gov_row.office_id) == (w.gov.id, w.office.id)
        failed = repo.failed_deliveries(w.store.engine, w.office.id)
        assert [(f.recipient_name, f.agency, f.status) for f in failed] == [("张三", "某县人民政府", "failed")]
        counts = repo.digest_counts(w.store.engine, w.office.id, 2024, when.date(), repo.PlanConfig())
        assert counts.failed_deliveries == 1
        rules = desk.DeadlineRules.from_settings(make_settings(url_of(w.store)))
        board = desk.board(w.store, w.store.get_office(w.office.id), 2024, when.date(), rules)
    # the board (chat /board and the web desk) counts it on the agency's row
    failed_by_agency = {row.agency.name: row.failed_deliveries for row in board.rows}
    assert failed_by_agency == {"某县人民政府": 1, "某县教育局": 0}


def test_plan_stores_the_agency_and_its_office_on_every_row_about_an_agency(world):
    w = world
    plan_at(w.store, START)
    for r in rows(w.store):
        if r.kind.startswith("digest"):
            assert (r.agency_id, r.office_id) == (None, w.office.id)
        else:
            assert (r.agency_id, r.office_id) == (w.dept.id, w.office.id)
    assert dl.WorkCalendar().is_workday(START.date())
