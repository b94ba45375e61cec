"""A group's schedule, end to end: a New York group that meets on Tuesdays at 19:00 opens its
meeting by itself at 19:00 New York time after the spring daylight-saving change, and the server's
Events list shows its next meeting — created at setup, moved when the schedule changes, cancelled
for a date with no meeting.

Clock: the bot keeps one timeline in its database (bot/runtime/clock.py). The test writes that
timeline's starting point before the first start — Sunday 14 March 2027, 01:30 in New York, half an
hour before the clocks go forward — and runs the setup at real speed. Then it kills the bot
(``kill -9``) and starts it again at CLOCK_RATE 100000: the clock carries on from where it was, and
the two and a half days to Tuesday evening pass in under five real seconds.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core.formats import load_builtin_format
from tests.e2e.conftest import BotRunner
from tests.fakediscord import FakeDiscord
from tests.fakediscord.permissions import DEFAULT_BOT_PERMISSIONS, PERMISSION_BITS
from tests.support.sqlite_read import rows

JSON = dict[str, Any]
SUNDAY_BEFORE_THE_CHANGE = datetime(2027, 3, 14, 6, 30, tzinfo=UTC)  # 01:30 EST
SUNDAY_NOON = datetime(2027, 3, 14, 16, 0, tzinfo=UTC)  # 12:00 EDT, after the change
TUESDAY_SEVEN = datetime(2027, 3, 16, 23, 0, tzinfo=UTC)  # 19:00 EDT (it was 00:00 UTC in EST)
_before = load_builtin_format("open-discussion").before_start
assert _before is not None
COUNTDOWN = timedelta(seconds=_before.countdown_seconds)  # the format counts down first
FAST = 50_000.0
OPENED = "A scheduled meeting opened by itself"


def query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    return rows(database, sql)


def start_the_clock_at(database: Path, moment: datetime) -> None:
    """The timeline the bot will carry on (at CLOCK_RATE 1): ``moment`` is now."""
    conn = sqlite3.connect(database)
    try:
        with conn:
            conn.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [
                    ("clock_base", repr(moment.timestamp())),
                    ("clock_base_real", repr(time.time())),
                    ("clock_rate", repr(1.0)),
                ],
            )
    finally:
        conn.close()


def clock_at(database: Path, real: float) -> datetime:
    """What the bot's clock read at the real time ``real``."""
    base = dict(query(database, "SELECT key, value FROM meta WHERE key LIKE 'clock_%'"))
    clock, at, rate = (float(base[k]) for k in ("clock_base", "clock_base_real", "clock_rate"))
    return datetime.fromtimestamp(clock + (real - at) * rate, tz=UTC)


def start_of(event: JSON) -> datetime:
    return datetime.fromisoformat(event["scheduled_start_time"]).astimezone(UTC)


async def answer(fake: FakeDiscord, member: Any, room: int, command: str, options: JSON) -> str:
    used = await member.slash(room, command, options)
    reply = await used.wait_response()
    assert reply.data is not None
    return str(reply.data["content"])


