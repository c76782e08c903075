"""The reminder sweeper: one repeating JobQueue job that plans, claims and delivers outbox rows.

A sweep (only in working hours of a working day, in the configured time zone):
1. ``recover_stale``: rows whose lease is older than ``reminders.stale_after_seconds`` (the sweep
   holding them died or stalled): ``claimed`` ones never reached Telegram and go back to pending,
   ``sending`` ones may have and become ``unknown`` (never resent; shown to the coordinator);
2. ``plan`` (at most every ``plan_every``): insert the reminders due now (idempotent);
3. claim due rows in small batches (``claimed`` under a lease unique to the claim, FOR UPDATE SKIP
   LOCKED on PostgreSQL, so several instances may sweep at once) and deliver them
   (bot/reminders/delivery.py: pace → mark ``sending`` in its own commit → send → record), for at
   most 90 % of the sweep interval. Rows still claimed when a sweep stops cleanly are given back.
So a crash between claim and send delays a reminder by the stale window and it is still sent once;
only a crash during the HTTP call leaves it ``unknown``.

Approval requests (storage.reminders.request_approval) are sent outside working hours too: a sweep
outside them delivers only those. Their button 查看并审核 (bot/reminders/actions.py) opens the
reviewer's screen in bot/coordination, which re-checks the reviewer's role on the server.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import itertools
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from telegram import InlineKeyboardMarkup

from report import deadlines as dl
from storage import reminders as repo

from ..handlers import markup
from .actions import reminder_buttons
from .batching import GroupCommitter
from .delivery import Courier, never_left, retry_after_seconds
from .pacing import Pacer
from .texts import message_text

log = logging.getLogger(__name__)

def keyboard(item: repo.OutboxItem) -> InlineKeyboardMarkup | None:
    """The buttons of a row (bot/reminders/actions.py): continue or review; snooze and mute. A
    notice (someone tried to register the agency) has none."""
    if item.payload.get("type") == repo.REGISTRATION_ATTEMPT_PAYLOAD:
        return None
    approval = item.payload.get("type") == repo.APPROVAL_PAYLOAD
    return markup(reminder_buttons(item.id, item.payload, repo.for_reviewer(item.payload), approval))


@dataclass
class SweepStats:
    planned: int = 0
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    unknown: int = 0
    retried: int = 0
    dropped: int = 0
    taken_over: int = 0
    released: int = 0
    recovered: tuple[int, int] = (0, 0)  # (back to pending, marked unknown)
    outcomes: dict[int, str] = field(default_factory=dict)


class Sweeper(Courier):
    def __init__(
        self,
        engine,
        settings,
        *,
        calendar: dl.WorkCalendar | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        plan_every: dt.timedelta = dt.timedelta(minutes=5),
        stale_after: dt.timedelta | None = None,
        batch_size: int | None = None,
        concurrency: int = 16,
        retry_after_attempts: int = 3,
        max_attempts: int = 8,
        backoff_base: float = 30.0,
        backoff_max: float = 1800.0,
        respect_working_hours: bool = True,
    ):
        r = settings.reminders
        self.engine = engine
        self.settings = settings
        self.cfg = repo.PlanConfig.from_settings(settings)
        self.params = self.cfg.params
        self.calendar = calendar or repo.calendar_from_settings(settings)
        self.pacer = Pacer(r.max_per_second, r.per_chat_interval_seconds)
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.plan_every = plan_every
        self.stale_after = stale_after if stale_after is not None else dt.timedelta(seconds=r.stale_after_seconds)
        self.batch_size = batch_size or max(1, int(r.max_per_second * 2))
        self.concurrency = concurrency
        self.retry_after_attempts = retry_after_attempts
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.respect_working_hours = respect_working_hours
        self.time_budget = float(r.sweep_interval_seconds) * 0.9
        self.claimer = uuid.uuid4().hex[:12]
        self._claims = itertools.count(1)
        self._last_plan: dt.datetime | None = None
        threads = 1 if engine.dialect.name == "sqlite" else 4
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="reminders-db")
        self._outcomes = GroupCommitter(lambda outcomes: self._db(repo.finish_many, outcomes))
        self._held: dict[int, str] = {}  # claimed by this sweeper, not yet marked sending: id → claim
        # Report progress read at send time, shared by the recipients of one report for a few seconds.
        self.facts_ttl = 5.0
        self._facts_cache: dict[int, tuple[float, object]] = {}

    async def _db(self, fn, *args, **kw):
        """Run a repository call off the event loop, on this sweeper's own small thread pool: one
        thread on SQLite (no lock contention between our own writers; SQLite's busy handler would
        otherwise sleep), a few on PostgreSQL (within the engine's connection pool)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, self.engine, *args, **kw))

    def compose(self, fresh: repo.OutboxItem, item: repo.OutboxItem):
        """(text, keyboard) of a row: the text from current progress, the buttons from the row."""
        return message_text(fresh, self.clock(), self.params, self.calendar), keyboard(item)

    def next_claim(self) -> str:
        """A claim token: this sweeper's id and a counter, so every claim's lease is its own."""
        return f"{self.claimer}:{next(self._claims)}"

    async def run_once(self, bot) -> SweepStats:
        stats = SweepStats()
        now = self.clock()
        off_hours = self.respect_working_hours and not dl.in_working_hours(now, self.params, self.calendar)
        stats.recovered = await self._db(repo.recover_stale, now, self.stale_after)
        if not off_hours and (self._last_plan is None or now - self._last_plan >= self.plan_every):
            stats.planned = await self._db(repo.plan, now, self.cfg, self.calendar)
            self._last_plan = now
        started = time.monotonic()
        self._facts_cache.clear()
        # outside working hours only approval requests go out (a reviewer is told at once)
        await self.deliver_stream(
            bot, stats, lambda: time.monotonic() - started < self.time_budget, approvals_only=off_hours
        )
        return stats

    async def deliver_stream(
        self, bot, stats: SweepStats, keep_claiming: Callable[[], bool], *, approvals_only: bool = False
    ) -> None:
        """Workers send continuously from a small queue that a producer keeps topped up by claiming
        (no drain at batch boundaries). Rows waiting in the queue or for a send slot are ``claimed``:
        after a crash recovery queues them again; if this sweep is stopped they are given back."""
        queue: asyncio.Queue[repo.OutboxItem | None] = asyncio.Queue()
        low_water = max(1, self.batch_size // 2)
        more = asyncio.Event()
        more.set()

        async def producer() -> None:
            try:
                while keep_claiming():
                    await more.wait()
                    more.clear()
                    if queue.qsize() >= low_water:
                        continue
                    batch = await self._db(
                        repo.claim, self.clock(), self.batch_size, self.next_claim(), approvals_only=approvals_only
                    )
                    if not batch:
                        break
                    stats.claimed += len(batch)
                    for item in batch:
                        self._held[item.id] = item.claimed_by
                        queue.put_nowait(item)
                    more.set()
            finally:
                for _ in range(self.concurrency):
                    queue.put_nowait(None)

        async def worker() -> None:
            while True:
                item = await queue.get()
                if item is None:
                    return
                if queue.qsize() < low_water:
                    more.set()
                outcome = await self.deliver_one(bot, item)
                stats.outcomes[item.id] = outcome
                counter = "retried" if outcome == "retry" else outcome
                setattr(stats, counter, getattr(stats, counter) + 1)

        try:
            await asyncio.gather(producer(), *(worker() for _ in range(self.concurrency)))
        finally:
            stats.released = await self._release_held()

    async def _release_held(self) -> int:
        """Rows this sweeper claimed and never handed to Telegram (the sweep was stopped): pending
        again at once rather than after the stale window."""
        held, self._held = self._held, {}
        if not held:
            return 0
        by_claim: dict[str, list[int]] = defaultdict(list)
        for outbox_id, claim in held.items():
            by_claim[claim].append(outbox_id)
        released = 0
        try:
            for claim, ids in by_claim.items():
                released += await asyncio.shield(self._db(repo.release, ids, claim))
        except BaseException:  # noqa: BLE001 - best effort; recovery returns them after the stale window
            log.warning("reminders: %d claimed rows not given back; recovery will queue them again", len(held))
            raise
        return released


async def sweep(context) -> None:
    """The JobQueue callback; ``context.job.data`` is the Sweeper."""
    sweeper: Sweeper = context.job.data
    stats = await sweeper.run_once(context.bot)
    if stats.claimed or stats.planned or any(stats.recovered):
        log.info(
            "reminder sweep: planned %d, claimed %d, sent %d, failed %d, unknown %d, retry %d, dropped %d, "
            "taken over %d, recovered %s",
            stats.planned, stats.claimed, stats.sent, stats.failed, stats.unknown, stats.retried, stats.dropped,
            stats.taken_over, stats.recovered,
        )


__all__ = [
    "SweepStats",
    "Sweeper",
    "keyboard",
    "message_text",
    "never_left",
    "retry_after_seconds",
    "sweep",
]
