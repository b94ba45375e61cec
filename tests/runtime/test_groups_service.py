"""The group service on a real database, without Discord: setting a group up once, reading its
settings, and forgetting a server the bot has left."""

from __future__ import annotations

import pytest

from bot.errors import InvalidInput, NoGroupHere, NotAllowed
from bot.runtime.events import EventBus, GuildLeft
from bot.runtime.formats import FormatLibrary
from bot.runtime.groups import GroupService
from bot.store import Store

GUILD, OTHER = 8001, 8101
NOW = 1_800_000_000.0


def service(store: Store, bus: EventBus | None = None) -> GroupService:
    return GroupService(store, FormatLibrary(store), bus or EventBus())


async def test_a_channel_becomes_a_group_once(store: Store) -> None:
    groups = service(store)
    view = await groups.setup(
        guild_id=GUILD, channel_id=1, format_id="open-discussion", member_role_id=77, now=NOW
    )
    assert (view.group.channel_id, view.group.member_role_id) == (1, 77)
    assert view.format.name == groups.format_choices()["open-discussion"]
    with pytest.raises(NotAllowed, match="already has a group"):
        await groups.setup(
            guild_id=GUILD, channel_id=1, format_id="open-discussion", member_role_id=None, now=NOW
        )
    again = await groups.view(1)
    assert again.group.member_role_id == 77  # the second setup changed nothing


async def test_an_unknown_format_is_refused_and_nothing_is_made(store: Store) -> None:
    groups = service(store)
    with pytest.raises(InvalidInput, match="don't know a format"):
        await groups.setup(
            guild_id=GUILD, channel_id=1, format_id="no-such", member_role_id=None, now=NOW
        )
    with pytest.raises(NoGroupHere):
        await groups.view(1)
    with pytest.raises(NoGroupHere):
        await groups.view(None)


async def test_leaving_a_server_forgets_its_groups_and_tells_the_features(store: Store) -> None:
    bus = EventBus()
    told: list[GuildLeft] = []

    async def record(event: GuildLeft) -> None:
        told.append(event)

    bus.subscribe(GuildLeft, record)
    groups = service(store, bus)
    for guild, channel in ((GUILD, 1), (GUILD, 2), (OTHER, 3)):
        await groups.setup(
            guild_id=guild,
            channel_id=channel,
            format_id="open-discussion",
            member_role_id=None,
            now=NOW,
        )
    assert await groups.forget_guild(GUILD) == 2
    assert told == [GuildLeft(GUILD)]
    with pytest.raises(NoGroupHere):
        await groups.view(1)
    assert (await groups.view(3)).group.guild_id == OTHER
