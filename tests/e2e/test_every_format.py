"""Every built-in format, run from start to end by six simulated members.

A small driver plays the room: it reads the meeting's stored state (section, floor) the way a
member reads the panel, and does what a member would — take a reading, answer the chair's
question, raise a hand, share and press Done, pass once — and otherwise the chair presses Next.
The group takes its time over the close: the meeting runs fifteen clock minutes (at a clock
rate of 120, under eight seconds), so it counts. Every sharing section gives the floor to at
least two members by its own order (a round joined, hands raised — two a section, those who
haven't had the floor first, so a part "for those who haven't shared" has some), counted from
the channel's words afterwards (tests/e2e/floor_count.py).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from bot.core.formats import builtin_formats, load_builtin_format
from bot.core.formats.plan import Order, SectionKind
from bot.core.pseudonyms import Pseudonymizer
from bot.i18n import t
from tests.e2e.conftest import BotRunner
from tests.e2e.floor_count import assert_two_each, sharing_sections
from tests.e2e.meeting_helpers import (
    buttons,
    meeting_rows,
    panel,
    press,
    start_meeting,
    wait_message,
)
from tests.fakediscord import FakeDiscord, SimulatedMember

#: The private answer to Done from someone whose turn it no longer is.
NOT_YOUR_TURN = "That's for the person sharing right now."
#: What the bot says when a share's time ends it (at-limit ``next`` or ``hand-back``).
TIME_ENDED_SHARE = (
    "Thank you — that's time. We'll go on to the next person.",
    "Thank you — that's time. Over to the chair.",
)
#: The private answers a member gets (message ids: said in the group's language).
READ = "Thank you for reading! The text is posted for you to read aloud."
NOTED = "Thank you — noted."
TAKEN = "Thank you for taking this on today!"
PASSED = "That's fine — thank you. Passing is always OK."
SHARED = "Thank you for sharing."
SHARED_AND_TAGGED = "Thank you for sharing, and for inviting the next person."
HAND_UP = "Your hand is up. I'll let you know when it's your turn."
IN_THE_ROUND = "You're in the round. I'll let you know when it's your turn."
ENDED = "This meeting has ended. Thank you all for being here, and take care. 💛"
NAMES = ("brindlefox", "cobaltwren", "duskmoth", "emberlynx", "fjordpike", "glimmerowl")
MAX_STEPS = 150
#: Hands raised in a section of raised hands: two, so that a later part "for those who haven't
#: shared" still has members who haven't (those who haven't had the floor raise theirs first).
HANDS_PER_SECTION = 2
CLOCK_RATE = 120
#: Real seconds for a meeting to run the 15 clock minutes that make it count (and a margin).
COUNTS_AFTER_REAL = 15 * 60 / CLOCK_RATE + 1


@dataclass
class Room:
    fake: FakeDiscord
    channel: int
    chair: SimulatedMember
    members: list[SimulatedMember]
    by_pseudonym: dict[str, SimulatedMember]
    handled: set[str] = field(default_factory=set)
    readings_taken: int = 0
    answers: int = 0
    roles_taken: int = 0
    hands: int = 0
    shares: int = 0
    passes: int = 0
    spoke: set[str] = field(default_factory=set)  # who has had the floor in this meeting
    raised_here: int = 0  # hands raised in this section
    next_reader: int = 0
    began: float = 0.0  # when the meeting started (the event loop's clock)
    database: Path = Path()  # the bot's database, read as a member reads the panel
    lang: str = "en"  # the format's language: the bot answers its members in it

    def said(self, english: str) -> str:
        """The bot's words ``english`` (a message id) as this group hears them."""
        return t(self.lang, english)

    async def unhurried(self) -> None:
        """Before the close: let the meeting run long enough to count."""
        loop = asyncio.get_running_loop()
        await asyncio.sleep(max(0.0, self.began + COUNTS_AFTER_REAL - loop.time()))


async def prompt(room: Room) -> bool:
    """Answer the newest unanswered prompt (a reading, a question, a choice, a job)."""
    for message in reversed(room.fake.channel_messages(room.channel)[-6:]):
        ids = [b["custom_id"] for b in buttons(message) if not b["custom_id"].endswith(":hand")]
        if not ids or message["id"] in room.handled:
            continue
        room.handled.add(message["id"])
        actions = {custom_id.split(":")[3] for custom_id in ids}
        if "read" in actions:
            reader = room.members[room.next_reader % len(room.members)]
            room.next_reader += 1
            assert room.said(READ) in await press(reader, message, "read")
            room.readings_taken += 1
        elif "yes" in actions:
            assert room.said(NOTED) in await press(room.chair, message, "yes")
            room.answers += 1
        elif "choose" in actions:
            await press(room.chair, message, "choose")
        elif "role" in actions:
            assert room.said(TAKEN) in await press(room.members[0], message, "role")
            room.roles_taken += 1
        return True
    return False


