"""The catalogues are complete: every message the code uses (found by Babel's extractor, as
``pybabel extract`` finds them), every word the privacy registry declares and every slash
command's name, description, option and choice has a translation in each shipped language,
with the same ``{placeholders}``; command names follow Discord's rules."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from discord import app_commands

import bot.store
from bot.app import EXTENSIONS, PeerCircle
from bot.core.pseudonyms import Pseudonymizer
from bot.i18n import COMMAND_CONTEXT, LOCALES_DIR
from bot.i18n.catalogue import read_catalogue
from bot.runtime.clock import Clock
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store.privacy import REGISTRY
from bot.ui.translator import CatalogueTranslator
from bot.wiring import build_services
from tests.support.catalogue import SHIPPED, code_messages, placeholders, po_catalogues

#: Discord's rule for a slash command's (and an option's) name in any locale.
NAME = re.compile(r"^[-_\w]{1,32}$")


def test_spanish_and_french_are_shipped() -> None:
    assert {"es", "fr"} <= set(SHIPPED)


@cache
def _merged(locale: str) -> Catalog:
    """A language's catalogue, read once (parsing every .po file per message took minutes)."""
    return read_catalogue(locale)


def _missing(locale: str, msgid: str, plural: str | None, context: str | None) -> str | None:
    """Why this message has no usable translation in ``locale`` (None when it has one)."""
    catalogue = _merged(locale)
    found = catalogue.get(msgid, context=context)
    if found is None or found.fuzzy:
        return "no translation"
    wanted = placeholders(msgid) | (placeholders(plural) if plural else set())
    forms = list(found.string) if isinstance(found.string, tuple) else [found.string]
    if plural is not None and not isinstance(found.string, tuple):
        return "not written as a plural (msgid_plural, msgstr[0], msgstr[1] …)"
    for form in forms:
        if not form:
            return "an empty translation"
        have = placeholders(form)
        lacking = wanted - have - ({"n"} if plural else set())
        if have - wanted or lacking:
            return f"placeholders {sorted(have)} instead of {sorted(wanted)}"
    return None


@pytest.mark.parametrize("locale", SHIPPED)
def test_every_message_in_the_code_is_translated(locale: str) -> None:
    problems = [
        f"{found.where}: {found.msgid!r}: {why}"
        for found in code_messages()
        if (why := _missing(locale, found.msgid, found.plural, found.context))
    ]
    assert not problems, f"{locale}:\n" + "\n".join(problems)


@pytest.mark.parametrize("locale", SHIPPED)
def test_what_each_table_keeps_is_translated(locale: str) -> None:
    problems = []
    for entry in REGISTRY:
        wanted = [(entry.one, entry.many), (entry.until, None)]
        if entry.forget.because:
            wanted.append((entry.forget.because, None))
        for msgid, plural in wanted:
            if why := _missing(locale, msgid, plural, None):
                problems.append(f"{entry.table}: {msgid!r}: {why}")
    assert not problems, f"{locale} (privacy.po):\n" + "\n".join(problems)


@pytest.mark.parametrize("locale", SHIPPED)
def test_a_languages_files_agree(locale: str) -> None:
    """One Plural-Forms for the language, each plural with that many forms, no fuzzy entry,
    and a msgid found in two area files translated the same in both."""
    seen: dict[tuple[object, str | None], tuple[Path, object]] = {}
    rules = set()
    for path, catalogue in po_catalogues(locale):
        rules.add(catalogue.plural_forms)
        for message in catalogue:
            if not message.id:
                continue
            assert not message.fuzzy, f"{path.name}: {message.id!r} is marked fuzzy"
            if message.pluralizable:
                assert len(message.string) == catalogue.num_plurals, (path.name, message.id)
            key = (message.id, message.context)
            if key in seen:
                other, string = seen[key]
                assert string == message.string, f"{message.id!r}: {other.name} and {path.name}"
            seen[key] = (path, message.string)
    assert len(rules) == 1, f"{locale}: the files disagree on Plural-Forms: {rules}"


