"""Buttons verify their context: a press whose custom_id names another server's meeting, vote or
rotation, or another group's (in another channel), or an index that isn't there, is refused
kindly and changes nothing (a member with a modified client can send any custom_id). A button
sent privately works in that direct message, for the member it was sent to only; a channel's
button does nothing in a direct message."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import (
    buttons,
    meeting_rows,
    panel,
    start_meeting,
    wait_message,
)
from tests.fakediscord import FakeDiscord
from tests.fakediscord.interactions import SimulatedInteraction

LONG_AGO = "2024-01-06T10:00:00.000000+00:00"
ANOTHER_GROUP = "belongs to another group's channel"


def decided(database: Path) -> dict[str, Any]:
    """What a forged press could have changed: votes, proposals, the rotation."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("proposals", "voters", "ballots", "rotation_volunteers", "rotation_turns")
        }
    finally:
        conn.close()


def ids(database: Path, sql: str) -> list[Any]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return [row[0] for row in conn.execute(sql).fetchall()]
    finally:
        conn.close()


async def answer_of(pressed: SimulatedInteraction) -> str:
    """The private answer, whether it came at once or after an acknowledgement."""
    response = await pressed.wait_response()
    if response.data and response.data.get("content"):
        return str(response.data["content"])
    return str((await pressed.wait_followups())[0]["content"])


