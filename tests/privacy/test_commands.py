"""/privacy what-i-keep and /privacy forget-me through the fake Discord, and what leaving a
server (while running, or while away) leaves behind: nothing."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from tests.e2e.conftest import BotRunner
from tests.fakediscord import FakeDiscord, GuildHandle, SimulatedMember
from tests.support.privacy import dump_database

EPHEMERAL = 1 << 6
FORMATS = Path(__file__).parents[2] / "formats"


async def what_i_keep(member: SimulatedMember, channel_id: int) -> str:
    reply = await (await member.slash(channel_id, "privacy what-i-keep")).wait_response()
    assert reply.data is not None
    assert reply.data["flags"] & EPHEMERAL
    assert reply.data["allowed_mentions"] == {"parse": []}
    return str(reply.data["embeds"][0]["description"])


async def upload(fake: FakeDiscord, member: SimulatedMember, channel_id: int, name: str) -> None:
    source = (FORMATS / "peer-support-circle.yaml").read_bytes()
    used = await member.slash(
        channel_id, "format upload", {"file": fake.make_attachment(name, source)}
    )
    assert "valid format" in (await used.wait_followups())[0]["content"]


def count(database: Path, sql: str) -> int:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


async def wait_for_rows(database: Path, sql: str, wanted: int, limit: float = 10.0) -> None:
    async with asyncio.timeout(limit):
        while count(database, sql) != wanted:  # noqa: ASYNC110 - another process's file
            await asyncio.sleep(0.05)


async def group_in(
    fake: FakeDiscord, guild: GuildHandle, channel_name: str
) -> tuple[int, SimulatedMember]:
    room = fake.add_channel(guild.id, channel_name)
    setup = await guild.owner.slash(room.id, "group setup", {"format": "open-discussion"})
    await setup.wait_response()
    await fake.wait_for_request("POST", rf"/channels/{room.id}/messages")
    return room.id, guild.owner


async def test_what_i_keep_answers_from_live_counts(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Harbour Light Circle", owner_username="tallmastkeeper")
    lobby = fake.add_channel(guild.id, "lobby")
    member = fake.add_member(guild.id, "saltmarsh", global_name="Marsh Pettigrew")
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()

    nothing = await what_i_keep(member, lobby.id)
    assert "no group meets here yet" in nothing
    assert "**About you:** nothing" in nothing

    room, _ = await group_in(fake, guild, "harbour-room")
    answer = await what_i_keep(member, room)
    assert "For this group I keep, right now" in answer
    assert "`open-discussion`" in answer
    assert "How many meetings it has held: 0" in answer
    assert "uploaded format" not in answer
    assert "never ask Discord for message content" in answer
    assert "audit log" in answer
    assert f"<#{room}>" in answer

    # Change the data, ask again: the counts follow the database.
    await upload(fake, member, room, "our-circle.yaml")
    assert "• 1 uploaded format (" in await what_i_keep(member, room)
    await upload(fake, member, room, "our-other-circle.yaml")
    assert "• 2 uploaded formats (" in await what_i_keep(member, room)
    assert count(bot_runner.database, "SELECT count(*) FROM group_formats") == 2

    # Outside the group's channel: the whole server.
    server = await what_i_keep(member, lobby.id)
    assert "The settings of 1 group:" in server
    assert "• 2 uploaded formats (" in server


async def test_forget_me_asks_first_and_then_confirms(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Lantern Circle", owner_username="wickkeeper")
    member = fake.add_member(guild.id, "emberfield", global_name="Ember Fairweather")
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    room, _ = await group_in(fake, guild, "lantern-room")

    async def ask() -> tuple[int, list[dict[str, str]], str]:
        used = await member.slash(room, "privacy forget-me")
        reply = await used.wait_response()
        assert reply.data is not None
        assert reply.data["flags"] & EPHEMERAL
        original = await used.wait_original()
        return int(original["id"]), reply.data["components"][0]["components"], reply.data["content"]

    message_id, buttons, preview = await ask()
    assert "Forget me in this server" in preview
    assert "can't be undone" in preview
    assert [button["label"] for button in buttons] == ["Forget me", "Keep everything"]
    kept = await (await member.click(message_id, buttons[1]["custom_id"])).wait_response()
    assert kept.type == 7  # the private message is updated, its buttons gone
    assert kept.data is not None
    assert kept.data["content"] == "Nothing changed."
    assert not kept.data.get("components")

    message_id, buttons, _ = await ask()
    done = await (await member.click(message_id, buttons[0]["custom_id"])).wait_response()
    assert done.data is not None
    assert done.data["content"].startswith("Done.")
    assert "I keep nothing about you in this server now" in done.data["content"]
    assert "A member asked to be forgotten" in bot_runner.logs()


async def test_leaving_a_server_while_running_deletes_its_groups(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    leaving = fake.add_guild("Leaving Circle", owner_username="driftwoodwarden")
    staying = fake.add_guild("Staying Circle", owner_username="anchorholdwarden")
    assert (await bot_runner.command("sync"))[0] == 0  # global: both servers see the commands
    await bot_runner.start()
    gone_room, gone_owner = await group_in(fake, leaving, "leaving-room")
    kept_room, kept_owner = await group_in(fake, staying, "staying-room")
    await upload(fake, gone_owner, gone_room, "ours.yaml")
    await upload(fake, kept_owner, kept_room, "ours.yaml")

    fake.remove_guild(leaving.id)
    groups = f"SELECT count(*) FROM groups WHERE guild_id = {leaving.id}"
    await wait_for_rows(bot_runner.database, groups, 0)
    dump = dump_database(bot_runner.database)
    assert str(leaving.id) not in dump
    assert str(gone_room) not in dump
    assert count(bot_runner.database, "SELECT count(*) FROM groups") == 1
    assert count(bot_runner.database, "SELECT count(*) FROM group_formats") == 1


async def test_start_up_forgets_servers_that_removed_the_bot_while_it_was_away(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    leaving = fake.add_guild("Quiet Leaving Circle", owner_username="mooringwarden")
    staying = fake.add_guild("Quiet Staying Circle", owner_username="beaconwarden")
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    gone_room, gone_owner = await group_in(fake, leaving, "quiet-leaving")
    await group_in(fake, staying, "quiet-staying")
    await upload(fake, gone_owner, gone_room, "ours.yaml")
    await bot_runner.stop()

    fake.remove_guild(leaving.id)  # while the bot is away
    await bot_runner.start()
    await wait_for_rows(bot_runner.database, "SELECT count(*) FROM groups", 1)
    dump = dump_database(bot_runner.database)
    assert str(leaving.id) not in dump
    assert count(bot_runner.database, "SELECT count(*) FROM group_formats") == 0
    assert "Forgot 1 group(s) in 1 server(s) the bot is no longer in" in bot_runner.logs()
    # A second connection (a restart) finds nothing more to forget.
    await bot_runner.stop()
    await bot_runner.start()
    still_there = f"SELECT count(*) FROM groups WHERE guild_id = {staying.id}"
    assert count(bot_runner.database, still_there) == 1
