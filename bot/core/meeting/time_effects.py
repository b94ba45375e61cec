"""What the meeting core asks the runtime to show about time in the room (:mod:`.waits`):
the countdown, a moment awaited, running late, a chair's way to move on, a placeholder left out.
Channel effects like those of :mod:`.effects`, carried out after the commit."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.meeting.effects import ChannelEffect
from bot.core.pseudonyms import Pseudonym


@lazy_dataclass(frozen=True)
class CountdownBegins(ChannelEffect):
    """The format's ``before:`` countdown: the meeting begins at ``begins_at`` (or when the
    chair starts it). Post ``chunks`` (the format's words), with **Start now** for the chair,
    and with ``readings`` (section index, title) a button per reading to offer to read it."""

    begins_at: datetime
    chunks: tuple[str, ...]
    readings: tuple[tuple[int, str], ...]


@lazy_dataclass(frozen=True)
class ReaderOffered(ChannelEffect):
    """During the countdown, ``who`` offered to read section ``index`` (``title``)."""

    index: int
    title: str
    who: Pseudonym


@lazy_dataclass(frozen=True)
class AwaitingStart(ChannelEffect):
    """The meeting is ahead of time: section ``index`` (``title``) begins at ``at``, its
    ``starts:`` moment. The chair may begin it sooner (**Begin now**)."""

    index: int
    title: str
    at: datetime


class LateChoice(StrEnum):
    """What the chair may choose when the meeting runs late before a sharing section."""

    SHORTER = "shorter"  # shorter shares (the format's `when-busy` limit), ending in time
    AS_IS = "as-is"  # shares as usual, ending in time for what comes after
    SKIP = "skip"  # leave the section out today


@lazy_dataclass(frozen=True)
class RunningLate(ChannelEffect):
    """Running late: ask the chair, with a button per choice in ``choices`` (the first is what
    happens with no answer by ``decide_by``), how to fit section ``index`` in. ``room`` is the
    time left for it keeping the closing's time, ``planned`` what the format planned (seconds),
    ``shorter`` the shorter share limit on offer (seconds; None when there is none)."""

    index: int
    title: str
    room: int
    planned: int
    shorter: int | None
    choices: tuple[LateChoice, ...]
    decide_by: datetime


@lazy_dataclass(frozen=True)
class LateDecided(ChannelEffect):
    """The chair chose (or, with ``by_default``, nobody answered and the proposal held)."""

    index: int
    title: str
    choice: LateChoice
    by_default: bool
    shorter: int | None
    ends_at: datetime | None


@lazy_dataclass(frozen=True)
class OfferMoveOn(ChannelEffect):
    """A sharing section's time is up while someone still shares (instead of
    :class:`~.effects.SectionTimeUp`): nobody new gets the floor, and the chair is offered
    **Move on** (for the section's run ``run``), so the section does not run on by itself."""

    index: int
    run: int


@lazy_dataclass(frozen=True)
class PlaceholderLeftOut(ChannelEffect):
    """Section ``index``'s text is still the format's placeholder: it was not read aloud. Tell
    the chair privately (``whole``: the section was left out; else only its words)."""

    index: int
    title: str
    whole: bool
