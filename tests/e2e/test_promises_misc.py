"""Promises that hold, as a group would meet them through the fake Discord (issue 12).

* A kill -9 in the middle of a voice meeting with floor control: after the restart the next
  sharers can speak (the bot knows which mutes were its own), and the end gives back exactly
  what everyone had (the member a moderator muted stays muted).
* A member who leaves the server is out of the rotation at once.
* A restart with another ``CLOCK_RATE`` does not jump the clock: the share under way keeps its
  remaining time, nothing fires at once.
* Someone outside the group who asks for a reminder is told so, kindly; nothing is posted.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import panel, press, slash, start_meeting, wait_message
from tests.e2e.test_crosstalk import (
    assert_private,
    circle,
    circle_format,
    private_answer,
    start_sharing,
)
from tests.e2e.test_rotation import (
    next_announcement,
    reply,
    role_named,
    rotation_group,
    run_meeting,
    volunteer_rows,
)
from tests.e2e.test_voice_floor import muted, until
from tests.fakediscord import FakeDiscord

VOICE = 2


def rows(database: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


async def test_after_a_kill_the_next_sharers_can_speak_and_the_end_is_exact(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild, room, people = await circle(
        fake, bot_runner, circle_format(speak="sharer"), channel_type=VOICE, members=5
    )
    chair, sharer, second, third, muted_before = people
    # A moderator had server-muted one member before the meeting: that call stands throughout.
    fake.state.guilds[guild.id].members[muted_before.id].mute = True
    for person in people:
        await person.join_voice(room)
    before = {p.id: muted(fake, p) for p in people}

    board = await start_sharing(fake, room, chair, sharer)
    await until(fake, "the room muted", lambda: muted(fake, second) and muted(fake, third))
    await until(fake, "the sharer unmuted", lambda: not muted(fake, sharer))
    # The plan is kept in its own table, as coded keys: the bot's own mutes, nobody else's.
    plan = rows(bot_runner.database, "SELECT member, silenced_before FROM floor_restore")
    assert all(len(str(member)) == 64 for member, _ in plan)  # coded keys only
    assert len(plan) >= 2
    assert all(before_ == 0 for _, before_ in plan)  # the moderator's mute is not in it

    await bot_runner.kill()  # kill -9, mid-share
    await bot_runner.start()
    await wait_message(fake, room, "I had to restart")

    # The next sharer, muted by the bot before the crash, can speak when given the floor.
    await press(second, board, "hand")
    await press(sharer, board, "done")
    await until(fake, "the second sharer unmuted", lambda: not muted(fake, second))
    await until(fake, "the first sharer muted", lambda: muted(fake, sharer))
    await press(third, board, "hand")
    await press(second, board, "done")
    await until(fake, "the third sharer unmuted", lambda: not muted(fake, third))
    await until(fake, "the second sharer muted", lambda: muted(fake, second))
    # The member a moderator muted shares too, and their mute is not the bot's to lift.
    mark = len(fake.channel_messages(room))
    await press(muted_before, board, "hand")
    await press(third, board, "done")
    await wait_message(fake, room, "the floor is yours", after=mark)
    await until(fake, "the third sharer muted", lambda: muted(fake, third))
    assert muted(fake, muted_before)

    assert "closed" in await slash(chair, room, "meeting end")
    await until(
        fake,
        "everyone's exact state back",
        lambda: {p.id: muted(fake, p) for p in people} == before,
    )
    await fake.wait_until(
        lambda: rows(bot_runner.database, "SELECT count(*) FROM floor_restore") == [(0,)],
        10,
        what="the plan deleted",
    )
    assert rows(
        bot_runner.database, "SELECT count(*) FROM deadlines WHERE kind = 'floor.restore'"
    ) == [(0,)]
    assert_private(fake, bot_runner)


async def test_a_member_who_leaves_the_server_is_out_of_the_rotation_at_once(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild, room, people = await rotation_group(fake, bot_runner, members=4)
    for person in people:
        assert "You're in the chair rotation" in await reply(person, room, "rotation join")
    serving = role_named(fake, guild.id, "Chair today")
    _, mark = await run_meeting(fake, room, people[0], serving, people)
    _, asked = await next_announcement(fake, room, mark)
    leaver = next(p for p in people if p.id == asked)
    viewer = next(p for p in people if p.id not in (asked, people[0].id))
    assert leaver.global_name
    assert leaver.global_name in await reply(viewer, room, "rotation show")
    assert volunteer_rows(bot_runner.database) == 4

    mark = len(fake.channel_messages(room))
    fake.remove_member(guild.id, leaver.id)  # they leave the server

    # At once, with no meeting and no command in between: their row is gone …
    await fake.wait_until(
        lambda: volunteer_rows(bot_runner.database) == 3, 5, what="the leaver's row deleted"
    )
    # … the turn they were asked for passes on …
    _, instead = await next_announcement(fake, room, mark)
    assert instead not in (leaver.id, people[0].id)
    # … and /rotation show no longer has them.
    shown = await reply(viewer, room, "rotation show")
    assert leaver.global_name not in shown
    assert "A member left a server" in bot_runner.logs()
    assert_private(fake, bot_runner)


ONE_SHARE = b"""format: 1
name: Quiet Circle
about: A sharing circle where we listen without replying, then talk freely.
length: 60m
share:
  limit: 5m
