"""Who is up next is announced durably (issue 12): the announcement is written in the same
transaction as the turns it announces, posted after the commit, posted at the next start if the
bot died first, once (Discord's nonce), and never with a turn that has since passed on."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.pseudonyms import Pseudonymizer
from bot.runtime.clock import Clock
from bot.runtime.formats import FormatLibrary
from bot.runtime.live import LiveMeetings
from bot.runtime.locks import GroupLocks
from bot.runtime.rotation import RotationService
from bot.runtime.rotation.announcing import ANNOUNCE_DEADLINE
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from tests.runtime.test_rotation_service import (
    CHANNEL,
    GUILD,
    START,
    Bench,
    FakeDiscord,
    FakeTime,
    User,
    everyone_joins,
    last_announcement,
)


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    made = await store.groups.create(
        guild_id=GUILD, channel_id=CHANNEL, format_id="open-discussion", member_role_id=None,
        now=START,
    )  # fmt: skip
    assert made is not None
    clock = Clock(rate=1.0, anchor=START, real_time=FakeTime())
    discord = FakeDiscord(Pseudonymizer(b"r" * 32))
    live = LiveMeetings()
    service = started(store, clock, discord, live, Scheduler(store.deadlines, clock))
    yield Bench(store, clock, discord, service, live, made.id)
    await service.close()
    await store.close()


def started(
    store: Store, clock: Clock, discord: FakeDiscord, live: LiveMeetings, scheduler: Scheduler
) -> RotationService:
    return RotationService(
        store=store,
        clock=clock,
        formats=FormatLibrary(store),
        meetings=live,
        locks=GroupLocks(),
        port=discord,
        scheduler=scheduler,
    )


async def waiting(bench: Bench) -> int:
    return int(await bench.store.db.fetchval("SELECT count(*) FROM rotation_announcements"))


async def deadline(bench: Bench) -> float | None:
    armed = await bench.store.deadlines.get(ANNOUNCE_DEADLINE, "post")
    return None if armed is None else armed.due_at


async def restart(bench: Bench, *, later: float) -> Bench:
    """A new process on the same database, ``later`` seconds on: its scheduler fires what is
    due at start (as bot/app.py's setup_hook does)."""
    time = FakeTime(START + later)
    clock = Clock(rate=1.0, anchor=START, real_time=time)
    scheduler = Scheduler(bench.store.deadlines, clock)
    service = started(bench.store, clock, bench.discord, bench.live, scheduler)
    again = Bench(bench.store, clock, bench.discord, service, bench.live, bench.group_id)
    await scheduler.start()
    for _ in range(50):
        await asyncio.sleep(0.01)
        if not await waiting(again) and await deadline(again) is None:
            break
    await scheduler.stop()
    return again


async def test_an_announcement_not_posted_is_kept_with_the_turns_and_posted_once_after_restart(
    bench: Bench,
) -> None:
    people = await everyone_joins(bench, 4)
    bench.discord.announce_failures = 1  # Discord fails the post (a 5xx), as if the bot died
    await bench.hold_meeting(people[0])
    assert bench.discord.posts == []  # nobody told yet …
    assert await waiting(bench) == 1  # … but it is written, with the turn it announces
    due = await deadline(bench)
    assert due is not None
    assert due > bench.clock.timestamp()  # tried again after a pause, not at once

    again = await restart(bench, later=due - START + 1)
    assert await waiting(again) == 0
    assert await deadline(again) is None  # nothing left to do: no deadline lingers
    text, asked, meeting = last_announcement(again)
    assert meeting == 2
    assert asked != people[0].id
    assert text.startswith("**Next time, from the rotation:**")  # the first announcement
    assert len(again.discord.posts) == 1


async def test_a_post_repeated_after_a_crash_creates_no_second_message(bench: Bench) -> None:
    people = await everyone_joins(bench, 3)
    posted: list[tuple[str, str]] = []
    original = bench.discord.announce

    async def keep_row(group, text, *, key, ping, ask_for_meeting):  # type: ignore[no-untyped-def]
        posted.append((key, text))
        return await original(group, text, key=key, ping=ping, ask_for_meeting=ask_for_meeting)

    bench.discord.announce = keep_row  # type: ignore[method-assign]
    await bench.hold_meeting(people[0])
    assert len(bench.discord.posts) == 1
    # The bot died after Discord created the message, before the row was deleted: the row is
    # there again at the next start, with its key.
    assert await waiting(bench) == 0
    ((key, _words),) = posted
    await bench.store.db.execute(
        "INSERT INTO rotation_announcements (group_id, payload) VALUES (?, ?)",
        (bench.group_id, await stored_payload(bench, key)),
    )
    await bench.store.deadlines.upsert(ANNOUNCE_DEADLINE, "post", START, {})
    again = await restart(bench, later=1)
    assert len(posted) == 2
    assert posted[0] == posted[1]  # the same words with the same key: Discord's nonce holds
    assert len(again.discord.posts) == 1  # one message in the channel


async def stored_payload(bench: Bench, key: str) -> str:
    """The announcement the last counted meeting wrote, rebuilt with its key."""
    group = await bench.group()
    row = await bench.store.db.fetchone(
        "SELECT meeting, who, continuing FROM rotation_turns AS t "
        "JOIN rotation_roles AS r ON r.id = t.rotation_id WHERE r.group_id = ?",
        (group.id,),
    )
    assert row is not None
    line = {"role": "chair", "meeting": row[0], "who": row[1], "continuing": bool(row[2])}
    return json.dumps({"key": key, "passed_on": False, "lines": [line]})


async def test_a_late_announcement_never_asks_someone_whose_turn_passed_on(bench: Bench) -> None:
    people = await everyone_joins(bench, 4)
    bench.discord.announce_failures = 1
    await bench.hold_meeting(people[0])
    assert await waiting(bench) == 1
    group = await bench.group()
    turn = await bench.store.db.fetchval("SELECT who FROM rotation_turns")
    asked = next(p.id for p in people if bench.discord.who(p) == turn)

    # They say they can't make it before the first announcement went out: the next person is
    # asked (and told at once).
    await bench.service.cant_make_it(group.id, 2, User(asked))
    _, now_asked, _ = last_announcement(bench)
    assert now_asked != asked

    # The first announcement, posted late, would ask someone no longer asked: it says nothing.
    again = await restart(bench, later=3600)
    assert await waiting(again) == 0
    assert len(again.discord.posts) == 1
    assert all(f"<@{asked}>" not in text for text, _, _ in again.discord.posts)
