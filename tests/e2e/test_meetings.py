"""A whole meeting through the fake Discord, a kill -9 in the middle of a share, and 30 hands."""

from __future__ import annotations

import asyncio

from bot.core.pseudonyms import Pseudonymizer
from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import (
    buttons,
    meeting_deadlines,
    meeting_rows,
    panel,
    press,
    start_meeting,
    stored_floor,
    wait_message,
)
from tests.e2e.picture_helpers import attached_picture
from tests.fakediscord import FakeDiscord, GuildHandle, SimulatedMember

EPHEMERAL = 1 << 6

MEMBER_NAMES = ("willowmere", "stonebrook", "fernhollow", "ashgrove", "larkspur", "marshlight")


async def ready_group(
    fake: FakeDiscord, bot_runner: BotRunner, format_id: str, *, clock_rate: str, members: int = 6
) -> tuple[GuildHandle, int, list[SimulatedMember]]:
    guild = fake.add_guild("Meeting Circle", owner_username="keystonewarden")
    room = fake.add_channel(guild.id, "circle-room")
    people = [
        fake.add_member(guild.id, name, global_name=f"{name.title()} Quillfeather")
        for name in MEMBER_NAMES[:members]
    ]
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    bot_runner.settings["CLOCK_RATE"] = clock_rate
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    setup = await guild.owner.slash(room.id, "group setup", {"format": format_id})
    await setup.wait_response()
    await wait_message(fake, room.id, "home to a peer group")
    return guild, room.id, people


async def test_open_discussion_from_start_to_end(fake: FakeDiscord, bot_runner: BotRunner) -> None:
    _, room, (chair, reader, first, second, third, late) = await ready_group(
        fake, bot_runner, "open-discussion", clock_rate="60"
    )
    started = await start_meeting(fake, chair, room)
    began = asyncio.get_running_loop().time()
    assert "Thank you for chairing" in started
    board = panel(fake, room)
    assert board["embeds"][0]["title"].startswith("Meeting 1")
    welcome = await wait_message(fake, room, "**Welcome**")
    assert "Willowmere" in welcome["content"]  # the chair chose to be named
    assert welcome["mentions"] == []  # nobody pinged

    # Only the chair moves the meeting along.
    refused = await press(reader, board, "next")
    assert "Only today's chair" in refused

    await press(chair, board, "next")  # a moment of silence, with its bell
    await wait_message(fake, room, "in quiet together")
    # "Our group's reading" is still the format's placeholder: never read aloud, and the chair
    # is told privately. The next reading is offered to volunteers, in one message.
    await press(chair, board, "next")
    offer = await wait_message(fake, room, "Would someone like to read", with_buttons=True)
    assert offer["content"] == "Would someone like to read **How we share**?"
    before = fake.channel_messages(room)[fake.channel_messages(room).index(offer) - 1]
    assert before["content"] != "**How we share**"  # no bare heading first: one message
    assert "Your group's own reading" not in str(fake.channel_messages(room))
    assert "placeholder, so I left it out" in fake.dms(chair.id)[-1]["content"]
    assert "only today's chair" in (await press(reader, offer, "chairread")).lower()
    assert "Thank you for reading" in await press(reader, offer, "read")
    read = await wait_message(fake, room, "read by Stonebrook")
    assert read["content"].startswith("**How we share** — read by Stonebrook\n")
    assert "already been taken" in await press(first, offer, "read")
    mark = len(fake.channel_messages(room))

    await press(chair, board, "next")  # the chair is asked a question
    question = await wait_message(fake, room, "first time?", after=mark, with_buttons=True)
    await press(chair, question, "yes")
    await wait_message(fake, room, "special welcome")

    await press(chair, board, "next")  # announcements
    await wait_message(fake, room, "announcements")
    await press(chair, board, "next")  # sharing
    await wait_message(fake, room, "**Sharing**")

    assert "hand is up" in await press(first, board, "hand")
    assert "hand is up" in await press(second, board, "hand")
    assert "hand is up" in await press(third, board, "hand")
    given = await wait_message(fake, room, "the floor is yours")
    assert given["mentions"][0]["username"] == "fernhollow"  # the one ping: your turn
    assert "<t:" in given["content"]  # a live countdown, not edits every second
    mark = len(fake.channel_messages(room))

    # The share runs long enough for the format's gentle notes (3 minutes at 60x = 3 s).
    note = await wait_message(fake, room, "minute", after=mark, limit=15)
    assert note["mentions"] == []
    assert "Thank you for sharing" in await press(first, board, "done")
    assert "Passing is always OK" in await press(second, board, "pass")
    third_turn = await wait_message(fake, room, "the floor is yours", after=mark)
    assert third_turn["mentions"][0]["username"] == "ashgrove"
    assert "Thank you for sharing" in await press(third, board, "done")

    # The last part is for those who haven't shared: the first sharer's hand is refused.
    await press(chair, board, "next")
    await wait_message(fake, room, "haven't shared")
    assert "haven't shared yet" in await press(first, board, "hand")
    assert "hand is up" in await press(late, board, "hand")
    await press(late, board, "done")

    # The group takes its time: fifteen clock minutes (15 s at 60x) pass before the close.
    await asyncio.sleep(max(0.0, began + 16 - asyncio.get_running_loop().time()))
    for _ in range(3):  # collection, closing, and the end
        await press(chair, board, "next")
    await wait_message(fake, room, "This meeting has ended")
    closing = await wait_message(fake, room, "**Closing** — with Willowmere")
    assert "Thank you, Willowmere, for chairing" in closing["content"]
    assert "on the rotation to chair next time" not in closing["content"]  # nobody is named
    assert meeting_rows(bot_runner.database) == []  # nothing about who was there is kept
    assert meeting_deadlines(bot_runner.database) == 0
    settings = await (await chair.slash(room, "group settings")).wait_response()
    assert settings.data is not None
    assert "Meetings held so far: 1" in settings.data["content"]  # it reached its closing


