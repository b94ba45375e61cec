"""Promises the decision service keeps (issue 12), on the bench of test_decisions_service.py: a
real database and scheduler, a fake clock, and a fake Discord side with Discord's failures
injected as the adapter reports them — a private message refused (50007: the notice is left in
the channel instead), a lift refused (403: ``NotYet``, tried again), a member gone (404: done).

* one membership rule for whoever acts (concern, propose, second, vote);
* no self-second, even after ``/privacy forget-me``;
* the vote waits until the member could read the notice (at most 48 hours);
* letting a member back in is retried until done, and the hourly check lets back in anyone no
  exclusion in force accounts for.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.core.decisions import effects as fx
from bot.core.decisions.hearing import NoticeState
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.errors import NotAllowed
from bot.runtime.decisions.denials import RECONCILE_KIND
from bot.runtime.decisions.engine import OUTBOX_DEADLINE, OUTBOX_KEY
from bot.runtime.decisions.outbox import Work
from bot.runtime.decisions.port import NotYet, Undeliverable
from bot.runtime.events import EventBus
from bot.runtime.privacy import PrivacyService
from bot.store import Store
from bot.store.groups import GroupRecord
from tests.runtime.test_decisions_service import (
    CHANNEL,
    GUILD,
    Bench,
    FakeDiscord,
    FakeTime,
    build,
    give_chances,
    propose_and_second,
)
from tests.support.scheduling import carried_out_by

HOUR = 3600.0


@dataclass
class PromiseDiscord(FakeDiscord):
    """The fake Discord side, reporting as the adapter does: a refused private message leaves
    the notice in the channel (``ASKED``); letting a member back in forgets the bot's record of
    the closed channel once done (a refusal raises ``NotYet`` from ``failures``)."""

    store: Store | None = None
    dms_closed: set[int] = field(default_factory=set)
    asked: list[Pseudonym] = field(default_factory=list)

    def closed(self, target: Pseudonym) -> bool:
        return any(self.pseudonyms.of(GUILD, user_id) == target for user_id in self.dms_closed)

    async def carry_out(
        self, group: GroupRecord, work: Work, hint: Mapping[Pseudonym, Any]
    ) -> NoticeState | None:
        assert self.store is not None
        task = work.task
        await super().carry_out(group, work, hint)
        if isinstance(task, fx.ApplyExclusion):
            await self.store.decisions.denials.note(group.id, task.target)
        if isinstance(task, fx.RemoveExclusion):
            await self.store.decisions.denials.lifted(group.id, task.target)
        if isinstance(task, fx.SendNotice) and self.closed(task.target):
            self.asked.append(task.target)
            return NoticeState.ASKED
        return None


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    made = await store.groups.create(
        guild_id=GUILD, channel_id=CHANNEL, format_id="open-discussion", member_role_id=None,
        now=1_800_000_000.0,
    )  # fmt: skip
    assert made is not None
    time = FakeTime()
    pseudonyms = Pseudonymizer(b"k" * 32)  # the bench's key
    port = PromiseDiscord(pseudonyms, None, store=store)  # type: ignore[arg-type]  # build() sets the clock
    bench = build(store, time, port)
    bench.group = made
    await bench.scheduler.start()
    yield bench
    await bench.scheduler.stop()
    await store.close()


async def carried(bench: Bench, voters: list[Any], target: Any) -> None:
    """An exclusion of ``target`` for one meeting, carried and applied."""
    await give_chances(bench, voters[0], voters[1], target)
    pid = await propose_and_second(bench, voters[2], voters[3], target)
    await bench.advance(12 * HOUR)
    for voter in voters[:3]:
        await bench.service.cast(pid, voter, fx.Choice.YES)
    await bench.advance(24 * HOUR)
    assert await bench.rows("exclusions") == 1
    assert await bench.rows("channel_denials") == 1


async def attempts_reach(bench: Bench, count: int, limit: float = 60.0) -> None:
    """Until the outbox's work has been tried ``count`` times (retries run in the scheduler) and
    the run that tried it is over (its retry armed): only then may the clock move on."""
    async with asyncio.timeout(limit):
        while (  # noqa: ASYNC110 - polling the database
            await bench.store.db.fetchval("SELECT coalesce(min(attempts), 0) FROM decision_outbox")
            < count
        ):
            await asyncio.sleep(0.01)
    await carried_out_by(bench.scheduler, bench.store, bench.clock.timestamp(), limit)


async def until_outbox_empty(bench: Bench, limit: float = 60.0) -> None:
    """Until the outbox is empty and the drain that emptied it has finished (it tidies the
    outbox's own deadline away just after the last item is done)."""
    async with asyncio.timeout(limit):
        while await bench.rows("decision_outbox") or await drain_due(bench):  # noqa: ASYNC110
            await asyncio.sleep(0.01)


async def drain_due(bench: Bench) -> bool:
    drain = await bench.store.deadlines.get(OUTBOX_DEADLINE, OUTBOX_KEY)
    return drain is not None and drain.due_at <= bench.clock.timestamp()


# --- one membership rule ------------------------------------------------------------------------


async def test_only_members_of_the_group_raise_concerns_propose_second_and_vote(
    bench: Bench,
) -> None:
    d = bench.discord
    ana, bo, cy, target = d.add(1), d.add(2), d.add(3), d.add(9)
    outsider = d.add(20, in_group=False)  # in the server, not in the group
    service = bench.service

    with pytest.raises(NotAllowed, match="Notes are for the members of this group"):
        await service.raise_concern(CHANNEL, outsider, target, "crosstalk")
    assert d.done == []  # no note went out
    await give_chances(bench, ana, bo, target)
    with pytest.raises(NotAllowed, match="Only members of this group can put something"):
        await service.propose_exclusion(CHANNEL, outsider, target, 1)
    with pytest.raises(NotAllowed, match="Only members of this group can put something"):
        await service.propose_change(CHANNEL, outsider, "voting-hours", "6")
    with pytest.raises(NotAllowed, match="Only members of this group can put something"):
        await service.propose_welcome_back(CHANNEL, outsider, target)
    assert await bench.rows("proposals") == 0

    proposed = await service.propose_change(CHANNEL, ana, "voting-hours", "6")
    with pytest.raises(NotAllowed, match="Only members of this group can second"):
        await service.second(proposed.proposal_id, outsider)
    stored = await bench.store.decisions.proposal(proposed.proposal_id)
    assert stored is not None
    assert stored.proposal.state.value == "awaiting_second"  # nothing changed
    await service.second(proposed.proposal_id, bo)
    await bench.advance(1)
    with pytest.raises(NotAllowed, match="This vote is for the members of this group"):
        await service.cast(proposed.proposal_id, outsider, fx.Choice.YES)
    await service.cast(proposed.proposal_id, cy, fx.Choice.YES)
    assert await bench.rows("ballots") == 1


# --- no self-second -----------------------------------------------------------------------------


async def test_a_proposer_who_asked_to_be_forgotten_still_cannot_second_their_own_proposal(
    bench: Bench,
) -> None:
    d = bench.discord
    ana, bo = d.add(1), d.add(2)
    privacy = PrivacyService(bench.store, d.pseudonyms, bench.clock, bench.scheduler, EventBus())
    proposed = await bench.service.propose_change(CHANNEL, ana, "voting-hours", "6")

    preview = await privacy.forget_preview(guild_id=GUILD, user_id=1)
    (proposals,) = [rows for rows in preview.rows if rows.entry.table == "proposals"]
    assert proposals.kept == 1  # said plainly, before anything is erased
    assert "can't second it yourself" in proposals.entry.forget.because
    await privacy.forget_member(guild_id=GUILD, user_id=1)

    stored = await bench.store.decisions.proposal(proposed.proposal_id)
    assert stored is not None
    assert stored.proposal.proposer == d.pseudonyms.of(GUILD, 1)  # kept until seconded
    with pytest.raises(NotAllowed, match="another member"):
        await bench.service.second(proposed.proposal_id, ana)
    await bench.service.second(proposed.proposal_id, bo)
    seconded = await bench.store.decisions.proposal(proposed.proposal_id)
    assert seconded is not None
    assert seconded.proposal.proposer is None  # and gone once seconded


# --- the notice is read before anyone votes ----------------------------------------------------


async def test_a_notice_the_member_could_not_receive_holds_the_vote_until_they_read_it(
    bench: Bench,
) -> None:
    d = bench.discord
    assert isinstance(d, PromiseDiscord)
    ana, bo, cy, di = d.add(1), d.add(2), d.add(3), d.add(4)
    target = d.add(9)
    await give_chances(bench, ana, bo, target)
    d.dms_closed.add(9)  # they turned private messages off meanwhile (50007)
    pid = await propose_and_second(bench, cy, di, target)
    stored = await bench.store.decisions.proposal(pid)
    assert stored is not None
    assert stored.notice is NoticeState.ASKED
    assert d.asked == [d.pseudonyms.of(GUILD, 9)]

    await bench.advance(12 * HOUR)  # the hearing as planned: but they haven't read it
    assert "PostBallot" not in d.kinds()
    with pytest.raises(NotAllowed, match="only they can open it"):
        await bench.service.read_notice(pid, ana)
    await bench.advance(6 * HOUR)
    shown = await bench.service.read_notice(pid, target)
    assert shown.meetings == 1
    assert shown.titles  # the guidelines the notes were about
    assert shown.opens == bench.clock.now() + shown.settings.hearing  # a whole hearing from now
    again = await bench.service.read_notice(pid, target)  # opening it again changes nothing
    assert again.opens == shown.opens

    await bench.advance(11 * HOUR)
    assert "PostBallot" not in d.kinds()
    await bench.advance(1 * HOUR + 1)
    assert d.kinds()[-1] == "PostBallot"
    stored = await bench.store.decisions.proposal(pid)
    assert stored is not None
    assert stored.notice is NoticeState.READ


async def test_a_notice_never_read_holds_the_vote_for_48_hours_at_most(bench: Bench) -> None:
    d = bench.discord
    assert isinstance(d, PromiseDiscord)
    people = [d.add(n) for n in range(1, 5)]
    target = d.add(9)
    await give_chances(bench, people[0], people[1], target)
    d.dms_closed.add(9)
    pid = await propose_and_second(bench, people[2], people[3], target)
    await bench.advance(47 * HOUR)
    assert "PostBallot" not in d.kinds()
    await bench.advance(1 * HOUR + 1)
    assert d.kinds()[-1] == "PostBallot"  # one member can't hold the group up for ever
    stored = await bench.store.decisions.proposal(pid)
    assert stored is not None
    assert stored.notice is NoticeState.ASKED  # the ballot tells the group so (the adapter)


async def test_a_notice_delivered_privately_opens_the_vote_as_planned(bench: Bench) -> None:
    d = bench.discord
    people = [d.add(n) for n in range(1, 5)]
    target = d.add(9)
    await give_chances(bench, people[0], people[1], target)
    pid = await propose_and_second(bench, people[2], people[3], target)
    stored = await bench.store.decisions.proposal(pid)
    assert stored is not None
    assert stored.notice is NoticeState.PRIVATE
    await bench.advance(12 * HOUR)
    assert d.kinds()[-1] == "PostBallot"


async def test_a_notice_that_failed_for_now_is_tried_again_and_the_vote_waits(
    bench: Bench,
) -> None:
    d = bench.discord
    people = [d.add(n) for n in range(1, 5)]
    target = d.add(9)
    await give_chances(bench, people[0], people[1], target)
    d.failures[fx.SendNotice] = [RuntimeError("Discord is down")]
    pid = await propose_and_second(bench, people[2], people[3], target)
    stored = await bench.store.decisions.proposal(pid)
    assert stored is not None
    assert stored.notice is NoticeState.PENDING
    await bench.advance(6)  # tried again 5 real seconds later
    await until_outbox_empty(bench)
    stored = await bench.store.decisions.proposal(pid)
    assert stored is not None
    assert stored.notice is NoticeState.PRIVATE


# --- nobody stays shut out ----------------------------------------------------------------------


async def test_a_lift_discord_refuses_is_tried_again_until_it_is_done(bench: Bench) -> None:
    d = bench.discord
    voters = [d.add(n) for n in range(1, 6)]
    target = d.add(9)
    await carried(bench, voters, target)
    # 403: the bot lost Manage Permissions. The adapter reports it and raises NotYet.
    d.failures[fx.RemoveExclusion] = [NotYet(), NotYet()]
    d.failures[fx.SendWelcomeBack] = [NotYet(), NotYet()]  # it waits for the lift
    await bench.meeting()
    assert "RemoveExclusion" not in d.kinds()
    assert await bench.rows("exclusions") == 0  # the decision ended on time
    assert await bench.rows("decision_outbox") == 2  # the lift and the welcome: kept
    assert await bench.rows("channel_denials") == 1
    await bench.advance(6)  # 5 real seconds: refused again
    await attempts_reach(bench, 2)
    await bench.advance(11)  # 10 more: done
    await until_outbox_empty(bench)
    assert d.kinds()[-2:] == ["RemoveExclusion", "SendWelcomeBack"]
    assert await bench.rows("channel_denials") == 0
    assert await bench.store.deadlines.all() == []


async def test_a_lift_for_a_member_who_left_is_done_and_not_retried(bench: Bench) -> None:
    d = bench.discord
    voters = [d.add(n) for n in range(1, 6)]
    target = d.add(9)
    await carried(bench, voters, target)
    # 404 (the member left the server): the adapter finds nothing to lift and returns; the
    # welcome back can't reach them (Undeliverable). Nothing is left to retry.
    d.failures[fx.SendWelcomeBack] = [Undeliverable()]
    await bench.meeting()
    assert d.kinds()[-1] == "RemoveExclusion"
    for table in ("exclusions", "channel_denials", "decision_outbox"):
        assert await bench.rows(table) == 0, table


async def test_the_hourly_check_lets_back_in_anyone_no_exclusion_accounts_for(
    bench: Bench,
) -> None:
    d = bench.discord
    voters = [d.add(n) for n in range(1, 6)]
    away = d.add(9)
    d.add(10)  # a member whose lift was lost
    await carried(bench, voters, away)  # in force: its closed channel is accounted for
    stray_key = d.pseudonyms.of(GUILD, 10)
    # A closed channel no exclusion accounts for (its lift was lost, or landed out of order).
    await bench.store.decisions.denials.note(bench.group.id, stray_key)

    d.failures[fx.RemoveExclusion] = [NotYet()]  # refused at first
    assert await bench.service.reconcile() == 1
    assert await bench.service.reconcile() == 0  # already under way: not queued twice
    await bench.advance(6)
    await until_outbox_empty(bench)
    lifts = d.tasks(fx.RemoveExclusion)
    assert [task.target for task in lifts] == [stray_key]  # never the member sitting out
    assert await bench.rows("channel_denials") == 1  # only the one in force is left
    assert await bench.service.reconcile() == 0

    # Armed on start, then every hour (clock time).
    await bench.store.decisions.denials.note(bench.group.id, stray_key)
    await bench.service.start()
    await lifted_times(bench, 2)
    # The check re-arms itself once its run is over, which may come just after the lift.
    async with asyncio.timeout(60):  # done as soon as it holds; generous for a loaded machine
        while True:
            (check,) = [x for x in await bench.store.deadlines.all() if x.kind == RECONCILE_KIND]
            if check.due_at > bench.clock.timestamp() + 1:
                break
            await asyncio.sleep(0.01)
    assert check.due_at == pytest.approx(bench.clock.timestamp() + HOUR, abs=1)
    await bench.store.decisions.denials.note(bench.group.id, stray_key)
    await bench.advance(HOUR)
    await lifted_times(bench, 3)
    assert [task.target for task in d.tasks(fx.RemoveExclusion)] == [stray_key] * 3
    assert "SendWelcomeBack" not in d.kinds()  # the member sitting out is still away


async def lifted_times(bench: Bench, count: int) -> None:
    async with asyncio.timeout(60):
        while len(bench.discord.tasks(fx.RemoveExclusion)) < count:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    await until_outbox_empty(bench)
