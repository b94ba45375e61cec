"""The built-ins whose floor goes by its own order, each run end to end in one bot run: a
chair-picks discussion (the chair calls on hands from the panel's list and with /meeting pick;
a first-timer who said so privately is first in the list), a tag meeting (each sharer invites
the next from the list or with /tag; someone who'd rather listen is never listed) and a
check-in round (everyone who took part is in the round, no hands; one joins with **Join the
round**, one passes). Along the way the chair's tools — pause, resume, more time, skip — are
used and the room's words asserted, and members who may not use a tool are told kindly why.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.core.formats import load_builtin_format
from tests.e2e.conftest import BotRunner
from tests.e2e.floor_count import assert_two_each
from tests.e2e.meeting_helpers import buttons, panel, press, slash, wait_message
from tests.fakediscord import FakeDiscord, SimulatedInteraction, SimulatedMember

JSON = dict[str, Any]
NAMES = ("Rowan", "Ash", "Birch", "Cedar", "Dune")
#: Slow enough that no share reaches its limit while the members press, fast for the rest.
CLOCK_RATE = "5"


def selects(message: JSON) -> list[JSON]:
    return [c for c in buttons(message) if c.get("type") == 3]


async def listed(fake: FakeDiscord, room: int, action: str, names: list[str]) -> JSON:
    """The panel once its list (``pick`` or ``tag``) shows exactly ``names``, in order."""
    async with asyncio.timeout(10):
        while True:
            board = panel(fake, room)
            for select in selects(board):
                labels = [o["label"] for o in select["options"]]
                if select["custom_id"].endswith(f":{action}") and labels == names:
                    return select
            await asyncio.sleep(0.05)


async def choose(
    member: SimulatedMember, fake: FakeDiscord, room: int, select: JSON, name: str
) -> tuple[SimulatedInteraction, str]:
    """Choose ``name`` from the panel's list, as ``member``; the interaction and its answer."""
    (value,) = [o["value"] for o in select["options"] if o["label"] == name]
    used = await member.select(int(panel(fake, room)["id"]), select["custom_id"], [value])
    return used, str((await used.wait_followups())[0]["content"])


async def given_to(fake: FakeDiscord, room: int, member: SimulatedMember, after: int) -> JSON:
    return await wait_message(fake, room, f"<@{member.id}>", after=after)


async def board_with(fake: FakeDiscord, room: int, action: str) -> JSON:
    """The panel once it shows the button ``action`` (it is redrawn a moment after a change)."""
    ending = f":{action}"
    await fake.wait_until(
        lambda: any(b.get("custom_id", "").endswith(ending) for b in buttons(panel(fake, room))),
        5,
        what=f"the panel's {action} button",
    )
    return panel(fake, room)


def words(fake: FakeDiscord, room: int, after: int = 0) -> str:
    return "\n".join(m.get("content", "") for m in fake.channel_messages(room)[after:])


async def open_sharing(fake: FakeDiscord, chair: SimulatedMember, room: int, title: str) -> int:
    assert "Thank you for chairing" in await slash(chair, room, "meeting start")
    await wait_message(fake, room, "**Welcome**")
    mark = len(fake.channel_messages(room))
    await press(chair, panel(fake, room), "next")
    await wait_message(fake, room, f"**{title}**", after=mark)
    return mark


async def chair_picks(fake: FakeDiscord, room: int, people: list[SimulatedMember]) -> None:
    chair, ash, birch, cedar, _ = people
    mark = await open_sharing(fake, chair, room, "Discussion")
    board = panel(fake, room)
    said = await press(birch, board, "first")
    assert "first-timers go first" in said
    assert "nothing is kept" in said
    assert "hand is up" in await press(ash, board, "hand")
    assert "hand is up" in await press(birch, board, "hand")
    # Nobody shares until the chair calls; the first-timer is first in the chair's list.
    select = await listed(fake, room, "pick", ["Birch", "Ash"])
    assert "the floor is yours" not in words(fake, room, mark)
    _, refused = await choose(cedar, fake, room, select, "Ash")
    assert "Only today's chair calls on" in refused
    used, answer = await choose(chair, fake, room, select, "Birch")
    assert "the floor is theirs now" in answer
    given = await given_to(fake, room, birch, mark)
    assert "the chair has invited you to share — the floor is yours" in given["content"]
    # Delivered twice, the choice is made once.
    count = len(fake.channel_messages(room))
    used.deliver_again()
    await asyncio.sleep(0.5)
    assert len(fake.channel_messages(room)) == count

    mark = len(fake.channel_messages(room))
    assert "Thank you for sharing" in await press(birch, board, "done")
    await wait_message(fake, room, "Chair, please invite the next person", after=mark)
    assert "Only today's chair" in await slash(cedar, room, "meeting pause")
    used = await chair.slash(room, "meeting pick", {"member": ash})
    assert "floor is theirs" in str((await used.wait_followups())[0]["content"])
    await given_to(fake, room, ash, mark)

    # The chair's tools, each seen by the room.
    mark = len(fake.channel_messages(room))
    assert "paused" in await press(chair, board, "pause")
    await wait_message(fake, room, "The meeting is paused — we'll pick up", after=mark)
    assert "already paused" in await slash(chair, room, "meeting pause")
    assert "more minute" in await press(chair, panel(fake, room), "more")
    await wait_message(fake, room, "A little more time", after=mark)
    assert "Only today's chair can give" in await press(cedar, panel(fake, room), "more")
    assert "where we left off" in await press(
        chair, await board_with(fake, room, "resume"), "resume"
    )
    await wait_message(fake, room, "We're continuing", after=mark)
    assert "hand is up" in await press(cedar, board, "hand")
    assert "Skipped" in await slash(chair, room, "meeting skip")
    await wait_message(fake, room, "The chair has moved us on from **Discussion**", after=mark)
    await wait_message(fake, room, "lowered the hand that was still up", after=mark)
    await wait_message(fake, room, "What was said here stays here", after=mark)
    await press(chair, panel(fake, room), "next")
    await wait_message(fake, room, "This meeting has ended", after=mark)


