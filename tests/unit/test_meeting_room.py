"""The room in the core: floor orders (chair picks, tag, rounds to join), hands lowered when a
sharing part ends, private declarations held in memory only, the chair's skip and back, and the
panel's list of members. The state is kept in memory between operations, as the runtime does
(declarations never reach the stored JSON)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.core.formats import load_builtin_format
from bot.core.formats.plan import Order, ShareTimer, Sharing, TurnTaking
from bot.core.meeting import Chooser, MeetingRunner, MeetingSetup, MeetingState
from bot.core.meeting.effects import (
    ChairMoved,
    ChairTool,
    ChannelEffect,
    Effect,
    FloorFree,
    FloorGiven,
    FloorWaits,
    GivenBy,
    HandsCleared,
    MeetingError,
    MeetingRefusal,
    PostSection,
)
from bot.core.pseudonyms import Pseudonym
from bot.core.sharing import (
    Declarations,
    Floor,
    FloorRules,
    close_floor,
    join,
    open_floor,
    raise_hand,
)

T0 = datetime(2025, 3, 4, 19, 0, tzinfo=UTC)
CHAIR, A, B, C, D = (Pseudonym(f"p-{n}") for n in "cabde")


class Room:
    """A meeting kept in memory like the runtime keeps it (declarations included)."""

    def __init__(self, format_id: str) -> None:
        self.runner = MeetingRunner(load_builtin_format(format_id))
        self.now = T0
        self.state, self.effects = self.runner.start(T0, MeetingSetup(1, {"chair": [CHAIR]}))

    def __call__(self, operation: str, *args: Any, **kwargs: Any) -> tuple[Effect, ...]:
        self.now += timedelta(seconds=5)
        method = getattr(self.runner, operation)
        self.state, self.effects = method(self.state, *args, self.now, **kwargs)
        return self.effects

    def said(self, kind: type[ChannelEffect]) -> list[Any]:
        return [e for e in self.effects if isinstance(e, kind)]

    def choices(self) -> tuple[Chooser, list[Pseudonym]]:
        chooser, choices = self.runner.choices(self.state)
        members = self.state.floor.members
        assert all(members[i].who == who for i, who in choices)  # indexes into the members
        return chooser, [who for _, who in choices]


def rules(order: Order, **phase: Any) -> FloorRules:
    sharing_rules = Sharing((TurnTaking(order, **phase),), ShareTimer(180))
    return FloorRules(section=2, sharing=sharing_rules, counts=True)


# --- chair picks -----------------------------------------------------------------------------


def test_chair_picks_waits_for_the_chair_and_first_timers_lead_the_list() -> None:
    room = Room("chair-picks-discussion")
    room("advance")
    room("declare", B, first_time=True)
    room("raise_hand", A)
    room("raise_hand", B)
    assert room.state.floor.turn is None  # nobody shares until the chair calls on them
    assert room.choices() == (Chooser.CHAIR, [B, A])  # the first-timer first
    room("call_on", B, waiting_only=True)
    (given,) = room.said(FloorGiven)
    assert (given.who, given.how) == (B, GivenBy.PICKED)
    room("done", B)
    assert room.said(FloorFree)[0].waits_for is FloorWaits.CHAIR
    room("lower_hand", A)
    with pytest.raises(MeetingError) as refused:
        room("call_on", A, waiting_only=True)  # chosen from a list shown before the hand went down
    assert refused.value.reason is MeetingRefusal.NO_LONGER_WAITING


def test_someone_who_would_rather_listen_is_never_called_on() -> None:
    room = Room("chair-picks-discussion")
    room("advance")
    room("raise_hand", A)
    room("declare", A, listening=True)
    assert room.state.floor.hands == ()
    assert room.choices() == (Chooser.NOBODY, [])
    with pytest.raises(MeetingError) as refused:
        room("call_on", A)
    assert refused.value.reason is MeetingRefusal.NOT_AVAILABLE


# --- tag -------------------------------------------------------------------------------------


def test_the_sharer_invites_the_next_from_the_list_and_only_the_sharer() -> None:
    room = Room("tag-meeting")
    room("advance")
    for who in (A, B, C):
        room("raise_hand", who)
    room("declare", C, listening=True)
    room("call_on", A)
    assert room.choices() == (Chooser.SHARER, [B])  # not the sharer, not who'd rather listen
    with pytest.raises(MeetingError) as refused:
        room(
            "invite",
            B,
            C,
        )
    assert refused.value.reason is MeetingRefusal.NOT_YOUR_TURN
    with pytest.raises(MeetingError) as refused:
        room("invite", A, C)
    assert refused.value.reason is MeetingRefusal.NOT_AVAILABLE
    room("invite", A, D)  # /tag reaches someone who never raised a hand
    (given,) = room.said(FloorGiven)
    assert (given.who, given.how) == (D, GivenBy.TAGGED)


# --- rounds ----------------------------------------------------------------------------------


def test_a_round_is_everyone_present_in_the_order_they_came_without_hands() -> None:
    room = Room("check-in-round")
    room.state = room.runner.seated(room.state, [CHAIR, A, B, C])
    room("declare", B, listening=True)
    room("raise_hand", D)  # before the round: D is in it, and no hand stays up
    room("advance")
    assert room.said(FloorGiven)[0].who == CHAIR
    assert room.state.floor.hands == ()
    assert room.state.floor.round == (A, C, D)  # B would rather listen
    assert room.choices() == (Chooser.NOBODY, [])  # a round goes by itself
    stored = room.state.to_json()
    assert B not in stored  # neither the listener nor the declaration is stored
    assert "declared" not in json.loads(stored)


def test_a_round_nobody_is_in_yet_asks_to_join_it() -> None:
    floor, effects = open_floor(Floor(), rules(Order.ROUND), T0)
    assert [e.waits_for for e in effects if isinstance(e, FloorFree)] == [FloorWaits.ROUND]
    floor, effects = join(floor, rules(Order.ROUND), A, T0, first_time=False)
    assert floor.turn is not None
    assert floor.turn.who == A


# --- hands lowered when a part ends ----------------------------------------------------------


def test_hands_still_up_are_lowered_when_a_sharing_part_ends_but_not_a_speakers() -> None:
    hands = rules(Order.CHAIR_PICKS)
    floor, _ = open_floor(Floor(), hands, T0)
    for who in (A, B):
        floor, _ = raise_hand(floor, hands, who, T0, first_time=False)
    closed, effects = close_floor(floor, hands, T0)
    assert closed.hands == ()
    assert [e for e in effects if isinstance(e, HandsCleared)] == [HandsCleared(2, 2)]
    speaker = FloorRules(2, hands.sharing, counts=True, single=True, speaker=C)
    kept, effects = close_floor(floor, speaker, T0)
    assert kept.hands == (A, B)  # raised during the speaker, for the sharing after
    assert not any(isinstance(e, HandsCleared) for e in effects)


# --- the chair's tools -----------------------------------------------------------------------


def test_skip_and_back_are_told_to_the_room_first() -> None:
    room = Room("tag-meeting")
    effects = room("skip")
    channel = [e for e in effects if isinstance(e, ChannelEffect)]
    assert channel[0] == ChairMoved(ChairTool.SKIPPED, 0, "Welcome")
    assert room.said(PostSection)[0].title == "Sharing"
    effects = room("go_back")
    channel = [e for e in effects if isinstance(e, ChannelEffect)]
    assert channel[0] == ChairMoved(ChairTool.BACK, 1, "Sharing")
    assert room.said(PostSection)[0].title == "Welcome"
    room("pause")
    with pytest.raises(MeetingError) as refused:
        room("skip")
    assert refused.value.reason is MeetingRefusal.PAUSED


# --- declarations are never stored ---------------------------------------------------------


def test_declarations_live_in_memory_only_and_a_stored_row_never_holds_them() -> None:
    room = Room("chair-picks-discussion")
    room("declare", A, first_time=True)
    room("declare", B, listening=True)
    assert room.state.declared.first_time == (A,)
    stored = room.state.to_json()
    assert A not in stored
    assert B not in stored
    back = MeetingState.from_json(stored)
    assert back.declared == Declarations()  # after a restart, nobody declared anything
    data = json.loads(stored)
    data["declared"] = {"first_time": [A]}
    with pytest.raises(ValueError, match="privately"):
        MeetingState.from_dict(data)
    room("declare", B, listening=False)
    assert room.state.declared.listening == ()
