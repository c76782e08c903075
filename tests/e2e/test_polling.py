"""bot/polling.py against the Bot API emulation, in process: an update is confirmed to Telegram only
after its handlers returned; a stop finishes the update being handled and confirms only what was
handled; Conflict and network errors are retried."""

from __future__ import annotations

import asyncio
import logging

import pytest
from telegram.ext import ApplicationBuilder, MessageHandler, filters

from bot.polling import Poller

from .harness import TEST_TOKEN

pytestmark = pytest.mark.e2e


def application_for(emulator, handled: list[int], gate: asyncio.Event | None = None):
    app = (
        ApplicationBuilder()
        .token(TEST_TOKEN)
        .base_url(emulator.base_url)
        .base_file_url(emulator.base_file_url)
        .updater(None)
        .build()
    )

    async def on_message(update, context) -> None:
        handled.append(update.update_id)
        if gate is not None:
            await gate.wait()

    app.add_handler(MessageHandler(filters.ALL, on_message))
    return app


async def until(condition, what: str, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def offsets(emulator) -> list[int]:
    return [int(c.params.get("offset") or 0) for c in emulator.calls("getUpdates")]


async def test_an_update_is_confirmed_only_after_its_handler_returned(emulator):
    handled: list[int] = []
    gate = asyncio.Event()
    app = application_for(emulator, handled, gate)
    stop = asyncio.Event()
    async with app:
        await app.start()
        poll = asyncio.create_task(Poller(app, timeout=1).run(stop))
        first = emulator.send_text(70_001, "第一条")["update_id"]
        await until(lambda: handled == [first], "the handler")
        # the handler has not returned: nothing asked Telegram to forget the update
        assert max(offsets(emulator)) <= first
        assert [u["update_id"] for u in emulator.pending_updates()] == [first]
        gate.set()
        await until(lambda: first + 1 in offsets(emulator), "the confirming getUpdates")
        assert emulator.pending_updates() == []
        stop.set()
        await poll
        await app.stop()


async def test_a_stop_finishes_the_update_in_hand_and_confirms_only_what_was_handled(emulator):
    handled: list[int] = []
    gate = asyncio.Event()
    app = application_for(emulator, handled, gate)
    stop = asyncio.Event()
    second = None
    async with app:
        await app.start()
        poll = asyncio.create_task(Poller(app, timeout=1).run(stop))
        first = emulator.send_text(70_002, "第一条")["update_id"]
        await until(lambda: handled == [first], "the handler")
        second = emulator.send_text(70_003, "第二条")["update_id"]
        stop.set()  # SIGTERM while the first update is being handled
        await asyncio.sleep(0.05)
        assert not poll.done()  # it waits for the handler
        gate.set()
        await asyncio.wait_for(poll, 5)
        await app.stop()
    assert handled == [first]
    assert offsets(emulator)[-1] == first + 1  # the handled one confirmed on the way out
    assert [u["update_id"] for u in emulator.pending_updates()] == [second]  # delivered again next start


async def test_conflict_and_network_errors_are_logged_and_retried(emulator, caplog):
    handled: list[int] = []
    app = application_for(emulator, handled)
    emulator.inject_error(
        "getUpdates", 409, "Conflict: terminated by other getUpdates request; make sure that only one bot "
        "instance is running", times=1,
    )
    emulator.inject_error("getUpdates", 502, "Bad Gateway", times=1)
    stop = asyncio.Event()
    caplog.set_level(logging.WARNING, logger="bot.polling")
    async with app:
        await app.start()
        poll = asyncio.create_task(Poller(app, timeout=1).run(stop))
        update_id = emulator.send_text(70_004, "你好")["update_id"]
        await until(lambda: handled == [update_id], "the update after the errors", timeout=15)
        stop.set()
        await asyncio.wait_for(poll, 5)
        await app.stop()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Conflict" in logged and "getUpdates failed (NetworkError)" in logged
    assert len(emulator.calls("getUpdates")) >= 3
