"""Crosstalk on Discord: the :class:`~bot.runtime.crosstalk.CrosstalkPort` with discord.py.

* :func:`post_of` turns a ``discord.Message`` into the small :class:`Post` the service decides
  on: who posted and what kind of message it is, never what it says.
* Reminders are posted with :func:`~bot.guild.post_quietly` (``AllowedMentions.none()``,
  no reply, so they name nobody) and fade with ``delete_after``.
* A held message is sent back to its author by DM, word for word, and only then deleted; if the
  DM fails it stays where it is. The words are read here, at that moment, and kept nowhere.
"""

from __future__ import annotations

import logging

import discord

from bot.errors import DiscordGone, DiscordRefused
from bot.guild import post_quietly, refusals
from bot.runtime.crosstalk import Post, Poster
from bot.store.groups import GroupRecord

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 2000
#: Message types a member writes; joins, pins and the like are never crosstalk.
MEMBER_MESSAGE_TYPES = frozenset({discord.MessageType.default, discord.MessageType.reply})


def poster_of(user: discord.abc.User) -> Poster:
    return Poster(user.id, user.bot)


def post_of(message: discord.Message) -> Post:
    """The facts crosstalk decides on (ask :meth:`CrosstalkService.watching` first)."""
    return Post(
        channel_id=message.channel.id,
        guild_id=None if message.guild is None else message.guild.id,
        author=poster_of(message.author),
        by_a_member=message.webhook_id is None and message.type in MEMBER_MESSAGE_TYPES,
        message_id=message.id,
        message=message,
    )


def dm_parts(note: str, text: str) -> list[str]:
    """The kind note and the member's exact words, in as few messages as Discord allows."""
    together = f"{note}\n\n{text}"
    if len(together) <= MESSAGE_LIMIT:
        return [together]
    return [note, *(text[i : i + MESSAGE_LIMIT] for i in range(0, len(text), MESSAGE_LIMIT))]


class DiscordCrosstalk:
    """The crosstalk service's port on Discord."""

    def __init__(self, client: discord.Client) -> None:
        self._client = client

    async def post_reminder(
        self, group: GroupRecord, text: str, *, fades_after: float | None
    ) -> bool:
        fading = {} if fades_after is None else {"delete_after": fades_after}
        return await post_quietly(self._client, group, text, **fading) is not None

    async def remind_privately(self, post: Post, text: str) -> None:
        message: discord.Message = post.message
        try:
            await message.author.send(text, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException:
            log.info("A private reminder could not be delivered (DMs closed)")

    async def hand_back(self, post: Post, note: str) -> bool:
        message: discord.Message = post.message
        text = message.content
        if not text.strip() or message.attachments or message.stickers or message.poll:
            # Blank content (the intent is missing after all) or something a DM can't carry:
            # holding would lose it, so it stays.
            return False
        try:
            for part in dm_parts(note, text):
                await message.author.send(part, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException:
            return False  # DMs closed: the words stay in the channel
        try:
            with refusals("remove a held message"):
                await message.delete()
        except DiscordGone:
            pass  # already gone; its author has the words
        except DiscordRefused:
            return False  # still in the channel (logged by refusals): not held, so say so
        except discord.HTTPException:
            log.warning("A held message could not be removed")
            return False
        return True

    def can_manage_messages(self, group: GroupRecord) -> bool:
        channel = self._client.get_channel(group.channel_id)
        if not isinstance(channel, discord.abc.GuildChannel):
            return True  # not visible yet: find out when holding
        me = channel.guild.me
        return me is None or channel.permissions_for(me).manage_messages
