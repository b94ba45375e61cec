"""The channel rules service: one channel reconciled at a time with what the live meeting asks,
and the durable plan that puts the channel back exactly (see the package docstring)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import field, replace
from typing import Any

from bot.core.formats.plan import WhoMay
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.meeting import Status
from bot.core.meeting.effects import ChannelEffect
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.core.room_rules import CLOSED, Bits, Change, Holder, base, reconcile, slow_mode, wanted
from bot.errors import DiscordGone, DiscordRefused
from bot.i18n import Msg
from bot.runtime.clock import Clock
from bot.runtime.events import GuildLeft, MeetingStepped, MemberForgotten
from bot.runtime.live import LiveMeeting, LiveMeetings
from bot.runtime.room_rules import words
from bot.runtime.room_rules.asks import Asks, Paused, asks_anything, doors_close_at
from bot.runtime.room_rules.port import RoomPlace, RoomRulesPort, RoomSnapshot
from bot.runtime.room_rules.raid import LOCK_KIND, RaidLock
from bot.runtime.scheduler import Scheduler
from bot.runtime.tasks import BackgroundTasks
from bot.store.room_rules import KEEP_DAYS, RoomPlanRecord, RoomPlanRepository

log = logging.getLogger(__name__)

ROOM_KIND = "room.restore"
#: ``lock-channel: {after: …}``: the moment the doors close (durable, so a restart keeps it).
DOORS_KIND = "room.doors"
#: Real seconds before a refused restore is tried again: 5 s, 10 s, 20 s … at most an hour.
RETRY_BASE = 5.0
RETRY_MAX = 3600.0
OVERWRITES = "manage_roles"
SLOW_MODE = "manage_channels"
VIDEO = "stream"


@lazy_dataclass
class _Room:
    """What the bot holds for one channel: the originals of what it changed (by holder, ids in
    memory), members read back by coded key and not yet found, the slow mode before."""

    guild_id: int
    group_id: int
    originals: dict[Holder, Bits | None] = field(default_factory=dict)
    owed: dict[Pseudonym, Bits | None] = field(default_factory=dict)
    slow_before: int | None = None
    refused: int = 0  # restores refused in a row (the back-off)
    told_refused: bool = False
    persisted: RoomPlanRecord | None = None

    @property
    def idle(self) -> bool:
        return not self.originals and not self.owed and self.slow_before is None


class RoomRulesService:
    def __init__(
        self,
        port: RoomRulesPort,
        meetings: LiveMeetings,
        pseudonyms: Pseudonymizer,
        clock: Clock,
        scheduler: Scheduler,
        plans: RoomPlanRepository,
        owns_guild: Callable[[int], bool] = lambda guild_id: True,
    ) -> None:
        self._owns_guild = owns_guild  # sharded: only this process's guilds (ownership.py)
        self._port = port
        self._meetings = meetings
        self._pseudonyms = pseudonyms
        self._clock = clock
        self._scheduler = scheduler
        self._plans = plans
        self._rooms: dict[int, _Room] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._work = BackgroundTasks()
        self._loaded = asyncio.Event()
        self._told: set[tuple[int, str]] = set()  # (meeting, what) the chair was told
        self._raid: dict[int, RaidLock] = {}  # locked channels (the lock's deadline is durable)
        self._doors: dict[int, float] = {}  # channel -> when its doors close (armed)
        self._lock_told: set[int] = set()  # locked channels where a refusal was said
        self._asks = Asks(port, pseudonyms, clock, self._raid)
        scheduler.register(ROOM_KIND, self._deadline_fired)
        scheduler.register(DOORS_KIND, self._deadline_fired)

    # --- start-up and shut-down --------------------------------------------------------------

    async def load(self) -> None:
        """Read back the plans a previous run left (once, when the gateway is first ready), then
        settle each of their channels: the meeting carries on, or the channel is put back."""
        if self._loaded.is_set():
            return
        for plan in [p for p in await self._plans.all() if self._owns_guild(p.guild_id)]:
            room = _Room(plan.guild_id, plan.group_id, slow_before=plan.slow_mode_before)
            room.originals = {Holder(True, role): bits for role, bits in plan.roles.items()}
            room.owed = dict(plan.members)
            if plan.bot_changed:
                room.owed[_BOT] = plan.bot
            room.persisted = plan
            self._rooms[plan.channel_id] = room
        for deadline in await self._scheduler.pending(LOCK_KIND):
            lock = RaidLock.from_payload(deadline.payload)
            self._raid[lock.channel_id] = lock
        self._loaded.set()
        for channel_id in list(self._rooms):
            self.spawn(self.sync(channel_id))

    async def close(self) -> None:
        """Let pending work finish (briefly) before the database closes."""
        await self._work.close()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        self._work.spawn(work)

    # --- raid locks (the lock itself: bot/runtime/room_rules/lock.py) -------------------------

    @property
    def loaded(self) -> bool:
        return self._loaded.is_set()

    async def ready(self) -> None:
        """Until the plans and locks a previous run left are read back."""
        await self._loaded.wait()

    def locked(self, channel_id: int) -> RaidLock | None:
        return self._raid.get(channel_id)

    def locked_in(self, guild_id: int) -> list[RaidLock]:
        return [lock for lock in self._raid.values() if lock.guild_id == guild_id]

    def owes_restore(self, channel_id: int) -> bool:
        """Putting the channel back was refused and is being tried again."""
        room = self._rooms.get(channel_id)
        return room is not None and room.refused > 0

    async def hold_lock(self, lock: RaidLock) -> None:
        """Close the channel as the lock asks (its deadline is already committed)."""
        self._raid[lock.channel_id] = lock
        await self.sync(lock.channel_id)

    async def let_go(self, channel_id: int) -> None:
        """The lock lifted: the channel goes back to what the meeting asks, or as it was."""
        self._raid.pop(channel_id, None)
        self._lock_told.discard(channel_id)
        await self.sync(channel_id, settle=True)

    # --- what tells us to look ----------------------------------------------------------------

    async def meeting_stepped(self, event: MeetingStepped) -> None:
        await self.on_step(event.meeting, event.effects)

    async def on_step(self, live: LiveMeeting, effects: Sequence[ChannelEffect]) -> None:
        """A meeting took a step: reconcile its channel, in the background (never under the
        meeting's lock)."""
        channel_id = live.group.channel_id
        closes = doors_close_at(live)
        ended = live.state.status is Status.ENDED
        if closes is not None and not ended and closes > self._clock.timestamp():
            if self._doors.get(channel_id) != closes:  # armed once (a restart arms it again)
                self._doors[channel_id] = closes
                payload = {"channel": channel_id}
                await self._scheduler.schedule(DOORS_KIND, str(channel_id), closes, payload)
        elif closes is not None and ended:
            self._doors.pop(channel_id, None)
            await self._scheduler.cancel(DOORS_KIND, str(channel_id))
        if channel_id in self._rooms or channel_id in self._raid or asks_anything(live):
            self.spawn(self.sync(channel_id))

    async def member_forgotten(self, event: MemberForgotten) -> None:
        """A member used forget-me: their own overwrite goes back as it was now (the meeting
        has already let them go), and the plan keeps nothing about them."""
        for channel_id, room in list(self._rooms.items()):
            if room.guild_id == event.guild_id:
                self.spawn(self.sync(channel_id))

    async def guild_left(self, event: GuildLeft) -> None:
        """The bot left a server: nothing can be put back there, so nothing is kept."""
        for channel_id, room in list(self._rooms.items()):
            if room.guild_id == event.guild_id:
                self._rooms.pop(channel_id, None)
                await self._plans.delete(channel_id)  # the rows went with the group's already
                await self._scheduler.cancel(ROOM_KIND, str(channel_id))
        for lock in self.locked_in(event.guild_id):
            self._raid.pop(lock.channel_id, None)
            await self._scheduler.cancel(LOCK_KIND, str(lock.channel_id))

    async def _deadline_fired(self, payload: Mapping[str, Any]) -> None:
        channel_id = int(payload["channel"])
        if not self._loaded.is_set():
            later = self._clock.timestamp() + RETRY_BASE * self._clock.rate
            await self._scheduler.schedule(ROOM_KIND, str(channel_id), later, payload)
            return
        await self.sync(channel_id)

    # --- reconciling a channel ----------------------------------------------------------------

    async def sync(self, channel_id: int, *, settle: bool = False) -> None:
        """Reconcile the channel; ``settle``: also while its meeting is paused (a lock lifted)."""
        await self._loaded.wait()
        lock = self._locks.setdefault(channel_id, asyncio.Lock())
        async with lock:
            try:
                await self._sync(channel_id, settle)
            except Exception:
                if self._port.closing():
                    return  # shutting down: the committed plan is settled on the next start
                log.exception("Channel rules failed in a meeting channel")
                if channel_id in self._rooms and self._meetings.in_channel(channel_id) is None:
                    # Something still to put back: try again a little later.
                    due = self._clock.timestamp() + RETRY_BASE * self._clock.rate
                    await self._scheduler.schedule(
                        ROOM_KIND, str(channel_id), due, {"channel": channel_id}
                    )

    async def _sync(self, channel_id: int, settle: bool) -> None:
        place = self._port.place(channel_id)
        if place is None:
            return  # not seen yet; a later event (or the next start) looks again
        live = self._meetings.in_channel(channel_id)
        want = self._asks.wanted(live, place, settle)
        if isinstance(want, Paused):
            return
        if live is not None and want.missing_role:
            await self._tell_chair(live, place, "member-role", words.NEEDS_MEMBER_ROLE)
        room = self._rooms.get(channel_id)
        raid = self._raid.get(channel_id)
        if room is None:
            if want.ask is None and not want.slow:
                return  # nothing asked, nothing owed: no call at all
            if raid is not None:
                room = _Room(place.guild_id, raid.group_id)
            elif live is not None:
                room = _Room(place.guild_id, live.group.id)
            else:
                return
            self._rooms[channel_id] = room
        snapshot = await self._port.read(place)
        if snapshot is None:
            await self._drop(channel_id)  # the channel is gone: nothing to put back
            return
        self._match(room, place, snapshot)
        ask, slow = want.ask, want.slow
        missing = []
        if ask is not None and self._port.missing(place, (OVERWRITES,)):
            ask, missing = None, [OVERWRITES]
        closes_video = ask is not None and ask.voice and ask.video in CLOSED
        if ask is not None and closes_video and self._port.missing(place, (VIDEO,)):
            # Discord lets a bot allow or deny only what it has itself in the channel.
            ask, missing = replace(ask, video=WhoMay.EVERYONE), [VIDEO]
        if slow and self._port.missing(place, (SLOW_MODE,)):
            slow, missing = 0, [*missing, SLOW_MODE]
        if live is not None and missing and not want.locked:
            text = words.cannot_apply(missing)
            await self._tell_chair(live, place, ",".join(missing), text)
        channel = base(snapshot.overwrites, room.originals)
        plan = reconcile(
            snapshot.overwrites, room.originals, {} if ask is None else wanted(channel, ask)
        )
        slowed = slow_mode(snapshot.slow_mode, room.slow_before, slow)
        # Grow the committed plan before any call; shrink it only after the calls.
        room.originals = {**room.originals, **plan.originals}
        if slowed.before is not None:
            room.slow_before = slowed.before
        await self._persist(channel_id, room, place)
        refused = await self._carry_out(place, plan.changes)
        if not refused:
            room.originals = dict(plan.originals)
            refused = await self._slow_mode(place, room, slowed.set_to, slowed.before)
        await self._persist(channel_id, room, place)
        if refused and want.locked:
            if channel_id not in self._lock_told:  # said once; lifting puts it back later
                self._lock_told.add(channel_id)
                missing = list(self._port.missing(place, (OVERWRITES, SLOW_MODE)))
                await self._port.post(place, words.cannot_lock(missing))
        elif refused:
            await self._refused(channel_id, room, place, live if want.ask is not None else None)
        elif room.refused:
            room.refused = 0
            await self._scheduler.cancel(ROOM_KIND, str(channel_id))
            if room.told_refused and room.idle:
                await self._port.post(place, words.RESTORED)
        if room.idle:
            self._rooms.pop(channel_id, None)

    async def _carry_out(self, place: RoomPlace, changes: Sequence[Change]) -> bool:
        """Make the changes in order; stop at the first refusal (True): nothing that would
        close the channel further is done after a change that would open it failed."""
        for change in changes:
            try:
                await self._port.set_overwrite(place, change.holder, change.bits)
            except DiscordGone:
                continue  # the role or member is gone: nothing of theirs to keep or give back
            except DiscordRefused:
                return True
        return False

    async def _slow_mode(
        self, place: RoomPlace, room: _Room, set_to: int | None, before: int | None
    ) -> bool:
        if set_to is not None:
            try:
                await self._port.set_slow_mode(place, set_to)
            except DiscordGone:
                pass
            except DiscordRefused:
                return True
        room.slow_before = before
        return False

    async def _refused(
        self, channel_id: int, room: _Room, place: RoomPlace, live: LiveMeeting | None
    ) -> None:
        """Discord said no. While the meeting still asks for its rules (``live``), the chair hears
        which permission is missing and the next step tries again; a channel that can't be put
        back is retried, with a growing delay, and the group is told once."""
        missing = self._port.missing(place, (OVERWRITES, SLOW_MODE))
        if live is not None:
            await self._tell_chair(live, place, "refused", words.cannot_apply(missing))
            return
        delay = min(RETRY_MAX, RETRY_BASE * 2**room.refused)
        room.refused += 1
        due = self._clock.timestamp() + delay * self._clock.rate
        await self._scheduler.schedule(ROOM_KIND, str(channel_id), due, {"channel": channel_id})
        if not room.told_refused:
            room.told_refused = True
            await self._port.post(place, words.cannot_restore(missing))

    def _match(self, room: _Room, place: RoomPlace, snapshot: RoomSnapshot) -> None:
        """Members read back by coded key, found again among the channel's own overwrites."""
        if not room.owed:
            return
        if _BOT in room.owed:
            room.originals[Holder(False, place.bot_id)] = room.owed.pop(_BOT)
        ids = [h.id for h in snapshot.overwrites if not h.role and h.id != place.bot_id]
        index = self._pseudonyms.index(place.guild_id, ids)
        for who in [who for who in room.owed if who in index]:
            room.originals[Holder(False, index[who])] = room.owed.pop(who)
        # Whoever is not among the overwrites has nothing left of the bot's to take back.
        room.owed.clear()

    async def _tell_chair(self, live: LiveMeeting, place: RoomPlace, what: str, text: Msg) -> None:
        """Tell the chair privately, once per meeting (in the channel if their DMs are closed)."""
        running = {meeting.id for meeting in self._meetings.running()}
        self._told = {told for told in self._told if told[0] in running}
        if (live.id, what) in self._told:
            return
        self._told.add((live.id, what))
        chair = self._asks.member(live, place, live.chairs[0]) if live.chairs else None
        if chair is None or not await self._port.tell(place, chair.id, text):
            await self._port.post(place, text)

    # --- the durable plan ---------------------------------------------------------------------

    async def _persist(self, channel_id: int, room: _Room, place: RoomPlace) -> None:
        """Commit what the channel was like (coded keys for members, never an id)."""
        record = RoomPlanRecord(
            channel_id,
            room.group_id,
            room.guild_id,
            self._clock.timestamp() + KEEP_DAYS * 86400,
            slow_mode_before=room.slow_before,
        )
        for holder, bits in room.originals.items():
            if holder.role:
                record.roles[holder.id] = bits
            elif holder.id == place.bot_id:
                record.bot, record.bot_changed = bits, True
            else:
                record.members[self._pseudonyms.of(room.guild_id, holder.id)] = bits
        for who, bits in room.owed.items():
            if who == _BOT:
                record.bot, record.bot_changed = bits, True
            else:
                record.members[who] = bits
        if room.persisted is not None and _same(room.persisted, record):
            return
        if room.persisted is None and record.empty:
            return
        await self._plans.save(record)
        room.persisted = None if record.empty else record

    async def _drop(self, channel_id: int) -> None:
        self._rooms.pop(channel_id, None)
        await self._plans.delete(channel_id)
        await self._scheduler.cancel(ROOM_KIND, str(channel_id))


#: The bot's own overwrite, read back before the bot knows its id again.
_BOT = Pseudonym("bot")


def _same(a: RoomPlanRecord, b: RoomPlanRecord) -> bool:
    return (a.roles, a.members, a.bot, a.bot_changed, a.slow_mode_before) == (
        b.roles,
        b.members,
        b.bot,
        b.bot_changed,
        b.slow_mode_before,
    )
