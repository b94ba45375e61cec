"""Meetings at run time: the meeting core, the store, the scheduler and Discord, tied together.

Every operation follows one path (see :mod:`bot.core.meeting`):

1. take the group's lock and read the live meeting (kept in memory, one dictionary lookup per
   channel, so the message hot path never touches the database);
2. ask the pure core for ``(new_state, effects)``; a refusal changes nothing and becomes a kind,
   private answer;
3. commit the new state and its timers in one transaction (the meeting row is deleted, with
   every timer, when the meeting ends; a counted meeting gets its number in the same
   transaction);
4. only then show the effects in Discord, through the :class:`Presenter`.

Who is who lives in memory only (``LiveMeeting.names``: pseudonym -> user id, learnt when a
member presses a button or uses a command); the database holds pseudonyms.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from bot.core.formats import CompiledFormat
from bot.core.meeting import MeetingRunner, MeetingSetup, MeetingState
from bot.core.meeting.effects import (
    ArmMeetingDeadline,
    CancelMeetingDeadline,
    ChannelEffect,
    Effect,
    MeetingDeadlineKind,
    MeetingEnded,
    MeetingError,
    MeetingRefusal,
)
from bot.core.meeting.flow import Outcome
from bot.core.pseudonyms import Pseudonym
from bot.errors import NoGroupHere, NotAllowed
from bot.runtime.clock import Clock
from bot.runtime.formats import FormatLibrary
from bot.runtime.hooks import Hooks, MeetingCounted, MeetingStarted
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store.db import Transaction
from bot.store.groups import GroupRecord

log = logging.getLogger(__name__)

CHAIR = "chair"
#: The chair may be stood in for after this many clock seconds without a sign of them.
CHAIR_AWAY_SECONDS = 120
TIMER_KEY_PREFIX = "meeting."

Operation = Callable[[MeetingRunner, MeetingState, datetime], Outcome]
#: Who holds each of the format's roles at the start: (group, starter) -> role id -> holders.
RoleProvider = Callable[[GroupRecord, Pseudonym], Awaitable[Mapping[str, Sequence[Pseudonym]]]]
#: The group's switch settings as its decisions left them: group -> switch name -> on/off.
SwitchProvider = Callable[[GroupRecord], Awaitable[Mapping[str, bool]]]
#: Told of every step's channel effects after they were shown (floor control, crosstalk …).
EffectListener = Callable[["LiveMeeting", Sequence[ChannelEffect]], Awaitable[None]]

_R = MeetingRefusal
REFUSALS: Mapping[MeetingRefusal, str] = {
    _R.ENDED: "This meeting has ended. Thank you for being part of it.",
    _R.PAUSED: "The meeting is paused for a moment; this can wait until it goes on.",
    _R.NOT_PAUSED: "The meeting isn't paused.",
    _R.WRONG_FORMAT: "This meeting runs with an earlier format; changes apply next time.",
    _R.NOTHING_BEFORE: "This is the first part of the meeting: there's nothing before it.",
    _R.NO_QUESTION: "There's no question waiting for an answer right now.",
    _R.NO_CHOICE: "There's no reading to choose right now.",
    _R.BAD_OPTION: "That choice isn't one of the options.",
    _R.NO_READING: "That reading has already been taken. Thank you for offering!",
    _R.ALREADY_READING: "You're already reading a part of this. Thank you!",
    _R.NOT_SHARING_NOW: "We're not in a sharing part of the meeting just now.",
    _R.NOT_YOUR_TURN: "That's for the person sharing right now.",
    _R.NOT_WAITING: "You're not in line to share, so there's nothing to pass.",
    _R.PASS_NOT_ALLOWED: "This part of the meeting doesn't use passing.",
    _R.ONLY_NOT_YET_SHARED: (
        "This part is for those who haven't shared yet. Thank you for making room."
    ),
    _R.NOT_TAG_MODE: "In this part the sharer doesn't choose who goes next.",
    _R.SAME_PERSON: "Please choose someone else.",
    _R.NOBODY_SHARING: "Nobody is sharing right now.",
    _R.BAD_DURATION: "Please choose between a few seconds and an hour.",
}


class Presenter(Protocol):
    """Shows a meeting's effects in Discord (implemented in ``cogs/meetings.py``'s helper)."""

    async def show(self, live: LiveMeeting, effects: Sequence[ChannelEffect]) -> None: ...

    async def open_panel(self, live: LiveMeeting) -> int | None: ...


@dataclass
class LiveMeeting:
    """A meeting under way, in memory. ``names`` never leaves memory."""

    id: int
    group: GroupRecord
    format_ref: str
    runner: MeetingRunner
    state: MeetingState
    panel_message_id: int | None
    names: dict[Pseudonym, int] = field(default_factory=dict)
    chair_seen_at: float = 0.0

    @property
    def plan(self) -> CompiledFormat:
        return self.runner.plan

    @property
    def chairs(self) -> tuple[Pseudonym, ...]:
        return self.state.holders(CHAIR)


class MeetingService:
    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        scheduler: Scheduler,
        formats: FormatLibrary,
        hooks: Hooks,
    ) -> None:
        self._store = store
        self._clock = clock
        self._scheduler = scheduler
        self._formats = formats
        self._hooks = hooks
        self._by_channel: dict[int, LiveMeeting] = {}
        self._by_id: dict[int, LiveMeeting] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self.presenter: Presenter | None = None
        #: Replaced by the rotation feature; by default whoever starts the meeting chairs it.
        self.role_provider: RoleProvider = _starter_chairs
        #: Replaced by group decisions; by default every switch keeps the format's default.
        self.switch_provider: SwitchProvider = _format_defaults
        self.listeners: list[EffectListener] = []
        for kind in MeetingDeadlineKind:
            scheduler.register(kind.value, self._timer_handler(kind))

    # --- lookups (the hot path: no I/O) ------------------------------------------------------

    def in_channel(self, channel_id: int | None) -> LiveMeeting | None:
        return None if channel_id is None else self._by_channel.get(channel_id)

    def by_id(self, meeting_id: int) -> LiveMeeting | None:
        return self._by_id.get(meeting_id)

    def running(self) -> list[LiveMeeting]:
        return list(self._by_id.values())

    def _lock(self, group_id: int) -> asyncio.Lock:
        return self._locks.setdefault(group_id, asyncio.Lock())

    # --- start-up ----------------------------------------------------------------------------

    async def load_all(self) -> int:
        """Read every meeting under way into memory (before the scheduler starts)."""
        for record in await self._store.meetings.all():
            group = await self._store.groups.by_id(record.group_id)
            if group is None:
                continue
            try:
                plan = await self._formats.compiled(group, record.format_ref)
                state = MeetingState.from_json(record.state)
            except Exception:
                log.exception("A stored meeting could not be read; leaving it closed")
                continue
            live = LiveMeeting(
                id=record.id,
                group=group,
                format_ref=record.format_ref,
                runner=MeetingRunner(plan),
                state=state,
                panel_message_id=record.panel_message_id,
                chair_seen_at=self._clock.timestamp(),
            )
            self._remember(live)
        return len(self._by_id)

    async def resume_all(self) -> None:
        """Tell each meeting's channel that it goes on, and re-arm its timers."""
        for live in self.running():
            try:
                await self._apply(live, lambda r, s, now: r.resumed_after_restart(s, now))
            except Exception:
                log.exception("A meeting could not be resumed")

    def _remember(self, live: LiveMeeting) -> None:
        self._by_channel[live.group.channel_id] = live
        self._by_id[live.id] = live

    def _forget(self, live: LiveMeeting) -> None:
        self._by_channel.pop(live.group.channel_id, None)
        self._by_id.pop(live.id, None)

    # --- starting ----------------------------------------------------------------------------

    async def start(self, channel_id: int | None, starter: Pseudonym, user_id: int) -> LiveMeeting:
        group = None if channel_id is None else await self._store.groups.by_channel(channel_id)
        if group is None:
            raise NoGroupHere
        async with self._lock(group.id):
            if group.channel_id in self._by_channel:
                raise NotAllowed(
                    "A meeting is already under way here. `/meeting status` shows where it is."
                )
            plan = await self._formats.current(group)
            runner = MeetingRunner(plan)
            now = self._clock.now()
            roles = await self.role_provider(group, starter)
            setup = MeetingSetup(
                number=group.meetings_held + 1,
                roles=roles,
                switches=await self.switch_provider(group),
            )
            state, effects = runner.start(now, setup)
            async with self._store.db.transaction() as tx:
                meeting_id = await self._store.meetings.create(
                    tx,
                    group_id=group.id,
                    format_ref=group.format_id,
                    state=state.to_json(),
                    now=now.timestamp(),
                )
                if meeting_id is None:
                    raise NotAllowed("A meeting is already under way here.")
                changed = await self._write_timers(tx, meeting_id, effects)
            live = LiveMeeting(
                id=meeting_id,
                group=group,
                format_ref=group.format_id,
                runner=runner,
                state=state,
                panel_message_id=None,
                names={starter: user_id},
                chair_seen_at=now.timestamp(),
            )
            self._remember(live)
            await self._scheduler.refresh(changed)
            log.info("A meeting started (format %s)", group.format_id)
            if self.presenter is not None:
                live.panel_message_id = await self.presenter.open_panel(live)
                if live.panel_message_id is not None:
                    await self._store.meetings.set_panel(live.id, live.panel_message_id)
                await self.presenter.show(live, _channel_effects(effects))
            await self._tell_listeners(live, _channel_effects(effects))
        await self._hooks.started(
            MeetingStarted(group.id, group.guild_id, group.channel_id, now.timestamp())
        )
        return live

    # --- operations --------------------------------------------------------------------------

    def live_or_refuse(self, channel_id: int | None) -> LiveMeeting:
        live = self.in_channel(channel_id)
        if live is None:
            raise NotAllowed(
                "There's no meeting under way here right now. `/meeting start` begins one."
            )
        return live

    def seen(self, live: LiveMeeting, who: Pseudonym, user_id: int) -> None:
        """Remember (in memory) who this pseudonym is, and when the chair was last active."""
        live.names[who] = user_id
        if who in live.chairs:
            live.chair_seen_at = self._clock.timestamp()

    def require_chair(self, live: LiveMeeting, who: Pseudonym) -> None:
        if live.chairs and who not in live.chairs:
            raise NotAllowed(
                "Only today's chair moves the meeting along. If the chair seems to be away, "
                "press **Step in as chair** on the meeting panel."
            )

    async def step_in(self, live: LiveMeeting, who: Pseudonym) -> None:
        if who in live.chairs:
            raise NotAllowed("You're already chairing. Thank you for serving!")
        away = self._clock.timestamp() - live.chair_seen_at
        if live.chairs and away < CHAIR_AWAY_SECONDS:
            raise NotAllowed(
                "The chair was here a moment ago. If they're still away in two minutes, "
                "you can step in."
            )
        await self.act(live, lambda r, s, now: r.set_role_holders(s, CHAIR, (who,), now))
        live.chair_seen_at = self._clock.timestamp()

    async def take_role(self, live: LiveMeeting, section_index: int, who: Pseudonym) -> None:
        """A member takes the job a section needs (a speaker found on the day)."""
        sections = live.plan.sections
        leader = sections[section_index].who if 0 <= section_index < len(sections) else None
        role = leader.role if leader is not None else None
        if role is None or role == CHAIR:
            raise NotAllowed("That job isn't open right now.")
        if live.state.holders(role):
            raise NotAllowed("Someone has already taken that on today. Thank you for offering!")
        await self.act(live, lambda r, s, now: r.set_role_holders(s, role, (who,), now))

    async def forget_member(self, guild_id: int, who: Pseudonym) -> None:
        """After forget-me: take the member out of any meeting under way in that server."""
        for live in self.running():
            if live.group.guild_id != guild_id:
                continue
            live.names.pop(who, None)
            try:
                await self._apply(live, lambda r, s, now: r.leave(s, who, now))
            except MeetingError:
                continue

    async def act(self, live: LiveMeeting, op: Operation) -> None:
        """Run one core operation on a live meeting; refusals become kind errors."""
        try:
            await self._apply(live, op)
        except MeetingError as error:
            raise NotAllowed(REFUSALS.get(error.reason, "That can't be done right now.")) from None

    async def _apply(self, live: LiveMeeting, op: Operation) -> None:
        counted: MeetingCounted | None = None
        async with self._lock(live.group.id):
            if self._by_id.get(live.id) is not live:
                raise MeetingError(MeetingRefusal.ENDED)
            now = self._clock.now()
            state, effects = op(live.runner, live.state, now)
            ended = next((e for e in effects if isinstance(e, MeetingEnded)), None)
            async with self._store.db.transaction() as tx:
                if ended is None:
                    await self._store.meetings.save(tx, live.id, state.to_json())
                    changed = await self._write_timers(tx, live.id, effects)
                else:
                    await self._store.meetings.delete(tx, live.id)
                    await self._store.deadlines.cancel_prefix_in(
                        tx, TIMER_KEY_PREFIX, f"{live.id}:"
                    )
                    changed = []
                    if ended.counted:
                        number = await self._store.groups.count_meeting(tx, live.group.id)
                        counted = MeetingCounted(
                            live.group.id,
                            live.group.guild_id,
                            live.group.channel_id,
                            number,
                            now.timestamp(),
                        )
            live.state = state
            if ended is None:
                await self._scheduler.refresh(changed)
            else:
                self._forget(live)
                await self._scheduler.refresh_all()
                log.info("A meeting ended (counted: %s)", ended.counted)
            if self.presenter is not None:
                await self.presenter.show(live, _channel_effects(effects))
            await self._tell_listeners(live, _channel_effects(effects))
        if counted is not None:
            await self._hooks.counted(counted)

    async def _tell_listeners(self, live: LiveMeeting, effects: Sequence[ChannelEffect]) -> None:
        for listener in self.listeners:
            try:
                await listener(live, effects)
            except Exception:
                log.exception("A meeting listener failed")

    async def _write_timers(
        self, tx: Transaction, meeting_id: int, effects: Sequence[Effect]
    ) -> list[tuple[str, str]]:
        changed = []
        for effect in effects:
            if isinstance(effect, ArmMeetingDeadline):
                key = f"{meeting_id}:{effect.key}"
                payload = {"meeting": meeting_id, "key": effect.key}
                await self._store.deadlines.upsert_in(
                    tx, effect.kind.value, key, effect.at.timestamp(), payload
                )
                changed.append((effect.kind.value, key))
            elif isinstance(effect, CancelMeetingDeadline):
                key = f"{meeting_id}:{effect.key}"
                await self._store.deadlines.cancel_in(tx, effect.kind.value, key)
                changed.append((effect.kind.value, key))
        return changed

    def _timer_handler(self, kind: MeetingDeadlineKind) -> Callable[[Mapping[str, Any]], Any]:
        async def fire(payload: Mapping[str, Any]) -> None:
            live = self._by_id.get(int(payload["meeting"]))
            if live is None:
                return  # the meeting ended; its timers went with it
            key = str(payload["key"])
            try:
                await self._apply(live, lambda r, s, now: r.timer_fired(s, kind, key, now))
            except MeetingError:
                return  # the meeting moved on meanwhile

        return fire


async def _starter_chairs(
    group: GroupRecord, starter: Pseudonym
) -> Mapping[str, Sequence[Pseudonym]]:
    return {CHAIR: [starter]}


async def _format_defaults(group: GroupRecord) -> Mapping[str, bool]:
    return {}


def _channel_effects(effects: Sequence[Effect]) -> list[ChannelEffect]:
    return [effect for effect in effects if isinstance(effect, ChannelEffect)]
