"""The group's due-process settings, with the defaults and the floors a group cannot go below.

A group changes these by a decision (a ``Change`` proposal); the runtime builds a
:class:`DecisionSettings` from its stored settings. Invalid values raise ``ValueError`` so a bad
setting is refused when proposed, never discovered in the middle of a vote.
"""

from __future__ import annotations

from datetime import timedelta

from bot.core.decisions.ballots import MAJORITY, TWO_THIRDS, Threshold
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.i18n.message import msg

#: An exclusion lasts at most this many held meetings. Not a setting.
MAX_EXCLUSION_MEETINGS = 2
#: The longest calendar backstop a group may set: however rarely it meets, it cannot exclude
#: anyone for longer than this.
MAX_BACKSTOP = timedelta(days=60)
#: The shortest hearing a group may set: the member must have a real chance to answer.
MIN_HEARING = timedelta(hours=1)
MIN_HEARING_HOURS = 1
#: Discord's cap on a modal text input.
MAX_STATEMENT_CHARS = 4000


@lazy_dataclass(frozen=True)
class DecisionSettings:
    # Concerns: the chances to change.
    concern_expiry_meetings: int = 6  # a concern counts for this many meetings, then is deleted
    min_concerns: int = 2  # before an exclusion can be proposed: unexpired concerns …
    min_concern_requesters: int = 2  # … from this many different members …
    min_concern_meetings: int = 2  # … across this many different meetings
    # Steps of a proposal.
    second_within: timedelta = timedelta(hours=24)
    hearing: timedelta = timedelta(hours=12)  # notice before ballots open (exclusions)
    voting: timedelta = timedelta(hours=24)
    statement_max_chars: int = 1000
    # The vote.
    voter_min_days: int = 7  # days in the server before one may vote
    quorum: int = 3  # ballots cast, abstentions included
    exclusion_threshold: Threshold = TWO_THIRDS
    change_threshold: Threshold = MAJORITY
    # The exclusion.
    backstop: timedelta = timedelta(days=30)

    def __post_init__(self) -> None:
        for name in ("min_concerns", "min_concern_requesters", "min_concern_meetings", "quorum"):
            if getattr(self, name) < 1:
                raise ValueError(msg("{name} is at least 1", name=name))
        if self.concern_expiry_meetings < self.min_concern_meetings:
            raise ValueError(msg("concerns must last at least as many meetings as they must span"))
        if self.second_within <= timedelta(0) or self.voting <= timedelta(0):
            raise ValueError(msg("the time to second and the voting time must be positive"))
        if self.hearing < MIN_HEARING:
            raise ValueError(
                msg("the hearing lasts at least {hours} hour", hours=MIN_HEARING_HOURS)
            )
        if not 1 <= self.statement_max_chars <= MAX_STATEMENT_CHARS:
            raise ValueError(
                msg(
                    "a statement cap is between 1 and {most} characters",
                    most=MAX_STATEMENT_CHARS,
                )
            )
        if self.voter_min_days < 0:
            raise ValueError(msg("voter_min_days cannot be negative"))
        if not self.exclusion_threshold.is_at_least(TWO_THIRDS):
            raise ValueError(msg("excluding a member needs at least two-thirds"))
        if not self.change_threshold.is_at_least(MAJORITY):
            raise ValueError(msg("a change needs at least a majority"))
        if not timedelta(0) < self.backstop <= MAX_BACKSTOP:
            raise ValueError(
                msg("the backstop is positive and at most {days} days", days=MAX_BACKSTOP.days)
            )
