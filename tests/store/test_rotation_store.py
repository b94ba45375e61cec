"""The rotation tables on real aiosqlite: a rotation written and read back whole, leaving deletes
the row, a new turn drops the old passes, swaps answered exactly once, forget-me and leaving a
server reach every rotation row."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.core import rotation as core
from bot.core.formats import builtin_formats, load_builtin_format
from bot.core.pseudonyms import Pseudonym
from bot.runtime.rotation import role_rules
from bot.store import Store
from bot.store.db import Database
from bot.store.privacy import PersonalData
from bot.store.rotation import weekday_bits, weekdays_of
from tests.store.backends import INTEGRITY, everything

ANN, BEA, CY, DEE = (Pseudonym(f"{n:064x}") for n in range(1, 5))
RULES = [
    core.RoleRules("chair"),
    core.RoleRules("timekeeper", term=core.ForMeetings(3)),
    core.RoleRules("reader", term=core.WeekdayRoster()),
]
FACTS = {who: core.MemberFacts(days_in_server=30, first_meeting=False) for who in (ANN, BEA, CY)}


@pytest.fixture
async def store(where: Path | Database) -> AsyncIterator[Store]:
    store = Store(where)
    await store.open()
    yield store
    await store.close()


@pytest.fixture
async def group_id(store: Store) -> int:
    group = await store.groups.create(
        guild_id=1, channel_id=2, format_id="open-discussion", member_role_id=None, now=0.0
    )
    assert group is not None
    return group.id


def volunteers(rotation: core.Rotation, role: str) -> set[Pseudonym]:
    return set(rotation.role(role).volunteers)


async def rows(store: Store, table: str) -> int:
    return int(await store.db.fetchval(f"SELECT count(*) FROM {table}"))


async def test_an_unknown_group_has_an_empty_rotation(store: Store, group_id: int) -> None:
    rotation = await store.rotation.load(group_id, RULES)
    assert [rr.rules for rr in rotation.roles] == RULES
    assert all(not rr.volunteers and rr.upcoming is None for rr in rotation.roles)
    assert await store.rotation.roles(group_id) == []


async def test_a_rotation_round_trips_whole(store: Store, group_id: int) -> None:
    rotation = core.Rotation.of(RULES)
    for who in (ANN, BEA, CY):
        rotation = core.join(rotation, "chair", who)
    rotation = core.join(rotation, "reader", ANN, weekdays=frozenset({0, 3}))
    rotation = core.join(rotation, "timekeeper", BEA)
    rotation = core.record_served(rotation, 4, {"chair": ANN, "timekeeper": BEA})
    rotation, _ = core.announce_next(rotation, 5, FACTS)
    asked = rotation.role("chair").upcoming
    assert asked is not None
    assert asked.who is not None
    rotation, _ = core.cant_make_it(rotation, "chair", asked.who)
    await store.rotation.save(group_id, rotation)

    loaded = await store.rotation.load(group_id, RULES)
    assert loaded == rotation
    assert loaded.role("reader").volunteers[ANN].weekdays == frozenset({0, 3})
    assert loaded.role("timekeeper").volunteers[BEA].term_started == 4
    up = loaded.role("chair").upcoming
    assert up is not None
    assert up.who is None
    assert len(up.passed) == 1


async def test_leaving_deletes_the_row_and_nothing_else(store: Store, group_id: int) -> None:
    rotation = core.Rotation.of(RULES)
    for who in (ANN, BEA, CY):
        rotation = core.join(rotation, "chair", who)
    await store.rotation.save(group_id, rotation)
    assert await rows(store, "rotation_volunteers") == 3

    rotation, effects = core.leave(rotation, BEA)
    assert core.ForgetVolunteer("chair", BEA) in effects
    await store.rotation.save(group_id, rotation)
    assert volunteers(await store.rotation.load(group_id, RULES), "chair") == {ANN, CY}
    assert await rows(store, "rotation_volunteers") == 2


async def test_a_new_turn_drops_the_old_passes(store: Store, group_id: int) -> None:
    rotation = core.Rotation.of(RULES[:1])
    for who in (ANN, BEA, CY):
        rotation = core.join(rotation, "chair", who)
    rotation, _ = core.announce_next(rotation, 1, FACTS)
    first = rotation.role("chair").upcoming
    assert first is not None
    assert first.who is not None
    rotation, _ = core.cant_make_it(rotation, "chair", first.who)
    rotation, _ = core.fill_turn(rotation, "chair", FACTS)
    await store.rotation.save(group_id, rotation)
    assert await rows(store, "rotation_passes") == 1

    rotation = core.record_served(rotation, 1, {"chair": ANN})
    rotation, _ = core.announce_next(rotation, 2, FACTS)
    await store.rotation.save(group_id, rotation)
    assert await rows(store, "rotation_passes") == 0
    assert (await store.rotation.load(group_id, RULES[:1])) == rotation


async def test_roles_are_created_once_and_keep_their_discord_roles(
    store: Store, group_id: int
) -> None:
    first, again = await asyncio.gather(
        store.rotation.role(group_id, "chair"), store.rotation.role(group_id, "chair")
    )
    assert first == again
    await store.rotation.set_discord_roles(first.id, volunteers_role_id=11, serving_role_id=12)
    (record,) = await store.rotation.roles(group_id)
    assert (record.volunteers_role_id, record.serving_role_id) == (11, 12)
    assert await store.rotation.role_by_id(first.id) == record
    assert await store.rotation.serving_roles() == [record]
    assert await store.rotation.group_ids_in_guild(1) == [group_id]
    assert await store.rotation.group_ids_in_guild(99) == []


async def test_a_swap_is_answered_exactly_once_and_expires(store: Store, group_id: int) -> None:
    record = await store.rotation.role(group_id, "chair")
    swap_id = await store.rotation.ask_swap(record.id, ANN, BEA, expires_at=100.0)
    found = await store.rotation.swap_request(swap_id, now=50.0)
    assert found is not None
    assert (found.asker, found.partner, found.role, found.group_id) == (ANN, BEA, "chair", group_id)
    assert await store.rotation.swap_between(record.id, ANN, BEA, now=50.0) == found
    assert await store.rotation.swap_between(record.id, BEA, ANN, now=50.0) is None
    assert await store.rotation.swap_request(swap_id, now=100.0) is None  # expired

    answers = await asyncio.gather(*(store.rotation.close_swap(swap_id) for _ in range(5)))
    assert answers.count(True) == 1
    assert await store.rotation.swap_request(swap_id, now=50.0) is None


async def test_asking_again_replaces_the_request(store: Store, group_id: int) -> None:
    record = await store.rotation.role(group_id, "chair")
    await store.rotation.ask_swap(record.id, ANN, BEA, expires_at=100.0)
    await store.rotation.ask_swap(record.id, ANN, BEA, expires_at=200.0)
    assert await rows(store, "rotation_swaps") == 1
    with pytest.raises(INTEGRITY):
        await store.rotation.ask_swap(record.id, ANN, ANN, expires_at=100.0)


async def test_concurrent_saves_leave_one_consistent_rotation(store: Store, group_id: int) -> None:
    base = core.Rotation.of(RULES[:1])
    versions = [core.join(base, "chair", who) for who in (ANN, BEA, CY, DEE)]
    await asyncio.gather(*(store.rotation.save(group_id, v) for v in versions))
    loaded = await store.rotation.load(group_id, RULES[:1])
    assert loaded in versions  # the last writer wins whole; no mixture of two
    assert await rows(store, "rotation_volunteers") == 1


async def test_forget_me_reaches_every_rotation_row(store: Store, group_id: int) -> None:
    rotation = core.Rotation.of(RULES[:1])
    for who in (ANN, BEA, CY):
        rotation = core.join(rotation, "chair", who)
    rotation, _ = core.announce_next(rotation, 1, {ANN: FACTS[ANN]})
    assert rotation.role("chair").upcoming == core.Upcoming(1, ANN)
    # Asked again after a swap, with an earlier pass of theirs and of someone else's on record.
    chair = replace(rotation.roles[0], upcoming=core.Upcoming(1, ANN, frozenset({ANN, BEA})))
    rotation = core.Rotation((chair,))
    await store.rotation.save(group_id, rotation)
    record = await store.rotation.role(group_id, "chair")
    await store.rotation.ask_swap(record.id, ANN, BEA, expires_at=100.0)
    await store.rotation.ask_swap(record.id, CY, ANN, expires_at=100.0)

    data = PersonalData(store.db)
    before = {
        r.entry.table: r.removable for r in await data.member_rows(guild_id=1, member=ANN, now=0)
    }
    assert before["rotation_volunteers"] == 1
    assert before["rotation_swaps"] == 2
    await data.forget_member(guild_id=1, member=ANN, now=0.0)

    loaded = await store.rotation.load(group_id, RULES[:1])
    assert volunteers(loaded, "chair") == {BEA, CY}
    up = loaded.role("chair").upcoming
    assert up is not None
    assert up.who is None
    assert up.passed == frozenset({BEA})
    assert await rows(store, "rotation_swaps") == 0
    dump = await everything(store.db)
    assert ANN not in dump


async def test_the_swap_sweep_and_leaving_the_server(store: Store, group_id: int) -> None:
    rotation = core.join(core.Rotation.of(RULES[:1]), "chair", ANN)
    rotation, _ = core.announce_next(rotation, 1, FACTS)
    await store.rotation.save(group_id, rotation)
    record = await store.rotation.role(group_id, "chair")
    await store.rotation.ask_swap(record.id, ANN, BEA, expires_at=100.0)
    data = PersonalData(store.db)
    swept = await data.sweep_expired(now=150.0)
    assert [(c.entry.table, c.rows) for c in swept] == [("rotation_swaps", 1)]

    await data.forget_guild(1)
    for table in (
        "rotation_roles",
        "rotation_volunteers",
        "rotation_turns",
        "rotation_passes",
        "rotation_swaps",
    ):
        assert await rows(store, table) == 0, table


def test_weekday_bits_round_trip() -> None:
    for days in (frozenset(), frozenset({0}), frozenset({6}), frozenset(range(7))):
        assert weekdays_of(weekday_bits(days)) == days


async def test_each_built_in_format_loads_with_its_rotating_roles(
    store: Store, group_id: int
) -> None:
    expected = {
        "open-discussion": [core.RoleRules("chair", core.Eligibility(not_twice_in_a_row=True))],
        "check-in-check-out": [
            core.RoleRules("chair", term=core.ForMeetings(4), wait_for_everyone=True)
        ],
        "meditation-and-sharing": [
            core.RoleRules("chair"),
            core.RoleRules("meditation-guide", core.Eligibility(min_days_in_server=30)),
        ],
        "business-meeting": [
            core.RoleRules(
                "chair", core.Eligibility(90), core.ForMeetings(3), wait_for_everyone=True
            ),
            core.RoleRules("secretary", core.Eligibility(90), core.ForMeetings(6)),
            core.RoleRules("treasurer", core.Eligibility(180), core.ForMeetings(6)),
        ],
    }
    for format_id in builtin_formats():
        rules = role_rules(load_builtin_format(format_id))
        assert all(rule.eligibility.not_first_meeting for rule in rules)  # never a newcomer
        if format_id in expected:
            assert rules == expected[format_id], format_id
        rotation = await store.rotation.load(group_id, rules)
        assert [rr.rules for rr in rotation.roles] == rules
