"""The voice floor service: one channel reconciled at a time with what the live meeting wants,
and the durable plan that gives everyone their state back (see the package docstring)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from dataclasses import field
from typing import Any

from bot.core.crosstalk import GUARDED_MODES
from bot.core.formats.plan import WhoMay
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.meeting import Status
from bot.core.meeting.effects import ChannelEffect
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.core.voice_floor import (
    REQUIRED_PERMISSIONS,
    Change,
    RestorePlan,
    Room,
    VoiceFloor,
    end,
    give_floor,
    member_left,
    pace,
    restore,
    who_may_speak,
)
from bot.errors import DiscordRefused
from bot.runtime.clock import Clock
from bot.runtime.events import GuildLeft, MeetingStepped
from bot.runtime.live import LiveMeeting, LiveMeetings
from bot.runtime.scheduler import Scheduler
from bot.runtime.tasks import BackgroundTasks
from bot.runtime.voice_floor.port import FloorChannel, VoiceFloorPort, VoiceMove
from bot.store.voice_floor import FloorPlanRepository

log = logging.getLogger(__name__)

FLOOR_KIND = "floor.restore"
#: Clock seconds after which members who never came back are no longer waited for.
GIVE_UP_SECONDS = 24 * 3600
#: Real seconds before a deadline that fired too early (before the gateway is ready) is retried.
NOT_READY_RETRY_SECONDS = 5.0


class _Paused:
    """The meeting is paused: leave the room as it is."""


PAUSED = _Paused()


@lazy_dataclass
class _Room:
    """What the bot holds for one channel: the live control and the members still owed their
    state (pseudonym -> silenced before), e.g. who left voice while muted, or a plan read back
    after a restart. Everyone in the plan is someone the bot itself silenced (or, on a stage,
    moved): after a restart their state is known as the bot's own doing."""

    guild_id: int
    group_id: int
    kind: Room
    control: VoiceFloor[int] | None = None
    owed: dict[Pseudonym, bool] = field(default_factory=dict)
    told: bool = False  # the group was told what permission is missing
    persisted: dict[Pseudonym, bool] | None = None  # the plan last committed

    @property
    def idle(self) -> bool:
        return self.control is None and not self.owed


