"""bot/i18n: words in a language, plurals by each language's rules, which language to speak,
dates and lists by Babel, and the worked example (/about, /privacy, errors) in es and fr."""

from __future__ import annotations

import gettext
import io
from datetime import date, datetime
from pathlib import Path

import discord
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from discord import app_commands

import bot.i18n.translate
from bot.errors import DiscordRefused, NoGroupHere
from bot.i18n import (
    day,
    duration,
    group_locale,
    listing,
    member_locale,
    msg,
    msg_n,
    new_language,
    render,
    t,
    tn,
    when,
)
from bot.i18n.catalogue import po_files, read_catalogue
from bot.runtime.privacy import WhatIKeep
from bot.store.privacy import GroupTotals
from bot.ui.privacy_words import what_i_keep_text
from bot.ui.translator import CatalogueTranslator
from cogs.about import about_text

MEETINGS = ("{n} meeting", "{n} meetings")


def test_english_is_the_source_and_needs_no_catalogue() -> None:
    assert t("en", "Nothing changed.") == "Nothing changed."
    assert t("en", "Hello {name}", name="Ann") == "Hello Ann"
    assert [tn("en", *MEETINGS, n) for n in (0, 1, 2)] == ["0 meetings", "1 meeting", "2 meetings"]


def test_a_catalogue_translates_and_fills_its_placeholders() -> None:
    assert t("es", "Nothing changed.") == "No ha cambiado nada."
    assert t("fr", "Nothing changed.") == "Rien n'a changé."
    assert t("de", "Nothing changed.") == "Nothing changed."  # no catalogue: English
    assert t("es", "Helplines in other countries: {link}", link="<x>") == (
        "Líneas de ayuda en otros países: <x>"
    )


def test_plurals_follow_each_languages_rules() -> None:
    plural = (
        "• The settings of {n} group: where it meets, its format and who counts as a member",
        "• The settings of {n} groups: where each meets, its format and who counts as a member",
    )
    # French says "0 groupe" (0 and 1 are singular); Spanish and English say "0 grupos".
    assert tn("fr", *plural, 0).startswith("• Les réglages de 0 groupe :")
    assert tn("fr", *plural, 2).startswith("• Les réglages de 2 groupes :")
    assert tn("es", *plural, 0).startswith("• La configuración de 0 grupos:")
    assert tn("es", *plural, 1).startswith("• La configuración de 1 grupo:")


def test_a_message_is_data_until_rendered_and_nests() -> None:
    error = DiscordRefused(msg("Nothing changed."))  # a value may itself be a message
    assert error.words("fr").startswith("Discord ne m'a pas laissé Rien n'a changé.")
    assert NoGroupHere().words("es").startswith("Este canal todavía no tiene un grupo.")
    assert NoGroupHere().user_message.startswith("This channel has no group yet.")
    assert render("es", "a value from the group's format") == "a value from the group's format"
    assert render("en", msg_n(*MEETINGS, 3)) == "3 meetings"


def test_a_translation_with_wrong_placeholders_falls_back_to_english(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = Catalog(locale="es")
    broken.add("Hello {name}", "Hola {nombre}")
    compiled = io.BytesIO()
    write_mo(compiled, broken)
    compiled.seek(0)
    monkeypatch.setattr(
        bot.i18n.translate, "translations", lambda locale: gettext.GNUTranslations(compiled)
    )
    assert t("es", "Hello {name}", name="Ann") == "Hello Ann"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("es", "es"), ("es-MX", "es"), ("fr", "fr"), ("en", "en"), ("de", "en"), (None, "en")],
)
def test_the_groups_language_comes_from_its_format(language: str | None, expected: str) -> None:
    assert group_locale(language) == expected


@pytest.mark.parametrize(
    ("discord_locale", "group", "expected"),
    [
        ("es-ES", "en", "es"),
        ("es-419", "fr", "es"),
        ("fr", "es", "fr"),
        ("en-US", "es", "es"),  # Discord's default says little: the group's language
        ("en-GB", "en", "en"),
        ("de", "fr", "fr"),  # no German catalogue: the group's
        ("pt-BR", "es", "es"),
        (None, "fr", "fr"),
    ],
)
def test_a_members_private_replies_follow_their_discord_locale(
    discord_locale: str | None, group: str, expected: str
) -> None:
    assert member_locale(discord_locale, group) == expected


def test_dates_durations_and_lists_are_written_the_languages_way() -> None:
    moment = datetime(2026, 3, 5, 19, 0)
    assert "marzo" in when("es", moment)
    assert day("fr", date(2026, 3, 5)) == "jeudi 5 mars 2026"
    assert duration("fr", 300) == "5 minutes"
    assert duration("es", 3600) == "1 hora"
    assert listing("es", ["pan", "agua", "sal"]) == "pan, agua y sal"
    assert listing("fr", ["pain", "eau"], style="or") == "pain ou eau"
    assert listing("en", ["a", "b", "c"]) == "a, b, and c"


def test_about_and_privacy_speak_the_readers_language() -> None:
    assert about_text("es", "1.0").startswith("**Peer Circle** 1.0 ayuda a este grupo")
    assert about_text("fr", "1.0").startswith("**Peer Circle** 1.0 aide ce groupe")
    report = WhatIKeep(group=None, totals=GroupTotals(groups=0, meetings_held=0), kept=[], yours=[])
    french = what_i_keep_text("fr", report, reads_messages=False)
    assert french.startswith("**Sur ce serveur, je garde en ce moment**\n• Rien")
    assert "**À votre sujet :** rien." in french
    assert "keep" not in french


async def test_the_command_translator_answers_for_spanish_and_french_only() -> None:
    translator = CatalogueTranslator()
    context = app_commands.TranslationContext(app_commands.TranslationContextLocation.other, None)
    name = app_commands.locale_str("forget-me")
    for locale, expected in (
        (discord.Locale.spain_spanish, "olvídame"),
        (discord.Locale.latin_american_spanish, "olvídame"),
        (discord.Locale.french, "oublie-moi"),
        (discord.Locale.american_english, None),
        (discord.Locale.german, None),
    ):
        assert await translator.translate(name, locale, context) == expected
    unknown = app_commands.locale_str("no-such-command")
    assert await translator.translate(unknown, discord.Locale.french, context) is None


def test_a_new_language_starts_as_empty_copies_of_the_catalogues(tmp_path: Path) -> None:
    assert new_language.main(["de"], root=tmp_path) == 0
    made = sorted(path.name for path in po_files("de", tmp_path))
    assert made == sorted(path.name for path in po_files("es"))
    german = read_catalogue("de", tmp_path)
    assert german.locale is not None
    assert str(german.locale) == "de"
    assert german.num_plurals == 2
    messages = [message for message in german if message.id]
    assert messages
    assert all(not any(m.string) if m.pluralizable else not m.string for m in messages)
    assert new_language.main(["de"], root=tmp_path) == 2  # never over a language's own work
    assert new_language.main(["xx-nope"], root=tmp_path) == 2
