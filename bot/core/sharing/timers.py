"""Share timers: the limit, the warnings at their offsets, extensions and pauses."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.core.formats.plan import AtLimit
from bot.core.meeting.effects import (
    FloorGiven,
    GivenBy,
    MeetingError,
    MeetingRefusal,
    ShareExtended,
    ShareNote,
    ShareNoteAt,
)
from bot.core.pseudonyms import Pseudonym
from bot.core.sharing.floor import Floor, FloorRules, FloorStep, Turn

#: The longest a chair may extend one share at once.
MAX_EXTENSION_SECONDS = 3600


def start_turn(
    rules: FloorRules,
    number: int,
    who: Pseudonym,
    waiting: int,
    now: datetime,
    how: GivenBy,
    among: int | None = None,
) -> tuple[Turn, FloorGiven]:
    """A new turn for ``who`` with ``waiting`` others in line: its limit, grace and notes.
    With ``fair-share``, the time left in the section is shared among ``among`` members (the
    sharer and those waiting, unless told otherwise)."""
    timer = rules.sharing.timer
    role = rules.role_of(who)
    limit = timer.limit_for(role, waiting)
    fair = timer.fair_share
    if fair is not None and role is None and rules.ends_at is not None:
        left = (rules.ends_at - now).total_seconds()
        limit = fair.limit(left, waiting + 1 if among is None else among, limit)
    limit_at = None if limit is None else now + timedelta(seconds=limit)
    over_at = None if limit_at is None else limit_at + timedelta(seconds=timer.grace_seconds)
    turn = Turn(number, who, now, limit_at, over_at)
    notes = []
    for index, warning in enumerate(timer.warnings):
        at = note_at(rules, turn, index)
        if at is not None and at <= now:
            # too late for it: a very short limit (a shorter one when busy, say)
            turn = replace(turn, notes_sent=index + 1)
        elif at is not None and (
            timer.at_limit is AtLimit.NOTE or over_at is None or at <= over_at
        ):
            notes.append(ShareNoteAt(at, warning.text))
    given = FloorGiven(rules.section, who, how, limit_at, tuple(notes), timer.self_timed)
    return turn, given


def note_at(rules: FloorRules, turn: Turn, index: int) -> datetime | None:
    """When warning ``index`` of this turn is due."""
    warnings = rules.sharing.timer.warnings
    if turn.limit_at is None or index >= len(warnings):
        return None
    return turn.limit_at + timedelta(seconds=warnings[index].offset_seconds)


def note_due(floor: Floor, rules: FloorRules) -> FloorStep:
    """Post the next warning of the current share."""
    turn = floor.turn
    if turn is None:
        return floor, ()
    warning = rules.sharing.timer.warnings[turn.notes_sent]
    private = rules.sharing.timer.self_timed
    floor = replace(floor, turn=replace(turn, notes_sent=turn.notes_sent + 1))
    return floor, (ShareNote(rules.section, turn.who, warning.text, private),)


def extend(floor: Floor, rules: FloorRules | None, seconds: int, now: datetime) -> FloorStep:
    """Give the sharer ``seconds`` more; warnings that now lie ahead will come again."""
    if rules is None or floor.turn is None:
        raise MeetingError(MeetingRefusal.NOBODY_SHARING)
    if isinstance(seconds, bool) or not 0 < seconds <= MAX_EXTENSION_SECONDS:
        raise MeetingError(MeetingRefusal.BAD_DURATION)
    turn = floor.turn
    if turn.limit_at is None or turn.over_at is None:
        return floor, ()
    more = timedelta(seconds=seconds)
    limit_at = max(turn.limit_at, now) + more
    over_at = limit_at + (turn.over_at - turn.limit_at)
    warnings = rules.sharing.timer.warnings
    sent = sum(1 for w in warnings if limit_at + timedelta(seconds=w.offset_seconds) < now)
    turn = replace(turn, limit_at=limit_at, over_at=over_at, notes_sent=sent, time_up=False)
    return replace(floor, turn=turn), (ShareExtended(rules.section, turn.who, limit_at),)


def shift(floor: Floor, delta: timedelta) -> Floor:
    """Move the current share's clock by ``delta`` (the meeting was paused that long)."""
    turn = floor.turn
    if turn is None:
        return floor
    return replace(
        floor,
        turn=replace(
            turn,
            started_at=turn.started_at + delta,
            limit_at=None if turn.limit_at is None else turn.limit_at + delta,
            over_at=None if turn.over_at is None else turn.over_at + delta,
        ),
    )