async def test_a_forged_button_is_refused_and_changes_nothing(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    home = fake.add_guild("Home Circle", owner_username="homekeeper")
    away = fake.add_guild("Away Circle", owner_username="awaykeeper")
    home_room = fake.add_channel(home.id, "home-room")
    away_room = fake.add_channel(away.id, "away-room")
    side_room = fake.add_channel(home.id, "side-room")
    resident = fake.add_member(home.id, "hearthsong", global_name="Hearth Song")
    neighbour = fake.add_member(home.id, "emberlane", global_name="Ember Lane")
    visitor = fake.add_member(away.id, "farwander", global_name="Far Wander")
    # The same person is in both servers: only the context tells their presses apart.
    resident_away = fake.add_member(away.id, "hearthsong", global_name="Hearth Song")
    for someone in (resident, neighbour, visitor, resident_away):
        someone.member.joined_at = LONG_AGO
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    for guild, room in ((home, home_room), (away, away_room), (home, side_room)):
        done = await guild.owner.slash(room.id, "group setup", {"format": "open-discussion"})
        await done.wait_response()
        await wait_message(fake, room.id, "home to a peer group")
    await start_meeting(fake, resident, home_room.id)
    await start_meeting(fake, visitor, away_room.id)
    home_panel, away_panel = panel(fake, home_room.id), panel(fake, away_room.id)
    home_meeting = home_panel["components"][0]["components"][0]["custom_id"].split(":")[2]
    before = dict(meeting_rows(bot_runner.database))

    # In the away server, on its own panel, a press naming the home server's meeting.
    forged = await visitor.press_forged(int(away_panel["id"]), f"pc:m:{home_meeting}:next")
    assert "belongs to a meeting in another channel" in await answer_of(forged)
    # An index that doesn't exist.
    away_meeting = away_panel["components"][0]["components"][0]["custom_id"].split(":")[2]
    forged = await visitor.press_forged(int(away_panel["id"]), f"pc:m:{away_meeting}:yes:9999")
    assert "no question waiting" in await answer_of(forged)

    assert dict(meeting_rows(bot_runner.database)) == before  # neither meeting moved

    # A vote and a rotation in the home group: a proposal, seconded, and its ballot.
    before_vote = len(fake.channel_messages(home_room.id))
    await (
        await resident.slash(home_room.id, "propose change", {"what": "voting-hours", "value": "6"})
    ).wait_followups()
    proposal = await wait_message(fake, home_room.id, "A proposal for the group", after=before_vote)
    (second,) = (b["custom_id"] for b in buttons(proposal))
    await (await neighbour.click(int(proposal["id"]), second)).wait_followups()
    ballot = await wait_message(
        fake, home_room.id, "Secret ballot", after=before_vote, with_buttons=True
    )
    proposal_id = second.split(":")[2]
    await (await resident.slash(home_room.id, "rotation join")).wait_followups()
    (home_group,) = ids(
        bot_runner.database, f"SELECT id FROM groups WHERE channel_id = {home_room.id}"
    )
    (away_group,) = ids(
        bot_runner.database, f"SELECT id FROM groups WHERE channel_id = {away_room.id}"
    )
    (rotation,) = ids(bot_runner.database, "SELECT id FROM rotation_roles")
    settled = decided(bot_runner.database)
    assert settled["rotation_volunteers"]  # the resident is in the home rotation
    side_welcome = await wait_message(fake, side_room.id, "home to a peer group")

    # The same member, in the away server (or the home server's other group's channel), pressing
    # buttons that name the home group's vote and rotation: refused, nothing changes.
    for presser, message, custom_id in (
        (resident_away, away_panel, f"pc:ballot:{proposal_id}:yes"),
        (resident_away, away_panel, f"pc:second:{proposal_id}"),
        (resident_away, away_panel, f"pc:notice:{proposal_id}"),
        (resident_away, away_panel, f"pc:hearing:{proposal_id}"),
        (resident_away, away_panel, f"pc:rot:{home_group}:yes:1"),
        (resident_away, away_panel, f"pc:rot:{home_group}:cant:1"),
        (resident_away, away_panel, f"pc:rot:{home_group}:leave:{rotation}"),
        (resident_away, away_panel, f"pc:rot:{home_group}:swapyes:1"),
        # The away group's own id, with the home group's rotation behind Leave.
        (resident_away, away_panel, f"pc:rot:{away_group}:leave:{rotation}"),
        (resident, side_welcome, f"pc:ballot:{proposal_id}:no"),
        (resident, side_welcome, f"pc:rot:{home_group}:leave:{rotation}"),
    ):
        forged = await presser.press_forged(int(message["id"]), custom_id)
        assert ANOTHER_GROUP in await answer_of(forged), custom_id

    # In a direct message: a channel's button does nothing there; a private button only for the
    # member it was sent to. (A note about the resident reaches them privately.)
    await (
        await neighbour.slash(
            home_room.id, "concern", {"member": resident.id, "guideline": "crosstalk"}
        )
    ).wait_followups()
    async with asyncio.timeout(10):
        while not fake.dms(resident.id):  # noqa: ASYNC110 - the note goes out after the reply
            await asyncio.sleep(0.05)
    note = fake.dms(resident.id)[-1]
    channel_only = "works in its group's channel on the server"
    for custom_id, said in (
        (f"pc:ballot:{proposal_id}:yes", channel_only),
        (f"pc:rot:{home_group}:leave:{rotation}", channel_only),
        (f"pc:hearing:{proposal_id}", "Only the member this proposal is about"),
        (f"pc:rot:{home_group}:swapyes:999", "expired or was already answered"),
    ):
        forged = await resident.press_forged(int(note["id"]), custom_id)
        assert said in await answer_of(forged), custom_id

    # Numbers that aren't there, in the right channel: a kind answer.
    for custom_id, said in (
        (f"pc:rot:{home_group}:yes:999999999", "This turn isn't yours"),
        (f"pc:rot:{home_group}:cant:999999999", "This turn isn't yours"),
        (f"pc:rot:{home_group}:join:999999999", "no longer exists"),
        ("pc:rot:999999999:yes:1", "isn't here any more"),
        ("pc:ballot:no-such-vote:yes", "already closed"),
    ):
        forged = await resident.press_forged(int(ballot["id"]), custom_id)
        assert said in await answer_of(forged), custom_id

    assert decided(bot_runner.database) == settled
    assert dict(meeting_rows(bot_runner.database)) == before
