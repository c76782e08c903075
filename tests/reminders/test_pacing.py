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


async def test_the_send_time_is_taken_after_prepare_so_slow_commits_never_bunch_sends():
    clock = VirtualClock()
    pacer = Pacer(29, 0.0, clock=clock, sleep=clock.sleep)
    delays = [0.3 if i % 10 == 0 else 0.001 for i in range(300)]  # now and then a slow commit

    async def commit(delay):
        clock.now += delay
        return True

    times = [await pacer.acquire(i, lambda d=d: commit(d)) for i, d in enumerate(delays)]
    assert most_in_one_second(times) <= 29
    assert all(b - a >= pacer.interval / 2 - 1e-9 for a, b in zip(times, times[1:], strict=False))


async def test_a_refused_prepare_sends_nothing_and_leaves_the_slot_free():
    clock = VirtualClock()
    pacer = Pacer(10, 0.0, clock=clock, sleep=clock.sleep)

    async def no():
        return False

    first = await pacer.acquire(1)
    assert await pacer.acquire(2, no) is None
    second = await pacer.acquire(3)
    assert abs((second - first) - pacer.interval) < 1e-9  # the refused one took no slot


async def test_a_quick_prepare_runs_ahead_of_the_slot_and_costs_no_rate():
    clock = VirtualClock()
    pacer = Pacer(29, 0.0, clock=clock, sleep=clock.sleep)
    prepared_at = []

    async def commit():
        prepared_at.append(clock.now)
        clock.now += 0.01  # shorter than the lead
        return True

    times = [await pacer.acquire(i, commit) for i in range(100)]
    steady = times[40:]  # past the start (the first send has no slot to run ahead of)
    assert all(abs((b - a) - pacer.interval) < 1e-9 for a, b in zip(steady, steady[1:], strict=False))
    assert all(0 < t - p <= pacer.prepare_lead + 1e-9 for p, t in zip(prepared_at[1:], times[1:], strict=False))


async def test_a_pause_that_begins_during_prepare_is_waited_for():
    clock = VirtualClock()
    pacer = Pacer(29, 0.0, clock=clock, sleep=clock.sleep)
    await pacer.acquire(1)

    async def commit_then_flood_control():
        pacer.pause(2.0)  # another worker's send was refused meanwhile
        return True

    before = clock.now
    sent = await pacer.acquire(2, commit_then_flood_control)
    assert sent - before >= 2.0
