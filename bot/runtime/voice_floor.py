"""Floor control in voice and stage channels: the planner (:mod:`bot.core.voice_floor`) wired
to Discord, with a durable way back.

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
  once. A 403 is never retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import discord

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
    missing_permissions,
    pace,
    restore,
    who_may_speak,
)
from bot.runtime.clock import Clock
from bot.runtime.events import MeetingStepped
from bot.runtime.live import LiveMeeting, LiveMeetings
from bot.runtime.scheduler import Scheduler
from bot.store.deadlines import DeadlineRepository
from bot.ui.replies import permission_label

log = logging.getLogger(__name__)

FLOOR_KIND = "floor.restore"
#: Clock seconds after which members who never came back are no longer waited for.
GIVE_UP_SECONDS = 24 * 3600
#: Real seconds before a deadline that fired too early (before the gateway is ready) is retried.
NOT_READY_RETRY_SECONDS = 5.0
AUDIT_REASON = "Meeting floor"


class _Paused:
    """The meeting is paused: leave the room as it is."""


PAUSED = _Paused()


def missing_words(room: Room, missing: Sequence[str]) -> str:
    needed = " and ".join(f"**{permission_label(name)}**" for name in missing)
    what = "the stage" if room is Room.STAGE else "the floor in voice"
    return (
        f"I can't manage {what} here: I need the {needed} permission in this channel. "
        "Someone who manages the server can give it to me. Until then, everyone can speak as "
        "usual — please keep the floor for the person sharing."
    )


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
        client: discord.Client,
        meetings: LiveMeetings,
        pseudonyms: Pseudonymizer,
        clock: Clock,
        scheduler: Scheduler,
        deadlines: DeadlineRepository,
    ) -> None:
        self._client = client
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
        channel = self._client.get_channel(channel_id)
        if isinstance(channel, discord.VoiceChannel | discord.StageChannel) or (
            channel_id in self._rooms
        ):
            self.spawn(self.sync(channel_id))

    def on_voice_state(
        self, member: discord.Member, before: discord.VoiceState, after: discord.VoiceState
    ) -> None:
        if member.bot or before.channel == after.channel:
            return  # a mute or suppress change: the bot's own calls, or a person's choice
        channels = {c.id for c in (before.channel, after.channel) if c is not None}
        if before.channel is None:
            # Connected: members owed a voice state anywhere in this server may be given it now.
            channels |= {
                channel_id
                for channel_id, room in self._rooms.items()
                if room.guild_id == member.guild.id and room.kind is Room.VOICE and room.owed
            }
        for channel_id in channels:
            if channel_id in self._rooms or self._meetings.in_channel(channel_id) is not None:
                self.spawn(self.sync(channel_id))

    async def forget_guild(self, guild_id: int) -> None:
        """The bot left a server: nothing can be given back there, so nothing is kept."""
        for channel_id, room in list(self._rooms.items()):
            if room.guild_id == guild_id:
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
                if self._client.is_closed():
                    return  # shutting down: the committed plan is settled on the next start
                log.exception("Floor control failed in a meeting channel")

    async def _sync(self, channel_id: int) -> None:
        channel = self._client.get_channel(channel_id)
        if not isinstance(channel, discord.VoiceChannel | discord.StageChannel):
            return  # a text channel, or one not visible yet
        guild = channel.guild
        if guild.me is None:
            return  # the bot's own member is not known yet; a later event will look again
        kind = Room.STAGE if isinstance(channel, discord.StageChannel) else Room.VOICE
        room = self._rooms.get(channel_id)
        if room is None:
            room = _Room(guild.id, kind)
        present = self._present(channel, kind)
        speakers = self._speakers(self._meetings.in_channel(channel_id), guild.id, present)
        if isinstance(speakers, _Paused):
            return
        if room.control is not None and kind is Room.STAGE:
            for member in [m for m in room.control.before if m not in present]:
                room.control = member_left(room.control, member).control
        everywhere = self._everywhere(guild, kind, present)
        found = self._match(guild.id, room.owed, everywhere)

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
            missing = self._missing(channel)
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

        missing = self._missing(channel)
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
            room.owed.pop(self._pseudonyms.of(guild.id, member), None)
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
        channel: discord.VoiceChannel | discord.StageChannel,
        changes: Sequence[Change[int]],
        not_connected: Mapping[int, bool],
        found: Mapping[int, bool],
    ) -> bool:
        """Restore changes; voice members the bot could not reach stay owed. True: refused."""
        guild_id = channel.guild.id
        owed = dict(not_connected)
        if changes:
            # Keep everyone in the committed plan until their call has been made.
            pending = {change.member: change.silenced for change in changes}
            await self._persist(channel.id, room, extra={**pending, **owed})
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
        self, live: LiveMeeting | None, guild_id: int, present: Mapping[int, bool]
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
        channel = self._client.get_channel(live.group.channel_id)
        if (
            isinstance(channel, discord.StageChannel)
            and rule is WhoMay.EVERYONE
            and section.sharing is not None
            and section.crosstalk.mode in GUARDED_MODES
        ):
            # On a stage, while members share without crosstalk, the sharer is the speaker.
            rule = WhoMay.SHARER
        if rule is WhoMay.EVERYONE:
            return None
        index = self._pseudonyms.index(guild_id, present)
        turn = state.floor.turn
        sharer = None if turn is None else index.get(turn.who, live.names.get(turn.who))
        chairs = live.chairs
        chair = index.get(chairs[0], live.names.get(chairs[0])) if chairs else None
        return who_may_speak(rule, sharer, chair)

    def _present(
        self, channel: discord.VoiceChannel | discord.StageChannel, kind: Room
    ) -> dict[int, bool]:
        """Members in the channel (never bots) and whether each is silenced as seen now."""
        return self._silenced(channel.guild, channel.voice_states, kind)

    def _everywhere(
        self, guild: discord.Guild, kind: Room, present: dict[int, bool]
    ) -> dict[int, bool]:
        """Where a state can be given back: a server mute follows a member into any voice
        channel of the server; a stage place exists only on the stage."""
        if kind is Room.STAGE:
            return present
        states: dict[int, discord.VoiceState] = {}
        for channel in [*guild.voice_channels, *guild.stage_channels]:
            states.update(channel.voice_states)
        return self._silenced(guild, states, kind)

    def _silenced(
        self, guild: discord.Guild, states: Mapping[int, discord.VoiceState], kind: Room
    ) -> dict[int, bool]:
        me = self._client.user.id if self._client.user else None
        seen: dict[int, bool] = {}
        for user_id, voice in states.items():
            member = guild.get_member(user_id)
            if user_id == me or (member is not None and member.bot):
                continue
            seen[user_id] = voice.suppress if kind is Room.STAGE else voice.mute
        return seen

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
        self, channel: discord.VoiceChannel | discord.StageChannel, changes: Sequence[Change[int]]
    ) -> tuple[list[Change[int]], bool]:
        """Make the changes, paced; returns those that failed, and whether Discord refused
        (a 403: never retried)."""
        http = self._client.http
        guild_id = channel.guild.id
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
                    if isinstance(channel, discord.StageChannel):
                        await http.edit_voice_state(
                            guild_id,
                            change.member,
                            {"channel_id": channel.id, "suppress": change.silenced},
                        )
                    else:
                        await http.edit_member(
                            guild_id, change.member, mute=change.silenced, reason=AUDIT_REASON
                        )
                except discord.Forbidden:
                    # Never retried: say what is missing, and stop asking.
                    log.warning("Floor control was refused by Discord (missing permission)")
                    rest = [c for w in waves[number:] for c in w.changes]
                    return [*failed, *rest[position:]], True
                except discord.HTTPException:
                    failed.append(change)  # e.g. the member just left voice
        return failed, False

    @staticmethod
    def _missing(channel: discord.VoiceChannel | discord.StageChannel) -> tuple[str, ...]:
        granted = {name for name, value in channel.permissions_for(channel.guild.me) if value}
        return missing_permissions(granted)

    async def _tell_missing(
        self,
        room: _Room,
        channel: discord.VoiceChannel | discord.StageChannel,
        missing: Sequence[str] | None = None,
    ) -> None:
        """Tell the group, once while floor control is wanted, what permission is missing."""
        if room.told:
            return
        room.told = True
        if missing is None:
            missing = self._missing(channel) or REQUIRED_PERMISSIONS
        try:
            await channel.send(
                missing_words(room.kind, missing), allowed_mentions=discord.AllowedMentions.none()
            )
        except discord.HTTPException:
            log.warning("Could not tell a group about floor control")

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
