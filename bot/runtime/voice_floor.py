"""Floor control in voice and stage channels: the planner (:mod:`bot.core.voice_floor`), what it
asks of Discord (:class:`VoiceFloorPort`, implemented by
:class:`bot.adapters.voice_floor.DiscordVoiceFloor`), and a durable way back.

When a group meets in a **stage** channel, the person sharing is made the speaker (with the
chair) and the others move to the audience while a sharing section runs: the format's
``channel: speak:`` rule, or ``sharer`` by default in sharing sections without crosstalk (where
responses are welcome, the stage is left as it is). Everyone gets their place back when the
controlled part of the meeting ends.

In a **voice** channel nothing happens unless the group opted in with the format's
``channel: speak:`` rule (``sharer``, ``chair`` or ``nobody``); then everyone else is
server-muted, and each member's exact previous mute state is given back afterwards. A member
someone else had muted stays muted.

How it runs
-----------
* :meth:`VoiceFloorService.sync` reconciles one channel with what the live meeting wants *now*; it
  is called (as a background task, so the meeting's lock is never held while calls are paced)
  after every meeting step, when members join or leave the channel, and after a restart. Calls
  are paced (:func:`~bot.core.voice_floor.pace`) and serialised per channel.
* Before the bot first changes anyone, the restore plan is committed as a durable deadline
  (kind :data:`FLOOR_KIND`, key = the channel). It names members only by pseudonym, never by id,
  and is replaced as the plan changes and deleted when everyone has their state back. After a
  kill -9 the plan is read back on the first ``on_ready``, members are matched by computing
  pseudonyms over the members Discord lists, and the meeting either carries on with the same
  plan (nobody is unmuted just to be muted again) or everyone is given their state back.
* A server mute stays on a member who left voice, and Discord refuses to lift it until they
  connect again: such members stay in the plan and get their state back when they connect. The
  deadline gives them up after :data:`GIVE_UP_SECONDS` of clock time.
* Permissions are checked first (**Mute Members**, which Discord requires both to server-mute
  and to move people between stage and audience); the group is told plainly what is missing,
  once. A refusal (403) is never retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.core.crosstalk import GUARDED_MODES
from bot.core.formats.plan import WhoMay
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
from bot.store.deadlines import DeadlineRepository

log = logging.getLogger(__name__)

FLOOR_KIND = "floor.restore"
#: Clock seconds after which members who never came back are no longer waited for.
GIVE_UP_SECONDS = 24 * 3600
#: Real seconds before a deadline that fired too early (before the gateway is ready) is retried.
NOT_READY_RETRY_SECONDS = 5.0


class _Paused:
    """The meeting is paused: leave the room as it is."""


PAUSED = _Paused()


@dataclass(frozen=True, slots=True)
class FloorChannel:
    """A voice or stage channel as Discord shows it now."""

    channel_id: int
    guild_id: int
    kind: Room
    bot_known: bool  # the bot's own member in the server is known (else: look again later)


@dataclass(frozen=True, slots=True)
class VoiceMove:
    """A member connected, moved or disconnected (a gateway voice state update)."""

    guild_id: int
    is_bot: bool
    before: int | None  # the voice channel they were in
    after: int | None  # the voice channel they are in now


class VoiceFloorPort(Protocol):
    """What floor control asks of Discord. Members are Discord user ids, in memory only."""

    def channel(self, channel_id: int) -> FloorChannel | None:
        """The voice or stage channel with this id; None for a text channel or one not seen."""

    def present(self, channel: FloorChannel) -> dict[int, bool]:
        """The members in the channel (never bots, never the bot) and whether each is silenced
        now: server-muted in voice, in the audience on a stage."""

    def in_voice(self, guild_id: int) -> dict[int, bool]:
        """Every member connected to any voice or stage channel of the server (never bots), and
        whether each is server-muted: where a server mute can be given back."""

    def missing_permissions(self, channel: FloorChannel) -> tuple[str, ...]:
        """The permissions floor control needs that the bot lacks in the channel."""

    async def set_silenced(self, channel: FloorChannel, member: int, silenced: bool) -> bool:
        """Mute or unmute a member (voice), or move them to the audience or the stage (stage).
        False if it didn't happen (e.g. they just left voice); raises
        :class:`~bot.errors.DiscordRefused` when Discord refuses (a missing permission)."""

    async def tell_missing(self, channel: FloorChannel, missing: Sequence[str]) -> None:
        """Tell the group, in the channel, which permissions floor control lacks."""

    def closing(self) -> bool:
        """The bot is shutting down (failures now are expected)."""


@dataclass
class _Room:
    """What the bot holds for one channel: the live control and the members still owed their
    state (pseudonym -> silenced before), e.g. who left voice while muted, or a plan read back
    after a restart."""

    guild_id: int
    kind: Room
    control: VoiceFloor[int] | None = None
    owed: dict[Pseudonym, bool] = field(default_factory=dict)
    told: bool = False  # the group was told what permission is missing
    persisted: str | None = None  # the plan last committed (to skip identical writes)

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
        deadlines: DeadlineRepository,
    ) -> None:
        self._port = port
        self._meetings = meetings
        self._pseudonyms = pseudonyms
        self._clock = clock
        self._scheduler = scheduler
        self._deadlines = deadlines
        self._rooms: dict[int, _Room] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._loaded = asyncio.Event()
        scheduler.register(FLOOR_KIND, self._deadline_fired)

    # --- start-up ----------------------------------------------------------------------------

    async def load(self) -> None:
        """Read back the plans a previous run left (once, when the gateway is first ready),
        then settle each of their channels."""
        if self._loaded.is_set():
            return
        for deadline in await self._deadlines.all():
            if deadline.kind != FLOOR_KIND:
                continue
            try:
                channel_id = int(deadline.payload["channel"])
                plan = RestorePlan.from_json(str(deadline.payload["plan"]), Pseudonym)
                room = _Room(int(deadline.payload["guild"]), plan.room, owed=dict(plan.targets))
            except (KeyError, TypeError, ValueError):
                log.warning("A stored floor restore plan could not be read; dropping it")
                await self._scheduler.cancel(deadline.kind, deadline.key)
                continue
            room.persisted = str(deadline.payload["plan"])
            self._rooms[channel_id] = room
        self._loaded.set()
        for channel_id in list(self._rooms):
            self.spawn(self.sync(channel_id))

    async def close(self) -> None:
        """Let pending floor work finish (briefly) before the database closes."""
        pending = [task for task in self._tasks if not task.done()]
        if pending:
            await asyncio.wait(pending, timeout=5)
        for task in pending:
            task.cancel()

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

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
                await self._scheduler.cancel(FLOOR_KIND, str(channel_id))

    async def _deadline_fired(self, payload: Mapping[str, Any]) -> None:
        channel_id = int(payload["channel"])
        key = str(channel_id)
        room = self._rooms.get(channel_id)
        if not self._loaded.is_set():
            # Fired before the gateway was ready (a restart): the plan is read back then.
            later = self._clock.timestamp() + NOT_READY_RETRY_SECONDS * self._clock.rate
            await self._scheduler.schedule(FLOOR_KIND, key, later, payload)
        elif room is not None and room.control is not None:
            await self._scheduler.schedule(FLOOR_KIND, key, self._give_up_at(), payload)
        elif room is not None:
            # Nobody is waited for forever: members who never came back are let go.
            room.owed.clear()
            room.persisted = None
            self._rooms.pop(channel_id, None)

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
        room = self._rooms.get(channel_id)
        if room is None:
            room = _Room(channel.guild_id, kind)
        present = self._port.present(channel)
        speakers = self._speakers(self._meetings.in_channel(channel_id), channel, present)
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
            before = {**here, **control.before}
            control = VoiceFloor(kind, before, dict(control.set_to))
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
        """Commit who is owed what (pseudonyms only), or delete the plan when nobody is."""
        targets: dict[Pseudonym, bool] = dict(room.owed)
        control = room.control.before if room.control is not None else {}
        for member, before in {**control, **(extra or {})}.items():
            targets.setdefault(self._pseudonyms.of(room.guild_id, member), before)
        key = str(channel_id)
        if not targets:
            if room.persisted is not None:
                await self._scheduler.cancel(FLOOR_KIND, key)
                room.persisted = None
            return
        plan = RestorePlan(room.kind, targets).to_json(str)
        if plan == room.persisted:
            return
        payload = {"channel": channel_id, "guild": room.guild_id, "plan": plan}
        await self._scheduler.schedule(FLOOR_KIND, key, self._give_up_at(), payload)
        room.persisted = plan
