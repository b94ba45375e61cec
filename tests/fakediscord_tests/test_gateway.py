"""Login, READY, intents and the gateway's resilience, driven by the real discord.py client."""

from __future__ import annotations

import asyncio

import aiohttp
import discord
import pytest

from tests.fakediscord import FakeDiscord

from .conftest import Received, RunningBot, World, make_bot, start_bot


async def test_login_ready_and_guilds_visible(world: World, running: RunningBot) -> None:
    bot = running.bot
    assert bot.user is not None
    assert bot.user.id == world.fake.bot_user_id
    assert bot.application_id == world.fake.application_id
    guild = bot.get_guild(world.guild.id)
    assert guild is not None
    assert guild.name == "Tuesday Circle"
    assert {c.name for c in guild.channels} == {"meeting-room", "meeting-voice"}
    assert guild.get_role(world.members_role.id) is not None
    # Members came through REQUEST_GUILD_MEMBERS (op 8), as without the presences intent.
    assert guild.chunked
    alice = guild.get_member(world.alice.id)
    assert alice is not None
    assert alice.nick == "Al"
    assert alice.global_name == "Alice Example"
    assert world.members_role.id in [r.id for r in alice.roles]
    assert guild.me.guild_permissions.manage_roles
    assert not guild.me.guild_permissions.administrator
    # Login needed these two, and the fake answered every call it got.
    paths = [r.path for r in world.fake.requests]
    assert "/users/@me" in paths
    assert "/oauth2/applications/@me" in paths
    assert world.fake.unhandled_requests == []
    assert world.fake.identifies == 1
    assert world.fake.intents == bot.intents.value


async def test_command_sync_registers_commands(world: World, running: RunningBot) -> None:
    names = {c["name"] for c in world.fake.global_commands}
    chat = {c["name"] for c in world.fake.global_commands if c["type"] == 1}
    assert chat == {
        "group",
        "hello",
        "slow",
        "thinking",
        "form",
        "panel",
        "late",
        "choose",
        "format",
    }
    assert names - chat == {"Gentle reminder", "Send concern"}
    group = next(c for c in world.fake.global_commands if c["name"] == "group")
    assert group["application_id"] == str(world.fake.application_id)
    assert group["options"][0]["name"] == "settings"
    fetched = await running.bot.tree.fetch_commands()
    assert {c.name for c in fetched} == names
    # Guild sync is separate.
    running.bot.tree.copy_global_to(guild=discord.Object(world.guild.id))
    await running.bot.tree.sync(guild=discord.Object(world.guild.id))
    assert {c["name"] for c in world.fake.guild_commands[world.guild.id]} == names


async def test_privileged_intent_not_granted_closes_4014(world: World) -> None:
    intents = discord.Intents.none()
    intents.guilds = True
    intents.message_content = True  # only "members" was granted
    bot = make_bot(intents=intents)
    with pytest.raises(discord.PrivilegedIntentsRequired):
        await asyncio.wait_for(bot.start(world.fake.token), timeout=10)
    await bot.close()
    assert 4014 in world.fake.gateway.close_codes_sent
    assert world.fake.identifies == 0


async def test_bad_token_is_refused(world: World) -> None:
    bot = make_bot()
    with pytest.raises(discord.LoginFailure):
        await bot.start("not-the-token")
    await bot.close()
    assert world.fake.requests[-1].status == 401


async def test_dropped_gateway_resumes_and_replays_missed_events(
    world: World, running: RunningBot, received: Received
) -> None:
    resumed = asyncio.Event()

    async def on_resumed() -> None:
        resumed.set()

    running.bot.add_listener(on_resumed)
    await world.fake.drop_gateway()
    # Posted while the bot is disconnected: must arrive through the RESUME replay.
    await world.alice.say(world.text.id, "while you were away")
    await world.fake.wait_resumed(1)
    await asyncio.wait_for(resumed.wait(), timeout=5)
    assert world.fake.resumes == 1
    assert world.fake.identifies == 1
    await asyncio.wait_for(received.changed.wait(), timeout=5)
    assert [m.author.id for m in received.messages] == [world.alice.id]
    # Interactions still work on the resumed session.
    it = await world.alice.slash(world.text.id, "hello")
    assert (await it.wait_response()).type == 4


