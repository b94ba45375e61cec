"""One bot process over two shards (``SHARD_COUNT=2``) against four servers, two on each shard:
Discord's sharded gateway as documented (IDENTIFY ``shard``, GET /gateway/bot's
``session_start_limit``), a meeting in every server works, and a press in a direct message about
a server on shard 1 (Discord sends it to shard 0) is answered."""

from __future__ import annotations

import asyncio
import sqlite3

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import meeting_rows, panel, press, slash, start_meeting, wait_message
from tests.fakediscord import FakeDiscord


async def test_one_process_over_two_shards_holds_meetings_in_four_servers(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    fake.gateway.max_concurrency = 2  # both shards may IDENTIFY at once (no 5 s wait)
    fake.gateway.enforce_identify_window = True  # and no more than that
    circles = []
    for number, shard in enumerate((0, 1, 0, 1)):
        guild = fake.add_guild(f"Circle {number}", shard=(shard, 2))
        assert (guild.id >> 22) % 2 == shard
        room = fake.add_channel(guild.id, "circle-room")
        member = fake.add_member(guild.id, f"willow{number}", global_name=f"Willow {number}")
        circles.append((guild, room.id, member))
    bot_runner.settings["SHARD_COUNT"] = "2"
    bot_runner.settings["CLOCK_RATE"] = "60"
    assert (await bot_runner.command("sync"))[0] == 0  # global commands, every server
    await bot_runner.start()

    # Two gateway connections, one per shard, within Discord's IDENTIFY limits.
    shards = sorted(tuple(p["shard"]) for p in fake.gateway.identify_payloads)
    assert shards == [(0, 2), (1, 2)]
    assert fake.gateway.close_codes_sent == []
    assert "shard(s) 0-1 of 2" in bot_runner.logs()

    async def hold(guild_index: int) -> None:
        guild, room, member = circles[guild_index]
        setup = await guild.owner.slash(room, "group setup", {"format": "open-discussion"})
        await setup.wait_response()
        await wait_message(fake, room, "home to a peer group")
        assert "Thank you for chairing" in await start_meeting(fake, member, room)
        await press(member, panel(fake, room), "next")
        await wait_message(fake, room, "in quiet together")
        assert "closed" in await slash(member, room, "meeting end")

    await asyncio.gather(*(hold(index) for index in range(4)))
    assert meeting_rows(bot_runner.database) == []  # all four closed, none left running

    # A press in a direct message (Discord sends those to shard 0 only) about a group whose
    # server is on shard 1 is answered: here a swap request's answer that is no longer open.
    guild, room, member = circles[1]
    conn = sqlite3.connect(f"file:{bot_runner.database}?mode=ro", uri=True)
    try:
        (group_id,) = conn.execute("SELECT id FROM groups WHERE channel_id = ?", (room,)).fetchone()
    finally:
        conn.close()
    note = await member.dm_bot("hello")
    pressed = await member.press_forged(int(note["id"]), f"pc:rot:{group_id}:swapno:999")
    (answer,) = await pressed.wait_followups()
    assert "expired or was already answered" in answer["content"]
    assert "another process's shards" not in bot_runner.logs()
