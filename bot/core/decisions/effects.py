"""What the runtime must do after a due-process operation, as small frozen values.

Two kinds, in the order an operation lists them:

* :class:`StoreEffect` — rows and deadlines. Commit them **in the same transaction** as the new
  state (the proposal's conditional ``UPDATE … WHERE state = <old state>``), so a decision and
  its consequences are durable together.
* :class:`DiscordEffect` — messages and permission overwrites, carried out after the commit.
  If the process dies in between, the runtime must be able to redo them on restart (an outbox
  table, or re-deriving them from the committed state); each is safe to repeat.

Persons appear only as pseudonyms; texts are the cogs' business. The scheduler dispatches each
:class:`DeadlineKind` to one core function (see the package docstring).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from bot.core.decisions.ballots import Choice, Result
from bot.core.decisions.exclusion import Exclusion
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym


class DeadlineKind(StrEnum):
    SECOND_DUE = "second_due"  # key: proposal id -> proposals.lapse
    BALLOT_OPENS = "ballot_opens"  # key: proposal id -> proposals.open_voting
    BALLOT_CLOSES = "ballot_closes"  # key: proposal id -> proposals.close_voting
    EXCLUSION_BACKSTOP = "exclusion_backstop"  # key: member pseudonym -> exclusions.backstop_due


class CancelReason(StrEnum):
    TARGET_NOT_EXCLUDABLE = "target_not_excludable"  # owner, admin, above the bot's top role
    EXCLUSION_ENDED = "exclusion_ended"  # a welcome-back vote whose exclusion lifted meanwhile


@lazy_dataclass(frozen=True)
class StoreEffect:
    """Base of the effects committed with the state change."""


@lazy_dataclass(frozen=True)
class DiscordEffect:
    """Base of the effects carried out on Discord after the commit."""


# --- store ------------------------------------------------------------------------------------


@lazy_dataclass(frozen=True)
class ScheduleDeadline(StoreEffect):
    """Insert or replace the durable deadline ``(kind, key)``.

    Keys are unique within one group (a proposal id, or the member's pseudonym for a backstop);
    prefix them with the group id if the deadline table is shared by every group.
    """

    kind: DeadlineKind
    key: str
    at: datetime


@lazy_dataclass(frozen=True)
class CancelDeadline(StoreEffect):
    kind: DeadlineKind
    key: str


@lazy_dataclass(frozen=True)
class SaveRoll(StoreEffect):
    """The voter roll, fixed now, every entry "has not voted"."""

    proposal_id: str
    voters: frozenset[Pseudonym]


@lazy_dataclass(frozen=True)
class MarkVoted(StoreEffect):
    """Flip this roll entry to "has voted" — in the same transaction as :class:`StoreBallot`."""

    proposal_id: str
    voter: Pseudonym


@lazy_dataclass(frozen=True)
class StoreBallot(StoreEffect):
    """Insert an anonymous ballot: key and choice only, into a table apart from the roll."""

    proposal_id: str
    key: str
    choice: Choice


@lazy_dataclass(frozen=True)
class DeleteVotes(StoreEffect):
    """Delete the voter roll and every ballot of this proposal."""

    proposal_id: str


@lazy_dataclass(frozen=True)
class DeleteProposal(StoreEffect):
    """Delete the proposal row (proposer, statement and all)."""

    proposal_id: str


@lazy_dataclass(frozen=True)
class SaveExclusion(StoreEffect):
    exclusion: Exclusion


@lazy_dataclass(frozen=True)
class StartExclusion(StoreEffect):
    """The meeting under way when the exclusion was decided closed: from now on it covers the
    meetings numbered from ``first_meeting`` (only if it still waits for ``after_meeting``)."""

    target: Pseudonym
    after_meeting: int
    first_meeting: int


@lazy_dataclass(frozen=True)
class DeleteExclusion(StoreEffect):
    target: Pseudonym


@lazy_dataclass(frozen=True)
class DeleteConcernsAbout(StoreEffect):
    target: Pseudonym


@lazy_dataclass(frozen=True)
class DeleteConcernsBefore(StoreEffect):
    """Expiry: delete every concern of the group recorded at a meeting numbered below this."""

    meeting: int


@lazy_dataclass(frozen=True)
class ApplyChange(StoreEffect):
    """The group adopted a change: set ``subject`` (a setting name, or "format") to ``value``."""

    proposal_id: str
    subject: str
    value: str


# --- discord ----------------------------------------------------------------------------------


@lazy_dataclass(frozen=True)
class SendConcernNote(DiscordEffect):
    """A private, kind note to the member quoting this guideline and how due process works."""

    target: Pseudonym
    guideline: str


@lazy_dataclass(frozen=True)
class AskForSecond(DiscordEffect):
    """Post the proposal in the group's channel (never who proposed it) with a Second button."""

    proposal_id: str
    second_by: datetime


@lazy_dataclass(frozen=True)
class SendNotice(DiscordEffect):
    """Tell the member privately what is proposed and why, and invite their side."""

    target: Pseudonym
    proposal_id: str
    meetings: int
    guidelines: tuple[str, ...]
    hearing_ends: datetime


@lazy_dataclass(frozen=True)
class AnnounceSeconded(DiscordEffect):
    proposal_id: str
    ballot_opens: datetime


@lazy_dataclass(frozen=True)
class PostBallot(DiscordEffect):
    """The ballot message: what is decided, the statement if any, threshold, quorum, deadline,
    and Yes / No / Abstain buttons."""

    proposal_id: str
    closes_at: datetime


@lazy_dataclass(frozen=True)
class ShowStatement(DiscordEffect):
    """The member gave (or revised) their statement while voting is open: update the ballot."""

    proposal_id: str


@lazy_dataclass(frozen=True)
class AnnounceResult(DiscordEffect):
    """``result.counts`` is None below 5 ballots: then announce the outcome only."""

    proposal_id: str
    result: Result


@lazy_dataclass(frozen=True)
class AnnounceLapsed(DiscordEffect):
    proposal_id: str


@lazy_dataclass(frozen=True)
class AnnounceCancelled(DiscordEffect):
    proposal_id: str
    reason: CancelReason


@lazy_dataclass(frozen=True)
class SendNotCarried(DiscordEffect):
    """Tell the member privately that the proposal about them will not go ahead."""

    target: Pseudonym
    proposal_id: str


@lazy_dataclass(frozen=True)
class ApplyExclusion(DiscordEffect):
    """Add the member-specific overwrite on the group's channel(s); audit reason "group
    decision". Re-applied by the runtime if they leave and rejoin (see ``is_excluded``)."""

    target: Pseudonym


@lazy_dataclass(frozen=True)
class SendExclusionNotice(DiscordEffect):
    """Tell the member kindly when they can come back (and, when the group decided during a
    meeting, that they stay in that one)."""

    target: Pseudonym
    meetings: int
    ends_by: datetime
    after_this_meeting: bool = False


@lazy_dataclass(frozen=True)
class RemoveExclusion(DiscordEffect):
    """Remove the overwrite (needs only the bot's own permissions)."""

    target: Pseudonym


@lazy_dataclass(frozen=True)
class SendWelcomeBack(DiscordEffect):
    target: Pseudonym


Effect = StoreEffect | DiscordEffect
