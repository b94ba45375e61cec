"""The channel rules' restore plans on real SQLite: saved, read back, replaced, deleted, and gone
with their group."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.pseudonyms import Pseudonym
from bot.core.room_rules import SEND, Bits
from bot.store import Store
from bot.store.db import Database
from bot.store.room_rules import RoomPlanRecord

GUILD, CHANNEL, ROLE = 7001, 7002, 7003
ALICE = Pseudonym("a" * 64)


@pytest.fixture
async def store(where: Path | Database) -> AsyncIterator[Store]:
    store = Store(where)
    await store.open()
    yield store
    await store.close()


async def test_a_plan_is_read_back_as_saved_and_replaced_whole(store: Store) -> None:
    group = await store.groups.create(
        guild_id=GUILD, channel_id=CHANNEL, format_id="open-discussion", member_role_id=None, now=1
    )
    assert group is not None
    plan = RoomPlanRecord(
        CHANNEL,
        group.id,
        GUILD,
        expires_at=100.0,
        roles={GUILD: None, ROLE: Bits(SEND, 0)},
        members={ALICE: None},
        bot=None,
        bot_changed=True,
        slow_mode_before=0,
    )
    await store.room_plans.save(plan)
    [back] = await store.room_plans.all()
    assert back == plan
    # Replaced whole: the member is put back, the rest stays.
    smaller = RoomPlanRecord(CHANNEL, group.id, GUILD, 100.0, roles={GUILD: Bits(0, 1 << 15)})
    await store.room_plans.save(smaller)
    assert await store.room_plans.all() == [smaller]
    # An empty plan is no rows at all.
    await store.room_plans.save(RoomPlanRecord(CHANNEL, group.id, GUILD, 100.0))
    assert await store.room_plans.all() == []
    await store.room_plans.save(plan)
    await store.room_plans.delete(CHANNEL)
    assert await store.room_plans.all() == []


async def test_rows_go_with_their_group(store: Store) -> None:
    group = await store.groups.create(
        guild_id=GUILD, channel_id=CHANNEL, format_id="open-discussion", member_role_id=None, now=1
    )
    assert group is not None
    await store.room_plans.save(
        RoomPlanRecord(CHANNEL, group.id, GUILD, 100.0, members={ALICE: Bits(0, SEND)})
    )
    await store.db.execute("DELETE FROM groups WHERE id = ?", (group.id,))
    assert await store.room_plans.all() == []
