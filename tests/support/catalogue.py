"""What the catalogue tests read: the msgids in the code (found by Babel's own extractor with
the keywords of docs/translating.md), the slash commands' words, the privacy registry's words,
and the shipped ``.po`` files."""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import COMMAND_CONTEXT, LOCALES_DIR, SOURCE, available

ROOT = Path(__file__).parents[2]
#: The same keywords as ``pybabel extract -k …`` in docs/translating.md.
KEYWORDS: dict[str, tuple[int, ...]] = {"t": (2,), "tn": (2, 3), "msg": (1,), "msg_n": (1, 2)}
SHIPPED = sorted(available() - {SOURCE})


@dataclass(frozen=True)
class Wanted:
    """A message the code uses: its msgid, plural (or None), context (or None), and where."""

    msgid: str
    plural: str | None
    context: str | None
    where: str


@cache
def code_messages() -> tuple[Wanted, ...]:
    """Every message the code uses (extracted once per test process)."""
    return tuple(_extract())


def _extract() -> Iterator[Wanted]:
    for folder in ("bot", "cogs"):
        for filename, line, message, _comments, context in extract_from_dir(
            ROOT / folder,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,  # type: ignore[arg-type]
        ):
            where = f"{folder}/{filename}:{line}"
            if isinstance(message, tuple):
                yield Wanted(message[0], message[1], context, where)
            else:
                yield Wanted(message, None, context, where)


def placeholders(text: str) -> set[str]:
    """The named ``{placeholders}`` of a message (``{{`` is a literal brace)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def po_catalogues(locale: str) -> list[tuple[Path, Catalog]]:
    found = []
    for path in sorted((LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            found.append((path, read_po(handle, locale=locale)))
    return found


__all__ = ["COMMAND_CONTEXT", "KEYWORDS", "SHIPPED", "Wanted", "code_messages", "placeholders"]
