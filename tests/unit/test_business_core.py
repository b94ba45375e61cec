"""The pure core of live business meetings: a motion's life (moved, seconded by another member,
discussed, voted), withdraw and table, motions to table, elections, and the count by the
format's threshold and quorum; and an agenda item skipped for want of its role is said."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core import business as core
from bot.core.business import BusinessError, Kind, Outcome, Refusal, Stage
from bot.core.formats import load_builtin_format
from bot.core.formats.plan import Term, TermUnit, Threshold
from bot.core.meeting.effects import AgendaItemSkipped, PostAgendaItem
from bot.core.pseudonyms import Pseudonym
from tests.unit.test_meeting_harness import Meeting
from tests.unit.test_meeting_sections import SECTIONS

NOW = datetime(2026, 3, 4, 19, 0, tzinfo=UTC)
ANA, BO, CY = Pseudonym("a" * 64), Pseudonym("b" * 64), Pseudonym("c" * 64)
MAJORITY = Threshold(Fraction(1, 2), strictly_more=True)
TWO_THIRDS = Threshold(Fraction(2, 3), strictly_more=False)


def moved(*, second_required: bool = True, discussion: int | None = 600) -> core.Matter:
    return core.move(
        "motion-1",
        ANA,
        meeting=1,
        section=2,
        item=3,
        second_required=second_required,
        discussion_seconds=discussion,
        now=NOW,
    )


def refused(reason: Refusal) -> pytest.RaisesContext[BusinessError]:
    return pytest.raises(BusinessError, match=f"^{reason.value}$")


def test_a_motion_is_moved_seconded_by_another_member_discussed_and_voted() -> None:
    motion = moved()
    assert (motion.kind, motion.stage, motion.mover) == (Kind.MOTION, Stage.MOVED, ANA)
    with refused(Refusal.OWN_MOTION):
        core.second(motion, ANA, discussion_seconds=600, now=NOW)  # nobody acts alone
    with refused(Refusal.NOT_YET):
        core.open_ballot(motion, voting_seconds=120, now=NOW)
    seconded = core.second(motion, BO, discussion_seconds=600, now=NOW)
    assert (seconded.stage, seconded.seconder) == (Stage.DISCUSSION, BO)
    assert seconded.until == NOW + timedelta(minutes=10)
    with refused(Refusal.SECONDED):
        core.second(seconded, CY, discussion_seconds=600, now=NOW)
    voting = core.open_ballot(seconded, voting_seconds=120, now=NOW)
    assert (voting.stage, voting.until) == (Stage.VOTING, NOW + timedelta(minutes=2))
    with refused(Refusal.VOTING):
        core.open_ballot(voting, voting_seconds=120, now=NOW)
    done = core.decided(voting)
    assert (done.stage, done.mover, done.seconder) == (Stage.DECIDED, None, None)


def test_without_a_second_required_a_motion_is_discussed_at_once() -> None:
    motion = moved(second_required=False, discussion=None)
    assert (motion.stage, motion.until, motion.seconder) == (Stage.DISCUSSION, None, None)


def test_only_the_mover_withdraws_and_only_before_the_vote() -> None:
    motion = core.second(moved(), BO, discussion_seconds=None, now=NOW)
    with refused(Refusal.NOT_THE_MOVER):
        core.withdraw(motion, BO)
    core.withdraw(motion, ANA)  # allowed: nothing raised
    voting = core.open_ballot(motion, voting_seconds=60, now=NOW)
    with refused(Refusal.TOO_LATE):
        core.withdraw(voting, ANA)
    with refused(Refusal.TOO_LATE):
        core.table(voting)
    with refused(Refusal.GONE):
        core.withdraw(core.decided(voting), ANA)


def test_a_motion_to_table_needs_a_seconded_motion_and_goes_to_the_ballot_undiscussed() -> None:
    with refused(Refusal.NOT_YET):
        core.may_be_tabled(moved())
    main = core.second(moved(), BO, discussion_seconds=600, now=NOW)
    core.may_be_tabled(main)
    to_table = core.move(
        "table-1",
        CY,
        meeting=1,
        section=2,
        item=3,
        second_required=True,
        discussion_seconds=600,
        now=NOW,
        tables=main.id,
    )
    assert (to_table.kind, to_table.tables) == (Kind.TO_TABLE, "motion-1")
    seconded = core.second(to_table, ANA, discussion_seconds=600, now=NOW)
    assert seconded.until is None  # not discussed: its ballot opens at once
    with refused(Refusal.GONE):
        core.may_be_tabled(seconded)  # no motion to table a motion to table


def test_an_election_takes_candidates_then_a_ballot() -> None:
    election = core.election("election-1", "secretary", meeting=1, section=2, item=4)
    with refused(Refusal.NO_CANDIDATES):
        core.open_ballot(election, voting_seconds=60, now=NOW)
    with refused(Refusal.NOT_STANDING):
        core.stand_down(election, ANA)
    election = core.stand(core.stand(election, ANA), BO)
    with refused(Refusal.ALREADY_STANDING):
        core.stand(election, ANA)
    election = core.stand_down(election, ANA)
    assert election.candidates == (BO,)
    voting = core.open_ballot(core.stand(election, CY), voting_seconds=60, now=NOW)
    assert voting.candidates == (BO, CY)
    with refused(Refusal.VOTING):
        core.stand(voting, ANA)
    full = core.election("election-2", "secretary", meeting=1, section=2, item=4)
    for n in range(core.MAX_CANDIDATES):
        full = core.stand(full, Pseudonym(f"{n:064d}"))
    with refused(Refusal.FULL):
        core.stand(full, ANA)


def test_a_motion_is_counted_by_the_threshold_of_yes_and_no_and_the_quorum() -> None:
    ballots = ["yes"] * 3 + ["no"] * 2 + ["abstain"] * 4
    carried = core.count_motion(ballots, MAJORITY, quorum=5)
    assert (carried.outcome, carried.yes, carried.no, carried.abstain) == (
        Outcome.CARRIED,
        3,
        2,
        4,
    )
    # "two-thirds for format changes": 3 of 5 is not enough.
    assert core.count_motion(ballots, TWO_THIRDS, quorum=5).outcome is Outcome.FAILED
    assert core.count_motion(["yes"] * 4 + ["no"] * 2, TWO_THIRDS, 5).outcome is Outcome.CARRIED
    # A tie does not carry a majority; abstentions count towards the quorum only.
    assert core.count_motion(["yes", "no", "abstain"], MAJORITY, None).outcome is Outcome.FAILED
    short = core.count_motion(["yes"] * 4, MAJORITY, quorum=5)
    assert (short.outcome, short.cast) == (Outcome.NO_QUORUM, 4)


def test_an_election_elects_the_one_with_the_most_votes_within_the_rules() -> None:
    won = core.count_election(["c1", "c1", "c0", "abstain"], 2, MAJORITY, quorum=3)
    assert (won.outcome, won.winner, won.votes, won.abstain) == (Outcome.ELECTED, 1, (1, 2), 1)
    tie = core.count_election(["c0", "c1"], 2, MAJORITY, None)
    assert (tie.outcome, tie.tie, tie.winner) == (Outcome.NOT_ELECTED, True, None)
    short = core.count_election(["c0", "c0"], 2, MAJORITY, quorum=3)
    assert short.outcome is Outcome.NO_QUORUM
    three = core.count_election(["c0"] * 3 + ["c1"] * 2 + ["c2"] * 2, 3, MAJORITY, None)
    assert (three.outcome, three.tie) == (Outcome.NOT_ELECTED, False)  # 3 of 7 is no majority
    assert core.count_election(["abstain"], 1, MAJORITY, None).outcome is Outcome.NOT_ELECTED


def test_a_ballot_choice_must_be_on_the_ballot() -> None:
    assert core.parse_choice("yes", 0) == "yes"
    assert core.parse_choice("c1", 2) == "c1"
    for bad, places in (("c0", 0), ("c2", 2), ("yes", 2), ("maybe", 0)):
        with refused(Refusal.NOT_A_CANDIDATE):
            core.parse_choice(bad, places)


@given(st.lists(st.sampled_from(["yes", "no", "abstain"]), max_size=40))
def test_a_count_adds_up_and_names_nobody(ballots: list[str]) -> None:
    result = core.count_motion(ballots, MAJORITY, quorum=3)
    assert result.yes + result.no + result.abstain == result.cast == len(ballots)
    if result.outcome is Outcome.CARRIED:
        assert result.yes > result.no
        assert result.cast >= 3


def test_a_term_in_months_ends_on_the_same_day_or_the_months_last() -> None:
    assert core.term_ends(date(2026, 3, 4), Term(6, TermUnit.MONTHS)) == date(2026, 9, 4)
    assert core.term_ends(date(2026, 8, 31), Term(6, TermUnit.MONTHS)) == date(2027, 2, 28)
    assert core.term_ends(date(2026, 3, 4), Term(4, TermUnit.MEETINGS)) is None


def test_a_term_in_months_ends_at_midnight_where_the_group_is() -> None:
    """Counted from the group's own date today, to midnight in its time zone (not UTC's)."""
    two = Term(2, TermUnit.MONTHS)
    # 03:00 UTC on 15 January is still the 14th, 19:00, in Los Angeles.
    la = ZoneInfo("America/Los_Angeles")
    ends = core.term_ends_at(datetime(2027, 1, 15, 3, tzinfo=UTC), two, la)
    assert ends == datetime(2027, 3, 14, tzinfo=la)
    assert ends is not None
    assert ends.astimezone(UTC) == datetime(2027, 3, 14, 8, tzinfo=UTC)
    # 12:00 UTC on 15 January is already the 16th, 01:00, in Auckland.
    auckland = ZoneInfo("Pacific/Auckland")
    ends = core.term_ends_at(datetime(2027, 1, 15, 12, tzinfo=UTC), two, auckland)
    assert ends is not None
    assert ends.astimezone(UTC) == datetime(2027, 3, 15, 11, tzinfo=UTC)
    # A group with no schedule counts in UTC; a term in meetings has no end date.
    ends = core.term_ends_at(datetime(2027, 1, 15, 3, tzinfo=UTC), two, UTC)
    assert ends == datetime(2027, 3, 15, tzinfo=UTC)
    assert (
        core.term_ends_at(datetime(2027, 1, 15, tzinfo=UTC), Term(4, TermUnit.MEETINGS), UTC)
        is None
    )


def test_an_agenda_item_skipped_for_want_of_its_role_is_said() -> None:
    meeting = Meeting(SECTIONS)
    for _ in range(4):
        meeting.call("advance")
    assert meeting.seen(AgendaItemSkipped) == [
        AgendaItemSkipped(3, 0, "Treasurer's report", "treasurer")
    ]
    assert [item.title for item in meeting.seen(PostAgendaItem)] == ["Minutes"]


def test_the_built_in_business_meeting_elects_its_secretary() -> None:
    plan = load_builtin_format("business-meeting")
    rules = next(s.business for s in plan.sections if s.business is not None)
    elections = [item for item in rules.agenda if item.elect]
    assert [(item.elect, item.term) for item in elections] == [("secretary", None)]
    assert plan.role("secretary") is not None
    assert rules.voting_seconds == 120
    assert rules.quorum == 5
