"""Properties of the schedule core across daylight-saving changes and in zones whose offset is not
a whole hour (Asia/Kolkata +5:30, Asia/Kathmandu +5:45, Australia/Lord_Howe with its 30-minute
change, Pacific/Chatham +12:45/+13:45)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.schedule import (
    LAST,
    MonthlyNth,
    Recurring,
    Schedule,
    Weekly,
    describe_meetings,
    next_occurrence,
    next_occurrences,
    parse_meetings,
)

ZONES = [
    "America/New_York",
    "Europe/London",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/St_Johns",
    "UTC",
]
FAST = settings(max_examples=60, deadline=None)

zones = st.sampled_from(ZONES)
# Times near the usual change hours (01:00-03:00) come up often.
times = st.one_of(
    st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
    st.builds(time, st.integers(0, 3), st.integers(0, 59)),
)
instants = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC)
)
weekly = st.builds(
    Weekly,
    st.sets(st.integers(0, 6), min_size=1).map(lambda s: tuple(sorted(s))),
    st.integers(1, 4),
    st.dates(date(2025, 1, 1), date(2027, 1, 1)),
)
monthly = st.builds(
    MonthlyNth,
    st.integers(0, 6),
    st.sets(st.sampled_from([1, 2, 3, 4, LAST]), min_size=1).map(
        lambda s: tuple(sorted(s, key=lambda n: 99 if n == LAST else n))
    ),
)
meetings = st.lists(st.builds(Recurring, st.one_of(weekly, monthly), times), min_size=1, max_size=3)


def schedule_of(items: list[Recurring], zone: str) -> Schedule:
    return Schedule(tuple(items), zone)


@FAST
@given(meetings, zones, instants)
def test_a_meeting_keeps_its_wall_clock_time_or_moves_past_a_gap(
    items: list[Recurring], zone_name: str, after: datetime
) -> None:
    zone = ZoneInfo(zone_name)
    found = next_occurrences(schedule_of(items, zone_name), zone, after, 6)
    assert found
    for occurrence in found:
        wall = occurrence.at.astimezone(zone).replace(tzinfo=None)
        if occurrence.shifted:
            # Held as far after the jump as it was into the gap (at most the change, 1 hour).
            assert timedelta(0) < wall - occurrence.local <= timedelta(hours=1)
        else:
            assert wall == occurrence.local
            # A time that happens twice: the first one.
            assert occurrence.at.astimezone(zone).fold == 0
        assert any(m.rule.matches(occurrence.local.date()) for m in items)
        assert occurrence.local.time() in {m.at for m in items}


@FAST
@given(meetings, zones, instants)
def test_occurrences_are_after_the_instant_in_order_and_one_by_one_the_same(
    items: list[Recurring], zone_name: str, after: datetime
) -> None:
    zone = ZoneInfo(zone_name)
    schedule = schedule_of(items, zone_name)
    found = next_occurrences(schedule, zone, after, 5)
    assert all(o.at > after for o in found)
    assert [o.at for o in found] == sorted({o.at for o in found})
    walked, at = [], after
    for _ in found:
        step = next_occurrence(schedule, zone, at)
        assert step is not None
        walked.append(step)
        at = step.at
    assert walked == found


@FAST
@given(weekly, times, zones, instants)
def test_no_meeting_day_is_missed(rule: Weekly, at: time, zone_name: str, after: datetime) -> None:
    zone = ZoneInfo(zone_name)
    found = next_occurrences(Schedule((Recurring(rule, at),), zone_name), zone, after, 4)
    days = {o.local.date() for o in found}
    first = after.astimezone(zone).date() + timedelta(days=1)
    day = first
    while day < found[-1].local.date():
        assert (day in days) == rule.matches(day)
        day += timedelta(days=1)


@FAST
@given(meetings, zones, instants, st.data())
def test_exceptions_skip_a_day_and_add_a_meeting(
    items: list[Recurring], zone_name: str, after: datetime, data: st.DataObject
) -> None:
    zone = ZoneInfo(zone_name)
    plain = next_occurrences(schedule_of(items, zone_name), zone, after, 3)
    skipped = data.draw(st.sampled_from(plain)).local.date()
    extra = datetime.combine(
        after.astimezone(zone).date() + timedelta(days=data.draw(st.integers(2, 40))), time(6, 5)
    )
    changed = Schedule(tuple(items), zone_name, frozenset({skipped}), (extra,))
    found = next_occurrences(changed, zone, after, 40)
    assert all(o.local.date() != skipped or o.extra for o in found)
    assert any(o.extra and o.local == extra for o in found) or found[-1].at < extra.replace(
        tzinfo=zone
    )


@FAST
@given(meetings)
def test_the_words_the_bot_writes_read_back_the_same(items: list[Recurring]) -> None:
    unique = tuple(dict.fromkeys(items))
    words = describe_meetings(unique)
    normalised = parse_meetings(words, date(2026, 1, 1))
    assert describe_meetings(normalised) == words
    assert len(normalised) == len(unique)