crosstalk:
  policy: not-allowed
sections:
  - share: The floor is open. Raise your hand when you'd like to share.
    title: Sharing
  - closing: Thank you all for coming.
"""


async def test_a_new_clock_rate_keeps_the_time_a_share_has_left(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    _, room, people = await circle(fake, bot_runner, ONE_SHARE, clock_rate="10", members=3)
    chair, sharer, _ = people
    await start_sharing(fake, room, chair, sharer)
    given = await wait_message(fake, room, "the floor is yours")
    limit = given["content"].split("<t:")[1].split(":")[0]

    await bot_runner.stop()
    await asyncio.sleep(2)  # down a while: at the new rate that alone would be minutes
    # Six times faster now. The old clock re-scaled all the time since the first start, which
    # jumped past the 5-minute share at once; now the clock carries on from where it was.
    bot_runner.settings["CLOCK_RATE"] = "60"
    mark = len(fake.channel_messages(room))
    await bot_runner.start()
    await wait_message(fake, room, "I had to restart", after=mark)
    await asyncio.sleep(1.0)
    said = [m["content"] for m in fake.channel_messages(room)[mark:]]
    assert not [text for text in said if "That's time" in text or "minute" in text], said
    status = await (await chair.slash(room, "meeting status")).wait_response()
    assert status.data is not None
    # The same end of the share on the clock; the countdown people see is in real seconds, so
    # at six times the pace it now ends sooner, within the 5 clock minutes / 60 left at most.
    shown = int(status.data["embeds"][0]["description"].split("<t:")[1].split(":")[0])
    assert shown < int(limit)
    assert time.time() - 2 <= shown <= time.time() + 5 * 60 / 60 + 2
    # The share's time does run out, at the new pace (a few real seconds), not before.
    await wait_message(fake, room, "That's time", after=mark, limit=20)
    assert rows(bot_runner.database, "SELECT value FROM meta WHERE key = 'clock_rate'") == [
        ("60.0",)
    ]


async def test_someone_outside_the_group_asking_for_a_reminder_is_told_kindly(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Role Circle", owner_username="quarrylantern")
    room = fake.add_channel(guild.id, "role-room")
    members_role = fake.add_role(guild.id, "Circle Members")
    chair = fake.add_member(guild.id, "pinecrest", roles=[members_role.id])
    sharer = fake.add_member(guild.id, "reedwhistle", roles=[members_role.id])
    visitor = fake.add_member(guild.id, "driftwanderer")
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    setup = await guild.owner.slash(
        room.id, "group setup", {"format": "open-discussion", "member_role": members_role.id}
    )
    await setup.wait_response()
    await start_meeting(fake, chair, room.id)
    board = panel(fake, room.id)
    for _ in range(8):  # on to the sharing
        if any("**Sharing**" in m.get("content", "") for m in fake.channel_messages(room.id)):
            break
        await press(chair, board, "next")
        await asyncio.sleep(0.1)
    await press(sharer, board, "hand")
    await wait_message(fake, room.id, "the floor is yours")
    talked = await sharer.say(room.id, "thank you all for listening")
    mark = len(fake.channel_messages(room.id))

    refused = await private_answer(await visitor.slash(room.id, "remind"))
    assert refused == (
        "Reminders here are for members of this group, and Discord doesn't show you as one "
        "(the group's member role). Nothing was posted. If you'd like to join the group, ask "
        "its members how."
    )
    menu = await visitor.message_command(int(talked["id"]), "Gentle reminder")
    assert "Nothing was posted" in await private_answer(menu)
    await asyncio.sleep(0.5)
    assert fake.channel_messages(room.id)[mark:] == []  # nothing in the channel
    # A member of the group may ask, as always.
    assert "nobody can see it came from you" in await private_answer(
        await chair.slash(room.id, "remind")
    )
