"""The one message listener (bot/adapters/messages.py): each message decided at once, in memory —
no work at all for most (the sharer's words, a reminder already given, someone already
welcomed), one piece of work for the rest — and a poster's pseudonym computed once, kept in
memory only, and dropped with forget-me or when the bot leaves the server."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import discord
import pytest

from bot.adapters.messages import MessageListener
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.runtime.events import GuildLeft, MemberForgotten
from bot.runtime.formats import FormatLibrary
from bot.runtime.meetings import MeetingService
from bot.runtime.newcomer import Arrival, NewcomerService, Welcomed
from bot.store import Store
from tests.runtime.test_crosstalk_service import (
    BOT_ID,
    CHAIR_ID,
    CHANNEL,
    ELSEWHERE,
    GUILD,
    SHARER_ID,
    TALKER_ID,
    WORDS,
    Bench,
    bench,
)

OTHER = 15


class CountingPseudonyms(Pseudonymizer):
    """Counts how often a pseudonym is computed."""

    __slots__ = ("computed",)

    def __init__(self) -> None:
        super().__init__(b"k" * 32)  # the crosstalk bench's key
        self.computed = 0

    def of(self, guild_id: int, user_id: int) -> Pseudonym:
        self.computed += 1
        return super().of(guild_id, user_id)


class FakeMeetings:
    """The meeting service's one method the listener uses: a sign of life in the channel."""

    def __init__(self) -> None:
        self.active: list[tuple[int, Pseudonym]] = []

    async def activity(self, channel_id: int, who: Pseudonym) -> None:
        self.active.append((channel_id, who))


class NoPort:
    async def send_privately(self, *args: Any) -> bool:
        raise AssertionError("no welcome is sent in these tests")


def message(
    user_id: int,
    channel: int = CHANNEL,
    *,
    bot: bool = False,
    kind: discord.MessageType = discord.MessageType.default,
    webhook: int | None = None,
) -> discord.Message:
    return cast(
        discord.Message,
        SimpleNamespace(
            id=900 + user_id,
            channel=SimpleNamespace(id=channel),
            guild=SimpleNamespace(id=GUILD),
            author=SimpleNamespace(id=user_id, bot=bot),
            webhook_id=webhook,
            type=kind,
            content="",
        ),
    )


def listener(b: Bench, store: Store) -> tuple[MessageListener, CountingPseudonyms, FakeMeetings]:
    pseudonyms = CountingPseudonyms()
    meetings = FakeMeetings()
    newcomer = NewcomerService(
        store=store,
        formats=FormatLibrary(store),
        live=b.meetings,
        pseudonyms=pseudonyms,
        clock=b.clock,
        port=NoPort(),
    )
    made = MessageListener(
        live=b.meetings,
        pseudonyms=pseudonyms,
        meetings=cast(MeetingService, meetings),
        crosstalk=b.service,
        newcomer=newcomer,
        me=lambda: BOT_ID,
    )
    return made, pseudonyms, meetings


async def test_during_a_share_most_messages_need_no_work_and_one_reminder_is_given(
    store: Store,
) -> None:
    b = bench()
    b.give_floor(SHARER_ID)
    await b.step()
    listen, pseudonyms, meetings = listener(b, store)

    assert listen.seen(message(SHARER_ID)) is None  # the sharer's own words
    assert listen.seen(message(BOT_ID, bot=True)) is None
    assert listen.seen(message(TALKER_ID, kind=discord.MessageType.pins_add)) is None
    assert listen.seen(message(TALKER_ID, webhook=77)) is None
    work = listen.seen(message(TALKER_ID))  # crosstalk: a reminder
    assert work is not None
    await work()
    assert b.port.posted == [(WORDS, 20.0)]
    for _ in range(50):  # then quiet: nothing to do, no task, for every further message
        assert listen.seen(message(TALKER_ID)) is None
        assert listen.seen(message(OTHER)) is None
    assert pseudonyms.computed == 3  # sharer, talker, other: once each
    assert meetings.active == []