async def tag(fake: FakeDiscord, room: int, people: list[SimulatedMember]) -> None:
    chair, ash, birch, cedar, dune = people
    mark = await open_sharing(fake, chair, room, "Sharing")
    board = panel(fake, room)
    assert "listening is a fine way" in (await press(dune, board, "listen")).lower()
    for member in (ash, birch):
        assert "hand is up" in await press(member, board, "hand")
    select = await listed(fake, room, "pick", ["Ash", "Birch"])
    await choose(chair, fake, room, select, "Ash")
    await given_to(fake, room, ash, mark)
    # Ash shares and invites the next from the list; Dune (who'd rather listen) isn't on it.
    select = await listed(fake, room, "tag", ["Birch"])
    _, refused = await choose(cedar, fake, room, select, "Birch")
    assert "Only the person sharing invites" in refused
    _, answer = await choose(ash, fake, room, select, "Birch")
    assert "for inviting the next person" in answer
    given = await given_to(fake, room, birch, mark)
    assert "you've been invited to share next — the floor is yours" in given["content"]
    # Birch invites someone who never raised a hand, with /tag.
    used = await birch.slash(room, "tag", {"member": cedar})
    assert "inviting" in str((await used.wait_followups())[0]["content"])
    await given_to(fake, room, cedar, mark)
    used = await cedar.slash(room, "tag", {"member": dune})
    assert "can't take the floor just now" in str((await used.wait_followups())[0]["content"])
    assert f"<@{dune.id}>" not in words(fake, room, mark)
    mark = len(fake.channel_messages(room))
    assert "Thank you for sharing" in await press(cedar, board, "done")
    await press(chair, board, "next")
    await wait_message(fake, room, "inviting each other in", after=mark)
    await press(chair, board, "next")
    await wait_message(fake, room, "This meeting has ended", after=mark)


async def round_robin(fake: FakeDiscord, room: int, people: list[SimulatedMember]) -> None:
    chair, ash, birch, cedar, dune = people
    assert "Thank you for chairing" in await slash(chair, room, "meeting start")
    await wait_message(fake, room, "**Welcome**")
    board = panel(fake, room)
    await press(ash, board, "first")  # took part: in the round
    await press(birch, board, "listen")  # took part, but would rather listen
    await press(cedar, board, "hand")  # a hand raised before the round: in the round, no hand
    mark = len(fake.channel_messages(room))
    await press(chair, board, "next")
    await wait_message(fake, room, "Let's check in", after=mark)
    await given_to(fake, room, chair, mark)
    await fake.wait_until(
        lambda: "Join the round" in [b.get("label") for b in buttons(panel(fake, room))],
        5,
        what="Join the round on the panel",
    )
    board = panel(fake, room)
    assert "Raise hand" not in [b.get("label") for b in buttons(board)]
    assert "in the round" in await press(dune, board, "hand")  # joins the round under way
    assert "Thank you for sharing" in await press(chair, board, "done")
    await given_to(fake, room, ash, mark)
    assert "Passing is always OK" in await press(ash, board, "pass")
    await given_to(fake, room, cedar, mark)
    assert "Thank you for sharing" in await press(cedar, board, "done")
    await given_to(fake, room, dune, mark)
    assert "Thank you for sharing" in await press(dune, board, "done")
    await wait_message(fake, room, "checking in with each other", after=mark)  # the closing
    said = words(fake, room, mark)
    assert "Raise hand" not in said
    assert f"<@{birch.id}>" not in said  # who'd rather listen is never called
    await press(chair, panel(fake, room), "next")
    await wait_message(fake, room, "This meeting has ended", after=mark)


async def test_chair_picks_tag_and_round_each_give_the_floor_by_their_own_order(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Floor Orders", owner_username="orderkeeper")
    people = [fake.add_member(guild.id, n.lower() + "wood", global_name=n) for n in NAMES]
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    bot_runner.settings["CLOCK_RATE"] = CLOCK_RATE
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    rooms = {}
    for format_id in ("chair-picks-discussion", "tag-meeting", "check-in-round"):
        room = fake.add_channel(guild.id, format_id).id
        setup = await guild.owner.slash(room, "group setup", {"format": format_id})
        await setup.wait_response()
        await wait_message(fake, room, "home to a peer group")
        rooms[format_id] = room

    await chair_picks(fake, rooms["chair-picks-discussion"], people)
    await tag(fake, rooms["tag-meeting"], people)
    await round_robin(fake, rooms["check-in-round"], people)
    for format_id, room in rooms.items():  # counted as in tests/e2e/test_every_format.py
        plan = load_builtin_format(format_id)
        heard = assert_two_each(fake.channel_messages(room), plan, [p.id for p in people])
        assert heard, format_id
    logs = bot_runner.logs()
    assert "WARNING" not in logs, logs
    assert "ERROR" not in logs, logs
