"""A fake clock and a fake durable scheduler around the meeting core, for replaying meetings.

:class:`Meeting` keeps what the runtime would: the stored JSON of the state (every step goes
through ``to_json``/``from_json``, as after a restart), the armed deadlines, and a log of the
effects shown in the channel. ``wait(seconds)`` moves the clock, firing due deadlines in order.
After every step it checks that the armed deadlines are exactly the ones the state wants.
Like the runtime, it counts in memory the members who took part (whoever starts or chairs, and
any member an operation names) and hands only the number to the core before each operation.
The tests at the bottom check the harness itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from bot.core.formats import load_builtin_format, load_format
from bot.core.formats.plan import CompiledFormat, CompiledSection
from bot.core.meeting import MeetingRunner, MeetingSetup, MeetingState, Panel, Status
from bot.core.meeting.effects import (
    ArmMeetingDeadline,
    CancelMeetingDeadline,
    ChannelEffect,
    Effect,
    MeetingDeadlineKind,
)
from bot.core.pseudonyms import Pseudonym

#: A Tuesday evening; whole-hour start so clock anchors are easy to read.
T0 = datetime(2025, 3, 4, 19, 0, tzinfo=UTC)
MEMBERS = tuple(Pseudonym(f"member-{n}") for n in range(1, 7))
CHAIR = MEMBERS[0]

E = TypeVar("E", bound=ChannelEffect)


class Meeting:
    """One meeting driven like the runtime would drive it, with a fake clock."""

    def __init__(
        self,
        plan: CompiledFormat | str,
        *,
        start: datetime = T0,
        roles: dict[str, list[Pseudonym]] | None = None,
        switches: dict[str, bool] | None = None,
        number: int = 12,
    ) -> None:
        if isinstance(plan, str):
            plan = load_builtin_format(plan) if "\n" not in plan else load_format(plan)
        self.plan = plan
        self.runner = MeetingRunner(plan)
        self.now = start
        self.started = start
        self.armed: dict[tuple[MeetingDeadlineKind, str], datetime] = {}
        self.log: list[tuple[float, ChannelEffect]] = []
        self.fired: list[tuple[MeetingDeadlineKind, str]] = []
        setup = MeetingSetup(
            number=number,
            roles={"chair": [CHAIR]} if roles is None else roles,
            switches=switches or {},
        )
        self.stored = ""
        self.took_part: set[Pseudonym] = set(setup.roles.get("chair", ()))
        state, effects = self.runner.start(start, setup)
        self._apply(self.runner.with_participants(state, len(self.took_part)), effects)

    # --- driving ------------------------------------------------------------------------

    @property
    def state(self) -> MeetingState:
        return MeetingState.from_json(self.stored)

    def _counted(self) -> MeetingState:
        return self.runner.with_participants(self.state, len(self.took_part))

    def call(self, operation: str, *args: Any, **kwargs: Any) -> tuple[Effect, ...]:
        """Run ``runner.<operation>(state, *args, now, **kwargs)`` and store the result."""
        method = getattr(self.runner, operation)
        self.took_part |= {arg for arg in args if isinstance(arg, str) and arg in MEMBERS}
        state, effects = method(self._counted(), *args, self.now, **kwargs)
        self._apply(state, effects)
        return tuple(effects)

    def wait(self, seconds: float) -> None:
        """Let ``seconds`` pass, firing every deadline that falls due, in order."""
        until = self.now + timedelta(seconds=seconds)
        while True:
            due = sorted((at, key) for key, at in self.armed.items() if at <= until)
            if not due:
                break
            at, (kind, key) = due[0]
            self.now = max(self.now, at)
            del self.armed[(kind, key)]  # the scheduler drops a deadline once it fired
            self.fired.append((kind, key))
            self._apply(*self.runner.deadline_passed(self._counted(), kind, key, self.now))
        self.now = until

    def fire(self, kind: MeetingDeadlineKind | str, key: str) -> tuple[Effect, ...]:
        """Fire a deadline by hand (a stale or duplicate one, say)."""
        state, effects = self.runner.deadline_passed(self._counted(), kind, key, self.now)
        self._apply(state, effects)
        return effects

    def _apply(self, state: MeetingState, effects: tuple[Effect, ...]) -> None:
        stored = state.to_json()
        assert MeetingState.from_json(stored) == state
        self.stored = stored
        elapsed = (self.now - self.started).total_seconds()
        for effect in effects:
            if isinstance(effect, ArmMeetingDeadline):
                assert effect.at.tzinfo is not None
                self.armed[(effect.kind, effect.key)] = effect.at
            elif isinstance(effect, CancelMeetingDeadline):
                self.armed.pop((effect.kind, effect.key), None)
            else:
                assert isinstance(effect, ChannelEffect)
                self.log.append((elapsed, effect))
        wanted = {(t.kind, t.key): t.at for t in self.runner.timers(state)}
        assert self.armed == wanted

    # --- reading ------------------------------------------------------------------------

    def panel(self) -> Panel:
        return self.runner.describe(self.state, self.now)

    def section(self) -> CompiledSection | None:
        step = self.state.step
        return None if step is None else self.plan.sections[step.index]

    @property
    def ended(self) -> bool:
        return self.state.status is Status.ENDED

    @property
    def minutes(self) -> float:
        return (self.now - self.started).total_seconds() / 60

    def seen(self, kind: type[E]) -> list[E]:
        return [effect for _, effect in self.log if isinstance(effect, kind)]

    def seen_at(self, kind: type[E]) -> Iterator[tuple[float, E]]:
        for elapsed, effect in self.log:
            if isinstance(effect, kind):
                yield elapsed, effect

    def clear_log(self) -> None:
        self.log.clear()


# --- the harness itself --------------------------------------------------------------------


def test_every_step_is_stored_as_json_and_timers_match_the_state() -> None:
    meeting = Meeting("open-discussion")
    assert meeting.armed  # the silence is not armed yet, but the meeting note is
    meeting.call("advance")
    meeting.wait(31)
    assert meeting.fired
    assert meeting.state.step is not None
    assert meeting.state.step.index == 3  # the placeholder reading (2) is left out


def test_a_meeting_that_is_ended_keeps_no_timers() -> None:
    meeting = Meeting("open-discussion")
    meeting.call("end")
    assert meeting.armed == {}
    assert meeting.ended
