"""Decision rows and the core's values: the column lists, and the conversions both ways between
a ``proposals`` or ``exclusions`` row and the core's :class:`~bot.core.decisions.Proposal` or
:class:`~bot.core.decisions.Exclusion` (used by bot/store/decisions.py)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

from bot.core.decisions import (
    BallotBox,
    Change,
    ExcludeMember,
    Exclusion,
    Motion,
    Proposal,
    ProposalState,
    Threshold,
    WelcomeBack,
)
from bot.core.decisions.hearing import NoticeState
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym


def to_time(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


@lazy_dataclass(frozen=True)
class StoredProposal:
    """A proposal row: the core's value plus where it is shown in Discord."""

    group_id: int
    proposal: Proposal
    message_id: int | None  # the proposal's message (asking for a second)
    ballot_message_id: int | None
    #: How far the notice before an exclusion vote got, and when (bot/core/decisions/hearing.py).
    notice: NoticeState = NoticeState.PENDING
    heard_at: datetime | None = None
    asked_at: datetime | None = None


PROPOSAL_COLUMNS = (
    "id, group_id, kind, target, meetings, guidelines, subject, value, state, created_at, "
    "deadline, threshold_num, threshold_den, threshold_strict, quorum, proposer, statement, "
    "message_id, ballot_message_id, notice, heard_at, asked_at"
)


def _motion(row: sqlite3.Row) -> Motion:
    kind = row["kind"]
    if kind == "exclude":
        return ExcludeMember(
            Pseudonym(row["target"]), int(row["meetings"]), tuple(json.loads(row["guidelines"]))
        )
    if kind == "welcome_back":
        return WelcomeBack(Pseudonym(row["target"]))
    return Change(row["subject"], row["value"])


def proposal_from_row(row: sqlite3.Row, box: BallotBox | None = None) -> StoredProposal:
    proposal = Proposal(
        id=row["id"],
        motion=_motion(row),
        state=ProposalState(row["state"]),
        created_at=to_time(row["created_at"]),
        deadline=to_time(row["deadline"]),
        threshold=Threshold(
            Fraction(row["threshold_num"], row["threshold_den"]), bool(row["threshold_strict"])
        ),
        quorum=row["quorum"],
        proposer=None if row["proposer"] is None else Pseudonym(row["proposer"]),
        statement=row["statement"],
        box=box,
    )
    return StoredProposal(
        row["group_id"],
        proposal,
        row["message_id"],
        row["ballot_message_id"],
        NoticeState(row["notice"]),
        _time_or_none(row["heard_at"]),
        _time_or_none(row["asked_at"]),
    )


def _time_or_none(timestamp: float | None) -> datetime | None:
    return None if timestamp is None else to_time(timestamp)


def motion_columns(motion: Motion) -> tuple[str, str | None, int | None, str, str | None, Any]:
    """kind, target, meetings, guidelines, subject, value."""
    match motion:
        case ExcludeMember(target=target, meetings=meetings, guidelines=guidelines):
            return "exclude", target, meetings, json.dumps(list(guidelines)), None, None
        case WelcomeBack(target=target):
            return "welcome_back", target, None, "[]", None, None
        case Change(subject=subject, value=value):
            return "change", None, None, "[]", subject, value
    raise TypeError(f"unknown motion {motion!r}")


def exclusion_from_row(row: sqlite3.Row) -> Exclusion:
    return Exclusion(
        target=Pseudonym(row["target"]),
        meetings=row["meetings"],
        first_meeting=row["first_meeting"],
        began_at=to_time(row["began_at"]),
        ends_by=to_time(row["ends_by"]),
        after_meeting=row["after_meeting"],
    )


EXCLUSION_COLUMNS = "target, meetings, first_meeting, began_at, ends_by, after_meeting"