async def test_the_chairs_post_shows_they_are_here(store: Store) -> None:
    b = bench()
    listen, _, meetings = listener(b, store)
    work = listen.seen(message(CHAIR_ID))  # nobody holds the floor yet: no crosstalk
    assert work is not None
    await work()
    assert meetings.active == [(CHANNEL, b.who(CHAIR_ID))]
    assert listen.seen(message(TALKER_ID)) is None  # anyone else's: nothing to do


async def test_elsewhere_a_first_post_is_looked_at_once(store: Store) -> None:
    b = bench()
    listen, _, _ = listener(b, store)
    work = listen.seen(message(TALKER_ID, ELSEWHERE))
    assert work is not None
    await work()  # no group in that channel: no welcome, and not tried again this run
    assert listen.seen(message(TALKER_ID, ELSEWHERE)) is None
    assert listen.seen(message(BOT_ID, ELSEWHERE, bot=True)) is None
    assert listen.seen(message(OTHER, ELSEWHERE, kind=discord.MessageType.new_member)) is None


async def test_no_welcome_is_due_in_a_meetings_channel(store: Store) -> None:
    b = bench()
    pseudonyms = Pseudonymizer(b"k" * 32)
    newcomer = NewcomerService(
        store=store,
        formats=FormatLibrary(store),
        live=b.meetings,
        pseudonyms=pseudonyms,
        clock=b.clock,
        port=NoPort(),
    )
    during = Arrival(GUILD, CHANNEL, OTHER)
    assert not newcomer.welcome_due(during, b.who(OTHER))
    assert await newcomer.arrived(during) is Welcomed.MEETING
    assert newcomer.welcome_due(Arrival(GUILD, ELSEWHERE, OTHER), b.who(OTHER))


async def test_a_pseudonym_is_kept_in_memory_only_until_forget_me_or_the_server_is_left(
    store: Store,
) -> None:
    b = bench()
    listen, pseudonyms, _ = listener(b, store)
    assert listen.who(GUILD, TALKER_ID) == b.who(TALKER_ID)
    assert listen.who(GUILD, TALKER_ID) == b.who(TALKER_ID)
    listen.who(GUILD, OTHER)
    assert pseudonyms.computed == 2
    await listen.member_forgotten(MemberForgotten(GUILD, b.who(TALKER_ID)))
    assert (GUILD, TALKER_ID) not in listen._known
    assert (GUILD, OTHER) in listen._known  # only theirs
    await listen.guild_left(GuildLeft(GUILD))
    assert listen._known == {}
    listen.who(GUILD, TALKER_ID)
    assert pseudonyms.computed == 3  # computed again when needed


class BrokenCrosstalk:
    """A crosstalk check that fails once, as a bug or a bad state would."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.failures = 1

    def posted_in(self, *args: Any) -> Any:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("secret words 4242")
        return self.real.posted_in(*args)


async def test_a_failing_check_drops_that_one_message_and_the_next_is_handled(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """seen() runs inside discord.py's gateway reader: an exception there would take the
    connection down, so one bad message is skipped (logged by kind only) and nothing else."""
    b = bench()
    b.give_floor(SHARER_ID)
    await b.step()
    listen, _, _ = listener(b, store)
    listen._crosstalk = cast(Any, BrokenCrosstalk(b.service))
    with caplog.at_level("ERROR"):
        assert listen.seen(message(TALKER_ID)) is None  # returns normally, nothing to do
    assert "RuntimeError" in caplog.text
    assert "secret" not in caplog.text
    assert "4242" not in caplog.text
    assert str(TALKER_ID) not in caplog.text
    work = listen.seen(message(TALKER_ID))  # the next message: the reminder as usual
    assert work is not None
    await work()
    assert b.port.posted == [(WORDS, 20.0)]
