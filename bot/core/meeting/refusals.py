"""Why the meeting core refuses a request, and the durable deadlines it asks for.

Re-exported by :mod:`bot.core.meeting.effects` (where the rest of the effects live): use them
from there.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from bot.core.lazy_dataclasses import lazy_dataclass

# --- refusals ---------------------------------------------------------------------------------


class MeetingRefusal(StrEnum):
    """Why a meeting request was refused. The cogs turn each into kind, private words."""

    ENDED = "ended"  # the meeting is over
    PAUSED = "paused"  # resume first
    NOT_PAUSED = "not_paused"
    WRONG_FORMAT = "wrong_format"  # the plan passed is not the one this meeting was started with
    NOTHING_BEFORE = "nothing_before"  # back from the first section
    NO_QUESTION = "no_question"  # no such question is waiting for an answer
    NO_CHOICE = "no_choice"  # no text is waiting for the chair's choice
    BAD_OPTION = "bad_option"  # no such option
    NO_READING = "no_reading"  # no reading is on offer right now
    ALREADY_READING = "already_reading"  # this member already took a part of this reading
    NOT_SHARING_NOW = "not_sharing_now"  # a floor operation outside a sharing section
    NOT_YOUR_TURN = "not_your_turn"  # done / tag by someone who does not have the floor
    NOT_WAITING = "not_waiting"  # pass by someone who is neither sharing nor waiting
    PASS_NOT_ALLOWED = "pass_not_allowed"  # noqa: S105 — this section's format does not allow passing
    ONLY_NOT_YET_SHARED = "only_not_yet_shared"  # this part is for those who haven't shared
    NOT_TAG_MODE = "not_tag_mode"  # tag outside a section where sharers pick the next
    SAME_PERSON = "same_person"  # tagging yourself
    NOBODY_SHARING = "nobody_sharing"  # extend with nobody on the floor
    BAD_DURATION = "bad_duration"  # extend by nothing, or by more than an hour
    CHAIR_ASKED = "chair_asked"  # the chair was already asked whether they're still with us
    NO_CHAIR_TO_ASK = "no_chair_to_ask"  # nobody chairs: there is nobody to ask
    NOT_STOOD_IN_FOR = "not_stood_in_for"  # taking the chair back, but nobody stood in for you
    NO_LONGER_WAITING = "no_longer_waiting"  # the chair called on someone whose hand went down
    NOT_AVAILABLE = "not_available"  # invited someone who isn't here to share just now


class MeetingError(Exception):
    """The one error every meeting operation may raise: a request that cannot be done now.

    Nothing changed. ``reason`` says why, for the cog to word kindly; a duplicate click usually
    lands here (or is silently idempotent, for raising and lowering a hand).
    """

    def __init__(self, reason: MeetingRefusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


# --- timers -----------------------------------------------------------------------------------


class MeetingDeadlineKind(StrEnum):
    """The kinds of durable deadline a meeting uses. Register one handler for all of them."""

    SECTION = "meeting.section"  # the section's time box, silence length, or anchor
    ITEM = "meeting.item"  # a business agenda item's time box
    PHASE = "meeting.phase"  # the next turn-taking phase of a sharing section begins
    SHARE_NOTE = "meeting.share-note"  # a share warning ("about a minute left")
    SHARE_LIMIT = "meeting.share-limit"  # limit + grace: the format's at-limit action
    MEETING_NOTE = "meeting.note"  # a meeting-level time-left note
    CHAIR_CHECK = "meeting.chair-check"  # nobody answered "are you still with us?": hand over


@lazy_dataclass(frozen=True)
class MeetingDeadlineEffect:
    """Base of the durable-deadline effects, committed with the state."""


@lazy_dataclass(frozen=True)
class ArmMeetingDeadline(MeetingDeadlineEffect):
    """Insert or move the deadline ``(kind, key)``. ``at`` may be in the past: fire it at once."""

    kind: MeetingDeadlineKind
    key: str
    at: datetime


@lazy_dataclass(frozen=True)
class CancelMeetingDeadline(MeetingDeadlineEffect):
    kind: MeetingDeadlineKind
    key: str
