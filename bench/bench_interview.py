"""Interview throughput and latency through the real PTB Application (offline), beside a bare echo bot.

    .venv/bin/python bench/bench_interview.py [--users 10] [--rounds 5] [--pg postgresql://postgres@127.0.0.1:5432/postgres]

In rounds (so a slower spell of the shared machine hits every figure alike), each round:

1. the bare PTB echo handler: ``--echo`` text updates, each ``Update`` built first, then only
   ``application.process_update`` timed, on the recording request of tests/bot/harness.py;
2. ``--users`` officers (simulated: tests/bot/scenarios.py) each fill the busy report question by
   question on a fresh SQLite database, the production Application started as ``disclosure-bot
   run`` has it (job queue running); every update is recorded;
3. the recorded updates replayed, back to back and measured like the echo's, to a new Application
   on a fresh database, once on SQLite and once on PostgreSQL (a throwaway database, when the
   server answers); each replay must make the bot send exactly what it sent in step 2.

Targets (issue 12): ≥ 300 updates/s on SQLite, ≥ 150 on PostgreSQL (a bot can send about 30
messages a second; the database and the step are far from the limit).

Printed: per configuration, the medians over the rounds, and the median of each round's mean
latency over that round's echo. Also the peak resident memory of the process and the user
messages a sample and a busy report need. Prints a Markdown section for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
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
    county_report,
    full_interview,
    past_year_sample,
    pasted_tables,
    sample_report,
    sample_report_fast,
    shared_sample,
    short_report_via_template,
    typed_row_by_row,
)
from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters  # noqa: E402

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


class RecordingChat(ChatClient):
    """A simulated officer whose updates are also appended to ``log`` (for :func:`replay`)."""

    def __init__(self, *args, log: list | None = None, **kw):
        super().__init__(*args, **kw)
        self.log = log

    async def feed(self, payload, update_id=None):
        uid = await super().feed(payload, update_id)
        if self.log is not None:
            self.log.append(json.loads(json.dumps(self._last_payload)))
        return uid


def sent_texts(request: RecordingRequest) -> list[str]:
    return [c.params.get("text") or c.params.get("caption") or "" for c in request.sent()]


async def run_interviews(url: str, users: int, base: int = 5000,
                         log: list | None = None, sent: list | None = None) -> dict[str, float]:
    """``users`` new officers (ids from ``base``: each run on one database needs its own) each fill
    the busy report question by question. ``log`` receives every update fed, ``sent`` every text
    the bot sent."""
    settings = Settings(token="123:ABC", database_url=url)
    first = ChatClient(url, settings, user_id=base)
    await first.start()
    await first.app.start()  # a running Application, its job queue included, as `disclosure-bot run` has it
    latencies: list[float] = []
    started = time.perf_counter()
    try:
        for n in range(users):
            chat = RecordingChat(url, settings, user_id=base + n, request=first.request, store=first.store, log=log)
            chat.app = first.app
            seed(first.store, base + n)
            rep = busy_report(agency=f"{AGENCY}{base + n}")
            await full_interview(chat, rep, export=None)
            latencies += chat.latencies
    finally:
        wall = time.perf_counter() - started
        if sent is not None:
            sent += sent_texts(first.request)
        await first.app.stop()
        await first.stop()
    return stats(latencies, wall)


async def replay(url: str, users: int, base: int, payloads: list[dict], expected: list[str]) -> dict[str, float]:
    """The recorded updates of :func:`run_interviews` (same officers, same update ids) fed back to
    back to a new Application on a fresh database, as a stream of updates arrives under load and
    as the echo handler is measured: the Update objects are built first, then only
    ``process_update`` runs. What the bot sends must be what it sent the first time."""
    settings = Settings(token="123:ABC", database_url=url)
    client = ChatClient(url, settings, user_id=base)
    await client.start()
    await client.app.start()
    try:
        for n in range(users):
            seed(client.store, base + n)
        app = client.app
        updates = [Update.de_json(json.loads(json.dumps(p)), app.bot) for p in payloads]
        latencies: list[float] = []
        started = time.perf_counter()
        for update in updates:
            t = time.perf_counter()
            await app.process_update(update)
            latencies.append(time.perf_counter() - t)
        wall = time.perf_counter() - started
        if sent_texts(client.request) != expected:
            raise AssertionError("the replay did not reproduce the recorded conversation")
    finally:
        await client.app.stop()
        await client.stop()
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
    """Issue 14's measure: the officer's actions from /start to the Word file (tests/bot/scenarios.py;
    tests/bot/test_action_counts.py asserts the targets), and the older conversations for comparison."""
    settings = Settings(token="123:ABC", database_url=url)
    out = {}
    chat = ChatClient(url, settings.model_copy(update={"open_registration": True}), user_id=5999)
    await chat.start()
    await sample_report_fast(chat, sample_report(agency=f"{AGENCY}-fast"))
    out["zero report (2021 format), new officer registering, fast paths"] = chat.user_messages
    await chat.stop()
    for name, make, script in (
        ("shared 2020 sample, a past year (target ≤ 12)", lambda agency: shared_sample().copy(agency=agency),
         past_year_sample),
        ("busy county department, typed row by row (target ≤ 30)", county_report, typed_row_by_row),
        ("busy county department, the three published tables pasted (target ≤ 15)", county_report, pasted_tables),
        ("busy county department, Excel template + narratives", county_report, short_report_via_template),
        ("busy county department, every question in turn", county_report, full_interview),
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


def median_round(rounds: list[dict[str, float]], echoes: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the rounds; ``ratio``: the median of each round's mean latency over
    the echo's mean latency in the same round (``ratio_lo``/``ratio_hi``: the lowest and highest)."""
    out = {k: statistics.median(r[k] for r in rounds) for k in rounds[0]}
    ratios = [r["mean_ms"] / e["mean_ms"] for r, e in zip(rounds, echoes, strict=True)]
    out.update(ratio=statistics.median(ratios), ratio_lo=min(ratios), ratio_hi=max(ratios))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=10)
    ap.add_argument("--echo", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = ap.parse_args()

    from storage.store import Store

    configs = [("interview, SQLite", "sqlite"), ("interview, PostgreSQL", "postgresql")]
    live = "interview, SQLite, the simulated officers' updates as they come"
    echoes: list[dict[str, float]] = []
    runs: dict[str, list[dict[str, float]]] = {label: [] for label, _ in configs}
    runs[live] = []
    probe, drop_probe = pg_database(args.pg)  # is the server there? (PostgreSQL runs are skipped if not)
    if drop_probe:
        drop_probe()
    with tempfile.TemporaryDirectory() as tmp:
        # warm-up, not measured: first-use costs (imports, templates, the formats' question
        # tables) would otherwise land on whichever run comes first
        url = f"sqlite:///{tmp}/warm-up.db"
        Store.from_url(url).dispose()
        asyncio.run(run_interviews(url, 1))
        # rounds: the echo and every configuration in turn, so a slower spell of the shared
        # machine hits them alike; each ratio compares runs of the same round
        for n in range(args.rounds):
            echoes.append(asyncio.run(run_echo(args.echo)))
            base = 10_000 + 1000 * n
            payloads: list[dict] = []
            sent: list[str] = []
            url = f"sqlite:///{tmp}/live-{n}.db"
            Store.from_url(url).dispose()
            runs[live].append(asyncio.run(run_interviews(url, args.users, base, log=payloads, sent=sent)))
            for i, (label, db) in enumerate(configs):
                if db == "sqlite":
                    url, drop = f"sqlite:///{tmp}/replay-{n}-{i}.db", None
                else:
                    url, drop = pg_database(args.pg) if probe else (None, None)
                    if url is None:
                        continue
                try:
                    Store.from_url(url).dispose()
                    runs[label].append(asyncio.run(replay(url, args.users, base, payloads, sent)))
                finally:
                    if drop:
                        drop()
        url = f"sqlite:///{tmp}/count.db"
        Store.from_url(url).dispose()
        counts = asyncio.run(count_messages(url))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    echo = {k: statistics.median(e[k] for e in echoes) for k in echoes[0]}
    updates_per_round = {label: r[0]["updates"] for label, r in runs.items() if r}
    print(f"Medians over {args.rounds} rounds ({args.echo} echo updates and, per configuration, "
          f"{args.users} officers' busy reports per round):")
    print()
    print("| run | updates per round | updates/s | (wall) | mean ms | median ms | p99 ms | × echo (mean; range) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| bare PTB echo handler | {args.echo} | {echo['per_s']:.0f} | {echo['wall_per_s']:.0f} "
          f"| {echo['mean_ms']:.2f} | {echo['median_ms']:.2f} | {echo['p99_ms']:.2f} | 1.0 |")
    for label, rounds in runs.items():
        if not rounds:
            continue
        r = median_round(rounds, echoes)
        print(
            f"| {label} | {updates_per_round[label]} | {r['per_s']:.0f} | {r['wall_per_s']:.0f} | {r['mean_ms']:.2f} "
            f"| {r['median_ms']:.2f} | {r['p99_ms']:.2f} | {r['ratio']:.1f} ({r['ratio_lo']:.1f}–{r['ratio_hi']:.1f}) |"
        )
    print()
    print(f"Peak resident memory of the process: {peak_mb:.0f} MB")
    print(f"Load average at the end: {os.getloadavg()[0]:.1f}")
    print()
    print("| conversation | officer actions |")
    print("|---|---:|")
    for name, n in counts.items():
        print(f"| {name} | {n} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
