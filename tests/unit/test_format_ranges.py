"""A share limit written as a range, ``3m-5m`` / ``3–5 minutes``: the share may last up to the
top of the range, and the gentle note comes at the bottom — in the meeting itself."""

from __future__ import annotations

import pytest

from bot.core.formats import FormatError, load_format
from bot.core.formats.describe import preview_lines
from bot.core.meeting.effects import ChannelEffect, FloorGiven, ShareNote, TimeUp
from tests.unit.test_meeting_harness import MEMBERS, T0, Meeting

A = MEMBERS[1]


def ranged(limit: str, extra: str = "") -> str:
    return f"""\
format: 1
name: Ranges
length: 30m
share:
  limit: {limit}
{extra}sections:
  - share: The floor is open.
    until: end - 5m
  - closing: Thank you for coming.
"""


@pytest.mark.parametrize("written", ["3m-5m", "3–5 minutes", "3 to 5 minutes", "3m — 5m"])
def test_a_range_is_a_limit_at_its_top_and_a_note_at_its_bottom(written: str) -> None:
    plan = load_format(ranged(written))
    timer = plan.sections[0].sharing.timer  # type: ignore[union-attr]
    assert timer.limit_seconds == 300
    assert [w.offset_seconds for w in timer.warnings] == [-120, 0]


def test_in_the_meeting_the_note_comes_at_three_minutes_and_time_at_five() -> None:
    meeting = Meeting(ranged("3m-5m"))
    meeting.call("raise_hand", A)
    given = meeting.seen(FloorGiven)[0]
    assert given.limit_at is not None
    start = given.limit_at.timestamp() - 300
    meeting.wait(6 * 60)
    steps = [
        (round(t + T0.timestamp() - start), e)
        for t, e in meeting.seen_at(ChannelEffect)
        if isinstance(e, ShareNote | TimeUp)
    ]
    assert [(t, type(e).__name__) for t, e in steps] == [
        (180, "ShareNote"),
        (300, "ShareNote"),
        (300, "TimeUp"),
    ]
    gentle = steps[0][1]
    assert isinstance(gentle, ShareNote)
    assert "No rush" in gentle.text
    assert "minute" not in gentle.text  # true even when a busy meeting shortens the share


def test_the_groups_own_words_at_the_bottom_of_the_range_are_kept() -> None:
    extra = "  warn:\n    - at: 2m\n      say: Two minutes left, friend.\n    - time\n"
    plan = load_format(ranged("3m-5m", extra))
    timer = plan.sections[0].sharing.timer  # type: ignore[union-attr]
    assert next((w.offset_seconds, w.text) for w in timer.warnings) == (
        -120,
        "Two minutes left, friend.",
    )
    assert len(timer.warnings) == 2


@pytest.mark.parametrize("written", ["5m-3m", "3m-3m", "0m-5m", "3-5", "three to five"])
def test_a_range_that_is_not_one_is_explained(written: str) -> None:
    with pytest.raises(FormatError):
        load_format(ranged(written))


def test_a_note_that_would_come_as_the_share_starts_is_left_out() -> None:
    extra = "  when-busy:\n    - waiting: 1\n      limit: 2m\n"
    meeting = Meeting(ranged("3m-5m", extra))
    meeting.call("raise_hand", A)  # nobody waiting: 5 minutes
    meeting.call("raise_hand", MEMBERS[2])
    meeting.call("raise_hand", MEMBERS[3])
    meeting.call("done", A)  # one still waiting after B: B has 2 minutes
    meeting.clear_log()
    meeting.wait(90)
    assert meeting.panel().sharer == MEMBERS[2]
    assert not meeting.seen(ShareNote)  # no "bring it home" the moment a share begins
    meeting.wait(40)
    assert [n.text for n in meeting.seen(ShareNote)] == [
        "That's time — thank you. Take a moment to finish your thought."
    ]


def test_the_preview_says_a_range_as_a_range() -> None:
    lines = preview_lines(load_format(ranged("3m-5m")))
    assert "Planned for 30 minutes; shares 3–5 minutes; no crosstalk." in lines
    assert any(line.strip().startswith("Each share is 3–5 minutes;") for line in lines)
    assert not any("up to 5 minutes" in line for line in lines)
    # A single limit still reads "up to"; a range in seconds says both ends in full.
    assert "shares up to 5 minutes;" in "\n".join(preview_lines(load_format(ranged("5m"))))
    odd = "\n".join(preview_lines(load_format(ranged("90s-2m"))))
    assert "shares 1 minute 30 seconds to 2 minutes;" in odd
