"""The language to answer in, from an interaction: the member's own for what only they see,
the group's for what the channel sees (bot/i18n, bot/runtime/languages.py)."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.i18n import SOURCE, member_locale
from bot.runtime.languages import GroupLanguages

log = logging.getLogger(__name__)


async def channel_locale(interaction: discord.Interaction[Any]) -> str:
    """The language of the group meeting where the interaction happened (English where no
    group meets): for everything posted in the channel."""
    languages = getattr(interaction.client, "services").get(GroupLanguages)  # noqa: B009
    return await languages.of_channel(interaction.channel_id)  # type: ignore[no-any-return]


async def private_locale(interaction: discord.Interaction[Any]) -> str:
    """The language of a private (ephemeral) answer or direct message to the member: their
    Discord locale when the bot speaks it (``es-ES``, ``es-419`` → ``es``; ``fr`` → ``fr``),
    else the group's."""
    try:
        group = await channel_locale(interaction)
    except Exception:  # an error is being answered: better English than no answer at all
        log.warning("The group's language could not be read; answering in English")
        group = SOURCE
    return member_locale(interaction.locale.value, group)
