"""The room's operations on a meeting: the chair's tools, calling on and inviting from the
panel's lists, private declarations, and who is seated in the circle.

:class:`RoomOperations` is a part of :class:`~bot.core.meeting.runner.MeetingRunner` (its base
class); like every runner operation, each takes the state and ``now`` and returns
``(new_state, effects)`` or raises :class:`~.effects.MeetingError`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from bot.core import sharing
from bot.core.formats.plan import CompiledFormat
from bot.core.meeting.effects import (
    ChairMoved,
    ChairTool,
    ChannelEffect,
    MeetingError,
    MeetingRefusal,
)
from bot.core.meeting.flow import Outcome, Transition
from bot.core.meeting.panel import Choices, choosing
from bot.core.meeting.state import MeetingState, Status
from bot.core.pseudonyms import Pseudonym
from bot.core.sharing import Floor, FloorRules, FloorStep

FloorOp = Callable[[Floor, FloorRules | None], FloorStep]


def _with(names: tuple[Pseudonym, ...], who: Pseudonym, on: bool) -> tuple[Pseudonym, ...]:
    rest = tuple(w for w in names if w != who)
    return (*rest, who) if on else rest


class RoomOperations:
    """The chair's tools and the members' private choices (see the module's docstring)."""

    plan: CompiledFormat

    # Provided by MeetingRunner.
    def _begin(
        self,
        state: MeetingState,
        now: datetime,
        *,
        navigation: bool = False,
        paused_ok: bool = False,
    ) -> Transition:
        raise NotImplementedError

    def _floor(self, state: MeetingState, now: datetime, op: FloorOp) -> Outcome:
        raise NotImplementedError

    def back(self, state: MeetingState, now: datetime) -> Outcome:
        raise NotImplementedError

    def leave(self, state: MeetingState, who: Pseudonym, now: datetime) -> Outcome:
        raise NotImplementedError

    # --- the chair's tools ------------------------------------------------------------------

    def skip(self, state: MeetingState, now: datetime) -> Outcome:
        """Skip (the chair): leave the part under way for the next one at once, whatever is
        left of it (announcement calls, agenda items, shares); the room is told."""
        run = self._begin(state, now, navigation=True)
        step, section = run.step, run.section()
        if step is None or section is None:
            raise MeetingError(MeetingRefusal.ENDED)
        run.effects.append(ChairMoved(ChairTool.SKIPPED, step.index, section.title))
        run.move_on()
        return run.finish()

    def go_back(self, state: MeetingState, now: datetime) -> Outcome:
        """Back (the chair), told to the room before the earlier part starts again."""
        step = state.step
        new_state, effects = self.back(state, now)
        if step is None:
            return new_state, effects
        title = self.plan.sections[step.index].title
        said = ChairMoved(ChairTool.BACK, step.index, title)
        first = next(
            (i for i, e in enumerate(effects) if isinstance(e, ChannelEffect)), len(effects)
        )
        return new_state, (*effects[:first], said, *effects[first:])

    # --- calling on and inviting from the panel's lists -------------------------------------

    def call_on(
        self, state: MeetingState, who: Pseudonym, now: datetime, *, waiting_only: bool = False
    ) -> Outcome:
        """The chair calls on ``who`` (anyone here, or with ``waiting_only`` from the panel's
        list: refused with ``NO_LONGER_WAITING`` if their hand went down meanwhile)."""
        return self._floor(
            state, now, lambda f, r: sharing.call_on(f, r, who, now, waiting_only=waiting_only)
        )

    def invite(
        self, state: MeetingState, who: Pseudonym, target: Pseudonym, now: datetime
    ) -> Outcome:
        """The sharer ``who`` finishes and invites ``target`` to share next (``order: tag``)."""
        return self._floor(state, now, lambda f, r: sharing.invite(f, r, who, target, now))

    def choices(self, state: MeetingState) -> Choices:
        """The panel's list of members, and who chooses from it: the sharer while they share
        in a tag part (whom to invite), otherwise the chair whenever someone waits."""
        return choosing(self.plan, state)

    # --- private declarations (memory only) -------------------------------------------------

    def declare(
        self,
        state: MeetingState,
        who: Pseudonym,
        now: datetime,
        *,
        first_time: bool | None = None,
        listening: bool | None = None,
    ) -> Outcome:
        """``who`` says privately that it's their first time, or that they'd rather listen
        today (or no longer). Kept with the state in memory, never stored. Someone who'd
        rather listen leaves the hands and the round still to go."""
        run = self._begin(state, now, paused_ok=True)
        declared = run.state.declared
        if first_time is not None:
            declared = replace(declared, first_time=_with(declared.first_time, who, first_time))
        if listening is not None:
            declared = replace(declared, listening=_with(declared.listening, who, listening))
        floor = run.state.floor
        if listening:
            floor = sharing.stand_aside(floor, who)
        run.state = replace(run.state, declared=declared, floor=floor)
        return run.finish()

    def say_privately(
        self, state: MeetingState, who: Pseudonym, declaration: str, now: datetime, *, on: bool
    ) -> Outcome:
        """``who`` says privately one of the format's own declarations (``declarations:``), or
        takes it back. In memory only, never stored; conditions see how many said it, not
        who. A declaration the format does not have changes nothing."""
        run = self._begin(state, now, paused_ok=True)
        if self.plan.variants.declaration(declaration) is None:
            return run.finish()
        declared = run.state.declared
        rest = tuple(pair for pair in declared.said if pair != (declaration, who))
        said = (*rest, (declaration, who)) if on else rest
        run.state = replace(run.state, declared=replace(declared, said=said))
        return run.finish()

    def forget(self, state: MeetingState, who: Pseudonym, now: datetime) -> Outcome:
        """Forget-me during a meeting: ``who`` leaves the floor, and everything they said
        privately goes out of memory with them."""
        new_state, effects = self.leave(state, who, now)
        d = new_state.declared
        kept = replace(
            d,
            first_time=_with(d.first_time, who, False),
            listening=_with(d.listening, who, False),
            present=_with(d.present, who, False),
            said=tuple(pair for pair in d.said if pair[1] != who),
        )
        return replace(new_state, declared=kept), effects

    # --- who is here --------------------------------------------------------------------------

    def seated(self, state: MeetingState, present: Sequence[Pseudonym]) -> MeetingState:
        """The state knowing who is here (everyone who took part, in the order they came): a
        round is made from them. In memory only, like the declarations; no effects."""
        if state.status is Status.ENDED or tuple(present) == state.declared.present:
            return state
        declared = replace(state.declared, present=tuple(present))
        return replace(state, declared=declared)
