"""The client-side pace (bot/adapters/pacing.py) on a fake clock: a burst at once, then one
request every 1/rate seconds, in the order asked; never more than Discord's 50 in any second;
interaction calls never wait."""

from __future__ import annotations

import asyncio
from typing import Any

from discord.http import Route

from bot.adapters.pacing import GLOBAL_BUDGET, Pace, is_interaction, paced


class FakeTime:
    """A clock that moves only when a waiter sleeps (the sleep returns at once)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def read(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


async def test_a_burst_goes_at_once_and_the_rest_at_the_pace() -> None:
    time = FakeTime()
    pace = Pace(rate=40, burst=10, now=time.read, sleep=time.sleep)
    for _ in range(30):
        await pace.take()
    assert len(time.slept) == 20  # the first 10 went at once
    assert pace.waited == 20
    # Each waiter, asking at the same moment, is given the next free slot: 1/40 s apart.
    assert time.slept == [n / 40 for n in range(1, 21)]


async def test_no_second_sees_more_than_discords_fifty() -> None:
    time = FakeTime()
    pace = Pace(now=time.read, sleep=time.sleep)
    sent_at: list[float] = []
    for n in range(400):
        time.now = n * 0.001  # 1,000 asked a second, for 0.4 s
        time.slept.clear()
        await pace.take()
        sent_at.append(time.now + sum(time.slept))
    assert GLOBAL_BUDGET < 50
    for start in sent_at:
        within = [t for t in sent_at if start <= t < start + 1.0]
        assert len(within) <= 50
    # … and the pace is kept, not undershot: 400 requests take 400/40 s, less the burst.
    assert abs(max(sent_at) - (400 - 10) / GLOBAL_BUDGET) < 0.05


async def test_interaction_calls_do_not_wait() -> None:
    time = FakeTime()
    pace = Pace(rate=1, burst=1, now=time.read, sleep=time.sleep)
    called: list[str] = []

    async def request(route: Route, **kwargs: Any) -> str:
        called.append(route.path)
        return "done"

    send = paced(request, pace)
    message = Route("POST", "/channels/{channel_id}/messages", channel_id=1)
    callback = Route(
        "POST",
        "/interactions/{interaction_id}/{interaction_token}/callback",
        interaction_id=2,
        interaction_token="t",
    )
    assert is_interaction(callback)
    assert not is_interaction(message)
    await asyncio.gather(send(message), send(message), send(callback), send(callback))
    assert len(called) == 4
    assert time.slept == [1.0]  # only the second message waited
