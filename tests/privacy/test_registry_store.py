"""The registry's SQL against the real schema: live counts, forget-me and leaving a server.

Every registered table holds rows for two members in two servers (``population.py``); after
forget-me or a server's removal the database is dumped and searched for what must be gone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.pseudonyms import Pseudonymizer
from bot.runtime.clock import Clock
from bot.runtime.events import EventBus, MemberForgotten
from bot.runtime.privacy import PrivacyService
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store.privacy import REGISTRY, Scope
from tests.privacy.population import MAKERS, MEMBERS, Place, populate
from tests.support.privacy import dump_database

NOW = 1_800_000_000.0
HOME, ELSEWHERE = 320_000_000_000_000_001, 320_000_000_000_000_002


class World:
    def __init__(
        self, store: Store, privacy: PrivacyService, home: Place, away: Place, bus: EventBus
    ) -> None:
        self.bus = bus
        self.store = store
        self.privacy = privacy
        self.home = home
        self.away = away

    async def rows_per_table(self, guild_id: int) -> dict[str, int]:
        counts = await self.privacy.data.counts(guild_id=guild_id)
        return {count.entry.table: count.rows for count in counts}


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    pseudonyms = Pseudonymizer(b"a test key that is long enough!!")
    clock = Clock(real_time=lambda: NOW)
    bus = EventBus()
    privacy = PrivacyService(store, pseudonyms, clock, Scheduler(store.deadlines, clock), bus)
    async with store.db.transaction() as tx:
        home = await populate(tx, pseudonyms, guild_id=HOME, channel_id=1001, now=NOW)
        away = await populate(tx, pseudonyms, guild_id=ELSEWHERE, channel_id=2001, now=NOW)
    yield World(store, privacy, home, away, bus)
    await store.close()


def test_every_registered_table_is_populated() -> None:
    missing = [entry.table for entry in REGISTRY if entry.table not in MAKERS]
    assert not missing, f"add rows for {missing} to tests/privacy/population.py"


async def test_counts_cover_every_table_and_follow_the_data(world: World) -> None:
    rows = await world.rows_per_table(HOME)
    assert all(rows[entry.table] > 0 for entry in REGISTRY), rows
    assert rows["concerns"] == 3
    assert rows["proposals"] == 3
    # A group's counts are its own, even with the same tables full elsewhere.
    group = await world.privacy.data.counts(guild_id=HOME, group_id=world.home.group_id)
    assert {c.entry.table: c.rows for c in group} == rows
    foreign = await world.privacy.data.counts(guild_id=HOME, group_id=world.away.group_id)
    assert all(count.rows == 0 for count in foreign)  # another server's group counts nothing

    # Change the data, ask again: the answer follows.
    await world.store.db.execute("DELETE FROM concerns WHERE meeting = 1")
    assert (await world.rows_per_table(HOME))["concerns"] == 2
    report = await world.privacy.what_i_keep(guild_id=HOME, channel_id=1001, user_id=1)
    assert report.group is not None
    assert report.group.id == world.home.group_id
    assert report.totals.groups == 1
    assert report.nothing_yours  # user 1 is nobody here


async def test_what_i_keep_counts_the_askers_own_rows(world: World) -> None:
    report = await world.privacy.what_i_keep(
        guild_id=HOME, channel_id=None, user_id=MEMBERS["alice"]
    )
    assert report.group is None
    yours = {rows.entry.table: rows.removable + rows.kept for rows in report.yours}
    assert yours == {
        "meetings": 1,  # in the live state's queue
        "concerns": 2,  # one asked for, one received
        "proposals": 3,  # proposed two, the subject of one
        "voters": 1,
        "decision_outbox": 1,
        "rotation_volunteers": 1,
        "rotation_turns": 1,  # asked to serve next
        "rotation_swaps": 1,
        "channel_denials": 1,  # not let back in yet
        "floor_restore": 1,  # muted by the bot in a voice meeting under floor control
        "room_restore": 1,  # allowed to post while sharing, in a channel to put back
    }


async def test_forget_me_deletes_the_members_rows_and_keeps_what_is_in_force(
    world: World,
) -> None:
    alice_here, alice_away = world.home.who["alice"], world.away.who["alice"]
    preview = await world.privacy.forget_preview(guild_id=HOME, user_id=MEMBERS["alice"])
    before = dump_database(world.store.db.path)
    assert before.count(alice_here) >= 8

    outcome = await world.privacy.forget_member(guild_id=HOME, user_id=MEMBERS["alice"])

    removed = {rows.entry.table: rows.removable for rows in outcome.removed}
    kept = {rows.entry.table: rows.kept for rows in outcome.kept}
    assert removed == {
        "concerns": 2,
        "proposals": 2,
        "rotation_volunteers": 1,
        "rotation_turns": 1,
        "rotation_swaps": 1,
    }
    # Kept: her proposal waiting for a second keeps her key (so she can't second it herself),
    # the channel she hasn't been let back into yet, a voice state to give back, and her own
    # overwrite in a meeting channel to put back.
    assert kept == {
        "meetings": 1,
        "proposals": 1,
        "voters": 1,
        "decision_outbox": 1,
        "channel_denials": 1,
        "floor_restore": 1,
        "room_restore": 1,
    }
    assert {r.entry.table: r.removable for r in preview.removed} == removed  # as announced
    assert all(rows.entry.forget.because for rows in outcome.kept)  # each says why

    after = dump_database(world.store.db.path)
    lines = [line for line in after.splitlines() if alice_here in line]
    assert sorted(line.split(":")[0] for line in lines) == [
        "channel_denials",
        "decision_outbox",
        "floor_restore",
        "meetings",
        "proposals",
        "room_restore",
        "voters",
    ]
    # The open vote about cyd goes on without its proposer; the decided one about alice is gone;
    # her change waiting for a second keeps her key until it is seconded or lapses.
    proposals = await world.store.db.fetchall("SELECT id, proposer FROM proposals ORDER BY id")
    home = {row["id"]: row["proposer"] for row in proposals if row["id"].endswith("-1")}
    assert home == {"change-1": alice_here, "open-1": None}
    # The announced turn stays, open to anyone: the group still needs a chair.
    turns = await world.store.db.fetchall("SELECT rotation_id, who FROM rotation_turns")
    assert [(row["rotation_id"], row["who"]) for row in turns if row["rotation_id"] == 10] == [
        (10, None)
    ]
    # Rows that don't involve alice are untouched, and so is alice in another server.
    untouched = [line for line in before.splitlines() if alice_here not in line]
    assert all(line in after for line in untouched if not line.startswith("proposals"))
    assert after.count(world.home.who["dot"]) == before.count(world.home.who["dot"])
    assert after.count(alice_away) == before.count(alice_away)

    # Asking again: only what is in force remains, and a second forget-me changes nothing.
    again = await world.privacy.forget_member(guild_id=HOME, user_id=MEMBERS["alice"])
    assert again.removed_total == 0
    assert {rows.entry.table for rows in again.kept} == set(kept)


async def test_forget_me_tells_the_features_that_keep_things_in_memory(world: World) -> None:
    told: list[tuple[int, str]] = []

    async def drop(event: MemberForgotten) -> None:
        told.append((event.guild_id, event.who))

    async def broken(event: MemberForgotten) -> None:
        raise RuntimeError("one feature failing never stops forget-me")

    world.bus.subscribe(MemberForgotten, broken)
    world.bus.subscribe(MemberForgotten, drop)
    await world.privacy.forget_member(guild_id=HOME, user_id=MEMBERS["bea"])
    assert told == [(HOME, world.home.who["bea"])]


@pytest.mark.parametrize("how", ["registry", "cascade"])
async def test_leaving_a_server_deletes_every_row_of_its_groups(world: World, how: str) -> None:
    before_away = await world.rows_per_table(ELSEWHERE)
    if how == "registry":
        assert await world.privacy.forget_guild(HOME) == 1
    else:  # what GroupService.forget_guild does on on_guild_remove: the cascades do the rest
        await world.store.groups.delete_guild(HOME)
    dump = dump_database(world.store.db.path)
    for name in world.home.who.values():
        assert name not in dump
    assert all(rows == 0 for rows in (await world.rows_per_table(HOME)).values())
    assert await world.rows_per_table(ELSEWHERE) == before_away
    # Not one row of any table is left over from the group (not even unscoped leftovers).
    for entry in REGISTRY:
        orphans = await world.store.db.fetchval(
            f"SELECT count(*) FROM {entry.table} WHERE NOT "
            f"({entry.scope.condition(entry.table, 'groups.id IS NOT NULL')})"
        )
        assert orphans == 0, entry.table


async def test_start_up_purge_spares_servers_still_there_or_unavailable(world: World) -> None:
    # HOME is in bot.guilds (perhaps unavailable: it is still listed); ELSEWHERE is gone.
    assert await world.privacy.reconcile(connected=[HOME]) == 1
    assert await world.privacy.data.guild_ids() == [HOME]
    assert await world.privacy.reconcile(connected=[HOME]) == 0  # idempotent
    # Another shard's server is never purged by this process.
    assert await world.privacy.reconcile(connected=[], owns=lambda guild_id: False) == 0
    assert await world.privacy.data.guild_ids() == [HOME]


def test_scopes_are_generated_as_qualified_subqueries() -> None:
    voters = REGISTRY.get("voters")
    assert voters is not None
    assert isinstance(voters.scope, Scope)
    sql = voters.scope.condition("voters", "groups.guild_id = :guild")
    assert sql == (
        "voters.proposal_id IN (SELECT proposals.id FROM proposals WHERE "
        "proposals.group_id IN (SELECT groups.id FROM groups WHERE groups.guild_id = :guild))"
    )
