"""The floor's data: members, the current turn, the lines; and who goes next."""

from __future__ import annotations

from datetime import datetime

from bot.core.formats.plan import Order, Sharers, Sharing, TurnTaking
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.meeting.effects import Effect
from bot.core.pseudonyms import Pseudonym

FloorStep = tuple["Floor", tuple[Effect, ...]]


@lazy_dataclass(frozen=True)
class Member:
    who: Pseudonym
    first_time: bool = False  # only if they chose to say so
    shares: int = 0  # shares taken in open sharing and speaker sections of this meeting
    here: bool = True


@lazy_dataclass(frozen=True)
class Turn:
    """One share under way. Times are absolute, so the floor survives a restart."""

    number: int  # a token: timers of an older turn are stale
    who: Pseudonym
    started_at: datetime
    limit_at: datetime | None  # None: no limit
    over_at: datetime | None  # limit + grace: when the at-limit action happens
    notes_sent: int = 0  # how many of the timer's warnings have been posted
    time_up: bool = False  # the at-limit action happened (the sharer may go on, with NOTE)


@lazy_dataclass(frozen=True)
class Floor:
    members: tuple[Member, ...] = ()
    hands: tuple[Pseudonym, ...] = ()
    active: bool = False  # a sharing section is under way
    phase: int = 0
    round: tuple[Pseudonym, ...] = ()  # still to go in this round, in order
    had_turn: tuple[Pseudonym, ...] = ()  # shared or passed in this round
    rounds_done: int = 0
    turns_here: int = 0  # turns (shares and passes) in this section
    turn: Turn | None = None
    called: Pseudonym | None = None  # picked by the chair or tagged: goes next
    with_chair: bool = False  # the floor was handed back: the chair says who is next
    winding_down: bool = False  # the section's time is up: nobody new gets the floor
    paused: bool = False  # the meeting is paused: nobody new gets the floor until it resumes
    finished: bool = False  # every round is done, or the speaker has spoken
    turns_given: int = 0  # counter behind Turn.number

    def member(self, who: Pseudonym) -> Member | None:
        return next((m for m in self.members if m.who == who), None)

    @property
    def over(self) -> bool:
        """The section can move on: its time is up or its turns are done, and nobody shares."""
        return (
            self.active
            and self.turn is None
            and self.called is None
            and (self.winding_down or self.finished)
        )


@lazy_dataclass(frozen=True)
class Declarations:
    """What the runtime knows of members in memory only, for this meeting: what they said
    privately ("it's my first time", "I'd rather listen today") and who is here (``present``:
    everyone who took part, in the order they came; a round is made from them). Held with the
    meeting's state in memory and never stored (``MeetingState.to_dict`` leaves it out): after
    a restart nobody has declared anything."""

    first_time: tuple[Pseudonym, ...] = ()
    listening: tuple[Pseudonym, ...] = ()
    present: tuple[Pseudonym, ...] = ()
    # The format's own declarations (``declarations:``), as (declaration id, who said it).
    said: tuple[tuple[str, Pseudonym], ...] = ()


#: Nothing said privately and nobody known present (a default: the record is frozen).
NOTHING_DECLARED = Declarations()


@lazy_dataclass(frozen=True)
class FloorRules:
    """What the sharing section under way says about its floor."""

    section: int
    sharing: Sharing
    counts: bool  # a share here counts as having shared
    single: bool = False  # one share completes the section (the speaker)
    speaker: Pseudonym | None = None  # gets the floor as the section opens
    roles: tuple[tuple[Pseudonym, str], ...] = ()  # for per-role share limits
    declared: Declarations = Declarations()  # said privately, in memory only
    ends_at: datetime | None = None  # when the section's time is up (for ``fair-share``)

    def listens(self, who: Pseudonym) -> bool:
        """``who`` said they'd rather listen today: not called on, not in a round."""
        return who in self.declared.listening

    def phase_of(self, floor: Floor) -> TurnTaking:
        phases = self.sharing.phases
        return phases[min(floor.phase, len(phases) - 1)]

    def role_of(self, who: Pseudonym) -> str | None:
        held = {role for person, role in self.roles if person == who}
        for role_id, _ in self.sharing.timer.role_limits:
            if role_id in held:
                return role_id
        return None


# --- reading the floor ------------------------------------------------------------------------


def eligible(floor: Floor, phase: TurnTaking, who: Pseudonym) -> bool:
    member = floor.member(who)
    return phase.sharers is Sharers.EVERYONE or member is None or member.shares == 0


def up_next(floor: Floor, rules: FloorRules | None) -> tuple[Pseudonym, ...]:
    """Who would get the floor next, in order (the called member first)."""
    if rules is None or not floor.active:
        return floor.hands
    phase = rules.phase_of(floor)
    line = floor.round if phase.order is Order.ROUND else floor.hands
    line = tuple(w for w in line if eligible(floor, phase, w) and not rules.listens(w))
    ordered = prioritise(floor, phase, list(line), rules.declared)
    if floor.called is not None:
        ordered = [floor.called, *(w for w in ordered if w != floor.called)]
    return tuple(ordered)


def prioritise(
    floor: Floor,
    phase: TurnTaking,
    line: list[Pseudonym],
    declared: Declarations = NOTHING_DECLARED,
) -> list[Pseudonym]:
    def key(who: Pseudonym) -> tuple[int, ...]:
        member = floor.member(who) or Member(who)
        parts: list[int] = []
        if phase.first_timers_first:
            first = member.first_time or who in declared.first_time
            parts.append(0 if first and member.shares == 0 else 1)
        if phase.not_yet_shared_first:
            parts.append(0 if member.shares == 0 else 1)
        if phase.once_each_first:
            parts.append(member.shares)
        return tuple(parts)

    return sorted(line, key=key)  # stable: the order raised breaks ties


def hands_on_by_itself(floor: Floor, rules: FloorRules) -> bool:
    """Whether the floor passes to the next in line without the chair.

    Rounds and raised hands do; chair-picks and tag wait for the chair (or the sharer); so does
    a floor handed back to the chair, and a speaker section (only the speaker shares there).
    """
    automatic = rules.phase_of(floor).order in (Order.ROUND, Order.HANDS, Order.FREE)
    return automatic and not floor.with_chair and not rules.single


def circle(
    floor: Floor, phase: TurnTaking, declared: Declarations = NOTHING_DECLARED
) -> tuple[Pseudonym, ...]:
    """The members here for a round: those known to be present in the order they came, then
    the others on the floor in the order they joined; never those who'd rather listen."""
    everyone = dict.fromkeys((*declared.present, *(m.who for m in floor.members)))
    return tuple(
        w
        for w in everyone
        if (m := floor.member(w)) is None or m.here
        if eligible(floor, phase, w) and w not in declared.listening
    )
