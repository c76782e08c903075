"""One reminder-sweeping instance as a real process, for tests/reminders/test_sweeper_kill.py.

    python -m tests.reminders.sweeper_process

Settings come from the environment as for ``disclosure-bot run`` (DISCLOSURE_BOT_TOKEN, _BASE_URL,
_DATABASE_URL, _REMINDERS__…); the bot is the production one (``build_application``: ExtBot with
the rate limiter and timeouts) and the sweeper the production Sweeper, swept in a loop. Test knobs:

- SWEEPER_CLOCK_OFFSET: seconds added to the real clock (every instance gets the same offset, so
  their clocks agree as real instances' would);
- SWEEPER_BATCH: rows per claim;
- SWEEPER_CRASH_AT: ``<step>:<n>`` — the process kills itself with SIGKILL (nothing cleaned up)
  at the n-th ``claim`` (after its commit), ``pace`` (a worker starts waiting for a send slot),
  ``send`` (after the commit that marks a row sending, before the HTTP call), ``record`` (after
  Telegram answered, before the outcome is committed) or ``recorded`` (after that commit).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import os
import signal
import sys

from storage import reminders as repo


def die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def install_crash(sweeper, spec: str) -> None:
    step, _, nth = spec.partition(":")
    n = int(nth or 1)
    count = itertools.count(1)

    def after_sync(name: str, hit=lambda result: True) -> None:
        original = getattr(repo, name)

        def wrapped(*args, **kwargs):
            result = original(*args, **kwargs)
            if hit(result) and next(count) == n:
                die()
            return result

        setattr(repo, name, wrapped)

    if step == "claim":
        after_sync("claim", hit=bool)
    elif step == "send":
        after_sync("mark_sending", hit=bool)
    elif step == "recorded":
        after_sync("finish_many", hit=bool)
    elif step == "pace":
        acquire = sweeper.pacer.acquire

        async def pacing(chat_id, *args):
            if next(count) == n:
                die()
            return await acquire(chat_id, *args)

        sweeper.pacer.acquire = pacing
    elif step == "record":
        send = sweeper.send

        async def sending(bot, item, text, markup):
            await send(bot, item, text, markup)
            if next(count) == n:
                die()

        sweeper.send = sending
    else:
        raise SystemExit(f"unknown crash step {step!r}")


async def main() -> int:
    from bot.app import build_application
    from bot.reminders import Sweeper
    from bot.settings import load_settings

    settings = load_settings()
    application = build_application(settings, updater=False)
    offset = dt.timedelta(seconds=float(os.environ.get("SWEEPER_CLOCK_OFFSET", "0")))
    sweeper = Sweeper(
        application.bot_data["store"].engine,
        settings,
        clock=lambda: dt.datetime.now(dt.UTC) + offset,
        batch_size=int(os.environ.get("SWEEPER_BATCH", "4")),
    )
    print(json.dumps({"claimer": sweeper.claimer}), flush=True)
    if os.environ.get("SWEEPER_CRASH_AT"):
        install_crash(sweeper, os.environ["SWEEPER_CRASH_AT"])
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await application.initialize()
    try:
        while not stop.is_set():
            stats = await sweeper.run_once(application.bot)
            counts = {k: v for k, v in vars(stats).items() if k != "outcomes"}
            print(json.dumps(counts), flush=True)
            try:
                await asyncio.wait_for(stop.wait(), 0.2)
            except TimeoutError:
                pass
    finally:
        await application.shutdown()
        application.bot_data["store"].dispose()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
