"""bot/reminders/pacing.py on a virtual clock: the overall rate, the one-second cap, per-chat spacing."""

from __future__ import annotations

import asyncio

from bot.reminders.pacing import Pacer


class VirtualClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


def most_in_one_second(times: list[float]) -> int:
    times = sorted(times)
    most, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - 1.0:
            j += 1
        most = max(most, i - j + 1)
    return most


async def test_overall_rate_and_cap():
    clock = VirtualClock()
    pacer = Pacer(28.5, 1.0, clock=clock, sleep=clock.sleep)
    times = [await pacer.acquire(chat) for chat in range(570)]
    assert most_in_one_second(times) <= 29
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert abs(rate - 28.5) < 0.01


async def test_one_message_per_second_per_chat_without_blocking_others():
    clock = VirtualClock()
    pacer = Pacer(1000, 1.0, clock=clock, sleep=clock.sleep)
    a1 = await pacer.acquire(1)
    a2 = await pacer.acquire(1)
    b = await pacer.acquire(2)
    assert a2 - a1 >= 1.0
    assert b - a2 < 0.01


async def test_pause_after_flood_control():
    clock = VirtualClock()
    pacer = Pacer(30, 0.0, clock=clock, sleep=clock.sleep)
    first = await pacer.acquire(1)
    pacer.pause(5)
    second = await pacer.acquire(2)
    assert second - first >= 5
