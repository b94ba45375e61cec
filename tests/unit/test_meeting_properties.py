"""Hypothesis properties of the meeting core: the stored state round-trips through JSON, and no
sequence of operations, deadlines and clock jumps raises anything but ``MeetingError``."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.formats import builtin_formats, load_builtin_format
from bot.core.formats.plan import CompiledFormat
from bot.core.meeting import MeetingState, SectionStep, Status
from bot.core.meeting.codec import decode
from bot.core.meeting.effects import MeetingDeadlineKind, MeetingError
from bot.core.pseudonyms import Pseudonym
from bot.core.sharing import Floor, Member, Turn
from tests.unit.test_meeting_harness import MEMBERS, Meeting

PLANS: dict[str, CompiledFormat] = {name: load_builtin_format(name) for name in builtin_formats()}
FAST = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# --- arbitrary states ------------------------------------------------------------------------

zones = st.sampled_from(
    [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-7))]
)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=zones
)
maybe_moments = st.none() | moments
names = st.text(max_size=12)
pseudonyms = names.map(Pseudonym)
counts = st.integers(min_value=0, max_value=10_000)
flags = st.booleans()


def tuples(items: st.SearchStrategy[object]) -> st.SearchStrategy[tuple[object, ...]]:
    return st.lists(items, max_size=5).map(tuple)


turns = st.builds(
    Turn,
    number=counts,
    who=pseudonyms,
    started_at=moments,
    limit_at=maybe_moments,
    over_at=maybe_moments,
    notes_sent=counts,
    time_up=flags,
)
floors = st.builds(
    Floor,
    members=tuples(st.builds(Member, pseudonyms, flags, counts, flags)),
    hands=tuples(pseudonyms),
    active=flags,
    phase=counts,
    round=tuples(pseudonyms),
    had_turn=tuples(pseudonyms),
    rounds_done=counts,
    turns_here=counts,
    turn=st.none() | turns,
    called=st.none() | pseudonyms,
    with_chair=flags,
    winding_down=flags,
    paused=flags,
    finished=flags,
    turns_given=counts,
)
steps = st.builds(
    SectionStep,
    index=counts,
    run=counts,
    started_at=moments,
    box_at=maybe_moments,
    anchor_at=maybe_moments,
    jump_to=st.none() | counts,
    box_up=flags,
    anchor_up=flags,
    option=st.none() | counts,
    choosing=flags,
    readers=tuples(pseudonyms),
    chair_read=flags,
    part=counts,
    part_box_at=maybe_moments,
    part_up=flags,
)
states = st.builds(
    MeetingState,
    format_name=names,
    section_count=counts,
    number=counts,
    started_at=moments,
    planned_end=moments,
    status=st.sampled_from(Status),
    step=st.none() | steps,
    history=tuples(counts),
    runs=counts,
    answers=tuples(st.tuples(names, flags)),
    switches=tuples(st.tuples(names, flags)),
    roles=tuples(st.tuples(names, pseudonyms)),
    floor=floors,
    notes_sent=tuples(counts),
    explained=st.integers(min_value=-1, max_value=50),
    paused_at=maybe_moments,
    reached_closing=flags,
    ended_at=maybe_moments,
)


@settings(max_examples=150, deadline=None, database=None)
@given(states)
def test_any_state_round_trips_through_json(state: MeetingState) -> None:
    text = state.to_json()
    assert MeetingState.from_json(text) == state
    assert MeetingState.from_dict(state.to_dict()) == state


@pytest.mark.parametrize(
    "damaged",
    [
        "not json",
        "[]",
        '{"format_name": 1}',
        '{"version": 99}',
        '{"format_name": "x", "section_count": 1, "number": 1, "started_at": "2025-03-04T19:00",'
        ' "planned_end": "2025-03-04T20:00+00:00"}',
    ],
)
def test_a_damaged_row_is_refused_with_value_error(damaged: str) -> None:
    with pytest.raises(ValueError):
        MeetingState.from_json(damaged)


def test_the_codec_refuses_what_it_does_not_know() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        decode(float, 1.5)
    with pytest.raises(ValueError, match="whole number"):
        decode(int, True)


# --- any sequence of operations --------------------------------------------------------------

people = st.integers(min_value=0, max_value=len(MEMBERS) - 1)
operations = st.one_of(
    st.tuples(
        st.sampled_from(
            ["advance", "back", "pause", "resume", "end", "read_by_chair", "call_next"]
        ),
        st.just(0),
        st.just(0),
    ),
    st.tuples(
        st.sampled_from(
            ["raise_hand", "lower_hand", "join", "leave", "pass_turn", "done", "pick", "take"]
        ),
        people,
        st.integers(min_value=0, max_value=1),
    ),
    st.tuples(st.just("tag"), people, people),
    st.tuples(st.just("answer"), st.integers(0, 1), st.integers(0, 1)),
    st.tuples(st.just("choose"), st.just(0), st.integers(-1, 3)),
    st.tuples(st.just("extend"), st.just(0), st.sampled_from([-5, 0, 45, 600, 4000])),
    st.tuples(st.just("wait"), st.just(0), st.integers(min_value=0, max_value=1200)),
    st.tuples(st.just("fire"), st.integers(0, 5), st.integers(0, 20)),
    st.tuples(st.just("roles"), people, st.integers(0, 1)),
)


def perform(meeting: Meeting, name: str, first: int, second: int) -> None:
    who, other = MEMBERS[first % len(MEMBERS)], MEMBERS[second % len(MEMBERS)]
    if name == "wait":
        meeting.wait(second)
    elif name == "fire":
        kinds = list(MeetingDeadlineKind)
        meeting.fire(kinds[first % len(kinds)], f"s{second}.box")
        for kind, key in list(meeting.armed)[:1]:
            meeting.fire(kind, key)  # early, or due
    elif name == "answer":
        section = meeting.section()
        question = section.question.id if section and section.question else "nothing"
        meeting.call("answer_question", question if first else "other", bool(second))
    elif name == "choose":
        meeting.call("choose_text", second)
    elif name == "extend":
        meeting.call("extend", second)
    elif name == "take":
        meeting.call("take_reading", who)
    elif name == "tag":
        meeting.call("tag", who, other)
    elif name == "roles":
        meeting.call("set_role_holders", "speaker", [who] if second else [])
    elif name in {"raise_hand", "join"}:
        meeting.call(name, who, first_time=bool(second))
    elif name in {"lower_hand", "leave", "pass_turn", "done", "pick"}:
        meeting.call(name, who)
    else:
        meeting.call(name)


@FAST
@given(
    st.sampled_from(sorted(PLANS)),
    st.lists(st.tuples(st.sampled_from(["chair", "speaker"]), people), max_size=3),
    st.lists(operations, max_size=35),
)
def test_no_sequence_of_operations_raises_anything_but_meeting_error(
    format_id: str,
    roles: list[tuple[str, int]],
    steps: list[tuple[str, int, int]],
) -> None:
    holders: dict[str, list[Pseudonym]] = {}
    for role, person in roles:
        holders.setdefault(role, []).append(MEMBERS[person])
    meeting = Meeting(PLANS[format_id], roles=holders)
    for name, first, second in steps:
        with contextlib.suppress(MeetingError):
            perform(meeting, name, first, second)
        state = meeting.state
        floor = state.floor
        if floor.turn is not None:
            assert floor.turn.who not in floor.hands
            assert floor.active
        assert len(set(floor.hands)) == len(floor.hands)
        if state.status is Status.ENDED:
            assert floor == Floor()
            assert state.roles == ()
            assert meeting.armed == {}
    meeting.wait(6 * 3600)
