"""Exclusions: a member sits out the next 1 or 2 meetings that are held, never longer.

An :class:`Exclusion` is created only by a carried exclusion vote. A vote that closes while a
meeting is under way does not take the member out of it: the exclusion waits for that meeting to
close (:func:`meeting_closed`, counted or not), and "the next meeting" is the next one to start
after it. It covers the held meetings
numbered ``first_meeting`` … ``last_meeting`` (at most :data:`MAX_EXCLUSION_MEETINGS`), and a
calendar backstop ``ends_by`` (at most :data:`MAX_BACKSTOP` after it began) so a group that
stops meeting cannot exclude anyone indefinitely. It lifts at whichever comes first:

* the runner reports the held meeting ``last_meeting`` (or a later one): :func:`meeting_held`;
* the backstop deadline fires: :func:`backstop_due`;
* the group welcomes the member back early by a majority vote (``proposals.close_voting``).

Lifting (:func:`lift`) removes the overwrite, sends a welcome back, and deletes every row about
it: the exclusion, the backstop deadline, and any concern about the member (the proposal row
was deleted when the vote closed). Concerns from before an exclusion thus never count towards
a new one, and nothing about it remains afterwards. If a welcome-back proposal about the member
is still open when the exclusion lifts on its own, the runtime cancels it
(``proposals.cancel(…, CancelReason.EXCLUSION_ENDED, …)``).

The cap is an invariant of the value: constructing an exclusion of 0, 3 or more meetings, or
with a backstop beyond the maximum, raises ``ValueError``. The database should carry the same
``CHECK``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from bot.core.decisions._time import require_aware
from bot.core.decisions.effects import (
    ApplyExclusion,
    CancelDeadline,
    DeadlineKind,
    DeleteConcernsAbout,
    DeleteExclusion,
    Effect,
    RemoveExclusion,
    SendWelcomeBack,
    StartExclusion,
)
from bot.core.decisions.errors import TooEarly
from bot.core.decisions.exclusion import Exclusion
from bot.core.pseudonyms import Pseudonym


def is_excluded(exclusions: Iterable[Exclusion], who: Pseudonym, now: datetime) -> bool:
    """Is ``who`` sitting out now? The runtime asks this when a member (re)joins the server or
    the group, and re-applies the overwrite if so."""
    require_aware(now)
    return any(e.target == who and e.applies(now) for e in exclusions)


def lift(exclusion: Exclusion) -> list[Effect]:
    """End the exclusion: welcome the member back and delete everything about it."""
    target = exclusion.target
    return [
        DeleteExclusion(target),
        CancelDeadline(DeadlineKind.EXCLUSION_BACKSTOP, target),
        DeleteConcernsAbout(target),
        RemoveExclusion(target),
        SendWelcomeBack(target),
    ]


def meeting_held(
    exclusion: Exclusion, meeting: int, now: datetime
) -> tuple[Exclusion | None, list[Effect]]:
    """The runner reports that meeting number ``meeting`` was held.

    Returns ``(None, lift effects)`` when the exclusion is over, ``(exclusion, [])`` otherwise
    (always while it waits for the meeting it was decided in to close). Reporting the same
    meeting twice is harmless.
    """
    require_aware(now)
    if not exclusion.started:
        return exclusion, []
    if meeting >= exclusion.last_meeting or not exclusion.in_force(now):
        return None, lift(exclusion)
    return exclusion, []


def meeting_closed(
    exclusion: Exclusion, meeting_id: int, held: int, now: datetime
) -> tuple[Exclusion, list[Effect]]:
    """The meeting with id ``meeting_id`` closed, counted or not, ``held`` meetings having been
    held by then. An exclusion decided during it starts now: it covers the next meeting(s) to
    start, and the member's channel closes. Reporting the same close twice is harmless."""
    require_aware(now)
    if exclusion.after_meeting != meeting_id:
        return exclusion, []
    started = replace(exclusion, after_meeting=None, first_meeting=held + 1)
    return started, [
        StartExclusion(exclusion.target, meeting_id, started.first_meeting),
        ApplyExclusion(exclusion.target),
    ]


def backstop_due(exclusion: Exclusion, now: datetime) -> list[Effect]:
    """The calendar backstop fired: lift. Raises :class:`TooEarly` if it fired before time."""
    require_aware(now)
    if exclusion.in_force(now):
        raise TooEarly(exclusion.ends_by)
    return lift(exclusion)
