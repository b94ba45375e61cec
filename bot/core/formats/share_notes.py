"""The share notes a format gets when it writes none of its own: near the limit, at it, after
it, and the gentle note at the bottom of a range (``3m-5m``). Said in the meeting."""

from __future__ import annotations

from bot.core.formats.plan import ShareWarning
from bot.core.formats.timing import minutes

_BEFORE_WORDS = {
    60: "About a minute left — no rush, just so you know.",
    30: "About 30 seconds left.",
}


def warning_text(offset: int) -> str:
    if offset < 0:
        return _BEFORE_WORDS.get(
            -offset, f"About {minutes(offset)} left — no rush, just so you know."
        )
    if offset == 0:
        return "That's time — thank you. Take a moment to finish your thought."
    return f"Time was up {minutes(offset)} ago. Let's make room for the next person — thank you."


def with_range_note(warnings: tuple[ShareWarning, ...], offset: int) -> tuple[ShareWarning, ...]:
    """The gentle note at the bottom of a range (``3m-5m``), unless the format wrote its own.
    Its words name no minutes: when many wait, `when-busy` may shorten the share."""
    if any(w.offset_seconds == offset for w in warnings):
        return warnings
    text = "No rush — there's still time to finish your thought; you might begin to bring it home."
    note = ShareWarning(offset, text)
    return tuple(sorted((*warnings, note), key=lambda w: w.offset_seconds))


def default_warnings(limit: int | None) -> tuple[ShareWarning, ...]:
    if limit is None:
        return ()
    offsets = ([-60] if limit > 90 else []) + [0]
    return tuple(ShareWarning(offset, warning_text(offset)) for offset in offsets)
