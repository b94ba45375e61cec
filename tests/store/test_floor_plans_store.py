"""The voice floor's restore plans in their own registered table (migration 0008), and what that
migration does to data an earlier version left: plans in deadline payloads move to the table (the
deadline keeps only the channel), and concerns get their 90-day end."""

from __future__ import annotations

import json
import time
from pathlib import Path

from bot.core.pseudonyms import Pseudonym
from bot.store import Store
from bot.store.db import Database, bundled_migrations

ANA, BO = Pseudonym("a" * 64), Pseudonym("b" * 64)


async def test_a_plan_and_its_deadline_are_saved_and_deleted_together(
    where: Path | Database,
) -> None:
    store = Store(where)
    await store.open()
    group = await store.groups.create(
        guild_id=1, channel_id=2, format_id="open-discussion", member_role_id=None, now=0.0
    )
    assert group is not None
    members = {ANA: False, BO: True}
    await store.floor_plans.save(
        channel_id=2,
        group_id=group.id,
        stage=False,
        members=members,
        expires_at=500.0,
        deadline=("floor.restore", "2", {"channel": 2}),
    )
    (plan,) = await store.floor_plans.all()
    assert (plan.channel_id, plan.group_id, plan.guild_id, plan.stage) == (2, group.id, 1, False)
    assert plan.members == members
    assert plan.expires_at == 500.0
    (deadline,) = await store.deadlines.all()
    assert (deadline.kind, deadline.key, deadline.due_at) == ("floor.restore", "2", 500.0)
    assert deadline.payload == {"channel": 2}  # no coded key in a deadline
    await store.floor_plans.delete(2, deadline=("floor.restore", "2"))
    assert await store.floor_plans.all() == []
    assert await store.deadlines.all() == []
    await store.close()


async def test_the_migration_moves_old_plans_out_of_the_deadlines(tmp_path: Path) -> None:
    db = Database(tmp_path / "db.sqlite3")
    await db.open()
    await db.migrate([m for m in bundled_migrations() if m.version < 8])
    async with db.transaction() as tx:
        group_id = await tx.insert(
            "INSERT INTO groups (guild_id, channel_id, format_id, created_at) "
            "VALUES (1, 77, 'open-discussion', 0)"
        )
        plan = json.dumps({"version": 1, "room": "voice", "restore": [[ANA, False], [BO, True]]})
        for key, payload in (
            ("77", {"channel": 77, "guild": 1, "plan": plan}),
            ("78", {"channel": 78, "guild": 1, "plan": plan}),  # no group there any more
        ):
            await tx.execute(
                "INSERT INTO deadlines (kind, key, due_at, payload) VALUES (?, ?, 900, ?)",
                ("floor.restore", key, json.dumps(payload)),
            )
        await tx.execute(
            "INSERT INTO concerns (group_id, target, requester, meeting, guideline) "
            "VALUES (?, ?, ?, 1, 'crosstalk')",
            (group_id, ANA, BO),
        )
    await db.migrate()
    rows = await db.fetchall(
        "SELECT group_id, channel_id, stage, member, silenced_before, expires_at "
        "FROM floor_restore ORDER BY member"
    )
    assert [tuple(row) for row in rows] == [
        (group_id, 77, 0, ANA, 0, 900.0),
        (group_id, 77, 0, BO, 1, 900.0),
    ]
    deadlines = await db.fetchall("SELECT key, payload FROM deadlines")
    assert [(row["key"], json.loads(row["payload"])) for row in deadlines] == [
        ("77", {"channel": 77})
    ]
    ends = await db.fetchval("SELECT expires_at FROM concerns")
    assert abs(ends - (time.time() + 90 * 86400)) < 120
    await db.close()