async def test_kill_mid_share_resumes_the_same_floor(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    _, room, (chair, sharer, waiting, *_) = await ready_group(
        fake, bot_runner, "peer-support-circle", clock_rate="1", members=3
    )
    await start_meeting(fake, chair, room)
    board = panel(fake, room)
    for _ in range(8):  # move on until the floor opens
        if any(
            word in m.get("content", "")
            for m in fake.channel_messages(room)[-3:]
            for word in ("Raise hand", "your turn", "the floor is yours")
        ):
            break
        await press(chair, board, "next")
        await asyncio.sleep(0.1)
    await press(sharer, board, "hand")  # joins the round
    await press(waiting, board, "hand")
    # The chair took part (they started the meeting), so the round begins with them.
    await wait_message(fake, room, f"<@{chair.id}>, the floor is yours")
    await press(chair, board, "done")
    given = await wait_message(fake, room, f"<@{sharer.id}>, the floor is yours")
    before = stored_floor(bot_runner.database)
    assert before["turn"] is not None

    await bot_runner.kill()  # kill -9, mid-share
    mark = len(fake.channel_messages(room))
    await bot_runner.start()
    await wait_message(fake, room, "I had to restart", after=mark)
    after = stored_floor(bot_runner.database)
    assert after == before  # same sharer, same queue, same absolute limit: same time left
    asked = await chair.slash(room, "meeting status")
    status = await asked.wait_response()
    assert status.data is not None
    description = status.data["embeds"][0]["description"]
    assert "Stonebrook" in description  # the sharer, by first name
    # The answer comes at once, without the picture; then the timeline is added to it,
    # privately, with "now" at the section under way.
    assert not status.data.get("attachments")
    title = status.data["embeds"][0]["title"]  # "Meeting 1 · 4/6 Sharing"
    section = title.split(" · ")[1].split("/")[0]
    shown = await asked.wait_original(lambda message: bool(message.get("attachments")))
    assert status.data["flags"] & EPHEMERAL
    assert attached_picture(fake, shown).info["Now"] == section
    assert shown["embeds"][0]["title"] == title  # the answer stands, the picture added
    limit = given["content"].split("<t:")[1].split(":")[0]
    assert f"<t:{limit}:R>" in description  # the same remaining time
    # Discord refuses the edit (the interaction's token no longer valid): the answer stands.
    fake.fail_next("PATCH", r"/webhooks/\d+/[^/]+/messages/@original", status=401, code=50027)
    mark = len(fake.requests)
    again = await chair.slash(room, "meeting status")
    answer = await again.wait_response()
    assert answer.data is not None
    assert answer.data["embeds"][0]["title"] == title
    await fake.wait_for_request("PATCH", r"/webhooks/\d+/[^/]+/messages/@original", after=mark)
    await fake.wait_until(
        lambda: "timeline picture could not be added" in bot_runner.logs(), 5, what="the log"
    )
    assert again.original is not None
    assert again.original["embeds"][0]["title"] == title
    assert not again.original.get("attachments")
    # The panel's buttons still work after the restart (persistent, opaque custom_ids).
    assert "Thank you for sharing" in await press(sharer, board, "done")


async def test_thirty_hands_in_the_same_second(fake: FakeDiscord, bot_runner: BotRunner) -> None:
    guild = fake.add_guild("Busy Circle", owner_username="beaconkeeper")
    room = fake.add_channel(guild.id, "busy-room")
    chair = fake.add_member(guild.id, "tallowcandle", global_name="Tallow Candlewick")
    crowd = [fake.add_member(guild.id, f"crowdmember{n:02d}") for n in range(30)]
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    await (
        await guild.owner.slash(room.id, "group setup", {"format": "open-discussion"})
    ).wait_response()
    await start_meeting(fake, chair, room.id)
    board = panel(fake, room.id)

    hand = next(b["custom_id"] for b in buttons(board) if b["custom_id"].endswith(":hand"))
    clicks = await asyncio.gather(*(member.click(int(board["id"]), hand) for member in crowd))
    answers = await asyncio.gather(*(click.wait_followups() for click in clicks))
    assert all("hand is up" in answer[0]["content"] for answer in answers)
    # Pressing again changes nothing: each hand is in the queue once.
    again = await asyncio.gather(*(member.click(int(board["id"]), hand) for member in crowd[:5]))
    await asyncio.gather(*(click.wait_followups() for click in again))

    floor = stored_floor(bot_runner.database)
    key = bytes.fromhex((bot_runner.data_dir / "pseudonym.key").read_text().strip())
    pseudonyms = Pseudonymizer(key)
    # Interaction ids are snowflakes: their order is the order Discord sent the clicks.
    delivered = [
        pseudonyms.of(guild.id, int(click.payload["member"]["user"]["id"]))
        for click in sorted(clicks, key=lambda click: click.id)
    ]
    assert floor["hands"] == delivered


async def test_only_members_press_and_anyone_can_step_in_for_an_absent_chair(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Role Circle", owner_username="quarrylantern")
    room = fake.add_channel(guild.id, "role-room")
    members_role = fake.add_role(guild.id, "Circle Members")
    chair = fake.add_member(guild.id, "pinecrest", roles=[members_role.id])
    helper = fake.add_member(guild.id, "reedwhistle", roles=[members_role.id])
    visitor = fake.add_member(guild.id, "driftwanderer")
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    bot_runner.settings["CLOCK_RATE"] = "60"  # two clock minutes pass in two seconds
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    setup = await guild.owner.slash(
        room.id, "group setup", {"format": "open-discussion", "member_role": members_role.id}
    )
    await setup.wait_response()
    await start_meeting(fake, chair, room.id)
    board = panel(fake, room.id)

    assert "for the members of this group" in await press(visitor, board, "hand")
    assert "hand is up" in await press(helper, board, "hand")

    assert "a moment ago" in await press(helper, board, "stepin")  # the chair was just here
    await asyncio.sleep(2.5)
    assert "Thank you for stepping in" in await press(helper, board, "stepin")
    await wait_message(fake, room.id, "is chairing now")  # the chair didn't answer in a minute
    assert "Only today's chair" in await press(chair, board, "next")
    assert "Moving on" in await press(helper, board, "next")