async def share(room: Room, state: dict[str, Any], sharing: bool, round_: bool) -> bool:
    """Take part in the floor; False when there's nothing more to do in this section. In a
    round, members who aren't in it yet join while the first person shares."""
    board = panel(room.fake, room.channel)
    floor = state["floor"]
    turn = floor["turn"]
    if turn is not None and round_ and not floor["had_turn"]:
        await join_all(room, floor, round_, most=2)  # quickly: the shares here may be short
    if turn is not None:
        room.spoke.add(turn["who"])
        sharer = room.by_pseudonym[turn["who"]]
        if room.passes == 0 and sharing:
            answer = await press(sharer, board, "pass")
            if room.said(PASSED) in answer:
                room.passes += 1
                return True
        answer = await press(sharer, board, "done")
        if room.said(NOT_YOUR_TURN) in answer and timed_out(room, turn):
            return True  # the share ran its time meanwhile (counted from the channel)
        assert any(room.said(words) in answer for words in (SHARED, SHARED_AND_TAGGED)), answer
        room.shares += 1
        return True
    if floor["finished"] or floor["winding_down"]:
        return False
    return await join_all(room, floor, round_)


def timed_out(room: Room, turn: dict[str, Any]) -> bool:
    """Whether the turn the driver read is over now (read again from the database). Nobody
    else in this room presses anything meanwhile, so only the turn's time can have ended it."""
    rows = meeting_rows(room.database)
    now = json.loads(rows[0][1])["floor"]["turn"] if rows else None
    return turn["limit_at"] is not None and (now is None or now["number"] != turn["number"])


async def join_all(room: Room, floor: dict[str, Any], round_: bool, most: int = len(NAMES)) -> bool:
    """Every member not waiting (or sharing) joins the round (at most ``most`` of them), or
    raises a hand (at most HANDS_PER_SECTION in the section), those who haven't had the floor
    first."""
    board = panel(room.fake, room.channel)
    turn = floor["turn"]
    waiting = set(floor["hands"]) | set(floor["round"]) | set(floor["had_turn"])
    waiting |= {turn["who"]} if turn else set()
    raised = False
    if not round_:
        most = min(most, HANDS_PER_SECTION - room.raised_here)
        if most <= 0:
            return False
    for pseudonym, member in sorted(room.by_pseudonym.items(), key=lambda m: m[0] in room.spoke):
        if pseudonym in waiting or member is room.chair:
            continue
        answer = await press(member, board, "hand")
        if any(room.said(words) in answer for words in (HAND_UP, IN_THE_ROUND)):
            room.hands += 1
            room.raised_here += 1
            raised = True
            most -= 1
        if most == 0:
            break
    return raised


async def drive(room: Room, format_id: str, database: Any) -> None:
    plan = load_builtin_format(format_id)
    board = panel(room.fake, room.channel)
    last_section = None
    idle_in_section = 0
    for _ in range(MAX_STEPS):
        await asyncio.sleep(0.15)
        rows = meeting_rows(database)
        if not rows:
            # Shares that ran their time: the bot ended them before Done could land (a
            # 30-second check-out is a quarter of a real second here, too short for a press
            # on a loaded machine), and said so in the channel.
            room.shares += sum(
                any(room.said(e) in m["content"] for e in TIME_ENDED_SHARE)
                for m in room.fake.channel_messages(room.channel)
            )
            return
        state = json.loads(rows[0][1])
        step = state["step"]
        if step is None:
            await press(room.chair, board, "next")
            continue
        section = plan.sections[step["index"]]
        if (step["index"], step["run"]) != last_section:
            last_section, idle_in_section = (step["index"], step["run"]), 0
            room.raised_here = 0
            room.handled.update(m["id"] for m in room.fake.channel_messages(room.channel)[:-6])
        if await prompt(room):
            continue
        expects_prompt = (
            (
                section.kind is SectionKind.READ
                and section.reading is not None
                and section.reading.offer
                and not step["readers"]
                and not step["chair_read"]
            )
            or (section.question is not None and state["answers"] == [] and idle_in_section < 2)
            or step["choosing"]
            or (
                section.kind is SectionKind.SPEAKER
                and not any(role == section.who.role for role, _ in state["roles"])
            )
        )
        if expects_prompt and idle_in_section < 20:
            idle_in_section += 1
            continue  # the offer or question is on its way
        if section.sharing is not None and idle_in_section < 12:  # patient on a busy machine
            sharing = section.kind in (SectionKind.SHARE, SectionKind.CHECK_IN)
            round_ = section.sharing.phases[0].order is Order.ROUND
            if await share(room, state, sharing, round_):
                continue
            idle_in_section += 1
            if state["floor"]["turn"] is None and state["floor"]["hands"]:
                continue  # hands are up; the floor is on its way
        if section.kind is SectionKind.CLOSING or section.index == len(plan.sections) - 1:
            await room.unhurried()
        await press(room.chair, board, "next")
    raise AssertionError(f"{format_id}: the meeting did not end in {MAX_STEPS} steps")


