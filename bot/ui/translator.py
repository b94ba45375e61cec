"""The slash commands in each member's language: discord.py's ``app_commands.Translator``,
reading the ``command`` context of the catalogues (``commands.po``). ``python -m bot sync``
publishes the names, descriptions, options and choices with their ``name_localizations`` and
``description_localizations``; Discord shows each member their own."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.i18n import command_words, member_locale


def catalogue_for(locale: discord.Locale) -> str | None:
    """The catalogue for a Discord locale, None for English and languages not shipped."""
    chosen = member_locale(locale.value, "en")
    return None if chosen == "en" else chosen


class CatalogueTranslator(app_commands.Translator):
    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        language = catalogue_for(locale)
        return None if language is None else command_words(language, string.message)
