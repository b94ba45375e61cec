"""Safe placeholder rendering and splitting texts into Discord-sized messages.

A format's texts may contain ``${placeholders}`` such as ``${group}`` or ``${chair}``. They are
filled with :class:`string.Template`-style substitution, never ``str.format``: a text containing
``{0.__class__}`` or ``${__import__}`` prints exactly that, and no attribute access or code can
run. Only the names in :data:`PLACEHOLDERS` are ever substituted; the loader reports any other
``${name}`` as an error, so a group learns about a typo before its meeting, not during it.

Texts are split when the format is loaded, so the meeting runner never meets a message that is
too long: each chunk stays under :data:`TEXT_CHUNK_LIMIT` *after* rendering, assuming every
placeholder expands to its longest allowed value (:data:`MAX_VALUE_LENGTH`).
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping

from bot.i18n.message import Msg, msg

#: Discord refuses a message longer than this many characters.
DISCORD_MESSAGE_LIMIT = 2000

#: The longest a rendered chunk of a text can be. The 100 characters left over are for a short
#: heading or prefix the runner may add (for example "**Reading — Our guidelines**").
TEXT_CHUNK_LIMIT = DISCORD_MESSAGE_LIMIT - 100

#: A placeholder value is cut to this many characters, so the split above stays true.
MAX_VALUE_LENGTH = 100

#: Every placeholder a format may use, with what it becomes. This is the one list: the loader,
#: the guide and the runner all read it from here.
PLACEHOLDERS: Mapping[str, str] = {
    "group": "the group's name",
    "chair": "the first name the chair of the day chose to use",
    "next_chair": "the first name of whoever chairs next time, if they are known",
    "speaker": "the first name the speaker chose to use (speaker meetings)",
    "weekday": "the day of the week, like Tuesday",
    "date": "today's date, like 4 March",
    "time": "the time the meeting started, like 19:00",
    "end_time": "the time the meeting is planned to end, like 20:00",
    "meeting_number": "this group's meeting number, like 112",
    "share_limit": "the share time of this section, like 3 minutes",
    "meeting_length": "the planned length of the meeting, like 60 minutes",
}


class _BracedTemplate(string.Template):
    """Only ``${name}`` is a placeholder; a bare ``$name`` (like ``$5``) stays as written."""

    pattern = r"""
        \$(?:
          (?P<escaped>\$)                    # $$ prints one $
        | (?P<named>(?!))                    # bare $name is never substituted
        | \{(?P<braced>[_a-zA-Z][_a-zA-Z0-9]*)\}
        | (?P<invalid>)
        )
        """  # type: ignore[assignment]  # Template compiles this string in __init_subclass__


#: Anything that looks like ``${...}``, or the escape ``$$`` (which prints one ``$``, so
#: ``$${chair}`` is text, not a placeholder). Scanned left to right, an escape is consumed first.
_PLACEHOLDER_LIKE = re.compile(r"\$\$|\$\{([^}\n]{0,60})\}")
_BARE_KNOWN = re.compile(
    r"(?<!\$)\$(" + "|".join(sorted(PLACEHOLDERS, key=len, reverse=True)) + r")\b"
)


def render(text: str, values: Mapping[str, object]) -> str:
    """Fill the known placeholders of ``text`` from ``values``; never raises.

    Values are turned into text and cut to :data:`MAX_VALUE_LENGTH` characters. A placeholder
    with no value, an unknown name, or anything else odd is left exactly as written.
    """
    safe: dict[str, str] = {}
    for name in PLACEHOLDERS:
        if name in values:
            try:
                safe[name] = str(values[name])[:MAX_VALUE_LENGTH]
            except Exception:  # noqa: S112 — a broken value must not stop a meeting
                continue
    try:
        return _BracedTemplate(text).safe_substitute(safe)
    except Exception:  # never raise during a meeting; show the text as written
        return text


def placeholder_problems(text: str) -> Iterator[tuple[int, Msg, Msg]]:
    """Yield ``(offset, message, hint)`` for every placeholder the group probably got wrong."""
    for match in _PLACEHOLDER_LIKE.finditer(text):
        name = match.group(1)
        if name is None or name in PLACEHOLDERS:  # an escaped $, or a known placeholder
            continue
        import difflib  # only when a format's texts are checked: not at start-up

        squashed = re.sub(r"[\s-]", "_", name.strip().lower())
        close = difflib.get_close_matches(squashed, list(PLACEHOLDERS), n=1, cutoff=0.6)
        hint = (
            msg("did you mean {placeholder}?", placeholder=f"${{{close[0]}}}")
            if close
            else msg(
                "the placeholders you can use are: {placeholders}",
                placeholders=", ".join(f"${{{n}}}" for n in PLACEHOLDERS),
            )
        )
        yield (
            match.start(),
            msg("unknown placeholder {placeholder}", placeholder=f"${{{name}}}"),
            hint,
        )
    for match in _BARE_KNOWN.finditer(text):
        name = match.group(1)
        yield (
            match.start(),
            msg("{placeholder} needs braces", placeholder=f"${name}"),
            msg("write it as {placeholder}", placeholder=f"${{{name}}}"),
        )


def worst_case_length(text: str) -> int:
    """How long ``text`` can become once rendered, if every placeholder is as long as allowed."""
    growth = 0
    for match in _PLACEHOLDER_LIKE.finditer(text):
        if match.group(1) in PLACEHOLDERS:
            growth += MAX_VALUE_LENGTH - len(match.group(0))
    return len(text) + max(growth, 0)


_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s")


def reflow(text: str) -> str:
    """Join the lines of each paragraph, as an email would, keeping blank lines and lists.

    People wrap long lines in their editor; Discord would show every such break. A line that
    starts like a list item (``- ``, ``* ``, ``1. ``) keeps its own line.
    """
    paragraphs = []
    for paragraph in split_paragraphs(text):
        lines = [line.strip() for line in paragraph.split("\n")]
        joined = lines[0]
        for line in lines[1:]:
            joined += ("\n" if _LIST_ITEM.match(line) else " ") + line
        paragraphs.append(joined)
    return "\n\n".join(paragraphs)


def split_paragraphs(text: str) -> tuple[str, ...]:
    """The text's paragraphs (separated by blank lines), trimmed, without empty ones."""
    parts = re.split(r"\n[ \t]*\n", text.strip())
    return tuple(part.strip() for part in parts if part.strip())


