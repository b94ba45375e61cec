"""Group commit in the meeting service (bot/runtime/meetings/commits.py): many presses at once
in one meeting are saved in few transactions, each answered only after the commit that holds
it, in the order they came; a refusal is one's own; a failed save tells every press in its
batch the truth (nothing was kept)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from bot.core.meeting import MeetingState, Status
from bot.core.meeting import effects as fx
from bot.core.pseudonyms import Pseudonym
from bot.errors import NotAllowed, StorageUnavailable
from bot.runtime.live import LiveMeeting
from bot.runtime.meetings import CannotPost, Unshown
from bot.store import Store
from bot.store.db import Transaction
from tests.runtime.test_meetings_service import ANA, CHANNEL, GUILD, KEY, Bench, FakePresenter
from tests.support.clock import FakeTime

CROWD = [KEY.of(GUILD, 100 + n) for n in range(30)]


@dataclass
class Commits:
    """Every transaction that committed, and the meeting state it saved (None: none saved)."""

    saved: list[str | None]
    failing: bool = False  # the next saves raise, as a full disk would


def watch_commits(store: Store, monkeypatch: pytest.MonkeyPatch) -> Commits:
    commits = Commits([])
    opened = store.db.transaction
    save = store.meetings.save
    latest: list[str | None] = [None]

    @asynccontextmanager
    async def transaction() -> AsyncIterator[Transaction]:
        latest[0] = None
        async with opened() as tx:
            yield tx
        commits.saved.append(latest[0])  # reached only when it committed

    async def saving(tx: Transaction, meeting_id: int, state: str) -> None:
        if commits.failing:
            raise StorageUnavailable("the disk is full")
        latest[0] = state
        await save(tx, meeting_id, state)

    monkeypatch.setattr(store.db, "transaction", transaction)
    monkeypatch.setattr(store.meetings, "save", saving)
    return commits


def queue_of(state: MeetingState) -> list[Pseudonym]:
    """Who holds the floor, then the hands up, in order."""
    turn = state.floor.turn
    return ([] if turn is None else [turn.who]) + list(state.floor.hands)


async def sharing_meeting(bench: Bench) -> LiveMeeting:
    await bench.group()
    live = await bench.service.start(CHANNEL, ANA, 11)
    await bench.to_sharing(live)
    return live


def raising(bench: Bench, live: LiveMeeting, who: Pseudonym) -> asyncio.Task[object]:
    """``who`` presses "Raise hand", as a task (answered once its batch is saved)."""
    return asyncio.create_task(bench.service.act(live, lambda r, s, now: r.raise_hand(s, who, now)))


def held_show(bench: Bench, monkeypatch: pytest.MonkeyPatch) -> asyncio.Event:
    """Showing in the channel waits until the returned event is set (a save in flight that
    others queue behind)."""
    release = asyncio.Event()
    shown = bench.port.show

    async def slow_show(live: LiveMeeting, effects: Sequence[fx.ChannelEffect]) -> Unshown | None:
        await release.wait()
        return await shown(live, effects)

    monkeypatch.setattr(bench.port, "show", slow_show)
    return release


async def test_many_presses_at_once_are_saved_together_in_order_and_answered_after_commit(
    store: Store, time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = Bench(store, time)
    live = await sharing_meeting(bench)
    commits = watch_commits(store, monkeypatch)
    heard: list[Pseudonym] = []

    async def press(who: Pseudonym) -> None:
        await bench.service.act(live, lambda r, s, now: r.raise_hand(s, who, now))
        committed = commits.saved[-1]  # the last commit before this press was answered
        assert committed is not None
        assert who in queue_of(MeetingState.from_json(committed)), "answered before its commit"
        heard.append(who)

    # CROWD[3] presses twice (a double click): their hand counts once.
    presses = [*CROWD, CROWD[3]]
    await asyncio.gather(*(press(who) for who in presses))

    assert len(commits.saved) == 2  # the first press alone, then the 30 that came meanwhile
    assert sorted(heard) == sorted(presses)
    assert queue_of(live.state) == CROWD  # each once, in the order they pressed
    stored = await store.db.fetchval("SELECT state FROM meetings WHERE id = ?", (live.id,))
    assert queue_of(MeetingState.from_json(str(stored))) == CROWD
    given = [e.who for e in bench.port.shown if isinstance(e, fx.FloorGiven)]
    assert given == [CROWD[0]]  # the room hears the floor given once


async def test_a_refusal_in_a_batch_is_only_that_presss(
    store: Store, time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = Bench(store, time)
    live = await sharing_meeting(bench)
    commits = watch_commits(store, monkeypatch)
    first, *rest = CROWD[:6]

    results = await asyncio.gather(
        bench.service.act(live, lambda r, s, now: r.raise_hand(s, first, now)),
        *(
            bench.service.act(live, lambda r, s, now, w=w: r.raise_hand(s, w, now))
            for w in rest[:2]
        ),
        bench.service.act(live, lambda r, s, now: r.done(s, CROWD[20], now)),
        *(
            bench.service.act(live, lambda r, s, now, w=w: r.raise_hand(s, w, now))
            for w in rest[2:]
        ),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 1
    assert isinstance(refused[0], NotAllowed)  # "done" from someone not sharing
    assert results[3] is refused[0]
    assert queue_of(live.state) == CROWD[:6]
    assert len(commits.saved) == 2


async def test_a_failed_save_tells_every_press_in_its_batch_and_keeps_nothing(
    store: Store, time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = Bench(store, time)
    live = await sharing_meeting(bench)
    commits = watch_commits(store, monkeypatch)
    release = asyncio.Event()
    shown = bench.port.show

    async def slow_show(live: LiveMeeting, effects: Sequence[fx.ChannelEffect]) -> Unshown | None:
        await release.wait()  # the first step is still being shown while the others arrive
        return await shown(live, effects)

    monkeypatch.setattr(bench.port, "show", slow_show)
    first = raising(bench, live, CROWD[0])
    await asyncio.sleep(0.05)
    batch = [
        asyncio.create_task(bench.service.act(live, lambda r, s, now, w=w: r.raise_hand(s, w, now)))
        for w in CROWD[1:8]
    ]
    await asyncio.sleep(0.01)
    commits.failing = True  # the disk fills up before the second batch is saved
    release.set()
    await first  # committed before the disk filled: told so
    results = await asyncio.gather(*batch, return_exceptions=True)
    assert all(isinstance(r, StorageUnavailable) for r in results), results
    assert queue_of(live.state) == [CROWD[0]]  # nothing of the failed batch is kept …
    stored = await store.db.fetchval("SELECT state FROM meetings WHERE id = ?", (live.id,))
    assert queue_of(MeetingState.from_json(str(stored))) == [CROWD[0]]  # … in memory or on disk
    assert len(commits.saved) == 1

    commits.failing = False  # room again: the same presses now go through, together
    await asyncio.gather(
        *(
            bench.service.act(live, lambda r, s, now, w=w: r.raise_hand(s, w, now))
            for w in CROWD[1:8]
        )
    )
    assert queue_of(live.state) == CROWD[:8]


async def test_a_paused_room_tells_the_chair_once_for_a_whole_batch(
    store: Store, time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = Bench(store, time)
    live = await sharing_meeting(bench)
    port: FakePresenter = bench.port
    release = asyncio.Event()
    shown = port.show

    async def slow_show(live: LiveMeeting, effects: Sequence[fx.ChannelEffect]) -> Unshown | None:
        await release.wait()
        result = await shown(live, effects)
        port.refusing = True  # then Discord stops taking the bot's posts in the channel
        return result

    monkeypatch.setattr(port, "show", slow_show)
    first = raising(bench, live, CROWD[0])
    await asyncio.sleep(0.05)
    batch = [
        asyncio.create_task(bench.service.act(live, lambda r, s, now, w=w: r.raise_hand(s, w, now)))
        for w in CROWD[1:5]
    ]  # … and the one sharing is done: the floor goes to the next, in words Discord refuses
    batch.append(
        asyncio.create_task(bench.service.act(live, lambda r, s, now: r.done(s, CROWD[0], now)))
    )
    await asyncio.sleep(0.01)
    release.set()
    await first
    results: list[Any] = await asyncio.gather(*batch, return_exceptions=True)
    assert all(isinstance(r, CannotPost) for r in results), results
    assert [r.new for r in results] == [True, False, False, False, False]  # chair told once
    assert live.state.status is Status.PAUSED
    stored = await store.db.fetchval("SELECT state FROM meetings WHERE id = ?", (live.id,))
    assert queue_of(MeetingState.from_json(str(stored)))[-3:] == CROWD[2:5]  # committed


async def test_presses_after_the_end_in_the_same_batch_are_refused(
    store: Store, time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = Bench(store, time)
    live = await sharing_meeting(bench)
    release = held_show(bench, monkeypatch)
    first = raising(bench, live, CROWD[0])
    await asyncio.sleep(0.05)
    before = raising(bench, live, CROWD[1])
    ending = asyncio.create_task(bench.service.act(live, lambda r, s, now: r.end(s, now)))
    after = raising(bench, live, CROWD[2])
    await asyncio.sleep(0.01)
    release.set()
    await asyncio.gather(first, before, ending)
    with pytest.raises(NotAllowed, match="ended"):
        await after
    assert bench.live.running() == []
    assert await bench.rows("meetings") == 0


async def test_a_step_cancelled_after_its_commit_is_never_carried_out_again(
    store: Store, time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = Bench(store, time)
    live = await sharing_meeting(bench)
    step = live.state.step
    assert step is not None
    release = held_show(bench, monkeypatch)
    moving_on = asyncio.create_task(bench.service.act(live, lambda r, s, now: r.advance(s, now)))
    await asyncio.sleep(0.05)  # committed; being shown
    hand = raising(bench, live, CROWD[0])
    await asyncio.sleep(0.01)
    moving_on.cancel()  # the bot is stopping
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await moving_on
    await hand  # carried out by the next holder of the lock …
    moved = live.state.step
    assert moved is not None
    assert moved.index == step.index + 1  # … and the step it had committed is not done twice


async def test_a_press_given_up_while_waiting_is_not_carried_out_and_the_line_goes_on(
    store: Store, time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = Bench(store, time)
    live = await sharing_meeting(bench)
    release = held_show(bench, monkeypatch)
    first = raising(bench, live, CROWD[0])
    await asyncio.sleep(0.05)
    given_up, waiting = (
        asyncio.create_task(bench.service.act(live, lambda r, s, now, w=w: r.raise_hand(s, w, now)))
        for w in CROWD[1:3]
    )
    await asyncio.sleep(0.01)
    given_up.cancel()  # first in line for the next round: whether or not it was asked to lead
    release.set()
    await first
    await waiting
    with pytest.raises(asyncio.CancelledError):
        await given_up
    assert queue_of(live.state) == [CROWD[0], CROWD[2]]


async def test_a_leader_cancelled_while_waiting_for_the_lock_leaves_the_line_to_the_next(
    store: Store, time: FakeTime
) -> None:
    bench = Bench(store, time)
    live = await sharing_meeting(bench)
    lock = bench.service._lock(live.group.id)
    await lock.acquire()  # something else holds the group's lock a while
    leader = raising(bench, live, CROWD[0])
    await asyncio.sleep(0.01)
    leader.cancel()  # the bot is stopping, or the press's task given up
    with pytest.raises(asyncio.CancelledError):
        await leader
    lock.release()
    # the next press is carried out and answered (not left waiting for a leader gone)
    await asyncio.wait_for(
        bench.service.act(live, lambda r, s, now: r.raise_hand(s, CROWD[1], now)), 5
    )
    assert queue_of(live.state) == [CROWD[1]]  # the cancelled press was not carried out


async def test_a_step_cancelled_during_its_commit_is_applied_exactly_once(
    store: Store, time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = Bench(store, time)
    live = await sharing_meeting(bench)
    step = live.state.step
    assert step is not None
    opened = store.db.transaction
    committing, release = asyncio.Event(), asyncio.Event()

    @asynccontextmanager
    async def slow_commit() -> AsyncIterator[Transaction]:
        async with opened() as tx:
            yield tx
        committing.set()  # committed in SQLite's thread; the await has not returned yet
        await release.wait()

    monkeypatch.setattr(store.db, "transaction", slow_commit)
    advanced: list[int] = []

    def advance(r: Any, s: MeetingState, now: Any) -> Any:
        advanced.append(1)
        return r.advance(s, now)

    moving_on = asyncio.create_task(bench.service.act(live, advance))
    await asyncio.wait_for(committing.wait(), 5)
    hand = raising(bench, live, CROWD[0])
    await asyncio.sleep(0.01)
    moving_on.cancel()  # lands while the commit is being awaited
    await asyncio.sleep(0.01)
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await moving_on
    await asyncio.wait_for(hand, 5)  # the next in line leads, and its press is answered
    assert advanced == [1]  # applied once: the committed step is not put back and done again
    moved = live.state.step
    assert moved is not None
    assert moved.index == step.index + 1
    assert CROWD[0] in queue_of(live.state)


async def test_a_cancel_in_the_transaction_waits_for_it_and_the_line_goes_on(
    store: Store, time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = Bench(store, time)
    live = await sharing_meeting(bench)
    opened = store.db.transaction
    started, gate = asyncio.Event(), asyncio.Event()

    @asynccontextmanager
    async def slow_begin() -> AsyncIterator[Transaction]:
        started.set()
        await gate.wait()  # the write lock is busy a while
        async with opened() as tx:
            yield tx

    monkeypatch.setattr(store.db, "transaction", slow_begin)
    leader = raising(bench, live, CROWD[0])
    await asyncio.wait_for(started.wait(), 5)
    waiting = raising(bench, live, CROWD[1])
    await asyncio.sleep(0.01)
    leader.cancel()  # lands in the transaction: it is seen through, never half done
    await asyncio.sleep(0.01)
    gate.set()
    with pytest.raises(asyncio.CancelledError):
        await leader
    await asyncio.wait_for(waiting, 5)  # the next in line leads and is answered
    assert queue_of(live.state) == [CROWD[0], CROWD[1]]  # each once
    stored = await store.db.fetchval("SELECT state FROM meetings WHERE id = ?", (live.id,))
    assert queue_of(MeetingState.from_json(str(stored))) == [CROWD[0], CROWD[1]]
