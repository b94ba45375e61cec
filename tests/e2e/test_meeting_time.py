"""Time in the room, through the fake Discord, in one bot run: the format's countdown (a reader
offers during it, a kill -9 in the middle, and it still ends by itself), a placeholder reading
left out with a private word to the chair, a ``starts:`` moment awaited, a sharer past the
section's end with **Move on** offered to the chair, and the chair asked how to go on when
running late (shorter shares chosen)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import datetime, timedelta
from typing import Any

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import buttons, panel, press, slash, stored_floor, wait_message
from tests.fakediscord import FakeDiscord

JSON = dict[str, Any]
CLOCK_RATE = "60"  # a meeting minute is a second

TIME_CIRCLE = b"""\
format: 1
name: Time Circle
length: 16m
share:
  limit: 2m
  at-limit: note
  when-busy:
    - waiting: 3
      limit: 1m
before:
  countdown: 4m
  say: Welcome! We'll begin in a few minutes.
  recruit-readers: true
texts:
  ours:
    title: Our group's reading
    placeholder: true
    text: "[Your group's own reading goes here.]"
  promise:
    title: The promise
    text: We come together as equals, and we listen.
sections:
  - say: Welcome, everyone.
    title: Welcome
  - read: ours
  - read: promise
  - share: The first round is open.
    title: First round
    order: hands
    starts: start + 4m
    until: start + 6m
  - share: The floor is open again.
    title: Open sharing
    order: hands
    until: end - 2m
  - closing: Thank you for coming.
