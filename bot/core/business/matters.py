"""What a business meeting decides, as pure values: motions, motions to table, elections.

A *matter* is one thing the group decides in the meeting. Its life, one step at a time (each
function takes the matter and ``now`` and returns the new matter, or raises
:class:`BusinessError` and nothing changes):

* a **motion**: :func:`move` (any member, during the business part) → ``MOVED``, waiting for a
  second (unless the format says motions need none) → :func:`second` by another member →
  ``DISCUSSION`` (until the format's ``discussion`` time, or until the chair calls the vote) →
  :func:`open_ballot` → ``VOTING`` → decided (:mod:`.tally`). Before the vote the mover may
  :func:`withdraw` it, and it may be tabled: by the chair (:func:`table`), or by a seconded
  **motion to table**, itself decided by a ballot at once (it is not discussed);
* an **election** for a service role: ``CANDIDATES`` (members :func:`stand` and may
  :func:`stand_down`) → :func:`open_ballot` → ``VOTING`` → decided.

The matter holds pseudonyms only while they are needed (the mover, to refuse a self-second and
to let only them withdraw; the candidates, to name them on the ballot); who voted how is never
part of it (the ballots are counted by :mod:`.tally`, and the roll lives in the store).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym

#: The most candidates one election takes (one ballot button each, plus Abstain).
MAX_CANDIDATES = 10
#: The longest motion, in characters (it is shown in the channel as the member wrote it).
MOTION_LIMIT = 300


class Kind(StrEnum):
    MOTION = "motion"
    TO_TABLE = "table"  # a motion to table another motion (``tables``)
    ELECTION = "election"


class Stage(StrEnum):
    MOVED = "moved"  # waiting for a second
    DISCUSSION = "discussion"
    CANDIDATES = "candidates"  # an election: members stand
    VOTING = "voting"
    DECIDED = "decided"  # counted; the result waits to be shown, then the row goes


class Refusal(StrEnum):
    """Why a step was refused. The runtime turns each into kind, private words."""

    GONE = "gone"  # decided, withdrawn or tabled already
    OWN_MOTION = "own_motion"  # a mover can't second their own motion
    SECONDED = "seconded"  # already seconded
    NOT_THE_MOVER = "not_the_mover"  # only the mover withdraws
    TOO_LATE = "too_late"  # voting has begun: withdraw / table no more
    NOT_YET = "not_yet"  # not seconded yet: nothing to vote on
    VOTING = "voting"  # the ballot is open already
    NOT_VOTING = "not_voting"  # no ballot is open
    ALREADY_STANDING = "already_standing"
    NOT_STANDING = "not_standing"
    FULL = "full"  # MAX_CANDIDATES stand already
    NO_CANDIDATES = "no_candidates"  # a ballot with nobody on it
    NOT_A_CANDIDATE = "not_a_candidate"  # a ballot choice that isn't on the ballot


class BusinessError(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@lazy_dataclass(frozen=True)
class Matter:
    """One motion, motion to table, or election, in one meeting."""

    id: str  # random and opaque
    kind: Kind
    stage: Stage
    meeting: int  # the meeting's id
    section: int  # the business section it belongs to
    item: int  # the agenda item under way when it began
    mover: Pseudonym | None = None
    seconder: Pseudonym | None = None
    tables: str | None = None  # TO_TABLE: the motion it would table
    role: str | None = None  # ELECTION: the format's role id
    candidates: tuple[Pseudonym, ...] = ()
    until: datetime | None = None  # the end of the discussion, or of the ballot

    @property
    def open(self) -> bool:
        return self.stage is not Stage.DECIDED


def move(
    matter_id: str,
    mover: Pseudonym,
    *,
    meeting: int,
    section: int,
    item: int,
    second_required: bool,
    discussion_seconds: int | None,
    now: datetime,
    tables: str | None = None,
) -> Matter:
    """A member moves a motion (or, with ``tables``, moves to table that motion)."""
    kind = Kind.MOTION if tables is None else Kind.TO_TABLE
    matter = Matter(matter_id, kind, Stage.MOVED, meeting, section, item, mover, tables=tables)
    if second_required:
        return matter
    return _seconded(matter, None, discussion_seconds, now)


def second(
    matter: Matter, who: Pseudonym, *, discussion_seconds: int | None, now: datetime
) -> Matter:
    """Another member seconds the motion: it is discussed (a motion to table is not: it goes
    to the ballot, which the runtime opens with the roll)."""
    if matter.stage is Stage.DECIDED:
        raise BusinessError(Refusal.GONE)
    if matter.stage is not Stage.MOVED:
        raise BusinessError(Refusal.SECONDED)
    if who == matter.mover:
        raise BusinessError(Refusal.OWN_MOTION)
    return _seconded(matter, who, discussion_seconds, now)


def _seconded(
    matter: Matter, who: Pseudonym | None, discussion_seconds: int | None, now: datetime
) -> Matter:
    until = None
    if matter.kind is Kind.MOTION and discussion_seconds:
        until = now + timedelta(seconds=discussion_seconds)
    return replace(matter, stage=Stage.DISCUSSION, seconder=who, until=until)


def withdraw(matter: Matter, who: Pseudonym) -> None:
    """The mover takes their motion back, before the vote. Nothing is kept of it."""
    if matter.stage is Stage.DECIDED:
        raise BusinessError(Refusal.GONE)
    if matter.stage is Stage.VOTING:
        raise BusinessError(Refusal.TOO_LATE)
    if matter.mover is None or who != matter.mover:
        raise BusinessError(Refusal.NOT_THE_MOVER)


def table(matter: Matter) -> None:
    """The chair tables a motion (before its vote): it is left for a later meeting."""
    if matter.stage is Stage.DECIDED:
        raise BusinessError(Refusal.GONE)
    if matter.stage is Stage.VOTING:
        raise BusinessError(Refusal.TOO_LATE)


def may_be_tabled(matter: Matter) -> None:
    """A motion to table may be made: the motion is seconded and not yet voted on."""
    table(matter)
    if matter.kind is not Kind.MOTION:
        raise BusinessError(Refusal.GONE)
    if matter.stage is Stage.MOVED:
        raise BusinessError(Refusal.NOT_YET)


def open_ballot(matter: Matter, *, voting_seconds: int, now: datetime) -> Matter:
    """The ballot opens (the chair calls the vote, the discussion's time is up, or a motion to
    table was seconded); it closes ``voting_seconds`` later unless the chair closes it first."""
    if matter.stage is Stage.DECIDED:
        raise BusinessError(Refusal.GONE)
    if matter.stage is Stage.VOTING:
        raise BusinessError(Refusal.VOTING)
    if matter.stage is Stage.MOVED:
        raise BusinessError(Refusal.NOT_YET)
    if matter.kind is Kind.ELECTION and not matter.candidates:
        raise BusinessError(Refusal.NO_CANDIDATES)
    return replace(matter, stage=Stage.VOTING, until=now + timedelta(seconds=voting_seconds))


def election(matter_id: str, role: str, *, meeting: int, section: int, item: int) -> Matter:
    """An election for ``role`` begins: members may stand."""
    return Matter(matter_id, Kind.ELECTION, Stage.CANDIDATES, meeting, section, item, role=role)


def stand(matter: Matter, who: Pseudonym) -> Matter:
    """A member stands for election (and so chooses to be named on the ballot)."""
    if matter.stage is not Stage.CANDIDATES:
        raise BusinessError(Refusal.VOTING if matter.stage is Stage.VOTING else Refusal.GONE)
    if who in matter.candidates:
        raise BusinessError(Refusal.ALREADY_STANDING)
    if len(matter.candidates) >= MAX_CANDIDATES:
        raise BusinessError(Refusal.FULL)
    return replace(matter, candidates=(*matter.candidates, who))


def stand_down(matter: Matter, who: Pseudonym) -> Matter:
    """A candidate takes their name off, before the ballot opens."""
    if matter.stage is not Stage.CANDIDATES:
        raise BusinessError(Refusal.VOTING if matter.stage is Stage.VOTING else Refusal.GONE)
    if who not in matter.candidates:
        raise BusinessError(Refusal.NOT_STANDING)
    return replace(matter, candidates=tuple(c for c in matter.candidates if c != who))


def decided(matter: Matter) -> Matter:
    """Counted: only the result is left to show."""
    return replace(matter, stage=Stage.DECIDED, mover=None, seconder=None, until=None)