async def test_close_code_4000_also_resumes(world: World, running: RunningBot) -> None:
    await world.fake.drop_gateway(code=4000)
    await world.fake.wait_resumed(1)
    assert world.fake.identifies == 1


async def test_message_content_is_blank_without_the_intent(
    world: World, running: RunningBot, received: Received
) -> None:
    await world.alice.say(world.text.id, "a sentinel only alice knows")
    await world.alice.say(world.text.id, f"<@{world.fake.bot_user_id}> hello bot")
    await world.alice.dm_bot("a direct message")
    await world.fake.wait_until(lambda: len(received.messages) == 3, what="three messages")
    blank, mention, dm = received.messages
    assert blank.content == ""
    assert blank.author.id == world.alice.id
    assert "hello bot" in mention.content  # mentions of the bot keep their content
    assert dm.content == "a direct message"  # so do DMs
    assert isinstance(dm.channel, discord.DMChannel)
    # The fake keeps the real text for the test to see.
    assert world.fake.channel_messages(world.text.id)[0]["content"] == "a sentinel only alice knows"


async def test_message_content_with_the_intent(point_discord_py_at: object) -> None:
    async with FakeDiscord(privileged_intents_granted={"message_content"}) as fake:
        point_discord_py_at(fake)  # type: ignore[operator]
        guild = fake.add_guild("Circle")
        channel = fake.add_channel(guild.id, "room")
        alice = fake.add_member(guild.id, "alice")
        received = Received()
        intents = discord.Intents.none()
        intents.guilds = intents.guild_messages = intents.message_content = True
        running = await start_bot(fake, make_bot(intents=intents, received=received), sync=False)
        try:
            await alice.say(channel.id, "visible words")
            await asyncio.wait_for(received.changed.wait(), timeout=5)
            assert received.messages[0].content == "visible words"
        finally:
            await running.close()


async def test_voice_states_reach_the_bot(world: World, running: RunningBot) -> None:
    guild = running.bot.get_guild(world.guild.id)
    assert guild is not None
    await world.alice.join_voice(world.voice.id)
    await world.fake.wait_until(
        lambda: bool((m := guild.get_member(world.alice.id)) and m.voice and m.voice.channel),
        what="alice in voice",
    )
    member = guild.get_member(world.alice.id)
    assert member is not None
    await member.edit(mute=True)
    assert world.fake.state.guilds[world.guild.id].members[world.alice.id].mute
    await world.alice.leave_voice()
    await world.fake.wait_until(lambda: member.voice is None, what="alice out of voice")
    with pytest.raises(discord.HTTPException) as info:
        await member.edit(mute=False)
    assert info.value.code == 40032


async def test_raw_gateway_protocol(world: World) -> None:
    """Without discord.py: HELLO, heartbeat ACK, and the documented close codes."""
    url = world.fake.gateway_url + "?v=10&encoding=json"

    async def close_code_after(*payloads: dict[str, object]) -> int | None:
        async with aiohttp.ClientSession() as session, session.ws_connect(url) as ws:
            hello = await ws.receive_json(timeout=5)
            assert hello["op"] == 10
            assert hello["d"]["heartbeat_interval"] > 0
            await ws.send_json({"op": 1, "d": None})
            assert (await ws.receive_json(timeout=5))["op"] == 11
            for payload in payloads:
                await ws.send_json(payload)
            while (await ws.receive(timeout=5)).type is aiohttp.WSMsgType.TEXT:
                pass  # READY and GUILD_CREATE, for a valid IDENTIFY
            return ws.close_code

    identify = {"token": world.fake.token, "properties": {}, "intents": 1}
    assert await close_code_after({"op": 2, "d": identify | {"token": "wrong"}}) == 4004
    assert (
        await close_code_after({"op": 2, "d": {"token": world.fake.token, "properties": {}}})
        == 4013
    )
    assert await close_code_after({"op": 2, "d": identify | {"intents": 1 << 8}}) == 4014
    assert await close_code_after({"op": 8, "d": {"guild_id": str(world.guild.id)}}) == 4003
    assert await close_code_after({"op": 2, "d": identify}, {"op": 2, "d": identify}) == 4005
