"""Hold mode through the fake Discord, with the Message Content intent granted and asked for
(``MESSAGE_CONTENT_INTENT=true``): crosstalk is handed back to its author word for word and
removed from the channel; with DMs closed it stays where it is and a reminder is given instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import wait_message
from tests.e2e.test_crosstalk import (
    HOLD_REFUSED,
    REMINDER,
    SENTINEL,
    assert_names_nobody,
    assert_private,
    circle,
    circle_format,
    posted,
    quietly,
    start_sharing,
)
from tests.fakediscord import FakeDiscord

HOLD_NOTE = "held so it doesn't interrupt"


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """This module's Discord grants the Message Content intent (the portal switch is on)."""
    async with FakeDiscord(privileged_intents_granted={"members", "message_content"}) as fake:
        yield fake
        assert not fake.internal_errors, fake.internal_errors


async def test_hold_mode_returns_the_exact_words_and_never_loses_them(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    bot_runner.settings["MESSAGE_CONTENT_INTENT"] = "true"
    _, room, people = await circle(
        fake, bot_runner, circle_format(hold=True), closed_dms=("wrenfallow",)
    )
    chair, sharer, talker, closed, _ = people
    await start_sharing(fake, room, chair, sharer)

    words = f"I **so** relate — @everyone should hear this {SENTINEL}\n  second line"
    held = await talker.say(room, words)
    await fake.wait_until(lambda: fake.message(int(held["id"])) is None, 5, what="the hold")
    dms = fake.dms(talker.id)
    assert len(dms) == 1
    assert HOLD_NOTE in dms[0]["content"]
    assert dms[0]["content"].endswith(words)  # word for word, nothing lost
    assert dms[0]["mentions"] == []
    assert not dms[0].get("mention_everyone")
    assert posted(fake, room, REMINDER) == []  # a held message needs no reminder on screen

    # DMs closed: the message stays, and a gentle reminder is given instead.
    kept = await closed.say(room, f"Me too, me too {SENTINEL}")
    reminder = await wait_message(fake, room, REMINDER)
    assert_names_nobody(reminder, *people)
    await quietly()
    assert fake.message(int(kept["id"])) is not None
    assert fake.dms(closed.id) == []

    # Hold mode never touches the person sharing.
    own = await sharer.say(room, f"(typing along with my share) {SENTINEL}")
    await quietly()
    assert fake.message(int(own["id"])) is not None
    assert all(HOLD_NOTE not in dm["content"] for dm in fake.dms(sharer.id))
    assert all(HOLD_REFUSED not in m["content"] for m in fake.channel_messages(room))
    # The bot read the words to hand them back; it kept them nowhere.
    assert_private(fake, bot_runner)


async def test_hold_mode_needs_manage_messages(fake: FakeDiscord, bot_runner: BotRunner) -> None:
    bot_runner.settings["MESSAGE_CONTENT_INTENT"] = "true"
    guild, room, (chair, sharer, talker, *_) = await circle(
        fake, bot_runner, circle_format(hold=True)
    )
    fake.set_overwrite(room, guild.bot_role.id, deny=["manage_messages"], kind=0)
    await start_sharing(fake, room, chair, sharer)
    told = await wait_message(fake, room, "**Manage Messages**")
    assert "gentle reminders instead" in told["content"]
    said = await talker.say(room, f"Oh wow {SENTINEL}")
    await wait_message(fake, room, REMINDER)
    assert fake.message(int(said["id"])) is not None
    assert fake.dms(talker.id) == []


async def test_a_hold_discord_refuses_to_remove_is_a_reminder_instead(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    bot_runner.settings["MESSAGE_CONTENT_INTENT"] = "true"
    _, room, people = await circle(fake, bot_runner, circle_format(hold=True))
    chair, sharer, talker, *_ = people
    await start_sharing(fake, room, chair, sharer)

    fake.fail_next("DELETE", rf"/channels/{room}/messages/\d+", status=403, count=5)
    said = await talker.say(room, f"Over the top of the share {SENTINEL}")
    reminder = await wait_message(fake, room, REMINDER)  # not silently "held"
    assert_names_nobody(reminder, *people)
    assert fake.message(int(said["id"])) is not None  # still there: the bot never claims it held
    assert_private(fake, bot_runner)
