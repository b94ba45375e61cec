"""Moments on the meeting clock: anchors such as "10 minutes before the end" or ":50"."""

from __future__ import annotations

from enum import StrEnum

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.i18n.message import Msg, msg, msg_n


class AnchorBase(StrEnum):
    START = "start"  # offset after the meeting started
    END = "end"  # offset before the planned end (offset_seconds is negative or zero)
    CLOCK = "clock"  # the wall clock: a minute of the hour (":50") or a time of day ("19:50")
    SECTION = "section"  # offset after the current section started (turn-taking phases)


@lazy_dataclass(frozen=True)
class Anchor:
    base: AnchorBase
    offset_seconds: int = 0
    minute: int = 0  # for CLOCK only
    hour: int | None = None  # for CLOCK only: a time of day ("19:50"); None is any hour (":50")

    def seconds_from_start(
        self, length_seconds: int, start_minute: int = 0, section_start: int = 0
    ) -> int:
        """This moment as seconds after the meeting's start.

        ``start_minute`` is the wall-clock time the meeting started at, in minutes after
        midnight (previews use the format's ``starts-at:``, else ``0``); a clock anchor is the
        first time after it that the wall clock shows that minute (``:50``) or that time of day
        (``19:50``).
        """
        match self.base:
            case AnchorBase.START:
                return self.offset_seconds
            case AnchorBase.END:
                return length_seconds + self.offset_seconds
            case AnchorBase.CLOCK:
                if self.hour is None:
                    return ((self.minute - start_minute) % 60) * 60
                return ((self.hour * 60 + self.minute - start_minute) % 1440) * 60
            case AnchorBase.SECTION:
                return section_start + self.offset_seconds
        return 0  # pragma: no cover

    def describe(self) -> str:
        minutes = abs(self.offset_seconds) // 60
        match self.base:
            case AnchorBase.START:
                return f"{minutes} minutes after the start"
            case AnchorBase.END:
                return "the end" if minutes == 0 else f"{minutes} minutes before the end"
            case AnchorBase.CLOCK if self.hour is None:
                return f":{self.minute:02d} on the clock"
            case AnchorBase.CLOCK:
                return f"{self.hour:02d}:{self.minute:02d} on the clock"
            case AnchorBase.SECTION:
                return f"{minutes} minutes into the section"
        return ""  # pragma: no cover

    def said(self) -> Msg:
        """:meth:`describe` as a message, for the reader's language."""
        whole = abs(self.offset_seconds) // 60
        match self.base:
            case AnchorBase.START:
                return msg_n("{n} minute after the start", "{n} minutes after the start", whole)
            case AnchorBase.END if whole == 0:
                return msg("the end")
            case AnchorBase.END:
                return msg_n("{n} minute before the end", "{n} minutes before the end", whole)
            case AnchorBase.CLOCK if self.hour is None:
                return msg("{time} on the clock", time=f":{self.minute:02d}")
            case AnchorBase.CLOCK:
                return msg("{time} on the clock", time=f"{self.hour:02d}:{self.minute:02d}")
        return msg_n("{n} minute into the section", "{n} minutes into the section", whole)


def minutes_said(seconds: int) -> Msg:
    """:func:`minutes` as a message: "45 seconds", "1 minute", "1 minute 30 seconds"."""
    whole, rest = divmod(abs(seconds), 60)
    secs = msg_n("{n} second", "{n} seconds", rest)
    if whole == 0:
        return secs
    mins = msg_n("{n} minute", "{n} minutes", whole)
    return msg("{minutes} {seconds}", minutes=mins, seconds=secs) if rest else mins


def minutes(seconds: int) -> str:
    """A length in plain words: "45 seconds", "1 minute", "3 minutes", "1 minute 30 seconds"."""
    whole, rest = divmod(abs(seconds), 60)
    if whole == 0:
        return f"{rest} second{'s' * (rest != 1)}"
    text = f"{whole} minute{'s' * (whole != 1)}"
    return text + (f" {rest} seconds" if rest else "")


def limit_words(high: int, low: int | None = None) -> str:
    """A share limit in plain words: "up to 5 minutes", or for a range "3–5 minutes"."""
    if low is None or low >= high:
        return f"up to {minutes(high)}"
    if low % 60 == 0 and high % 60 == 0:
        return f"{low // 60}–{minutes(high)}"
    return f"{minutes(low)} to {minutes(high)}"


def limit_said(high: int, low: int | None = None) -> Msg:
    """:func:`limit_words` as a message."""
    if low is None or low >= high:
        return msg("up to {length}", length=minutes_said(high))
    if low % 60 == 0 and high % 60 == 0:
        return msg("{low}–{high}", low=low // 60, high=minutes_said(high))
    return msg("{low} to {high}", low=minutes_said(low), high=minutes_said(high))


@lazy_dataclass(frozen=True)
class MeetingWarning:
    seconds_left: int
    text: str


def anchor_said(anchor: Anchor) -> Msg:
    """ "10 minutes after the start", "the end", "19:50 on the clock" … (:meth:`Anchor.said`)."""
    return anchor.said()
