"""The checker's words for the schema's own errors (pydantic's kinds of error), as messages:
``{value}`` is what the group wrote, shown as it is."""

from __future__ import annotations

from bot.i18n.message import Msg, msg

NAME_HINT = msg("use lowercase letters, digits and hyphens, like opening-words")
BOUND_HINT = msg("the guide lists each key's limits")

_WORDS = msg("expected words here, not {value}"), msg("put the words in quotes")
_YES_NO = msg("expected yes or no here, not {value}"), msg("write true or false")
_NUMBER = msg("expected a whole number here, not {value}"), msg("write a number like 4")
_KEYS = msg("expected keys here (lines like  key: value)"), msg("indent them under this key")

#: pydantic's kind of error -> (message, hint).
MESSAGES: dict[str, tuple[Msg, Msg]] = {
    "string_type": _WORDS,
    "bool_type": _YES_NO,
    "bool_parsing": _YES_NO,
    "int_type": _NUMBER,
    "int_parsing": _NUMBER,
    "int_from_float": _NUMBER,
    "dict_type": _KEYS,
    "model_type": _KEYS,
    "model_attributes_type": _KEYS,
    "list_type": (msg("expected a list here"), msg("start each item on its own line with '- '")),
    "too_short": (msg("this list is too short"), msg("add at least one item")),
    "too_long": (msg("this is too long"), msg("shorten it")),
    "string_too_long": (msg("these words are too long"), msg("shorten them, or split them in two")),
    "string_too_short": (msg("these words are empty"), msg("write something here")),
    "greater_than_equal": (msg("{value} is too small here"), msg("use a bigger number")),
    "less_than_equal": (msg("{value} is too big here"), msg("use a smaller number")),
}
