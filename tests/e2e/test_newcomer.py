"""/newcomer: a private orientation from the group's own format."""

from __future__ import annotations

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import wait_message
from tests.fakediscord import FakeDiscord

EPHEMERAL = 1 << 6


async def test_newcomer_gets_a_private_guide(fake: FakeDiscord, bot_runner: BotRunner) -> None:
    guild = fake.add_guild("Welcome Circle", owner_username="gatepost")
    room = fake.add_channel(guild.id, "welcome-room")
    newcomer = fake.add_member(guild.id, "firstvisitor", global_name="Nova Firstlight")
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    before = await (await newcomer.slash(room.id, "newcomer")).wait_response()
    assert before.data is not None
    assert "no group yet" in before.data["content"]

    await (
        await guild.owner.slash(room.id, "group setup", {"format": "open-discussion"})
    ).wait_response()
    await wait_message(fake, room.id, "home to a peer group")
    guide = await (await newcomer.slash(room.id, "newcomer")).wait_response()
    assert guide.data is not None
    assert guide.data["flags"] & EPHEMERAL  # nobody else sees who asked
    text = guide.data["content"]
    assert "Raise hand" in text
    assert "Passing is always fine" in text
    assert "no record of who came" in text
    assert "Welcome → A moment of silence" in text
