"""How the meeting moves through its sections: one transition at a time.

A :class:`Transition` collects the new state and the effects of one operation; the runner
(:mod:`.runner`) creates one per call and returns ``finish()``. Nothing here reads the clock.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.core.formats.conditions import MeetingFacts, evaluate
from bot.core.formats.plan import (
    CompiledFormat,
    CompiledSection,
    CompiledText,
    FallbackKind,
    RotationKind,
    SectionKind,
    Who,
    WhoKind,
)
from bot.core.formats.texts import SectionText
from bot.core.meeting import waits
from bot.core.meeting.clock import floor_rules, moment, wanted_timers
from bot.core.meeting.effects import (
    AgendaItemSkipped,
    ArmMeetingDeadline,
    AskChair,
    BellEnd,
    BellStart,
    CancelMeetingDeadline,
    ChooseText,
    Effect,
    ExplainCrosstalk,
    FellowshipBegins,
    MeetingEnded,
    OfferReading,
    PostAgendaItem,
    PostAnnouncementCall,
    PostSection,
    SectionsSkipped,
    SectionTimeUp,
    SetChannelRules,
    UpdatePanel,
)
from bot.core.meeting.facts import meeting_facts
from bot.core.meeting.state import MeetingState, SectionStep, Status
from bot.core.meeting.time_effects import OfferMoveOn
from bot.core.sharing import Floor, close_floor, open_floor

#: A meeting counts when it ran at least this long (and enough members took part), unless its
#: format says otherwise (``counts:``, compiled to ``CompiledFormat.counts``).
COUNTS_AFTER = timedelta(minutes=15)

Outcome = tuple[MeetingState, tuple[Effect, ...]]


def select_text(text: SectionText, state: MeetingState) -> CompiledText | None:
    """Today's text: by the format's rule, or ``None`` when the chair chooses."""
    day = state.started_at.date()
    return text.select(state.number, day.weekday(), (day.day - 1) // 7 + 1, day.month)


def reading_parts(section: CompiledSection, text: CompiledText) -> tuple[tuple[str, ...], ...]:
    """The reading divided among its readers (one part when it has one reader)."""
    readers = section.reading.readers if section.reading is not None else 1
    return text.for_readers(readers) if readers > 1 else (text.chunks,)


class Transition:
    """One operation under way: the plan, ``now``, the state so far and the effects so far."""

    def __init__(self, plan: CompiledFormat, state: MeetingState, now: datetime) -> None:
        self.plan = plan
        self.now = now
        self.before = state
        self.state = state
        self.effects: list[Effect] = []

    # --- bookkeeping ------------------------------------------------------------------------

    def finish(self) -> Outcome:
        """The new state and every effect: timer changes first, the panel update last."""
        old = wanted_timers(self.plan, self.before)
        new = wanted_timers(self.plan, self.state)
        timers: list[Effect] = [
            CancelMeetingDeadline(k, key) for (k, key) in old if (k, key) not in new
        ]
        timers += [
            ArmMeetingDeadline(k, key, at)
            for (k, key), at in new.items()
            if old.get((k, key)) != at
        ]
        effects = [*timers, *self.effects]
        if self.state != self.before:
            effects.append(UpdatePanel())
        return self.state, tuple(effects)

    @property
    def step(self) -> SectionStep | None:
        return self.state.step

    def section(self) -> CompiledSection | None:
        step = self.state.step
        return None if step is None else self.plan.sections[step.index]

    def set_step(self, **changes: Any) -> None:
        step = self.state.step
        if step is not None:
            self.state = replace(self.state, step=replace(step, **changes))

    def set_floor(self, floor: Floor, effects: tuple[Effect, ...]) -> None:
        self.state = replace(self.state, floor=floor)
        self.effects.extend(effects)

    # --- what the format says ---------------------------------------------------------------

    def facts(self, section: CompiledSection) -> MeetingFacts:
        return meeting_facts(self.plan, self.state, section, self.now)

    def runs(self, section: CompiledSection) -> bool:
        return evaluate(section.condition, self.facts(section))

    def leader(self, who: Who) -> Who | None:
        """Who leads, through role fallbacks; ``None`` when the section is to be skipped."""
        seen: set[str] = set()
        filled = {role for role, _ in self.state.roles}
        while who.kind is WhoKind.ROLE and who.role is not None:
            role = self.plan.role(who.role)
            if role is None or who.role in filled or who.role in seen:
                return who
            seen.add(who.role)
            fallback = role.fallback
            if fallback.kind is FallbackKind.ROLE and fallback.role is not None:
                who = Who(WhoKind.ROLE, fallback.role)
            elif (
                fallback.kind is FallbackKind.SKIP and role.rotation is not RotationKind.ON_THE_DAY
            ):
                return None
            elif fallback.kind is not FallbackKind.ROLE:
                # any member may step in (a role found on the day may still be taken)
                return Who(WhoKind.VOLUNTEER)
        return who

    # --- moving between sections ------------------------------------------------------------

    def move_on(self) -> None:
        """Leave the section under way for the next one (or the anchored one it yields to)."""
        step = self.state.step
        if step is None:
            if waits.pending(self):  # the chair goes on: no more waiting
                waits.go_on(self, by_default=False)
            return
        target = step.jump_to if step.anchor_up and step.jump_to is not None else step.index + 1
        skipped = tuple(
            i for i in range(step.index + 1, target) if self.runs(self.plan.sections[i])
        )
        if skipped:
            self.effects.append(SectionsSkipped(skipped))
        self.leave()
        self.enter(target, came_from=step.index)

    def leave(self, *, remember: bool = True) -> None:
        step, section = self.state.step, self.section()
        if step is None or section is None:
            return
        if section.sharing is not None:
            floor, effects = close_floor(
                self.state.floor, floor_rules(self.plan, self.state), self.now
            )
            self.set_floor(floor, effects)
        if section.quiet is not None:
            self.effects.append(BellEnd(step.index, section.quiet.bell_at_end))
        history = (*self.state.history, step.index) if remember else self.state.history
        self.state = replace(self.state, step=None, history=history)

    def enter(self, index: int, came_from: int | None, *, awaited: bool = False) -> None:
        """Start the first section from ``index`` on that runs today; past the last, end."""
        sections = self.plan.sections
        skipped: list[int] = []
        awaited_index = index if awaited else None  # its moment was awaited already
        while index < len(sections):
            overdue = self.overdue_anchor(index)
            if overdue is not None:
                # A sharing section there is no time left for: the chair is asked first.
                late = next(
                    (i for i in range(index, overdue) if waits.askable(self, sections[i])), None
                )
                if late is not None:
                    skipped += [i for i in range(index, late) if self.runs(sections[i])]
                    self.skipped(skipped)
                    waits.ask(self, sections[late], came_from, room=0)
                    return
                skipped += [i for i in range(index, overdue) if self.runs(sections[i])]
                index = overdue
            section = sections[index]
            leader = self.leader(section.who) if self.runs(section) else None
            if leader is not None and waits.left_out(self, section, self.todays_text(section)):
                leader = None  # still the format's placeholder: never read aloud
            if leader is not None and self.too_late(section):
                if waits.askable(self, section):
                    self.skipped(skipped)
                    waits.ask(self, section, came_from, room=0)
                    return
                skipped.append(index)
                leader = None
            if leader is not None:
                self.skipped(skipped)
                if index != awaited_index and waits.await_start(self, section, came_from):
                    return
                if waits.ask_if_late(self, section, came_from):
                    return
                self.begin(index, leader, came_from)
                return
            index += 1
        self.skipped(skipped)
        self.close_meeting()

    def skipped(self, indexes: list[int]) -> None:
        if indexes:
            self.effects.append(SectionsSkipped(tuple(indexes)))

    def todays_text(self, section: CompiledSection) -> CompiledText | None:
        return None if section.text is None else select_text(section.text, self.state)

    def too_late(self, section: CompiledSection) -> bool:
        """Its ``until`` moment has already passed: there is no time left for it."""
        until = section.until
        return until is not None and moment(until, self.state, self.now) <= self.now

    def overdue_anchor(self, index: int) -> int | None:
        """The last later section whose ``starts`` anchor has already passed, if any."""
        found = None
        for later in self.plan.sections[index + 1 :]:
            starts = later.starts
            if starts and self.runs(later) and moment(starts, self.state, self.now) <= self.now:
                found = later.index
        return found

    def begin(
        self, index: int, leader: Who, came_from: int | None, *, within: int | None = None
    ) -> None:
        """Start section ``index`` now: its clocks, its posts, its floor. ``within``: it must
        end within so many seconds (running late, keeping the closing's time)."""
        section = self.plan.sections[index]
        step = self.clocks(section, within)
        self.state = replace(self.state, step=step, runs=step.run, waiting=None, late=None)
        self.announce(section, leader, came_from)
        if section.kind is SectionKind.CLOSING:
            self.state = replace(self.state, reached_closing=True)
        if section.sharing is not None:
            rules = floor_rules(self.plan, self.state)
            if rules is not None:
                floor, effects = open_floor(self.state.floor, rules, self.now)
                self.set_floor(floor, effects)

    def clocks(self, section: CompiledSection, within: int | None = None) -> SectionStep:
        """The section's deadlines: its own time box, its ``until``, and the ``starts`` of the
        next section that must begin at a set moment. Moments already past are left out, so a
        section the chair went back to is not cut short at once."""
        now = self.now
        boxes = []
        if section.time_box_seconds:
            boxes.append(now + timedelta(seconds=section.time_box_seconds))
        if section.quiet is not None and section.quiet.length_seconds:
            boxes.append(now + timedelta(seconds=section.quiet.length_seconds))
        if within is not None:
            boxes.append(now + timedelta(seconds=within))
        anchor_at = None if section.until is None else moment(section.until, self.state, now)
        if anchor_at is not None and anchor_at <= now:
            anchor_at = None
        jump_to = None
        for later in self.plan.sections[section.index + 1 :]:
            if later.starts is None or not self.runs(later):
                continue
            starts = moment(later.starts, self.state, now)
            if starts > now:
                if anchor_at is None or starts < anchor_at:
                    anchor_at, jump_to = starts, later.index
                break
        return SectionStep(
            index=section.index,
            run=self.state.runs + 1,
            started_at=now,
            box_at=min(boxes) if boxes else None,
            anchor_at=anchor_at,
            jump_to=jump_to,
        )

    def announce(self, section: CompiledSection, leader: Who, came_from: int | None) -> None:
        index, step = section.index, self.state.step
        previous = None if came_from is None else self.plan.sections[came_from]
        if previous is None or previous.channel != section.channel:
            self.effects.append(SetChannelRules(index, section.channel))
        explained = self.state.explained
        policy = section.crosstalk
        changed = explained < 0 or self.plan.sections[explained].crosstalk != policy
        if section.sharing is not None and policy.explanation and changed:
            self.effects.append(ExplainCrosstalk(index, policy.mode, policy.explanation))
            self.state = replace(self.state, explained=index)
        text = self.todays_text(section)
        choosing = section.text is not None and text is None
        if waits.words_left_out(self, section, text):
            text = None  # a placeholder is never read aloud (the section runs without it)
        offered = section.reading is not None and section.reading.offer
        chunks = () if text is None or offered else text.chunks
        ends_at = waits.shown_deadline(section, step)
        self.effects.append(
            PostSection(index, section.kind, section.title, leader, chunks, ends_at)
        )
        if choosing and section.text is not None:
            self.set_step(choosing=True)
            titles = tuple(option.title for option in section.text.options)
            self.effects.append(ChooseText(index, titles))
        elif offered and text is not None:
            parts = reading_parts(section, text)
            if not waits.read_by_recruits(self, section, parts):
                self.effects.append(OfferReading(index, section.title, 1, len(parts)))
        self.announce_kind(section, ends_at)

    def announce_kind(self, section: CompiledSection, ends_at: datetime | None) -> None:
        index = section.index
        if section.quiet is not None:
            self.effects.append(BellStart(index, ends_at, section.quiet.bell_at_start))
        elif section.question is not None:
            question = section.question
            self.effects.append(AskChair(index, question.id, question.text))
        elif section.announcement_calls:
            self.effects.append(PostAnnouncementCall(index, 0, section.announcement_calls[0]))
        elif section.business is not None:
            self.agenda_item(section, 0)

    def agenda_item(self, section: CompiledSection, item: int) -> bool:
        """Bring up agenda item ``item``, or the next one whose presenter is there; False when
        none is left."""
        agenda = () if section.business is None else section.business.agenda
        for number in range(item, len(agenda)):
            entry = agenda[number]
            leader = None if entry.who is None else self.leader(entry.who)
            if entry.who is not None and leader is None:
                # e.g. no treasurer, and the role says to skip: said in the room, not dropped
                role = entry.who.role or ""
                self.effects.append(AgendaItemSkipped(section.index, number, entry.title, role))
                continue
            box = None
            if entry.time_box_seconds:
                box = self.now + timedelta(seconds=entry.time_box_seconds)
            self.set_step(part=number, part_box_at=box, part_up=False)
            self.effects.append(PostAgendaItem(section.index, number, entry.title, leader, box))
            return True
        return False

    # --- time -------------------------------------------------------------------------------

    def section_time_up(self, *, anchor: bool) -> None:
        """The section's time box (``anchor=False``) or wall-clock anchor is reached."""
        step, section = self.state.step, self.section()
        if step is None or section is None:
            if waits.pending(self):  # the countdown, an awaited moment, or no answer in time
                waits.go_on(self, by_default=True)
            return
        self.set_step(**({"anchor_up": True} if anchor else {"box_up": True}))
        if section.quiet is not None:
            self.move_on()
        elif section.sharing is not None:
            floor = replace(self.state.floor, winding_down=True)
            self.state = replace(self.state, floor=floor)
            if floor.over:
                self.move_on()
            elif floor.turn is not None:  # someone shares: the chair may move on when it's right
                self.effects.append(OfferMoveOn(step.index, step.run))
            else:
                self.effects.append(SectionTimeUp(step.index, moving_on=True))
        elif anchor:
            self.effects.append(SectionTimeUp(step.index, moving_on=True))
            self.move_on()
        else:
            self.effects.append(SectionTimeUp(step.index, moving_on=False))

    def after_floor(self) -> None:
        """Move on when the section's sharing is over (time up, rounds done, speaker done)."""
        if self.state.status is Status.RUNNING and self.state.floor.over:
            self.move_on()

    def shift(self, delta: timedelta) -> None:
        """The meeting was paused ``delta``: relative clocks move, wall-clock anchors do not."""
        late = self.state.late
        if late is not None:  # the chair's time to answer moves with the pause
            self.state = replace(self.state, late=replace(late, until=late.until + delta))
        step = self.state.step
        if step is None:
            return

        def later(at: datetime | None) -> datetime | None:
            return None if at is None else at + delta

        self.set_step(
            started_at=step.started_at + delta,
            box_at=later(step.box_at),
            part_box_at=later(step.part_box_at),
        )

    # --- the end ----------------------------------------------------------------------------

    def close_meeting(self) -> None:
        """End the meeting: forget everyone, say whether it counts, and if not, why."""
        self.leave()
        state = self.state
        rule = self.plan.counts
        too_short = self.now - state.started_at < timedelta(seconds=rule.seconds)
        too_few = state.participants < rule.members
        counted = not too_short and not too_few
        self.effects.append(
            MeetingEnded(counted, state.reached_closing, too_short=too_short, too_few=too_few)
        )
        after = self.plan.after_close
        if after is not None and state.reached_closing and after.fellowship_seconds > 0:
            chunks = () if after.text is None else self._first_text(after.text)
            ends_at = self.now + timedelta(seconds=after.fellowship_seconds)
            self.effects.append(FellowshipBegins(chunks, ends_at, after.crosstalk.mode))
        self.state = replace(
            state,
            status=Status.ENDED,
            step=None,
            floor=Floor(),
            roles=(),
            paused_at=None,
            ended_at=self.now,
            chair_check=None,
            stood_in_for=(),
            waiting=None,
            late=None,
            recruits=(),
        )

    def _first_text(self, text: SectionText) -> tuple[str, ...]:
        chosen = select_text(text, self.state) or text.options[0]
        return chosen.chunks
