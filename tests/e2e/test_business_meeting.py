"""The built-in business meeting, end to end, as a group would hold it (issue 14, item 2).

Six members. The business part invites motions; a member moves one in the form, seconds are
refused to the mover and given by another, the motion is discussed in the channel and the
chair calls the vote; a secret ballot, with a real kill -9 in the middle of it: after the
restart no ballot is lost, none is counted twice, and a member who voted can't vote again.
The motion carries with the counts only. A second motion is withdrawn by its mover. The
treasurer's report is said to be left for next time (nobody is treasurer). The secretary is
elected: two stand, the ballot is secret, the elected member and the term are announced. Nothing
of the business is left in the database at the end.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import buttons, panel, press, slash, wait_message
from tests.fakediscord import FakeDiscord, SimulatedMember

JSON = dict[str, Any]
LONG_AGO = "2024-01-06T10:00:00.000000+00:00"
NAMES = ("harborlight", "quillmere", "sablecrest", "tidewarden", "umberlark", "vesperfinch")
#: Slow enough that a ballot (two clock minutes) outlives a kill -9 and a restart.
CLOCK_RATE = 8
BUSINESS_TABLES = ("business_matters", "business_candidates", "business_roll", "business_ballots")


def rows(database: Path, table: str) -> int:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


async def bz(member: SimulatedMember, message: JSON, action: str) -> str:
    """Press the business button ``action`` on ``message``; the private answer."""
    (button,) = [b for b in buttons(message) if b["custom_id"].endswith(f":{action}")]
    pressed = await member.click(int(message["id"]), button["custom_id"])
    return str((await pressed.wait_followups())[0]["content"])


async def move(fake: FakeDiscord, room: int, member: SimulatedMember, words: str) -> JSON:
    """Make a motion through the form; the motion as posted in the channel."""
    mark = len(fake.channel_messages(room))
    invite = await wait_message(fake, room, "Any member may press **Make a motion**")
    (button,) = buttons(invite)
    opened = await member.click(int(invite["id"]), button["custom_id"])
    await opened.wait_response()
    assert opened.modal is not None
    meeting = button["custom_id"].split(":")[3]
    sent = await member.submit_modal(f"pc:bz:motion:{meeting}", {"motion": words})
    answer = (await sent.wait_followups())[0]["content"]
    assert answer.startswith("Thank you — your motion is posted"), answer
    return await wait_message(fake, room, "**A motion**", after=mark, with_buttons=True)


async def next_until(fake: FakeDiscord, room: int, chair: SimulatedMember, text: str) -> JSON:
    """The chair presses Next until ``text`` is said."""
    for _ in range(12):
        found = [m for m in fake.channel_messages(room) if text in m.get("content", "")]
        if found:
            return found[-1]
        await press(chair, panel(fake, room), "next")
        try:
            return await wait_message(fake, room, text, limit=1.0)
        except TimeoutError:
            continue
    raise AssertionError(f"never reached {text!r}")


async def test_the_business_meeting_end_to_end(fake: FakeDiscord, bot_runner: BotRunner) -> None:
    guild = fake.add_guild("Business Circle", owner_username="keelhaven")
    room = fake.add_channel(guild.id, "group-conscience").id
    people = [fake.add_member(guild.id, n, global_name=f"{n.title()} Member") for n in NAMES]
    for person in people:
        person.member.joined_at = LONG_AGO
    chair, mover, seconder, fourth, fifth, sixth = people
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    bot_runner.settings["CLOCK_RATE"] = str(CLOCK_RATE)
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    await (
        await guild.owner.slash(room, "group setup", {"format": "business-meeting"})
    ).wait_response()
    await wait_message(fake, room, "home to a peer group")
    await slash(chair, room, "meeting start")
    await next_until(fake, room, chair, "Any member may press **Make a motion**")

    # A motion: moved, seconded by another member (never the mover), discussed, voted.
    motion = await move(fake, room, mover, "I move that we meet\nevery week, not every month.")
    assert "“I move that we meet every week, not every month.”" in motion["content"]
    assert "harborlight" not in motion["content"].lower()  # the mover isn't named
    assert "can't second your own" in await bz(mover, motion, "second")
    assert "Thank you for seconding" in await bz(seconder, motion, "second")
    await wait_message(fake, room, "The motion is seconded")
    await seconder.say(room, "Weekly would help the newer members, I think.")
    assert "Only today's chair" in await bz(fourth, motion, "call")
    motion = fake.state.messages[int(motion["id"])].data  # its buttons, as they are now
    assert await bz(chair, motion, "call") == "The ballot is open."
    ballot = await wait_message(fake, room, "**Secret ballot: the motion above.**")
    for voter, choice in ((chair, "yes"), (mover, "yes"), (seconder, "no")):
        assert "your vote is counted" in await bz(voter, ballot, choice)
    assert rows(bot_runner.database, "business_ballots") == 3

    # kill -9 in the middle of the vote: no ballot lost, none counted twice.
    await bot_runner.kill()
    await bot_runner.start()
    assert rows(bot_runner.database, "business_ballots") == 3
    assert "can't be changed" in await bz(mover, ballot, "no")  # voted before the crash
    for voter, choice in ((fourth, "yes"), (fifth, "abstain")):
        assert "your vote is counted" in await bz(voter, ballot, choice)
    assert "can't be changed" in await bz(fifth, ballot, "yes")
    assert await bz(chair, ballot, "close") == "The ballot is closed and the result is posted."
    result = await wait_message(fake, room, "**The motion carried**")
    assert result["content"] == (
        "**The motion carried** (Yes 3, No 1, Abstain 1). It needed a majority of the yes and "
        "no votes."
    )
    for table in BUSINESS_TABLES:
        assert rows(bot_runner.database, table) == 0, table

    # A second motion, withdrawn by its mover before the vote.
    kettle = await move(fake, room, fourth, "We buy a kettle for the meeting room.")
    assert "Only the member who moved" in await bz(fifth, kettle, "withdraw")
    assert "withdrawn" in await bz(fourth, kettle, "withdraw")
    await wait_message(fake, room, "The member who moved the motion has withdrawn it.")

    # No treasurer today: the treasurer's report is said to be left for next time.
    await next_until(fake, room, chair, "No treasurer today, so we'll leave")

    # The secretary is elected.
    election = await next_until(fake, room, chair, "**Electing our secretary**")
    assert "Thank you for standing" in await bz(seconder, election, "stand")
    assert "Thank you for standing" in await bz(fourth, election, "stand")
    election = fake.state.messages[int(election["id"])].data
    assert "Standing so far: Sablecrest, Tidewarden." in election["content"]
    assert await bz(chair, election, "open") == "The ballot is open."
    vote = await wait_message(fake, room, "**Secret ballot: our secretary.**", with_buttons=True)
    assert [b["label"] for b in buttons(vote)][:2] == ["Sablecrest", "Tidewarden"]
    for voter, place in ((chair, "c1"), (mover, "c1"), (seconder, "c0"), (fifth, "c1")):
        assert "your vote is counted" in await bz(voter, vote, place)
    assert "your vote is counted" in await bz(sixth, vote, "abstain")
    await bz(chair, vote, "close")
    elected = await wait_message(fake, room, "is elected our secretary")
    assert elected["content"].startswith(
        "**Tidewarden is elected our secretary**, for 6 months (until "
    )
    assert elected["content"].endswith("Votes: Sablecrest 1, Tidewarden 3; Abstain 1.")
    for table in BUSINESS_TABLES:
        assert rows(bot_runner.database, table) == 0, table
    assert "Traceback" not in bot_runner.logs()
