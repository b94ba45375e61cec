"""A rotation announcement left by a crash is posted by the process holding its server's shard,
never by the other one — even when the other one fired (and so completed) the one deadline row
the announcements share while the owner was away: the owner drains its own rows at start."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.pseudonyms import Pseudonymizer
from bot.core.shards import Shards, shard_of
from bot.runtime.clock import Clock
from bot.runtime.formats import FormatLibrary
from bot.runtime.live import LiveMeetings
from bot.runtime.locks import GroupLocks
from bot.runtime.ownership import Ownership
from bot.runtime.rotation import RotationService
from bot.runtime.rotation.announcing import ANNOUNCE_DEADLINE
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from tests.runtime.test_rotation_service import (
    CHANNEL,
    GUILD,
    START,
    Bench,
    FakeDiscord,
    FakeTime,
    everyone_joins,
)

COUNT = 4


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    made = await store.groups.create(
        guild_id=GUILD, channel_id=CHANNEL, format_id="open-discussion", member_role_id=None,
        now=START,
    )  # fmt: skip
    assert made is not None
    clock = Clock(rate=1.0, anchor=START, real_time=FakeTime())
    live = LiveMeetings()
    discord = FakeDiscord(Pseudonymizer(b"r" * 32))
    service = RotationService(
        store=store,
        clock=clock,
        formats=FormatLibrary(store),
        meetings=live,
        locks=GroupLocks(),
        port=discord,
        scheduler=Scheduler(store.deadlines, clock),
    )
    yield Bench(store, clock, discord, service, live, made.id)
    await service.close()
    await store.close()


async def a_process_runs(bench: Bench, ids: tuple[int, ...], later: float) -> int:
    """A sharded process starts on the same database ``later`` seconds on, runs what is due,
    and stops; how many announcements it posted."""
    clock = Clock(rate=1.0, anchor=START, real_time=FakeTime(START + later))
    ownership = Ownership(Shards(COUNT, ids), bench.store)
    scheduler = Scheduler(
        bench.store.deadlines, clock, ownership.owns_deadline, ownership.drains_at_start()
    )
    before = len(bench.discord.posts)
    service = RotationService(
        store=bench.store,
        clock=clock,
        formats=FormatLibrary(bench.store),
        meetings=LiveMeetings(),
        locks=GroupLocks(),
        port=bench.discord,
        scheduler=scheduler,
        owns_group=ownership.owns_group,
    )
    await scheduler.start()
    await asyncio.sleep(0.2)
    await scheduler.stop()
    await service.close()
    return len(bench.discord.posts) - before


async def waiting(bench: Bench) -> int:
    return int(await bench.store.db.fetchval("SELECT count(*) FROM rotation_announcements"))


async def test_only_the_owner_posts_a_waiting_announcement(bench: Bench) -> None:
    people = await everyone_joins(bench, 4)
    bench.discord.announce_failures = 1  # the post fails: it waits, with a retry deadline
    await bench.hold_meeting(people[0])
    assert await waiting(bench) == 1
    armed = await bench.store.deadlines.get(ANNOUNCE_DEADLINE, "post")
    assert armed is not None
    owner = shard_of(GUILD, COUNT)
    others = tuple(shard for shard in range(COUNT) if shard != owner)

    assert await a_process_runs(bench, others, later=armed.due_at - START + 1) == 0
    # (not its server: left alone …)
    assert await waiting(bench) == 1
    assert await bench.store.deadlines.get(ANNOUNCE_DEADLINE, "post") is None  # … row used up

    # … posted once, by the owner, at its start:
    assert await a_process_runs(bench, (owner,), later=armed.due_at - START + 2) == 1
    assert await waiting(bench) == 0
