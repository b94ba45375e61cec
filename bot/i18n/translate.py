"""Rendering a message in one language: :func:`t`, :func:`tn` and :func:`render`."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

from bot.i18n.catalogue import SOURCE, translations
from bot.i18n.message import Msg

log = logging.getLogger(__name__)

#: The msgctxt of the slash commands' names, descriptions, options and choices (commands.po).
COMMAND_CONTEXT = "command"


def render(locale: str, text: Msg | str) -> str:
    """``text`` in ``locale``. A plain ``str`` is returned as it is (a value from the group's
    format, or words not yet converted)."""
    if isinstance(text, str):
        return text
    catalogue = translations(locale)
    if text.plural is None:
        template = catalogue.gettext(text.msgid)
    else:
        template = catalogue.ngettext(text.msgid, text.plural, text.n)
    values = _values(locale, text.params)
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError):
        # A translation whose placeholders don't match (the tests catch this before release):
        # the English words rather than no answer at all.
        log.warning("A %s translation has wrong placeholders; English used", locale)
        source = text.msgid if text.plural is None or text.n == 1 else text.plural
        return source.format_map(values) if locale != SOURCE else source


def _values(locale: str, params: Mapping[str, object]) -> dict[str, object]:
    return {
        name: render(locale, value) if isinstance(value, Msg) else value
        for name, value in params.items()
    }


def t(locale: str, msgid: str, /, **params: object) -> str:
    """The words of ``msgid`` in ``locale``, with its named ``{placeholders}`` filled in."""
    return render(locale, Msg(msgid, params))


def tn(locale: str, singular: str, plural: str, n: int, /, **params: object) -> str:
    """Words that depend on a count ``n`` (also ``{n}`` in both forms), by ``locale``'s
    plural rules."""
    return render(locale, Msg(singular, {"n": n, **params}, plural, n))


def command_words(locale: str, text: str) -> str | None:
    """A slash command's name, description, option or choice in ``locale``, or None when the
    catalogue has none (Discord then shows the English)."""
    if locale == SOURCE:
        return None
    found = translations(locale).pgettext(COMMAND_CONTEXT, text)
    return None if found == text else found


def render_lines(locale: str, lines: Iterable[Msg | str]) -> str:
    """Lines (each a whole sentence or more, or ``""`` for a blank line) as one text."""
    return "\n".join(render(locale, line) for line in lines)
