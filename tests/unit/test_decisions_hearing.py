"""When voting on an exclusion may open (bot/core/decisions/hearing.py): never before the member
could read the notice, never later than the longest wait for one who can't, and a "look again"
time always in the future (so a deadline never spins)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.core.decisions.hearing import NOTICE_WAIT, NoticeState, unread, voting_may_open

T0 = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)
HEARING = timedelta(hours=12)
PLANNED = T0 + HEARING
HOURS = st.floats(min_value=0, max_value=24 * 10, allow_nan=False)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def may_open(state: NoticeState, now: datetime, heard: datetime | None = None) -> datetime | None:
    return voting_may_open(
        state, planned=PLANNED, hearing=HEARING, heard_at=heard, waiting_since=T0, now=now
    )


def test_delivered_privately_opens_as_planned() -> None:
    assert may_open(NoticeState.PRIVATE, at(11), heard=T0) == PLANNED
    assert may_open(NoticeState.PRIVATE, PLANNED, heard=T0) is None


def test_read_late_gets_a_whole_hearing_from_then() -> None:
    assert may_open(NoticeState.READ, at(20), heard=at(18)) == at(30)
    assert may_open(NoticeState.READ, at(30), heard=at(18)) is None
    assert may_open(NoticeState.READ, at(11), heard=at(-1)) == PLANNED  # never shorter


def test_unread_waits_48_hours_at_most() -> None:
    assert may_open(NoticeState.ASKED, at(12)) == at(13)  # looks again within the hour
    assert may_open(NoticeState.ASKED, at(47.5)) == T0 + NOTICE_WAIT
    assert may_open(NoticeState.ASKED, T0 + NOTICE_WAIT) is None
    assert may_open(NoticeState.PENDING, T0 + NOTICE_WAIT) is None
    assert unread(NoticeState.ASKED)
    assert not unread(NoticeState.READ)


def test_nobody_to_tell_opens_as_planned() -> None:
    assert may_open(NoticeState.UNREACHABLE, at(11)) == PLANNED
    assert may_open(NoticeState.UNREACHABLE, PLANNED) is None


@given(st.sampled_from(list(NoticeState)), HOURS, HOURS)
def test_it_never_opens_early_and_always_looks_forward(
    state: NoticeState, now_h: float, heard_h: float
) -> None:
    now, heard = at(now_h), at(heard_h)
    later = may_open(state, now, heard=heard if state.could_read else None)
    if later is not None:
        assert later > now  # progress: the deadline is re-armed in the future
        return
    assert now >= PLANNED  # never before the planned end of the hearing
    if state.could_read:
        assert now >= heard + HEARING
    if unread(state):
        assert now >= T0 + NOTICE_WAIT
