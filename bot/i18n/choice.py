"""Which language to speak: the group's (what everyone sees in its channel) and a member's own
(private replies and direct messages)."""

from __future__ import annotations

from bot.i18n.catalogue import SOURCE, available


def _shipped(tag: str | None) -> str | None:
    """``tag`` (``es``, ``es-ES``, ``es_419``, ``pt-BR``) as a language we have a catalogue
    for: the exact one if shipped (``pt_BR``), else its language (``es``), else None."""
    if not tag:
        return None
    code = tag.strip().replace("-", "_")
    if code in available():
        return code
    language = code.split("_")[0].lower()
    return language if language in available() else None


def group_locale(language: str | None) -> str:
    """The group's language from its format's ``language:`` (or its own decision); English
    when the bot has no catalogue for it."""
    return _shipped(language) or SOURCE


def member_locale(discord_locale: str | None, group: str) -> str:
    """The language of a private answer to a member, from their Discord locale
    (``interaction.locale``: ``es-ES`` and ``es-419`` give ``es``, ``fr`` gives ``fr``).
    English Discord locales, and languages without a catalogue, give the group's language:
    English is Discord's default, so it says little about what the member reads best."""
    mine = _shipped(discord_locale)
    return mine if mine is not None and mine != SOURCE else group
