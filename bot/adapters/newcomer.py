"""The newcomer welcome on Discord: the :class:`~bot.runtime.newcomer.NewcomerPort` with
discord.py, and the facts the cog hands the service (who arrived where — never what they wrote).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import discord

from bot.guild import Directory
from bot.i18n import Msg, render_lines
from bot.runtime.markup import bounded
from bot.runtime.newcomer import Arrival

log = logging.getLogger(__name__)

#: Messages a person writes; joins, pins and the like are no one arriving.
MEMBER_MESSAGE_TYPES = frozenset({discord.MessageType.default, discord.MessageType.reply})
DMS_CLOSED = 50007


def arrival_by_post(message: discord.Message, me: int | None) -> Arrival | None:
    """Someone posted in a server channel: an arrival, unless a bot (the bot itself above
    all), a webhook or a system message posted it."""
    author = message.author
    if (
        message.guild is None
        or author.bot
        or author.id == me
        or message.webhook_id is not None
        or message.type not in MEMBER_MESSAGE_TYPES
    ):
        return None
    return Arrival(message.guild.id, message.channel.id, author.id)


def arrival_by_voice(
    member: discord.Member, before: discord.VoiceState, after: discord.VoiceState, me: int | None
) -> Arrival | None:
    """Someone joined (or moved into) a voice or stage channel."""
    if member.bot or member.id == me or after.channel is None:
        return None
    if before.channel is not None and before.channel.id == after.channel.id:
        return None  # muted, unmuted, started a stream: not an arrival
    return Arrival(member.guild.id, after.channel.id, member.id)


class DiscordNewcomer:
    """The welcome's private message."""

    def __init__(self, client: discord.Client, directory: Directory) -> None:
        self._client = client
        self._directory = directory

    async def send_privately(
        self, guild_id: int, user_id: int, lines: Sequence[Msg | str], locale: str
    ) -> bool:
        text = bounded(render_lines(locale, lines))
        guild = self._client.get_guild(guild_id)
        if guild is None:
            return False
        try:
            member = await self._directory.member(guild, user_id)
            if member is None:
                return False  # they left meanwhile
            await member.send(text, allowed_mentions=discord.AllowedMentions.none())
        except discord.Forbidden as error:
            if error.code != DMS_CLOSED:
                log.warning("Discord refused a newcomer's welcome (403, code %s)", error.code)
            return False  # 50007: they don't accept private messages from server members
        except discord.HTTPException as error:
            log.warning("Discord didn't deliver a newcomer's welcome (HTTP %s)", error.status)
            return False
        return True
