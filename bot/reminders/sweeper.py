"""The reminder sweeper: one repeating JobQueue job that plans, claims and delivers outbox rows.

A sweep (only in working hours of a working day, in the configured time zone):
1. ``recover_stale``: rows left ``sending`` for longer than ``stale_after`` by a process that died
   go back to pending if their HTTP call never started, else become ``unknown`` (never resent);
2. ``plan`` (at most every ``plan_every``): insert the reminders due now (idempotent);
3. claim due rows in small batches (marked ``sending`` in the claim transaction, FOR UPDATE SKIP
   LOCKED on PostgreSQL, so several instances may sweep at once) and deliver them, paced
   (bot/reminders/pacing.py), for at most 90 % of the sweep interval. Before each HTTP call the
   attempt is committed (attempts + 1), so recovery can tell "claimed, never tried" (back to
   pending) from "maybe sent" (unknown).

Outcome of one send:
- success → ``sent``;
- Forbidden (bot blocked / user deactivated) or BadRequest (chat not found …) → ``failed`` for good,
  listed by storage.reminders.failed_deliveries on the coordinator's board;
- RetryAfter → everyone pauses ``retry_after`` and the message is retried (up to
  ``retry_after_attempts`` times, then back to pending at now + retry_after);
- TimedOut (a read/write timeout: the request may have reached Telegram) → ``unknown``, not resent;
  a connect or pool timeout (the request never left) is treated like a connection error;
- NetworkError (connection refused/reset …) → back to ``pending`` with exponential backoff;
  after ``max_attempts`` → ``failed``.
A report submitted after its reminder was planned gets nothing: the pending row is dropped; so
does an officer's reminder once the report awaits approval, and a reviewer's reminder or approval
request once the report no longer awaits approval (approved, returned or withdrawn).

Approval requests (storage.reminders.request_approval) are sent outside working hours too: a sweep
outside them delivers only those. Their button 查看并审核 (``co:r:<agency id>:<year>``) opens the
reviewer's screen in bot/coordination, which re-checks the reviewer's role on the server.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import time
import uuid
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.reminders.actions import MENU_CALLBACK
from report import deadlines as dl
from storage import reminders as repo

from .batching import GroupCommitter
from .pacing import Pacer

log = logging.getLogger(__name__)

CONTINUE_CALLBACK = MENU_CALLBACK  # the interview opens the hub for it
CALLBACK_PREFIX = "rem"


REVIEW_CALLBACK = "co:r:{agency_id}:{year}"  # bot/coordination: the reviewer's screen of a report


def _is_reviewer_item(item: repo.OutboxItem | None) -> bool:
    if item is None:
        return False
    p = item.payload
    return p.get("type") == repo.APPROVAL_PAYLOAD or (p.get("type") == repo.REPORT_PAYLOAD and p.get("role") == "reviewer")


def primary_button(item: repo.OutboxItem | None = None) -> InlineKeyboardButton:
    """继续填写 (the officer's hub), or 查看并审核 for a reviewer's message."""
    if _is_reviewer_item(item) and "agency_id" in item.payload and "year" in item.payload:
        data = REVIEW_CALLBACK.format(agency_id=int(item.payload["agency_id"]), year=int(item.payload["year"]))
        return InlineKeyboardButton(dl.label("review_button"), callback_data=data)
    return InlineKeyboardButton(dl.label("continue_button"), callback_data=CONTINUE_CALLBACK)


def keyboard(outbox_id: int, item: repo.OutboxItem | None = None) -> InlineKeyboardMarkup:
    if item is not None and item.payload.get("type") == repo.APPROVAL_PAYLOAD:
        return InlineKeyboardMarkup([[primary_button(item)]])
    return InlineKeyboardMarkup(
        [
            [primary_button(item)],
            [
                InlineKeyboardButton(dl.label("snooze_1_button"), callback_data=f"{CALLBACK_PREFIX}:s1:{outbox_id}"),
                InlineKeyboardButton(dl.label("snooze_3_button"), callback_data=f"{CALLBACK_PREFIX}:s3:{outbox_id}"),
            ],
            [InlineKeyboardButton(dl.label("mute_button"), callback_data=f"{CALLBACK_PREFIX}:mute:{outbox_id}")],
        ]
    )


def message_text(item: repo.OutboxItem, now: dt.datetime, params: dl.ScheduleParams, calendar: dl.WorkCalendar) -> str:
    p = item.payload
    if p.get("type") == repo.APPROVAL_PAYLOAD:
        return dl.render_text("approval", year=p["year"], agency=p.get("agency", ""), by=p.get("by", ""))
    if p.get("type") == repo.REPORT_PAYLOAD and p.get("role") == "reviewer":
        deadline = dt.date.fromisoformat(p["deadline"])
        today = now.astimezone(params.tz).date()
        return dl.render_text(
            "review",
            year=p["year"],
            agency=p.get("agency", ""),
            deadline=dl.chinese_date(deadline),
            calendar_days=(deadline - today).days,
            working_days=dl.working_days_left(today, deadline, calendar),
            today_is_workday=calendar.is_workday(today),
        )
    if p.get("type") == repo.DIGEST_PAYLOAD:
        c = p["counts"]
        return dl.digest_text(
            office=p.get("office") or "",
            year=p["year"],
            today=dt.date.fromisoformat(p["today"]),
            counts=repo.DigestCounts(
                submitted=c["submitted"],
                awaiting_approval=c.get("awaiting_approval", 0),
                in_progress=c["in_progress"],
                not_started=c["not_started"],
                overdue=c["overdue"],
                failed_deliveries=c["failed_deliveries"],
                overdue_agencies=tuple(c.get("overdue_agencies", ())),
            ),
            deadlines=[dt.date.fromisoformat(d) for d in p["deadlines"]],
        )
    return dl.reminder_text(
        year=p["year"],
        deadline=dt.date.fromisoformat(p["deadline"]),
        now=now,
        tz=params.tz,
        calendar=calendar,
        done=p["done"],
        total=p["total"],
        missing=p.get("missing", ()),
        errors=p.get("errors", ()),
        agency=p.get("agency", ""),
    )


def _seconds(value: Any) -> float:
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value)


def retry_after_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _seconds(exc.retry_after)


def never_left(exc: TimedOut) -> bool:
    """A timeout before the request was sent (connect/pool): safe to send again."""
    cause = exc.__cause__
    return isinstance(cause, httpx.ConnectTimeout | httpx.PoolTimeout) or "Pool timeout" in str(exc)


@dataclass
class SweepStats:
    planned: int = 0
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    unknown: int = 0
    retried: int = 0
    dropped: int = 0
    recovered: tuple[int, int] = (0, 0)
    outcomes: dict[int, str] = field(default_factory=dict)


class Sweeper:
    def __init__(
        self,
        engine,
        settings,
        *,
        calendar: dl.WorkCalendar | None = None,
        clock: Callable[[], dt.datetime] | None = None,
        plan_every: dt.timedelta = dt.timedelta(minutes=5),
        stale_after: dt.timedelta = dt.timedelta(minutes=10),
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
        self.stale_after = stale_after
        self.batch_size = batch_size or max(1, int(r.max_per_second * 2))
        self.concurrency = concurrency
        self.retry_after_attempts = retry_after_attempts
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.respect_working_hours = respect_working_hours
        self.time_budget = float(r.sweep_interval_seconds) * 0.9
        self.claimer = uuid.uuid4().hex[:12]
        self._last_plan: dt.datetime | None = None
        threads = 1 if engine.dialect.name == "sqlite" else 4
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="reminders-db")
        self._starts = GroupCommitter(lambda ids: self._db(repo.start_attempts, ids))
        self._outcomes = GroupCommitter(lambda outcomes: self._db(repo.finish_many, outcomes))
        # Report progress read at send time, shared by the recipients of one report for a few seconds.
        self.facts_ttl = 5.0
        self._facts_cache: dict[int, tuple[float, Any]] = {}

    async def _db(self, fn, *args, **kw):
        """Run a repository call off the event loop, on this sweeper's own small thread pool: one
        thread on SQLite (no lock contention between our own writers; SQLite's busy handler would
        otherwise sleep), a few on PostgreSQL (within the engine's connection pool)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, self.engine, *args, **kw))

    def backoff(self, attempts: int) -> dt.timedelta:
        return dt.timedelta(seconds=min(self.backoff_max, self.backoff_base * 2 ** max(0, attempts - 1)))

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
        (no drain at batch boundaries). Claimed rows waiting in the queue have no attempt started,
        so after a crash recovery puts them back to pending."""
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
                        repo.claim, self.clock(), self.batch_size, self.claimer, approvals_only=approvals_only
                    )
                    if not batch:
                        break
                    stats.claimed += len(batch)
                    for item in batch:
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
                await self._deliver_counted(bot, item, stats)

        await asyncio.gather(producer(), *(worker() for _ in range(self.concurrency)))

    async def _deliver_counted(self, bot, item: repo.OutboxItem, stats: SweepStats) -> None:
        try:
            outcome = await self.deliver_one(bot, item)
        except Exception:  # noqa: BLE001 - one bad row must not stop the sweep
            log.exception("reminder %s: unexpected error", item.id)
            await self._record(
                item.id, repo.retry_values(self.clock() + self.backoff(item.attempts + 1), "internal error")
            )
            outcome = "retry"
        stats.outcomes[item.id] = outcome
        counter = "retried" if outcome == "retry" else outcome
        setattr(stats, counter, getattr(stats, counter) + 1)

    async def _refresh(self, item: repo.OutboxItem) -> repo.OutboxItem | None:
        """Current progress for a report reminder; None when it is no longer the recipient's turn:
        the report was submitted or removed; an officer's report awaits approval; a reviewer's
        report (reminder or approval request) no longer awaits approval."""
        kind = item.payload.get("type")
        if item.report_id is None or kind not in (repo.REPORT_PAYLOAD, repo.APPROVAL_PAYLOAD):
            return item
        facts = self._facts_cache.get(item.report_id)
        if facts is None or time.monotonic() - facts[0] > self.facts_ttl:
            facts = (time.monotonic(), await self._db(repo.report_facts, item.report_id))
            self._facts_cache[item.report_id] = facts
        facts = facts[1]
        if facts is None or facts[0] == "submitted":
            return None
        awaiting = facts[0] == repo.AWAITING
        if _is_reviewer_item(item) != awaiting and (awaiting or item.payload.get("role") != "coordinator"):
            return None
        if kind == repo.APPROVAL_PAYLOAD:
            return item
        payload = {**item.payload, **facts[1]}
        return repo.OutboxItem(**{**item.__dict__, "payload": payload})

    async def _record(self, outbox_id: int, values: dict) -> None:
        await self._outcomes.submit((outbox_id, values))

    async def deliver_one(self, bot, item: repo.OutboxItem) -> str:
        """Send one claimed row and record the outcome: sent / failed / unknown / retry / dropped.

        The attempt is recorded (attempts + 1, committed) before waiting for a send slot, so a crash
        from then on leaves the row for recovery as "maybe sent" (unknown), never resent."""
        fresh = await self._refresh(item)
        if fresh is None:
            await self._db(repo.drop, [item.id])
            return "dropped"
        text = message_text(fresh, self.clock(), self.params, self.calendar)
        markup = keyboard(item.id, item)
        attempts = item.attempts
        for round_ in range(self.retry_after_attempts + 1):
            await self._starts.submit(item.id)
            attempts += 1
            await self.pacer.acquire(item.chat_id)
            try:
                await bot.send_message(chat_id=item.chat_id, text=text, reply_markup=markup)
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                self.pacer.pause(wait)
                log.warning("reminder %s: flood control, retry in %ss", item.id, wait)
                if round_ == self.retry_after_attempts:
                    await self._record(item.id, repo.retry_values(self.clock() + dt.timedelta(seconds=wait), str(exc)))
                    return "retry"
                continue
            except Forbidden as exc:
                await self._record(item.id, repo.failed_values(f"Forbidden: {exc.message}"))
                return "failed"
            except BadRequest as exc:
                await self._record(item.id, repo.failed_values(f"BadRequest: {exc.message}"))
                return "failed"
            except TimedOut as exc:
                if never_left(exc):
                    return await self._retry_later(item, attempts, f"TimedOut before sending: {exc.message}")
                await self._record(item.id, repo.unknown_values(f"TimedOut: {exc.message}"))
                return "unknown"
            except NetworkError as exc:
                return await self._retry_later(item, attempts, f"NetworkError: {exc.message}")
            except TelegramError as exc:
                return await self._retry_later(item, attempts, f"{type(exc).__name__}: {exc.message}")
            await self._record(item.id, repo.sent_values(self.clock()))
            return "sent"
        return "retry"  # pragma: no cover - the loop always returns

    async def _retry_later(self, item: repo.OutboxItem, attempts: int, error: str) -> str:
        if attempts >= self.max_attempts:
            await self._record(item.id, repo.failed_values(f"gave up after {attempts} attempts; {error}"))
            return "failed"
        await self._record(item.id, repo.retry_values(self.clock() + self.backoff(attempts), error))
        return "retry"


async def sweep(context) -> None:
    """The JobQueue callback; ``context.job.data`` is the Sweeper."""
    sweeper: Sweeper = context.job.data
    stats = await sweeper.run_once(context.bot)
    if stats.claimed or stats.planned or any(stats.recovered):
        log.info(
            "reminder sweep: planned %d, claimed %d, sent %d, failed %d, unknown %d, retry %d, dropped %d, "
            "recovered %s",
            stats.planned, stats.claimed, stats.sent, stats.failed, stats.unknown, stats.retried, stats.dropped,
            stats.recovered,
        )