# --- the slash commands ----------------------------------------------------------------------


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[PeerCircle]:
    store = Store(tmp_path / "db.sqlite3")
    clock = Clock()
    made = PeerCircle(
        lambda client: build_services(
            client,
            store=store,
            clock=clock,
            scheduler=Scheduler(store.deadlines, clock),
            pseudonyms=Pseudonymizer(b"k" * 32),
        )
    )
    for extension in EXTENSIONS:
        await made.load_extension(extension)
    yield made
    await made.close()


Item = app_commands.Command | app_commands.Group | app_commands.ContextMenu


def command_words(items: list[Item]) -> Iterator[tuple[str, str]]:
    """(what, English) for every name, description, option and choice."""
    for item in items:
        yield "name", item.name
        if isinstance(item, app_commands.ContextMenu):
            continue
        yield "description", item.description
        if isinstance(item, app_commands.Group):
            yield from command_words(item.commands)
            continue
        for option in item.parameters:
            yield "name", option.name
            yield "description", option.description
            yield from (("choice", choice.name) for choice in option.choices)


@pytest.mark.parametrize("locale", SHIPPED)
async def test_every_command_is_translated(bot: PeerCircle, locale: str) -> None:
    problems = [
        f"{what} {english!r}: {why}"
        for what, english in command_words(bot.tree.get_commands())
        if (why := _missing(locale, english, None, COMMAND_CONTEXT))
    ]
    assert not problems, f"{locale} (commands.po):\n" + "\n".join(problems)


async def test_the_published_localisations_follow_discords_rules(bot: PeerCircle) -> None:
    """What ``sync`` sends: each name valid and unique among its siblings in every locale,
    each description at most 100 characters, for es-ES, es-419 and fr."""
    translator = CatalogueTranslator()
    payloads = [
        await command.get_translated_payload(bot.tree, translator)
        for command in bot.tree.get_commands()
    ]

    def check(siblings: list[dict[str, object]], where: str) -> None:
        for locale in ("es-ES", "es-419", "fr"):
            names = [s["name_localizations"].get(locale, s["name"]) for s in siblings]  # type: ignore[attr-defined]
            assert len(names) == len(set(names)), f"{where} {locale}: {names}"
        for item in siblings:
            localised: dict[str, str] = item.get("name_localizations") or {}  # type: ignore[assignment]
            # a word the same in both languages (French "format") is left to the default
            assert set(localised) <= {"es-ES", "es-419", "fr"}, item["name"]
            for name in localised.values():
                if item.get("type", 1) == 1 or "options" in item or "required" in item:
                    assert NAME.match(name), name
                    assert name == name.lower(), name
                else:
                    assert 1 <= len(name) <= 32, name
            described: dict[str, str] = item.get("description_localizations") or {}  # type: ignore[assignment]
            assert all(1 <= len(text) <= 100 for text in described.values()), described
            for choice in item.get("choices") or []:  # type: ignore[attr-defined]
                assert set(choice["name_localizations"]) == {"es-ES", "es-419", "fr"}, choice
            check(list(item.get("options") or []), f"{where} {item['name']}")  # type: ignore[arg-type]

    check(payloads, "/")
    about = next(p for p in payloads if p["name"] == "about")
    assert about["name_localizations"] == {
        "es-ES": "acerca-de",
        "es-419": "acerca-de",
        "fr": "à-propos",
    }


def test_no_plural_entry_has_more_forms_than_its_language() -> None:
    """A plural entry has exactly the header's nplurals forms (an extra empty form makes Babel
    warn on every start, and says nothing)."""
    found = []
    for path in sorted(LOCALES_DIR.glob("*/LC_MESSAGES/*.po")):
        text = path.read_text(encoding="utf-8")
        declared = re.search(r"nplurals=(\d+)", text)
        assert declared is not None, path
        forms = {int(n) for n in re.findall(r"^msgstr\[(\d+)\]", text, flags=re.M)}
        found += [f"{path}: msgstr[{n}]" for n in forms if n >= int(declared[1])]
    assert not found, found
