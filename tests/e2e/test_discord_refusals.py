"""What Discord refuses gets a kind, true answer: a bot without Send Messages says so before
claiming anything; Discord's 5xx and expired interactions are one WARNING, never a traceback;
a meeting whose channel stops taking the bot's posts pauses, tells who it can, and loses no
words."""

from __future__ import annotations

import asyncio
import json

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import (
    buttons,
    meeting_rows,
    panel,
    press,
    start_meeting,
    wait_message,
)
from tests.e2e.test_meetings import ready_group
from tests.fakediscord import FakeDiscord


async def test_a_bot_that_cannot_post_says_so_before_claiming_anything(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Quiet Room Circle", owner_username="quietkeeper")
    room = fake.add_channel(guild.id, "quiet-room")
    member = fake.add_member(guild.id, "softvoice", global_name="Soft Voice")
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    bot_id = fake.state.bot_user.id

    fake.set_overwrite(room.id, bot_id, deny={"send_messages"}, kind=1)
    refused = await (
        await guild.owner.slash(room.id, "group setup", {"format": "open-discussion"})
    ).wait_response()
    assert refused.data is not None
    assert "**Send Messages**" in refused.data["content"]
    assert "Done" not in refused.data["content"]
    assert (
        "has no group yet"
        in (await (await member.slash(room.id, "group settings")).wait_response()).data["content"]
    )  # nothing was set up

    fake.set_overwrite(room.id, bot_id, kind=1)  # permission given back
    done = await (
        await guild.owner.slash(room.id, "group setup", {"format": "open-discussion"})
    ).wait_response()
    assert done.data is not None
    assert "decides together" in done.data["content"]
    await wait_message(fake, room.id, "home to a peer group")

    fake.set_overwrite(room.id, bot_id, deny={"embed_links"}, kind=1)
    started = await member.slash(room.id, "meeting start")
    (answer,) = await started.wait_followups()
    assert "**Embed Links**" in answer["content"]
    assert "meeting has started" not in answer["content"]
    assert meeting_rows(bot_runner.database) == []  # no meeting that can't be shown


async def test_discord_errors_on_an_answer_are_one_warning(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Steady Circle", owner_username="steadykeeper")
    room = fake.add_channel(guild.id, "steady-room")
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    done = await guild.owner.slash(room.id, "group setup", {"format": "open-discussion"})
    await done.wait_response()
    # Two 500s on the acknowledgement: discord.py retries past the 3-second deadline (10062).
    fake.fail_next("POST", r"/interactions/\d+/[^/]+/callback", status=500, count=2)
    await guild.owner.slash(room.id, "about")
    await fake.wait_until(
        lambda: "Discord refused a call" in bot_runner.logs(), 30, what="the warning"
    )
    assert "Traceback" not in bot_runner.logs()


REFUSED_LOG = "Discord refused to post in a meeting's channel (403, code 50013)"


def words_in(fake: FakeDiscord, room: int, text: str) -> int:
    return sum(text in message.get("content", "") for message in fake.channel_messages(room))


async def test_a_meeting_the_bot_cannot_post_in_pauses_and_loses_no_words(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    _, room, (chair, reader, *_) = await ready_group(
        fake, bot_runner, "open-discussion", clock_rate="1"
    )
    bot_id = fake.state.bot_user.id
    await start_meeting(fake, chair, room)
    await wait_message(fake, room, "**Welcome**")
    board = panel(fake, room)

    # Someone takes Send Messages away from the bot, mid-meeting; the chair presses Next.
    fake.set_overwrite(room, bot_id, deny={"send_messages"}, kind=1)
    await fake.wait_until(
        lambda: not fake.permissions_in(room, bot_id) & (1 << 11), 5, what="the overwrite"
    )
    told = await press(chair, board, "next")
    assert "I can't post in this channel any more" in told
    assert "**Send Messages**" in told
    assert "press **Resume**" in told
    assert words_in(fake, room, "A moment of silence") == 0
    paused = fake.message(int(board["id"]))
    assert paused is not None
    assert "I can't post in this channel" in paused["embeds"][0]["description"]
    assert any(b["custom_id"].endswith(":resume") for b in buttons(paused))
    # The chair's next press says the same, truthfully; nothing moves on.
    assert "I can't post in this channel" in await press(chair, paused, "next")
    assert "Only today's chair" in await press(reader, paused, "resume")  # the chair resumes

    # kill -9 while paused: the meeting comes back paused, its words still kept.
    await bot_runner.kill()
    refused = bot_runner.logs().count(REFUSED_LOG)
    await bot_runner.start()
    await fake.wait_until(  # its restart notice is refused too (and changes nothing)
        lambda: bot_runner.logs().count(REFUSED_LOG) > refused, 10, what="the restart"
    )
    ((_, state),) = meeting_rows(bot_runner.database)
    stored = json.loads(state)
    assert stored["status"] == "paused"
    assert stored["cannot_post"] is True
    assert [held["kind"] for held in stored["held"]][:2] == ["PostSection", "BellStart"]

    # Permission given back; the chair presses Resume: the words, once, then the meeting goes on.
    fake.set_overwrite(room, bot_id, kind=1)
    await fake.wait_until(
        lambda: fake.permissions_in(room, bot_id) & (1 << 11), 5, what="the overwrite"
    )
    mark = len(fake.channel_messages(room))
    assert "going on from where we left off" in await press(chair, paused, "resume")
    await wait_message(fake, room, "in quiet together", after=mark)
    assert words_in(fake, room, "A moment of silence") == 1
    assert words_in(fake, room, "in quiet together") == 1
    continuing = [m["content"] for m in fake.channel_messages(room)[mark:]]
    assert continuing[0].startswith("We're continuing")
    await fake.wait_until(  # the panel is back to normal
        lambda: "resume" not in str(buttons(panel(fake, room))), 5, what="the panel redrawn"
    )

    # A refusal caused by a member's press (one 403, then posts work): the member is told, the
    # room is told, and the chair hears privately; Resume posts the reading once.
    await press(chair, panel(fake, room), "next")
    offer = await wait_message(fake, room, "Would someone like to read", with_buttons=True)
    fake.fail_next("POST", r"/channels/\d+/messages", status=403, code=50013)
    member_told = await press(reader, offer, "read")
    assert "the chair can press **Resume**" in member_told
    assert "I've let the chair know privately" in member_told
    await wait_message(fake, room, "I can't post in this channel any more")  # the room
    assert any("press **Resume**" in dm["content"] for dm in fake.dms(chair.id))
    assert words_in(fake, room, "read by Stonebrook") == 0
    await press(chair, panel(fake, room), "resume")
    await wait_message(fake, room, "read by Stonebrook")
    await asyncio.sleep(0.5)
    assert words_in(fake, room, "read by Stonebrook") == 1
