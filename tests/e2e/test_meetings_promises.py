"""Promises that hold, the way a group meets them: only members start or chair a meeting; a
meeting counts only when it really happened; and the chair is taken over only when really away,
after being asked, kindly and in the open, whether they're still with us."""

from __future__ import annotations

import asyncio

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import meeting_rows, panel, press, slash, start_meeting, wait_message
from tests.fakediscord import FakeDiscord, SimulatedMember

VOICE = 2
NAMES = ("pinecrest", "reedwhistle", "tarnfield", "sloeberry")


async def circle_with_a_member_role(
    fake: FakeDiscord, bot_runner: BotRunner, *, clock_rate: str, channel_type: int = 0
) -> tuple[int, list[SimulatedMember], SimulatedMember]:
    """A group with a member role, four members who hold it, and a visitor who doesn't but can
    see the channel."""
    guild = fake.add_guild("Promise Circle", owner_username="hollowbeacon")
    room = fake.add_channel(guild.id, "promise-room", channel_type)
    members_role = fake.add_role(guild.id, "Circle Members")
    people = [
        fake.add_member(guild.id, name, global_name=name.title(), roles=[members_role.id])
        for name in NAMES
    ]
    visitor = fake.add_member(guild.id, "driftwanderer", global_name="Driftwanderer")
    assert visitor.can(room.id, "view_channel")  # sees the channel, isn't a member
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    bot_runner.settings["CLOCK_RATE"] = clock_rate
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    setup = await guild.owner.slash(
        room.id, "group setup", {"format": "open-discussion", "member_role": members_role.id}
    )
    await setup.wait_response()
    await wait_message(fake, room.id, "home to a peer group")
    return room.id, people, visitor


def chair_line(fake: FakeDiscord, room: int) -> str:
    description = panel(fake, room)["embeds"][0]["description"]
    return next(line for line in description.splitlines() if "Chair" in line)


async def meetings_held(member: SimulatedMember, room: int) -> str:
    settings = await (await member.slash(room, "group settings")).wait_response()
    assert settings.data is not None
    return str(settings.data["content"])


async def test_a_non_member_cannot_start_or_chair(fake: FakeDiscord, bot_runner: BotRunner) -> None:
    room, (chair, helper, *_), visitor = await circle_with_a_member_role(
        fake, bot_runner, clock_rate="60"
    )
    refused = await start_meeting(fake, visitor, room)
    assert "started by the members of this group" in refused
    assert "nothing has started" in refused
    assert meeting_rows(bot_runner.database) == []
    assert not any("components" in m and m["components"] for m in fake.channel_messages(room))

    assert "Thank you for chairing" in await start_meeting(fake, chair, room)
    board = panel(fake, room)
    await asyncio.sleep(2.5)  # two clock minutes and more: the chair looks away
    assert "Only the members of this group can chair" in await press(visitor, board, "stepin")
    assert "for the members of this group" in await press(visitor, board, "next")
    assert "for the members of this group" in await slash(visitor, room, "meeting end")
    assert "for the members of this group" in await slash(visitor, room, "hand")
    assert "Pinecrest" in chair_line(fake, room)
    assert not any("still with us" in m["content"] for m in fake.channel_messages(room))
    assert "hand is up" not in await press(visitor, board, "hand")
    assert "Moving on" in await press(chair, board, "next")  # the meeting goes on as it was
    assert "Only today's chair" in await press(helper, board, "next")


