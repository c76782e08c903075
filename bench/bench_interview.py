"""Interview throughput and latency through the real PTB Application (offline), beside a bare echo bot.

    .venv/bin/python bench/bench_interview.py [--users 10] [--pg postgresql://postgres@127.0.0.1:5432/postgres]

For SQLite (a temporary file) and, when the server answers, PostgreSQL (a throwaway database created
on it and dropped afterwards): several officers each fill the busy report question by question
(tests/bot/scenarios.py), every update going through ``application.process_update`` with the
recording request of tests/bot/harness.py; the service call run directly on the event loop (the
adapter's default for SQLite) and in a worker thread (``asyncio.to_thread``, its default for
PostgreSQL), each on both databases. Also: a bare PTB echo handler
on the same request, the peak resident memory of the process, and the user messages a sample and a
busy report need. One officer's interview on a throwaway SQLite database runs first, unmeasured
(first-use costs). Prints a Markdown section for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "bot"))

from harness import ChatClient, RecordingRequest  # noqa: E402
from scenarios import (  # noqa: E402
    busy_report,
    full_interview,
    sample_report,
    sample_report_fast,
    short_report_via_template,
)
from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters  # noqa: E402

import bot.handlers.interview as adapter  # noqa: E402
from bot.settings import Settings  # noqa: E402

AGENCY = "示例市示例区市场监督管理局"


def seed(store, telegram_id: int) -> None:
    """An officer with an agency of their own (so every officer starts an empty report)."""
    name = f"{AGENCY}{telegram_id}"
    user = store.get_or_create_user(telegram_id, f"officer {telegram_id}")
    agency = store.find_agency(name) or store.create_agency(name, "department")
    store.add_membership(user.id, "officer", agency_id=agency.id)


def stats(latencies: list[float], wall: float) -> dict[str, float]:
    """``per_s``: updates per second of the bot's own time (the updates ÷ the time spent inside
    ``process_update``; updates are handled one at a time, so this is 1 / mean latency);
    ``wall_per_s``: the same updates over the run's wall time, the simulated officers' own work
    between updates (building updates, reading replies, finding buttons) included."""
    lat = sorted(latencies)
    p99 = lat[min(len(lat) - 1, int(round(0.99 * (len(lat) - 1))))]
    return {
        "updates": len(lat),
        "per_s": len(lat) / sum(lat),
        "wall_per_s": len(lat) / wall,
        "median_ms": statistics.median(lat) * 1000,
        "p99_ms": p99 * 1000,
        "mean_ms": statistics.fmean(lat) * 1000,
    }


async def run_interviews(url: str, users: int, in_thread: bool) -> dict[str, float]:
    adapter.RUN_IN_THREAD = in_thread
    base = 5000 if in_thread else 5500  # new officers (empty reports) for each run on one database
    settings = Settings(token="123:ABC", database_url=url)
    first = ChatClient(url, settings, user_id=base)
    await first.start()
    latencies: list[float] = []
    started = time.perf_counter()
    try:
        for n in range(users):
            chat = ChatClient(url, settings, user_id=base + n, request=first.request, store=first.store)
            chat.app = first.app
            seed(first.store, base + n)
            rep = busy_report(agency=f"{AGENCY}{base + n}")
            await full_interview(chat, rep, export=None)
            latencies += chat.latencies
    finally:
        wall = time.perf_counter() - started
        await first.stop()
    return stats(latencies, wall)


async def run_echo(count: int) -> dict[str, float]:
    rec = RecordingRequest()
    app = ApplicationBuilder().token("123:ABC").request(rec).get_updates_request(rec).updater(None).job_queue(None).build()

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await context.bot.send_message(update.effective_chat.id, update.effective_message.text)

    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    latencies: list[float] = []
    user = {"id": 7, "is_bot": False, "first_name": "回声"}
    started = time.perf_counter()
    for i in range(count):
        data = {"update_id": i + 1, "message": {"message_id": i + 1, "date": 0, "text": "1 2 3 4 5 6",
                                                "chat": {"id": 7, "type": "private"}, "from": user}}
        t = time.perf_counter()
        await app.process_update(Update.de_json(data, app.bot))
        latencies.append(time.perf_counter() - t)
    wall = time.perf_counter() - started
    await app.shutdown()
    return stats(latencies, wall)


async def count_messages(url: str) -> dict[str, int]:
    settings = Settings(token="123:ABC", database_url=url)
    out = {}
    # A new officer (open registration) using the fast paths, /start to the received .docx.
    chat = ChatClient(url, settings.model_copy(update={"open_registration": True}), user_id=5999)
    await chat.start()
    await sample_report_fast(chat, sample_report(agency=f"{AGENCY}-fast"))
    out["sample report, new officer, fast paths (一 in one message, all-zero gates, 六 draft)"] = chat.user_messages
    await chat.stop()
    for name, make, script in (
        ("sample report, Excel template + narratives", sample_report, short_report_via_template),
        ("sample report, question by question", sample_report, full_interview),
        ("busy report, question by question", busy_report, full_interview),
    ):
        uid = 6000 + len(out)
        chat = ChatClient(url, settings, user_id=uid)
        await chat.start()
        seed(chat.store, uid)
        rep = make(agency=f"{AGENCY}{uid}")
        await script(chat, rep)
        out[name] = chat.user_messages
        await chat.stop()
    return out


def pg_database(server: str):
    import psycopg

    name = f"bench_interview_{uuid.uuid4().hex[:8]}"
    try:
        conn = psycopg.connect(server, autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001 - no server: PostgreSQL skipped, said in the output
        print(f"PostgreSQL not reachable ({type(exc).__name__}); skipped", file=sys.stderr)
        return None, None
    conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()

    base = server.rsplit("/", 1)[0]
    return f"{base}/{name}", drop


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=10)
    ap.add_argument("--echo", type=int, default=2000)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = ap.parse_args()

    from storage.store import Store

    results: list[tuple[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        # warm-up, not measured: first-use costs (imports, templates, the formats' question
        # tables) would otherwise land on whichever run comes first
        url = f"sqlite:///{tmp}/warm-up.db"
        Store.from_url(url).dispose()
        asyncio.run(run_interviews(url, 1, True))
    echo = asyncio.run(run_echo(args.echo))
    results.append(("bare PTB echo handler", echo))
    with tempfile.TemporaryDirectory() as tmp:
        for in_thread in (True, False):
            url = f"sqlite:///{tmp}/bench-{int(in_thread)}.db"
            Store.from_url(url).dispose()
            label = f"interview, SQLite, {'worker thread' if in_thread else 'on the loop (default)'}"
            results.append((label, asyncio.run(run_interviews(url, args.users, in_thread))))
        url = f"sqlite:///{tmp}/count.db"
        Store.from_url(url).dispose()
        counts = asyncio.run(count_messages(url))
    pg_url, drop = pg_database(args.pg)
    if pg_url:
        try:
            Store.from_url(pg_url).dispose()
            for in_thread in (True, False):
                label = f"interview, PostgreSQL, {'worker thread (default)' if in_thread else 'on the loop'}"
                results.append((label, asyncio.run(run_interviews(pg_url, args.users, in_thread))))
        finally:
            drop()
    adapter.RUN_IN_THREAD = None
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print("| run | updates | updates/s | (wall) | mean ms | median ms | p99 ms | × echo (mean) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, r in results:
        ratio = r["mean_ms"] / echo["mean_ms"]
        print(
            f"| {label} | {r['updates']} | {r['per_s']:.0f} | {r['wall_per_s']:.0f} | {r['mean_ms']:.2f} "
            f"| {r['median_ms']:.2f} | {r['p99_ms']:.2f} | {ratio:.1f} |"
        )
    print()
    print(f"Peak resident memory of the process: {peak_mb:.0f} MB")
    print(f"Load average at the end: {os.getloadavg()[0]:.1f}")
    print()
    print("| conversation | user messages |")
    print("|---|---:|")
    for name, n in counts.items():
        print(f"| {name} | {n} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