async def test_a_tuesday_evening_group_opens_itself_after_the_change_and_shows_in_events(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild(
        "Evening Circle",
        owner_username="quietlantern",
        bot_permissions=DEFAULT_BOT_PERMISSIONS | PERMISSION_BITS["create_events"],
    )
    room = fake.add_channel(guild.id, "tuesday-meeting").id
    secretary = guild.owner
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    assert (await bot_runner.command("sync"))[0] == 0  # (it makes the database, too)
    start_the_clock_at(bot_runner.database, SUNDAY_BEFORE_THE_CHANGE)
    await bot_runner.start()

    # Set up with a schedule: the next meeting appears in the server's Events.
    done = await answer(
        fake,
        secretary,
        room,
        "group setup",
        {"format": "open-discussion", "schedule": "Tuesdays 7pm", "timezone": "America/New_York"},
    )
    assert "Tuesdays at 19:00 (America/New_York)" in done
    await fake.wait_until(lambda: len(fake.scheduled_events(guild.id)) == 1, 5.0, what="event")
    (first,) = fake.scheduled_events(guild.id)
    assert start_of(first) == TUESDAY_SEVEN
    assert (first["entity_type"], first["entity_metadata"]) == (
        3,
        {"location": "#tuesday-meeting on this server"},
    )

    # A schedule change moves it (a Sunday noon meeting comes first now).
    changed = await answer(
        fake, secretary, room, "group schedule", {"schedule": "Tuesdays 19:00; Sundays noon"}
    )
    assert "<t:" in changed
    await fake.wait_until(
        lambda: start_of(fake.scheduled_events(guild.id)[0]) == SUNDAY_NOON, 5.0, what="moved"
    )
    # No meeting this Sunday: that event is cancelled, and Tuesday's is made.
    skipped = await answer(fake, secretary, room, "group schedule", {"skip": "2027-03-14"})
    assert "No meeting on: Sunday 14 March 2027" in skipped
    await fake.wait_until(lambda: len(fake.scheduled_events(guild.id)) == 2, 5.0, what="next")
    cancelled, tuesday = fake.scheduled_events(guild.id)
    assert (cancelled["id"], cancelled["status"]) == (first["id"], 4)
    assert (start_of(tuesday), tuesday["status"]) == (TUESDAY_SEVEN, 1)

    # kill -9, then the clock runs fast: Tuesday 19:00 New York time comes in a few real seconds.
    await bot_runner.kill()
    due = query(bot_runner.database, "SELECT due_at FROM deadlines WHERE kind = 'schedule.open'")
    # It opens the format's `before:` countdown early, so the meeting begins at 19:00.
    assert due == [((TUESDAY_SEVEN - COUNTDOWN).timestamp(),)]
    before = len(fake.channel_messages(room))
    bot_runner.settings["CLOCK_RATE"] = str(int(FAST))
    await bot_runner.start()
    async with asyncio.timeout(15):
        while len(fake.channel_messages(room)) == before:  # noqa: ASYNC110 - another process
            await asyncio.sleep(0.02)
    opening = fake.channel_messages(room)[before]
    real = datetime.fromisoformat(opening["timestamp"]).timestamp()
    opened_at = clock_at(bot_runner.database, real)
    # The countdown to 19:00 EDT (23:00 UTC), not to 19:00 EST (00:00 UTC, an hour = 72 real ms
    # later).
    opens = TUESDAY_SEVEN - COUNTDOWN
    assert opens <= opened_at < opens + timedelta(hours=1), opened_at
    await fake.wait_until(  # the countdown, to the meeting's time
        lambda: any("<t:" in m["content"] for m in fake.channel_messages(room)[before:]),
        5.0,
        what="the countdown",
    )
    async with asyncio.timeout(5):  # noted once the meeting is shown
        while query(bot_runner.database, "SELECT opened_at FROM group_schedules") != [  # noqa: ASYNC110
            (TUESDAY_SEVEN.timestamp(),)
        ]:
            await asyncio.sleep(0.02)

    # One event for Tuesday's meeting, shown as happening (the kill came right after the bot made
    # it: after the restart the bot found its own event rather than making another).
    def tuesdays() -> list[JSON]:
        events = fake.scheduled_events(guild.id)
        return [e for e in events if start_of(e) == TUESDAY_SEVEN and e["status"] != 4]

    await fake.wait_until(lambda: [e["status"] for e in tuesdays()] == [2], 5.0, what="live")
    assert tuesdays()[0]["id"] == tuesday["id"]
    await bot_runner.stop()
    assert bot_runner.logs().count(OPENED) == 1  # once, across the kill and the restart
    assert all(
        e["creator_id"] == str(fake.state.bot_user.id) for e in fake.scheduled_events(guild.id)
    )
    # The bot never asks who is interested (nor how many).
    asked = [r for r in fake.requests if "scheduled-events" in r.path and r.method == "GET"]
    assert all(
        "/users" not in r.path and r.query.get("with_user_count") in (None, "0") for r in asked
    )
