"""The format language: a group's meeting script in YAML, validated and compiled into a plan.

Public API::

    load_format(text_or_bytes, *, filename="format.yaml") -> CompiledFormat   # or FormatError
    load_format_file(path) -> CompiledFormat                                   # or FormatError
    check_format(text_or_bytes, *, filename=…) -> (CompiledFormat, warnings)   # or FormatError
    check_format_file(path) -> (CompiledFormat, warnings)                      # or FormatError
    builtin_formats() -> dict[str, Path]           # the shipped formats, by id
    render(template, values) -> str                # safe ${placeholder} substitution
    PLACEHOLDERS                                   # the placeholders a format may use

The compiled plan (what the meeting runner executes) is described in :mod:`.plan`; the guide
for groups writing a format is ``formats/README.md``.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module, resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core.formats.plan import CompiledFormat
from bot.core.formats.render import PLACEHOLDERS, TEXT_CHUNK_LIMIT, render

if TYPE_CHECKING:
    from bot.core.formats.loader import (
        MAX_FORMAT_BYTES,
        FormatError,
        Problem,
        check_format,
        check_format_file,
        load_format,
        load_format_file,
    )

# The loader (the schema: pydantic, YAML) is imported when a format is first read, not with the
# package: a running bot that only shows compiled plans doesn't pay for it at start-up (issue 18).
_FROM_LOADER = frozenset(
    {
        "MAX_FORMAT_BYTES",
        "FormatError",
        "Problem",
        "check_format",
        "check_format_file",
        "load_format",
        "load_format_file",
    }
)


def __getattr__(name: str) -> Any:
    if name in _FROM_LOADER:
        return getattr(import_module("bot.core.formats.loader"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "MAX_FORMAT_BYTES",
    "PLACEHOLDERS",
    "TEXT_CHUNK_LIMIT",
    "CompiledFormat",
    "FormatError",
    "Problem",
    "builtin_formats",
    "check_format",
    "check_format_file",
    "load_builtin_format",
    "load_format",
    "load_format_file",
    "render",
]


def builtin_formats() -> dict[str, Path]:
    """The formats shipped in the ``formats`` package, by id (the file name without .yaml)."""
    return dict(_shipped())


@cache
def _shipped() -> tuple[tuple[str, Path], ...]:
    """The shipped formats, listed once: they are part of the installed package and don't
    change while the bot runs (a restart after a meeting resumes a thousand meetings, each
    asking for its format by id)."""
    folder = resources.files("formats")
    found = {
        entry.name.removesuffix(".yaml"): Path(str(entry))
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml") and entry.is_file()
    }
    return tuple(sorted(found.items()))


def load_builtin_format(format_id: str) -> CompiledFormat:
    """A shipped format by id; ``KeyError`` if there is none by that id."""
    from bot.core.formats.loader import load_format_file  # read when first needed

    return load_format_file(builtin_formats()[format_id])
