"""Send pacing within Telegram's limits: about 30 messages a second overall, one a second per chat.

Our own pacing (AIORateLimiter, if the application uses it, only adds a safety net):
- global slots spaced ``1 / max_per_second`` apart on an absolute grid (no drift from sleep
  overshoot, so the achieved rate holds);
- a hard cap of ``min(30, ceil(max_per_second))`` sends in any sliding one-second window;
- per chat, at least ``per_chat_interval`` seconds between two sends;
- a global pause after a RetryAfter (flood control) from Telegram.

``acquire(chat_id, prepare)`` runs ``prepare`` (the commit that marks the row ``sending``) in the
pacer's turn, ``prepare_lead`` seconds before the slot (so a quick commit costs no rate), then
waits for the slot — and for the end of a flood-control pause that began meanwhile — and takes the
send time after that: what the limits count is the moment the message leaves, so a slow commit can
delay sends but never bunch them together. If ``prepare`` says no (the row is no longer ours), the
slot is not used.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable


class Pacer:
    def __init__(
        self,
        max_per_second: float,
        per_chat_interval: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        prepare_lead: float | None = None,
    ):
        if max_per_second <= 0:
            raise ValueError("max_per_second must be > 0")
        self.interval = 1.0 / max_per_second
        # the turn before a slot starts when the previous send left: at most one interval of lead
        self.prepare_lead = min(0.1, self.interval) if prepare_lead is None else prepare_lead
        self.window_cap = max(1, min(30, math.ceil(max_per_second)))
        self.per_chat_interval = per_chat_interval
        self._clock = clock
        self._sleep = sleep
        self._next_slot = 0.0
        self._recent: deque[float] = deque(maxlen=self.window_cap)
        self._chat_next: dict[int, float] = {}
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        """No send for everyone for ``seconds`` (flood control)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    def _blocked_until(self, chat_id: int) -> float:
        return max(self._chat_next.get(chat_id, 0.0), self._paused_until)

    async def acquire(self, chat_id: int, prepare: Callable[[], Awaitable[bool]] | None = None) -> float | None:
        """Wait until a message to ``chat_id`` may be sent; returns the (monotonic) send time, or
        None when ``prepare`` returned False (nothing is to be sent; the slot stays free)."""
        while True:
            now = self._clock()
            ready = self._blocked_until(chat_id)
            if ready > now:
                await self._sleep(ready - now)
                continue
            async with self._lock:
                now = self._clock()
                if self._blocked_until(chat_id) > now:
                    continue
                slot = max(self._next_slot, now)
                if len(self._recent) == self.window_cap:
                    slot = max(slot, self._recent[0] + 1.0)
                lead = self.prepare_lead if prepare is not None else 0.0
                if slot - lead > now:
                    await self._sleep(slot - lead - now)
                    now = self._clock()
                    if self._blocked_until(chat_id) > now:
                        continue
                if prepare is not None:
                    if not await prepare():
                        return None
                    now = self._clock()
                    wait = max(slot, self._paused_until) - now
                    if wait > 0:
                        await self._sleep(wait)
                        now = self._clock()
                # After a late wake-up, catch up by at most half an interval: small scheduling delays
                # cost little rate, and a stall never turns into a burst (the server would see the
                # stalled sends and the catch-up in the same second).
                self._next_slot = max(slot + self.interval, now + self.interval / 2)
                self._recent.append(now)
                self._chat_next[chat_id] = now + self.per_chat_interval
                if len(self._chat_next) > 50_000:
                    self._chat_next = {c: t for c, t in self._chat_next.items() if t > now}
                return now
