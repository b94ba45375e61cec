"""The raid lock: any member can close the meeting's channel to people outside the group during
a raid or a flood of strangers, and it lifts again — by the chair, by a quick show of hands, or
by itself after :data:`~bot.runtime.room_rules.raid.LOCK_MINUTES` minutes.

* **Locking** commits the lock as a scheduler deadline (due when it lifts itself; see
  :mod:`bot.runtime.room_rules.raid`), then the channel rules close the channel — through their
  own durable restore plan, so it comes back exactly, after a kill -9 too. With a member role,
  @everyone loses Send Messages (and Connect in voice) and the member role keeps them; without
  one, each account that joined the server lately loses them on its own overwrite (found from
  join times in memory; the restore plan names them by coded key, never by id, until the channel
  is back). Slow mode on. Pausing the meeting is the press's other half (bot/ui/raid_lock.py).
* **A second press** while locked says so, and how it lifts.
* **Lifting**: the chair at once; anyone else in the group opens a show of hands — **Lift it** /
  **Keep it** for two minutes, counted in memory (a set of who pressed, to count each once,
  dropped when it closes), nobody recorded; a majority of those who answered lifts it. A restart
  loses a show of hands under way (the lock stays; it still lifts itself).
* Nothing here names anyone: the words say "a member", "the chair", "the group".
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Mapping
from dataclasses import field
from typing import Any

from bot.core.formats.plan import LockChannel
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.meeting import Status
from bot.core.pseudonyms import Pseudonym
from bot.i18n import Msg
from bot.runtime.clock import Clock
from bot.runtime.live import LiveMeetings
from bot.runtime.room_rules import lock_words as say
from bot.runtime.room_rules.port import RoomRulesPort
from bot.runtime.room_rules.raid import LOCK_KIND, LOCK_MINUTES, NEWCOMER_MINUTES, RaidLock
from bot.runtime.room_rules.service import OVERWRITES, RETRY_BASE, SLOW_MODE, RoomRulesService
from bot.runtime.scheduler import Scheduler
from bot.store.groups import GroupRecord

log = logging.getLogger(__name__)

HANDS_KIND = "room.lock.hands"
#: Clock seconds a show of hands stays open.
HANDS_SECONDS = 120


@lazy_dataclass
class _Hands:
    """A show of hands under way, in memory only."""

    number: int
    ends: float
    lift: set[int] = field(default_factory=set)
    keep: set[int] = field(default_factory=set)


class RaidLockService:
    def __init__(
        self,
        rooms: RoomRulesService,
        port: RoomRulesPort,
        meetings: LiveMeetings,
        clock: Clock,
        scheduler: Scheduler,
    ) -> None:
        self._rooms = rooms
        self._port = port
        self._meetings = meetings
        self._clock = clock
        self._scheduler = scheduler
        self._hands: dict[int, _Hands] = {}
        self._guards: dict[int, asyncio.Lock] = {}
        scheduler.register(LOCK_KIND, self._lock_due)
        scheduler.register(HANDS_KIND, self._hands_due)

    def _guard(self, channel_id: int) -> asyncio.Lock:
        return self._guards.setdefault(channel_id, asyncio.Lock())

    def _real(self, clock_time: float) -> float:
        return self._clock.real_time_of(clock_time)

    def _meeting_here(self, channel_id: int) -> bool:
        live = self._meetings.in_channel(channel_id)
        return live is not None and live.state.status is not Status.ENDED

    def never(self, channel_id: int) -> bool:
        """The meeting under way here runs a format that says ``lock-channel: never``."""
        live = self._meetings.in_channel(channel_id)
        return live is not None and live.plan.lock_channel is LockChannel.NEVER

    async def lock(self, group: GroupRecord, channel_id: int) -> Msg:
        """A member pressed "Pause and lock" (the meeting, if any, is paused already): lock the
        channel, or say it's locked already; returns the words for them."""
        meeting = self._meeting_here(channel_id)
        await self._rooms.ready()
        async with self._guard(channel_id):
            if self.never(channel_id):
                return say.NEVER
            existing = self._rooms.locked(channel_id)
            if existing is not None:
                return say.already(self._real(existing.until))
            place = self._port.place(channel_id)
            missing = () if place is None else self._port.missing(place, (OVERWRITES, SLOW_MODE))
            if place is None or len(missing) == 2:
                return say.cannot(meeting, missing or (OVERWRITES, SLOW_MODE))
            now = self._clock.timestamp()
            lock = RaidLock(
                channel_id,
                group.id,
                group.guild_id,
                group.member_role_id,
                now + LOCK_MINUTES * 60,
                self._real(now) - NEWCOMER_MINUTES * 60,
            )
            await self._scheduler.schedule(LOCK_KIND, str(channel_id), lock.until, lock.payload())
            await self._rooms.hold_lock(lock)
            until = self._real(lock.until)
            has_role = lock.member_role_id is not None
            text = say.locked(until, has_role, meeting, missing)
            await self._port.announce(place, text, [say.LIFT_BUTTON])
            log.info("A meeting channel was locked by a member (a raid lock)")
            return say.done(until, meeting, missing)

    async def unlock(self, channel_id: int, who: Pseudonym, user_id: int) -> Msg:
        """A member asked to lift the lock: the chair lifts it; anyone else asks the group."""
        await self._rooms.ready()
        async with self._guard(channel_id):
            lock = self._rooms.locked(channel_id)
            if lock is None:
                return say.NOT_LOCKED
            live = self._meetings.in_channel(channel_id)
            if live is not None and who in live.chairs:
                await self._lift(channel_id, say.BY_CHAIR)
                return say.LIFTED_NOW
            hands = self._hands.get(channel_id)
            if hands is not None:
                return say.hands_open(self._real(hands.ends))
            ends = self._clock.timestamp() + HANDS_SECONDS
            hands = _Hands(secrets.randbelow(10**9), ends, lift={user_id})
            self._hands[channel_id] = hands
            payload = {"channel": channel_id, "number": hands.number}
            await self._scheduler.schedule(HANDS_KIND, str(channel_id), ends, payload)
            place = self._port.place(channel_id)
            if place is not None:
                buttons = [(f"hand:{hands.number}:lift", say.LIFT_IT),
                           (f"hand:{hands.number}:keep", say.KEEP_IT)]  # fmt: skip
                await self._port.announce(place, say.HANDS, buttons)
            return say.asked(self._real(ends))

    def hand(self, channel_id: int, number: int, user_id: int, lift: bool) -> Msg:
        """A member's answer to the show of hands (counted once each; changing it moves it)."""
        hands = self._hands.get(channel_id)
        if hands is None or hands.number != number:
            return say.HANDS_CLOSED
        (hands.keep if lift else hands.lift).discard(user_id)
        (hands.lift if lift else hands.keep).add(user_id)
        return say.counted(lift)

    async def member_joined(self, guild_id: int) -> None:
        """Someone joined the server: a lock without a member role keeps them out too."""
        for lock in self._rooms.locked_in(guild_id):
            if lock.member_role_id is None:
                self._rooms.spawn(self._rooms.sync(lock.channel_id))

    async def _lift(self, channel_id: int, how: Msg) -> None:
        """Let the channel go back, then forget the lock (a crash in between: still locked, and
        it lifts itself later), and say so."""
        self._hands.pop(channel_id, None)
        await self._rooms.let_go(channel_id)
        await self._scheduler.cancel(LOCK_KIND, str(channel_id))
        await self._scheduler.cancel(HANDS_KIND, str(channel_id))
        place = self._port.place(channel_id)
        if place is None:
            return
        live = self._meetings.in_channel(channel_id)
        paused = live is not None and live.state.status is Status.PAUSED
        settled = not self._rooms.owes_restore(channel_id)
        await self._port.announce(place, say.lifted(how, settled, paused), [])
        log.info("A raid lock lifted")

    async def _lock_due(self, payload: Mapping[str, Any]) -> None:
        channel_id = int(payload["channel"])
        if not self._rooms.loaded:  # the plans aren't read back yet: a little later
            later = self._clock.timestamp() + RETRY_BASE * self._clock.rate
            await self._scheduler.schedule(LOCK_KIND, str(channel_id), later, payload)
            return
        async with self._guard(channel_id):
            if self._rooms.locked(channel_id) is not None:
                await self._lift(channel_id, say.BY_ITSELF)

    async def _hands_due(self, payload: Mapping[str, Any]) -> None:
        channel_id = int(payload["channel"])
        async with self._guard(channel_id):
            hands = self._hands.get(channel_id)
            if hands is None or hands.number != int(payload["number"]):
                return  # a restart came in between: the lock stays, and lifts itself
            del self._hands[channel_id]
            lift, keep = len(hands.lift), len(hands.keep)
            lock = self._rooms.locked(channel_id)
            if lock is None:
                return
            if lift > keep:
                await self._lift(channel_id, say.by_the_group(lift, keep))
                return
            place = self._port.place(channel_id)
            if place is not None:
                await self._port.announce(place, say.kept(lift, keep, self._real(lock.until)), [])
