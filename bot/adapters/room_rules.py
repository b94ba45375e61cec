"""The meeting channel's rules on Discord: the :class:`~bot.runtime.room_rules.RoomRulesPort`
with discord.py.

Overwrites are set with ``PUT /channels/{c}/permissions/{id}`` and removed with ``DELETE``
(both need **Manage Permissions** — discord.py's ``manage_roles`` — in the channel); the slow
mode with ``PATCH /channels/{c}`` ``rate_limit_per_user`` (**Manage Channel**). The channel is
read with ``GET /channels/{c}``, not from the cache, so a gateway update still on its way is
never mistaken for the channel's own setting. Audit-log reason: "Meeting channel rules".
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import discord

from bot.core.room_rules import Bits, Holder
from bot.errors import DiscordGone
from bot.guild import post_quietly_in, refusals
from bot.i18n import Msg, render
from bot.runtime.languages import GroupLanguages
from bot.runtime.room_rules import RoomPlace, RoomSnapshot
from bot.ui.raid_lock import lock_view

log = logging.getLogger(__name__)

AUDIT_REASON = "Meeting channel rules"
#: Permissions the bot needs in the server (not only the channel) to set them in an overwrite.
SERVER_WIDE = frozenset({"stream"})
GuildChannel = discord.TextChannel | discord.VoiceChannel | discord.StageChannel


class DiscordRoomRules:
    """The channel rules service's port on Discord."""

    def __init__(self, client: discord.Client, languages: GroupLanguages) -> None:
        self._client = client
        self._languages = languages

    async def _words(self, place: RoomPlace, text: Msg) -> str:
        """In the group's language (its decision, else its format's ``language:``)."""
        return render(await self._languages.of_channel(place.channel_id), text)

    def _channel(self, channel_id: int) -> GuildChannel | None:
        channel = self._client.get_channel(channel_id)
        return channel if isinstance(channel, GuildChannel) else None

    def place(self, channel_id: int) -> RoomPlace | None:
        channel = self._channel(channel_id)
        if channel is None or channel.guild.me is None:
            return None
        voice = isinstance(channel, discord.VoiceChannel | discord.StageChannel)
        return RoomPlace(channel.id, channel.guild.id, voice, channel.guild.me.id)

    def members(self, guild_id: int) -> Sequence[int]:
        guild = self._client.get_guild(guild_id)
        return [] if guild is None else [member.id for member in guild.members]

    def newcomers(self, guild_id: int, joined_after: float) -> Sequence[int]:
        guild = self._client.get_guild(guild_id)
        if guild is None:
            return []
        return [
            member.id
            for member in guild.members
            if not member.bot
            and member.joined_at is not None
            and member.joined_at.timestamp() > joined_after
        ]

    def missing(self, place: RoomPlace, needed: Sequence[str]) -> tuple[str, ...]:
        channel = self._channel(place.channel_id)
        me = None if channel is None else channel.guild.me
        if channel is None or me is None:
            return ()
        granted, server = channel.permissions_for(me), me.guild_permissions
        # Discord lets a bot allow or deny in an overwrite only what it has in the server (its
        # channel permissions may lack Video because of the very overwrite the bot set).
        return tuple(
            name for name in needed if not getattr(server if name in SERVER_WIDE else granted, name)
        )

    async def read(self, place: RoomPlace) -> RoomSnapshot | None:
        try:
            with refusals("read a meeting channel's settings"):
                data: Any = await self._client.http.get_channel(place.channel_id)
        except DiscordGone:
            return None
        overwrites = {
            Holder(int(raw["type"]) == 0, int(raw["id"])): Bits(
                int(raw.get("allow") or 0), int(raw.get("deny") or 0)
            )
            for raw in data.get("permission_overwrites") or []
        }
        slow: Any = data.get("rate_limit_per_user") or 0
        return RoomSnapshot(overwrites, int(slow))

    async def set_overwrite(self, place: RoomPlace, holder: Holder, bits: Bits | None) -> None:
        http = self._client.http
        with refusals("change who may post in a meeting channel"):
            if bits is None:
                await http.delete_channel_permissions(
                    place.channel_id, holder.id, reason=AUDIT_REASON
                )
            else:
                await http.edit_channel_permissions(
                    place.channel_id,
                    holder.id,
                    str(bits.allow),
                    str(bits.deny),
                    0 if holder.role else 1,
                    reason=AUDIT_REASON,
                )

    async def set_slow_mode(self, place: RoomPlace, seconds: int) -> None:
        with refusals("set a meeting channel's slow mode"):
            await self._client.http.edit_channel(
                place.channel_id, rate_limit_per_user=seconds, reason=AUDIT_REASON
            )

    async def post(self, place: RoomPlace, text: Msg) -> None:
        words = await self._words(place, text)
        await post_quietly_in(self._client, place.channel_id, place.guild_id, words)

    async def announce(
        self, place: RoomPlace, text: Msg, buttons: Sequence[tuple[str, Msg]]
    ) -> None:
        locale = await self._languages.of_channel(place.channel_id)
        labels = [(action, render(locale, label)) for action, label in buttons]
        view = lock_view(labels) if labels else discord.utils.MISSING
        words = render(locale, text)
        await post_quietly_in(self._client, place.channel_id, place.guild_id, words, view=view)

    async def tell(self, place: RoomPlace, user_id: int, text: Msg) -> bool:
        guild = self._client.get_guild(place.guild_id)
        member = None if guild is None else guild.get_member(user_id)
        if member is None:
            return False
        words = await self._words(place, text)
        try:
            await member.send(words, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException:
            log.info("A note for the chair could not be delivered privately (DMs closed)")
            return False
        return True

    def closing(self) -> bool:
        return self._client.is_closed()