class VoiceFloorService:
    def __init__(
        self,
        port: VoiceFloorPort,
        meetings: LiveMeetings,
        pseudonyms: Pseudonymizer,
        clock: Clock,
        scheduler: Scheduler,
        plans: FloorPlanRepository,
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
        scheduler.register(FLOOR_KIND, self._deadline_fired)

    # --- start-up ----------------------------------------------------------------------------

    async def load(self) -> None:
        """Read back the plans a previous run left (once, when the gateway is first ready),
        then settle each of their channels."""
        if self._loaded.is_set():
            return
        for plan in [p for p in await self._plans.all() if self._owns_guild(p.guild_id)]:
            kind = Room.STAGE if plan.stage else Room.VOICE
            room = _Room(plan.guild_id, plan.group_id, kind, owed=dict(plan.members))
            room.persisted = dict(plan.members)
            self._rooms[plan.channel_id] = room
            # The plan's deadline, should it have been lost: never kept past its own expiry.
            await self._scheduler.schedule(
                FLOOR_KIND, str(plan.channel_id), plan.expires_at, {"channel": plan.channel_id}
            )
        self._loaded.set()
        for channel_id in list(self._rooms):
            self.spawn(self.sync(channel_id))

    async def close(self) -> None:
        """Let pending floor work finish (briefly) before the database closes."""
        await self._work.close()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        self._work.spawn(work)

    # --- what tells us to look -----------------------------------------------------------------

    async def meeting_stepped(self, event: MeetingStepped) -> None:
        await self.on_step(event.meeting, event.effects)

    async def on_step(self, live: LiveMeeting, effects: Sequence[ChannelEffect]) -> None:
        """A meeting listener: reconcile the meeting's channel, in the background."""
        channel_id = live.group.channel_id
        if self._port.channel(channel_id) is not None or channel_id in self._rooms:
            self.spawn(self.sync(channel_id))

    def on_voice_move(self, move: VoiceMove) -> None:
        if move.is_bot or move.before == move.after:
            return  # a mute or suppress change: the bot's own calls, or a person's choice
        channels = {c for c in (move.before, move.after) if c is not None}
        if move.before is None:
            # Connected: members owed a voice state anywhere in this server may be given it now.
            channels |= {
                channel_id
                for channel_id, room in self._rooms.items()
                if room.guild_id == move.guild_id and room.kind is Room.VOICE and room.owed
            }
        for channel_id in channels:
            if channel_id in self._rooms or self._meetings.in_channel(channel_id) is not None:
                self.spawn(self.sync(channel_id))

    async def guild_left(self, event: GuildLeft) -> None:
        """The bot left a server: nothing can be given back there, so nothing is kept."""
        for channel_id, room in list(self._rooms.items()):
            if room.guild_id == event.guild_id:
                self._rooms.pop(channel_id, None)
                # The rows went with the group's; the deadline goes with them.
                await self._plans.delete(channel_id, deadline=(FLOOR_KIND, str(channel_id)))
                await self._scheduler.refresh([(FLOOR_KIND, str(channel_id))])

    async def _deadline_fired(self, payload: Mapping[str, Any]) -> None:
        channel_id = int(payload["channel"])
        key = str(channel_id)
        if not self._loaded.is_set():
            # Fired before the gateway was ready (a restart): the plan is read back then.
            later = self._clock.timestamp() + NOT_READY_RETRY_SECONDS * self._clock.rate
            await self._scheduler.schedule(FLOOR_KIND, key, later, payload)
            return
        # Under the channel's lock, so a sync under way can't write the plan back after it is
        # given up (it saves what it holds when it finishes).
        async with self._locks.setdefault(channel_id, asyncio.Lock()):
            room = self._rooms.get(channel_id)
            if room is not None and room.control is not None:
                # Floor control still runs: keep the plan (and its expiry) a while longer.
                room.persisted = None
                await self._persist(channel_id, room)
                return
            # Nobody is waited for forever: members who never came back are let go.
            if room is not None:
                room.owed.clear()
                room.persisted = None
                self._rooms.pop(channel_id, None)
            # With any deadline a sync saved meanwhile: nothing is left to fire for it.
            await self._plans.delete(channel_id, deadline=(FLOOR_KIND, key))
            await self._scheduler.refresh([(FLOOR_KIND, key)])

    # --- reconciling a channel -----------------------------------------------------------------

    async def sync(self, channel_id: int) -> None:
        await self._loaded.wait()
        lock = self._locks.setdefault(channel_id, asyncio.Lock())
        async with lock:
            try:
                await self._sync(channel_id)
            except Exception:
                if self._port.closing():
                    return  # shutting down: the committed plan is settled on the next start
                log.exception("Floor control failed in a meeting channel")

    async def _sync(self, channel_id: int) -> None:
        channel = self._port.channel(channel_id)
        if channel is None:
            return  # a text channel, or one not visible yet
        if not channel.bot_known:
            return  # the bot's own member is not known yet; a later event will look again
        kind = channel.kind
        live = self._meetings.in_channel(channel_id)
        room = self._rooms.get(channel_id)
        if room is None:
            if live is None:
                return  # nothing wanted, nothing owed
            room = _Room(channel.guild_id, live.group.id, kind)
        present = self._port.present(channel)
        speakers = self._speakers(live, channel, present)
        if isinstance(speakers, _Paused):
            return
        if room.control is not None and kind is Room.STAGE:
            for member in [m for m in room.control.before if m not in present]:
                room.control = member_left(room.control, member).control
        everywhere = present if kind is Room.STAGE else self._port.in_voice(channel.guild_id)
        found = self._match(channel.guild_id, room.owed, everywhere)

        if speakers is None:
            # No floor control wanted: give everyone back their state.
            if room.idle:
                self._rooms.pop(channel_id, None)
                return
            changes: list[Change[int]] = []
            owed_ids: dict[int, bool] = {}
            if room.control is not None:
                done = end(room.control, everywhere)
                changes += done.changes
                owed_ids = dict(done.pending.targets)
            back = restore(RestorePlan(kind, found), everywhere)
            changes += back.changes
            missing = self._port.missing_permissions(channel)
            if changes and missing:
                # Nothing can be given back now: keep the plan, say what is missing.
                await self._tell_missing(room, channel, missing)
                return
            if await self._give_back(room, channel, changes, owed_ids, found):
                await self._tell_missing(room, channel)
            room.control = None
            room.told = False
            await self._persist(channel_id, room)
            if room.idle:
                self._rooms.pop(channel_id, None)
            return

        missing = self._port.missing_permissions(channel)
        if missing:
            self._rooms[channel_id] = room
            await self._tell_missing(room, channel, missing)
            return
        self._rooms[channel_id] = room
        # Members owed their state who are here are taken into the control (same plan, no
        # needless unmute-then-mute); those connected elsewhere in voice get their state back.
        control = room.control or VoiceFloor(kind)
        here = {member: before for member, before in found.items() if member in present}
        if here:
            # They are in the plan because the bot silenced them: their state now is the bot's
            # own doing (set_to), so one who gets the floor is given it back, not left muted as
            # if someone else had muted them.
            set_to = {member: present[member] for member in here}
            control = VoiceFloor(kind, {**here, **control.before}, {**set_to, **control.set_to})
        step = give_floor(control, present, speakers)
        room.control = step.control
        elsewhere = {m: b for m, b in found.items() if m not in present}
        for member in [*here, *elsewhere]:
            room.owed.pop(self._pseudonyms.of(channel.guild_id, member), None)
        if kind is Room.STAGE:
            room.owed.clear()  # off the stage: coming back starts afresh, as without the bot
        # Grow the committed plan before any call; shrink it only after the calls.
        await self._persist(channel_id, room, extra=elsewhere)
        _, refused = await self._carry_out(channel, step.changes)
        if elsewhere:
            back = restore(RestorePlan(kind, elsewhere), everywhere)
            refused |= await self._give_back(room, channel, list(back.changes), {}, elsewhere)
            await self._persist(channel_id, room)
        if refused:
            await self._tell_missing(room, channel)

    async def _give_back(
        self,
        room: _Room,
        channel: FloorChannel,
        changes: Sequence[Change[int]],
        not_connected: Mapping[int, bool],
        found: Mapping[int, bool],
    ) -> bool:
        """Restore changes; voice members the bot could not reach stay owed. True: refused."""
        guild_id = channel.guild_id
        owed = dict(not_connected)
        if changes:
            # Keep everyone in the committed plan until their call has been made.
            pending = {change.member: change.silenced for change in changes}
            await self._persist(channel.channel_id, room, extra={**pending, **owed})
        failed, refused = await self._carry_out(channel, changes)
        if room.kind is Room.VOICE:
            owed.update({change.member: change.silenced for change in failed})
        for member in found:
            room.owed.pop(self._pseudonyms.of(guild_id, member), None)
        for member, before in owed.items():
            room.owed[self._pseudonyms.of(guild_id, member)] = before
        if room.kind is Room.STAGE:
            room.owed.clear()
        return refused

    # --- what the meeting wants ----------------------------------------------------------------

    def _speakers(
        self, live: LiveMeeting | None, channel: FloorChannel, present: Mapping[int, bool]
    ) -> frozenset[int] | _Paused | None:
        """Who may speak now: a set, ``None`` for no floor control, or :data:`PAUSED`."""
        if live is None:
            return None
        state = live.state
        if state.status is Status.ENDED or state.step is None:
            return None
        if state.status is Status.PAUSED:
            return PAUSED
        section = live.plan.sections[state.step.index]
        rule = section.channel.speak
        if (
            channel.kind is Room.STAGE
            and rule is WhoMay.EVERYONE
            and section.sharing is not None
            and section.crosstalk.mode in GUARDED_MODES
        ):
            # On a stage, while members share without crosstalk, the sharer is the speaker.
            rule = WhoMay.SHARER
        if rule is WhoMay.EVERYONE:
            return None
        index = self._pseudonyms.index(channel.guild_id, present)
        turn = state.floor.turn
        sharer = None if turn is None else index.get(turn.who, live.names.get(turn.who))
        chairs = live.chairs
        chair = index.get(chairs[0], live.names.get(chairs[0])) if chairs else None
        return who_may_speak(rule, sharer, chair)

    def _match(
        self, guild_id: int, owed: Mapping[Pseudonym, bool], candidates: Iterable[int]
    ) -> dict[int, bool]:
        """The owed members Discord shows us now, by id (pseudonyms matched in memory)."""
        if not owed:
            return {}
        index = self._pseudonyms.index(guild_id, candidates)
        return {index[who]: before for who, before in owed.items() if who in index}

    # --- Discord -------------------------------------------------------------------------------

    async def _carry_out(
        self, channel: FloorChannel, changes: Sequence[Change[int]]
    ) -> tuple[list[Change[int]], bool]:
        """Make the changes, paced; returns those that failed, and whether Discord refused
        (never retried)."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        failed: list[Change[int]] = []
        waves = pace(changes)
        for number, wave in enumerate(waves):
            delay = started + wave.after_seconds - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            for position, change in enumerate(wave.changes):
                try:
                    done = await self._port.set_silenced(channel, change.member, change.silenced)
                except DiscordRefused:
                    # Never retried: say what is missing, and stop asking.
                    rest = [c for w in waves[number:] for c in w.changes]
                    return [*failed, *rest[position:]], True
                if not done:
                    failed.append(change)  # e.g. the member just left voice
        return failed, False

    async def _tell_missing(
        self, room: _Room, channel: FloorChannel, missing: Sequence[str] | None = None
    ) -> None:
        """Tell the group, once while floor control is wanted, what permission is missing."""
        if room.told:
            return
        room.told = True
        if missing is None:
            missing = self._port.missing_permissions(channel) or REQUIRED_PERMISSIONS
        await self._port.tell_missing(channel, missing)

    # --- the durable plan ----------------------------------------------------------------------

    def _give_up_at(self) -> float:
        return self._clock.timestamp() + GIVE_UP_SECONDS

    async def _persist(
        self, channel_id: int, room: _Room, extra: Mapping[int, bool] | None = None
    ) -> None:
        """Commit who is owed what (coded keys only) with the plan's deadline, in one
        transaction; or delete both when nobody is owed anything."""
        members: dict[Pseudonym, bool] = dict(room.owed)
        control = room.control.before if room.control is not None else {}
        for member, before in {**control, **(extra or {})}.items():
            members.setdefault(self._pseudonyms.of(room.guild_id, member), before)
        snapshot = members or None
        if snapshot == room.persisted:
            return
        key = str(channel_id)
        if snapshot is None:
            await self._plans.delete(channel_id, deadline=(FLOOR_KIND, key))
            await self._scheduler.refresh([(FLOOR_KIND, key)])
        else:
            await self._plans.save(
                channel_id=channel_id,
                group_id=room.group_id,
                stage=room.kind is Room.STAGE,
                members=snapshot,
                expires_at=self._give_up_at(),
                deadline=(FLOOR_KIND, key, {"channel": channel_id}),
            )
        await self._scheduler.refresh([(FLOOR_KIND, key)])
        room.persisted = snapshot
