"""/group setup and /group settings through the fake Discord."""

from __future__ import annotations

from tests.e2e.conftest import BotRunner
from tests.fakediscord import FakeDiscord

EPHEMERAL = 1 << 6


async def test_setup_binds_a_group_once_and_only_for_managers(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Thursday Circle", owner_username="lanternkeeper")
    room = fake.add_channel(guild.id, "thursday-meeting")
    other_room = fake.add_channel(guild.id, "saturday-meeting", type=2)
    member = fake.add_member(guild.id, "softheron", global_name="Heron Blakely")
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()

    refused = await (
        await member.slash(room.id, "group setup", {"format": "open-discussion"})
    ).wait_response()
    assert refused.data is not None
    assert refused.data["flags"] & EPHEMERAL
    assert "Manage Server" in refused.data["content"]

    done = await (
        await guild.owner.slash(room.id, "group setup", {"format": "open-discussion"})
    ).wait_response()
    assert done.data is not None
    assert done.data["flags"] & EPHEMERAL
    assert "decides together" in done.data["content"]
    welcome = await fake.wait_for_request("POST", rf"/channels/{room.id}/messages")
    assert welcome.json is not None
    assert "home to a peer group" in welcome.json["content"]

    settings = await (await member.slash(room.id, "group settings")).wait_response()
    assert settings.data is not None
    assert "Meetings held so far: 0" in settings.data["content"]
    assert "open-discussion" in settings.data["content"]

    again = await (
        await guild.owner.slash(room.id, "group setup", {"format": "speaker-meeting"})
    ).wait_response()
    assert again.data is not None
    assert "already has a group" in again.data["content"]

    unknown = await (
        await guild.owner.slash(other_room.id, "group setup", {"format": "no-such-format"})
    ).wait_response()
    assert unknown.data is not None
    assert "don't know a format" in unknown.data["content"]

    # A second group in the same server, in a voice channel.
    second = await (
        await guild.owner.slash(other_room.id, "group setup", {"format": "peer-support-circle"})
    ).wait_response()
    assert second.data is not None
    assert "decides together" in second.data["content"]
    await fake.wait_for_request("POST", rf"/channels/{other_room.id}/messages")


async def test_format_autocomplete_lists_the_built_in_formats(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Autocomplete Circle", owner_username="brightfinch")
    room = fake.add_channel(guild.id, "meeting")
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    typing = await guild.owner.autocomplete(room.id, "group setup", {"format": "speak"}, "format")
    answer = await typing.wait_response()
    assert answer.type == 8  # APPLICATION_COMMAND_AUTOCOMPLETE_RESULT
    assert answer.data is not None
    assert [choice["value"] for choice in answer.data["choices"]] == ["speaker-meeting"]
