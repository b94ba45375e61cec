"""Start a new language: ``python -m bot.i18n.new_language de`` (any language Babel knows).

Copies every catalogue file of a shipped language (Spanish by default: ``--from fr``) to
``bot/locales/<lang>/LC_MESSAGES/`` with each translation emptied and the new language's header
and plural rules, ready to translate. Untranslated entries fall back to English, and the
catalogue tests list each one until the language is complete (docs/translating.md).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

from bot.i18n.catalogue import LOCALES_DIR, po_files


def main(argv: Sequence[str] | None = None, root: Path = LOCALES_DIR) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.i18n.new_language")
    parser.add_argument("language", help="the new language's code, like de or pt_BR")
    parser.add_argument("--from", dest="source", default="es", help="copy this language's files")
    args = parser.parse_args(argv)
    try:
        Locale.parse(args.language)
    except (UnknownLocaleError, ValueError):
        print(f"Babel doesn't know the language {args.language!r}.", file=sys.stderr)
        return 2
    target = root / args.language / "LC_MESSAGES"
    if po_files(args.language, root):
        print(f"{target} already has catalogue files; nothing was changed.", file=sys.stderr)
        return 2
    target.mkdir(parents=True, exist_ok=True)
    plural = get_plural(args.language)
    for path in po_files(args.source):
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=args.source)
        catalogue.locale = Locale.parse(args.language)
        headers = [(k, v) for k, v in catalogue.mime_headers if k.lower() != "plural-forms"]
        catalogue.mime_headers = [*headers, ("Plural-Forms", plural.plural_forms)]
        catalogue.language_team = Locale.parse(args.language).english_name or args.language
        for message in catalogue:
            if message.id:
                message.string = ("",) * plural.num_plurals if message.pluralizable else ""
        catalogue.header_comment = catalogue.header_comment.replace(
            Locale.parse(args.source).english_name or args.source,
            Locale.parse(args.language).english_name or args.language,
        )
        with (target / path.name).open("wb") as handle:
            write_po(handle, catalogue, width=100)
        print(f"wrote {target / path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
