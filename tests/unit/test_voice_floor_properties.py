"""Hypothesis properties of floor control: whatever happens in the channel, including a crash
half-way through a wave of calls and voice states reported late by the gateway, every member
ends the section in the state they would have had without the bot, and no call is wasted while
the bot's view is current."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.voice_floor import (
    Change,
    RestorePlan,
    Room,
    VoiceFloor,
    end,
    give_floor,
    member_left,
    pace,
    restore,
)

MEMBERS = range(6)

events = st.lists(
    st.one_of(
        st.tuples(st.just("floor"), st.frozensets(st.sampled_from(MEMBERS), max_size=2)),
        st.tuples(st.just("join"), st.sampled_from(MEMBERS)),
        st.tuples(st.just("leave"), st.sampled_from(MEMBERS)),
        st.tuples(st.just("sync")),  # the gateway catches up
        st.tuples(
            st.just("crash"),
            st.frozensets(st.sampled_from(MEMBERS), max_size=2),
            st.integers(min_value=0, max_value=6),  # how many of the calls went out
        ),
    ),
    max_size=40,
)


class Channel:
    """The channel as Discord has it, and as it would be without the bot (``shadow``)."""

    def __init__(self, room: Room, initial: dict[int, bool], present: set[int], lag: bool) -> None:
        self.room = room
        self.lag = lag
        self.world = dict(initial)
        self.reported = dict(initial)  # what the gateway has told the bot so far
        self.shadow = dict(initial)
        self.present = set(present)

    def seen(self) -> dict[int, bool]:
        return {member: self.reported[member] for member in sorted(self.present)}

    def apply(self, changes: tuple[Change[int], ...] | list[Change[int]]) -> None:
        for change in changes:
            assert change.member in self.present, "Discord refuses changes to absent members"
            self.world[change.member] = change.silenced
        if not self.lag:
            self.sync()

    def sync(self) -> None:
        self.reported = dict(self.world)

    def join(self, member: int) -> None:
        self.present.add(member)
        if self.room is Room.STAGE:  # a stage is joined in the audience
            self.world[member] = self.shadow[member] = True
        self.reported[member] = self.world[member]


def merge(a: RestorePlan[int], b: RestorePlan[int]) -> RestorePlan[int]:
    assert not set(a.targets) & set(b.targets)
    return RestorePlan(a.room, {**a.targets, **b.targets})


@settings(max_examples=400, deadline=None)
@given(
    room=st.sampled_from(list(Room)),
    initial=st.lists(st.booleans(), min_size=len(MEMBERS), max_size=len(MEMBERS)),
    present=st.frozensets(st.sampled_from(MEMBERS)),
    events=events,
    lag=st.booleans(),
)
def test_every_member_gets_back_exactly_the_state_they_would_have_had(
    room: Room,
    initial: list[bool],
    present: frozenset[int],
    events: list[tuple[object, ...]],
    lag: bool,
) -> None:
    channel = Channel(room, dict(enumerate(initial)), set(present), lag)
    control = VoiceFloor[int](room)
    persisted = RestorePlan[int](room).to_json(str)
    pending = RestorePlan[int](room)
    speakers: frozenset[int] | None = None

    def floor(new_speakers: frozenset[int], sent: int | None = None) -> None:
        nonlocal control, persisted
        step = give_floor(control, channel.seen(), new_speakers)
        if step.plan_changed:
            persisted = step.control.restore_plan().to_json(str)  # before any call
        assert RestorePlan.from_json(persisted, int) == step.control.restore_plan()
        if not lag:  # minimal: nothing already in place is changed again
            for change in step.changes:
                assert channel.world[change.member] != change.silenced
        channel.apply(step.changes[:sent])
        control = step.control
        if sent is not None:
            return
        for member in sorted(channel.present):
            silenced = channel.world[member]
            if member not in new_speakers:
                assert silenced
            elif silenced:  # voice: only a mute someone else set stays on a speaker
                assert room is Room.VOICE
                assert channel.shadow[member]

    for event in events:
        kind = event[0]
        if kind == "floor":
            speakers = event[1]  # type: ignore[assignment]
            floor(speakers)  # type: ignore[arg-type]
        elif kind == "join" and event[1] not in channel.present:
            member: int = event[1]  # type: ignore[assignment]
            channel.join(member)
            if member in pending.targets:  # the runtime restores a pending member first
                back = restore(pending, {member: channel.reported[member]})
                channel.apply(back.changes)
                channel.sync()  # ... and its view includes the calls it made (no control now)
                pending = back.pending
            if speakers is not None:
                floor(speakers)
        elif kind == "leave" and event[1] in channel.present:
            channel.present.discard(event[1])
            left = member_left(control, event[1])
            if left.plan_changed:
                persisted = left.control.restore_plan().to_json(str)
            control = left.control
        elif kind == "sync":
            channel.sync()
        elif kind == "crash":
            floor(event[1], sent=event[2])  # type: ignore[arg-type]
            # kill -9: memory is gone; on reconnect the gateway reports every voice state
            # afresh, and the durable deadline replays the persisted plan.
            channel.sync()
            replay = restore(RestorePlan.from_json(persisted, int), channel.seen())
            channel.apply(replay.changes)
            channel.sync()  # the runtime's view includes the calls it made
            pending = merge(pending, replay.pending)
            control, speakers = VoiceFloor[int](room), None
            persisted = RestorePlan[int](room).to_json(str)

    done = end(control, channel.seen())
    for wave in pace(done.changes):
        channel.apply(wave.changes)
    pending = merge(pending, done.pending)
    for member in MEMBERS:  # everyone comes back some day
        if member not in channel.present:
            channel.join(member)
            back = restore(pending, {member: channel.world[member]})
            channel.apply(back.changes)
            pending = back.pending
    assert not pending
    assert channel.world == channel.shadow


plans = st.builds(
    RestorePlan,
    st.sampled_from(list(Room)),
    st.dictionaries(st.text(min_size=1, max_size=64), st.booleans(), max_size=30),
)


@given(plan=plans)
def test_json_round_trip(plan: RestorePlan[str]) -> None:
    text = plan.to_json(str)
    assert RestorePlan.from_json(text, str) == plan
    assert RestorePlan.from_json(text, str).to_json(str) == text


@given(
    changes=st.lists(st.builds(Change, st.integers(), st.booleans()), max_size=50),
    per_second=st.integers(min_value=1, max_value=10),
)
def test_pacing_keeps_every_call_in_order_within_the_rate(
    changes: list[Change[int]], per_second: int
) -> None:
    waves = pace(changes, per_second)
    assert [c for wave in waves for c in wave.changes] == changes
    assert [wave.after_seconds for wave in waves] == list(range(len(waves)))
    assert all(1 <= len(wave.changes) <= per_second for wave in waves)
