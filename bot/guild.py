"""Group membership and the Discord facts every feature needs, in one place.

* :func:`in_group` — the one answer to "is this person a member of the group?";
* :class:`Directory` — the members behind pseudonyms (matched in memory, never stored), the
  bot's own member, Discord's member list fetched once;
* :func:`refusals` — the one place that turns Discord's 403/404 into the project's own errors;
* :func:`post_quietly` — a message in a group's channel that pings nobody, or ``None``
  (:func:`post_quietly_in` for a channel known only by id).

Everything here is for the Discord side (adapters, the UI, cogs); services in
:mod:`bot.runtime` never import it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import discord

from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.errors import DiscordGone, DiscordRefused, NotAllowed
from bot.i18n import Msg, msg
from bot.store.groups import GroupRecord

log = logging.getLogger(__name__)

CHUNK_TIMEOUT_SECONDS = 10.0

NOT_A_MEMBER = msg(
    "These buttons are for the members of this group. If you'd like to join, ask the group how."
)


def in_group(group: GroupRecord, member: discord.Member) -> bool:
    """A person is a member of a group if they hold its member role, when the group has one,
    or else if they can see its channel. Bots never are."""
    if member.bot:
        return False
    if group.member_role_id is not None:
        return member.get_role(group.member_role_id) is not None
    channel = member.guild.get_channel(group.channel_id)
    return channel is not None and channel.permissions_for(member).view_channel


def require_member(group: GroupRecord, user: discord.abc.User | discord.Member) -> None:
    """Refuse, kindly, someone who isn't a member of the group (a press from outside it)."""
    if isinstance(user, discord.Member) and not in_group(group, user):
        raise NotAllowed(NOT_A_MEMBER)


@contextlib.contextmanager
def refusals(what: Msg | str) -> Iterator[None]:
    """Turn Discord's "no" into the project's errors: 403 -> :class:`DiscordRefused`, 404 ->
    :class:`DiscordGone`. ``what`` names the attempt, for the log (in English) and the member
    (``msg("post a section")``, in their language)."""
    try:
        yield
    except discord.Forbidden as error:
        log.warning("Discord refused to %s (403, code %s)", what, error.code)
        raise DiscordRefused(what) from None
    except discord.NotFound as error:
        log.info("Discord no longer knows what we tried to %s (404, code %s)", what, error.code)
        raise DiscordGone(what) from None


async def ensure_members(guild: discord.Guild) -> bool:
    """Fetch the server's member list if it isn't here yet; False if Discord didn't send it.

    The bot starts without fetching every member (``chunk_guilds_at_startup=False``); a
    Discord-compatible server that never answers must not hang a meeting: after a timeout the
    bot goes on with the members it has seen.
    """
    if guild.chunked:
        return True
    try:
        async with asyncio.timeout(CHUNK_TIMEOUT_SECONDS):
            await guild.chunk()
    except (TimeoutError, discord.HTTPException, discord.ClientException):
        log.warning("The server's member list did not arrive; going on with the members seen")
        return False
    return True


class Directory:
    """Finds the people behind pseudonyms, in memory, from Discord's member list."""

    def __init__(self, client: discord.Client, pseudonyms: Pseudonymizer) -> None:
        self._client = client
        self._pseudonyms = pseudonyms

    def who(self, guild_id: int, user: discord.abc.Snowflake) -> Pseudonym:
        return self._pseudonyms.of(guild_id, user.id)

    def guild(self, guild_id: int) -> discord.Guild | None:
        return self._client.get_guild(guild_id)

    def find(
        self,
        guild: discord.Guild,
        wanted: Iterable[Pseudonym],
        hint: Mapping[Pseudonym, int] | None = None,
    ) -> dict[Pseudonym, discord.Member]:
        """The members behind these pseudonyms who are in the server (hints first, then by
        matching every member in the cache)."""
        missing = set(wanted)
        found: dict[Pseudonym, discord.Member] = {}
        for who in list(missing):
            user_id = (hint or {}).get(who)
            member = guild.get_member(user_id) if user_id is not None else None
            if member is not None:
                found[who] = member
                missing.discard(who)
        if missing:
            for member in guild.members:
                who = self.who(guild.id, member)
                if who in missing:
                    found[who] = member
                    missing.discard(who)
                    if not missing:
                        break
        return found

    def find_one(
        self, guild: discord.Guild, who: Pseudonym, hint: Mapping[Pseudonym, int] | None = None
    ) -> discord.Member | None:
        return self.find(guild, (who,), hint).get(who)

    async def member(self, guild: discord.Guild, user_id: int) -> discord.Member | None:
        """The server member with this id, from the cache or Discord; None if they left."""
        member = guild.get_member(user_id)
        if member is None:
            try:
                member = await guild.fetch_member(user_id)
            except discord.NotFound:
                return None
        return member

    async def me(self, guild: discord.Guild) -> discord.Member:
        """The bot's own member in this server."""
        me = guild.me
        if me is None:  # not cached yet (members are fetched on demand)
            user = self._client.user
            if user is None:
                raise NotAllowed(
                    msg("I'm not connected to Discord right now. Please try again soon.")
                )
            me = await guild.fetch_member(user.id)
        return me


async def post_quietly(
    client: discord.Client, group: GroupRecord, text: str, **kwargs: Any
) -> discord.Message | None:
    """Post in the group's channel, pinging nobody; None (and a log line) if Discord refused."""
    return await post_quietly_in(client, group.channel_id, group.guild_id, text, **kwargs)


async def post_quietly_in(
    client: discord.Client, channel_id: int, guild_id: int, text: str, **kwargs: Any
) -> discord.Message | None:
    """:func:`post_quietly` in a channel known by id (a voice channel's text chat, say)."""
    channel = client.get_partial_messageable(channel_id, guild_id=guild_id)
    try:
        with refusals("post in a group's channel"):
            return await channel.send(
                text[:2000], allowed_mentions=discord.AllowedMentions.none(), **kwargs
            )
    except (DiscordRefused, DiscordGone):
        return None
    except discord.HTTPException:
        log.warning("Could not post in a group's channel")
        return None


#: What the bot needs in a group's channel to run its meetings: see the channel, post each part
#: and the panel (an embed with buttons), and read its own earlier messages to update them.
MEETING_PERMISSIONS = ("view_channel", "send_messages", "embed_links", "read_message_history")


def require_permissions(
    granted: discord.Permissions, needed: tuple[str, ...], doing: Msg | str
) -> None:
    """Refuse, before claiming anything, if the bot lacks what ``doing`` needs in this channel
    (``msg("run a meeting")``): name each missing permission as Discord's settings screens do,
    and where to grant it."""
    missing = [name for name in needed if not getattr(granted, name)]
    if missing:
        names = ", ".join(f"**{_label(name)}**" for name in missing)
        raise NotAllowed(
            msg(
                "I can't {doing} here yet: I need {names} in this channel. Someone who manages "
                "the server can add it to my role (Server Settings → Roles) or to this channel "
                "(Edit Channel → Permissions). Nothing has started or changed.",
                doing=doing,
                names=names,
            )
        )


def _label(name: str) -> str:
    return {"view_channel": "View Channel", "embed_links": "Embed Links"}.get(
        name, name.replace("_", " ").title()
    )
