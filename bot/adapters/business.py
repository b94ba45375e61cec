"""The business service's :class:`~bot.runtime.business.BusinessPort` on Discord: the roll of
who may vote (the group's members, :func:`bot.guild.in_group`), posts that ping nobody, buttons
taken off, and first names for the members who chose to be named (candidates). The words come
from the service already in the group's language; "a member" (someone Discord no longer shows)
is said in it here."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import discord

from bot.adapters.sending import nonce_for
from bot.core.pseudonyms import Pseudonym
from bot.errors import DiscordGone, DiscordRefused
from bot.guild import Directory, ensure_members, in_group, refusals
from bot.i18n import SOURCE, render
from bot.runtime.business import Button, texts
from bot.runtime.languages import GroupLanguages
from bot.runtime.markup import bounded, first_name
from bot.store.groups import GroupRecord
from bot.ui.business import business_view

log = logging.getLogger(__name__)


class DiscordBusiness:
    def __init__(
        self, client: discord.Client, directory: Directory, languages: GroupLanguages | None = None
    ) -> None:
        self._client = client
        self._directory = directory
        self._languages = languages

    async def roll(self, group: GroupRecord) -> frozenset[Pseudonym]:
        guild = self._directory.guild(group.guild_id)
        if guild is None:
            return frozenset()
        await ensure_members(guild)
        return frozenset(
            self._directory.who(guild.id, member)
            for member in guild.members
            if in_group(group, member)
        )

    def _channel(self, group: GroupRecord) -> discord.PartialMessageable:
        return self._client.get_partial_messageable(group.channel_id, guild_id=group.guild_id)

    async def post(
        self,
        group: GroupRecord,
        words: str,
        buttons: Sequence[Button] = (),
        *,
        reply_to: int | None = None,
        once: str | None = None,
    ) -> int | None:
        text = bounded(words)
        options: dict[str, object] = {"allowed_mentions": discord.AllowedMentions.none()}
        if buttons:
            options["view"] = business_view(buttons)
        if reply_to is not None:
            options["reference"] = discord.MessageReference(
                message_id=reply_to, channel_id=group.channel_id, fail_if_not_exists=False
            )
        if once is not None:
            options["nonce"] = nonce_for(once, text)
        try:
            with refusals("post in a business meeting"):
                message = await self._channel(group).send(text, **options)  # type: ignore[call-overload]
        except (DiscordRefused, DiscordGone, discord.HTTPException):
            log.warning("A business meeting's words could not be posted")
            return None
        return int(message.id)

    async def set_buttons(
        self, group: GroupRecord, message_id: int, buttons: Sequence[Button], words: str | None
    ) -> None:
        message = self._channel(group).get_partial_message(message_id)
        view = business_view(buttons) if buttons else None
        try:
            with refusals("update a business meeting's buttons"):
                if words is None:
                    await message.edit(view=view)
                else:
                    await message.edit(content=bounded(words), view=view)
        except (DiscordRefused, DiscordGone, discord.HTTPException):
            log.info("A business meeting's message could not be updated")

    async def names(
        self, group: GroupRecord, who: Sequence[Pseudonym], hint: Mapping[Pseudonym, int]
    ) -> list[str]:
        guild = self._directory.guild(group.guild_id)
        if guild is not None and who:
            await ensure_members(guild)
        found = {} if guild is None else self._directory.find(guild, who, hint)
        if all(p in found for p in who):
            return [first_name(found[p].display_name) for p in who]
        locale = SOURCE if self._languages is None else await self._languages.of_group(group)
        someone = render(locale, texts.A_MEMBER)
        return [first_name(found[p].display_name) if p in found else someone for p in who]
