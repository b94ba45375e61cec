"""The fake's guild scheduled events, as Discord documents them: the permission, the field
requirements by entity type, the status transitions, 404 10070 for an unknown event."""

from __future__ import annotations

import datetime as dt
from typing import Any

import discord
import pytest

from tests.fakediscord.permissions import DEFAULT_BOT_PERMISSIONS, PERMISSION_BITS

from .conftest import RunningBot, World

SOON = dt.datetime.now(tz=dt.UTC) + dt.timedelta(days=2)


def external(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Tuesday meeting",
        "description": "A peer support group meeting.",
        "privacy_level": 2,
        "scheduled_start_time": SOON.isoformat(),
        "scheduled_end_time": (SOON + dt.timedelta(hours=1)).isoformat(),
        "entity_type": 3,
        "entity_metadata": {"location": "#meeting-room"},
        **changes,
    }


def allow_events(world: World) -> None:
    world.fake.set_role_permissions(
        world.guild.id,
        world.guild.bot_role.id,
        DEFAULT_BOT_PERMISSIONS | PERMISSION_BITS["create_events"],
    )


async def test_creating_needs_the_permission_and_the_fields(
    world: World, running: RunningBot
) -> None:
    http = running.bot.http
    with pytest.raises(discord.Forbidden) as refused:
        await http.create_guild_scheduled_event(world.guild.id, **external())
    assert refused.value.code == 50013
    allow_events(world)
    for wrong in (
        external(scheduled_end_time=None),  # EXTERNAL needs an end
        external(entity_metadata={}),  # … and a location
        external(channel_id=world.text.id),  # … and no channel
        external(scheduled_start_time="2001-01-01T00:00:00+00:00"),  # not in the past
        external(entity_type=2, channel_id=world.text.id),  # VOICE needs a voice channel
        external(privacy_level=1),
    ):
        with pytest.raises(discord.HTTPException) as invalid:
            await http.create_guild_scheduled_event(world.guild.id, **wrong)
        assert (invalid.value.status, invalid.value.code) == (400, 50035)
    made = await http.create_guild_scheduled_event(world.guild.id, **external())
    voice = await http.create_guild_scheduled_event(
        world.guild.id,
        **external(entity_type=2, channel_id=world.voice.id, entity_metadata=None),
    )
    listed = await http.get_scheduled_events(world.guild.id, False)
    assert [e["id"] for e in listed] == [made["id"], voice["id"]]
    assert made["status"] == 1
    assert made["channel_id"] is None
    assert voice["channel_id"] == str(world.voice.id)


async def test_status_moves_as_discord_allows_and_unknown_is_10070(
    world: World, running: RunningBot
) -> None:
    allow_events(world)
    http, guild = running.bot.http, world.guild.id
    made = await http.create_guild_scheduled_event(guild, **external())
    moved = await http.edit_scheduled_event(
        guild, made["id"], scheduled_start_time=(SOON + dt.timedelta(days=1)).isoformat(),
        scheduled_end_time=(SOON + dt.timedelta(days=1, hours=1)).isoformat(),
    )  # fmt: skip
    assert moved["scheduled_start_time"].startswith(
        (SOON + dt.timedelta(days=1)).date().isoformat()
    )
    with pytest.raises(discord.HTTPException) as invalid:
        await http.edit_scheduled_event(guild, made["id"], status=3)  # SCHEDULED -> COMPLETED
    assert invalid.value.code == 50035
    assert (await http.edit_scheduled_event(guild, made["id"], status=4))["status"] == 4
    with pytest.raises(discord.HTTPException):
        await http.edit_scheduled_event(guild, made["id"], status=2)  # cancelled stays so
    await http.delete_scheduled_event(guild, made["id"])
    with pytest.raises(discord.NotFound) as gone:
        await http.edit_scheduled_event(guild, made["id"], name="again")
    assert gone.value.code == 10070
    assert world.fake.scheduled_events(guild) == []
