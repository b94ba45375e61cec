"""What the live meeting (or a raid lock) asks of its channel now, as the planner's
:class:`~bot.core.room_rules.Ask`: the section's ``channel:`` rules (who may post, who may turn
a camera on, slow mode), ``lock-channel`` (from the start, or from a moment after it) and a
raid lock. Read by :class:`~bot.runtime.room_rules.service.RoomRulesService` before each
reconciliation."""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.formats.plan import LockChannel, WhoMay
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.meeting import Status
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.core.room_rules import Ask, Holder
from bot.runtime.clock import Clock
from bot.runtime.live import LiveMeeting
from bot.runtime.room_rules.port import RoomPlace, RoomRulesPort
from bot.runtime.room_rules.raid import LOCK_SLOW_MODE, RaidLock


class Paused:
    """The meeting is paused: leave the channel as it is."""


PAUSED = Paused()


@lazy_dataclass(frozen=True)
class Wanted:
    ask: Ask | None  # None: nothing closed
    slow: int
    missing_role: bool  # lock-channel asked without a member role
    locked: bool = False  # a raid lock (bot/runtime/room_rules/lock.py)


def asks_anything(live: LiveMeeting) -> bool:
    """The format asks something of the channel at some point (cheap: no call at all)."""
    plan = live.plan
    return plan.lock_channel is LockChannel.DURING_MEETING or any(
        s.channel.post is not WhoMay.EVERYONE
        or s.channel.video is not WhoMay.EVERYONE
        or s.channel.slow_mode_seconds
        for s in plan.sections
    )


def doors_close_at(live: LiveMeeting) -> float | None:
    """``lock-channel: {after: …}``: the clock time the channel closes to people without the
    member role (None: the format has no such moment)."""
    plan = live.plan
    if plan.lock_channel is not LockChannel.DURING_MEETING or not plan.lock_after_seconds:
        return None
    return live.state.started_at.timestamp() + plan.lock_after_seconds


class Asks:
    """Works out the :class:`Wanted` of a channel; ids in memory only."""

    def __init__(
        self,
        port: RoomRulesPort,
        pseudonyms: Pseudonymizer,
        clock: Clock,
        raid: Mapping[int, RaidLock],
    ) -> None:
        self._port = port
        self._pseudonyms = pseudonyms
        self._clock = clock
        self._raid = raid

    def wanted(
        self, live: LiveMeeting | None, place: RoomPlace, settle: bool = False
    ) -> Wanted | Paused:
        if live is not None and (live.state.status is Status.ENDED or live.state.step is None):
            live = None
        raid = self._raid.get(place.channel_id)
        if raid is not None:
            return self._locked(live, place, raid)
        if live is None or live.state.step is None:
            return Wanted(None, 0, False)
        if live.state.status is Status.PAUSED and not settle:
            return PAUSED
        rules = live.plan.sections[live.state.step.index].channel
        lock = live.plan.lock_channel is LockChannel.DURING_MEETING
        closes = doors_close_at(live)
        if closes is not None and self._clock.timestamp() < closes:
            lock = False  # the doors are still open
        role = live.group.member_role_id
        if (
            rules.post is WhoMay.EVERYONE
            and (rules.video is WhoMay.EVERYONE or not place.voice)
            and not (lock and role is not None)
        ):
            return Wanted(None, rules.slow_mode_seconds, lock and role is None)
        turn = live.state.floor.turn
        chairs = live.chairs
        ask = Ask(
            post=rules.post,
            lock=lock,
            voice=place.voice,
            everyone=Holder(True, place.guild_id),
            bot=Holder(False, place.bot_id),
            member_role=None if role is None else Holder(True, role),
            sharer=None if turn is None else self.member(live, place, turn.who),
            chair=self.member(live, place, chairs[0]) if chairs else None,
            video=rules.video,
        )
        return Wanted(ask, rules.slow_mode_seconds, lock and role is None)

    def _locked(self, live: LiveMeeting | None, place: RoomPlace, raid: RaidLock) -> Wanted:
        """A raid lock: the meeting's own rule for the part it's in (if one runs), and nobody
        from outside the group posts — by the member role, or (without one) newcomers kept out
        on their own overwrites, found from join times in memory; slow mode on."""
        post, video, slow, sharer, chair = WhoMay.EVERYONE, WhoMay.EVERYONE, 0, None, None
        spared: set[int] = {place.bot_id}
        if live is not None and live.state.step is not None:
            rules = live.plan.sections[live.state.step.index].channel
            post, video, slow = rules.post, rules.video, rules.slow_mode_seconds
            turn = live.state.floor.turn
            sharer = None if turn is None else self.member(live, place, turn.who)
            chair = self.member(live, place, live.chairs[0]) if live.chairs else None
            spared |= set(live.names.values())  # members who took part today
        role = raid.member_role_id
        newcomers: frozenset[Holder] = frozenset()
        if role is None:
            found = self._port.newcomers(place.guild_id, raid.joined_after)
            newcomers = frozenset(Holder(False, m) for m in found if m not in spared)
        ask = Ask(
            post=post,
            lock=role is not None,
            voice=place.voice,
            everyone=Holder(True, place.guild_id),
            bot=Holder(False, place.bot_id),
            member_role=None if role is None else Holder(True, role),
            sharer=sharer,
            chair=chair,
            newcomers=newcomers,
            video=video,
        )
        return Wanted(ask, max(slow, LOCK_SLOW_MODE), False, locked=True)

    def member(self, live: LiveMeeting, place: RoomPlace, who: Pseudonym) -> Holder | None:
        user_id = live.names.get(who)
        if user_id is None:
            user_id = self._pseudonyms.index(
                place.guild_id, self._port.members(place.guild_id)
            ).get(who)
        return None if user_id is None else Holder(False, user_id)
