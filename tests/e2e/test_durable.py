"""What follows a meeting survives a kill -9 right after it (issue 12, items 4 and 6).

Each test holds the bot, with a real kill -9, in the moment just after a meeting's end was
committed: Discord answers the bot's next channel post with a rate limit (429, as Discord does),
so the bot waits before showing "This meeting has ended", and is killed while it waits. Nothing
that follows the meeting has run yet; after the restart it all happens, exactly once: the
exclusion that starts with the meeting's close, its lift after the one meeting sat out, the
rotation's record of who served and its one announcement of who is next. A start killed before
its panel was posted gets its panel when the meeting resumes.

Every meeting has three members pressing the panel and runs more than 15 clock minutes, so it
counts whatever the rule for counting asks of a meeting.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import (
    buttons,
    meeting_rows,
    panel,
    press,
    slash,
    start_meeting,
    wait_message,
)
from tests.e2e.test_decisions import (
    VIEW_CHANNEL,
    Circle,
    answer,
    concern,
    dms_containing,
    gather_circle,
    overwrite_requests,
    propose,
    wait_dm,
)
from tests.e2e.test_rotation import next_announcement, reply, role_named, rotation_group
from tests.fakediscord import FakeDiscord, SimulatedMember

ANNOUNCED = "Next time, from the rotation"


def query(database: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def pending_consequences(database: Path) -> list[str]:
    return [row[0] for row in query(database, "SELECT event FROM event_outbox ORDER BY id")]


async def three_take_part(fake: FakeDiscord, room: int, members: list[SimulatedMember]) -> None:
    board = panel(fake, room)
    for member in members:
        await press(member, board, "hand")


async def until(condition: Any, limit: float = 10.0) -> None:
    """Wait for a fact in the database another process writes (polling is the honest way)."""
    async with asyncio.timeout(limit):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def end_and_kill(runner: BotRunner, chair: SimulatedMember, room: int) -> None:
    """End the meeting, and kill -9 the bot the moment its end is committed (its next post to
    the channel is held back by a rate limit, so nothing after the commit has run)."""
    fake = runner.fake
    fake.fail_next("POST", rf"/channels/{room}/messages$", status=429, retry_after=8)
    await chair.slash(room, "meeting end")
    await until(lambda: not meeting_rows(runner.database))
    await runner.kill()
    fake.rest.faults.clear()


async def test_the_rotation_records_and_announces_once_after_a_kill_right_after_counting(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild, room, people = await rotation_group(fake, bot_runner)
    for person in people:
        assert "You're in the chair rotation" in await reply(person, room, "rotation join")
    serving = role_named(fake, guild.id, "Chair today")
    first = people[0]

    await start_meeting(fake, first, room)
    await three_take_part(fake, room, people[:3])
    await fake.wait_until(lambda: serving in first.roles, 5, what="the temporary chair role")
    await asyncio.sleep(2)  # 15 clock minutes and more at 600x
    mark = len(fake.channel_messages(room))
    await end_and_kill(bot_runner, first, room)
    assert not any(ANNOUNCED in m["content"] for m in fake.channel_messages(room)[mark:])
    waiting = pending_consequences(bot_runner.database)
    # One row per durable handler (bot/wiring.py): decisions and the schedule on the close,
    # decisions and the rotation on the count.
    assert sorted(waiting) == ["MeetingClosed", "MeetingClosed", "MeetingCounted", "MeetingCounted"]

    await bot_runner.start()
    _, asked = await next_announcement(fake, room, mark)
    assert asked != first.id  # who served was recorded: not asked twice in a row
    await fake.wait_until(lambda: serving not in first.roles, 10, what="the role given back")
    await asyncio.sleep(1.0)
    announcements = [m for m in fake.channel_messages(room)[mark:] if ANNOUNCED in m["content"]]
    assert len(announcements) == 1
    assert pending_consequences(bot_runner.database) == []
    served = query(bot_runner.database, "SELECT last_served FROM rotation_volunteers")
    assert sorted(row[0] or 0 for row in served) == [0, 0, 0, 0, 1]  # the chair, at meeting 1


async def test_a_start_killed_before_its_panel_gets_the_panel_on_resume(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    _, room, people = await rotation_group(fake, bot_runner)
    fake.fail_next("POST", rf"/channels/{room}/messages$", status=429, retry_after=8)
    await people[0].slash(room, "meeting start")
    await until(lambda: bool(meeting_rows(bot_runner.database)))
    await bot_runner.kill()
    fake.rest.faults.clear()
    assert not any(buttons(m) for m in fake.channel_messages(room))

    await bot_runner.start()
    await wait_message(fake, room, "", with_buttons=True, limit=15)
    await asyncio.sleep(1.0)
    panels = [
        m
        for m in fake.channel_messages(room)
        if any(b.get("custom_id", "").endswith(":hand") for b in buttons(m))
    ]
    assert len(panels) == 1
    assert query(bot_runner.database, "SELECT panel_message_id FROM meetings") == [
        (int(panels[0]["id"]),)
    ]


async def test_a_start_killed_after_its_panel_was_posted_gets_no_second_panel(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    """Discord created the panel but the bot died before it heard back (so before it saved
    the panel's id): on resume the panel is posted again with the same nonce, and Discord
    gives back the first one."""
    _, room, people = await rotation_group(fake, bot_runner)
    fake.answer_slowly("POST", rf"/channels/{room}/messages$", seconds=4, components=":hand")
    await people[0].slash(room, "meeting start")
    await until(lambda: any(buttons(m) for m in fake.channel_messages(room)))
    await bot_runner.kill()
    fake.rest.slow.clear()
    assert query(bot_runner.database, "SELECT panel_message_id FROM meetings") == [(None,)]

    await bot_runner.start()
    await until(
        lambda: query(bot_runner.database, "SELECT panel_message_id FROM meetings") != [(None,)],
        limit=15,
    )
    panels = [
        m
        for m in fake.channel_messages(room)
        if any(b.get("custom_id", "").endswith(":hand") for b in buttons(m))
    ]
    assert len(panels) == 1
    assert query(bot_runner.database, "SELECT panel_message_id FROM meetings") == [
        (int(panels[0]["id"]),)
    ]


async def hold_meeting(
    circle: Circle, chair: SimulatedMember, others: list[SimulatedMember]
) -> None:
    """A meeting that counts: three members take part and it runs over 15 clock minutes."""
    assert "Thank you for chairing" in await start_meeting(circle.fake, chair, circle.room)
    await three_take_part(circle.fake, circle.room, [chair, *others[:2]])


def vote_closes_at(database: Path, rate: float) -> float:
    """The real time (time.time()) at which the open vote closes."""
    ((due,),) = query(
        database, "SELECT due_at FROM deadlines WHERE kind = 'decisions.ballot_closes'"
    )
    base = dict(query(database, "SELECT key, value FROM meta WHERE key LIKE 'clock_%'"))
    clock, real = float(base["clock_base"]), float(base["clock_base_real"])
    return real + (float(due) - clock) / rate  # the clock reads ``clock`` at real time ``real``


async def test_a_decision_during_a_meeting_applies_at_its_close_and_lifts_once_across_kills(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    rate = 6000.0  # the hearing (12 h) takes 7 s, the vote (24 h) 14 s; 15 minutes 0.15 s
    circle = await gather_circle(fake, bot_runner, rate=str(int(rate)))
    room, target, runner = circle.room, circle.target, circle.runner
    ana, bo, cy, di, ed, flo = circle.voters

    # Two kind notes, at two meetings that count.
    await hold_meeting(circle, ana, [bo, cy])
    assert "kind, private note" in await concern(circle, ana, "crosstalk")
    await asyncio.sleep(0.3)
    assert "closed" in await slash(ana, room, "meeting end")
    await hold_meeting(circle, bo, [cy, di])
    assert "kind, private note" in await concern(circle, bo, "sharing-time")
    await asyncio.sleep(0.3)
    assert "closed" in await slash(bo, room, "meeting end")

    # A proposal, a second, and a ballot everyone else votes yes on.
    before = len(fake.channel_messages(room))
    assert "without your name" in await propose(circle, cy)
    proposal = await wait_message(fake, room, "A proposal for the group", after=before)
    (second,) = buttons(proposal)
    await di.click(int(proposal["id"]), second["custom_id"])
    ballot = await wait_message(fake, room, "Secret ballot", after=before, limit=25)
    vote = {b["label"]: b["custom_id"] for b in buttons(ballot)}
    for member in (ana, bo, cy, di):
        assert "vote is in" in await answer(await member.click(int(ballot["id"]), vote["Yes"]))

    # A meeting starts just before the vote closes (half a second: 50 clock minutes).
    await asyncio.sleep(max(0.0, vote_closes_at(runner.database, rate) - time.time() - 0.5))
    await hold_meeting(circle, ed, [flo, target])
    await wait_message(fake, room, "The vote has closed", after=before, limit=15)
    notice = await wait_dm(fake, target, "The group decided")
    assert "once today's meeting closes" in notice["content"]
    await asyncio.sleep(0.5)
    assert overwrite_requests(fake, "PUT", circle) == []  # they stay in this meeting
    assert target.permissions_in(room) & VIEW_CHANNEL

    # It closes, and the bot is killed the moment it has counted.
    await end_and_kill(runner, ed, room)
    assert overwrite_requests(fake, "PUT", circle) == []
    assert "MeetingClosed" in pending_consequences(runner.database)
    await runner.start()
    await fake.wait_until(lambda: bool(overwrite_requests(fake, "PUT", circle)), 15)
    assert not target.permissions_in(room) & VIEW_CHANNEL
    ((held,),) = query(runner.database, "SELECT meetings_held FROM groups")
    assert query(runner.database, "SELECT first_meeting, after_meeting FROM exclusions") == [
        (held + 1, None)  # the next meeting to start after the one it was decided in
    ]

    # The one meeting they sit out; killed again right after it counts.
    await hold_meeting(circle, flo, [ana, bo])
    await asyncio.sleep(0.3)
    await end_and_kill(runner, flo, room)
    assert overwrite_requests(fake, "DELETE", circle) == []
    await runner.start()
    await fake.wait_until(lambda: bool(overwrite_requests(fake, "DELETE", circle)), 15)
    await wait_dm(fake, target, "Welcome back")
    assert target.permissions_in(room) & VIEW_CHANNEL
    await asyncio.sleep(1.0)

    # Exactly once, all of it; and nothing left behind.
    assert len(overwrite_requests(fake, "PUT", circle)) == 1
    assert len(overwrite_requests(fake, "DELETE", circle)) == 1
    assert dms_containing(fake, target, "The group decided") == 1
    assert dms_containing(fake, target, "Welcome back") == 1
    assert query(runner.database, "SELECT count(*) FROM exclusions") == [(0,)]
    assert pending_consequences(runner.database) == []
