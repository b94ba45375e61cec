"""Why a due-process request is refused. The cogs turn ``reason`` into kind words."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from bot.core.lazy_dataclasses import lazy_dataclass


class DecisionRefusal(StrEnum):
    UNKNOWN_GUIDELINE = "unknown_guideline"  # not one of the format's guidelines
    ABOUT_YOURSELF = "about_yourself"  # a concern, proposal or second about oneself
    DUPLICATE_CONCERN = "duplicate_concern"  # same requester, member and meeting
    MEMBER_EXCLUDED = "member_excluded"  # they are sitting out meetings now
    NOT_EXCLUDED = "not_excluded"  # welcome back, but nobody is sitting out
    NOT_ENOUGH_CHANCES = "not_enough_chances"  # see NotEnoughChances.missing
    BAD_MEETINGS = "bad_meetings"  # an exclusion is for 1 or 2 meetings, nothing else
    PROPOSAL_OPEN = "proposal_open"  # one about this member (or this setting) is under way
    PROPOSER_CANNOT_SECOND = "proposer_cannot_second"
    TOO_LATE = "too_late"  # the deadline of this step has passed
    NOT_ON_ROLL = "not_on_roll"  # not eligible for this vote (roll fixed at opening)
    ALREADY_VOTED = "already_voted"
    NOT_THE_MEMBER = "not_the_member"  # only the member concerned gives a statement
    STATEMENT_EMPTY = "statement_empty"
    STATEMENT_TOO_LONG = "statement_too_long"


class DecisionError(Exception):
    """Base of every due-process error."""


class Refused(DecisionError):
    """The request breaks a rule; nothing changed."""

    def __init__(self, reason: DecisionRefusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@lazy_dataclass(frozen=True)
class ChancesMissing:
    """How many more of each the member must have had before an exclusion can be proposed."""

    concerns: int
    requesters: int
    meetings: int


class NotEnoughChances(Refused):
    """The member has not had enough chances to change yet; ``missing`` says what is lacking."""

    def __init__(self, missing: ChancesMissing) -> None:
        super().__init__(DecisionRefusal.NOT_ENOUGH_CHANCES)
        self.missing = missing


class WrongState(DecisionError):
    """The transition already happened (or cannot happen from here): a duplicate click, a race,
    or a stale timer. The runtime drops it; its conditional UPDATE would match no row anyway."""

    def __init__(self, expected: frozenset[str], actual: str) -> None:
        super().__init__(f"expected state {sorted(expected)}, found {actual!r}")
        self.expected = expected
        self.actual = actual


class TooEarly(DecisionError):
    """A deadline fired before it was due (the scheduler re-arms it for ``due``)."""

    def __init__(self, due: datetime) -> None:
        super().__init__(f"not due before {due.isoformat()}")
        self.due = due
