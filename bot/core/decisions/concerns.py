"""Concerns: private, kind notes that give a member the chance to change.

A member asks the bot to send another member a note about one of the group's guidelines (a key
from the list the format declares; there is no free text, so nothing is ever written about a
person). The bot keeps only the :class:`Concern` — target, requester, meeting number, guideline
key — and counts concerns without content.

Rules:

* one concern per requester, per member, per meeting; never about yourself;
* none about a member who is sitting out meetings (they are not there to be noted);
* a concern recorded at meeting ``m`` counts while fewer than ``concern_expiry_meetings``
  meetings have been held since (default 6) and is deleted after (:func:`expire`) — and, even
  if the group stops meeting, 90 days after it was recorded (the runtime stores that time; the
  hourly retention sweep deletes it);
* all concerns about a member are deleted when an exclusion of theirs lifts, and when a vote to
  exclude them fails: each exclusion proposal needs fresh chances to change.

The meeting number of a concern is the meeting in progress, or the last meeting held when none
is in progress (0 before the first).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from bot.core.decisions.effects import DeleteConcernsBefore, Effect, SendConcernNote
from bot.core.decisions.errors import ChancesMissing, DecisionRefusal, Refused
from bot.core.decisions.exclusion import Exclusion
from bot.core.decisions.exclusions import is_excluded
from bot.core.decisions.settings import DecisionSettings
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym


@lazy_dataclass(frozen=True)
class Concern:
    target: Pseudonym
    requester: Pseudonym
    meeting: int
    guideline: str


def record_concern(
    concerns: Iterable[Concern],
    new: Concern,
    *,
    guidelines: Collection[str],
    exclusions: Iterable[Exclusion],
    now: datetime,
) -> tuple[Concern, list[Effect]]:
    """Check ``new`` against the rules. Returns it (insert it) and the note to send."""
    if new.guideline not in guidelines:
        raise Refused(DecisionRefusal.UNKNOWN_GUIDELINE)
    if new.target == new.requester:
        raise Refused(DecisionRefusal.ABOUT_YOURSELF)
    if new.meeting < 0:
        raise ValueError("meeting numbers are not negative")
    if is_excluded(exclusions, new.target, now):
        raise Refused(DecisionRefusal.MEMBER_EXCLUDED)
    for old in concerns:
        if (old.target, old.requester, old.meeting) == (new.target, new.requester, new.meeting):
            raise Refused(DecisionRefusal.DUPLICATE_CONCERN)
    return new, [SendConcernNote(new.target, new.guideline)]


def is_current(concern: Concern, latest_meeting: int, expiry_meetings: int) -> bool:
    """Still counts: fewer than ``expiry_meetings`` meetings held since it was recorded."""
    return latest_meeting - concern.meeting < expiry_meetings


def current_about(
    concerns: Iterable[Concern], target: Pseudonym, latest_meeting: int, expiry_meetings: int
) -> list[Concern]:
    return [
        c for c in concerns if c.target == target and is_current(c, latest_meeting, expiry_meetings)
    ]


def expire(
    concerns: Iterable[Concern], latest_meeting: int, settings: DecisionSettings
) -> tuple[tuple[Concern, ...], list[Effect]]:
    """After a meeting is held: keep the concerns that still count, delete the rest."""
    expiry = settings.concern_expiry_meetings
    kept = tuple(c for c in concerns if is_current(c, latest_meeting, expiry))
    return kept, [DeleteConcernsBefore(latest_meeting - expiry + 1)]


@lazy_dataclass(frozen=True)
class Chances:
    """The chances to change a member has had: current concerns, from whom, at which meetings."""

    concerns: int
    requesters: int
    meetings: int

    @classmethod
    def about(
        cls, concerns: Iterable[Concern], target: Pseudonym, latest_meeting: int, expiry: int
    ) -> Chances:
        current = current_about(concerns, target, latest_meeting, expiry)
        return cls(
            concerns=len(current),
            requesters=len({c.requester for c in current}),
            meetings=len({c.meeting for c in current}),
        )

    def missing(self, settings: DecisionSettings) -> ChancesMissing | None:
        """What is still lacking before an exclusion may be proposed; None when nothing is."""
        lacking = ChancesMissing(
            concerns=max(0, settings.min_concerns - self.concerns),
            requesters=max(0, settings.min_concern_requesters - self.requesters),
            meetings=max(0, settings.min_concern_meetings - self.meetings),
        )
        return None if lacking == ChancesMissing(0, 0, 0) else lacking


def guidelines_raised(
    concerns: Iterable[Concern], target: Pseudonym, latest_meeting: int, expiry: int
) -> tuple[str, ...]:
    """The guideline keys of the current concerns about ``target`` (for the notice), sorted."""
    return tuple(
        sorted({c.guideline for c in current_about(concerns, target, latest_meeting, expiry)})
    )
