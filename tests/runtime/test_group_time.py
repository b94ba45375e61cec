"""Times of day in the group's own zone: the meeting is given ``now`` at the group's offset (its
schedule's zone, UTC without one), a restart keeps it, and the rotation picks a by-weekday roster
for the next meeting's weekday there. A half-hour zone (Asia/Kolkata) and a DST change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.meeting.clock import wall_clock
from bot.core.schedule.stored import StoredSchedule
from bot.i18n import render
from bot.runtime.clock import local_time
from bot.runtime.rotation.when import next_meeting
from bot.store import Store
from tests.runtime.test_meetings_service import ANA, CHANNEL, START, Bench
from tests.runtime.test_rotation_service import Bench as RotationBench
from tests.runtime.test_rotation_service import bench as bench  # the fixture
from tests.runtime.test_rotation_service import last_announcement
from tests.support.clock import FakeTime

KOLKATA = ZoneInfo("Asia/Kolkata")
HALF_PAST_FIVE = timedelta(hours=5, minutes=30)


def test_local_time_is_the_same_instant_and_durations_stay_exact_across_a_dst_change() -> None:
    new_york = ZoneInfo("America/New_York")
    before = datetime(2027, 3, 14, 6, 30, tzinfo=UTC)  # 01:30 EST, half an hour before 2 am
    here = local_time(before, new_york)
    assert (here.hour, here.minute) == (1, 30)
    assert here == before  # one instant
    assert (here + timedelta(hours=1)).timestamp() == before.timestamp() + 3600
    monday_night = datetime(2027, 1, 18, 20, 0, tzinfo=UTC)
    assert local_time(monday_night, KOLKATA).strftime("%A %H:%M") == "Tuesday 01:30"


async def test_the_meeting_reads_the_group_zone_and_a_restart_keeps_it(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    try:
        time = FakeTime(START + 12 * 3600)  # Friday 20:00 UTC = Saturday 01:30 in Kolkata
        bench = Bench(store, time)
        group = await bench.group()
        await store.schedules.save(group.id, StoredSchedule(zone="Asia/Kolkata"), START)
        live = await bench.service.start(CHANNEL, ANA, 11)
        started = live.state.started_at
        assert started.utcoffset() == HALF_PAST_FIVE
        assert started.astimezone(UTC).strftime("%A") == "Friday"
        values = live.runner.render_values(live.state)
        assert values["weekday"] == "Saturday"
        assert values["time"] == started.strftime("%H:%M")
        assert values["time"].startswith("01:")
        # ":50" in Kolkata is twenty past the hour in UTC
        assert wall_clock(started, 50).astimezone(UTC).minute == 20

        again = Bench(store, time)  # a new process: the zone comes back with the stored start
        assert await again.service.load_all() == 1
        resumed = again.live.in_channel(CHANNEL)
        assert resumed is not None
        assert resumed.state.started_at == started
        assert resumed.state.started_at.utcoffset() == HALF_PAST_FIVE
        await again.service.resume_all()
        await again.service.act(resumed, lambda r, s, now: r.advance(s, now))
        assert again.live.in_channel(CHANNEL) is resumed
        assert resumed.runner.render_values(resumed.state)["weekday"] == "Saturday"
    finally:
        await store.close()


async def test_without_a_schedule_the_meeting_reads_utc(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    try:
        bench = Bench(store, FakeTime(START + 12 * 3600))
        await bench.group()
        live = await bench.service.start(CHANNEL, ANA, 11)
        assert live.state.started_at.utcoffset() == timedelta(0)
        assert live.runner.render_values(live.state)["weekday"] == "Friday"
    finally:
        await store.close()


async def test_the_next_meeting_is_named_in_the_group_zone(tmp_path: Path) -> None:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    try:
        bench = Bench(store, FakeTime())
        group = await bench.group()
        assert await next_meeting(store, group.id, bench.clock.now()) is None
        spec = StoredSchedule(zone="Asia/Kolkata").changed("schedule", "Tuesdays 04:00")
        await store.schedules.save(group.id, spec, START)
        monday_night = datetime(2027, 1, 18, 20, 0, tzinfo=UTC)
        upcoming = await next_meeting(store, group.id, monday_night)
        assert upcoming is not None
        assert upcoming.at == datetime(2027, 1, 18, 22, 30, tzinfo=UTC)  # Monday in UTC …
        assert upcoming.weekday == 1  # … Tuesday where the group is
        assert render("en", upcoming.day) == "Tuesday 19 January"
        assert render("es", upcoming.day) == "martes 19 de enero"
    finally:
        await store.close()


WEEKLY_CHAIRS = """\
format: 1
name: Weekly Chairs
length: 30m
roles:
  chair:
    rotation: by-weekday
sections:
  - say: Welcome to our ${weekday} meeting.
    title: Welcome
  - closing: Thank you for coming.
"""


async def test_the_weekday_roster_asks_the_volunteer_for_the_group_weekday(
    bench: RotationBench,
) -> None:
    store = bench.store
    number = await store.group_formats.add(
        bench.group_id, label="weekly", source=WEEKLY_CHAIRS, now=START
    )
    await store.group_formats.adopt(bench.group_id, f"group:{number}", START)
    # Saturdays 04:00 in Kolkata is Friday 22:30 in UTC (the clock reads Friday 08:00 UTC)
    spec = StoredSchedule(zone="Asia/Kolkata").changed("schedule", "Saturdays 04:00")
    await store.schedules.save(bench.group_id, spec, START)
    discord = bench.discord
    starter = discord.add(100, "Hazel Rowan")
    friday = discord.add(101, "Tide Whistle")
    saturday = discord.add(102, "Ember Fold")
    for person, days in ((starter, frozenset[int]()), (friday, {4}), (saturday, {5})):
        await bench.service.join(CHANNEL, person, None, frozenset(days))
    await bench.hold_meeting(starter)
    _, asked, meeting = last_announcement(bench, "**Next time (Saturday 16 January)")
    assert meeting == 2
    assert asked == saturday.id
    (order,) = (await bench.service.show(CHANNEL)).roles
    assert order.asked == "Ember Fold"
