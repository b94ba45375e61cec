"""Meetings at run time: the meeting core, the store, the scheduler and Discord, tied together.

Every operation follows one path (see :mod:`bot.core.meeting`):

1. take the group's lock and read the live meeting (kept in memory, one dictionary lookup per
   channel, so the message hot path never touches the database);
2. ask the pure core for ``(new_state, effects)``; a refusal changes nothing and becomes a kind,
   private answer;
3. commit the new state and its timers in one transaction (the meeting row is deleted, with
   every timer, when the meeting ends; a counted meeting gets its number in the same
   transaction);
4. only then show the effects in Discord, through the :class:`MeetingPort` (the presenter in
   :mod:`bot.adapters.meetings`), and publish :class:`~bot.runtime.events.MeetingStepped` (and
   ``MeetingStarted``) for the features that follow meetings. When a meeting ends,
   ``MeetingCounted`` (if it counted) and ``MeetingClosed`` are written to the event outbox in
   the same transaction that deletes its row, so what follows a meeting survives a crash.
   If Discord refuses to post in the channel, the meeting pauses and keeps the words not shown
   (:meth:`MeetingService._hold`); the chair's **Resume** shows them, then it goes on.

A meeting's panel is posted after its start is committed; a meeting read back after a restart
without a panel (a crash in between) gets its panel then.

Who chairs comes from a :class:`RoleSource` (the rotation), the group's switches from a
:class:`SwitchSource` (its decisions); both are handed in by the composition root. Who is who
lives in memory only (:class:`~bot.runtime.live.LiveMeeting`); the database holds pseudonyms.
This module imports no ``discord``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.core.meeting import MeetingRunner, MeetingSetup, MeetingState, Status, countdown
from bot.core.meeting.effects import (
    ChannelEffect,
    Effect,
    MeetingDeadlineKind,
    MeetingError,
    MeetingRefusal,
    ShowAgain,
)
from bot.core.pseudonyms import Pseudonym
from bot.errors import NoGroupHere, NotAllowed
from bot.runtime.clock import Clock, local_time
from bot.runtime.events import (
    EventBus,
    MeetingStarted,
    MeetingStepped,
    MemberForgotten,
)
from bot.runtime.formats import FormatLibrary
from bot.runtime.live import CHAIR, CHAIR_AWAY_SECONDS, LiveMeeting, LiveMeetings
from bot.runtime.locks import GroupLocks
from bot.runtime.meetings import refusals as words
from bot.runtime.meetings.closing import group_zone, meeting_now
from bot.runtime.meetings.commits import GroupCommit, Operation
from bot.runtime.meetings.port import (
    FormatDefaults,
    MeetingPort,
    RoleSource,
    StarterChairs,
    SwitchSource,
    Unshown,
)
from bot.runtime.meetings.refusals import CannotPost
from bot.runtime.meetings.steps import channel_effects, posted, write_timers
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store.groups import GroupRecord

log = logging.getLogger(__name__)

#: Meetings resumed side by side after a restart (:meth:`MeetingService.resume_all`). Their
#: posts still wait their turn at the bot's pace (``bot/adapters/pacing.py``).
RESUMED_AT_ONCE = 16


class SteppedIn(StrEnum):
    """What pressing **Step in as chair** did."""

    CHAIRING = "chairing"  # nobody chaired: the member chairs now
    ASKED = "asked"  # the chair was asked whether they're still with us; a minute to answer
    BACK = "back"  # the chair someone stood in for took the chair back


class MeetingService:
    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        scheduler: Scheduler,
        formats: FormatLibrary,
        live: LiveMeetings,
        locks: GroupLocks,
        bus: EventBus,
        port: MeetingPort,
        roles: RoleSource | None = None,
        switches: SwitchSource | None = None,
        owns_guild: Callable[[int], bool] = lambda guild_id: True,
    ) -> None:
        self._owns_guild = owns_guild  # sharded: only this process's guilds (ownership.py)
        self._store = store
        self._clock = clock
        self._scheduler = scheduler
        self._formats = formats
        self._live = live
        self._lock = locks
        self._bus = bus
        self._port = port
        self._roles = roles or StarterChairs()
        self._switches = switches or FormatDefaults()
        # meeting id -> the permissions Discord refused there (memory only; words, no one's id)
        self._missing: dict[int, tuple[str, ...]] = {}
        self._commits = GroupCommit(
            store=store,
            clock=clock,
            scheduler=scheduler,
            live=live,
            locks=locks,
            bus=bus,
            counted=self._counted,
            shown=self._shown,
        )
        for kind in MeetingDeadlineKind:
            scheduler.register(kind.value, self._deadline_handler(kind))

    # --- lookups (the hot path: no I/O) ------------------------------------------------------

    def in_channel(self, channel_id: int | None) -> LiveMeeting | None:
        return self._live.in_channel(channel_id)

    def by_id(self, meeting_id: int) -> LiveMeeting | None:
        return self._live.by_id(meeting_id)

    def running(self) -> list[LiveMeeting]:
        return self._live.running()

    # --- start-up ----------------------------------------------------------------------------

    async def load_all(self) -> int:
        """Read every meeting under way into memory (before the scheduler starts)."""
        records = await self._store.meetings.all()
        groups = await self._store.groups.with_meetings()  # all at once, read after the
        for record in records:  # meetings: one whose group went in between is left closed
            group = groups.get(record.group_id)
            if group is None or not self._owns_guild(group.guild_id):
                continue  # gone, or another process's (its shards)
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
                took_part_before=state.participants,
                opened_at=record.started_at,
            )
            self._live.add(live)
        return len(self._live.running())

    async def resume_all(self, side_by_side: int = RESUMED_AT_ONCE) -> None:
        """Tell each meeting's channel that it goes on, and re-arm its timers: each meeting
        once, its own steps in order (its panel if it had none, then its notice), and up to
        ``side_by_side`` meetings at once (each its own group, under its own lock), so one
        meeting's Discord round trips and commit overlap with the next ones'."""
        waiting = iter(self.running())

        async def resume_in_turn() -> None:
            for live in waiting:  # one iterator shared: each meeting taken by one worker
                await self._resume(live)

        async with asyncio.TaskGroup() as workers:
            for _ in range(max(1, side_by_side)):
                workers.create_task(resume_in_turn())

    async def _resume(self, live: LiveMeeting) -> None:
        """One meeting; whatever fails is logged and keeps the others going."""
        try:
            try:
                if live.panel_message_id is None:
                    await self._open_panel(live)  # the start was cut short before its panel
                await self._apply(live, lambda r, s, now: r.resumed_after_restart(s, now))
            except CannotPost as refused:
                await self.tell_chair(live, refused)
        except Exception:
            log.exception("A meeting could not be resumed")

    # --- starting ----------------------------------------------------------------------------

    async def start_on_schedule(self, channel_id: int, due: float | None = None) -> LiveMeeting:
        """Opened by the group's schedule: the rotation's chair, or nobody till one steps in;
        ``due``: the meeting's time, when its countdown ends."""
        return await self.start(channel_id, None, 0, due=due)

    async def start(
        self,
        channel_id: int | None,
        starter: Pseudonym | None,
        user_id: int,
        *,
        due: float | None = None,
    ) -> LiveMeeting:
        group = None if channel_id is None else await self._store.groups.by_channel(channel_id)
        if group is None:
            raise NoGroupHere
        async with self._lock(group.id):
            if self._live.under_way(group.channel_id):
                raise NotAllowed(words.UNDER_WAY)
            plan = await self._formats.current(group)
            runner = MeetingRunner(plan)
            # every time of day the meeting reads (`${weekday}`, ":50") is the group's own
            now = local_time(self._clock.now(), await group_zone(self._store, group.id))
            roles = await self._roles.roles_for_meeting(group, starter)
            setup = MeetingSetup(
                number=group.meetings_held + 1,
                roles=roles.holders,
                switches=await self._switches.switches(group),
            )
            at = None if due is None else datetime.fromtimestamp(due, tz=now.tzinfo)
            state, effects = countdown.open_meeting(runner, now, setup, due=at)  # `before:` first
            state = runner.with_participants(state, 0 if starter is None else 1)  # the starter
            async with self._store.db.transaction() as tx:
                meeting_id = await self._store.meetings.create(
                    tx,
                    group_id=group.id,
                    format_ref=group.format_id,
                    state=state.to_json(),
                    now=now.timestamp(),
                )
                if meeting_id is None:
                    raise NotAllowed(words.ALREADY_UNDER_WAY)
                changed = await write_timers(self._store.deadlines, tx, meeting_id, effects)
            live = LiveMeeting(
                id=meeting_id,
                group=group,
                format_ref=group.format_id,
                runner=runner,
                state=state,
                panel_message_id=None,
                names={} if starter is None else {starter: user_id},
                chair_seen_at=now.timestamp() + roles.chair_arrives_within,
                took_part=set() if starter is None else {starter},
                arrived=[] if starter is None else [starter],
                opened_at=now.timestamp(),
            )
            self._live.add(live)
            await self._scheduler.refresh(changed)
            log.info("A meeting started (format %s)", group.format_id)
            await self._open_panel(live)
            held: CannotPost | None = None
            try:
                await self._shown(live, effects)
            except CannotPost as refused:
                held = refused
        await self._bus.publish(
            MeetingStarted(live.id, group.id, group.guild_id, group.channel_id, now.timestamp())
        )
        if held is not None:
            raise held
        return live

    async def _open_panel(self, live: LiveMeeting) -> None:
        """Post the meeting's panel and keep its message id with the meeting."""
        live.panel_message_id = await self._port.open_panel(live)
        if live.panel_message_id is not None:
            await self._store.meetings.set_panel(live.id, live.panel_message_id)

    # --- operations --------------------------------------------------------------------------

    def live_or_refuse(self, channel_id: int | None) -> LiveMeeting:
        live = self.in_channel(channel_id)
        if live is None:
            raise NotAllowed(words.NO_MEETING_HERE)
        return live

    async def group_here(self, channel_id: int | None) -> GroupRecord:
        """The group whose channel this is (to check membership before a start)."""
        group = None if channel_id is None else await self._store.groups.by_channel(channel_id)
        if group is None:
            raise NoGroupHere
        return group

    def seen(self, live: LiveMeeting, who: Pseudonym, user_id: int) -> None:
        """A member acted in the meeting (a press or a command): remember in memory who this
        pseudonym is, that they took part, and when the chair was last active."""
        live.names[who] = user_id
        if who not in live.took_part:
            live.arrived.append(who)
        live.took_part.add(who)
        if who in live.chairs:
            live.chair_seen_at = self._clock.timestamp()

    async def activity(self, channel_id: int, who: Pseudonym) -> None:
        """A sign of life in a meeting's channel (a post, a voice change). Only the chair's
        matters: they are present. One dictionary lookup when no meeting is under way."""
        live = self._live.in_channel(channel_id)
        if live is None or who not in live.chairs:
            return
        live.chair_seen_at = self._clock.timestamp()
        try:
            await self.present(live, who)
        except CannotPost as refused:
            await self.tell_chair(live, refused)

    async def arrived(self, live: LiveMeeting, who: Pseudonym) -> None:
        """A member came into the meeting's voice channel: they are in the circle (and in the
        round under way, if there is one). Nothing to say if the meeting moved on meanwhile."""
        try:
            await self._apply(live, lambda r, s, now: r.join(s, who, now))
        except MeetingError:
            return
        except CannotPost as refused:
            await self.tell_chair(live, refused)

    async def present(self, live: LiveMeeting, who: Pseudonym) -> None:
        """The chair showed they're here: a pending "are you still with us?" is answered."""
        if who in live.chairs and live.state.chair_check is not None:
            live.chair_seen_at = self._clock.timestamp()
            try:
                await self._apply(live, lambda r, s, now: r.chair_here(s, now))
            except MeetingError:
                return  # the meeting ended meanwhile

    async def chair_answers(self, live: LiveMeeting, who: Pseudonym) -> None:
        """The chair pressed "I'm here" under "Are you still with us?"."""
        if who not in live.chairs:
            raise NotAllowed(words.FOR_THE_CHAIR)
        await self.present(live, who)

    def require_chair(self, live: LiveMeeting, who: Pseudonym) -> None:
        if live.chairs and who not in live.chairs:
            raise NotAllowed(words.CHAIR_MOVES_IT)

    async def step_in(self, live: LiveMeeting, who: Pseudonym) -> SteppedIn:
        """**Step in as chair**: at once when nobody chairs, or for the chair someone stood in
        for (they take it back); otherwise only when the chair has shown no sign for
        :data:`CHAIR_AWAY_SECONDS`, and then the chair is first asked, visibly, whether they're
        still with us (the member chairs if nobody answers within a minute)."""
        if who in live.chairs:
            raise NotAllowed(words.ALREADY_CHAIRING)
        if who in live.state.stood_in_for:
            await self.act(live, lambda r, s, now: r.take_chair_back(s, who, now))
            live.chair_seen_at = self._clock.timestamp()
            return SteppedIn.BACK
        if not live.chairs:
            await self.act(live, lambda r, s, now: r.set_role_holders(s, CHAIR, (who,), now))
            live.chair_seen_at = self._clock.timestamp()
            return SteppedIn.CHAIRING
        away = self._clock.timestamp() - live.chair_seen_at
        if away < CHAIR_AWAY_SECONDS:
            raise NotAllowed(words.CHAIR_WAS_HERE)
        await self.act(live, lambda r, s, now: r.ask_chair(s, who, now))
        return SteppedIn.ASKED

    async def take_role(self, live: LiveMeeting, section_index: int, who: Pseudonym) -> None:
        """A member takes the job a section needs (a speaker found on the day)."""
        sections = live.plan.sections
        leader = sections[section_index].who if 0 <= section_index < len(sections) else None
        role = leader.role if leader is not None else None
        if role is None or role == CHAIR:
            raise NotAllowed(words.JOB_NOT_OPEN)
        if live.state.holders(role):
            raise NotAllowed(words.JOB_TAKEN)
        await self.act(live, lambda r, s, now: r.set_role_holders(s, role, (who,), now))

    async def forget_member(self, event: MemberForgotten) -> None:
        """After forget-me: take the member out of any meeting under way in that server."""
        who = event.who
        for live in self.running():
            if live.group.guild_id != event.guild_id:
                continue
            live.names.pop(who, None)
            self._port.forget(live, who)
            try:
                await self._apply(live, lambda r, s, now: r.forget(s, who, now))
            except MeetingError:
                continue
            except CannotPost as refused:
                await self.tell_chair(live, refused)

    async def act(self, live: LiveMeeting, op: Operation) -> None:
        """Run one core operation on a live meeting; refusals become kind errors."""
        try:
            await self._apply(live, op)
        except MeetingError as error:
            if error.reason is MeetingRefusal.PAUSED and live.state.cannot_post:
                raise CannotPost(self._missing.get(live.id, ()), new=False) from None
            raise NotAllowed(words.REFUSALS.get(error.reason, words.CANT_NOW)) from None

    async def tell_chair(self, live: LiveMeeting, refused: CannotPost) -> bool:
        """Tell today's chair privately that the meeting paused because the bot can't post
        (only when this is news); True if they were told."""
        return refused.new and await self._port.tell_chair(live, refused.missing)

    async def _apply(self, live: LiveMeeting, op: Operation) -> None:
        """Carry out ``op`` under the group's lock: committed, shown, then returned (or its
        refusal raised). Operations that arrive while a step is being saved are saved together,
        each in the order it came (group commit, :mod:`bot.runtime.meetings.commits`)."""
        await self._commits.apply(live, op)

    @staticmethod
    def _counted(live: LiveMeeting, state: MeetingState) -> MeetingState:
        """``state`` with the number of members who took part so far (counted in memory), and
        who they are, in the order they came, for the circle a round is made from (in memory
        only, never stored)."""
        seated = live.runner.seated(state, live.arrived)
        return live.runner.with_participants(seated, live.participants)

    async def _shown(self, live: LiveMeeting, effects: Sequence[Effect]) -> None:
        """Show a committed step in the channel, then tell the features that follow meetings.

        If Discord refuses to post there, the meeting pauses and keeps what wasn't shown
        (:meth:`_hold`), and :class:`CannotPost` tells the caller (raised last)."""
        shown = tuple(channel_effects(effects))
        unshown = await self._port.show(live, shown)
        held = None if unshown is None else await self._hold(live, shown, unshown)
        # Features see the step as it happened (a re-shown word is no new step).
        await self._bus.publish(
            MeetingStepped(live, tuple(e for e in shown if not isinstance(e, ShowAgain)))
        )
        if held is not None:
            raise held

    async def _hold(
        self, live: LiveMeeting, shown: Sequence[ChannelEffect], unshown: Unshown
    ) -> CannotPost | None:
        """Discord refused to post: pause the meeting and keep, in its stored state, the words
        not shown (under the group's lock, which the caller holds). Tell the room if any post
        works; the caller tells the one who pressed, and the chair."""
        if live.state.status is Status.ENDED or not self._live.is_current(live):
            return None  # an ended meeting's last words: nothing left to pause
        now = meeting_now(self._clock.now(), live)
        tail = [
            (effect, unshown.posted if i == unshown.index else posted(effect))
            for i, effect in enumerate(shown)
            if i >= unshown.index
        ]
        state, effects = live.runner.hold(live.state, tail, now)
        if state == live.state:
            return None  # already paused, and nothing new to keep (a notice about a restart)
        async with self._store.db.transaction() as tx:
            await self._store.meetings.save(tx, live.id, state.to_json())
            changed = await write_timers(self._store.deadlines, tx, live.id, effects)
        new = live.state.status is Status.RUNNING
        live.state = state
        await self._scheduler.refresh(changed)
        self._missing[live.id] = unshown.missing
        log.warning("A meeting is paused: Discord refused to post in its channel")
        await self._port.cannot_post(live, unshown.missing)
        return CannotPost(unshown.missing, new=new)

    def _deadline_handler(self, kind: MeetingDeadlineKind) -> Callable[[Mapping[str, Any]], Any]:
        async def fire(payload: Mapping[str, Any]) -> None:
            live = self._live.by_id(int(payload["meeting"]))
            if live is None:
                return  # the meeting ended; its timers went with it
            key = str(payload["key"])
            try:
                await self._apply(live, lambda r, s, now: r.deadline_passed(s, kind, key, now))
            except MeetingError:
                return  # the meeting moved on meanwhile
            except CannotPost as refused:
                await self.tell_chair(live, refused)
                return
            if kind is MeetingDeadlineKind.CHAIR_CHECK:
                live.chair_seen_at = self._clock.timestamp()  # whoever chairs now just arrived

        return fire
