"""Long polling that confirms an update to Telegram only after it was handled (at-least-once).

PTB's Updater puts fetched updates on a queue and confirms them (the next getUpdates carries
``offset = last + 1``) right away, before any handler has run: a process killed then loses every
update still in the queue or in a handler. Here the loop is:

    updates = getUpdates(offset, timeout)            # long poll
    for update in updates:
        await application.process_update(update)     # handlers commit before they return
        offset = update.update_id + 1                # confirmed by the next getUpdates

so an update is confirmed only once its handlers finished (its answer committed, its replies sent).
A crash before that makes Telegram deliver it again on the next start; a redelivered update is
recognised by the storage's processed-update check, so handling it twice changes nothing.

Everything else stays PTB's: the Application (handlers in their order, JobQueue, error handler,
rate limiter) and its lifecycle (:func:`serve`: initialize → post_init → start → poll → stop →
post_stop → shutdown → post_shutdown, as ``Application.run_polling`` does). Network trouble is
retried with backoff (1 s, ×1.5, at most 30 s; a timeout at once); RetryAfter waits as told;
Conflict (another instance polls with the same token, or a webhook is set) is logged and retried;
an invalid token ends the loop (InvalidToken). SIGINT / SIGTERM / SIGABRT stop it: a long poll in
progress is abandoned at once, an update being handled is finished, the handled ones are confirmed.
Updates are handled one at a time, in order (PTB's default without ``concurrent_updates``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import warnings
from collections.abc import Sequence

from telegram import Update
from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from .lifecycle import STOP_SIGNALS, running

log = logging.getLogger(__name__)

BACKOFF_FIRST = 1.0
BACKOFF_FACTOR = 1.5
BACKOFF_MAX = 30.0


def _retry_after(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


async def _until(stop: asyncio.Event, coro) -> tuple[bool, object]:
    """Run ``coro`` unless ``stop`` is set first: (True, result) or (False, None) when stopped."""
    task = asyncio.ensure_future(coro)
    stopper = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait((task, stopper), return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if task.done():
        return True, task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
    return False, None


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


class Poller:
    def __init__(
        self,
        application: Application,
        *,
        timeout: int,
        allowed_updates: Sequence[str] | None = None,
        limit: int = 100,
    ):
        self.application = application
        self.timeout = timeout
        self.allowed_updates = list(allowed_updates) if allowed_updates is not None else None
        self.limit = limit
        self.offset: int | None = None  # the first update not handled yet, once one was
        self._backoff = 0.0

    async def _retrying(self, stop: asyncio.Event, what: str, call) -> tuple[bool, object]:
        """``call()`` until it succeeds or ``stop`` is set, with the backoff described above."""
        while not stop.is_set():
            try:
                done, result = await _until(stop, call())
            except InvalidToken:
                raise
            except RetryAfter as exc:
                wait = _retry_after(exc) + 0.5
                log.warning("%s: flood control, retrying in %.1f s", what, wait)
                await _sleep(stop, wait)
                continue
            except TimedOut:
                log.debug("%s: timed out, retrying", what)
                continue
            except Conflict:
                self._backoff = min(BACKOFF_MAX, max(BACKOFF_FIRST, self._backoff * BACKOFF_FACTOR))
                log.warning(
                    "%s: Conflict — another instance is polling with this token, or a webhook is set; "
                    "retrying in %.1f s", what, self._backoff,
                )
                await _sleep(stop, self._backoff)
                continue
            except TelegramError as exc:
                self._backoff = min(BACKOFF_MAX, max(BACKOFF_FIRST, self._backoff * BACKOFF_FACTOR))
                log.warning("%s failed (%s); retrying in %.1f s", what, type(exc).__name__, self._backoff)
                await _sleep(stop, self._backoff)
                continue
            self._backoff = 0.0
            return done, result
        return False, None

    async def run(self, stop: asyncio.Event) -> None:
        bot = self.application.bot
        # Polling and a webhook exclude each other: make sure none is set (pending updates are kept).
        done, _ = await self._retrying(stop, "deleteWebhook", lambda: bot.delete_webhook(drop_pending_updates=False))
        if not done:
            return
        log.info("Polling for updates")
        while not stop.is_set():
            done, updates = await self._retrying(
                stop,
                "getUpdates",
                lambda: bot.get_updates(
                    offset=self.offset, timeout=self.timeout, limit=self.limit, allowed_updates=self.allowed_updates
                ),
            )
            if not done:
                break
            for update in updates:
                await self.handle(update)
                self.offset = update.update_id + 1
                if stop.is_set():
                    break  # the rest of the batch is not confirmed: Telegram sends it again
        await self.confirm()

    async def handle(self, update: Update) -> None:
        """Run the application's handlers for one update (errors go to its error handler)."""
        try:
            await self.application.process_update(update)
        except Exception:  # noqa: BLE001 - one update must not stop the bot; never log its content
            log.exception("Update %s could not be processed", update.update_id)

    async def confirm(self) -> None:
        """Tell Telegram that every update handled so far is done (a short getUpdates with the
        offset), so a clean restart does not receive them again."""
        if self.offset is None:
            return
        try:
            await self.application.bot.get_updates(
                offset=self.offset, timeout=0, limit=1, allowed_updates=self.allowed_updates
            )
        except TelegramError as exc:
            log.info("Could not confirm the last updates (%s); they will be received again and recognised",
                     type(exc).__name__)


async def serve(
    application: Application,
    *,
    timeout: int,
    allowed_updates: Sequence[str] | None = None,
    stop_signals: Sequence[int] = STOP_SIGNALS,
) -> None:
    """Run ``application`` with :class:`Poller` until a stop signal, with PTB's lifecycle hooks."""
    async with running(application, stop_signals) as stop:
        if application.running:
            await Poller(application, timeout=timeout, allowed_updates=allowed_updates).run(stop)
