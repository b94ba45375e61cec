"""Gentle crosstalk reminders through the fake Discord: automatic ones, ones any member asks for
(``/remind`` and the **Gentle reminder** menu), none where crosstalk is welcome, and hold mode
refused when the bot runs without the Message Content intent.

The helpers at the top are shared with ``test_crosstalk_hold.py`` and ``test_floor.py``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import panel, press, slash, wait_message
from tests.fakediscord import FakeDiscord, GuildHandle, SimulatedInteraction, SimulatedMember
from tests.support.privacy import assert_nothing_identifies

JSON = dict[str, Any]
SENTINEL = "heronmarsh-91c2-crosstalk-sentinel"
REMINDER = "A gentle reminder from"
HOLD_REFUSED = "can't hold messages here"
NAMES = ("brindlemoor", "oakhavenly", "tansyridge", "wrenfallow", "pippinmarsh", "elderquay")


def circle_format(*, hold: bool = False, speak: str | None = None) -> bytes:
    """A small format: a sharing section without crosstalk, one where it is welcome, a close.

    ``hold``: the format's ``hold-mode`` switch starts on. ``speak``: the ``channel: speak:``
    rule for the whole meeting (voice floor control opt-in); the open talk is always free.
    """
    lines = [
        "format: 1",
        "name: Quiet Circle",
        "about: A sharing circle where we listen without replying, then talk freely.",
        "length: 60m",
        "share:",
        "  limit: 20m",
        "crosstalk:",
        "  policy: not-allowed",
        "  reminder: A gentle reminder from ${group} — let's give the person sharing the floor.",
    ]
    if speak is not None:
        lines += ["channel:", f"  speak: {speak}"]
    if hold:
        lines += [
            "switches:",
            "  hold-mode:",
            "    on: true",
            "    about: Hold crosstalk and hand it back to its author privately.",
        ]
    lines += [
        "sections:",
        "  - share: The floor is open. Raise your hand when you'd like to share.",
        "    title: Sharing",
        "  - share: Responses are welcome now.",
        "    title: Open talk",
        "    crosstalk: allowed",
        "    channel:",
        "      speak: everyone",
        "  - closing: Thank you all for coming.",
    ]
    return ("\n".join(lines) + "\n").encode()


async def circle(
    fake: FakeDiscord,
    bot_runner: BotRunner,
    source: bytes,
    *,
    clock_rate: str = "10",
    channel_type: int = 0,
    members: int = 5,
    closed_dms: tuple[str, ...] = (),
) -> tuple[GuildHandle, int, list[SimulatedMember]]:
    """A server, a group meeting with ``source`` (uploaded and adopted), and its members."""
    guild = fake.add_guild("Heron Circle", owner_username="marshwarden")
    room = fake.add_channel(guild.id, "heron-room", channel_type)
    people = [
        fake.add_member(
            guild.id,
            name,
            global_name=f"{name.title()} Fieldfare",
            accepts_dms=name not in closed_dms,
        )
        for name in NAMES[:members]
    ]
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    bot_runner.settings["CLOCK_RATE"] = clock_rate
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    setup = await guild.owner.slash(room.id, "group setup", {"format": "open-discussion"})
    await setup.wait_response()
    upload = fake.make_attachment("quiet-circle.yaml", source)
    uploaded = await guild.owner.slash(room.id, "format upload", {"file": upload})
    offer = (await uploaded.wait_followups())[0]
    button = offer["components"][0]["components"][0]
    assert button["label"] == "Adopt it now"
    await (await guild.owner.click(int(offer["id"]), button["custom_id"])).wait_response()
    await wait_message(fake, room.id, "The group's format is now **Quiet Circle**")
    return guild, room.id, people


async def start_sharing(
    fake: FakeDiscord, room: int, chair: SimulatedMember, sharer: SimulatedMember
) -> JSON:
    """Start the meeting and give ``sharer`` the floor; returns the panel."""
    assert "Thank you for chairing" in await slash(chair, room, "meeting start")
    board = panel(fake, room)
    await wait_message(fake, room, "**Sharing**")
    assert "hand is up" in await press(sharer, board, "hand")
    await wait_message(fake, room, "the floor is yours")
    return board


async def private_answer(interaction: SimulatedInteraction) -> str:
    """What the member was told privately (a direct reply, or the follow-up to a deferral)."""
    response = await interaction.wait_response()
    assert response.data is None or response.data.get("flags", 0) & 64, "not private"
    if response.type == 5:  # deferred: the answer is a follow-up
        followups = await interaction.wait_followups()
        assert followups[0]["flags"] & 64
        return str(followups[0]["content"])
    assert response.data is not None
    return str(response.data["content"])


def posted(fake: FakeDiscord, room: int, text: str) -> list[JSON]:
    """Every message the bot posted in the room containing ``text`` (faded ones included)."""
    return [
        r.json
        for r in fake.requests_matching("POST", rf"/channels/{room}/messages")
        if isinstance(r.json, dict) and text in (r.json.get("content") or "")
    ]


def assert_names_nobody(message: JSON, *people: SimulatedMember) -> None:
    """Neither a mention nor any of the members' names (a stored message or a request body)."""
    content = message["content"]
    assert "<@" not in content
    assert not message.get("mentions")
    for person in people:
        for name in (person.username, person.global_name or "", person.display_name):
            assert name.lower() not in content.lower(), name


