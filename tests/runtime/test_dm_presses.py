"""Presses in direct messages, sharded (issue 19). Discord sends every direct message — and every
press of a button in one — to shard 0 only, so they reach the process holding shard 0 whoever's
group they are about. Here that process does not serve the group:

- the member concerned giving their side (the form under their private notice) is a database
  change, taken there; its showing on the open ballot is left for the group's own process,
  which picks it up — once;
- a rotation reminder's or swap request's answer needs the group's server (members, roles,
  channel), which that process can't see: it is refused kindly, saying where the same answer
  works, and nothing changes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import cast

import pytest

from bot.core.decisions import ProposalState
from bot.core.decisions import effects as fx
from bot.core.decisions.effects import SendConcernNote
from bot.core.pseudonyms import Pseudonym
from bot.errors import NotAllowed
from bot.runtime.decisions import DecisionService
from bot.runtime.decisions.engine import Committed, Delivery, Engine
from bot.runtime.decisions.outbox import Work, encode
from bot.runtime.decisions.port import DecisionPort
from bot.runtime.formats import FormatLibrary
from bot.runtime.live import LiveMeetings
from bot.runtime.locks import GroupLocks
from bot.runtime.rotation import RotationService
from bot.runtime.scheduler import Scheduler, every_group
from bot.store import Store
from bot.store.groups import GroupRecord
from tests.runtime import test_decisions_service as decisions
from tests.runtime import test_rotation_service as rotation
from tests.runtime.test_decisions_service import give_chances, propose_and_second
from tests.runtime.test_rotation_service import CHANNEL, User, everyone_joins, last_announcement
from tests.support.clock import FakeTime


async def not_mine(group_id: int) -> bool:
    """The process holding shard 0, when the group's server is on another process's shard."""
    return False


# --- giving one's side -------------------------------------------------------------------------


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[decisions.Bench]:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    made = await store.groups.create(
        guild_id=decisions.GUILD, channel_id=decisions.CHANNEL, format_id="open-discussion",
        member_role_id=None, now=decisions.START,
    )  # fmt: skip
    assert made is not None
    bench = decisions.build(store, FakeTime())
    bench.group = made
    await bench.scheduler.start()
    yield bench
    await bench.scheduler.stop()
    await store.close()


def shard_zero(bench: decisions.Bench) -> tuple[DecisionService, decisions.FakeDiscord]:
    """The decision service of the process holding shard 0, on the same database."""
    port = decisions.FakeDiscord(bench.discord.pseudonyms, bench.clock, dict(bench.discord.people))
    service = DecisionService(
        store=bench.store,
        clock=bench.clock,
        scheduler=Scheduler(bench.store.deadlines, bench.clock),  # its own process's
        pseudonyms=bench.discord.pseudonyms,
        formats=FormatLibrary(bench.store),
        port=port,
        locks=GroupLocks(),
        owns_group=not_mine,
    )
    return service, port


async def test_a_side_given_in_a_direct_message_reaches_the_ballot_once_through_the_owner(
    bench: decisions.Bench,
) -> None:
    d = bench.discord
    voters = [d.add(n) for n in range(1, 6)]
    target = d.add(9)
    await give_chances(bench, voters[0], voters[1], target)
    pid = await propose_and_second(bench, voters[2], voters[3], target)
    await bench.advance(12 * 3600)  # the hearing ends: ballots open
    assert d.kinds()[-1] == "PostBallot"
    elsewhere, port = shard_zero(bench)

    await elsewhere.give_statement(pid, target, "I'm sorry. I'll listen more.")
    stored = await bench.store.decisions.proposal(pid)
    assert stored is not None
    assert stored.proposal.statement == "I'm sorry. I'll listen more."  # taken at once …
    assert port.done == []  # … its Discord work not done where the server can't be seen …
    assert await bench.rows("decision_outbox") == 1  # … but left, durably, for the owner

    assert await bench.service.pick_up() == 0  # seen once: maybe on its way inline
    assert await bench.service.pick_up() == 1  # seen again, untried: left here, carried out
    assert d.tasks(fx.ShowStatement) == [fx.ShowStatement(pid)]
    assert await bench.rows("decision_outbox") == 0
    assert await bench.service.pick_up() == 0
    assert await bench.service.pick_up() == 0
    assert d.tasks(fx.ShowStatement) == [fx.ShowStatement(pid)]  # once

    with pytest.raises(NotAllowed, match="Only the member"):  # the same rules there
        await elsewhere.give_statement(pid, voters[0], "not mine to give")


async def test_a_change_that_arms_a_deadline_is_never_made_where_it_would_be_lost(
    bench: decisions.Bench,
) -> None:
    """Seconding arms the opening of the ballot: a process whose scheduler would never hear of
    it (not the group's) refuses, kindly, and nothing is written."""
    d = bench.discord
    voters = [d.add(n) for n in range(1, 6)]
    target = d.add(9)
    await give_chances(bench, voters[0], voters[1], target)
    proposed = await bench.service.propose_exclusion(decisions.CHANNEL, voters[2], target, 1)
    elsewhere, port = shard_zero(bench)
    deadlines = await bench.store.deadlines.all()
    with pytest.raises(NotAllowed, match="can't do this from a private message"):
        await elsewhere.second(proposed.proposal_id, voters[3])
    stored = await bench.store.decisions.proposal(proposed.proposal_id)
    assert stored is not None
    assert stored.proposal.state is ProposalState.AWAITING_SECOND
    assert await bench.store.deadlines.all() == deadlines
    assert port.done == []
    await bench.service.second(proposed.proposal_id, voters[3])  # the group's own process can


async def test_the_owner_never_picks_up_work_that_failed_and_waits_for_its_retry(
    bench: decisions.Bench,
) -> None:
    d = bench.discord
    d.failures[fx.SendConcernNote] = [RuntimeError("503")]
    voters = [d.add(n) for n in range(1, 3)]
    target = d.add(9)
    await bench.service.raise_concern(decisions.CHANNEL, voters[0], target, "crosstalk")
    assert await bench.rows("decision_outbox") == 1  # failed once: waits for its retry
    assert await bench.service.pick_up() == 0
    assert await bench.service.pick_up() == 0  # not taken early: its back-off holds
    assert d.kinds() == []


class SlowPort:
    """The decisions' Discord port, whose first piece of work takes a while."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.done: list[Work] = []

    async def ready(self) -> None:
        return None

    async def carry_out(self, group: GroupRecord, work: Work, hint: object) -> None:
        if not self.done and not self.release.is_set():
            self.started.set()
            await self.release.wait()
        self.done.append(work)


async def test_a_pick_up_never_takes_work_waiting_its_turn_in_this_process(
    bench: decisions.Bench,
) -> None:
    port = SlowPort()
    clock = bench.clock
    engine = Engine(
        store=bench.store, clock=clock, scheduler=Scheduler(bench.store.deadlines, clock),
        port=cast(DecisionPort, port), owns_group=every_group,
    )  # fmt: skip
    done = Committed()
    async with bench.store.decisions.transaction() as t:
        for key in ("aa", "bb"):
            note = SendConcernNote(Pseudonym(key * 32), "g")
            done.work.append(await t.enqueue(bench.group.id, encode(Work(note))))
    inline = asyncio.create_task(engine.after(done))
    await port.started.wait()  # the first is being carried out; the second waits its turn
    assert await engine.pick_up() == 0
    assert await engine.pick_up() == 0  # seen twice, yet this process's own: left alone
    port.release.set()
    assert set((await inline).values()) == {Delivery.DONE}
    assert [work.task.target for work in port.done] == [Pseudonym("aa" * 32), Pseudonym("bb" * 32)]
    assert await bench.rows("decision_outbox") == 0


# --- the rotation's private answers ----------------------------------------------------------


@pytest.fixture
async def circle(tmp_path: Path) -> AsyncIterator[rotation.Bench]:
    async with rotation.rotation_bench(tmp_path) as made:
        yield made


async def test_rotation_answers_in_a_direct_message_say_where_they_work_and_change_nothing(
    circle: rotation.Bench,
) -> None:
    people = await everyone_joins(circle, 4)
    await circle.hold_meeting(people[0])
    _, asked, meeting = last_announcement(circle)
    assert meeting == 2
    asker = User(asked)
    partner = next(p for p in people if p.id not in (asked, people[0].id))
    await circle.service.ask_swap(CHANNEL, asker, partner, None)
    swap_id = circle.discord.dms[-1][2]
    assert swap_id is not None
    elsewhere = RotationService(
        store=circle.store,
        clock=circle.clock,
        formats=FormatLibrary(circle.store),
        meetings=LiveMeetings(),
        locks=GroupLocks(),
        port=circle.discord,
        owns_group=not_mine,
    )
    posts, dms = len(circle.discord.posts), len(circle.discord.dms)
    served = await circle.last_served()

    with pytest.raises(NotAllowed, match=r"press \*\*I'll do it\*\* under the rotation's"):
        await elsewhere.will_serve(circle.group_id, 2, asker)
    with pytest.raises(NotAllowed, match="your turn hasn't been passed on yet"):
        await elsewhere.cant_make_it(circle.group_id, 2, asker)
    with pytest.raises(NotAllowed, match="run `/rotation swap` with them"):
        await elsewhere.answer_swap(swap_id, partner, accept=True)
    with pytest.raises(NotAllowed, match="lapses by itself within two days"):
        await elsewhere.answer_swap(swap_id, partner, accept=False)
    assert (len(circle.discord.posts), len(circle.discord.dms)) == (posts, dms)
    assert await circle.last_served() == served
    assert last_announcement(circle)[1] == asked  # still their turn

    # The group's own process takes the same answers as before.
    done = str(await circle.service.answer_swap(swap_id, partner, accept=True))
    assert done.startswith("Done — you've swapped places")
