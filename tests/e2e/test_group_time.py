"""Times of day in the group's own zone, through the fake Discord, in one bot run: a group in
Asia/Kolkata (five and a half hours ahead of UTC) starts a meeting by hand late on a Monday
evening in UTC — already Tuesday where the group is. ``${weekday}`` says Tuesday, a section
``until: ':50'`` ends at ten to the hour on the Kolkata clock (twenty past, in UTC), and when the
meeting counts, the chair's ``by-weekday`` roster asks the Tuesday volunteer for the next
meeting (Tuesdays 04:00 in Kolkata, a Monday in UTC), naming its day.

Clock: the test writes the bot's timeline (as tests/e2e/test_schedule.py does) before the first
start, at CLOCK_RATE 60 from then on (a meeting minute is a second)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import slash, wait_message
from tests.e2e.test_schedule import start_the_clock_at
from tests.fakediscord import FakeDiscord

JSON = dict[str, Any]
MONDAY_NIGHT = datetime(2027, 1, 18, 19, 55, tzinfo=UTC)  # Tuesday 01:25 in Kolkata
KOLKATA = timedelta(hours=5, minutes=30)

ZONE_CIRCLE = b"""\
format: 1
name: Zone Circle
length: 60m
counts:
  minutes: 5
  members: 2
roles:
  chair:
    rotation: by-weekday
sections:
  - say: Welcome to our ${weekday} meeting.
    title: Welcome
  - share: The floor is open.
    title: Sharing
    order: hands
    until: ':50'
  - closing: Thank you for coming.
"""


def stored_state(bot_runner: BotRunner) -> JSON:
    conn = sqlite3.connect(bot_runner.database)
    try:
        (raw,) = conn.execute("SELECT state FROM meetings").fetchone()
    finally:
        conn.close()
    return dict(json.loads(raw))


async def answer(member: Any, room: int, command: str, options: JSON) -> str:
    reply = await (await member.slash(room, command, options)).wait_response()
    assert reply.data is not None
    return str(reply.data.get("content", ""))


async def test_weekday_anchor_and_weekday_roster_read_the_group_zone(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Zone Circle", owner_username="chaiandcalm")
    room = fake.add_channel(guild.id, "zone-room").id
    secretary = guild.owner
    monday, tuesday = (
        fake.add_member(guild.id, n, global_name=f"{n.title()} Lamp") for n in ("moonday", "tuesly")
    )
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    bot_runner.settings["CLOCK_RATE"] = "60"
    assert (await bot_runner.command("sync"))[0] == 0
    start_the_clock_at(bot_runner.database, MONDAY_NIGHT)
    await bot_runner.start()
    setup = {"format": "open-discussion", "schedule": "Tuesdays 04:00", "timezone": "Asia/Kolkata"}
    await (await secretary.slash(room, "group setup", setup)).wait_response()
    await wait_message(fake, room, "home to a peer group")
    upload = fake.make_attachment("zone-circle.yaml", ZONE_CIRCLE)
    offer = (
        await (await secretary.slash(room, "format upload", {"file": upload})).wait_followups()
    )[0]
    assert offer.get("components"), offer["content"]
    adopt = offer["components"][0]["components"][0]
    await (await secretary.click(int(offer["id"]), adopt["custom_id"])).wait_response()
    await wait_message(fake, room, "The group's format is now **Zone Circle**")
    for member, day in ((monday, 0), (tuesday, 1)):
        joined = await (await member.slash(room, "rotation join", {"day": day})).wait_followups()
        assert "rotation" in joined[0]["content"]

    # Started by hand: the weekday and the ":50" are Kolkata's.
    assert "Thank you for chairing" in await slash(secretary, room, "meeting start")
    await wait_message(fake, room, "Welcome to our Tuesday meeting.")
    started = datetime.fromisoformat(stored_state(bot_runner)["started_at"])
    assert started.utcoffset() == KOLKATA
    assert started.astimezone(UTC).strftime("%A") == "Monday"
    await slash(secretary, room, "meeting next")
    await wait_message(fake, room, "The floor is open.")
    step = stored_state(bot_runner)["step"]
    anchor = datetime.fromisoformat(step["anchor_at"])
    assert anchor.astimezone(started.tzinfo).minute == 50  # ten to the hour in Kolkata …
    assert anchor.astimezone(UTC).minute == 20  # … twenty past in UTC
    assert timedelta(0) < anchor - started <= timedelta(hours=1)

    # The meeting counts; the roster asks the Tuesday volunteer for next Tuesday (Kolkata).
    await slash(tuesday, room, "hand")
    await fake_minutes(5.5)
    await slash(secretary, room, "meeting end")
    announced = await wait_message(fake, room, "Next time (Tuesday 19 January), from the rotation")
    assert f"<@{tuesday.id}>" in announced["content"]
    assert f"<@{monday.id}>" not in announced["content"]


async def fake_minutes(minutes: float) -> None:
    """Let ``minutes`` of meeting time pass (CLOCK_RATE 60: a minute is a second)."""
    import asyncio

    await asyncio.sleep(minutes)
