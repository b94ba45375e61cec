"""The small phrases of the language: lengths of time, moments, notes, terms, thresholds, days."""

from __future__ import annotations

from fractions import Fraction

import pytest
from pydantic_core import PydanticCustomError

from bot.core.formats import parsing
from bot.core.formats.plan import Anchor, AnchorBase, Term, TermUnit


@pytest.mark.parametrize(
    ("written", "seconds"),
    [
        ("30s", 30),
        ("3m", 180),
        ("1h", 3600),
        ("90 seconds", 90),
        ("1 minute 30 seconds", 90),
        ("1 minute and 30 seconds", 90),
        ("1h30m", 5400),
        ("1.5m", 90),
        ("2 hours, 5 minutes", 7500),
        ("90 days", 90 * 86400),
        ("0", 0),
        (0, 0),
        (" 3 MINUTES ", 180),
    ],
)
def test_durations_as_people_write_them(written: object, seconds: int) -> None:
    assert parsing.parse_duration(written) == seconds


@pytest.mark.parametrize(
    ("written", "message"),
    [
        (3, "3 needs a unit"),
        ("3", "'3' needs a unit"),
        ("3 mins please", "is not a length of time"),
        ("5 parsecs", "'parsecs' is not a unit of time"),
        (True, "is not a length of time"),
        (None, "is not a length of time"),
        ([1], "is not a length of time"),
        ("999999 weeks", "far too long"),
    ],
)
def test_bad_durations_explain_themselves(written: object, message: str) -> None:
    with pytest.raises(PydanticCustomError) as caught:
        parsing.parse_duration(written)
    assert message in str(caught.value)
    assert caught.value.context
    assert caught.value.context["hint"]


@pytest.mark.parametrize(
    ("written", "anchor"),
    [
        ("end - 10m", Anchor(AnchorBase.END, -600)),
        ("10 minutes before the end", Anchor(AnchorBase.END, -600)),
        ("end", Anchor(AnchorBase.END, 0)),
        ("start + 45m", Anchor(AnchorBase.START, 2700)),
        ("45m after the start", Anchor(AnchorBase.START, 2700)),
        (":50", Anchor(AnchorBase.CLOCK, 0, 50)),
    ],
)
def test_anchors(written: str, anchor: Anchor) -> None:
    assert parsing.parse_anchor(written) == anchor


@pytest.mark.parametrize("written", ["end + 5m", "start - 5m", "soon", ":75", 50, "25:50", "19:5"])
def test_bad_anchors(written: object) -> None:
    with pytest.raises(PydanticCustomError):
        parsing.parse_anchor(written)


def test_anchor_resolution() -> None:
    assert Anchor(AnchorBase.END, -600).seconds_from_start(3600) == 3000
    assert Anchor(AnchorBase.CLOCK, 0, 50).seconds_from_start(3600) == 3000
    assert Anchor(AnchorBase.CLOCK, 0, 50).seconds_from_start(3600, start_minute=30) == 1200
    assert Anchor(AnchorBase.SECTION, 120).seconds_from_start(3600, section_start=600) == 720


@pytest.mark.parametrize(
    ("written", "offset"),
    [("1m", -60), ("1m left", -60), ("time", 0), (0, 0), ("30s over", 30), ("+30s", 30)],
)
def test_share_note_moments(written: object, offset: int) -> None:
    assert parsing.parse_warning_offset(written) == offset


def test_terms_and_thresholds() -> None:
    assert parsing.parse_term("4 meetings") == Term(4, TermUnit.MEETINGS)
    assert parsing.parse_term("1 month") == Term(1, TermUnit.MONTHS)
    with pytest.raises(PydanticCustomError):
        parsing.parse_term("forever")
    majority = parsing.parse_threshold("majority")
    assert not majority.passes(2, 2)
    assert majority.passes(3, 2)
    two_thirds = parsing.parse_threshold("two-thirds")
    assert two_thirds.passes(2, 1)
    assert not two_thirds.passes(3, 2)
    assert parsing.parse_threshold("60%").fraction == Fraction(3, 5)
    assert not parsing.parse_threshold("unanimous").passes(0, 0)
    with pytest.raises(PydanticCustomError):
        parsing.parse_threshold("most")


def test_calendar_names() -> None:
    assert parsing.parse_weekdays(["Mon", "friday"]) == frozenset({0, 4})
    assert parsing.parse_weeks(["first", "last", 3]) == frozenset({1, -1, 3})
    assert parsing.parse_months("december") == frozenset({12})
    with pytest.raises(PydanticCustomError):
        parsing.parse_weekdays("someday")
    with pytest.raises(PydanticCustomError):
        parsing.parse_months([])
