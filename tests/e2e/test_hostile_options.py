"""Hostile or unusual options never leave a command unanswered: a 6,000-character value, or one
full of zero-width and right-to-left marks, is answered within Discord's 2,000 characters, and
what comes back of it is cut short and cleaned."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import wait_message
from tests.fakediscord import FakeDiscord, SimulatedMember

LONG = "x" * 6000
SNEAKY = "\u202eevil\u200b" * 500  # a right-to-left override and zero-width spaces


async def answered(member: SimulatedMember, room: int, command: str, options: Any) -> str:
    used = await member.slash(room, command, options)
    response = await used.wait_response()
    if response.data and response.data.get("content"):
        text = str(response.data["content"])
    else:
        text = str((await used.wait_followups())[0]["content"])
    assert len(text) <= 2000
    return text


async def test_every_long_or_sneaky_option_gets_a_short_clean_answer(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Long Words Circle", owner_username="wordkeeper")
    room = fake.add_channel(guild.id, "long-room")
    member = fake.add_member(guild.id, "plainspeaker", global_name="Plain Speaker")
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()

    for value in (LONG, SNEAKY):
        said = await answered(guild.owner, room.id, "group setup", {"format": value})
        assert "don't know a format" in said
        assert "\u202e" not in said
        assert "\u200b" not in said
    done = await guild.owner.slash(room.id, "group setup", {"format": "open-discussion"})
    await done.wait_response()
    await wait_message(fake, room.id, "home to a peer group")

    for value in (LONG, SNEAKY):
        for command, options in (
            ("format show", {"name": value}),
            ("format preview", {"name": value}),
            ("propose change", {"what": value, "value": value}),
            ("propose change", {"what": "voting-hours", "value": value}),
            ("rotation join", {"role": value}),
            ("rotation leave", {"role": value}),
        ):
            said = await answered(member, room.id, command, options)
            assert "\u202e" not in said, command
            assert "x" * 100 not in said, command  # the value is echoed cut short, if at all
