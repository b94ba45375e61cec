"""The work every business step shares: committing a matter with its one deadline, opening,
closing and showing ballots, and showing an election (see :mod:`.service`, which builds on it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Sequence
from datetime import UTC, datetime
from typing import Any

from bot.core import business as core
from bot.core.business import Kind, Matter, Stage
from bot.core.formats.plan import AgendaItem, BusinessRules, CompiledFormat, Term, TermUnit
from bot.core.pseudonyms import Pseudonym
from bot.errors import NotAllowed
from bot.i18n import Msg, render
from bot.runtime.business import texts
from bot.runtime.business.port import BusinessPort, Button, Look
from bot.runtime.clock import Clock, time_zone
from bot.runtime.events import EventBus, ServiceElected
from bot.runtime.formats import FormatLibrary
from bot.runtime.languages import GroupLanguages
from bot.runtime.live import LiveMeeting, LiveMeetings
from bot.runtime.locks import GroupLocks
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store.business import MatterRecord
from bot.store.deadlines import DeadlineRepository
from bot.store.groups import GroupRecord

log = logging.getLogger(__name__)

DISCUSSION_KIND = "business.discussion"  # the discussion's time is up: the ballot opens
BALLOT_KIND = "business.ballot"  # the ballot's time is up: it is closed and counted


class MatterWork:
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
    ) -> None:
        self._bus = bus  # tells the rotation who was elected (ServiceElected)
        self._store = store
        self._repo = store.business
        self._clock = clock
        self._scheduler = scheduler
        self._formats = formats
        self._live = live
        self._port = port
        self._lock = locks
        #: everything posted in a group's channel is in the group's language
        self._languages = languages or GroupLanguages(store=store, formats=formats)
        #: pseudonym -> user id of members who pressed a business button, in memory only
        self._names: dict[Pseudonym, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _locale(self, group: GroupRecord) -> str:
        return await self._languages.of_group(group)

    async def _post(
        self,
        group: GroupRecord,
        words: Msg,
        buttons: Sequence[Button] = (),
        *,
        reply_to: int | None = None,
        once: str | None = None,
        locale: str | None = None,
    ) -> int | None:
        """Post ``words`` in the group's channel, in the group's language (``buttons`` are
        labelled in it already)."""
        said = render(locale or await self._locale(group), words)
        return await self._port.post(group, said, buttons, reply_to=reply_to, once=once)

    async def settle(self) -> None:
        """Until the background work started so far is done (tests, and a clean stop)."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    async def _let_go(
        self,
        group: GroupRecord,
        plan: CompiledFormat,
        record: MatterRecord,
        *,
        words: Msg = texts.LEFT_FOR_LATER,
    ) -> None:
        matter = record.matter
        async with self._store.db.transaction() as tx:
            await self._repo.delete(tx, matter.id)
            await self._disarm(tx, matter.id)
        await self._scheduler.refresh(self._keys(matter.id))
        if record.message_id is not None:
            await self._port.set_buttons(group, record.message_id, (), None)
        if matter.kind is Kind.ELECTION:
            words = texts.election_not_held(self._role_title(plan, matter))
            await self._post(group, words, reply_to=record.message_id)
        elif matter.kind is Kind.MOTION:
            await self._post(group, words, reply_to=record.message_id)

    async def _drop(self, group: GroupRecord, record: MatterRecord, words: Msg) -> None:
        """Withdrawn or tabled: nothing of it is kept."""
        async with self._store.db.transaction() as tx:
            await self._repo.delete(tx, record.matter.id)
            await self._disarm(tx, record.matter.id)
        await self._scheduler.refresh(self._keys(record.matter.id))
        if record.message_id is not None:
            await self._port.set_buttons(group, record.message_id, (), None)
        if record.matter.kind is Kind.MOTION:
            await self._post(group, words, reply_to=record.message_id)

    async def _open_ballot(
        self, group: GroupRecord, plan: CompiledFormat, record: MatterRecord, new: Matter | None
    ) -> None:
        """Open the ballot: fix the roll (the group's members now), commit, post it."""
        rules = self._rules(plan, record.matter)
        now = self._clock.now()
        matter = core.open_ballot(
            new or record.matter, voting_seconds=rules.voting_seconds, now=now
        )
        roll = await self._port.roll(group)
        async with self._store.db.transaction() as tx:
            await self._repo.update(tx, matter)
            await self._repo.save_roll(tx, matter.id, roll)
            await self._arm(tx, matter)
        await self._scheduler.refresh(self._keys(matter.id))
        log.info("A business ballot opened (%d on the roll)", len(roll))
        if record.message_id is not None:
            await self._port.set_buttons(group, record.message_id, (), None)
        await self._post_ballot(group, plan, MatterRecord(matter, group.id, record.message_id))

    async def _post_ballot(
        self, group: GroupRecord, plan: CompiledFormat, record: MatterRecord
    ) -> None:
        matter = record.matter
        locale = await self._locale(group)
        if matter.kind is Kind.ELECTION:
            names = await self._port.names(group, matter.candidates, self._names)
            heading = texts.on_the_election(self._role_title(plan, matter))
            choices = texts.ELECTION_CHOICES
            buttons = [
                Button(matter.id, core.candidate_choice(n), name[:80], Look.MAIN)
                for n, name in enumerate(names)
            ]
        else:
            heading = texts.ON_THE_MOTION if matter.kind is Kind.MOTION else texts.ON_TABLING
            choices = texts.MOTION_CHOICES
            buttons = [
                Button(matter.id, "yes", render(locale, texts.YES), Look.YES),
                Button(matter.id, "no", render(locale, texts.NO), Look.NO),
            ]
        buttons += [
            Button(matter.id, "abstain", render(locale, texts.ABSTAIN)),
            Button(matter.id, "close", render(locale, texts.CLOSE_THE_VOTE)),
        ]
        words = texts.ballot(heading, matter.until, choices)
        posted = await self._post(
            group,
            words,
            buttons,
            reply_to=record.message_id,
            once=f"ballot:{matter.id}",
            locale=locale,
        )
        if posted is not None:
            await self._repo.set_messages(matter.id, ballot_message_id=posted)

    async def _close(self, group: GroupRecord, plan: CompiledFormat, record: MatterRecord) -> None:
        """Count the ballots; keep only the counts (the roll and ballots go in the same
        transaction); a carried motion to table takes its motion with it. Then show it."""
        matter, rules = record.matter, self._rules(plan, record.matter)
        ballots = await self._repo.ballots(matter.id)
        if matter.kind is Kind.ELECTION:
            result = core.count_election(
                ballots, len(matter.candidates), rules.threshold, rules.quorum
            )
        else:
            threshold = rules.threshold if matter.kind is Kind.MOTION else core.TABLE_THRESHOLD
            result = core.count_motion(ballots, threshold, rules.quorum)
        tabled = None
        if matter.kind is Kind.TO_TABLE and result.outcome is core.Outcome.CARRIED:
            tabled = None if matter.tables is None else await self._repo.get(matter.tables)
        elected = await self._elected(group, plan, matter, result)
        held: list[int] = []
        async with self._store.db.transaction() as tx:
            await self._repo.decide(tx, matter, result)
            await self._disarm(tx, matter.id)
            if tabled is not None:
                await self._repo.delete(tx, tabled.matter.id)
                await self._disarm(tx, tabled.matter.id)
            if elected is not None and self._bus is not None:
                held = await self._bus.hold(tx, elected)  # the rotation hears, even after a crash
        await self._scheduler.refresh(self._keys(matter.id))
        if tabled is not None:
            await self._scheduler.refresh(self._keys(tabled.matter.id))
            if tabled.message_id is not None:
                await self._port.set_buttons(group, tabled.message_id, (), None)
        log.info("A business ballot closed (%s)", result.outcome.value)
        decided = await self._repo.get(matter.id)
        if decided is not None:
            await self._show_result(group, plan, decided)
        if elected is not None and self._bus is not None:
            await self._bus.publish(elected, held)

    async def _show_result(
        self, group: GroupRecord, plan: CompiledFormat, record: MatterRecord
    ) -> None:
        """Post the counts (nothing about who voted how), then forget the matter."""
        matter, result = record.matter, record.result
        if result is None:
            return
        rules = self._rules(plan, matter)
        if matter.kind is Kind.ELECTION:
            item = self._agenda_item(rules, matter)
            term = self._term(plan, matter, item)
            names = await self._port.names(group, matter.candidates, self._names)
            ends = await self._term_end(group, term)
            words = texts.election_result(
                result,
                self._role_title(plan, matter),
                names,
                term,
                None if ends is None else ends.date(),
                rules.threshold,
                rules.quorum,
            )
        elif matter.kind is Kind.TO_TABLE:
            words = texts.table_result(result, rules.quorum)
        else:
            words = texts.motion_result(result, rules.threshold, rules.quorum)
        if record.ballot_message_id is not None:
            await self._port.set_buttons(group, record.ballot_message_id, (), None)
        await self._post(group, words, reply_to=record.message_id, once=f"result:{matter.id}")
        await self._repo.forget(matter.id)

    async def _elected(
        self, group: GroupRecord, plan: CompiledFormat, matter: Matter, result: core.Result
    ) -> ServiceElected | None:
        """Who holds the role now, for the term, from the next meeting: the event the rotation
        is told, held in the transaction that decides the election (:meth:`_close`)."""
        if matter.kind is not Kind.ELECTION or result.outcome is not core.Outcome.ELECTED:
            return None
        if matter.role is None or result.winner is None:
            return None
        term = self._term(plan, matter, self._agenda_item(self._rules(plan, matter), matter))
        fresh = await self._store.groups.by_id(group.id) or group
        until_meeting = until = None
        if term is not None and term.unit is TermUnit.MEETINGS:
            until_meeting = fresh.meetings_held + 1 + term.count
        elif term is not None:
            ends = await self._term_end(group, term)
            until = None if ends is None else ends.timestamp()
        who = matter.candidates[result.winner]
        at = self._clock.timestamp()
        return ServiceElected(group.id, matter.role, who, until_meeting, until, at)

    async def _term_end(self, group: GroupRecord, term: Term | None) -> datetime | None:
        """When a term in months begun now ends: midnight where the group is (its schedule's
        time zone; UTC for a group with no schedule). None for a term counted in meetings."""
        if term is None:
            return None
        schedule = await self._store.schedules.get(group.id)
        zone = UTC if schedule is None else time_zone(schedule.spec.zone)
        return core.term_ends_at(self._clock.now(), term, zone)

    async def _show_election(
        self,
        group: GroupRecord,
        plan: CompiledFormat,
        record: MatterRecord,
        now_as: Matter | None = None,
    ) -> None:
        matter = now_as or record.matter
        rules = self._rules(plan, matter)
        term = self._term(plan, matter, self._agenda_item(rules, matter))
        ends = await self._term_end(group, term)
        until = None if ends is None else ends.date()
        standing = await self._port.names(group, matter.candidates, self._names)
        words = texts.election(self._role_title(plan, matter), term, until, standing)
        locale = await self._locale(group)
        buttons = [
            Button(matter.id, "stand", render(locale, texts.STAND), Look.MAIN),
            Button(matter.id, "down", render(locale, texts.STAND_DOWN)),
            Button(matter.id, "open", render(locale, texts.OPEN_THE_BALLOT)),
        ]
        if record.message_id is not None:
            said = render(locale, words)
            await self._port.set_buttons(group, record.message_id, buttons, said)
            return
        posted = await self._post(group, words, buttons, locale=locale)
        if posted is not None:
            await self._repo.set_messages(matter.id, message_id=posted)

    async def _record(self, matter_id: str) -> MatterRecord:
        record = await self._repo.get(matter_id)
        if record is None or record.matter.stage is Stage.DECIDED:
            raise NotAllowed(texts.REFUSALS[core.Refusal.GONE])
        return record

    async def group_of(self, matter_id: str) -> GroupRecord | None:
        record = await self._repo.get(matter_id)
        return None if record is None else await self._store.groups.by_id(record.group_id)

    async def _group(self, record: MatterRecord) -> GroupRecord:
        group = await self._store.groups.by_id(record.group_id)
        if group is None:
            raise NotAllowed(texts.REFUSALS[core.Refusal.GONE])
        return group

    async def _plan(self, group: GroupRecord, live: LiveMeeting | None) -> CompiledFormat:
        return live.plan if live is not None else await self._formats.current(group)

    @staticmethod
    def _rules(plan: CompiledFormat, matter: Matter) -> BusinessRules:
        sections = plan.sections
        rules = sections[matter.section].business if matter.section < len(sections) else None
        return rules or BusinessRules(agenda=())

    @staticmethod
    def _agenda_item(rules: BusinessRules, matter: Matter) -> AgendaItem | None:
        return rules.agenda[matter.item] if matter.item < len(rules.agenda) else None

    @staticmethod
    def _term(plan: CompiledFormat, matter: Matter, item: AgendaItem | None) -> Term | None:
        role = plan.role(matter.role or "")
        return (item.term if item else None) or (role.term if role else None)

    @staticmethod
    def _role_title(plan: CompiledFormat, matter: Matter) -> Msg | str:
        """The role's name as the group's format writes it (in the group's own language),
        lowercase; the role's key, or "service role", when the format no longer has it."""
        role = plan.role(matter.role or "")
        if role is not None:
            return role.title.lower()
        return matter.role.lower() if matter.role else texts.SERVICE_ROLE

    @staticmethod
    def _motion_buttons(matter: Matter, locale: str) -> list[Button]:
        if matter.stage is Stage.MOVED:
            buttons = [Button(matter.id, "second", render(locale, texts.SECOND), Look.MAIN)]
        elif matter.stage is Stage.DISCUSSION:
            buttons = [
                Button(matter.id, "call", render(locale, texts.CALL_THE_VOTE), Look.MAIN),
                Button(matter.id, "totable", render(locale, texts.MOVE_TO_TABLE)),
            ]
        else:
            return []
        buttons.append(Button(matter.id, "withdraw", render(locale, texts.WITHDRAW)))
        if matter.kind is Kind.MOTION:
            buttons.append(Button(matter.id, "table", render(locale, texts.TABLE_IT)))
        return buttons

    async def _commit(self, group: GroupRecord, matter: Matter, *, new: bool = False) -> None:
        async with self._store.db.transaction() as tx:
            if new:
                await self._repo.add(tx, matter, group.id)
            else:
                await self._repo.update(tx, matter)
            await self._arm(tx, matter)
        await self._scheduler.refresh(self._keys(matter.id))

    @staticmethod
    async def _arm(tx: Any, matter: Matter) -> None:
        """The matter's one deadline: the end of its discussion, or of its ballot."""
        await MatterWork._disarm(tx, matter.id)
        kind = {Stage.DISCUSSION: DISCUSSION_KIND, Stage.VOTING: BALLOT_KIND}.get(matter.stage)
        if kind is not None and matter.until is not None:
            due, payload = matter.until.timestamp(), {"matter": matter.id}
            await DeadlineRepository.upsert_in(tx, kind, matter.id, due, payload)

    @staticmethod
    async def _disarm(tx: Any, matter_id: str) -> None:
        for kind in (DISCUSSION_KIND, BALLOT_KIND):
            await DeadlineRepository.cancel_in(tx, kind, matter_id)

    @staticmethod
    def _keys(matter_id: str) -> list[tuple[str, str]]:
        return [(DISCUSSION_KIND, matter_id), (BALLOT_KIND, matter_id)]
