"""REST behaviour: DMs, rate limits, faults, permissions, validation, roles and overwrites."""

from __future__ import annotations

import discord
import pytest
from discord.http import Route

from tests.fakediscord import SimulationError

from .conftest import RunningBot, World


def text_channel(running: RunningBot, world: World) -> discord.TextChannel:
    channel = running.bot.get_channel(world.text.id)
    assert isinstance(channel, discord.TextChannel)
    return channel


async def test_direct_message(world: World, running: RunningBot) -> None:
    user = await running.bot.fetch_user(world.alice.id)
    await user.send("a private note")
    assert [m["content"] for m in world.fake.dms(world.alice.id)] == ["a private note"]
    closed = world.fake.add_member(world.guild.id, "carol", accepts_dms=False)
    with pytest.raises(discord.Forbidden) as info:
        await (await running.bot.fetch_user(closed.id)).send("hello")
    assert info.value.code == 50007


async def test_an_enforced_nonce_creates_one_message(world: World, running: RunningBot) -> None:
    channel = text_channel(running, world)
    first = await channel.send("once", nonce="pc1a2b.0")  # discord.py sets enforce_nonce
    again = await channel.send("once", nonce="pc1a2b.0")
    assert again.id == first.id  # Discord returns the first message, and makes no new one
    other = await channel.send("twice", nonce="pc1a2b.1")
    assert other.id != first.id
    route = Route("POST", "/channels/{channel_id}/messages", channel_id=world.text.id)
    await running.bot.http.request(route, json={"content": "plain", "nonce": "pc1a2b.0"})
    # Without enforce_nonce the nonce is only echoed back: a new message.
    assert [m["content"] for m in world.fake.channel_messages(world.text.id)] == [
        "once",
        "twice",
        "plain",
    ]


async def test_429_with_via_is_retried_transparently(world: World, running: RunningBot) -> None:
    world.fake.fail_next("POST", r"/channels/\d+/messages", status=429, retry_after=0.1)
    start = len(world.fake.requests)
    message = await text_channel(running, world).send("after a rate limit")
    attempts = world.fake.requests_matching("POST", r"/channels/\d+/messages", after=start)
    assert [r.status for r in attempts] == [429, 200]
    assert attempts[0].response["retry_after"] == 0.1
    assert world.fake.channel_messages(world.text.id)[0]["id"] == str(message.id)


async def test_429_without_via_is_not_retried(world: World, running: RunningBot) -> None:
    world.fake.fail_next("POST", r"/channels/\d+/messages", status=429, via=False)
    with pytest.raises(discord.HTTPException) as info:
        await text_channel(running, world).send("banned")
    assert info.value.status == 429
    assert world.fake.channel_messages(world.text.id) == []


async def test_403_surfaces_as_forbidden(world: World, running: RunningBot) -> None:
    world.fake.fail_next("POST", r"/channels/\d+/messages", status=403)
    with pytest.raises(discord.Forbidden) as info:
        await text_channel(running, world).send("nope")
    assert info.value.code == 50013
    assert world.fake.invalid_request_count == 1


async def test_real_permissions_are_enforced(world: World, running: RunningBot) -> None:
    channel = text_channel(running, world)
    world.fake.set_overwrite(world.text.id, world.guild.id, deny={"view_channel"})
    with pytest.raises(discord.Forbidden) as info:
        await channel.send("hidden")
    assert info.value.code == 50001
    world.fake.set_overwrite(world.text.id, world.guild.id, deny={"send_messages"})
    with pytest.raises(discord.Forbidden) as info:
        await channel.send("muted")
    assert info.value.code == 50013


async def test_validation_like_discord(world: World, running: RunningBot) -> None:
    channel = text_channel(running, world)
    with pytest.raises(discord.HTTPException) as info:
        await channel.send("x" * 2001)
    assert info.value.code == 50035
    assert "content" in info.value.text
    route = Route("POST", "/channels/{channel_id}/messages", channel_id=world.text.id)
    button = {"type": 2, "style": 1, "label": "Go", "custom_id": "c" * 101}
    with pytest.raises(discord.HTTPException) as info:
        await running.bot.http.request(
            route, json={"components": [{"type": 1, "components": [button]}]}
        )
    assert info.value.code == 50035
    assert "custom_id" in info.value.text


async def test_roles_and_overwrites(world: World, running: RunningBot) -> None:
    guild = running.bot.get_guild(world.guild.id)
    assert guild is not None
    member = guild.get_member(world.bob.id)
    assert member is not None
    role = await guild.create_role(name="Chair", reason="group decision")
    await member.add_roles(role)
    assert role.id in world.fake.state.guilds[guild.id].members[world.bob.id].roles
    await world.fake.wait_until(lambda: role in member.roles, what="GUILD_MEMBER_UPDATE")
    assert (
        world.fake.requests_matching("POST", r"/guilds/\d+/roles")[0].audit_log_reason
        == "group decision"
    )

    voice = guild.get_channel(world.voice.id)
    assert isinstance(voice, discord.VoiceChannel)
    await voice.set_permissions(member, connect=False, view_channel=False)
    assert not world.bob.can(world.voice.id, "connect")
    with pytest.raises(SimulationError):
        await world.bob.join_voice(world.voice.id)
    await world.fake.wait_until(lambda: member in voice.overwrites, what="CHANNEL_UPDATE")
    await voice.set_permissions(member, overwrite=None)
    await world.bob.join_voice(world.voice.id)

    above = world.fake.add_role(guild.id, "Admins", above_bot=True)
    with pytest.raises(discord.Forbidden):
        await member.add_roles(discord.Object(above.id))


async def test_unhandled_endpoint_is_recorded(world: World, running: RunningBot) -> None:
    message = await text_channel(running, world).send("react to me")
    with pytest.raises(discord.NotFound):
        await message.pin()
    [unhandled] = world.fake.unhandled_requests
    assert unhandled.method == "PUT"
    assert unhandled.response == {"message": "404: Not Found", "code": 0}


async def test_member_identifiers_for_privacy_scans(world: World) -> None:
    found = world.fake.all_member_identifiers()
    assert {"alice", "Alice Example", "Al", str(world.alice.id), "bob"} <= found
    assert str(world.fake.bot_user_id) not in found
