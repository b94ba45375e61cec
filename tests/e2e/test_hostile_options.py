"""Hostile or unusual options never leave a command unanswered: a 6,000-character value, or one
full of zero-width and right-to-left marks, is answered within Discord's 2,000 characters, and
what comes back of it is cut short and cleaned. A member from another server in a member option,
and a choice outside the command's list (only a modified client can send one: Discord's app
offers the list), get a kind, specific answer through the one error path: no traceback, nothing
changed."""

from __future__ import annotations

import sqlite3
from typing import Any

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import wait_message
from tests.fakediscord import FakeDiscord, SimulatedMember

LONG = "x" * 6000
SNEAKY = "\u202eevil\u200b" * 500  # a right-to-left override and zero-width spaces


async def answered(
    member: SimulatedMember, room: int, command: str, options: Any, *, forged: bool = False
) -> str:
    used = await member.slash(room, command, options, forged=forged)
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
        for option in ("schedule", "timezone"):
            options = {"format": "open-discussion", option: value}
            said = await answered(guild.owner, room.id, "group setup", options)
            assert "\u202e" not in said, option
            assert "x" * 100 not in said, option
        # Typing a long or sneaky time zone: Discord takes at most 25 choices of 100 characters.
        for command, given in (("group setup", {"format": "x"}), ("group schedule", {})):
            typing = await guild.owner.autocomplete(
                room.id, command, {**given, "timezone": value[:100]}, "timezone"
            )
            offered = await typing.wait_response()
            assert offered.type == 8
            assert offered.data is not None
            assert len(offered.data["choices"]) <= 25
            assert all(len(c["name"]) <= 100 for c in offered.data["choices"])
    assert fake.channel_messages(room.id) == []  # no group was set up by any of that
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
            ("concern", {"member": guild.owner.id, "guideline": value}),
            ("propose change", {"what": "schedule", "value": value}),
            ("propose change", {"what": "resources", "value": value}),
        ):
            said = await answered(member, room.id, command, options)
            assert "\u202e" not in said, command
            assert "x" * 100 not in said, command  # the value is echoed cut short, if at all

    for value in (LONG, SNEAKY):  # the schedule, changed before the first meeting
        for option in ("schedule", "timezone", "skip", "extra"):
            said = await answered(guild.owner, room.id, "group schedule", {option: value})
            assert "\u202e" not in said, option
            assert "x" * 100 not in said, option

    # A member option naming someone from another server (Discord resolves the user, without a
    # member object), and choices outside the list, sent by a modified client.
    elsewhere = fake.add_guild("Elsewhere Circle", owner_username="elsekeeper")
    stranger = fake.add_member(elsewhere.id, "farstranger", global_name="Far Stranger")
    askers = [
        fake.add_member(guild.id, name, global_name=name.title())
        for name in ("oakenvoice", "willowquiet", "brookside", "fernhollow")
    ]
    not_here = "isn't a member of this server"
    for asker, command, options in (
        (member, "concern", {"member": stranger.id, "guideline": "crosstalk"}),
        (member, "propose exclusion", {"member": stranger.id, "meetings": 1}),
        (member, "propose welcome-back", {"member": stranger.id}),
        (member, "rotation swap", {"member": stranger.id}),
    ):
        assert not_here in await answered(asker, room.id, command, options), command
    for asker, meetings in zip(askers, (3, 0, -1), strict=False):
        said = await answered(
            asker,
            room.id,
            "propose exclusion",
            {"member": member.id, "meetings": meetings},
            forged=True,
        )
        assert "isn't one of the choices for **meetings**" in said, meetings
        assert "the next 2 meetings" in said
        assert "Nothing changed" in said
    for day in (7, -1):
        said = await answered(askers[3], room.id, "rotation join", {"day": day}, forged=True)
        assert "isn't one of the choices for **day**" in said, day
        assert "Sunday" in said

    conn = sqlite3.connect(f"file:{bot_runner.database}?mode=ro", uri=True)
    try:
        for table in ("concerns", "proposals", "rotation_volunteers", "rotation_swaps"):
            count = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            assert count == 0, table
    finally:
        conn.close()
    assert fake.dms(member.id) == []
    assert fake.dms(stranger.id) == []
    logs = bot_runner.logs()
    assert "Unexpected error" not in logs
    assert logs.count("could not be used (user)") == 4
    assert logs.count("could not be used (integer)") == 5