def split_for_discord(text: str, limit: int = TEXT_CHUNK_LIMIT) -> tuple[str, ...]:
    """Split ``text`` into messages that fit ``limit`` once rendered.

    Splits between paragraphs where it can, then between lines, then between words, and only
    cuts inside a word that is itself too long (a pasted link, say).
    """
    chunks: list[str] = []
    for paragraph in split_paragraphs(text):
        _append_joined(chunks, _split_piece(paragraph, limit), "\n\n", limit)
    return tuple(chunks)


def _append_joined(chunks: list[str], pieces: list[str], joiner: str, limit: int) -> None:
    """Add ``pieces`` to ``chunks``, joining each onto the last chunk while it still fits."""
    for piece in pieces:
        if chunks and worst_case_length(chunks[-1] + joiner + piece) <= limit:
            chunks[-1] = chunks[-1] + joiner + piece
        else:
            chunks.append(piece)


def _split_piece(piece: str, limit: int) -> list[str]:
    if worst_case_length(piece) <= limit:
        return [piece]
    lines = piece.split("\n")
    if len(lines) > 1:
        out: list[str] = []
        for line in lines:
            _append_joined(out, _split_piece(line, limit), "\n", limit)
        return out
    words = piece.split(" ")
    if len(words) > 1:
        out = []
        for word in words:
            _append_joined(out, _split_piece(word, limit), " ", limit)
        return out
    # One enormous "word" (a pasted link, say): cut it, never inside a placeholder.
    out = []
    current = ""
    for token in _TOKEN.findall(piece):
        if current and worst_case_length(current + token) > limit:
            out.append(current)
            current = ""
        current += token
    if current:
        out.append(current)
    return out


_TOKEN = re.compile(r"\$\{[^}\n]{0,60}\}|.", re.DOTALL)


def reading_seconds(text: str, words_per_minute: int = 130) -> int:
    """About how long reading ``text`` aloud takes, for planning (at least 10 seconds)."""
    words = len(text.split())
    return max(10, round(words * 60 / words_per_minute))
