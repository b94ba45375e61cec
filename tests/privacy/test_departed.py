"""Members who left a server while the bot was away: every coded key the server's rows hold is
found (in plain columns and inside JSON), and those no longer in the server are forgotten as
leaving would, except what is in force; nobody in the other server is touched."""

from __future__ import annotations

from tests.privacy.population import MEMBERS
from tests.privacy.test_registry_store import HOME, World
from tests.privacy.test_registry_store import world as world  # the fixture


async def test_the_keys_kept_in_a_server_are_its_members_and_only_theirs(world: World) -> None:
    assert await world.privacy.data.members_kept(HOME) == set(world.home.who.values())
    assert not await world.privacy.data.members_kept(HOME) & set(world.away.who.values())


async def test_a_member_who_left_unseen_is_forgotten_except_what_is_in_force(world: World) -> None:
    still_here = [MEMBERS[name] for name in ("alice", "bea", "cyd")]
    dot = world.home.who["dot"]
    before = await world.privacy.data.member_rows(guild_id=HOME, member=dot, now=0)
    assert sum(rows.removable for rows in before) > 0

    assert await world.privacy.forget_departed(HOME, still_here) == 1
    after = await world.privacy.data.member_rows(guild_id=HOME, member=dot, now=0)
    assert sum(rows.removable for rows in after) == 0
    kept = {rows.entry.table for rows in after if rows.kept}
    assert "exclusions" in kept  # the group's decision that they sit out stays until it ends
    for name in ("alice", "bea", "cyd"):
        rows = await world.privacy.data.member_rows(
            guild_id=HOME, member=world.home.who[name], now=0
        )
        assert sum(r.removable for r in rows) > 0, name  # the members still here keep theirs
    away = await world.privacy.data.member_rows(
        guild_id=world.away.guild_id, member=world.away.who["dot"], now=0
    )
    assert sum(rows.removable for rows in away) > 0  # another server is another person
