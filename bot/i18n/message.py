"""A message not yet in any language: its English source text (the gettext msgid) and its
named values. Pure data, so bot/core may build one; it becomes words only when an adapter, a
button or a cog renders it for a reader (:func:`bot.i18n.render`).

``msg("The floor is yours, {name}.", name=...)`` and ``msg_n("{n} meeting", "{n} meetings",
n)`` are what ``pybabel extract`` finds (docs/translating.md); a value may itself be a
:class:`Msg`, rendered in the same language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from types import MappingProxyType

from bot.core.lazy_dataclasses import lazy_dataclass


@lazy_dataclass(frozen=True, slots=True)
class Msg:
    """English source text (``msgid``, and ``plural`` with its count ``n``) and its values."""

    msgid: str
    params: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    plural: str | None = None
    n: int = 1

    def __str__(self) -> str:  # for logs and debugging only: the English words
        from bot.i18n.translate import render

        return render("en", self)


def msg(msgid: str, /, **params: object) -> Msg:
    """A message to render later, in the reader's language."""
    return Msg(msgid, MappingProxyType(params))


def msg_n(singular: str, plural: str, n: int, /, **params: object) -> Msg:
    """A message whose words depend on a count; ``{n}`` is the count in both forms."""
    return Msg(singular, MappingProxyType({"n": n, **params}), plural, n)