#: Built-ins whose sharing goes by the chair's or the sharer's choice (or a round to join) are
#: run by tests/e2e/test_floor_orders.py, which gives each member the floor by its own order;
#: this driver only raises hands and presses Next.
BY_THEIR_OWN_ORDER = {"chair-picks-discussion", "tag-meeting", "check-in-round"}


@pytest.mark.parametrize("format_id", sorted(set(builtin_formats()) - BY_THEIR_OWN_ORDER))
async def test_format_runs_from_start_to_end(
    fake: FakeDiscord, bot_runner: BotRunner, format_id: str
) -> None:
    guild = fake.add_guild("Every Format Circle", owner_username="lodestarkeeper")
    channel = fake.add_channel(guild.id, "format-room")
    people = [fake.add_member(guild.id, name, global_name=name.title()) for name in NAMES]
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    bot_runner.settings["CLOCK_RATE"] = str(CLOCK_RATE)
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    await (
        await guild.owner.slash(channel.id, "group setup", {"format": format_id})
    ).wait_response()
    lang = load_builtin_format(format_id).language
    welcome = t(
        lang,
        "This channel is now home to a peer group, meeting with the **{name}** format. Nobody "
        "here is in charge: the group decides together.",
        name=load_builtin_format(format_id).name,
    )
    await wait_message(fake, channel.id, welcome)
    await start_meeting(fake, people[0], channel.id)
    began = asyncio.get_running_loop().time()
    key = bytes.fromhex((bot_runner.data_dir / "pseudonym.key").read_text().strip())
    pseudonyms = Pseudonymizer(key)
    room = Room(
        fake=fake,
        channel=channel.id,
        chair=people[0],
        members=people[1:],
        by_pseudonym={pseudonyms.of(guild.id, m.id): m for m in people},
        began=began,
        database=bot_runner.database,
        lang=lang,
    )

    await drive(room, format_id, bot_runner.database)

    plan = load_builtin_format(format_id)
    kinds = {section.kind for section in plan.sections}
    await wait_message(fake, channel.id, t(lang, ENDED))
    if SectionKind.SPEAKER in kinds:  # the chair answered yes: someone took the speaker's part
        assert room.roles_taken > 0, "\n".join(
            m["content"][:70] for m in fake.channel_messages(channel.id)
        )
    offered = [
        s
        for s in plan.sections
        if s.reading
        and s.reading.offer
        and s.condition is None
        and s.text is not None
        and not all(option.placeholder for option in s.text.options)  # never read aloud
    ]
    if offered:
        assert room.readings_taken > 0, "\n".join(
            m["content"][:70] for m in fake.channel_messages(channel.id)
        )
        # "**Title** — read by Name", as the group hears it: the words around the names.
        read_by = t(lang, "**{title}** — read by {reader}", title="\0", reader="\0").split("\0")[1]
        await wait_message(fake, channel.id, read_by)
    if any(section.question for section in plan.sections):
        assert room.answers > 0
    if any(section.sharing for section in plan.sections):
        assert room.shares > 0
    # Every sharing section gives the floor to at least two members, by its own order.
    heard = assert_two_each(fake.channel_messages(channel.id), plan, [m.id for m in people])
    assert heard or not sharing_sections(plan)
    orders = {p.order for s in plan.sections if s.sharing for p in s.sharing.phases}
    if orders - {Order.ROUND}:  # a round needs no hand: everyone who took part is in it
        assert room.hands > 0
    closing = [s for s in plan.sections if s.kind is SectionKind.CLOSING]
    if closing:
        # A default title ("Closing") is shown in the group's language; a written one as written.
        await wait_message(fake, channel.id, f"**{t(lang, closing[0].title)}**")
    settings = await (await people[1].slash(channel.id, "group settings")).wait_response()
    assert settings.data is not None
    assert t(lang, "Meetings held so far: {count}", count=1) in settings.data["content"]
