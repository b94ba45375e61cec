"""The catalogues: every ``.po`` file under ``bot/locales/<lang>/LC_MESSAGES/``, merged per
language and compiled in memory the first time a language is used (Babel's ``read_po`` and
``write_mo``): nothing to build, a fresh ``pip install -e .`` works as it is.

A language may have several ``.po`` files, one per area of the bot (``meeting.po``,
``privacy.po`` …), so people translating different areas never edit the same file. English is
the source language: its words are the msgids themselves, so it needs no catalogue (and Babel's
catalogue code is imported only when another language is first compiled).
"""

from __future__ import annotations

import gettext
import io
import logging
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog

log = logging.getLogger(__name__)

#: The language the msgids are written in.
SOURCE = "en"
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"


def po_files(locale: str, root: Path = LOCALES_DIR) -> list[Path]:
    """The catalogue files of one language, in a stable order."""
    return sorted((root / locale / "LC_MESSAGES").glob("*.po"))


@cache
def available() -> frozenset[str]:
    """The languages the bot can speak: English and every folder with a catalogue."""
    found = {path.name for path in LOCALES_DIR.iterdir() if path.is_dir() and po_files(path.name)}
    return frozenset({SOURCE, *found})


def read_catalogue(locale: str, root: Path = LOCALES_DIR) -> Catalog:
    """All of a language's ``.po`` files as one catalogue (the first file's header, with its
    Plural-Forms, stands for all; the tests check that they agree)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    merged: Catalog | None = None
    for path in po_files(locale, root):
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=locale)
        if merged is None:
            merged = catalogue
            continue
        for message in catalogue:
            if message.id:
                merged[message.id] = message
    return merged if merged is not None else Catalog(locale=locale)


@cache
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``locale`` (English, or a language with none: the msgids)."""
    if locale == SOURCE or locale not in available():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo

    compiled = io.BytesIO()
    write_mo(compiled, read_catalogue(locale))  # fuzzy and empty entries are left out
    compiled.seek(0)
    log.debug("Catalogue %s loaded", locale)
    return gettext.GNUTranslations(compiled)
