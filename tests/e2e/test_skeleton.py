"""The walking skeleton, end to end: log in, sync, answer, survive a dropped connection."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import BotRunner
from tests.fakediscord import FakeDiscord

EPHEMERAL = 1 << 6
MESSAGE_CONTENT_INTENT = 1 << 15


async def test_logs_in_syncs_and_answers_two_commands(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Tuesday Evening Circle")
    room = fake.add_channel(guild.id, "meeting-room")
    wren = fake.add_member(guild.id, "quietwren", global_name="Wren Halloway", nick="Wren H")
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)

    code, out, err = await bot_runner.command("sync")
    assert code == 0, err
    assert "Published" in out
    published = {command["name"] for command in fake.guild_commands[guild.id]}
    assert {"about", "group"} <= published
    assert fake.global_commands == []  # a dev sync never touches the global commands

    await bot_runner.start()
    assert fake.intents is not None
    assert not fake.intents & MESSAGE_CONTENT_INTENT  # never asks for message content

    about = await (await wren.slash(room.id, "about")).wait_response()
    assert about.type == 4
    assert about.data is not None
    assert about.data["flags"] & EPHEMERAL
    assert "nothing" in about.data["content"].lower()
    assert about.data["allowed_mentions"] == {"parse": []}

    settings = await (await wren.slash(room.id, "group settings")).wait_response()
    assert settings.data is not None
    assert settings.data["flags"] & EPHEMERAL
    assert "no group yet" in settings.data["content"]
    assert "/group setup" in settings.data["content"]


async def test_dropped_gateway_resumes_without_a_new_session(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Resume Circle")
    room = fake.add_channel(guild.id, "meeting-room")
    robin = fake.add_member(guild.id, "dawnrobin", global_name="Robin Ashdown")
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    assert fake.identifies == 1

    await fake.drop_gateway()
    await fake.wait_resumed(count=1, timeout=20)
    assert fake.identifies == 1  # resumed, not re-identified

    reply = await (await robin.slash(room.id, "about")).wait_response()
    assert reply.type == 4


async def test_global_sync_without_a_dev_guild(fake: FakeDiscord, bot_runner: BotRunner) -> None:
    fake.add_guild("Anywhere")
    code, out, err = await bot_runner.command("sync")
    assert code == 0, err
    assert "global" in out
    assert {command["name"] for command in fake.global_commands} >= {"about", "group"}


async def test_refused_members_intent_stops_with_a_clear_message(tmp_path: Path) -> None:
    async with FakeDiscord(privileged_intents_granted=()) as fake:
        fake.add_guild("No Intents")
        runner = BotRunner(fake=fake, workdir=tmp_path)
        code, _, err = await runner.command("run")
    assert code == 2
    assert "SERVER MEMBERS INTENT" in err
    assert "Traceback" not in err


async def test_refused_token_stops_with_a_clear_message(fake: FakeDiscord, tmp_path: Path) -> None:
    runner = BotRunner(fake=fake, workdir=tmp_path, settings={"DISCORD_TOKEN": "not-the-token"})
    code, _, err = await runner.command("run")
    assert code == 2
    assert "DISCORD_TOKEN was refused" in err
    assert "Traceback" not in err
