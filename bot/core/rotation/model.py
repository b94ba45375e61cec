"""The rotation's model: rules, volunteers, announced turns, and the effects operations return."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import field, replace
from enum import StrEnum

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym


class RotationRefusal(StrEnum):
    UNKNOWN_ROLE = "unknown_role"
    NOT_A_VOLUNTEER = "not_a_volunteer"
    NO_UPCOMING_TURN = "no_upcoming_turn"
    NOT_YOUR_TURN = "not_your_turn"
    NOT_ELIGIBLE = "not_eligible"
    SAME_PERSON = "same_person"


class RotationError(Exception):
    """A rotation request that cannot be done; ``reason`` is for the cog to word kindly."""

    def __init__(self, reason: RotationRefusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


# --- rules ------------------------------------------------------------------------------------


@lazy_dataclass(frozen=True)
class MemberFacts:
    """What Discord tells the runtime about one member now (never stored)."""

    days_in_server: int
    first_meeting: bool


@lazy_dataclass(frozen=True)
class Eligibility:
    """The format's eligibility rules for a role. "Last time" means the previous meeting."""

    min_days_in_server: int = 0
    not_first_meeting: bool = True
    not_twice_in_a_row: bool = False
    #: Serves at most once every this many meetings (0 or 1: no limit; 2 is "not twice in a row").
    at_most_every: int = 0
    #: Only volunteers who said they have done the group's training for the role.
    trained_only: bool = False

    def allows(self, facts: MemberFacts, volunteer: Volunteer, meeting: int) -> bool:
        if facts.days_in_server < self.min_days_in_server:
            return False
        if self.not_first_meeting and facts.first_meeting:
            return False
        if self.trained_only and not volunteer.trained:
            return False
        last = volunteer.last_served
        if last is not None and self.at_most_every > 1 and meeting - last < self.at_most_every:
            return False
        return not (self.not_twice_in_a_row and last == meeting - 1)


@lazy_dataclass(frozen=True)
class EveryMeeting:
    """A new person each meeting."""


@lazy_dataclass(frozen=True)
class ForMeetings:
    """One person serves ``meetings`` consecutive meetings, then the next one's term starts.

    A stand-in covering one meeting does not start a term or extend the holder's.
    """

    meetings: int

    def __post_init__(self) -> None:
        if self.meetings < 1:
            raise ValueError("a term lasts at least one meeting")


@lazy_dataclass(frozen=True)
class WeekdayRoster:
    """Volunteers sign up for weekdays (0 = Monday); the meeting's weekday picks among them.

    Volunteers who named no weekday stand in when nobody signed up for that day is eligible.
    """


Term = EveryMeeting | ForMeetings | WeekdayRoster


@lazy_dataclass(frozen=True)
class RoleRules:
    """``seats``: how many people hold the role at each meeting. ``wait_for_everyone``: nobody
    serves a second time until every eligible volunteer has served once (a turn nobody who is
    still waiting can take goes to anyone, not to someone for the second time). ``elected``:
    held by the member the group elected (:attr:`RoleRotation.elected`), never rotated.
    ``substitute``: the role whose holder takes this one's turn when its holder steps back."""

    name: str
    eligibility: Eligibility = Eligibility()
    term: Term = EveryMeeting()
    seats: int = 1
    wait_for_everyone: bool = False
    elected: bool = False
    substitute: str | None = None

    def __post_init__(self) -> None:
        if self.seats < 1:
            raise ValueError("a role has at least one seat")


# --- state ------------------------------------------------------------------------------------


@lazy_dataclass(frozen=True)
class Volunteer:
    """What the bot keeps about one volunteer in one role (the row deleted when they leave)."""

    last_served: int | None = None
    term_started: int | None = None  # ForMeetings only: first meeting of their current term
    weekdays: frozenset[int] = frozenset()  # WeekdayRoster only; empty = any day
    trained: bool = False  # said themself they have done the group's training for the role
    #: Turns served (a newcomer starts level with the most served: the round under way is not
    #: theirs to wait for, and leaving and joining again gains nobody a turn).
    turns: int = 0


@lazy_dataclass(frozen=True)
class Upcoming:
    """The announced turn for one role at one meeting. ``who`` None: anyone may serve.

    ``who`` holds the first seat; ``more`` the role's other seats (None: open to anyone)."""

    meeting: int
    who: Pseudonym | None
    passed: frozenset[Pseudonym] = frozenset()  # said "can't make it" for this meeting
    continuing: bool = False  # the holder of a ForMeetings term carries on
    more: tuple[Pseudonym | None, ...] = ()
    #: Seats a substitute took (the named role's holder covering for someone who stepped back).
    covered: frozenset[int] = frozenset()

    @property
    def seats(self) -> tuple[Pseudonym | None, ...]:
        return (self.who, *self.more)

    @property
    def holders(self) -> tuple[Pseudonym, ...]:
        return tuple(who for who in self.seats if who is not None)

    def with_seat(self, seat: int, who: Pseudonym | None) -> Upcoming:
        seats = list(self.seats)
        seats[seat] = who
        return replace(self, who=seats[0], more=tuple(seats[1:]))


@lazy_dataclass(frozen=True)
class RoleRotation:
    rules: RoleRules
    volunteers: Mapping[Pseudonym, Volunteer] = field(default_factory=dict)  # never mutated
    upcoming: Upcoming | None = None
    elected: Pseudonym | None = None  # an elected role: the member whose term covers now

    def passed_for(self, meeting: int) -> frozenset[Pseudonym]:
        if self.upcoming is not None and self.upcoming.meeting == meeting:
            return self.upcoming.passed
        return frozenset()


@lazy_dataclass(frozen=True)
class Rotation:
    """All the rotating roles of one group, in the format's order (it decides who is matched
    first when volunteers are scarce)."""

    roles: tuple[RoleRotation, ...]

    @classmethod
    def of(cls, rules: Sequence[RoleRules]) -> Rotation:
        return cls(tuple(RoleRotation(r) for r in rules))

    def role(self, name: str) -> RoleRotation:
        for rr in self.roles:
            if rr.rules.name == name:
                return rr
        raise RotationError(RotationRefusal.UNKNOWN_ROLE)

    def _with(self, new: RoleRotation) -> Rotation:
        return Rotation(tuple(new if rr.rules.name == new.rules.name else rr for rr in self.roles))


# --- effects ----------------------------------------------------------------------------------


@lazy_dataclass(frozen=True)
class AskToServe:
    """Name (and ping) ``who`` for ``role`` at ``meeting``, with I'll do it / Can't make it."""

    role: str
    meeting: int
    who: Pseudonym
    continuing: bool = False
    seat: int = 0
    covering: bool = False  # the holder of the role's ``substitute`` covers a stepped-back turn


@lazy_dataclass(frozen=True)
class AnyoneMayServe:
    """No eligible volunteer: any member may take the role (the format's fallback)."""

    role: str
    meeting: int
    seat: int = 0


@lazy_dataclass(frozen=True)
class TurnVacated:
    """The announced person is out; call :func:`fill_turn` for this role."""

    role: str
    meeting: int


@lazy_dataclass(frozen=True)
class ForgetVolunteer:
    """Delete the volunteer's row for this role (they left, or asked to be forgotten)."""

    role: str
    who: Pseudonym


RotationEffect = AskToServe | AnyoneMayServe | TurnVacated | ForgetVolunteer


@lazy_dataclass(frozen=True)
class Assignment:
    role: str
    who: Pseudonym | None  # None: nobody eligible, anyone may serve
    continuing: bool = False
    double_duty: bool = False  # also holds another role: no other eligible volunteer was free
    seat: int = 0
