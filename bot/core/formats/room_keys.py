"""The format's keys for the meeting channel beyond who may post: ``lock-channel`` with a moment
(``{after: 10m}``: the doors close ten minutes after the start), read here; ``channel: video:``
is a :class:`~bot.core.formats.sharing.WhoMay` like ``post:``.

``lock-channel`` is read into a :class:`LockRule`: when the channel is closed to people without
the group's member role, and from how long after the start.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.formats.parsing import invalid, parse_duration
from bot.core.formats.sharing import LockChannel
from bot.core.lazy_dataclasses import lazy_dataclass

LOCK_HINT = (
    "choose on-request, during-meeting or never, or close it some time after the start, "
    "like  lock-channel: {after: 10m}"
)


@lazy_dataclass(frozen=True)
class LockRule:
    """``lock-channel``: when the channel closes to people without the member role."""

    when: LockChannel = LockChannel.ON_REQUEST
    #: With DURING_MEETING: this long after the meeting's start (0: from the start).
    after_seconds: int = 0


def parse_lock_channel(value: Any) -> LockRule:
    """``on-request`` | ``during-meeting`` | ``never`` | ``{after: <length of time>}``."""
    if isinstance(value, LockRule):
        return value
    if isinstance(value, str):
        try:
            return LockRule(LockChannel(value.strip().lower()))
        except ValueError:
            shown = value if len(value) <= 40 else value[:37] + "…"
            raise invalid(f"'{shown}' is not a choice for lock-channel", LOCK_HINT) from None
    if isinstance(value, Mapping):
        keys = set(map(str, value))
        if keys != {"after"}:
            others = ", ".join(sorted(keys - {"after"})) or "nothing"
            raise invalid(
                f"lock-channel takes only after: here (found {others})",
                "write it like  lock-channel: {after: 10m}",
            )
        after = parse_duration(value["after"])
        if after == 0:
            raise invalid(
                "after: 0 closes the channel at the start",
                "write  lock-channel: during-meeting  for that, or give a time like 10m",
            )
        return LockRule(LockChannel.DURING_MEETING, after)
    raise invalid("lock-channel is a word or {after: …}", LOCK_HINT)
