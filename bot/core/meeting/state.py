"""The meeting's durable state: frozen, JSON-serialisable, and enough to resume after a kill -9.

Every deadline is stored as an absolute time, so the floor, the queue and the timers are rebuilt
from the stored state plus ``now``. Persons appear only as pseudonyms, and only while the
meeting runs: the state of an ended meeting holds none.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import field
from datetime import datetime
from enum import StrEnum

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.meeting.codec import decode, encode
from bot.core.pseudonyms import Pseudonym
from bot.core.sharing import Declarations, Floor

#: The role id of the chair: the one role the meeting core itself knows.
CHAIR = "chair"

#: Bumped when the stored shape changes incompatibly.
STATE_VERSION = 1


class Status(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    ENDED = "ended"


@lazy_dataclass(frozen=True)
class MeetingSetup:
    """What the runtime knows when a meeting starts (not stored as such).

    ``number`` is the meeting number this meeting will carry if it counts (texts that rotate by
    meeting and ``${meeting_number}`` use it). ``roles`` maps a role id to whoever holds it
    today, as pseudonyms (the chair, the speaker …); a role missing or empty is unfilled and its
    fallback applies. ``switches`` are the group's switch settings; missing ones take the
    format's default.
    """

    number: int
    roles: Mapping[str, Sequence[Pseudonym]] = field(default_factory=dict)
    switches: Mapping[str, bool] = field(default_factory=dict)


@lazy_dataclass(frozen=True)
class SectionStep:
    """The section under way, with its clocks (absolute times)."""

    index: int
    run: int  # a token: how many sections have started so far; timers of an older run are stale
    started_at: datetime
    box_at: datetime | None = None  # time box / silence length: moves with pauses
    anchor_at: datetime | None = None  # wall-clock anchor: does not move
    jump_to: int | None = None  # when anchor_at is a later section's `starts`: go there
    box_up: bool = False
    anchor_up: bool = False
    option: int | None = None  # the text option the chair chose
    choosing: bool = False  # waiting for the chair to choose the text
    readers: tuple[Pseudonym, ...] = ()  # volunteers who took parts of the reading, in order
    chair_read: bool = False  # the leader read the parts nobody took
    part: int = 0  # announcements: the call under way; business: the agenda item under way
    part_box_at: datetime | None = None
    part_up: bool = False

    @property
    def deadline(self) -> datetime | None:
        times = [t for t in (self.box_at, self.anchor_at) if t is not None]
        return min(times) if times else None


@lazy_dataclass(frozen=True)
class ChairCheck:
    """Someone offered to step in as chair: the chair was asked whether they're still with us.

    With no answer by ``until``, ``by`` chairs (a durable meeting deadline)."""

    by: Pseudonym
    until: datetime


@lazy_dataclass(frozen=True)
class HeldWords:
    """One channel effect Discord refused to show, kept until the meeting resumes.

    ``kind`` is the effect's class name and ``fields`` its fields as JSON (pseudonyms and the
    format's own texts only, like the rest of the state); ``posted`` is how many of its messages
    were already posted, so that resuming posts the rest and nothing twice
    (:mod:`bot.core.meeting.held`)."""

    kind: str
    fields: str
    posted: int = 0


@lazy_dataclass(frozen=True)
class Waiting:
    """The meeting waits before section ``index`` begins, until ``until`` (a durable deadline):
    the format's countdown before the start (``countdown``), or a section's ``starts:`` moment
    the meeting reached early. ``came_from`` is the section before it, if any."""

    index: int
    until: datetime
    countdown: bool = False
    came_from: int | None = None


@lazy_dataclass(frozen=True)
class LateAsk:
    """Running late: the chair is asked how to fit sharing section ``index`` in. ``room`` is
    the time left for it (seconds) keeping the time of what comes after it (the closing);
    with no answer by ``until``, :data:`proposal` holds."""

    index: int
    room: int
    planned: int
    until: datetime
    came_from: int | None = None


#: Fields added after the first stored shape: left out while they hold their default, so a
#: meeting stored by this version reads back in the previous one as long as nothing is held.
OPTIONAL_FIELDS: dict[str, object] = {
    "held": (),
    "cannot_post": False,
    "waiting": None,
    "late": None,
    "recruits": (),
    "late_asked": (),
    "shorter": (),
}
#: Fields held in memory only and never stored: what members said privately for this meeting.
NEVER_STORED = ("declared",)


@lazy_dataclass(frozen=True)
class MeetingState:
    """One meeting in progress. Store ``to_json()``; restore with ``MeetingState.from_json``."""

    format_name: str
    section_count: int
    number: int
    started_at: datetime
    planned_end: datetime
    status: Status = Status.RUNNING
    step: SectionStep | None = None
    history: tuple[int, ...] = ()  # sections run before the current one, for Back
    runs: int = 0
    answers: tuple[tuple[str, bool], ...] = ()
    switches: tuple[tuple[str, bool], ...] = ()
    roles: tuple[tuple[str, Pseudonym], ...] = ()  # (role id, holder)
    floor: Floor = field(default_factory=Floor)
    notes_sent: tuple[int, ...] = ()  # meeting-level time-left notes already posted
    explained: int = -1  # the section whose crosstalk policy was last explained
    paused_at: datetime | None = None
    reached_closing: bool = False
    ended_at: datetime | None = None
    # How many different members took part so far: a number only, never who (the runtime
    # counts people in memory and hands the number in before each operation).
    participants: int = 0
    chair_check: ChairCheck | None = None  # the chair was asked "are you still with us?"
    stood_in_for: tuple[Pseudonym, ...] = ()  # the chair(s) someone stepped in for: may return
    # Discord refused to post in the channel: the meeting is paused until the chair resumes it,
    # and ``held`` keeps, in order, the words that were not shown yet.
    cannot_post: bool = False
    held: tuple[HeldWords, ...] = ()
    version: int = STATE_VERSION
    # Private declarations ("it's my first time", "I'd rather listen today"): in memory only,
    # like who took part; never stored, so a restart forgets them.
    declared: Declarations = field(default_factory=Declarations)
    # Time (bot/core/meeting/waits.py): the countdown or a `starts:` moment being awaited; the
    # chair asked how to fit a sharing section in when running late (and which were asked);
    # readers who offered during the countdown, as (section, reader) while the meeting runs.
    waiting: Waiting | None = None
    late: LateAsk | None = None
    late_asked: tuple[int, ...] = ()
    shorter: tuple[int, ...] = ()  # sections where the chair chose shorter shares
    recruits: tuple[tuple[int, Pseudonym], ...] = ()

    @property
    def chairs(self) -> tuple[Pseudonym, ...]:
        return self.holders(CHAIR)

    def answer(self, question_id: str) -> bool | None:
        return next((yes for qid, yes in self.answers if qid == question_id), None)

    def holders(self, role: str) -> tuple[Pseudonym, ...]:
        return tuple(who for role_id, who in self.roles if role_id == role)

    def to_dict(self) -> dict[str, object]:
        data = encode(self)
        assert isinstance(data, dict)  # noqa: S101 — a dataclass always encodes to an object
        for name, default in OPTIONAL_FIELDS.items():
            if getattr(self, name) == default:
                data.pop(name, None)
        for name in NEVER_STORED:
            data.pop(name, None)
        return dict(data)

    @classmethod
    def from_dict(cls, data: object) -> MeetingState:
        """The state stored by :meth:`to_dict`; ``ValueError`` if it is damaged or too new."""
        if isinstance(data, dict) and data.get("version", STATE_VERSION) != STATE_VERSION:
            raise ValueError("this meeting was stored by a different version of the bot")
        if isinstance(data, dict) and any(name in data for name in NEVER_STORED):
            raise ValueError("a stored meeting never holds what members said privately")
        state = decode(cls, data)
        assert isinstance(state, MeetingState)  # noqa: S101
        return state

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> MeetingState:
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ValueError("the stored meeting is not valid JSON") from error
        return cls.from_dict(data)
