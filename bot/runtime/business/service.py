"""The business service: motions, motions to table and elections, live in a meeting.

Every change happens under the group's lock: the stored matter is read, the pure core
(:mod:`bot.core.business`) takes the step, the new matter and its deadline are committed in one
transaction, and only then is Discord told (through :class:`BusinessPort`). A ballot is cast
without the lock: its one transaction (:meth:`BusinessRepository.cast`) is exact by itself.

It reacts to :class:`~bot.runtime.events.MeetingStepped` (in the background, so the meeting is
never held up): when a business part begins it invites motions; an agenda item with ``elect:``
opens an election; an item skipped for want of its role is said in the room; and when the
business part ends, what didn't come to a vote is left for a later meeting (a ballot still open
goes on until it closes, unless the meeting has ended: then it is closed and counted at once).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.core import business as core
from bot.core.business import Kind, Stage
from bot.core.formats.plan import BusinessRules, CompiledFormat
from bot.core.meeting import Status
from bot.core.meeting.effects import (
    AgendaItemSkipped,
    ChannelEffect,
    PostAgendaItem,
    PostSection,
)
from bot.core.pseudonyms import Pseudonym
from bot.errors import NotAllowed
from bot.i18n import Msg, render
from bot.runtime.business import texts
from bot.runtime.business.port import BusinessPort, Button, Look
from bot.runtime.business.work import BALLOT_KIND, DISCUSSION_KIND, MatterWork
from bot.runtime.clock import Clock
from bot.runtime.events import EventBus, MeetingStepped, MemberForgotten
from bot.runtime.formats import FormatLibrary
from bot.runtime.languages import GroupLanguages
from bot.runtime.live import LiveMeeting, LiveMeetings
from bot.runtime.locks import GroupLocks
from bot.runtime.scheduler import OwnsGroup, Scheduler, every_group
from bot.store import Store
from bot.store.business import MatterRecord
from bot.store.groups import GroupRecord

log = logging.getLogger(__name__)

__all__ = ["BALLOT_KIND", "DISCUSSION_KIND", "BusinessService"]

CHAIR_ACTIONS = frozenset({"table", "call", "open", "close"})
VOTES = frozenset({"yes", "no", "abstain"} | {core.candidate_choice(n) for n in range(10)})


class BusinessService(MatterWork):
    """The one face the buttons, the wiring and the tests use."""

    def __init__(
        self,
        *,
        store: Store,
        clock: Clock,
        scheduler: Scheduler,
        formats: FormatLibrary,
        live: LiveMeetings,
        port: BusinessPort,
        locks: GroupLocks,
        bus: EventBus | None = None,
        languages: GroupLanguages | None = None,
        owns_group: OwnsGroup = every_group,
    ) -> None:
        self._owns_group = owns_group  # sharded: only this process's groups (ownership.py)
        super().__init__(
            store=store,
            clock=clock,
            scheduler=scheduler,
            formats=formats,
            live=live,
            port=port,
            locks=locks,
            bus=bus,
            languages=languages,
        )
        scheduler.register(DISCUSSION_KIND, self._discussion_due)
        scheduler.register(BALLOT_KIND, self._ballot_due)

    async def member_forgotten(self, event: MemberForgotten) -> None:
        """Forget-me: the member's id leaves memory (their rows are already deleted)."""
        self._names.pop(event.who, None)

    async def meeting_stepped(self, event: MeetingStepped) -> None:
        live = event.meeting
        if not any(section.business for section in live.plan.sections):
            return
        step = live.state.step
        ended = live.state.status is Status.ENDED
        index = None if step is None or ended else step.index
        self._spawn(self._stepped(live, event.effects, index))

    async def _stepped(
        self, live: LiveMeeting, effects: Sequence[ChannelEffect], index: int | None
    ) -> None:
        group = live.group
        try:
            async with self._lock(group.id):
                invite = False
                for effect in effects:
                    if isinstance(effect, PostSection):
                        invite = invite or bool(live.plan.sections[effect.index].business)
                    elif isinstance(effect, AgendaItemSkipped):
                        role = live.plan.role(effect.role)
                        title = (role.title if role else effect.role).lower()
                        await self._post(group, texts.skipped(title, effect.title))
                    elif isinstance(effect, PostAgendaItem):
                        if invite:
                            await self._invite(live)
                            invite = False
                        await self._item(live, effect)
                if invite:
                    await self._invite(live)
                await self._leave(live, index)
        except Exception:
            log.exception("A business meeting's step could not be followed")

    async def _invite(self, live: LiveMeeting) -> None:
        locale = await self._locale(live.group)
        button = Button(str(live.id), "move", render(locale, texts.MAKE_A_MOTION), Look.MAIN)
        await self._post(live.group, texts.MOTION_PROMPT, [button], locale=locale)

    async def _item(self, live: LiveMeeting, effect: PostAgendaItem) -> None:
        rules = live.plan.sections[effect.index].business
        item = None if rules is None else rules.agenda[effect.item]
        if item is None or item.elect is None:
            return
        for record in await self._repo.in_meeting(live.id):
            if record.matter.kind is Kind.ELECTION and record.matter.item == effect.item:
                return  # already open (the chair came back to this item)
        matter = core.election(
            secrets.token_urlsafe(12),
            item.elect,
            meeting=live.id,
            section=effect.index,
            item=effect.item,
        )
        async with self._store.db.transaction() as tx:
            await self._repo.add(tx, matter, live.group.id)
        await self._show_election(live.group, live.plan, MatterRecord(matter, live.group.id))

    async def _leave(self, live: LiveMeeting, index: int | None) -> None:
        """What didn't come to a vote when the business part ends is left for later; a ballot
        still open is counted now if the meeting has ended."""
        group = live.group
        for stored in reversed(await self._repo.in_meeting(live.id)):
            record = await self._repo.get(stored.matter.id)  # a carried table went with it
            if record is None or record.matter.stage is Stage.DECIDED:
                continue
            matter = record.matter
            ended = index is None
            if matter.stage is Stage.VOTING:
                if ended or matter.kind is Kind.TO_TABLE:
                    await self._close(group, live.plan, record)
            elif ended or index != matter.section or matter.kind is Kind.TO_TABLE:
                await self._let_go(group, live.plan, record)

    def may_move(self, meeting_id: int) -> LiveMeeting:
        """Refuse at once (before the form opens) when no motion can be made now."""
        live = self._live.by_id(meeting_id)
        if live is None or live.state.status is Status.ENDED:
            raise NotAllowed(texts.NO_MEETING)
        self._business_now(live)
        return live

    async def move(self, meeting_id: int, who: Pseudonym, user_id: int, words: str) -> Msg:
        """A member moves a motion (the words from the form); the private thanks."""
        shown = texts.motion_words(words)
        if not shown:
            raise NotAllowed(texts.EMPTY_MOTION)
        live = self.may_move(meeting_id)
        self._names[who] = user_id
        async with self._lock(live.group.id):
            index, item, rules = self._business_now(live)
            for record in await self._repo.in_meeting(live.id):
                if record.matter.kind is Kind.MOTION and record.matter.open:
                    raise NotAllowed(texts.ONE_AT_A_TIME)
            matter = core.move(
                secrets.token_urlsafe(12),
                who,
                meeting=live.id,
                section=index,
                item=item,
                second_required=rules.second_required,
                discussion_seconds=rules.discussion_seconds,
                now=self._clock.now(),
            )
            await self._commit(live.group, matter, new=True)
            words_now = texts.motion(
                item, shown, needs_second=matter.stage is Stage.MOVED, until=matter.until
            )
            locale = await self._locale(live.group)
            buttons = self._motion_buttons(matter, locale)
            posted = await self._post(live.group, words_now, buttons, locale=locale)
            if posted is not None:
                await self._repo.set_messages(matter.id, message_id=posted)
        return texts.MOVED if matter.stage is Stage.MOVED else texts.MOVED_NO_SECOND

    async def act(self, matter_id: str, who: Pseudonym, user_id: int, action: str) -> Msg:
        """A press on a matter's button; the private words for the member who pressed."""
        self._names[who] = user_id
        if action in VOTES:
            return await self.cast(matter_id, who, action)
        record = await self._record(matter_id)
        group = await self._group(record)
        async with self._lock(group.id):
            record = await self._record(matter_id)  # as it is now, under the lock
            live = self._live.by_id(record.matter.meeting)
            chairs = () if live is None else live.chairs
            if action in CHAIR_ACTIONS and chairs and who not in chairs:
                raise NotAllowed(texts.CHAIR_ONLY)
            plan = await self._plan(group, live)
            try:
                return await self._carry_out(group, plan, record, who, action)
            except core.BusinessError as error:
                raise NotAllowed(texts.REFUSALS[error.reason]) from None

    async def _carry_out(
        self,
        group: GroupRecord,
        plan: CompiledFormat,
        record: MatterRecord,
        who: Pseudonym,
        action: str,
    ) -> Msg:
        matter, rules = record.matter, self._rules(plan, record.matter)
        now = self._clock.now()
        match action:
            case "second":
                seconded = core.second(
                    matter, who, discussion_seconds=rules.discussion_seconds, now=now
                )
                if seconded.kind is Kind.TO_TABLE:
                    await self._open_ballot(group, plan, record, seconded)
                    return texts.TO_TABLE_SECONDED
                await self._commit(group, seconded)
                locale = await self._locale(group)
                if record.message_id is not None:
                    buttons = self._motion_buttons(seconded, locale)
                    await self._port.set_buttons(group, record.message_id, buttons, None)
                await self._post(
                    group,
                    texts.seconded(seconded.until),
                    reply_to=record.message_id,
                    locale=locale,
                )
                return texts.SECONDED
            case "withdraw":
                core.withdraw(matter, who)
                await self._drop(group, record, texts.WITHDRAWN_ROOM)
                return texts.WITHDRAWN
            case "table":
                core.table(matter)
                await self._drop(group, record, texts.TABLED_ROOM)
                return texts.TABLED
            case "totable":
                return await self._move_to_table(group, record, who, now)
            case "call" | "open":
                await self._open_ballot(group, plan, record, None)
                return texts.CALLED
            case "close":
                if matter.stage is not Stage.VOTING:
                    raise core.BusinessError(core.Refusal.NOT_VOTING)
                await self._close(group, plan, record)
                return texts.CLOSED
            case "stand" | "down":
                changed = (
                    core.stand(matter, who) if action == "stand" else core.stand_down(matter, who)
                )
                await self._commit(group, changed)
                await self._show_election(group, plan, record, changed)
                return texts.STOOD if action == "stand" else texts.STOOD_DOWN
            case _:
                raise NotAllowed(texts.OLD_BUTTON)

    async def _move_to_table(
        self, group: GroupRecord, record: MatterRecord, who: Pseudonym, now: datetime
    ) -> Msg:
        core.may_be_tabled(record.matter)
        for other in await self._repo.in_meeting(record.matter.meeting):
            if other.matter.tables == record.matter.id:
                raise NotAllowed(texts.REFUSALS[core.Refusal.SECONDED])
        matter = core.move(
            secrets.token_urlsafe(12),
            who,
            meeting=record.matter.meeting,
            section=record.matter.section,
            item=record.matter.item,
            second_required=True,
            discussion_seconds=None,
            now=now,
            tables=record.matter.id,
        )
        await self._commit(group, matter, new=True)
        locale = await self._locale(group)
        buttons = self._motion_buttons(matter, locale)
        posted = await self._post(
            group, texts.to_table(), buttons, reply_to=record.message_id, locale=locale
        )
        if posted is not None:
            await self._repo.set_messages(matter.id, message_id=posted)
        return texts.MOVED_TO_TABLE

    async def cast(self, matter_id: str, who: Pseudonym, choice: str) -> Msg:
        """A secret ballot: one transaction flips the voter's place on the roll and adds the
        ballot (a random key and the choice), or nothing happens."""
        record = await self._record(matter_id)
        matter = record.matter
        try:
            if matter.stage is not Stage.VOTING or (
                matter.until is not None and self._clock.now() > matter.until
            ):
                raise core.BusinessError(core.Refusal.NOT_VOTING)
            places = len(matter.candidates) if matter.kind is Kind.ELECTION else 0
            checked = core.parse_choice(choice, places)
        except core.BusinessError as error:
            raise NotAllowed(texts.REFUSALS[error.reason]) from None
        async with self._store.db.transaction() as tx:
            row = await tx.fetchone("SELECT stage FROM business_matters WHERE id = ?", (matter_id,))
            if row is None or row["stage"] != Stage.VOTING:
                raise NotAllowed(texts.REFUSALS[core.Refusal.NOT_VOTING])
            counted = await self._repo.cast(tx, matter_id, who, secrets.token_urlsafe(16), checked)
        if not counted:
            voted = await self._repo.voted(matter_id, who)
            raise NotAllowed(texts.NOT_ON_ROLL if voted is None else texts.ALREADY_VOTED)
        return texts.VOTED

    async def _discussion_due(self, payload: Mapping[str, Any]) -> None:
        await self._due(str(payload["matter"]), Stage.DISCUSSION)

    async def _ballot_due(self, payload: Mapping[str, Any]) -> None:
        await self._due(str(payload["matter"]), Stage.VOTING)

    async def _due(self, matter_id: str, stage: Stage) -> None:
        stored = await self._repo.get(matter_id)
        if stored is None:
            return
        group = await self._store.groups.by_id(stored.group_id)
        if group is None:
            return
        async with self._lock(group.id):
            record = await self._repo.get(matter_id)
            if record is None or record.matter.stage is not stage:
                return  # moved on meanwhile
            plan = await self._plan(group, self._live.by_id(record.matter.meeting))
            if stage is Stage.DISCUSSION:
                await self._open_ballot(group, plan, record, None)
            else:
                await self._close(group, plan, record)

    async def resume(self) -> None:
        """After a start (Discord connected): show what a crash left unshown, and let go of
        what belonged to a meeting that has ended."""
        for record in await self._repo.all():
            group = await self._store.groups.by_id(record.group_id)
            if group is None or not await self._owns_group(group.id):
                continue  # gone, or another process's (its meeting may be under way there)
            try:
                async with self._lock(group.id):
                    await self._resume_one(group, record)
            except Exception:
                log.exception("A business matter could not be resumed")

    async def _resume_one(self, group: GroupRecord, record: MatterRecord) -> None:
        live = self._live.by_id(record.matter.meeting)
        plan = await self._plan(group, live)
        matter = record.matter
        if matter.stage is Stage.DECIDED:
            await self._show_result(group, plan, record)
        elif live is None:
            if matter.stage is Stage.VOTING:
                await self._close(group, plan, record)
            else:
                await self._let_go(group, plan, record)
        elif matter.stage is Stage.VOTING and record.ballot_message_id is None:
            await self._post_ballot(group, plan, record)
        elif record.message_id is None and matter.stage is not Stage.VOTING:
            # Stored, then the process died before it was posted: an election is shown now; a
            # motion's words were never kept, so the member is asked to make it again.
            if matter.kind is Kind.ELECTION:
                await self._show_election(group, plan, record)
            else:
                await self._let_go(group, plan, record, words=texts.LOST_IN_RESTART)

    def _business_now(self, live: LiveMeeting) -> tuple[int, int, BusinessRules]:
        step = live.state.step
        section = None if step is None else live.plan.sections[step.index]
        if step is None or section is None or section.business is None:
            raise NotAllowed(texts.NOT_BUSINESS_NOW)
        return step.index, step.part, section.business
