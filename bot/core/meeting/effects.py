"""What the meeting core asks the runtime to do, and why it refuses a request.

Every meeting operation (:mod:`bot.core.meeting`) returns the new state and a tuple of effects,
in the order they should be carried out. There are two families:

* :class:`MeetingDeadlineEffect` — :class:`ArmMeetingDeadline` /
  :class:`CancelMeetingDeadline`. Commit them **in the same
  transaction** as the new state: they are the durable deadlines of this meeting. Keys are unique
  within one meeting only, so prefix them with the meeting's id in the scheduler's table.
  Scheduling an existing ``(kind, key)`` again moves it. When a deadline is due, call
  ``MeetingRunner.deadline_passed(state, kind, key, now)``; a stale one is ignored by the core.
* :class:`ChannelEffect` — everything shown in Discord, carried out after the commit. Each is
  safe to repeat after a crash (post again, or check first).

Persons appear only as :data:`~bot.core.pseudonyms.Pseudonym` values. Texts are the format's
**template chunks**: render each with :func:`bot.core.formats.render.render` and the values of
:meth:`~bot.core.meeting.MeetingRunner.render_values` plus the names the runtime knows right now
(``group``, ``chair``, ``next_chair``, ``speaker``) — the core never sees a name.

Words the core does not have (a notice that the meeting resumed, "the floor is open", a refusal)
are the cogs' business: the effects carry a kind, never prose, except the format's own texts.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from bot.core.formats.plan import ChannelRules, CrosstalkMode, Order, SectionKind, Sharers, Who
from bot.core.formats.sharing import AtLimit
from bot.core.lazy_dataclasses import lazy_dataclass

__all__ = [  # the refusals and timers, for ``fx.X``; the effects below are public by name
    "ArmMeetingDeadline",
    "CancelMeetingDeadline",
    "MeetingDeadlineEffect",
    "MeetingDeadlineKind",
    "MeetingError",
    "MeetingRefusal",
]

# Refusals and timers live in refusals.py (re-exported here: ``fx.MeetingRefusal`` etc.).
from bot.core.meeting.refusals import (
    ArmMeetingDeadline,
    CancelMeetingDeadline,
    MeetingDeadlineEffect,
    MeetingDeadlineKind,
    MeetingError,
    MeetingRefusal,
)
from bot.core.pseudonyms import Pseudonym

# --- the channel ------------------------------------------------------------------------------


@lazy_dataclass(frozen=True)
class ChannelEffect:
    """Base of the effects carried out on Discord after the commit."""


class NoticeKind(StrEnum):
    PAUSED = "paused"  # "The meeting is paused for a moment."
    RESUMED = "resumed"  # "We're continuing."
    RESUMED_AFTER_RESTART = "resumed_after_restart"  # "The bot restarted; the meeting goes on."
    RESTARTED_PAUSED = "restarted_paused"  # "The bot restarted; the meeting is still paused."


@lazy_dataclass(frozen=True)
class Notice(ChannelEffect):
    kind: NoticeKind


@lazy_dataclass(frozen=True)
class UpdatePanel(ChannelEffect):
    """Edit the meeting panel from ``MeetingRunner.describe(state, now)``. At most one per step."""


@lazy_dataclass(frozen=True)
class ShowAgain(ChannelEffect):
    """Words Discord refused earlier, shown now that the meeting resumes: show ``effect``,
    leaving out its first ``posted`` messages (they were posted before the refusal). Features
    that follow meetings already saw ``effect`` when it happened; this is only its words."""

    effect: ChannelEffect
    posted: int = 0


@lazy_dataclass(frozen=True)
class SetChannelRules(ChannelEffect):
    """Apply who may post / speak and the slow mode while section ``index`` runs."""

    index: int
    rules: ChannelRules


@lazy_dataclass(frozen=True)
class ExplainCrosstalk(ChannelEffect):
    """The crosstalk policy changes here: post ``chunks`` (the format's explanation)."""

    index: int
    mode: CrosstalkMode
    chunks: tuple[str, ...]


@lazy_dataclass(frozen=True)
class PostSection(ChannelEffect):
    """A section begins: post its title and ``chunks`` (may be empty), led by ``leader``.

    ``leader`` is already resolved through role fallbacks: a role (name its holder only if that
    is the chair or someone who took the job), ``VOLUNTEER`` (anyone may lead / step in), or
    ``EVERYONE`` (said together). ``ends_at`` is the section's deadline, for ``<t:…:R>``.
    """

    index: int
    kind: SectionKind
    title: str
    leader: Who
    chunks: tuple[str, ...]
    ends_at: datetime | None


@lazy_dataclass(frozen=True)
class ChooseText(ChannelEffect):
    """Ask the chair which text to use today (buttons with these titles, in order)."""

    index: int
    options: tuple[str, ...]


@lazy_dataclass(frozen=True)
class PostText(ChannelEffect):
    """The chair chose the text of section ``index``: post it."""

    index: int
    title: str
    chunks: tuple[str, ...]


@lazy_dataclass(frozen=True)
class OfferReading(ChannelEffect):
    """ "Would someone like to read …?" with a button; ``part`` of ``parts`` (1-based)."""

    index: int
    title: str
    part: int
    parts: int


@lazy_dataclass(frozen=True)
class PostReading(ChannelEffect):
    """Post part ``part`` of ``parts`` of the reading, read by ``reader`` (a volunteer who chose
    to be named) or, when ``reader`` is ``None``, by the section's leader (the chair)."""

    index: int
    title: str
    part: int
    parts: int
    chunks: tuple[str, ...]
    reader: Pseudonym | None


@lazy_dataclass(frozen=True)
class AskChair(ChannelEffect):
    """Ask the chair ``text`` (a template) with Yes / No buttons; answers go to
    ``answer_question(state, question_id, yes, now)``."""

    index: int
    question_id: str
    text: str


@lazy_dataclass(frozen=True)
class PostAnnouncementCall(ChannelEffect):
    index: int
    call: int
    chunks: tuple[str, ...]


@lazy_dataclass(frozen=True)
class PostAgendaItem(ChannelEffect):
    index: int
    item: int
    title: str
    leader: Who | None
    ends_at: datetime | None


@lazy_dataclass(frozen=True)
class AgendaItemTimeUp(ChannelEffect):
    """A gentle note to the chair: the time for this agenda item is up (nothing moves)."""

    index: int
    item: int


@lazy_dataclass(frozen=True)
class BellStart(ChannelEffect):
    """A silence or meditation begins; ring the start bell message only if ``bell``."""

    index: int
    ends_at: datetime | None
    bell: bool


@lazy_dataclass(frozen=True)
class BellEnd(ChannelEffect):
    index: int
    bell: bool


@lazy_dataclass(frozen=True)
class SectionTimeUp(ChannelEffect):
    """The section's time is up. ``moving_on``: the meeting moves on (after the current share,
    when someone has the floor); otherwise only a gentle note to the chair."""

    index: int
    moving_on: bool


@lazy_dataclass(frozen=True)
class SectionsSkipped(ChannelEffect):
    """A wall-clock anchor moved the meeting on past these sections (``starts:`` of a later one)."""

    indexes: tuple[int, ...]


@lazy_dataclass(frozen=True)
class MeetingNote(ChannelEffect):
    """A meeting-level time-left note in the group's words."""

    text: str


@lazy_dataclass(frozen=True)
class MeetingEnded(ChannelEffect):
    """The meeting is over. Delete its stored state (queue, floor: everything about members).

    ``counted``: it really happened, so it gets a number: it ran at least the format's
    ``counts`` minutes (15 by default) from start to close, and at least its ``counts`` members
    (3 by default) took part. When it doesn't count, ``too_short`` and ``too_few`` say why.
    """

    counted: bool
    reached_closing: bool
    too_short: bool = False
    too_few: bool = False


@lazy_dataclass(frozen=True)
class ChairAsked(ChannelEffect):
    """``by`` offered to step in: ask the chair, in the channel, whether they're still with us
    (a button only the chair answers). With no answer by ``until``, ``by`` chairs."""

    chairs: tuple[Pseudonym, ...]
    by: Pseudonym
    until: datetime


@lazy_dataclass(frozen=True)
class ChairStays(ChannelEffect):
    """The chair answered (or showed they're here): they keep the chair; thank ``by``."""

    chairs: tuple[Pseudonym, ...]
    by: Pseudonym


@lazy_dataclass(frozen=True)
class ChairHandedOver(ChannelEffect):
    """No answer in time: ``by`` chairs now; ``previous`` may take the chair back."""

    by: Pseudonym
    previous: tuple[Pseudonym, ...]


@lazy_dataclass(frozen=True)
class ChairTakenBack(ChannelEffect):
    """``who`` is back and chairs again; thank ``stand_in`` for holding the chair."""

    who: Pseudonym
    stand_in: tuple[Pseudonym, ...]


@lazy_dataclass(frozen=True)
class FellowshipBegins(ChannelEffect):
    """After the close: post ``chunks``; the crosstalk ``mode`` of fellowship until ``ends_at``."""

    chunks: tuple[str, ...]
    ends_at: datetime
    mode: CrosstalkMode


# --- the floor --------------------------------------------------------------------------------


class GivenBy(StrEnum):
    QUEUE = "queue"  # next raised hand
    ROUND = "round"  # their turn in the round
    PICKED = "picked"  # the chair called on them
    TAGGED = "tagged"  # the previous sharer named them
    SPEAKER = "speaker"  # the speaker of a speaker section


class EndedBy(StrEnum):
    DONE = "done"
    PASSED = "passed"
    TIME = "time"  # the format's at-limit action (next / hand back)
    CHAIR = "chair"  # the chair called the next sharer
    TAGGED = "tagged"
    SECTION_ENDED = "section_ended"
    LEFT = "left"


class FloorWaits(StrEnum):
    HANDS = "hands"  # nobody is waiting: "raise your hand if you'd like to share"
    CHAIR = "chair"  # the chair calls on the next sharer (chair picks, tag, hand back)
    ROUND = "round"  # a round with nobody in it yet: "press Join the round"


class HandDropped(StrEnum):
    ONLY_NOT_YET_SHARED = "only_not_yet_shared"  # this part is for those who haven't shared


@lazy_dataclass(frozen=True)
class ShareNoteAt:
    at: datetime
    text: str


@lazy_dataclass(frozen=True)
class FloorGiven(ChannelEffect):
    """``who`` has the floor. Tell them privately and in the channel; show ``limit_at`` as a live
    ``<t:…:R>``. ``notes`` are the warnings still to come (the core sends each when due);
    with ``self_timed`` the countdown and notes are private to the sharer."""

    index: int
    who: Pseudonym
    how: GivenBy
    limit_at: datetime | None
    notes: tuple[ShareNoteAt, ...]
    self_timed: bool


@lazy_dataclass(frozen=True)
class FloorEnded(ChannelEffect):
    index: int
    who: Pseudonym
    why: EndedBy


@lazy_dataclass(frozen=True)
class FloorFree(ChannelEffect):
    """Nobody has the floor: invite hands, or ask the chair to call on someone."""

    index: int
    waits_for: FloorWaits


@lazy_dataclass(frozen=True)
class ShareExtended(ChannelEffect):
    index: int
    who: Pseudonym
    limit_at: datetime


@lazy_dataclass(frozen=True)
class ShareNote(ChannelEffect):
    """A share warning in the group's words; post privately to ``who`` when ``private``."""

    index: int
    who: Pseudonym
    text: str
    private: bool


@lazy_dataclass(frozen=True)
class TimeUp(ChannelEffect):
    """Limit + grace reached: carry out ``action``'s message. The floor already moved (``NEXT``)
    or went back to the chair (``HAND_BACK``); with ``NOTE`` the sharer finishes in their own
    time. ``said`` is true when a "time" note was already posted (then say nothing more for
    ``NOTE``)."""

    index: int
    who: Pseudonym
    action: AtLimit
    said: bool
    private: bool


@lazy_dataclass(frozen=True)
class PhaseBegins(ChannelEffect):
    """Turn-taking changes inside the section (e.g. "now for those who haven't shared")."""

    index: int
    phase: int
    order: Order
    sharers: Sharers


@lazy_dataclass(frozen=True)
class HandLowered(ChannelEffect):
    """The core lowered ``who``'s hand; tell them privately and kindly why."""

    who: Pseudonym
    why: HandDropped


# --- BUSINESS lane: live business meetings (bot/runtime/business says these in the room) --------


@lazy_dataclass(frozen=True)
class AgendaItemSkipped(ChannelEffect):
    """An agenda item led by a role nobody holds today, whose fallback is ``skip``: it is left
    for next time, and the room is told so (never dropped silently)."""

    index: int
    item: int
    title: str
    role: str


# --- ROOM lane: floor orders, private declarations and the chair's tools ----------------------


class ChairTool(StrEnum):
    SKIPPED = "skipped"  # the chair skipped the rest of a part
    BACK = "back"  # the chair went back to the part before


@lazy_dataclass(frozen=True)
class ChairMoved(ChannelEffect):
    """The chair used a tool the room should know about: ``index`` is the section it left."""

    tool: ChairTool
    index: int
    title: str


@lazy_dataclass(frozen=True)
class HandsCleared(ChannelEffect):
    """A sharing section ended with ``count`` hands still up: they are lowered (no names)."""

    index: int
    count: int


Effect = MeetingDeadlineEffect | ChannelEffect


# --- TIME lane: the countdown, awaited moments, running late and placeholders have their
# effects in bot/core/meeting/time_effects.py (this module is at its size limit).
