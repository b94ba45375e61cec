"""``python -m bot format check FILE...`` and ``python -m bot format preview FILE``.

``check`` prints every problem of every file as ``file:line:column: message (hint: …)`` and
returns 1 if any file has one, 0 when all are valid; a valid file's advice (things that work
but may not be what the group means) is printed as ``file:line:column: warning: …``.
``preview`` prints the meeting as the group will see it. Neither ever prints a traceback for a
bad file.

Both speak the file's own ``language:`` (``es``, ``fr`` …), or ``--lang`` when given; English
for a language the bot has no catalogue for. The format's keys stay English in every language.
"""

from __future__ import annotations

from typing import TextIO

from bot.core.formats import CompiledFormat, FormatError, Problem, check_format_file
from bot.core.formats.describe import preview_said, wrap_lines
from bot.i18n import group_locale, msg, msg_n, render

EXIT_OK = 0
EXIT_INVALID = 1


def _locale(lang: str | None, language: str | None) -> str:
    """``--lang`` if given, else the file's ``language:``, else English."""
    return group_locale(lang or language)


def _print_problems(problems: list[Problem], locale: str, out: TextIO) -> None:
    for problem in problems:
        print(render(locale, problem.as_msg()), file=out)


def check(paths: list[str], out: TextIO, lang: str | None = None) -> int:
    """Validate each file; print its problems, or that it is fine."""
    status = EXIT_OK
    for path in paths:
        try:
            plan, warnings = check_format_file(path)
        except FormatError as error:
            status = EXIT_INVALID
            _print_problems(error.problems, _locale(lang, error.language), out)
            continue
        locale = _locale(lang, plan.language)
        _print_problems(warnings, locale, out)
        sections = msg_n("{n} section", "{n} sections", len(plan.sections))
        if warnings:
            advice = msg_n("{n} warning", "{n} warnings", len(warnings))
            said = msg(
                "{path}: ok — “{name}”, {sections}, {warnings}",
                path=path,
                name=plan.name,
                sections=sections,
                warnings=advice,
            )
        else:
            said = msg(
                "{path}: ok — “{name}”, {sections}", path=path, name=plan.name, sections=sections
            )
        print(render(locale, said), file=out)
    return status


def preview(path: str, out: TextIO, lang: str | None = None, png: str | None = None) -> int:
    """Print the meeting a format describes, section by section, with timings and roles;
    with ``png``, also draw its timeline there (:mod:`bot.pictures`)."""
    try:
        plan, warnings = check_format_file(path)
    except FormatError as error:
        _print_problems(error.problems, _locale(lang, error.language), out)
        return EXIT_INVALID
    locale = _locale(lang, plan.language)
    for line in wrap_lines([render(locale, line) for line in preview_said(plan)]):
        print(line, file=out)
    if warnings:
        print("", file=out)
        _print_problems(warnings, locale, out)
    if png is not None:
        return _draw(plan, locale, png, out)
    return EXIT_OK


def _draw(plan: CompiledFormat, locale: str, png: str, out: TextIO) -> int:
    from bot.core.formats.timeline import timeline
    from bot.pictures import draw

    picture = draw(timeline(plan), locale)
    try:
        with open(png, "wb") as handle:
            handle.write(picture.png)
    except OSError as exc:
        reason = exc.strerror or msg("it could not be written")
        said = msg("I couldn't write the picture to {path}: {reason}", path=png, reason=reason)
        print(render(locale, said), file=out)
        return EXIT_INVALID
    said = msg(
        "The timeline is in {path} ({width}×{height}).",
        path=png,
        width=picture.width,
        height=picture.height,
    )
    print(render(locale, said), file=out)
    return EXIT_OK
