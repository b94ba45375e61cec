"""Exclusions: 1 or 2 held meetings, a calendar backstop, and nothing kept afterwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.decisions import (
    MAX_BACKSTOP,
    Exclusion,
    TooEarly,
    backstop_due,
    is_excluded,
    lift,
    meeting_closed,
    meeting_held,
)
from bot.core.decisions.effects import (
    ApplyExclusion,
    CancelDeadline,
    DeadlineKind,
    DeleteConcernsAbout,
    DeleteExclusion,
    RemoveExclusion,
    SendWelcomeBack,
    StartExclusion,
)
from bot.core.pseudonyms import Pseudonym

NOW = datetime(2025, 3, 3, 19, 0, tzinfo=UTC)
MEMBER = Pseudonym("member")


def begin(meetings: int, next_meeting: int = 8) -> Exclusion:
    return Exclusion.begin(
        MEMBER, meetings, next_meeting=next_meeting, now=NOW, backstop=timedelta(days=30)
    )


@pytest.mark.parametrize("meetings", [-1, 0, 3, 10, True])
def test_the_cap_of_two_meetings_is_enforced_by_the_value(meetings: int) -> None:
    with pytest.raises(ValueError, match="1 to 2 meetings"):
        begin(meetings)


def test_the_backstop_is_capped_and_positive() -> None:
    with pytest.raises(ValueError, match="backstop"):
        Exclusion(MEMBER, 1, 8, NOW, NOW + MAX_BACKSTOP + timedelta(seconds=1))
    with pytest.raises(ValueError, match="backstop"):
        Exclusion(MEMBER, 1, 8, NOW, NOW)


def test_times_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone"):
        Exclusion(MEMBER, 1, 8, NOW.replace(tzinfo=None), NOW.replace(tzinfo=None))
    with pytest.raises(ValueError, match="timezone"):
        is_excluded([], MEMBER, NOW.replace(tzinfo=None))


def test_lifting_removes_the_overwrite_welcomes_back_and_deletes_everything() -> None:
    assert lift(begin(1)) == [
        DeleteExclusion(MEMBER),
        CancelDeadline(DeadlineKind.EXCLUSION_BACKSTOP, MEMBER),
        DeleteConcernsAbout(MEMBER),
        RemoveExclusion(MEMBER),
        SendWelcomeBack(MEMBER),
    ]


def test_one_meeting_exclusion_lifts_after_the_next_held_meeting() -> None:
    exclusion = begin(1, next_meeting=8)
    later = NOW + timedelta(days=2)
    assert meeting_held(exclusion, 7, later) == (exclusion, [])  # the one under way at the vote
    assert meeting_held(exclusion, 8, later) == (None, lift(exclusion))


def test_two_meeting_exclusion_lifts_after_the_second() -> None:
    exclusion = begin(2, next_meeting=8)
    assert meeting_held(exclusion, 8, NOW + timedelta(days=7)) == (exclusion, [])
    assert meeting_held(exclusion, 8, NOW + timedelta(days=7)) == (exclusion, [])  # repeated
    assert meeting_held(exclusion, 9, NOW + timedelta(days=14))[0] is None


def test_the_backstop_lifts_when_the_group_stops_meeting() -> None:
    exclusion = begin(2)
    with pytest.raises(TooEarly) as early:
        backstop_due(exclusion, NOW + timedelta(days=29))
    assert early.value.due == NOW + timedelta(days=30)
    assert backstop_due(exclusion, NOW + timedelta(days=30)) == lift(exclusion)
    assert meeting_held(exclusion, 8, NOW + timedelta(days=31))[0] is None


def test_a_member_who_leaves_and_rejoins_is_still_excluded() -> None:
    exclusions = [begin(1)]
    assert is_excluded(exclusions, MEMBER, NOW + timedelta(days=3))
    assert not is_excluded(exclusions, Pseudonym("someone-else"), NOW)
    assert not is_excluded(exclusions, MEMBER, NOW + timedelta(days=30))  # backstop passed


def test_decided_during_a_meeting_it_starts_when_that_meeting_closes() -> None:
    waiting = Exclusion.begin(
        MEMBER, 1, next_meeting=8, now=NOW, backstop=timedelta(days=30), after_meeting=41
    )
    later = NOW + timedelta(hours=1)
    assert not waiting.started
    assert not is_excluded([waiting], MEMBER, later)  # they stay in the meeting under way
    assert meeting_held(waiting, 8, later) == (waiting, [])  # that meeting counting does not lift
    assert meeting_closed(waiting, 40, 8, later) == (waiting, [])  # another meeting's close
    started, effects = meeting_closed(waiting, 41, 8, later)
    assert (started.started, started.first_meeting) == (True, 9)  # the next one to start
    assert effects == [StartExclusion(MEMBER, 41, 9), ApplyExclusion(MEMBER)]
    assert is_excluded([started], MEMBER, later)
    assert meeting_closed(started, 41, 8, later) == (started, [])  # a repeat changes nothing
    assert meeting_held(started, 8, later) == (started, [])
    assert meeting_held(started, 9, later) == (None, lift(started))


def test_a_meeting_that_did_not_count_still_starts_it_with_the_next() -> None:
    waiting = Exclusion.begin(
        MEMBER, 1, next_meeting=8, now=NOW, backstop=timedelta(days=30), after_meeting=41
    )
    started, _ = meeting_closed(waiting, 41, 7, NOW)  # closed early: still 7 meetings held
    assert started.first_meeting == 8
    assert meeting_held(started, 8, NOW)[0] is None  # one meeting, not two