def assert_private(fake: FakeDiscord, bot_runner: BotRunner) -> None:
    """No member id or name, and no message text, in the database or the logs."""
    assert_nothing_identifies(
        fake.all_member_identifiers() | {SENTINEL},
        logs=bot_runner.logs(),
        database=bot_runner.database,
    )


async def quietly(seconds: float = 1.0) -> None:
    """Give the bot time to do something it must not do."""
    await asyncio.sleep(seconds)


# --- tests ------------------------------------------------------------------------------------


async def test_one_gentle_reminder_and_none_where_crosstalk_is_welcome(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    _, room, (chair, sharer, talker, listener, _) = await circle(
        fake, bot_runner, circle_format(hold=True)
    )
    board = await start_sharing(fake, room, chair, sharer)
    # The group asked for hold mode, but the bot runs without Message Content: it says so.
    refused = await wait_message(fake, room, HOLD_REFUSED)
    assert "Message Content" in refused["content"]
    assert "gentle reminders instead" in refused["content"]

    first = await talker.say(room, f"Oh, I know exactly that feeling {SENTINEL}")
    reminder = await wait_message(fake, room, REMINDER)
    assert "Heron Circle" not in reminder["content"]  # ${group} is the channel's name
    assert "heron room" in reminder["content"]
    assert_names_nobody(reminder, talker, sharer, chair)
    assert "message_reference" not in reminder or not reminder["message_reference"]
    second = await talker.say(room, f"Sorry, one more thing {SENTINEL}")
    await sharer.say(room, "(the sharer may type as they share)")
    await quietly()
    assert len(posted(fake, room, REMINDER)) == 1  # one gentle reminder, not two
    # Without hold mode nobody's words are touched, and nothing is sent privately.
    assert fake.message(int(first["id"])) is not None
    assert fake.message(int(second["id"])) is not None
    assert fake.dms(talker.id) == []

    # The reminder fades after a short while.
    await fake.wait_for_request(
        "DELETE", rf"/channels/{room}/messages/{reminder['id']}", timeout=10
    )

    # Where the format welcomes responses, nobody is reminded.
    assert "Thank you for sharing" in await press(sharer, board, "done")
    await press(chair, board, "next")
    await wait_message(fake, room, "**Open talk**")
    mark = len(fake.channel_messages(room))
    assert "hand is up" in await press(listener, board, "hand")
    await wait_message(fake, room, "the floor is yours", after=mark)
    await talker.say(room, f"That's so helpful, thank you {SENTINEL}")
    await chair.say(room, "Agreed!")
    await quietly(1.5)
    assert len(posted(fake, room, REMINDER)) == 1
    assert_private(fake, bot_runner)


async def test_any_member_can_ask_for_a_reminder_without_being_named(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    _, room, people = await circle(fake, bot_runner, circle_format(), members=6)
    chair, sharer, asker, talker, helper, other = people
    await start_sharing(fake, room, chair, sharer)
    shared = await sharer.say(room, "I've had a hard week.")

    used = await asker.slash(room, "remind")
    assert "nobody can see it came from you" in await private_answer(used)
    reminder = await wait_message(fake, room, REMINDER)
    assert_names_nobody(reminder, *people)

    # While that reminder is on screen, a new post gets no second one, and nor does a request.
    talked = await talker.say(room, f"Same here, honestly {SENTINEL}")
    again = await other.slash(room, "remind")
    assert "already on screen" in await private_answer(again)
    await quietly(3.5)  # the channel's cool-down (30 s of clock time at 10x)
    assert len(posted(fake, room, REMINDER)) == 1

    # The requester's own cool-down is longer.
    too_soon = await asker.message_command(int(talked["id"]), "Gentle reminder")
    assert "ask again in about" in await private_answer(too_soon)

    # The message menu: a reminder prompted by one message, naming neither of them.
    menu = await helper.message_command(int(talked["id"]), "Gentle reminder")
    assert "nobody can see it came from you" in await private_answer(menu)
    async with asyncio.timeout(5):
        while len(posted(fake, room, REMINDER)) < 2:  # noqa: ASYNC110 - polling the fake
            await asyncio.sleep(0.05)
    second = posted(fake, room, REMINDER)[1]
    assert_names_nobody(second, *people)
    assert second["allowed_mentions"] == {"parse": []}
    assert "message_reference" not in second  # not a reply: that would show whom it is about

    # Never about the person sharing, and never twice about the same message's author.
    sharer_menu = await other.message_command(int(shared["id"]), "Gentle reminder")
    assert "it's their floor" in await private_answer(sharer_menu)
    twice = await chair.message_command(int(talked["id"]), "Gentle reminder")
    assert "already been a gentle reminder" in await private_answer(twice)
    assert len(posted(fake, room, REMINDER)) == 2
    assert_private(fake, bot_runner)


async def test_remind_outside_a_meeting_is_kindly_refused(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    _, room, (member, *_) = await circle(fake, bot_runner, circle_format(), members=1)
    answer = await private_answer(await member.slash(room, "remind"))
    assert "no meeting under way" in answer
    assert posted(fake, room, REMINDER) == []
