"""The group's language as a group decision (``/propose change`` with ``what: language``).

The values are the languages the bot ships a catalogue for (:func:`bot.i18n.available`), so a
new language needs no code change here. The passed decision writes the ``language`` row of
``group_settings``, which :class:`bot.runtime.languages.GroupLanguages` reads first.
"""

from __future__ import annotations

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.errors import InvalidInput
from bot.i18n import available, group_locale, msg
from bot.runtime.languages import SETTING_NAME
from bot.runtime.markup import echo

#: The subject of ``/propose change`` (and the ``group_settings`` row it writes).
LANGUAGE = SETTING_NAME


def _autonym(code: str) -> str:
    """A language named in itself, as language pickers show it ("Español", "Français")."""
    from babel import Locale, UnknownLocaleError  # on first use: Babel isn't loaded at start-up

    try:
        name = Locale.parse(code).get_display_name(code) or code
    except (UnknownLocaleError, ValueError):
        return code
    return name[:1].upper() + name[1:]


def language_name(code: str) -> str:
    """How a proposal names a language: ``**Español** (`es`)``."""
    return f"**{_autonym(code)}** (`{echo(code, 20)}`)"


@lazy_dataclass(frozen=True)
class LanguageChoice:
    code: str
    name: str  # in itself: "Español (es)"


def language_choices() -> list[LanguageChoice]:
    """Every language the bot speaks, for the autocomplete of ``/propose change``."""
    return [LanguageChoice(code, f"{_autonym(code)} ({code})") for code in sorted(available())]


def _shipped(raw: str) -> str | None:
    """The shipped language ``raw`` names: a code (``es``, ``es-ES``, ``FR``) or a name in
    itself or in English (``español``, ``Spanish``)."""
    wanted = raw.strip()
    if not wanted:
        return None
    code = wanted.replace("-", "_")
    for shipped in available():
        if code.lower() == shipped.lower():
            return shipped
    from babel import Locale

    named = wanted.casefold()
    for shipped in available():
        locale = Locale.parse(shipped)
        names = {locale.get_display_name(shipped), locale.english_name}
        if named in {name.casefold() for name in names if name}:
            return shipped
    language = code.split("_")[0].lower()
    return language if language in available() else None


def normalise_language(raw: str, current: str | None) -> str:
    """A proposed language as it will be kept (a shipped code); refused kindly if the bot has
    no catalogue for it, or if the group already speaks it."""
    found = _shipped(raw)
    if found is None:
        listed = ", ".join(f"`{code}`" for code in sorted(available()))
        raise InvalidInput(
            msg(
                "I can't speak `{value}` yet. The languages I know are: {listed}. Nothing was "
                "proposed.",
                value=echo(raw, 40),
                listed=listed,
            )
        )
    if found == group_locale(current):
        raise InvalidInput(
            msg(
                "{language} is already this group's language. Nothing was proposed.",
                language=language_name(found),
            )
        )
    return found
