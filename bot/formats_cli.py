"""``python -m bot format check FILE...`` and ``python -m bot format preview FILE``.

``check`` prints every problem of every file as ``file:line:column: message (hint: …)`` and
returns 1 if any file has one, 0 when all are valid; a valid file's advice (things that work
but may not be what the group means) is printed as ``file:line:column: warning: …``.
``preview`` prints the meeting as the group will see it. Neither ever prints a traceback for a
bad file.
"""

from __future__ import annotations

from typing import TextIO

from bot.core.formats import FormatError, check_format_file
from bot.core.formats.describe import preview_lines

EXIT_OK = 0
EXIT_INVALID = 1


def check(paths: list[str], out: TextIO) -> int:
    """Validate each file; print its problems, or that it is fine."""
    status = EXIT_OK
    for path in paths:
        try:
            plan, warnings = check_format_file(path)
        except FormatError as error:
            status = EXIT_INVALID
            for problem in error.problems:
                print(problem, file=out)
            continue
        for warning in warnings:
            print(warning, file=out)
        advice = f", {len(warnings)} warning{'s' * (len(warnings) != 1)}" if warnings else ""
        print(f"{path}: ok — “{plan.name}”, {len(plan.sections)} sections{advice}", file=out)
    return status


def preview(path: str, out: TextIO) -> int:
    """Print the meeting a format describes, section by section, with timings and roles."""
    try:
        plan, warnings = check_format_file(path)
    except FormatError as error:
        for problem in error.problems:
            print(problem, file=out)
        return EXIT_INVALID
    for line in preview_lines(plan):
        print(line, file=out)
    if warnings:
        print("", file=out)
        for warning in warnings:
            print(warning, file=out)
    return EXIT_OK
