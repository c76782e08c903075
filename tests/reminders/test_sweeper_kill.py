"""kill -9 of a sweeping instance at each step of claim → pace → send → record, with a second
instance on the same database, against the local Bot API emulation (issue 17, item 3).

Every recipient gets exactly one reminder — counted from what the emulation received — except a
row whose send may have reached Telegram when the process died: that one is ``unknown``, received
at most once, never resent, and listed for the coordinator. Runs on SQLite and, in CI's second
pass, on PostgreSQL (``pytest -m db``), where the instances claim with FOR UPDATE SKIP LOCKED.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage import reminders as repo
from storage.store import Store
from tests.emulator import BotApiEmulator

from .conftest import local

pytestmark = [pytest.mark.db, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:KILL-test-token-0123456789abcdefABCDEF"
START = local(2025, 1, 27, 9, 31)  # the 2024 departments' due day
AGENCIES, OFFICERS = 8, 3
STALE_SECONDS = 2


def seed(store: Store) -> int:
    """An office with 8 departments, half of them without a report row yet, 3 officers each, and a
    coordinator: 24 due-day reminders and one digest."""
    office = store.create_office("某县政务公开办")
    coordinator = store.get_or_create_user(900_000, "协调人")
    store.add_membership(coordinator.id, "coordinator", office_id=office.id)
    for a in range(AGENCIES):
        agency = store.create_agency(f"某县第{a + 1}局", "department", office.id)
        if a % 2 == 0:
            store.get_or_create_report(agency.id, 2024)
        for o in range(OFFICERS):
            user = store.get_or_create_user(910_000 + a * 10 + o, f"填报人{a}-{o}")
            store.add_membership(user.id, "officer", agency_id=agency.id)
    return office.id


def spawn(emulator: BotApiEmulator, db_url: str, workdir: Path, name: str, crash: str = "") -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCLOSURE_BOT_", "SWEEPER_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        DISCLOSURE_BOT_TOKEN=TOKEN,
        DISCLOSURE_BOT_BASE_URL=emulator.base_url,
        DISCLOSURE_BOT_BASE_FILE_URL=emulator.base_file_url,
        DISCLOSURE_BOT_DATABASE_URL=db_url,
        DISCLOSURE_BOT_REMINDERS__MAX_PER_SECOND="25",
        DISCLOSURE_BOT_REMINDERS__SWEEP_INTERVAL_SECONDS="1",
        DISCLOSURE_BOT_REMINDERS__STALE_AFTER_SECONDS=str(STALE_SECONDS),
        SWEEPER_CLOCK_OFFSET=str((START - dt.datetime.now(dt.UTC)).total_seconds()),
        SWEEPER_BATCH="4",
        SWEEPER_CRASH_AT=crash,
    )
    out = open(workdir / f"{name}.out", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reminders.sweeper_process"],
        cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
    )


def wait_until(condition, timeout: float, what: str, logs) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{logs()}")
        time.sleep(0.05)


def received_per_row(emulator: BotApiEmulator, chats: set[int]) -> dict[int, int]:
    """How many messages the emulation received for each outbox row (its id is in the buttons)."""
    counts: dict[int, int] = {}
    for chat in chats:
        for message in emulator.messages(chat):
            for row in message.inline_keyboard:
                for button in row:
                    data = button.get("callback_data", "")
                    if data.startswith("rem:s1:"):
                        outbox_id = int(data.rsplit(":", 1)[1])
                        counts[outbox_id] = counts.get(outbox_id, 0) + 1
    return counts


@pytest.mark.parametrize("step", ["claim:1", "pace:1", "send:3", "record:3", "recorded:3"])
def test_kill_9_at_each_step_every_recipient_gets_exactly_one_reminder(step, migrated_db_url, tmp_path):
    store = Store.from_url(migrated_db_url, upgrade=False)
    procs: list[subprocess.Popen] = []

    def logs() -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in tmp_path.glob("*.out"))

    try:
        office_id = seed(store)
        with BotApiEmulator(TOKEN) as emulator:
            dying = spawn(emulator, migrated_db_url, tmp_path, "dying", crash=step)
            procs.append(dying)
            # the second instance joins once the first has claimed (or died right after claiming)
            wait_until(lambda: any(r.status != "pending" for r in repo.items(store.engine)), 60, "a claim", logs)
            procs.append(spawn(emulator, migrated_db_url, tmp_path, "survivor"))
            assert dying.wait(timeout=60) == -signal.SIGKILL, logs()
            final = {"sent", "failed", "unknown"}
            wait_until(
                lambda: {r.status for r in repo.items(store.engine)} <= final, 60, "every row delivered", logs
            )
            procs[1].send_signal(signal.SIGTERM)
            assert procs[1].wait(timeout=30) == 0, logs()
            rows = repo.items(store.engine)
            received = received_per_row(emulator, {r.chat_id for r in rows})
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        store.dispose()

    assert len(rows) == AGENCIES * OFFICERS + 1, logs()
    sent = [r for r in rows if r.status == "sent"]
    unknown = [r for r in rows if r.status == "unknown"]
    assert not [r for r in rows if r.status == "failed"]
    # exactly once for every row recorded as sent; at most once for a row whose send may have left
    assert all(received.get(r.id, 0) == 1 for r in sent), (received, logs())
    assert all(received.get(r.id, 0) <= 1 for r in unknown), received
    assert sum(received.values()) == len(sent) + sum(received.get(r.id, 0) for r in unknown)
    kind, _, _ = step.partition(":")
    if kind in ("claim", "pace"):
        # nothing had been handed to Telegram: every recipient gets exactly one reminder
        assert unknown == [] and len(sent) == len(rows), logs()
    elif kind == "send":
        # the row marked sending when the process died never reached the emulation
        assert any(received.get(r.id, 0) == 0 for r in unknown), (unknown, received)
    elif kind == "record":
        # the row Telegram had answered for was not recorded: unknown, received once, not resent
        assert any(received.get(r.id, 0) == 1 for r in unknown), (unknown, received)
    # only rows the dead instance had handed to the HTTP step (in flight at the kill) are unknown
    dead_claimer = json.loads((tmp_path / "dying.out").read_text().splitlines()[0])["claimer"]
    assert all(r.claimed_by.startswith(dead_claimer + ":") and r.attempts == 1 for r in unknown), unknown
    # every unknown row is shown to the coordinator, whether or not its agency had a report row
    engine = Store.from_url(migrated_db_url, upgrade=False)
    try:
        shown = {f.outbox_id for f in repo.failed_deliveries(engine.engine, office_id)}
    finally:
        engine.dispose()
    assert shown == {r.id for r in unknown}
