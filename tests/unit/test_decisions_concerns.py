"""Concerns — the chances to change — and the due-process settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from bot.core.decisions import (
    MAJORITY,
    Chances,
    ChancesMissing,
    Concern,
    DecisionRefusal,
    DecisionSettings,
    Exclusion,
    Refused,
    Threshold,
    expire,
    record_concern,
)
from bot.core.decisions.concerns import current_about, guidelines_raised
from bot.core.decisions.effects import DeleteConcernsBefore, SendConcernNote
from bot.core.pseudonyms import Pseudonym

NOW = datetime(2025, 3, 3, 19, 0, tzinfo=UTC)
GUIDELINES = ("sharing-time", "crosstalk", "respectful-language")
MEMBER, ANA, BO, CY = (Pseudonym(p) for p in ("member", "ana", "bo", "cy"))
DEFAULTS = DecisionSettings()


def record(
    concerns: list[Concern],
    requester: Pseudonym,
    meeting: int,
    exclusions: tuple[Exclusion, ...] = (),
) -> Concern:
    new = Concern(MEMBER, requester, meeting, "crosstalk")
    kept, effects = record_concern(
        concerns, new, guidelines=GUIDELINES, exclusions=exclusions, now=NOW
    )
    assert effects == [SendConcernNote(MEMBER, "crosstalk")]
    concerns.append(kept)
    return kept


def test_a_concern_sends_a_note_and_keeps_only_pseudonyms_meeting_and_guideline() -> None:
    concerns: list[Concern] = []
    kept = record(concerns, ANA, 4)
    assert kept == Concern(MEMBER, ANA, 4, "crosstalk")


def test_one_concern_per_requester_per_member_per_meeting() -> None:
    concerns: list[Concern] = []
    record(concerns, ANA, 4)
    with pytest.raises(Refused) as refused:
        record(concerns, ANA, 4)
    assert refused.value.reason is DecisionRefusal.DUPLICATE_CONCERN
    record(concerns, ANA, 5)
    record(concerns, BO, 4)


@pytest.mark.parametrize(
    ("concern", "reason"),
    [
        (Concern(MEMBER, MEMBER, 1, "crosstalk"), DecisionRefusal.ABOUT_YOURSELF),
        (Concern(MEMBER, ANA, 1, "be quiet, Dave"), DecisionRefusal.UNKNOWN_GUIDELINE),
    ],
)
def test_refused_concerns(concern: Concern, reason: DecisionRefusal) -> None:
    with pytest.raises(Refused) as refused:
        record_concern([], concern, guidelines=GUIDELINES, exclusions=(), now=NOW)
    assert refused.value.reason is reason


def test_no_concern_about_a_member_who_is_sitting_out() -> None:
    exclusion = Exclusion(MEMBER, 1, 8, NOW - timedelta(days=1), NOW + timedelta(days=20))
    with pytest.raises(Refused) as refused:
        record([], ANA, 7, exclusions=(exclusion,))
    assert refused.value.reason is DecisionRefusal.MEMBER_EXCLUDED


def test_concerns_expire_after_the_set_number_of_meetings() -> None:
    concern = Concern(MEMBER, ANA, 3, "crosstalk")
    assert current_about([concern], MEMBER, 8, 6) == [concern]  # 5 meetings since
    assert current_about([concern], MEMBER, 9, 6) == []  # 6 meetings since: expired
    kept, effects = expire([concern], 9, DEFAULTS)
    assert kept == ()
    assert effects == [DeleteConcernsBefore(4)]
    kept, _ = expire([concern], 8, DEFAULTS)
    assert kept == (concern,)


def test_chances_need_two_concerns_from_two_members_at_two_meetings() -> None:
    def missing(*concerns: Concern) -> ChancesMissing | None:
        return Chances.about(concerns, MEMBER, 10, 6).missing(DEFAULTS)

    assert missing() == ChancesMissing(concerns=2, requesters=2, meetings=2)
    same_person = (Concern(MEMBER, ANA, 8, "crosstalk"), Concern(MEMBER, ANA, 9, "crosstalk"))
    assert missing(*same_person) == ChancesMissing(concerns=0, requesters=1, meetings=0)
    same_meeting = (Concern(MEMBER, ANA, 9, "crosstalk"), Concern(MEMBER, BO, 9, "crosstalk"))
    assert missing(*same_meeting) == ChancesMissing(concerns=0, requesters=0, meetings=1)
    enough = (Concern(MEMBER, ANA, 8, "crosstalk"), Concern(MEMBER, BO, 9, "sharing-time"))
    assert missing(*enough) is None
    stale = (Concern(MEMBER, ANA, 2, "crosstalk"), Concern(MEMBER, BO, 9, "crosstalk"))
    assert missing(*stale) == ChancesMissing(concerns=1, requesters=1, meetings=1)
    other = (Concern(ANA, BO, 8, "crosstalk"), Concern(ANA, CY, 9, "crosstalk"))
    assert missing(*other) == ChancesMissing(concerns=2, requesters=2, meetings=2)


def test_a_group_may_require_more_chances() -> None:
    stricter = DecisionSettings(min_concerns=3, min_concern_requesters=3, min_concern_meetings=2)
    enough_by_default = (Concern(MEMBER, ANA, 8, "crosstalk"), Concern(MEMBER, BO, 9, "crosstalk"))
    assert Chances.about(enough_by_default, MEMBER, 10, 6).missing(stricter) == ChancesMissing(
        concerns=1, requesters=1, meetings=0
    )


def test_guidelines_raised_are_the_current_concerns_keys() -> None:
    concerns = (
        Concern(MEMBER, ANA, 8, "sharing-time"),
        Concern(MEMBER, BO, 9, "crosstalk"),
        Concern(MEMBER, CY, 9, "crosstalk"),
        Concern(MEMBER, CY, 1, "respectful-language"),  # expired
    )
    assert guidelines_raised(concerns, MEMBER, 10, 6) == ("crosstalk", "sharing-time")


@pytest.mark.parametrize(
    "changes",
    [
        {"min_concerns": 0},
        {"min_concern_requesters": 0},
        {"min_concern_meetings": 0},
        {"quorum": 0},
        {"concern_expiry_meetings": 1},  # shorter than the 2 meetings concerns must span
        {"hearing": timedelta(minutes=5)},
        {"voting": timedelta(0)},
        {"second_within": timedelta(seconds=-1)},
        {"statement_max_chars": 0},
        {"statement_max_chars": 5000},
        {"voter_min_days": -1},
        {"exclusion_threshold": Threshold(Fraction(65, 100))},
        {"exclusion_threshold": MAJORITY},
        {"backstop": timedelta(days=61)},
        {"backstop": timedelta(0)},
    ],
)
def test_settings_below_the_floors_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        DecisionSettings(**changes)  # type: ignore[arg-type]


def test_a_group_may_set_a_higher_threshold() -> None:
    DecisionSettings(exclusion_threshold=Threshold(Fraction(3, 4)))
    with pytest.raises(ValueError, match="majority"):
        DecisionSettings(change_threshold=Threshold(Fraction(1, 2), strict=False))
