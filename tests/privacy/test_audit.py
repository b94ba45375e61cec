"""The privacy audit: one scenario through the fake Discord, then a search for everyone in it.

Members with distinctive ids, usernames, display names and nicknames set up a group, upload a
format, talk (every message carries a sentinel string), hold a meeting, ask what the bot keeps,
ask to be forgotten, change nicknames, leave, and the bot restarts. Then the SQLite files (the
database and its journal) and every log line are searched, while the bot runs and
after it stops: no id, no name, no nickname, no sentinel may appear. And where the members'
coded keys do appear, it must be in a column registered for them (see bot/store/privacy).

To extend it when your feature lands (rotation, reminders, concerns, votes): write a step —
an ``async def`` taking the :class:`Audit` — and add it to :data:`STEPS` before the restart.
Use ``audit.talk(...)`` for anything a member writes, so the sentinel travels with it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.pseudonyms import Pseudonymizer
from bot.store.privacy import REGISTRY
from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import meeting_rows, slash
from tests.fakediscord import FakeDiscord, GuildHandle, SimulatedMember
from tests.privacy.reidentify import pseudonym_places
from tests.support.privacy import assert_nothing_identifies

SENTINEL = "lilac-harbour-7f3c-sentinel"
FORMATS = Path(__file__).parents[2] / "formats"

#: username -> (display name, server nickname)
PEOPLE = {
    "quillonmere": ("Quillon Meresby", "QuillyMeresby"),
    "brackenhythe": ("Bracken Hythe-Ashby", "BrackenAshby"),
    "sorrelwynne": ("Sorrel Wynnefield", "SorrelWynnie"),
    "tamsinreach": ("Tamsin Reachcombe", "TamsinReachy"),
}


@dataclass
class Audit:
    fake: FakeDiscord
    runner: BotRunner
    guild: GuildHandle
    room: int
    people: dict[str, SimulatedMember]
    #: Everything that must never be kept: grows as names change.
    needles: set[str] = field(default_factory=set)
    scans: int = 0

    @property
    def chair(self) -> SimulatedMember:
        return self.people["quillonmere"]

    def remember_names(self) -> None:
        self.needles |= self.fake.all_member_identifiers() | {SENTINEL}

    async def talk(self, member: SimulatedMember, words: str) -> None:
        await member.say(self.room, f"{words} ({SENTINEL})")

    def key(self) -> bytes:
        return bytes.fromhex((self.runner.data_dir / "pseudonym.key").read_text().strip())

    def scan(self) -> None:
        """Nothing identifies anyone; coded keys only where they are registered."""
        self.remember_names()
        assert_nothing_identifies(
            self.needles, logs=self.runner.logs(), database=self.runner.database
        )
        pseudonyms = Pseudonymizer(self.key()).index(
            self.guild.id, [int(n) for n in self.needles if n.isdigit()]
        )
        allowed = {(entry.table, column) for entry in REGISTRY for column in entry.person_columns}
        stray = pseudonym_places(self.runner.database, pseudonyms) - allowed
        assert not stray, f"coded keys stored outside registered columns: {sorted(stray)}"
        self.scans += 1


async def what_i_keep(member: SimulatedMember, channel_id: int) -> str:
    reply = await (await member.slash(channel_id, "privacy what-i-keep")).wait_response()
    assert reply.data is not None
    return str(reply.data["embeds"][0]["description"])


Step = Callable[[Audit], Awaitable[None]]


async def upload_a_format(audit: Audit) -> None:
    source = (FORMATS / "peer-support-circle.yaml").read_bytes()
    attachment = audit.fake.make_attachment("our-circle.yaml", source)
    used = await audit.people["brackenhythe"].slash(
        audit.room, "format upload", {"file": attachment}
    )
    assert "valid format" in (await used.wait_followups())[0]["content"]


async def members_talk(audit: Audit) -> None:
    for name, member in audit.people.items():
        await audit.talk(member, f"I'm {PEOPLE[name][0]} and this week was hard")
    await audit.people["sorrelwynne"].dm_bot(f"can you keep a secret? {SENTINEL}")


async def hold_a_meeting(audit: Audit) -> None:
    started = await slash(audit.chair, audit.room, "meeting start")
    assert "Thank you for chairing" in started
    await audit.talk(audit.people["tamsinreach"], "sorry I'm late, Quillon")
    # The live meeting holds the chair as a coded key, and /privacy says so.
    mine = await what_i_keep(audit.chair, audit.room)
    assert "1 meeting under way" in mine
    assert "About you, in this server" in mine
    preview = await audit.chair.slash(audit.room, "privacy forget-me")
    answer = await preview.wait_response()
    assert answer.data is not None
    assert "holds your place in it" in answer.data["content"]
    audit.scan()  # mid-meeting, with the live state in the database
    await audit.talk(audit.people["brackenhythe"], "thank you for sharing that")
    await slash(audit.chair, audit.room, "meeting end")
    async with asyncio.timeout(10):
        while meeting_rows(audit.runner.database):  # noqa: ASYNC110 - another process's file
            await asyncio.sleep(0.05)
    assert "meeting under way" not in await what_i_keep(audit.chair, audit.room)


async def ask_and_be_forgotten(audit: Audit) -> None:
    member = audit.people["sorrelwynne"]
    # She posted once between meetings: the private welcome is remembered, as a coded key.
    assert "sent the private welcome" in await what_i_keep(member, audit.room)
    used = await member.slash(audit.room, "privacy forget-me")
    reply = await used.wait_response()
    assert reply.data is not None
    original = await used.wait_original()
    forget = reply.data["components"][0]["components"][0]
    done = await (await member.click(int(original["id"]), forget["custom_id"])).wait_response()
    assert done.data is not None
    assert done.data["content"].startswith("Done.")
    assert "**About you:** nothing" in await what_i_keep(member, audit.room)


async def change_nicknames(audit: Audit) -> None:
    audit.remember_names()  # the old nicknames stay on the list of things never to keep
    audit.fake.update_member(audit.guild.id, audit.people["tamsinreach"].id, nick="TamsinAnew")
    await audit.talk(audit.people["tamsinreach"], "new name, same me")


async def a_member_leaves(audit: Audit) -> None:
    audit.remember_names()
    audit.fake.remove_member(audit.guild.id, audit.people["brackenhythe"].id)


async def restart(audit: Audit) -> None:
    await audit.runner.stop()
    await audit.runner.start()
    await what_i_keep(audit.chair, audit.room)  # answers after a restart too


#: The scenario, in order. Add your feature's steps before ``restart``.
STEPS: list[Step] = [
    upload_a_format,
    members_talk,
    hold_a_meeting,
    ask_and_be_forgotten,
    change_nicknames,
    a_member_leaves,
    restart,
]


async def test_the_bot_keeps_no_trace_of_who_anyone_is(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Thistledown Circle", owner_username="quillonmere")
    room = fake.add_channel(guild.id, "thistledown-room")
    people = {"quillonmere": guild.owner}
    fake.update_member(guild.id, guild.owner.id, nick=PEOPLE["quillonmere"][1])
    guild.owner.user.global_name = PEOPLE["quillonmere"][0]
    for username, (display, nick) in PEOPLE.items():
        if username not in people:
            people[username] = fake.add_member(guild.id, username, global_name=display, nick=nick)
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    setup = await guild.owner.slash(room.id, "group setup", {"format": "open-discussion"})
    await setup.wait_response()
    audit = Audit(fake, bot_runner, guild, room.id, people)

    for step in STEPS:
        await step(audit)

    audit.scan()  # while the bot runs
    await bot_runner.stop()
    audit.scan()  # after a clean stop
    assert audit.scans == 3
    assert "Privacy schema check" not in bot_runner.logs()  # every table and column declared
    assert len(audit.needles) >= 4 * 4 + 2  # ids, usernames, names, nicknames, sentinel, …
