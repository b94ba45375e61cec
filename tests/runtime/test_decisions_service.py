"""The decision service on a real database, a real scheduler and a fake clock, with a fake
Discord side: the whole path of journey 6, restarts, retries and exactly-once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.decisions import (
    DecisionSettings,
    Proposal,
    VoterFacts,
    is_eligible_voter,
)
from bot.core.decisions import effects as fx
from bot.core.decisions.proposals import concerned_member
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.errors import InvalidInput, NotAllowed
from bot.runtime.clock import Clock
from bot.runtime.decisions import DecisionService
from bot.runtime.decisions.outbox import Work
from bot.runtime.decisions.port import Person, Undeliverable, Unexcludable
from bot.runtime.events import EventBus, MeetingCounted
from bot.runtime.formats import FormatLibrary
from bot.runtime.locks import GroupLocks
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store.groups import GroupRecord, GroupRepository
from tests.support.clock import FakeTime

GUILD, CHANNEL = 5001, 5002
START = 1_800_000_000.0
DAY = 86400.0


@dataclass(frozen=True)
class User:
    id: int
    bot: bool = False


@dataclass
class FakeDiscord:
    """The port: a directory of people, and a record of the work carried out."""

    pseudonyms: Pseudonymizer
    clock: Clock
    people: dict[int, Person] = field(default_factory=dict)
    done: list[Work] = field(default_factory=list)
    failures: dict[type, list[Exception]] = field(default_factory=dict)
    unexcludable: dict[int, Unexcludable] = field(default_factory=dict)

    def add(self, user_id: int, *, joined_days_ago: float = 100, in_group: bool = True) -> User:
        joined = self.clock.now() - timedelta(days=joined_days_ago)
        self.people[user_id] = Person(user_id, False, in_group, joined)
        return User(user_id)

    def kinds(self) -> list[str]:
        return [type(work.task).__name__ for work in self.done]

    def tasks(self, kind: type) -> list[Any]:
        return [work.task for work in self.done if isinstance(work.task, kind)]

    async def ready(self) -> None:
        return None

    async def person(self, group: GroupRecord, user: Any) -> Person:
        return self.people[user.id]

    async def cannot_exclude(self, group: GroupRecord, user: Any) -> Unexcludable | None:
        return self.unexcludable.get(user.id)

    async def cannot_exclude_member(
        self, group: GroupRecord, target: Pseudonym
    ) -> Unexcludable | None:
        for user_id, reason in self.unexcludable.items():
            if self.pseudonyms.of(GUILD, user_id) == target:
                return reason
        return None

    async def missing_permissions(self, group: GroupRecord) -> list[str]:
        return []

    async def roll(
        self, group: GroupRecord, proposal: Proposal, settings: DecisionSettings, now: datetime
    ) -> frozenset[Pseudonym]:
        voters = set()
        for person in self.people.values():
            who = self.pseudonyms.of(GUILD, person.user_id)
            assert person.joined_at is not None
            facts = VoterFacts(
                person.is_bot,
                person.in_group,
                person.joined_at,
                who == concerned_member(proposal.motion),
            )
            if is_eligible_voter(
                facts, proposed_at=proposal.created_at, now=now, min_days=settings.voter_min_days
            ):
                voters.add(who)
        return frozenset(voters)

    async def carry_out(
        self, group: GroupRecord, work: Work, hint: Mapping[Pseudonym, Any]
    ) -> None:
        pending = self.failures.get(type(work.task))
        if pending:
            raise pending.pop(0)
        self.done.append(work)


@dataclass
class Bench:
    store: Store
    time: FakeTime
    clock: Clock
    scheduler: Scheduler
    service: DecisionService
    discord: FakeDiscord
    group: GroupRecord
    bus: EventBus

    async def advance(self, seconds: float) -> None:
        """Move the clock on and let every deadline now due fire."""
        self.time.now += seconds
        await self.scheduler.refresh_all()
        await settle(self)

    async def meeting(self) -> int:
        """A meeting counts (as the meeting runtime would report it)."""
        async with self.store.db.transaction() as tx:
            number = await GroupRepository.count_meeting(tx, self.group.id)
        await self.bus.publish(
            MeetingCounted(self.group.id, GUILD, CHANNEL, number, self.clock.timestamp())
        )
        return number

    async def rows(self, table: str) -> int:
        return int(await self.store.db.fetchval(f"SELECT count(*) FROM {table}"))


async def settle(bench: Bench) -> None:
    """Until the scheduler has nothing due left (handlers run in its task). The outbox's own
    deadline stays in the table, unarmed, until a restart or a retry needs it."""
    async with asyncio.timeout(60):  # done as soon as it holds; generous for a loaded machine
        while await _unsettled(bench):  # noqa: ASYNC110 - polling the database
            await asyncio.sleep(0.01)


async def _unsettled(bench: Bench) -> bool:
    due = [
        d
        for d in await bench.store.deadlines.all()
        if d.due_at <= bench.clock.timestamp()
        and d.kind.startswith("decisions.")
        and d.kind != "decisions.outbox"
    ]
    waiting = await bench.store.db.fetchval(
        "SELECT count(*) FROM decision_outbox WHERE attempts = 0"
    )
    return bool(due or waiting)


def build(store: Store, time: FakeTime, discord: FakeDiscord | None = None) -> Bench:
    clock = Clock(rate=1.0, anchor=START, real_time=time)
    pseudonyms = Pseudonymizer(b"k" * 32)
    scheduler = Scheduler(store.deadlines, clock)
    bus = EventBus()
    port = discord or FakeDiscord(pseudonyms, clock)
    port.clock = clock
    service = DecisionService(
        store=store,
        clock=clock,
        scheduler=scheduler,
        pseudonyms=pseudonyms,
        formats=FormatLibrary(store),
        port=port,
        locks=GroupLocks(),
    )
    bus.subscribe(MeetingCounted, service.meeting_counted)
    group = GroupRecord(0, GUILD, CHANNEL, "open-discussion", None, 0)
    return Bench(store, time, clock, scheduler, service, port, group, bus)


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    made = await store.groups.create(
        guild_id=GUILD, channel_id=CHANNEL, format_id="open-discussion", member_role_id=None,
        now=START,
    )  # fmt: skip
    assert made is not None
    bench = build(store, FakeTime())
    bench.group = made
    await bench.scheduler.start()
    yield bench
    await bench.scheduler.stop()
    await store.close()


async def propose_and_second(bench: Bench, proposer: User, seconder: User, target: User) -> str:
    proposed = await bench.service.propose_exclusion(CHANNEL, proposer, target, 1)
    await bench.service.second(proposed.proposal_id, seconder)
    return proposed.proposal_id


async def give_chances(bench: Bench, first: User, second: User, target: User) -> None:
    await bench.service.raise_concern(CHANNEL, first, target, "crosstalk")
    await bench.meeting()
    await bench.service.raise_concern(CHANNEL, second, target, "sharing-time")


async def test_journey_six_from_the_first_note_to_the_welcome_back(bench: Bench) -> None:
    d = bench.discord
    ana, bo, cy, di, ed, _flo = (d.add(n) for n in range(1, 7))
    newcomer = d.add(7, joined_days_ago=1)
    target = d.add(9)
    service = bench.service

    await service.raise_concern(CHANNEL, ana, target, "crosstalk")
    assert d.kinds() == ["SendConcernNote"]
    with pytest.raises(NotAllowed, match="already sent them a note"):
        await service.raise_concern(CHANNEL, ana, target, "sharing-time")
    with pytest.raises(NotAllowed, match="Still missing"):
        await service.propose_exclusion(CHANNEL, bo, target, 1)
    await bench.meeting()
    await service.raise_concern(CHANNEL, bo, target, "sharing-time")

    proposed = await service.propose_exclusion(CHANNEL, cy, target, 1)
    assert d.kinds()[-1] == "AskForSecond"
    with pytest.raises(NotAllowed, match="another member"):
        await service.second(proposed.proposal_id, cy)
    pid = proposed.proposal_id
    seconded = await service.second(pid, di)
    assert seconded.exclusion
    assert d.kinds()[-2:] == ["SendNotice", "AnnounceSeconded"]
    await service.give_statement(pid, target, "  I didn't realise. I'll listen more.  ")
    with pytest.raises(NotAllowed, match="Only the member"):
        await service.give_statement(pid, ana, "not mine to give")

    await bench.advance(12 * 3600)  # the hearing ends: ballots open
    assert d.kinds()[-1] == "PostBallot"
    stored = await bench.store.decisions.proposal(pid)
    assert stored is not None
    assert stored.proposal.statement == "I didn't realise. I'll listen more."
    assert await bench.rows("voters") == 6  # not the member concerned, not the newcomer

    with pytest.raises(NotAllowed, match="about you"):
        await service.cast(pid, target, fx.Choice.YES)
    with pytest.raises(NotAllowed, match="little while"):
        await service.cast(pid, newcomer, fx.Choice.YES)
    votes = [(ana, "yes"), (bo, "yes"), (cy, "yes"), (di, "yes"), (ed, "no")]
    await asyncio.gather(*(service.cast(pid, u, fx.Choice(c)) for u, c in votes))
    with pytest.raises(NotAllowed, match="already voted"):
        await service.cast(pid, ana, fx.Choice.NO)
    assert await bench.rows("ballots") == 5

    await bench.advance(24 * 3600)  # voting closes
    result = d.tasks(fx.AnnounceResult)[-1].result
    assert result.outcome.value == "carried"
    assert (result.counts.yes, result.counts.no, result.counts.abstain) == (4, 1, 0)
    assert d.kinds()[-3:] == ["AnnounceResult", "ApplyExclusion", "SendExclusionNotice"]
    for table in ("proposals", "voters", "ballots", "concerns"):
        assert await bench.rows(table) == 0, table
    assert await bench.rows("exclusions") == 1
    with pytest.raises(NotAllowed, match="sitting out"):
        await service.raise_concern(CHANNEL, ana, target, "crosstalk")

    # The member rejoins the server meanwhile: the channel stays closed to them.
    await service.member_joined(GUILD, target)
    assert d.kinds()[-1] == "ApplyExclusion"

    await bench.meeting()  # the meeting they sit out
    assert d.kinds()[-2:] == ["RemoveExclusion", "SendWelcomeBack"]
    await bench.meeting()  # a repeated notification changes nothing
    assert d.kinds()[-1] == "SendWelcomeBack"
    for table in ("exclusions", "decision_outbox", "proposals", "concerns"):
        assert await bench.rows(table) == 0, table
    assert await bench.store.deadlines.all() == []  # not even the outbox's own deadline


async def test_a_proposal_nobody_seconds_lapses_and_leaves_nothing(bench: Bench) -> None:
    d = bench.discord
    ana, bo, target = d.add(1), d.add(2), d.add(9)
    await give_chances(bench, ana, bo, target)
    await bench.service.propose_exclusion(CHANNEL, ana, target, 2)
    await bench.advance(24 * 3600)
    assert d.kinds()[-1] == "AnnounceLapsed"
    assert await bench.rows("proposals") == 0


async def test_a_defeated_vote_clears_the_notes_and_tells_the_member(bench: Bench) -> None:
    d = bench.discord
    people = [d.add(n) for n in range(1, 6)]
    target = d.add(9)
    await give_chances(bench, people[0], people[1], target)
    pid = await propose_and_second(bench, people[2], people[3], target)
    await bench.advance(12 * 3600)
    for person, choice in zip(people, ("yes", "no", "no", "abstain", "yes"), strict=True):
        await bench.service.cast(pid, person, fx.Choice(choice))
    await bench.advance(24 * 3600)
    assert d.tasks(fx.AnnounceResult)[-1].result.outcome.value == "defeated"
    assert d.kinds()[-1] == "SendNotCarried"
    assert await bench.rows("concerns") == 0  # a new proposal needs new chances to change
    assert await bench.rows("exclusions") == 0


async def test_few_ballots_announce_only_the_outcome(bench: Bench) -> None:
    d = bench.discord
    people = [d.add(n) for n in range(1, 5)]
    target = d.add(9)
    await give_chances(bench, people[0], people[1], target)
    pid = await propose_and_second(bench, people[2], people[3], target)
    await bench.advance(12 * 3600)
    for person in people[:3]:
        await bench.service.cast(pid, person, fx.Choice.YES)
    await bench.advance(24 * 3600)
    result = d.tasks(fx.AnnounceResult)[-1].result
    assert result.outcome.value == "carried"
    assert result.counts is None


async def test_a_target_discord_will_not_let_us_exclude_is_refused_before_anything(
    bench: Bench,
) -> None:
    d = bench.discord
    ana, bo, target = d.add(1), d.add(2), d.add(9)
    await give_chances(bench, ana, bo, target)
    d.unexcludable[9] = Unexcludable.ADMINISTRATOR
    with pytest.raises(NotAllowed, match="Administrator"):
        await bench.service.propose_exclusion(CHANNEL, ana, target, 1)
    assert await bench.rows("proposals") == 0


async def test_a_target_promoted_during_the_hearing_is_withdrawn_before_ballots(
    bench: Bench,
) -> None:
    d = bench.discord
    ana, bo, target = d.add(1), d.add(2), d.add(9)
    await give_chances(bench, ana, bo, target)
    await propose_and_second(bench, ana, bo, target)
    d.unexcludable[9] = Unexcludable.ROLE_TOO_HIGH
    await bench.advance(12 * 3600)
    assert d.kinds()[-2:] == ["AnnounceCancelled", "SendNotCarried"]
    assert await bench.rows("proposals") == 0


async def test_failed_discord_work_is_kept_and_retried_until_done(bench: Bench) -> None:
    d = bench.discord
    ana, bo, target = d.add(1), d.add(2), d.add(9)
    d.failures[fx.AskForSecond] = [RuntimeError("Discord is down")]
    await give_chances(bench, ana, bo, target)
    await bench.service.propose_exclusion(CHANNEL, ana, target, 1)
    assert "AskForSecond" not in d.kinds()
    assert await bench.rows("decision_outbox") == 1
    await bench.advance(6)  # the first retry is 5 real seconds later
    async with asyncio.timeout(3):
        while await bench.rows("decision_outbox"):  # noqa: ASYNC110 - polling the database
            await asyncio.sleep(0.01)
    assert d.kinds()[-1] == "AskForSecond"
    assert await bench.rows("decision_outbox") == 0


async def test_undelivered_note_is_not_a_chance_and_is_not_kept(bench: Bench) -> None:
    d = bench.discord
    ana, target = d.add(1), d.add(9)
    d.failures[fx.SendConcernNote] = [Undeliverable()]
    with pytest.raises(NotAllowed, match="private messages"):
        await bench.service.raise_concern(CHANNEL, ana, target, "crosstalk")
    assert await bench.rows("concerns") == 0
    assert await bench.rows("decision_outbox") == 0


async def test_a_restart_carries_out_pending_work_and_rearms_the_vote(
    bench: Bench, tmp_path: Path
) -> None:
    d = bench.discord
    people = [d.add(n) for n in range(1, 6)]
    target = d.add(9)
    await give_chances(bench, people[0], people[1], target)
    pid = await propose_and_second(bench, people[2], people[3], target)
    await bench.advance(12 * 3600)
    for person in people[:3]:
        await bench.service.cast(pid, person, fx.Choice.YES)
    # The process dies with work queued (the notice had not gone out) and the vote open.
    d.failures[fx.SendExclusionNotice] = [RuntimeError("killed")]
    await bench.scheduler.stop()

    again = build(bench.store, bench.time, FakeDiscord(d.pseudonyms, bench.clock, dict(d.people)))
    again.group = bench.group
    await again.scheduler.start()
    # Each ballot cast before the restart counts exactly once; the rest can still vote.
    with pytest.raises(NotAllowed, match="already voted"):
        await again.service.cast(pid, people[0], fx.Choice.NO)
    await again.service.cast(pid, people[3], fx.Choice.NO)
    await again.advance(24 * 3600)
    result = again.discord.tasks(fx.AnnounceResult)[-1].result
    assert result.outcome.value == "carried"
    assert again.discord.kinds()[-2:] == ["ApplyExclusion", "SendExclusionNotice"]
    await again.scheduler.stop()


async def test_a_group_changes_a_setting_by_majority(bench: Bench) -> None:
    d = bench.discord
    people = [d.add(n) for n in range(1, 5)]
    with pytest.raises(InvalidInput, match="whole number"):
        await bench.service.propose_change(CHANNEL, people[0], "voting-hours", "soon")
    proposed = await bench.service.propose_change(CHANNEL, people[0], "voting-hours", "6")
    await bench.service.second(proposed.proposal_id, people[1])
    await bench.advance(1)  # a change has no hearing: ballots open at once
    assert d.kinds()[-1] == "PostBallot"
    for person in people[:3]:
        await bench.service.cast(proposed.proposal_id, person, fx.Choice.YES)
    await bench.advance(24 * 3600)
    settings = await bench.service.settings(bench.group)
    assert settings.voting == timedelta(hours=6)


async def exclude(bench: Bench, voters: list[User], target: User) -> None:
    """Everything up to a carried exclusion of ``target`` for one meeting."""
    await give_chances(bench, voters[0], voters[1], target)
    pid = await propose_and_second(bench, voters[2], voters[3], target)
    await bench.advance(12 * 3600)
    for voter in voters[:3]:
        await bench.service.cast(pid, voter, fx.Choice.YES)
    await bench.advance(24 * 3600)
    assert await bench.rows("exclusions") == 1


async def test_a_majority_can_welcome_a_member_back_early(bench: Bench) -> None:
    d = bench.discord
    voters = [d.add(n) for n in range(1, 6)]
    target = d.add(9)
    await exclude(bench, voters, target)
    proposed = await bench.service.propose_welcome_back(CHANNEL, voters[4], target)
    await bench.service.second(proposed.proposal_id, voters[0])
    await bench.advance(1)
    for voter, choice in zip(voters[:3], ("yes", "yes", "no"), strict=True):
        await bench.service.cast(proposed.proposal_id, voter, fx.Choice(choice))
    await bench.advance(24 * 3600)
    assert d.kinds()[-3:] == ["AnnounceResult", "RemoveExclusion", "SendWelcomeBack"]
    for table in ("exclusions", "proposals", "voters", "ballots", "concerns", "decision_outbox"):
        assert await bench.rows(table) == 0, table
    assert await bench.store.deadlines.all() == []  # the backstop went with the exclusion


async def test_a_welcome_back_vote_is_withdrawn_when_the_time_away_ends_first(
    bench: Bench,
) -> None:
    d = bench.discord
    voters = [d.add(n) for n in range(1, 6)]
    target = d.add(9)
    await exclude(bench, voters, target)
    await bench.service.propose_welcome_back(CHANNEL, voters[4], target)
    await bench.meeting()  # the meeting they sat out: the exclusion ends on its own
    assert set(d.kinds()[-3:]) == {"RemoveExclusion", "SendWelcomeBack", "AnnounceCancelled"}
    assert await bench.rows("proposals") == 0
    assert await bench.store.deadlines.all() == []


async def test_the_calendar_backstop_lifts_when_the_group_stops_meeting(bench: Bench) -> None:
    d = bench.discord
    voters = [d.add(n) for n in range(1, 6)]
    target = d.add(9)
    await exclude(bench, voters, target)
    await bench.advance(29 * DAY)
    assert "RemoveExclusion" not in d.kinds()
    await bench.advance(1 * DAY)
    assert d.kinds()[-2:] == ["RemoveExclusion", "SendWelcomeBack"]
    assert await bench.rows("exclusions") == 0
    # A stale "apply" for the lifted exclusion (a rejoin) now does nothing.
    await bench.service.member_joined(GUILD, target)
    assert d.kinds()[-1] == "SendWelcomeBack"


async def test_two_processes_closing_the_same_vote_act_once(bench: Bench) -> None:
    """As with several shard processes: both fire the same close; one conditional update wins."""
    d = bench.discord
    voters = [d.add(n) for n in range(1, 6)]
    target = d.add(9)
    await give_chances(bench, voters[0], voters[1], target)
    pid = await propose_and_second(bench, voters[2], voters[3], target)
    await bench.advance(12 * 3600)
    for voter in voters[:3]:
        await bench.service.cast(pid, voter, fx.Choice.YES)
    other = build(bench.store, bench.time, FakeDiscord(d.pseudonyms, bench.clock, dict(d.people)))
    other.group = bench.group
    await other.scheduler.start()  # arms the same pending close
    bench.time.now += 24 * 3600
    await asyncio.gather(bench.scheduler.refresh_all(), other.scheduler.refresh_all())
    await settle(bench)
    await other.scheduler.stop()
    results = d.tasks(fx.AnnounceResult) + other.discord.tasks(fx.AnnounceResult)
    applied = d.tasks(fx.ApplyExclusion) + other.discord.tasks(fx.ApplyExclusion)
    assert len(results) == 1
    assert len(applied) == 1
    assert await bench.rows("exclusions") == 1
