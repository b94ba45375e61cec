"""Between meetings (issue 15): ``/resources`` — the kind default, then the group's own list from
its format — and the newcomer welcome: sent privately once for a first post, not again, never
to a bot, never during a meeting, and nothing claimed for someone whose private messages are
closed (Discord's 50007); joining a group's voice channel is an arrival too. The meeting's
closing offers ``/resources``. One bot run."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from bot.core.resources import CLOSING_LINE
from bot.core.resources import DANGER_LINE as DANGER
from bot.i18n import render
from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import start_meeting, wait_message
from tests.fakediscord import FakeDiscord, SimulatedMember
from tests.fakediscord.state import VOICE

EPHEMERAL = 1 << 6
FORMATS = Path(__file__).parents[2] / "formats"
OUR_LIST = """
resources:
  - title: Heron warmline
    line: A member answers on weekday evenings, 7 to 10 pm.
    link: https://example.org/heron-warmline
"""
NOT_DELIVERED = "A newcomer's welcome could not be delivered"


def welcomes_kept(database: Path) -> int:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    try:
        return int(conn.execute("SELECT count(*) FROM newcomer_welcomes").fetchone()[0])
    finally:
        conn.close()


async def resources(member: SimulatedMember, channel_id: int) -> str:
    answer = await (await member.slash(channel_id, "resources")).wait_response()
    assert answer.data is not None
    assert answer.data["flags"] & EPHEMERAL  # nobody else sees who asked
    return str(answer.data["content"])


async def test_resources_and_the_newcomer_welcome(fake: FakeDiscord, bot_runner: BotRunner) -> None:
    guild = fake.add_guild("Heron Circle", owner_username="heronkeeper")
    room = fake.add_channel(guild.id, "heron-room").id
    ann = fake.add_member(guild.id, "annwillow", global_name="Ann Willow")
    bo = fake.add_member(guild.id, "bofernley", global_name="Bo Fernley")
    cy = fake.add_member(guild.id, "cyquietly", global_name="Cy Quietly", accepts_dms=False)
    dee = fake.add_member(guild.id, "deelate", global_name="Dee Late")
    robot = fake.add_member(guild.id, "helperbot", global_name="Helper Bot")
    robot.user.bot = True
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()

    # Before any group: the kind default, anywhere.
    default = await resources(ann, room)
    assert default.splitlines()[1] == render("en", DANGER)
    assert "<https://findahelpline.com>" in default
    assert "hasn't added its own list" not in default

    await (
        await guild.owner.slash(room, "group setup", {"format": "open-discussion"})
    ).wait_response()
    await wait_message(fake, room, "home to a peer group")
    assert "hasn't added its own list yet" in await resources(ann, room)

    # The group's own list, from its format (adopted before its first meeting).
    source = (FORMATS / "open-discussion.yaml").read_text() + OUR_LIST
    ours = fake.make_attachment("heron.yaml", source.encode())
    offer = (
        await (await guild.owner.slash(room, "format upload", {"file": ours})).wait_followups()
    )[0]
    adopt = offer["components"][0]["components"][0]
    assert adopt["label"] == "Adopt it now"
    mark = len(fake.requests)
    await (await guild.owner.click(int(offer["id"]), adopt["custom_id"])).wait_response()
    await fake.wait_for_request("POST", rf"/channels/{room}/messages", after=mark)
    listed = await resources(bo, room)
    assert render("en", DANGER) in listed
    expected = "A member answers on weekday evenings, 7 to 10 pm. "
    assert f"• **Heron warmline** — {expected}<https://example.org/heron-warmline>" in listed

    # A first post between meetings: one private welcome, and only one.
    await ann.say(room, "hello, first time here")
    await fake.wait_until(lambda: len(fake.dms(ann.id)) == 1, 5, what="ann's welcome")
    (welcome,) = fake.dms(ann.id)
    assert f"<#{room}>" in welcome["content"]
    assert "Raise hand" in welcome["content"]
    assert "`/resources`" in welcome["content"]
    assert welcome["mentions"] == []
    await ann.say(room, "and a second post")
    await cy.say(room, "hi all")  # private messages closed: Discord answers 50007
    await robot.say(room, "beep: a bot posting")
    await fake.wait_until(lambda: NOT_DELIVERED in bot_runner.logs(), 5, what="cy's refusal")
    await cy.say(room, "hello again")  # not tried again
    await bo.say(room, "hi, I'm new too")
    await fake.wait_until(lambda: len(fake.dms(bo.id)) == 1, 5, what="bo's welcome")
    await asyncio.sleep(0.3)
    assert len(fake.dms(ann.id)) == 1
    assert fake.dms(cy.id) == []
    assert bot_runner.logs().count(NOT_DELIVERED) == 1
    dm_opened = fake.requests_matching("POST", r"/users/@me/channels")
    assert str(robot.id) not in str([r.json for r in dm_opened])  # never a bot
    assert welcomes_kept(bot_runner.database) == 2  # ann and bo; nothing claimed for cy

    # During a meeting, nobody is welcomed: the meeting's own words say it all.
    assert "Thank you for chairing" in await start_meeting(fake, ann, room)
    await wait_message(fake, room, "**Welcome**")
    await dee.say(room, "sorry, am I late?")
    mark = len(fake.channel_messages(room))
    await (await ann.slash(room, "meeting end")).wait_followups()
    closing = await wait_message(fake, room, "This meeting has ended", after=mark)
    assert CLOSING_LINE in closing["content"]
    assert fake.dms(dee.id) == []
    assert welcomes_kept(bot_runner.database) == 2

    # Joining the voice of a group's channel between meetings is an arrival too (once).
    voice = fake.add_channel(guild.id, "heron-voice", VOICE).id
    await (
        await guild.owner.slash(voice, "group setup", {"format": "open-discussion"})
    ).wait_response()
    await wait_message(fake, voice, "home to a peer group")
    await dee.join_voice(voice)
    await fake.wait_until(lambda: len(fake.dms(dee.id)) == 1, 5, what="dee's welcome")
    assert f"<#{voice}>" in fake.dms(dee.id)[0]["content"]
    await dee.join_voice(voice, self_mute=True)  # a mute is no arrival
    await dee.leave_voice()
    await dee.join_voice(voice)  # nor is coming back
    await asyncio.sleep(0.3)
    assert len(fake.dms(dee.id)) == 1
