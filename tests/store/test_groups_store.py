"""Groups read together: the start-up reads the groups of every meeting under way in one read
(``GroupRepository.with_meetings``), on both backends."""

from __future__ import annotations

from pathlib import Path

from bot.store import Store
from bot.store.db import Database
from bot.store.meetings import MeetingRepository


async def test_the_groups_of_meetings_under_way_come_in_one_read(where: Path | Database) -> None:
    store = Store(where)
    await store.open()
    try:
        groups = [
            await store.groups.create(
                guild_id=1,
                channel_id=10 + n,
                format_id="open-discussion",
                member_role_id=None,
                now=0.0,
            )
            for n in range(3)
        ]
        meeting, idle, also = groups
        assert meeting is not None
        assert idle is not None
        assert also is not None
        async with store.db.transaction() as tx:
            for group in (meeting, also):
                await MeetingRepository.create(
                    tx, group_id=group.id, format_ref="open-discussion", state="{}", now=1.0
                )
        found = await store.groups.with_meetings()
        assert found == {meeting.id: meeting, also.id: also}  # not the group with none
        assert found[also.id] == await store.groups.by_id(also.id)
    finally:
        await store.close()