async def test_a_meeting_counts_only_when_it_really_happened(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    room, (chair, helper, third, _), _ = await circle_with_a_member_role(
        fake, bot_runner, clock_rate="300"
    )
    # One member alone, for long enough, pressing Next to the end: it doesn't count.
    assert "Thank you for chairing" in await start_meeting(fake, chair, room)
    board = panel(fake, room)
    await asyncio.sleep(3.5)  # 15 clock minutes and more: time is not what's missing
    mark = len(fake.channel_messages(room))
    for _ in range(20):
        if not meeting_rows(bot_runner.database):
            break
        await press(chair, board, "next")
    ended = await wait_message(fake, room, "This meeting has ended", after=mark)
    assert (
        "This meeting doesn't count toward the group's meetings held, because" in (ended["content"])
    )
    assert "fewer than 3 members took part" in ended["content"]
    assert "ran for less than" not in ended["content"]
    assert "Meetings held so far: 0" in await meetings_held(helper, room)

    # Three members, but a short meeting: it doesn't count either, and says why.
    await start_meeting(fake, chair, room)
    board = panel(fake, room)
    await press(helper, board, "hand")
    await press(third, board, "hand")
    mark = len(fake.channel_messages(room))
    await slash(chair, room, "meeting end")
    ended = await wait_message(fake, room, "This meeting has ended", after=mark)
    assert "because it ran for less than 15 minutes" in ended["content"]
    assert "fewer than" not in ended["content"]
    assert "Meetings held so far: 0" in await meetings_held(helper, room)

    # Three members and fifteen minutes: it counts.
    await start_meeting(fake, chair, room)
    board = panel(fake, room)
    await press(helper, board, "hand")
    await press(third, board, "hand")
    await asyncio.sleep(3.5)
    mark = len(fake.channel_messages(room))
    await slash(chair, room, "meeting end")
    ended = await wait_message(fake, room, "This meeting has ended", after=mark)
    assert "count" not in ended["content"]
    assert "Meetings held so far: 1" in await meetings_held(helper, room)
    assert meeting_rows(bot_runner.database) == []


async def test_the_chair_is_taken_over_only_when_really_away(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    room, (chair, helper, third, _), _ = await circle_with_a_member_role(
        fake,
        bot_runner,
        clock_rate="60",  # two clock minutes pass in two seconds
    )
    await start_meeting(fake, chair, room)
    board = panel(fake, room)

    # A present chair who posted a moment ago can't be taken over.
    await asyncio.sleep(1.5)
    await chair.say(room, "I'm here, just listening along")
    await asyncio.sleep(1.2)  # over two minutes since the chair pressed anything
    assert "a moment ago" in await press(helper, board, "stepin")

    # Away: the chair is asked, visibly, and keeps the chair by answering.
    await asyncio.sleep(2.5)
    mark = len(fake.channel_messages(room))
    offered = await press(helper, board, "stepin")
    assert "Thank you for stepping in" in offered
    assert "asked the chair whether they're still with us" in offered
    asked = await wait_message(fake, room, "are you still with us?", after=mark, with_buttons=True)
    assert [int(user["id"]) for user in asked["mentions"]] == [chair.id]  # the one ping
    assert "Reedwhistle" in asked["content"]
    assert "just asked the chair" in await press(third, board, "stepin")
    assert "for today's chair" in await press(helper, asked, "here")
    assert "still chairing" in await press(chair, asked, "here")
    await wait_message(fake, room, "is still with us and goes on chairing", after=mark)
    await asyncio.sleep(1.5)  # the minute passes: nothing is handed over
    assert "Pinecrest" in chair_line(fake, room)
    assert "Only today's chair" in await press(helper, board, "next")

    # Away again, and no answer within a minute: the member who offered chairs.
    await asyncio.sleep(2.5)
    mark = len(fake.channel_messages(room))
    assert "Thank you for stepping in" in await press(third, board, "stepin")
    handed = await wait_message(fake, room, "Tarnfield is chairing now", after=mark, limit=10)
    assert "press **I'm back**" in handed["content"]
    await fake.wait_until(lambda: "Tarnfield" in chair_line(fake, room), 5, what="the panel")
    assert "Moving on" in await press(third, board, "next")
    assert "Only today's chair" in await press(chair, board, "next")

    # The chair returns and takes the chair back.
    assert "for the chair who was away" in await press(helper, handed, "imback")
    assert "Welcome back" in await press(chair, handed, "imback")
    await wait_message(fake, room, "Welcome back, Pinecrest", after=mark)
    await fake.wait_until(lambda: "Pinecrest" in chair_line(fake, room), 5, what="the panel")
    assert "Moving on" in await press(chair, board, "next")


async def test_the_chair_in_voice_is_present(fake: FakeDiscord, bot_runner: BotRunner) -> None:
    room, (chair, helper, *_), _ = await circle_with_a_member_role(
        fake, bot_runner, clock_rate="60", channel_type=VOICE
    )
    await chair.join_voice(room)
    await start_meeting(fake, chair, room)
    board = panel(fake, room)
    await asyncio.sleep(1.5)
    await chair.join_voice(room, self_mute=True)  # the chair mutes their microphone
    await asyncio.sleep(1.2)
    assert "a moment ago" in await press(helper, board, "stepin")
    await asyncio.sleep(2.5)
    assert "asked the chair" in await press(helper, board, "stepin")
    await chair.join_voice(room, self_mute=False)  # they unmute to answer: that is an answer
    await wait_message(fake, room, "is still with us and goes on chairing")
    assert "Pinecrest" in chair_line(fake, room)
