"""The schedule core by example: the words a secretary types, the refusals, and the daylight-saving
days in New York (a 19:00 meeting stays 19:00; 02:30 on the spring change is held at 03:30; 01:30
on the autumn change is the first 01:30)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.core.schedule import (
    MonthlyNth,
    Recurring,
    Schedule,
    ScheduleError,
    Weekly,
    describe_meetings,
    next_occurrences,
    parse_date,
    parse_local,
    parse_meetings,
    parse_time,
    split_zone,
)
from bot.core.schedule.stored import StoredSchedule, describe, normalise
from bot.i18n import render

TODAY = date(2026, 12, 6)  # a Sunday
NEW_YORK = ZoneInfo("America/New_York")
KNOWN = {"america/new_york": "America/New_York", "asia/kolkata": "Asia/Kolkata"}


def zones(raw: str) -> str | None:
    return KNOWN.get(raw.lower())


@pytest.mark.parametrize(
    ("words", "canonical"),
    [
        ("Tuesdays 19:00", "Tuesdays at 19:00"),
        ("tuesday at 7pm", "Tuesdays at 19:00"),
        ("Tue & Thu 7:30 p.m.", "Tuesdays and Thursdays at 19:30"),
        ("Mon, Wed, Fri 12:00", "Mondays, Wednesdays and Fridays at 12:00"),
        ("every other Thursday 7pm", "every 2 weeks on Thursdays at 19:00 from 2026-11-30"),
        ("fortnightly on Saturday 10am", "every 2 weeks on Saturdays at 10:00 from 2026-11-30"),
        ("first Monday of the month 18:30", "the first Monday of the month at 18:30"),
        ("2nd and 4th Thursday 6:30 pm", "the second and fourth Thursday of the month at 18:30"),
        ("last Friday 20:00", "the last Friday of the month at 20:00"),
        ("Tuesdays 19:00; Saturdays noon", "Tuesdays at 19:00; Saturdays at 12:00"),
        (
            "daily 08:00",
            "Mondays, Tuesdays, Wednesdays, Thursdays, Fridays, Saturdays and Sundays at 08:00",
        ),
    ],
)
def test_plain_words_are_read_and_written_back(words: str, canonical: str) -> None:
    meetings = parse_meetings(words, TODAY)
    assert describe_meetings(meetings) == canonical
    assert parse_meetings(canonical, date(2000, 1, 1)) == meetings


@pytest.mark.parametrize(
    ("words", "says"),
    [
        ("Tuesdays", "add the time"),
        ("19:00", "Which day"),
        ("Tuesdays 7", "morning or the evening"),
        ("Tuesdays 25:00", "isn't a time of day"),
        ("Tuesdaze 19:00", "didn't understand `tuesdaze`"),
        ("Tuesdays 19:00 20:00", "separate them with `;`"),
        ("first Monday and Tuesday 19:00", "one weekday"),
        ("", "say when the group meets"),
    ],
)
def test_what_cant_be_read_is_said_kindly(words: str, says: str) -> None:
    with pytest.raises(ScheduleError, match=None) as refused:
        parse_meetings(words, TODAY)
    assert says in str(refused.value)


def test_times_dates_and_zones() -> None:
    assert parse_time("7:05am") == time(7, 5)
    assert parse_time("12am") == time(0, 0)
    assert parse_time("12 pm".replace(" ", "")) == time(12, 0)
    assert parse_date("25 December", TODAY) == date(2026, 12, 25)
    assert parse_date("Dec 1st", TODAY) == date(2027, 12, 1)  # passed this year: next year's
    assert parse_date("2027-01-05", TODAY) == date(2027, 1, 5)
    with pytest.raises(ScheduleError, match="isn't a date"):
        parse_date("31 February 2027", TODAY)
    with pytest.raises(ScheduleError, match="couldn't read"):
        parse_date("12/25/2026", TODAY)
    assert parse_local("27 December 7pm", TODAY) == datetime(2026, 12, 27, 19, 0)
    assert split_zone("Tuesdays 19:00 America/New_York") == ("Tuesdays 19:00", "America/New_York")
    assert split_zone("Tuesdays 19:00") == ("Tuesdays 19:00", None)


def test_a_new_york_evening_meeting_stays_at_seven_across_both_changes() -> None:
    schedule = Schedule(parse_meetings("Tuesdays 19:00", TODAY), "America/New_York")
    spring = next_occurrences(schedule, NEW_YORK, datetime(2027, 3, 3, tzinfo=UTC), 2)
    assert [o.at for o in spring] == [
        datetime(2027, 3, 10, 0, 0, tzinfo=UTC),  # 19:00 EST (UTC-5)
        datetime(2027, 3, 16, 23, 0, tzinfo=UTC),  # 19:00 EDT (UTC-4), after 14 March
    ]
    autumn = next_occurrences(schedule, NEW_YORK, datetime(2027, 11, 1, tzinfo=UTC), 2)
    assert [o.at.hour for o in autumn] == [23, 0]


def test_the_change_day_itself_is_handled_on_purpose() -> None:
    schedule = Schedule(parse_meetings("Sundays 02:30; Sundays 01:30", TODAY), "America/New_York")
    gap, fold = (
        next_occurrences(schedule, NEW_YORK, datetime(2027, 3, 14, 5, tzinfo=UTC), 2),
        next_occurrences(schedule, NEW_YORK, datetime(2027, 11, 7, 4, tzinfo=UTC), 2),
    )
    # 02:30 doesn't exist on 14 March 2027: held at 03:30 new time (07:30 UTC), said so.
    assert gap[1].local == datetime(2027, 3, 14, 2, 30)
    assert gap[1].shifted
    assert gap[1].at == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)
    # 01:30 happens twice on 7 November 2027: the first (summer time, UTC-4), once.
    assert fold[0].at == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)
    assert fold[1].at == datetime(2027, 11, 7, 7, 30, tzinfo=UTC)  # 02:30 EST, not a second 01:30


def test_a_kolkata_meeting_is_at_its_half_hour() -> None:
    schedule = Schedule(parse_meetings("Tuesdays 19:00", TODAY), "Asia/Kolkata")
    (first,) = next_occurrences(
        schedule, ZoneInfo("Asia/Kolkata"), datetime(2026, 12, 6, tzinfo=UTC)
    )
    assert first.at == datetime(2026, 12, 8, 13, 30, tzinfo=UTC)


def test_the_stored_form_and_its_changes() -> None:
    kept = StoredSchedule().changed(
        "schedule", normalise("schedule", "Tue 7pm America/New_York", TODAY, zones)
    )
    assert (kept.meetings, kept.zone) == ("Tuesdays at 19:00", "America/New_York")
    kept = kept.changed("skip", normalise("skip", "Dec 8", TODAY, zones))
    kept = kept.changed("extra", normalise("extra", "2026-12-10 18:00", TODAY, zones))
    kept = kept.changed("timezone", normalise("timezone", "asia/kolkata", TODAY, zones))
    assert StoredSchedule.from_json(kept.to_json()) == kept
    schedule = kept.schedule()
    assert schedule.skips == {date(2026, 12, 8)}
    assert schedule.meetings == (Recurring(Weekly((1,)), time(19, 0)),)
    found = next_occurrences(
        schedule, ZoneInfo("Asia/Kolkata"), datetime(2026, 12, 6, tzinfo=UTC), 2
    )
    assert [o.local for o in found] == [datetime(2026, 12, 10, 18), datetime(2026, 12, 15, 19)]
    assert kept.tidied(date(2026, 12, 11)).skips == ()
    assert render("en", describe("skip", "2026-12-25")) == (
        "have no meeting on Friday 25 December 2026"
    )
    assert render("es", describe("skip", "2026-12-25")) == (
        "no tenga reunión el viernes 25 de diciembre de 2026"
    )
    with pytest.raises(ScheduleError, match="don't know a time zone") as refused:
        normalise("timezone", "Mars/Olympus", TODAY, zones)
    assert render("fr", refused.value.words).startswith(
        "Je ne connais pas de fuseau horaire appelé `Mars/Olympus`."
    )
    with pytest.raises(ScheduleError, match="already passed"):
        normalise("skip", "2026-12-01", TODAY, zones)


def test_monthly_rules() -> None:
    last = MonthlyNth(4, (-1,))
    assert last.matches(date(2027, 1, 29))
    assert not last.matches(date(2027, 1, 22))
    assert MonthlyNth(0, (1, 3)).matches(date(2027, 3, 15))
