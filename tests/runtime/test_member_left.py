"""A member who leaves the server is forgotten there at once, as forget-me would (the privacy
service's forget path, which tells the meeting and the rotation), except what is in force; and a
concern ends after 90 days of clock time even if the group stops meeting."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.runtime.events import EventBus, MemberForgotten
from bot.runtime.privacy import PrivacyService
from bot.runtime.scheduler import Scheduler
from tests.runtime.test_rotation_service import (
    CHANNEL,
    GUILD,
    Bench,
    User,
    everyone_joins,
    last_announcement,
    rotation_bench,
)

DAY = 86400.0


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    """The rotation service's bench (tests/runtime/test_rotation_service.py)."""
    async with rotation_bench(tmp_path) as made:
        yield made


def privacy_for(bench: Bench) -> tuple[PrivacyService, EventBus, list[MemberForgotten]]:
    """The privacy service over the bench's database, wired to the rotation as bot/wiring.py
    does (MemberForgotten -> the rotation)."""
    bus = EventBus()
    told: list[MemberForgotten] = []

    async def record(event: MemberForgotten) -> None:
        told.append(event)

    bus.subscribe(MemberForgotten, record)
    bus.subscribe(MemberForgotten, bench.service.member_forgotten)
    clock = bench.clock
    service = PrivacyService(
        bench.store, bench.discord.pseudonyms, clock, Scheduler(bench.store.deadlines, clock), bus
    )
    return service, bus, told


async def test_a_member_who_leaves_is_out_of_the_rotation_at_once_but_an_exclusion_stays(
    bench: Bench,
) -> None:
    people = await everyone_joins(bench, 4)
    await bench.hold_meeting(people[0])
    _, asked, meeting = last_announcement(bench)
    leaver = User(asked)
    who = bench.discord.who(leaver)
    # The group had decided that this member sits out the next meeting: that is in force.
    await bench.store.db.execute(
        "INSERT INTO exclusions (group_id, target, meetings, first_meeting, began_at, ends_by) "
        "VALUES (?, ?, 1, 2, ?, ?)",
        (bench.group_id, who, bench.clock.timestamp(), bench.clock.timestamp() + 30 * DAY),
    )
    privacy, _, told = privacy_for(bench)
    # Discord: the member is gone from the server, and with them their roles.
    for holders in bench.discord.holding.values():
        holders.discard(asked)
    del bench.discord.people[asked]

    outcome = await privacy.forget_member(guild_id=GUILD, user_id=asked, left=True)
    await bench.service.close()  # the rotation's part runs in the background

    assert told == [MemberForgotten(GUILD, who)]
    assert {rows.entry.table for rows in outcome.removed} >= {"rotation_volunteers"}
    assert [rows.entry.table for rows in outcome.kept] == ["exclusions"]
    assert who not in await bench.last_served()
    shown = await bench.service.show(CHANNEL)
    assert all(who not in order.names for order in shown.roles)
    held = await bench.store.db.fetchval(
        "SELECT count(*) FROM rotation_volunteers WHERE volunteer = ?", (who,)
    )
    assert held == 0
    turns = await bench.store.db.fetchval(
        "SELECT count(*) FROM rotation_turns WHERE who = ?", (who,)
    )
    assert turns == 0
    # The turn they were asked for passed on to someone still here.
    _, instead, again = last_announcement(bench)
    assert instead != asked
    assert again == meeting
    excluded = await bench.store.db.fetchval(
        "SELECT count(*) FROM exclusions WHERE target = ?", (who,)
    )
    assert excluded == 1


async def test_someone_who_leaves_with_nothing_kept_costs_nothing(bench: Bench) -> None:
    await everyone_joins(bench, 2)
    privacy, _, told = privacy_for(bench)
    outcome = await privacy.forget_member(guild_id=GUILD, user_id=999, left=True)
    assert outcome.removed_total == 0
    assert outcome.kept == []
    assert told == []  # nobody had anything of theirs: no feature is woken up


async def test_members_who_left_while_the_bot_was_away_are_caught_up_at_start(
    bench: Bench,
) -> None:
    people = await everyone_joins(bench, 4)
    await bench.hold_meeting(people[0])
    privacy, _, told = privacy_for(bench)
    stayed, gone = people[:3], people[3]
    who = bench.discord.who(gone)
    assert who in await privacy.data.members_kept(GUILD)

    # The start-up finds the server's whole member list without them.
    caught = await privacy.forget_departed(GUILD, [person.id for person in stayed] + [4242])
    await bench.service.close()  # the rotation's part runs in the background
    assert caught == 1
    assert told == [MemberForgotten(GUILD, who)]
    kept = await privacy.data.members_kept(GUILD)
    assert who not in kept
    assert {bench.discord.who(person) for person in stayed} <= kept  # the others stay
    assert await bench.volunteer_rows() == 3
    # Caught up once: the next start finds nothing more to do.
    assert await privacy.forget_departed(GUILD, [person.id for person in stayed]) == 0
    # A server where no group meets: nothing is looked at.
    assert await privacy.forget_departed(GUILD + 1, []) == 0
