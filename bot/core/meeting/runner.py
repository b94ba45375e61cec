"""The meeting's public operations: :class:`MeetingRunner`. See the package docstring."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from bot.core import sharing
from bot.core.formats.plan import CompiledFormat, CompiledSection, CompiledText
from bot.core.meeting import held
from bot.core.meeting.clock import floor_rules, note_moment, wanted_timers
from bot.core.meeting.effects import (
    AgendaItemTimeUp,
    ArmMeetingDeadline,
    ChairAsked,
    ChairHandedOver,
    ChairStays,
    ChairTakenBack,
    ChannelEffect,
    MeetingDeadlineKind,
    MeetingError,
    MeetingNote,
    MeetingRefusal,
    Notice,
    NoticeKind,
    OfferReading,
    PostAnnouncementCall,
    PostReading,
    PostText,
    UpdatePanel,
)
from bot.core.meeting.flow import Outcome, Transition, reading_parts, select_text
from bot.core.meeting.panel import Panel, describe, render_values
from bot.core.meeting.room import RoomOperations
from bot.core.meeting.state import (
    CHAIR,
    ChairCheck,
    MeetingSetup,
    MeetingState,
    SectionStep,
    Status,
)
from bot.core.pseudonyms import Pseudonym
from bot.core.sharing import Floor, FloorRules, FloorStep

FloorOp = Callable[[Floor, FloorRules | None], FloorStep]

#: How long the chair has to answer "are you still with us?" before the offer to step in holds.
CHAIR_ANSWER_WITHIN = timedelta(minutes=1)


def _paused(state: MeetingState, now: datetime) -> MeetingState:
    floor = replace(state.floor, paused=True)
    return replace(state, status=Status.PAUSED, paused_at=now, floor=floor)


def _require_aware(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("times passed to the meeting core must be timezone-aware")


class MeetingRunner(RoomOperations):
    """Runs one format. Holds only the compiled plan; every method is pure.

    Each operation takes the current :class:`MeetingState` and ``now`` (an aware datetime) and
    returns ``(new_state, effects)``; refusals raise :class:`~.effects.MeetingError`.
    Pass the same plan the meeting was started with (a changed format applies from the next
    meeting); another plan is refused with ``MeetingRefusal.WRONG_FORMAT``.
    """

    def __init__(self, plan: CompiledFormat) -> None:
        self.plan = plan

    # --- the meeting ------------------------------------------------------------------------

    def start(self, now: datetime, setup: MeetingSetup) -> Outcome:
        """Begin the meeting now with its first section that runs today.

        Pass ``now`` in the group's time zone: clock anchors (":50") and calendar conditions
        read the wall clock and the date from it.
        """
        _require_aware(now)
        plan = self.plan
        state = MeetingState(
            format_name=plan.name,
            section_count=len(plan.sections),
            number=setup.number,
            started_at=now,
            planned_end=now + timedelta(seconds=plan.length_seconds),
            switches=tuple(sorted((k, bool(v)) for k, v in setup.switches.items())),
            roles=tuple((role, who) for role, holders in setup.roles.items() for who in holders),
        )
        passed = tuple(
            i for i in range(len(plan.meeting_warnings)) if note_moment(plan, state, i) <= now
        )
        state = replace(state, notes_sent=passed)
        run = Transition(plan, replace(state, status=Status.ENDED), now)
        run.state = state
        run.enter(0, came_from=None)
        return run.finish()

    def advance(self, state: MeetingState, now: datetime) -> Outcome:
        """Next (the chair): the next announcement call or agenda item, else the next section;
        after the last section the meeting ends."""
        run = self._begin(state, now, navigation=True)
        step, section = run.step, run.section()
        if step is not None and section is not None:
            calls = section.announcement_calls
            agenda = section.business.agenda if section.business is not None else ()
            if step.part + 1 < len(calls):
                run.set_step(part=step.part + 1)
                run.effects.append(
                    PostAnnouncementCall(step.index, step.part + 1, calls[step.part + 1])
                )
                return run.finish()
            if step.part + 1 < len(agenda) and run.agenda_item(section, step.part + 1):
                return run.finish()
        run.move_on()
        return run.finish()

    def back(self, state: MeetingState, now: datetime) -> Outcome:
        """Back (the chair): start the previous section that ran again."""
        run = self._begin(state, now, navigation=True)
        history = run.state.history
        if not history:
            raise MeetingError(MeetingRefusal.NOTHING_BEFORE)
        current = run.step.index if run.step is not None else None
        run.leave(remember=False)
        run.state = replace(run.state, history=history[:-1])
        previous = self.plan.sections[history[-1]]
        leader = run.leader(previous.who) or previous.who
        run.begin(previous.index, leader, came_from=current)
        return run.finish()

    def pause(self, state: MeetingState, now: datetime) -> Outcome:
        """Hold every clock: shares, time boxes and silences continue from here on resume."""
        run = self._begin(state, now)
        run.state = _paused(run.state, now)
        run.effects.append(Notice(NoticeKind.PAUSED))
        return run.finish()

    def hold(
        self, state: MeetingState, unshown: Sequence[tuple[ChannelEffect, int]], now: datetime
    ) -> Outcome:
        """Discord refused to post in the channel: pause (if running) and keep the words not
        shown yet (each with how many of its messages were posted), after any kept before;
        :meth:`resume` shows them, nothing skipped and nothing twice (:mod:`.held`)."""
        self._check(state, now)
        run = Transition(self.plan, state, now)
        if state.status is Status.RUNNING:
            run.state = _paused(state, now)
        run.state = replace(run.state, cannot_post=True, held=(*state.held, *held.keep(unshown)))
        return run.finish()

    def resume(self, state: MeetingState, now: datetime) -> Outcome:
        """Carry on. Relative clocks move by the pause; wall-clock anchors stay where they were."""
        self._check(state, now)
        if state.status is not Status.PAUSED or state.paused_at is None:
            raise MeetingError(MeetingRefusal.NOT_PAUSED)
        run = Transition(self.plan, state, now)
        delta = max(now - state.paused_at, timedelta(0))
        run.shift(delta)
        floor = replace(sharing.shift(state.floor, delta), paused=False)
        run.state = replace(run.state, status=Status.RUNNING, paused_at=None, floor=floor)
        run.effects.append(Notice(NoticeKind.RESUMED))
        run.effects.extend(held.again(state.held, delta, run.state.step))  # refused words first
        run.state = replace(run.state, cannot_post=False, held=())
        run.set_floor(*sharing.resume(run.state.floor, floor_rules(self.plan, run.state), now))
        run.after_floor()
        return run.finish()

    def end(self, state: MeetingState, now: datetime) -> Outcome:
        """End the meeting now. It counts if it reached its closing or ran 15 minutes."""
        run = self._begin(state, now, paused_ok=True)
        run.close_meeting()
        return run.finish()

    def answer_question(
        self, state: MeetingState, question_id: str, yes: bool, now: datetime
    ) -> Outcome:
        """The chair answered the question under way; the meeting moves on."""
        run = self._begin(state, now, navigation=True)
        section = run.section()
        if section is None or section.question is None or section.question.id != question_id:
            raise MeetingError(MeetingRefusal.NO_QUESTION)
        answers = tuple((q, a) for q, a in run.state.answers if q != question_id)
        run.state = replace(run.state, answers=(*answers, (question_id, bool(yes))))
        run.move_on()
        return run.finish()

    def choose_text(self, state: MeetingState, option: int, now: datetime) -> Outcome:
        """The chair chose today's text (an index into the ``ChooseText`` options)."""
        run = self._begin(state, now, paused_ok=True)
        step, section = run.step, run.section()
        if step is None or section is None or section.text is None or not step.choosing:
            raise MeetingError(MeetingRefusal.NO_CHOICE)
        if isinstance(option, bool) or not 0 <= option < len(section.text.options):
            raise MeetingError(MeetingRefusal.BAD_OPTION)
        run.set_step(option=option, choosing=False)
        text = section.text.options[option]
        if section.reading is not None and section.reading.offer:
            parts = len(reading_parts(section, text))
            run.effects.append(OfferReading(step.index, section.title, 1, parts))
        else:
            run.effects.append(PostText(step.index, text.title or section.title, text.chunks))
        return run.finish()

    def take_reading(self, state: MeetingState, who: Pseudonym, now: datetime) -> Outcome:
        """A volunteer takes the reading on offer (the next part, when it is split)."""
        run = self._begin(state, now, paused_ok=True)
        step, section, parts = self._offer(run)
        if who in step.readers:
            raise MeetingError(MeetingRefusal.ALREADY_READING)
        part = len(step.readers)
        run.set_step(readers=(*step.readers, who))
        run.effects.append(
            PostReading(step.index, section.title, part + 1, len(parts), parts[part], who)
        )
        if part + 1 < len(parts):
            run.effects.append(OfferReading(step.index, section.title, part + 2, len(parts)))
        return run.finish()

    def read_by_chair(self, state: MeetingState, now: datetime) -> Outcome:
        """Nobody volunteered: the section's leader reads what is left of the reading."""
        run = self._begin(state, now, paused_ok=True)
        step, section, parts = self._offer(run)
        run.set_step(chair_read=True)
        for part in range(len(step.readers), len(parts)):
            run.effects.append(
                PostReading(step.index, section.title, part + 1, len(parts), parts[part], None)
            )
        return run.finish()

    def set_role_holders(
        self, state: MeetingState, role: str, holders: Sequence[Pseudonym], now: datetime
    ) -> Outcome:
        """Someone stepped in (or out) of a role during the meeting, e.g. the chair or speaker."""
        run = self._begin(state, now, paused_ok=True)
        others = tuple((r, w) for r, w in run.state.roles if r != role)
        run.state = replace(run.state, roles=(*others, *((role, w) for w in holders)))
        if role == CHAIR:
            run.state = replace(run.state, chair_check=None)
        rules = floor_rules(self.plan, run.state)
        floor = run.state.floor
        speaker = None if rules is None or not rules.single else rules.speaker
        free = floor.turn is None and not floor.finished
        if rules is not None and speaker is not None and speaker in holders and free:
            # The speaker is known now: the speaker section under way gives them the floor.
            run.set_floor(*sharing.pick(floor, rules, speaker, now))
        return run.finish()

    # --- the chair, away or back ------------------------------------------------------------

    def with_participants(self, state: MeetingState, count: int) -> MeetingState:
        """The state with ``count`` different members having taken part so far (a number: the
        runtime counts people in memory). Never lowers the count; no effects."""
        if state.status is Status.ENDED or count <= state.participants:
            return state
        return replace(state, participants=count)

    def ask_chair(self, state: MeetingState, by: Pseudonym, now: datetime) -> Outcome:
        """``by`` offers to step in: ask the chair whether they're still with us. With no answer
        within :data:`CHAIR_ANSWER_WITHIN`, ``by`` chairs (a durable deadline)."""
        run = self._begin(state, now, paused_ok=True)
        chairs = run.state.chairs
        if not chairs:
            raise MeetingError(MeetingRefusal.NO_CHAIR_TO_ASK)
        if run.state.chair_check is not None:
            raise MeetingError(MeetingRefusal.CHAIR_ASKED)
        until = now + CHAIR_ANSWER_WITHIN
        run.state = replace(run.state, chair_check=ChairCheck(by, until))
        run.effects.append(ChairAsked(chairs, by, until))
        return run.finish()

    def chair_here(self, state: MeetingState, now: datetime) -> Outcome:
        """The chair answered (or posted, spoke, pressed): they keep the chair. Nothing changes
        when nobody asked."""
        run = self._begin(state, now, paused_ok=True)
        check = run.state.chair_check
        if check is None:
            return state, ()
        run.state = replace(run.state, chair_check=None)
        run.effects.append(ChairStays(run.state.chairs, check.by))
        return run.finish()

    def take_chair_back(self, state: MeetingState, who: Pseudonym, now: datetime) -> Outcome:
        """A chair someone stepped in for is back, and chairs again."""
        run = self._begin(state, now, paused_ok=True)
        if who not in run.state.stood_in_for:
            raise MeetingError(MeetingRefusal.NOT_STOOD_IN_FOR)
        stand_in = run.state.chairs
        others = tuple((r, w) for r, w in run.state.roles if r != CHAIR)
        run.state = replace(
            run.state, roles=(*others, (CHAIR, who)), stood_in_for=(), chair_check=None
        )
        run.effects.append(ChairTakenBack(who, stand_in))
        return run.finish()

    def _hand_over(self, run: Transition) -> None:
        check = run.state.chair_check
        if check is None:
            return
        previous = run.state.chairs
        others = tuple((r, w) for r, w in run.state.roles if r != CHAIR)
        run.state = replace(
            run.state,
            roles=(*others, (CHAIR, check.by)),
            chair_check=None,
            stood_in_for=tuple(p for p in previous if p != check.by),
        )
        run.effects.append(ChairHandedOver(check.by, previous))

    # --- timers -----------------------------------------------------------------------------

    def deadline_passed(
        self, state: MeetingState, kind: MeetingDeadlineKind | str, key: str, now: datetime
    ) -> Outcome:
        """A deadline this meeting scheduled is due. Stale ones change nothing; one that fired
        early is armed again."""
        _require_aware(now)
        if state.status is not Status.RUNNING or state.format_name != self.plan.name:
            return state, ()
        try:
            timer = MeetingDeadlineKind(kind)
        except ValueError:
            return state, ()
        at = wanted_timers(self.plan, state).get((timer, key))
        if at is None:
            return state, ()
        if now < at:
            return state, (ArmMeetingDeadline(timer, key, at),)
        run = Transition(self.plan, state, now)
        self._fire(run, timer, key)
        new_state, effects = run.finish()
        again = wanted_timers(self.plan, new_state).get((timer, key))
        if again is not None:  # never lose a deadline the scheduler just dropped
            effects = (*effects, ArmMeetingDeadline(timer, key, again))
        return new_state, effects

    def _fire(self, run: Transition, timer: MeetingDeadlineKind, key: str) -> None:
        state, rules = run.state, floor_rules(self.plan, run.state)
        if timer is MeetingDeadlineKind.MEETING_NOTE:
            index = int(key.removeprefix("m"))
            run.state = replace(state, notes_sent=(*state.notes_sent, index))
            run.effects.append(MeetingNote(self.plan.meeting_warnings[index].text))
        elif timer is MeetingDeadlineKind.SECTION:
            run.section_time_up(anchor=key.endswith(".anchor"))
        elif timer is MeetingDeadlineKind.ITEM and state.step is not None:
            run.set_step(part_up=True)
            run.effects.append(AgendaItemTimeUp(state.step.index, state.step.part))
        elif timer is MeetingDeadlineKind.PHASE and rules is not None:
            run.set_floor(*sharing.next_phase(state.floor, rules, run.now))
        elif timer is MeetingDeadlineKind.SHARE_NOTE and rules is not None:
            run.set_floor(*sharing.note_due(state.floor, rules))
        elif timer is MeetingDeadlineKind.SHARE_LIMIT and rules is not None:
            run.set_floor(*sharing.limit_due(state.floor, rules, run.now))
        elif timer is MeetingDeadlineKind.CHAIR_CHECK:
            self._hand_over(run)
        run.after_floor()

    def timers(self, state: MeetingState) -> tuple[ArmMeetingDeadline, ...]:
        """Every deadline this state needs, to re-arm them all (idempotent)."""
        wanted = wanted_timers(self.plan, state)
        return tuple(ArmMeetingDeadline(kind, key, at) for (kind, key), at in wanted.items())

    def resumed_after_restart(self, state: MeetingState, now: datetime) -> Outcome:
        """After a restart: re-arm every deadline, tell the channel, refresh the panel.

        Deadlines that passed while the bot was down fire at once through the scheduler.
        """
        _require_aware(now)
        if state.status is Status.ENDED:
            return state, ()
        paused = state.status is Status.PAUSED
        notice = NoticeKind.RESTARTED_PAUSED if paused else NoticeKind.RESUMED_AFTER_RESTART
        return state, (*self.timers(state), Notice(notice), UpdatePanel())

    # --- the floor --------------------------------------------------------------------------

    def raise_hand(
        self, state: MeetingState, who: Pseudonym, now: datetime, *, first_time: bool = False
    ) -> Outcome:
        """Raise a hand (idempotent). ``first_time`` only if the member chose to say so."""
        return self._floor(
            state, now, lambda f, r: sharing.raise_hand(f, r, who, now, first_time=first_time)
        )

    def lower_hand(self, state: MeetingState, who: Pseudonym, now: datetime) -> Outcome:
        return self._floor(state, now, lambda f, r: sharing.lower_hand(f, who))

    def join(
        self, state: MeetingState, who: Pseudonym, now: datetime, *, first_time: bool = False
    ) -> Outcome:
        """``who`` is here and joins the circle's rounds (voice presence, or an "I'm here")."""
        return self._floor(
            state, now, lambda f, r: sharing.join(f, r, who, now, first_time=first_time)
        )

    def leave(self, state: MeetingState, who: Pseudonym, now: datetime) -> Outcome:
        """``who`` left: out of every line; their share ends if they had the floor; an offer of
        theirs to step in as chair lapses, and they can no longer take the chair back."""
        run = self._begin(state, now, paused_ok=True)
        check = run.state.chair_check
        run.state = replace(
            run.state,
            chair_check=None if check is not None and check.by == who else check,
            stood_in_for=tuple(p for p in run.state.stood_in_for if p != who),
        )
        rules = floor_rules(self.plan, run.state)
        run.set_floor(*sharing.leave(run.state.floor, rules, who, now))
        run.after_floor()
        return run.finish()

    def pass_turn(self, state: MeetingState, who: Pseudonym, now: datetime) -> Outcome:
        return self._floor(state, now, lambda f, r: sharing.pass_turn(f, r, who, now))

    def done(self, state: MeetingState, who: Pseudonym, now: datetime) -> Outcome:
        return self._floor(state, now, lambda f, r: sharing.done(f, r, who, now))

    def tag(self, state: MeetingState, who: Pseudonym, target: Pseudonym, now: datetime) -> Outcome:
        return self._floor(state, now, lambda f, r: sharing.tag(f, r, who, target, now))

    def pick(self, state: MeetingState, who: Pseudonym, now: datetime) -> Outcome:
        """The chair calls on ``who`` (now, or next when someone is sharing)."""
        return self._floor(state, now, lambda f, r: sharing.pick(f, r, who, now))

    def call_next(self, state: MeetingState, now: datetime) -> Outcome:
        """The chair ends the current share (if any) and calls the next in line."""
        return self._floor(state, now, lambda f, r: sharing.call_next(f, r, now))

    def extend(self, state: MeetingState, seconds: int, now: datetime) -> Outcome:
        """The chair gives the sharer ``seconds`` more (1 s to an hour)."""
        return self._floor(state, now, lambda f, r: sharing.extend(f, r, seconds, now))

    # --- reading the state ------------------------------------------------------------------

    def describe(self, state: MeetingState, now: datetime) -> Panel:
        """What the panel shows: section, who has the floor, who is waiting, time left."""
        return describe(self.plan, state, now)

    def render_values(self, state: MeetingState) -> Mapping[str, str]:
        """Placeholder values the core knows (no names): add group, chair, speaker …"""
        return render_values(self.plan, state)

    # --- internals --------------------------------------------------------------------------

    def _check(self, state: MeetingState, now: datetime) -> None:
        _require_aware(now)
        if state.format_name != self.plan.name or state.section_count != len(self.plan.sections):
            raise MeetingError(MeetingRefusal.WRONG_FORMAT)
        if state.status is Status.ENDED:
            raise MeetingError(MeetingRefusal.ENDED)

    def _begin(
        self,
        state: MeetingState,
        now: datetime,
        *,
        navigation: bool = False,
        paused_ok: bool = False,
    ) -> Transition:
        self._check(state, now)
        if state.status is Status.PAUSED and (navigation or not paused_ok):
            raise MeetingError(MeetingRefusal.PAUSED)
        return Transition(self.plan, state, now)

    def _floor(self, state: MeetingState, now: datetime, op: FloorOp) -> Outcome:
        run = self._begin(state, now, paused_ok=True)
        run.set_floor(*op(run.state.floor, floor_rules(self.plan, run.state)))
        run.after_floor()
        return run.finish()

    def _offer(
        self, run: Transition
    ) -> tuple[SectionStep, CompiledSection, tuple[tuple[str, ...], ...]]:
        """The reading on offer now, or ``NO_READING``."""
        step, section = run.step, run.section()
        if (
            step is None
            or section is None
            or section.text is None
            or section.reading is None
            or not section.reading.offer
            or step.choosing
        ):
            raise MeetingError(MeetingRefusal.NO_READING)
        if step.option is not None:
            text: CompiledText | None = section.text.options[step.option]
        else:
            text = select_text(section.text, run.state)
        parts = () if text is None else reading_parts(section, text)
        if step.chair_read or len(step.readers) >= len(parts):
            raise MeetingError(MeetingRefusal.NO_READING)
        return step, section, parts
