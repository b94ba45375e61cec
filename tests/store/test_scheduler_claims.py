"""Two processes on one PostgreSQL database (two store connections, as two processes have): a
deadline one process holds (it is firing it) is not fired by the other; once the first lets go,
or its connection closes as when the process dies, the other fires it, once (issue 19, item 3)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest

from bot.runtime.clock import Clock
from bot.runtime.scheduler import CLAIM_WAIT, Scheduler
from bot.store import Store
from tests.store.test_scheduler import wait_for
from tests.support.clock import FakeTime


@pytest.fixture
def two(two_stores: tuple[Store, Store]) -> tuple[Store, Store]:
    return two_stores


class Second:
    """The other process's scheduler, on a fake clock, counting what it fires."""

    def __init__(self, store: Store) -> None:
        self.time = FakeTime()
        self.scheduler = Scheduler(store.deadlines, Clock(real_time=self.time))
        self.fired: list[Mapping[str, Any]] = []
        self.scheduler.register("meeting.end", self.handler)

    async def handler(self, payload: Mapping[str, Any]) -> None:
        self.fired.append(payload)

    async def later(self) -> None:
        """The clock moves past the wait for a held deadline; the loop looks again."""
        self.time.now += CLAIM_WAIT * 2
        await self.scheduler.refresh_all()


async def test_a_deadline_another_process_holds_is_left_to_it(two: tuple[Store, Store]) -> None:
    first, second = two
    other = Second(second)
    await first.deadlines.upsert("meeting.end", "7:end", other.time.now - 1, {"meeting": 7})
    (deadline,) = await first.deadlines.all()
    assert await first.deadlines.claim(deadline)  # the first process is firing it
    assert not await second.deadlines.claim(deadline)
    await other.scheduler.start()
    try:
        await wait_for(lambda: other.scheduler.settled(other.time.now))
        assert other.fired == []  # tried, held elsewhere: left pending
        assert other.scheduler.pending_count == 1
        await other.later()
        await wait_for(lambda: other.scheduler.settled(other.time.now))
        assert other.fired == []  # still held: still not fired
        await first.deadlines.let_go(deadline)  # the first gave up without firing it
        await other.later()
        await wait_for(lambda: len(other.fired) == 1)
        await wait_for(lambda: other.scheduler.pending_count == 0)
    finally:
        await other.scheduler.stop()
    assert other.fired == [{"meeting": 7}]
    assert await second.deadlines.all() == []


async def test_a_deadline_the_other_process_carried_out_is_not_fired_again(
    two: tuple[Store, Store],
) -> None:
    first, second = two
    other = Second(second)
    await first.deadlines.upsert("meeting.end", "7:end", other.time.now - 1, {"meeting": 7})
    (deadline,) = await first.deadlines.all()
    assert await first.deadlines.claim(deadline)
    await other.scheduler.start()  # armed from the table: it knows the deadline
    try:
        await wait_for(lambda: other.scheduler.settled(other.time.now))
        # The first fires it, completes it and lets go, as its scheduler does.
        assert await first.deadlines.complete(deadline)
        await first.deadlines.let_go(deadline)
        await other.later()
        await wait_for(lambda: other.scheduler.pending_count == 0)
    finally:
        await other.scheduler.stop()
    assert other.fired == []  # the claim re-read the row: gone, so not fired twice


async def test_a_dead_processs_claims_go_with_its_connection(two: tuple[Store, Store]) -> None:
    first, second = two
    other = Second(second)
    await first.deadlines.upsert("meeting.end", "7:end", other.time.now - 1, {"meeting": 7})
    (deadline,) = await first.deadlines.all()
    assert await first.deadlines.claim(deadline)
    await other.scheduler.start()
    try:
        await wait_for(lambda: other.scheduler.settled(other.time.now))
        assert other.fired == []
        await first.close()  # the process dies: the server lets go of its claims
        await other.later()
        await wait_for(lambda: len(other.fired) == 1)
        await wait_for(lambda: other.scheduler.pending_count == 0)
        await asyncio.sleep(0.05)  # and nothing more comes
    finally:
        await other.scheduler.stop()
    assert other.fired == [{"meeting": 7}]  # once
    assert await second.deadlines.all() == []
