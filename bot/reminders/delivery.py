"""Delivering one claimed reminder: pace → mark ``sending`` (its own commit) → send → record.

A row reaches :meth:`Courier.deliver_one` ``claimed`` (storage.reminders.claim). It stays
``claimed`` while it waits for a send slot (bot/reminders/pacing.py), so a crash while waiting
leaves it for recovery to queue again. Only once the slot is granted is it marked ``sending``, in a
commit that must succeed under this sweep's claim — a row whose lease expired and was taken over by
another instance is not sent by this one. Then the HTTP call, then the outcome:

- success → ``sent``;
- Forbidden (bot blocked / user deactivated) or BadRequest (chat not found …) → ``failed`` for
  good, listed by storage.reminders.failed_deliveries on the coordinator's board;
- RetryAfter (flood control: certainly not delivered) → everyone pauses ``retry_after``; the row
  goes back to ``claimed`` while this sweep waits and retries it (up to ``retry_after_attempts``
  times, then back to ``pending`` at now + retry_after);
- TimedOut (a read/write timeout: the request may have reached Telegram) → ``unknown``, not resent;
  a connect or pool timeout (the request never left) is treated like a connection error;
- NetworkError before the request left (connection refused, DNS …) → back to ``pending`` with
  exponential backoff; after ``max_attempts`` → ``failed``; a read error or a dropped connection
  after the request was written (it may have arrived) → ``unknown``;
- anything unexpected → ``pending`` with backoff if the HTTP call had not started, else ``unknown``.
A report submitted after its reminder was planned gets nothing: the claimed row is dropped; so does
an officer's reminder once the report awaits approval, and a reviewer's reminder or approval
request once the report no longer awaits approval (approved, returned or withdrawn).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import warnings
from typing import Any

import httpx
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from storage import reminders as repo

log = logging.getLogger(__name__)

SENT, FAILED, UNKNOWN, RETRY, DROPPED, TAKEN_OVER = "sent", "failed", "unknown", "retry", "dropped", "taken_over"


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


def may_have_arrived(exc: NetworkError) -> bool:
    """The connection failed after the request was written: Telegram may have acted on it."""
    return isinstance(exc.__cause__, httpx.ReadError | httpx.RemoteProtocolError)


class Courier:
    """The delivery half of the Sweeper (bot/reminders/sweeper.py), which provides ``clock``,
    ``pacer``, ``_db``, ``_outcomes`` (group commit), ``_held``, the retry settings and the text
    and keyboard of a row (``compose``)."""

    async def send(self, bot, item: repo.OutboxItem, text: str, markup) -> None:
        """The HTTP call."""
        await bot.send_message(chat_id=item.chat_id, text=text, reply_markup=markup)

    def backoff(self, attempts: int) -> dt.timedelta:
        return dt.timedelta(seconds=min(self.backoff_max, self.backoff_base * 2 ** max(0, attempts - 1)))

    async def _record(self, item: repo.OutboxItem, values: dict) -> bool:
        """Commit an outcome under the row's claim; False if the claim no longer holds the row."""
        self._held.pop(item.id, None)
        return item.id in await self._outcomes.submit((item.id, item.claimed_by, values))

    async def _mark_sending(self, item: repo.OutboxItem) -> bool:
        """The commit right before the HTTP call (run by the pacer when the send slot is due)."""
        done = await self._db(repo.mark_sending, [(item.id, item.claimed_by)], self.clock())
        self._held.pop(item.id, None)
        return item.id in done

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
        if repo.for_reviewer(item.payload) != awaiting and (awaiting or item.payload.get("role") != "coordinator"):
            return None
        if kind == repo.APPROVAL_PAYLOAD:
            return item
        payload = {**item.payload, **facts[1]}
        return repo.OutboxItem(**{**item.__dict__, "payload": payload})

    async def deliver_one(self, bot, item: repo.OutboxItem) -> str:
        """Send one claimed row and record the outcome: sent / failed / unknown / retry / dropped /
        taken_over (its lease expired and recovery gave it to another sweep: not sent here)."""
        started = False  # the HTTP call may have begun: from here on a failure is never retried
        try:
            fresh = await self._refresh(item)
            if fresh is None:
                self._held.pop(item.id, None)
                await self._db(repo.drop, [item.id], item.claimed_by)
                return DROPPED
            text, markup = self.compose(fresh, item)
            attempts = item.attempts
            for round_ in range(self.retry_after_attempts + 1):
                slot = await self.pacer.acquire(item.chat_id, lambda: self._mark_sending(item))
                if slot is None:
                    log.info("reminder %s: lease taken back before sending; left to its new holder", item.id)
                    return TAKEN_OVER
                started = True
                attempts += 1
                try:
                    await self.send(bot, item, text, markup)
                except RetryAfter as exc:
                    wait = retry_after_seconds(exc)
                    self.pacer.pause(wait)
                    log.warning("reminder %s: flood control, retry in %ss", item.id, wait)
                    retry_at = self.clock() + dt.timedelta(seconds=wait)
                    if round_ == self.retry_after_attempts:
                        await self._record(item, repo.retry_values(retry_at, str(exc)))
                        return RETRY
                    started = False
                    if not await self._record(item, repo.held_values(self.clock(), str(exc))):
                        return TAKEN_OVER
                    self._held[item.id] = item.claimed_by  # claimed again: given back if the sweep stops
                    continue
                except Forbidden as exc:
                    await self._record(item, repo.failed_values(f"Forbidden: {exc.message}"))
                    return FAILED
                except BadRequest as exc:
                    await self._record(item, repo.failed_values(f"BadRequest: {exc.message}"))
                    return FAILED
                except TimedOut as exc:
                    if never_left(exc):
                        return await self._retry_later(item, attempts, f"TimedOut before sending: {exc.message}")
                    await self._record(item, repo.unknown_values(f"TimedOut: {exc.message}"))
                    return UNKNOWN
                except NetworkError as exc:
                    if may_have_arrived(exc):
                        await self._record(item, repo.unknown_values(f"NetworkError: {exc.message}"))
                        return UNKNOWN
                    return await self._retry_later(item, attempts, f"NetworkError: {exc.message}")
                except TelegramError as exc:
                    return await self._retry_later(item, attempts, f"{type(exc).__name__}: {exc.message}")
                await self._record(item, repo.sent_values(self.clock()))
                return SENT
            return RETRY  # pragma: no cover - the loop always returns
        except Exception:  # noqa: BLE001 - one bad row must not stop the sweep
            log.exception("reminder %s: unexpected error", item.id)
            if started:
                values = repo.unknown_values("internal error while sending")
            else:
                values = repo.retry_values(self.clock() + self.backoff(item.attempts + 1), "internal error")
            try:
                await self._record(item, values)
            except Exception:  # noqa: BLE001 - the lease expires and recovery decides
                log.exception("reminder %s: outcome not recorded", item.id)
            return UNKNOWN if started else RETRY

    async def _retry_later(self, item: repo.OutboxItem, attempts: int, error: str) -> str:
        if attempts >= self.max_attempts:
            await self._record(item, repo.failed_values(f"gave up after {attempts} attempts; {error}"))
            return FAILED
        await self._record(item, repo.retry_values(self.clock() + self.backoff(attempts), error))
        return RETRY
