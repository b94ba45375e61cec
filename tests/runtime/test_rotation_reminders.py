"""Service reminders (issue 15): **Remind me** arms private reminders the evening before (18:00
in the group's zone) and an hour before the group's next scheduled meeting; a turn passed on
cancels them; after a restart they still come."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.pseudonyms import Pseudonymizer
from bot.core.schedule.stored import StoredSchedule
from bot.errors import NotAllowed
from bot.runtime.clock import Clock
from bot.runtime.formats import FormatLibrary
from bot.runtime.live import LiveMeetings
from bot.runtime.locks import GroupLocks
from bot.runtime.rotation import RotationService
from bot.runtime.rotation.reminding import REMIND_DEADLINE
from bot.runtime.rotation.texts import NO_SCHEDULE_TO_REMIND
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from tests.runtime.test_rotation_service import (
    CHANNEL,
    GUILD,
    START,
    Bench,
    FakeDiscord,
    everyone_joins,
    last_announcement,
)
from tests.support.clock import FakeTime

# START is Friday 15 January 2027, 08:00 UTC. The group meets Tuesdays at 19:00 in New York:
# Tuesday 19 January 19:00 EST is Wednesday 00:00 UTC.
MEETING = datetime(2027, 1, 20, 0, 0, tzinfo=UTC)
EVENING = datetime(2027, 1, 18, 23, 0, tzinfo=UTC)  # Monday 18:00 in New York
HOUR_BEFORE = datetime(2027, 1, 19, 23, 0, tzinfo=UTC)


@dataclass
class World:
    bench: Bench
    time: FakeTime
    scheduler: Scheduler


def _service(
    store: Store, clock: Clock, discord: FakeDiscord, scheduler: Scheduler
) -> RotationService:
    return RotationService(
        store=store,
        clock=clock,
        formats=FormatLibrary(store),
        meetings=LiveMeetings(),
        locks=GroupLocks(),
        port=discord,
        scheduler=scheduler,
    )


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    made = await store.groups.create(
        guild_id=GUILD, channel_id=CHANNEL, format_id="open-discussion", member_role_id=None,
        now=START,
    )  # fmt: skip
    assert made is not None
    time = FakeTime()
    clock = Clock(rate=1.0, anchor=START, real_time=time)
    discord = FakeDiscord(Pseudonymizer(b"r" * 32))
    scheduler = Scheduler(store.deadlines, clock)
    live = LiveMeetings()
    service = RotationService(
        store=store, clock=clock, formats=FormatLibrary(store), meetings=live,
        locks=GroupLocks(), port=discord, scheduler=scheduler,
    )  # fmt: skip
    yield World(Bench(store, clock, discord, service, live, made.id), time, scheduler)
    await scheduler.stop()
    await service.close()
    await store.close()


async def _with_schedule(world: World) -> None:
    spec = StoredSchedule(zone="America/New_York").changed("schedule", "Tuesdays 19:00")
    await world.bench.store.schedules.save(world.bench.group_id, spec, START)


async def _reminders(world: World) -> dict[str, float]:
    rows = await world.bench.store.deadlines.all()
    return {row.key.rsplit(":", 1)[1]: row.due_at for row in rows if row.kind == REMIND_DEADLINE}


async def _asked(world: World) -> tuple[int, int]:
    bench = world.bench
    people = await everyone_joins(bench, 3)
    await bench.hold_meeting(people[0])
    _, asked, meeting = last_announcement(bench, "**Next time")
    assert meeting is not None
    return asked, meeting


async def test_remind_me_arms_the_evening_before_and_an_hour_before_in_the_group_zone(
    world: World,
) -> None:
    await _with_schedule(world)
    asked, meeting = await _asked(world)
    service, discord = world.bench.service, world.bench.discord
    others = [uid for uid in discord.people if uid != asked]
    with pytest.raises(NotAllowed):
        await service.remind_me(world.bench.group_id, meeting, discord.add(others[0], "x"))
    answer = str(
        await service.remind_me(world.bench.group_id, meeting, discord.add(asked, "Asked"))
    )
    assert "evening before" in answer
    assert "an hour before" in answer
    assert "Tuesday 19 January at 19:00" in answer
    assert await _reminders(world) == {
        "eve": EVENING.timestamp(),
        "hour": HOUR_BEFORE.timestamp(),
    }
    # Nothing kept but the flag on the turn (a coded key was there already).
    flags = await world.bench.store.db.fetchall("SELECT who, remind FROM rotation_turns")
    assert [row["remind"] for row in flags] == [1]


async def test_without_a_schedule_no_reminder_is_set_and_the_answer_says_so(world: World) -> None:
    asked, meeting = await _asked(world)
    bench = world.bench
    answer = str(
        await bench.service.remind_me(bench.group_id, meeting, bench.discord.add(asked, "A"))
    )
    assert answer == str(NO_SCHEDULE_TO_REMIND)
    assert await _reminders(world) == {}


async def test_a_turn_passed_on_cancels_its_reminders(world: World) -> None:
    await _with_schedule(world)
    asked, meeting = await _asked(world)
    bench = world.bench
    me = bench.discord.add(asked, "Asked")
    await bench.service.remind_me(bench.group_id, meeting, me)
    await bench.service.cant_make_it(bench.group_id, meeting, me)
    assert await _reminders(world) == {}
    _, next_one, _ = last_announcement(bench, "**Next time")
    assert next_one != asked
    flags = await bench.store.db.fetchall("SELECT remind FROM rotation_turns")
    assert [row["remind"] for row in flags] == [0]  # the new turn was not opted in


async def _until(condition: object, seconds: float = 2.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.01)
    raise AssertionError("it never happened")


async def test_after_a_restart_the_reminders_still_come_privately_with_the_answers(
    world: World,
) -> None:
    await _with_schedule(world)
    asked, meeting = await _asked(world)
    bench = world.bench
    await bench.service.remind_me(bench.group_id, meeting, bench.discord.add(asked, "Asked"))
    # The bot stops; it starts again on Monday evening after 18:00 in New York.
    await bench.service.close()
    world.time.now = EVENING.timestamp() + 60
    scheduler = Scheduler(bench.store.deadlines, bench.clock)
    again = _service(bench.store, bench.clock, bench.discord, scheduler)
    await scheduler.start()
    try:
        await _until(lambda: bench.discord.reminded)
        ((user_id, text, for_meeting),) = bench.discord.reminded
        assert (user_id, for_meeting) == (asked, meeting)
        assert "tomorrow" in text
        assert "chair" in text
        assert set(await _reminders(world)) == {"hour"}
        # A closed DM is not claimed: the hour-before reminder finds DMs closed, sends nothing.
        bench.discord.dms_closed.add(asked)
        world.time.now = HOUR_BEFORE.timestamp() + 1
        await scheduler.refresh_all()
        for _ in range(100):
            if not await _reminders(world):
                break
            await asyncio.sleep(0.01)
        assert await _reminders(world) == {}
        assert len(bench.discord.reminded) == 1
    finally:
        await scheduler.stop()
        await again.close()
