"""Promises the group decisions keep (issue 12), end to end through the fake Discord with its
real errors: 50007 for a member who doesn't accept private messages, 50013 for a permission
edit the bot's role no longer allows.

* Only members of the group raise concerns, propose, second and vote; a proposer who asked to be
  forgotten still can't second their own proposal.
* A member whose private messages are closed is asked in the channel (pinging only them) to open
  the notice with a button; the proposal never says "told privately"; the vote waits until they
  have read it. The "you sit out" message that can't be delivered is replaced by the truth.
* A lift Discord refuses (403) is reported plainly and tried again until it is done; the
  welcome back that can't go privately (50007) is said to them in the channel, pinging only them.
* A denial the bot made and nothing accounts for any more is removed when the bot starts, and
  an overwrite the bot did not make is left alone.

Clock: CLOCK_RATE 10000, so the 12-hour hearing is 4.3 real seconds and the vote 8.6.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

from bot.core.pseudonyms import Pseudonymizer
from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import buttons, wait_message
from tests.e2e.test_decisions import (
    LONG_AGO,
    RATE,
    VIEW_CHANNEL,
    Circle,
    answer,
    click,
    concern,
    gather_circle,
    hold_meeting,
    overwrite_requests,
    propose,
    table_rows,
)
from tests.fakediscord import FakeDiscord, SimulatedMember
from tests.fakediscord.permissions import DEFAULT_BOT_PERMISSIONS, PERMISSION_BITS

JSON = dict[str, Any]
HEARING_SECONDS = 12 * 3600 / int(RATE)


def rows(database: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def said_in(fake: FakeDiscord, room: int, text: str) -> list[JSON]:
    return [m for m in fake.channel_messages(room) if text in m.get("content", "")]


# --- one membership rule; no self-second --------------------------------------------------------


async def test_only_members_take_part_and_nobody_seconds_their_own_proposal(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Rowan Lodge Circle", owner_username="lanternmoor")
    room = fake.add_channel(guild.id, "rowan-lodge")
    circle_role = fake.add_role(guild.id, "Rowan Circle")
    larch, wren, pebble = (
        fake.add_member(
            guild.id, name, global_name=f"{name.title()} Oakley", roles=[circle_role.id]
        )
        for name in ("larchwood", "wrenmere", "pebblestone")
    )
    # In the server and able to read the channel, but not in the group (no member role).
    passerby = fake.add_member(guild.id, "driftwayne", global_name="Drift Wayne")
    for member in (larch, wren, pebble, passerby):
        member.member.joined_at = LONG_AGO
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    bot_runner.settings["CLOCK_RATE"] = RATE
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    setup = await guild.owner.slash(
        room.id, "group setup", {"format": "open-discussion", "member_role": circle_role.id}
    )
    await setup.wait_response()
    await wait_message(fake, room.id, "home to a peer group")

    async def ask(member: SimulatedMember, command: str, options: dict[str, Any]) -> str:
        return await answer(await member.slash(room.id, command, options))

    # Someone outside the group: a kind, specific answer, and nothing changes.
    assert "Notes are for the members of this group" in await ask(
        passerby, "concern", {"member": wren, "guideline": "crosstalk"}
    )
    not_member = "Only members of this group can put something to it"
    assert not_member in await ask(passerby, "propose exclusion", {"member": wren, "meetings": 1})
    assert not_member in await ask(
        passerby, "propose change", {"what": "voting-hours", "value": "6"}
    )
    assert not_member in await ask(passerby, "propose welcome-back", {"member": wren})
    assert fake.dms(wren.id) == []  # no note went out
    counts = table_rows(bot_runner.database)
    assert counts["concerns"] == counts["proposals"] == 0

    # A member proposes, then asks to be forgotten: the key that stops a self-second stays.
    before = len(fake.channel_messages(room.id))
    assert "without your name" in await ask(
        larch, "propose change", {"what": "voting-hours", "value": "6"}
    )
    proposal = await wait_message(fake, room.id, "A proposal for the group", after=before)
    forget = await larch.slash(room.id, "privacy forget-me")
    await forget.wait_response()
    preview = await forget.wait_original()
    assert "can't second it yourself" in preview["content"]  # said before anything is erased
    confirm = buttons(preview)[0]["custom_id"]
    done = await (await larch.click(int(preview["id"]), confirm)).wait_response()
    assert done.data is not None
    (second_button,) = buttons(proposal)
    second = second_button["custom_id"]
    assert "another member" in await click(larch, proposal, second)
    assert "Only members of this group can second" in await click(passerby, proposal, second)
    assert rows(bot_runner.database, "SELECT state FROM proposals") == [("awaiting_second",)]
    assert "you seconded it" in await click(wren, proposal, second)
    assert rows(bot_runner.database, "SELECT proposer FROM proposals") == [(None,)]

    ballot = await wait_message(fake, room.id, "Secret ballot", after=before, with_buttons=True)
    vote = {b["label"]: b["custom_id"] for b in buttons(ballot)}
    assert "for the members of this group" in await click(passerby, ballot, vote["Yes"])
    assert "your vote is in" in (await click(pebble, ballot, vote["Yes"])).lower()
    assert rows(bot_runner.database, "SELECT count(*) FROM ballots") == [(1,)]


# --- closed private messages; a refused lift ----------------------------------------------------


async def read_my_note(circle: Circle, after: int) -> JSON:
    """The message left in the channel for the member, with its button."""
    fake, target = circle.fake, circle.target
    ping = await wait_message(fake, circle.room, "there's a private note for you", after=after)
    assert ping["content"].startswith(target.mention)
    assert [int(m["id"]) for m in ping["mentions"]] == [target.id]  # pings only them
    return ping


async def test_a_member_with_closed_messages_reads_the_notice_first_and_a_refused_lift_is_retried(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    circle = await gather_circle(fake, bot_runner)
    room, target = circle.room, circle.target
    ana, bo, cy, di, ed, _ = circle.voters

    async def first_note() -> None:
        assert "kind, private note" in await concern(circle, ana, "crosstalk")

    async def second_note() -> None:
        assert "kind, private note" in await concern(circle, bo, "sharing-time")

    await hold_meeting(circle, ana, during=first_note)
    await hold_meeting(circle, bo, during=second_note)
    assert len(fake.dms(target.id)) == 2

    # They turn off private messages from server members: Discord now answers 50007.
    target.user.accepts_dms = False
    before = len(fake.channel_messages(room))
    assert "without your name" in await propose(circle, cy)
    proposal = await wait_message(fake, room, "A proposal for the group", after=before)
    (second_button,) = buttons(proposal)
    assert "voting opens once they could read it" in await click(
        di, proposal, second_button["custom_id"]
    )
    ping = await read_my_note(circle, before)
    refused = [
        r for r in fake.requests_matching("POST", r"/channels/\d+/messages") if r.status == 403
    ]
    assert refused
    assert refused[-1].response["code"] == 50007

    # The proposal says what really happened.
    await fake.wait_until(
        lambda: "asked them here" in (fake.message(int(proposal["id"])) or {})["content"], 5
    )
    seconded = fake.message(int(proposal["id"]))
    assert seconded is not None
    assert "told privately" not in seconded["content"]

    # The hearing as planned passes: no ballot while they haven't read it.
    await asyncio.sleep(HEARING_SECONDS + 1.5)
    assert not said_in(fake, room, "Secret ballot")

    (read_button,) = buttons(ping)
    assert "only they can open it" in await click(ana, ping, read_button["custom_id"])
    opened = await target.click(int(ping["id"]), read_button["custom_id"])
    read_at = time.monotonic()
    (note,) = await opened.wait_followups()
    assert "private note from the group that meets in #willow-room" in note["content"]
    assert note["flags"] & 64  # ephemeral: only they see it
    (hearing,) = buttons(note)
    shown = await target.click(int(note["id"]), hearing["custom_id"])
    await shown.wait_response()
    proposal_id = read_button["custom_id"].split(":")[2]
    given = await target.submit_modal(
        f"pc:statement:{proposal_id}", {"statement": "I'll listen more. Thank you for telling me."}
    )
    assert "read your words" in await answer(given)

    # A whole hearing from the moment they read it, then the vote.
    ballot = await wait_message(fake, room, "Secret ballot", after=before, limit=20)
    assert time.monotonic() - read_at > HEARING_SECONDS * 0.8
    assert "I'll listen more" in ballot["content"]
    vote = {b["label"]: b["custom_id"] for b in buttons(ballot)}
    for member in (ana, bo, cy, di):
        assert "your vote is in" in (await click(member, ballot, vote["Yes"])).lower()
    await wait_message(fake, room, "The vote has closed", after=before, limit=25)
    await fake.wait_until(lambda: bool(overwrite_requests(fake, "PUT", circle)), 10)
    assert not target.permissions_in(room) & VIEW_CHANNEL
    # "You sit out" couldn't go privately: the group is told the truth instead.
    untold = await wait_message(fake, room, "couldn't tell the member privately", after=before)
    assert "they don't accept private messages" in untold["content"]
    assert all("The group decided" not in m.get("content", "") for m in fake.dms(target.id))

    # The bot loses Manage Permissions; the meeting they sit out is held; the lift is refused.
    no_roles = DEFAULT_BOT_PERMISSIONS & ~PERMISSION_BITS["manage_roles"]
    fake.set_role_permissions(circle.guild.id, circle.guild.bot_role.id, no_roles)
    await asyncio.sleep(0.2)
    mark = len(fake.channel_messages(room))
    await hold_meeting(circle, ed)
    report = await wait_message(fake, room, "couldn't let them back", after=mark)
    assert "Manage Permissions" in report["content"]
    lift = rf"/channels/{room}/permissions/{target.id}"
    first = [r for r in fake.requests_matching("DELETE", lift) if r.status == 403]
    assert first
    assert first[0].response["code"] == 50013
    assert not target.permissions_in(room) & VIEW_CHANNEL
    counts = table_rows(bot_runner.database)
    assert counts["exclusions"] == 0  # the decision ended on time
    assert counts["decision_outbox"] >= 1  # the lift is kept, not dropped

    # Permission comes back: the next try lets them in, and the group hears it.
    fake.set_role_permissions(circle.guild.id, circle.guild.bot_role.id, DEFAULT_BOT_PERMISSIONS)
    await fake.wait_until(lambda: bool(overwrite_requests(fake, "DELETE", circle)), 30)
    assert target.permissions_in(room) & VIEW_CHANNEL
    await wait_message(fake, room, "I've now let the member back in", after=mark)
    # The welcome back can't go privately either: they learn it in the channel, pinged alone,
    # and nothing claims a private message was sent.
    welcome = await wait_message(fake, room, "welcome back. Your time away has ended", after=mark)
    assert welcome["content"].startswith(target.mention)
    assert [int(m["id"]) for m in welcome["mentions"]] == [target.id]
    assert "couldn't send you this privately" in welcome["content"]
    assert all("Welcome back" not in m.get("content", "") for m in fake.dms(target.id))
    await fake.wait_until(lambda: not any(table_rows(bot_runner.database).values()), 10)
    assert rows(bot_runner.database, "SELECT count(*) FROM channel_denials") == [(0,)]
    assert len(said_in(fake, room, "couldn't let them back")) == 1  # told once
    assert len(said_in(fake, room, "Your time away has ended")) == 1


# --- the reconciliation on start ----------------------------------------------------------------


async def test_a_stray_denial_is_removed_on_start_and_others_overwrites_are_left_alone(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Hazel Room Circle", owner_username="emberfold")
    room = fake.add_channel(guild.id, "hazel-room")
    shut_out = fake.add_member(guild.id, "mossbeck", global_name="Moss Beck")
    other = fake.add_member(guild.id, "fernhallow", global_name="Fern Hallow")
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    bot_runner.settings["CLOCK_RATE"] = RATE
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    setup = await guild.owner.slash(room.id, "group setup", {"format": "open-discussion"})
    await setup.wait_response()
    await wait_message(fake, room.id, "home to a peer group")

    # The bot dies while a member is shut out by its overwrite, and the exclusion that
    # accounted for it is lost (as a crash or an old release that dropped a refused lift
    # would leave it): only the bot's record of its own overwrite remains.
    await bot_runner.kill()
    fake.set_overwrite(
        room.id,
        shut_out.id,
        allow={"attach_files"},
        deny={"view_channel", "send_messages", "connect"},
    )
    fake.set_overwrite(room.id, other.id, deny={"view_channel"})  # a server admin's own
    key = bytes.fromhex((bot_runner.data_dir / "pseudonym.key").read_text().strip())
    conn = sqlite3.connect(bot_runner.database)
    try:
        (group_id,) = conn.execute("SELECT id FROM groups").fetchone()
        conn.execute(
            "INSERT INTO channel_denials (group_id, target) VALUES (?, ?)",
            (group_id, Pseudonymizer(key).of(guild.id, shut_out.id)),
        )
        conn.commit()
    finally:
        conn.close()
    assert not shut_out.permissions_in(room.id) & VIEW_CHANNEL

    await bot_runner.start()
    await fake.wait_until(lambda: bool(shut_out.permissions_in(room.id) & VIEW_CHANNEL), 10)
    (edited,) = [
        r
        for r in fake.requests_matching("PUT", rf"/channels/{room.id}/permissions/{shut_out.id}")
        if r.status < 300
    ]
    assert edited.audit_log_reason == "group decision"
    kept = fake.state.channels[room.id].overwrites[shut_out.id]
    assert kept.allow == PERMISSION_BITS["attach_files"]  # only the bot's bits went
    assert kept.deny == 0
    assert not other.permissions_in(room.id) & VIEW_CHANNEL  # not the bot's: untouched
    assert not fake.requests_matching("PUT", rf"/channels/{room.id}/permissions/{other.id}")
    assert not fake.requests_matching("DELETE", rf"/channels/{room.id}/permissions/{other.id}")
    await fake.wait_until(
        lambda: rows(bot_runner.database, "SELECT count(*) FROM channel_denials") == [(0,)], 5
    )