"""


def stored_state(bot_runner: BotRunner) -> JSON:
    conn = sqlite3.connect(f"file:{bot_runner.database}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT state FROM meetings").fetchall()
    finally:
        conn.close()
    assert len(rows) == 1
    return dict(json.loads(rows[0][0]))


async def test_countdown_awaited_moment_move_on_and_running_late(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Time Circle", owner_username="hourglasskeeper")
    room = fake.add_channel(guild.id, "time-room").id
    names = ("sundialer", "tidewatch", "moonrise", "clockfern")
    chair, reader, sharer, other = (
        fake.add_member(guild.id, n, global_name=f"{n.title()} Hour") for n in names
    )
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    bot_runner.settings["CLOCK_RATE"] = CLOCK_RATE
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    await (
        await guild.owner.slash(room, "group setup", {"format": "open-discussion"})
    ).wait_response()
    await wait_message(fake, room, "home to a peer group")
    upload = fake.make_attachment("time-circle.yaml", TIME_CIRCLE)
    uploaded = await guild.owner.slash(room, "format upload", {"file": upload})
    offer = (await uploaded.wait_followups())[0]
    adopt = offer["components"][0]["components"][0]
    await (await guild.owner.click(int(offer["id"]), adopt["custom_id"])).wait_response()
    await wait_message(fake, room, "The group's format is now **Time Circle**")

    # /meeting start: the countdown comes first, with Start now and the reading to offer for.
    started = await slash(chair, room, "meeting start")
    assert "Thank you for chairing" in started
    # True words: it counts down, it hasn't started yet, and it says when it will.
    assert "The countdown to" in started
    assert "<t:" in started
    assert "has started" not in started
    countdown = await wait_message(fake, room, "We'll begin <t:", with_buttons=True)
    assert countdown["content"].startswith("Welcome! We'll begin in a few minutes.")
    labels = [b["label"] for b in buttons(countdown)]
    assert labels == ["Start now (chair)", "I'll read: The promise"]  # no placeholder on offer
    assert "**Welcome**" not in str(fake.channel_messages(room))
    assert "Only today's chair" in await press(reader, countdown, "startnow")
    offered = await reader.click(int(countdown["id"]), buttons(countdown)[1]["custom_id"])
    assert "Thank you for offering to read" in (await offered.wait_followups())[0]["content"]
    await wait_message(fake, room, "Thank you, Tidewatch — you'll read **The promise**")
    mark = len(fake.channel_messages(room))
    offered.deliver_again()  # Discord delivers the press twice: it counts once
    assert "Someone has already offered" in await press(other, countdown, "recruit")

    # kill -9 in the middle of the countdown: it still ends by itself after the restart.
    await bot_runner.kill()
    assert stored_state(bot_runner)["waiting"]["countdown"] is True
    await bot_runner.start()
    welcome = await wait_message(fake, room, "**Welcome** — with Sundialer", after=mark, limit=60)
    assert welcome["mentions"] == []
    shown = [m["content"] for m in fake.channel_messages(room)[mark:]]
    assert sum("you'll read **The promise**" in text for text in shown) == 0  # said once

    # The placeholder reading is never read aloud; the chair is told privately.
    board = panel(fake, room)
    await press(chair, board, "next")
    promise = await wait_message(fake, room, "**The promise** — read by Tidewatch", after=mark)
    assert "We come together as equals" in promise["content"]
    assert "Your group's own reading" not in str(fake.channel_messages(room))
    await fake.wait_until(lambda: len(fake.dms(chair.id)) > 0, 30, what="the chair's note")
    assert fake.dms(chair.id)[-1]["content"].startswith(
        "This reading is still the format's placeholder, so I left it out of the meeting: "
        "**Our group's reading**"
    )

    # The first round starts at a set moment: reached early, the meeting waits and says so.
    await press(chair, board, "next")
    awaiting = await wait_message(fake, room, "We're a little ahead of time.", after=mark)
    assert "**First round** begins at <t:" in awaiting["content"]
    assert [b["label"] for b in buttons(awaiting)] == ["Begin now (chair)"]
    assert "hand is up" in await press(sharer, board, "hand")  # kept for when it opens
    waited = fake.channel_messages(room).index(awaiting)
    opened = await wait_message(fake, room, "**First round**", after=waited + 1, limit=60)
    assert "The first round is open." in opened["content"]
    given = await wait_message(fake, room, "the floor is yours", after=mark)
    assert given["mentions"][0]["username"] == "moonrise"

    # The sharer holds the floor past the section's end: the chair is offered to move on.
    move_on = await wait_message(fake, room, "Our time for this part is up", after=mark, limit=60)
    assert [b["label"] for b in buttons(move_on)] == ["Move on (chair)"]
    await asyncio.sleep(3)  # the chair lets the share come to a close: minutes late
    assert "Moving on" in await press(chair, move_on, "moveon")
    assert "already moved on" in await press(chair, move_on, "moveon")

    # Running late: before sharing is cut short, the chair is asked how to go on.
    late = await wait_message(fake, room, "We're running a little behind.", after=mark)
    assert "**Open sharing** was planned for about 8 minutes" in late["content"]
    assert [b["label"] for b in buttons(late)] == [
        "Shorter shares (1 minute)",
        "Share as usual",
        "Leave it out today",
    ]
    assert "Only today's chair" in await press(other, late, "late")
    chosen = await chair.click(int(late["id"]), buttons(late)[0]["custom_id"])
    assert "shorter shares" in (await chosen.wait_followups())[0]["content"]
    decided = await wait_message(fake, room, "The chair chose: shorter shares", after=mark)
    assert "**Open sharing**, 1 minute each" in decided["content"]
    chosen.deliver_again()
    assert "hand is up" in await press(other, board, "hand")
    await fake.wait_until(lambda: stored_floor(bot_runner.database)["turn"] is not None, 30)
    turn = stored_floor(bot_runner.database)["turn"]
    limit = datetime.fromisoformat(turn["limit_at"]) - datetime.fromisoformat(turn["started_at"])
    assert limit == timedelta(minutes=1)  # the shorter limit, for everyone in this part
    assert stored_state(bot_runner)["shorter"] == [4]
    texts = [m["content"] for m in fake.channel_messages(room)]
    assert sum(t.startswith("The chair chose:") for t in texts) == 1  # the replay did nothing
    assert "settled" in await press(chair, late, "late")

    await slash(chair, room, "meeting end")
    await wait_message(fake, room, "This meeting has ended")
