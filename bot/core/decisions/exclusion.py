"""An exclusion: a group's decision that a member sits out one or two meetings. Pure data with
its invariants; what starts and lifts it is in :mod:`bot.core.decisions.exclusions`."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.decisions._time import require_aware
from bot.core.decisions.settings import MAX_BACKSTOP, MAX_EXCLUSION_MEETINGS
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym


@lazy_dataclass(frozen=True)
class Exclusion:
    target: Pseudonym
    meetings: int  # 1 or 2
    first_meeting: int  # number of the first held meeting it covers
    began_at: datetime
    ends_by: datetime  # calendar backstop
    #: The id of the meeting under way when the group decided: the exclusion starts when that
    #: meeting closes (``first_meeting`` is fixed then). None: it has started.
    after_meeting: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.meetings, bool) or not 1 <= self.meetings <= MAX_EXCLUSION_MEETINGS:
            raise ValueError(f"an exclusion lasts 1 to {MAX_EXCLUSION_MEETINGS} meetings")
        if self.first_meeting < 1:
            raise ValueError("meetings are numbered from 1")
        require_aware(self.began_at)
        require_aware(self.ends_by)
        if not timedelta(0) < self.ends_by - self.began_at <= MAX_BACKSTOP:
            raise ValueError(f"the backstop is at most {MAX_BACKSTOP.days} days after the start")

    @classmethod
    def begin(
        cls,
        target: Pseudonym,
        meetings: int,
        *,
        next_meeting: int,
        now: datetime,
        backstop: timedelta,
        after_meeting: int | None = None,
    ) -> Exclusion:
        """An exclusion decided now. ``next_meeting`` is the number the next meeting to *start*
        will carry. Decided while a meeting is under way (``after_meeting``, its id), it starts
        when that meeting closes: the member stays in it, and ``first_meeting`` is fixed then."""
        return cls(target, meetings, next_meeting, now, now + backstop, after_meeting)

    @property
    def started(self) -> bool:
        """False while it waits for the meeting under way when it was decided to close."""
        return self.after_meeting is None

    @property
    def last_meeting(self) -> int:
        return self.first_meeting + self.meetings - 1

    def in_force(self, now: datetime) -> bool:
        """False once the backstop has passed, even if the lift has not been carried out yet."""
        return now < self.ends_by

    def applies(self, now: datetime) -> bool:
        """Is the member sitting out now (started, and the backstop not passed)?"""
        return self.started and self.in_force(now)
