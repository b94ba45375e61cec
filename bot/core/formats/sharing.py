"""Rules in force while members share: turn-taking, share timers, crosstalk, channel."""

from __future__ import annotations

from enum import StrEnum

from bot.core.formats.roles import Who
from bot.core.formats.timing import Anchor
from bot.core.lazy_dataclasses import lazy_dataclass


class Order(StrEnum):
    ROUND = "round"  # round robin, in the order the bot lists the members present
    HANDS = "hands"  # raised hands, in the order raised
    CHAIR_PICKS = "chair-picks"  # the chair calls on people
    TAG = "tag"  # each sharer picks the next
    FREE = "free"  # whoever starts (no queue, the bot only times)


class Sharers(StrEnum):
    EVERYONE = "everyone"
    NOT_YET_SHARED = "not-yet-shared"  # only members who have not shared in this meeting


@lazy_dataclass(frozen=True)
class TurnTaking:
    order: Order
    sharers: Sharers = Sharers.EVERYONE
    pass_allowed: bool = True
    first_timers_first: bool = False  # newcomers who asked privately go first
    not_yet_shared_first: bool = False  # members who have not shared yet go before others
    once_each_first: bool = True  # nobody shares twice before everyone who wants to has once
    rounds: int = 1  # ROUND only: how many times around
    begins: Anchor | None = None  # None for the first phase


class AtLimit(StrEnum):
    NOTE = "note"  # only the gentle "time" note; the sharer finishes in their own time
    HAND_BACK = "hand-back"  # the floor returns to the chair
    NEXT = "next"  # the next sharer is called


@lazy_dataclass(frozen=True)
class ShareWarning:
    offset_seconds: int  # relative to the limit: -60 is "a minute left", 30 is "30s over"
    text: str


@lazy_dataclass(frozen=True)
class BusyLimit:
    """A shorter limit when many are waiting: applies when at least ``waiting`` hands are up."""

    waiting: int
    limit_seconds: int


@lazy_dataclass(frozen=True)
class FairShare:
    """Shares sized to fit (``fair-share``): the time left in the section divided among the
    sharer and those waiting (``by_present``: among those here who have not had a turn in this
    round), never shorter than ``min_seconds`` nor longer than the usual limit."""

    min_seconds: int
    by_present: bool = False

    def limit(self, seconds_left: float, among: int, usual: int | None) -> int:
        """The limit for one share: rounded down to a whole half minute, then clamped."""
        fair = int(seconds_left / max(among, 1)) // 30 * 30
        fair = max(fair, self.min_seconds)
        return fair if usual is None else min(fair, usual)


@lazy_dataclass(frozen=True)
class ShareTimer:
    limit_seconds: int | None  # None: no limit
    grace_seconds: int = 0
    warnings: tuple[ShareWarning, ...] = ()  # sorted by offset
    at_limit: AtLimit = AtLimit.NOTE
    self_timed: bool = False  # the sharer sees a private countdown; no public notes
    role_limits: tuple[tuple[str, int], ...] = ()  # (role id, limit) e.g. the speaker
    busy_limits: tuple[BusyLimit, ...] = ()  # sorted by `waiting`, ascending
    low_seconds: int | None = None  # a range (`3m-5m`): its bottom; the limit is its top
    fair_share: FairShare | None = None  # sized to the time left and the number waiting

    def limit_for(self, role: str | None = None, waiting: int = 0) -> int | None:
        """The limit for a sharer holding ``role`` (or none) with ``waiting`` others waiting."""
        for role_id, seconds in self.role_limits:
            if role_id == role:
                return seconds
        limit = self.limit_seconds
        for busy in self.busy_limits:
            if waiting >= busy.waiting:
                limit = busy.limit_seconds if limit is None else min(limit, busy.limit_seconds)
        return limit


@lazy_dataclass(frozen=True)
class Sharing:
    phases: tuple[TurnTaking, ...]  # at least one; later ones start at their `begins`
    timer: ShareTimer
    sharer: Who | None = None  # SPEAKER: the speaker; otherwise None (members share)
    counts: bool = False  # a share here counts as having shared (open sharing, a speaker)


# --- rules in force during a section -------------------------------------------------------


class CrosstalkMode(StrEnum):
    NOT_ALLOWED = "not-allowed"
    ALLOWED = "allowed"
    ENCOURAGED = "encouraged"  # responses welcome, kept short (reply_limit_seconds)
    FEEDBACK_ONLY = "feedback-only"  # only the structured feedback the sharer asks for


@lazy_dataclass(frozen=True)
class CrosstalkPolicy:
    mode: CrosstalkMode
    explanation: tuple[str, ...]  # chunks the chair reads when this policy begins
    reminder: str  # the gentle note when someone talks over a share
    reply_limit_seconds: int | None = None


class WhoMay(StrEnum):
    """Who may post or speak while a section runs."""

    EVERYONE = "everyone"
    SHARER = "sharer"  # whoever has the floor, and the chair
    CHAIR = "chair"
    NOBODY = "nobody"


@lazy_dataclass(frozen=True)
class ChannelRules:
    post: WhoMay = WhoMay.EVERYONE  # who may write in the meeting channel
    speak: WhoMay = WhoMay.EVERYONE  # who may talk in voice / stage
    slow_mode_seconds: int = 0
    video: WhoMay = WhoMay.EVERYONE  # who may turn a camera on or share a screen in voice


class LockChannel(StrEnum):
    ON_REQUEST = "on-request"  # members may lock the channel to newcomers during a raid
    DURING_MEETING = "during-meeting"  # closed to newcomers from the start to the close
    NEVER = "never"
