"""Every slash command and every kind of button, delivered twice (Discord's delivery is at least
once): the second delivery changes nothing — no row in the database, no message, no DM, no role,
no second answer — and makes no call to Discord at all. And Discord refusing the answer itself
(403 / 404 on a followup) is one WARNING line, with no traceback and no second, false answer.

One bot run for all of it: each case is carried out, allowed to settle, snapshotted, delivered
again, and compared once a later interaction (``/about`` from another member) has been answered —
proof that the bot got past the replay in its event stream.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import buttons, panel, wait_message
from tests.fakediscord import FakeDiscord, SimulatedInteraction, SimulatedMember

JSON = dict[str, Any]
FORMATS = Path(__file__).parents[2] / "formats"
LONG_AGO = "2024-01-06T10:00:00.000000+00:00"
NAMES = ("quietbrook", "lanternfield", "mossgrove", "willowcairn", "fernwhistle")
WEBHOOK = r"/webhooks/\d+/[^/]+"
REFUSED = "Discord refused a call"
QUIET_SECONDS = 0.2
PANEL_EDIT = "/channels/{channel_id}/messages/{message_id}"


def database_rows(database: Path) -> dict[str, list[str]]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: sorted(repr(row) for row in conn.execute(f"SELECT * FROM {t}")) for t in tables}
    finally:
        conn.close()


def command_paths(commands: list[JSON]) -> set[str]:
    """Every runnable command as typed: "about", "meeting next" …"""
    paths = set()
    for command in commands:
        subs = [o for o in command.get("options", []) if o["type"] in (1, 2)]
        if not subs:
            paths.add(command["name"])
        for sub in subs:
            inner = [o for o in sub.get("options", []) if o["type"] == 1]
            for leaf in inner or [sub]:
                name = f"{command['name']} {sub['name']}"
                paths.add(name if leaf is sub else f"{name} {leaf['name']}")
    return paths


class Replays:
    """Carries out each case, then delivers it again and checks that nothing happened."""

    def __init__(
        self,
        fake: FakeDiscord,
        bot_runner: BotRunner,
        room: int,
        people: list[SimulatedMember],
        probe: SimulatedMember,
    ) -> None:
        self.fake = fake
        self.bot_runner = bot_runner
        self.room = room
        self.people = people
        self.probe = probe
        self.commands: set[str] = set()
        self.buttons: set[str] = set()

    def snapshot(self) -> tuple[Any, ...]:
        fake = self.fake
        return (
            database_rows(self.bot_runner.database),
            [m["id"] for m in fake.channel_messages(self.room)],
            [len(fake.dms(p.id)) for p in self.people],
            [sorted(p.member.roles) for p in self.people],
        )

    async def quiet(self) -> None:
        """Until the bot has made no call that changes anything for a moment (a section's
        words, a panel redrawn a little later, a welcome posted after the answer)."""
        while True:
            mark = len(self.fake.requests)
            await asyncio.sleep(QUIET_SECONDS)
            if not [r for r in self.fake.requests[mark:] if r.method != "GET"]:
                return

    async def answered(self, used: SimulatedInteraction) -> JSON | None:
        """Wait for the answer (a deferred one's followup or edit); the message it carries."""
        callback = await used.wait_response()
        if callback.type in (5, 6):
            token = used.token
            await self.fake.wait_until(
                lambda: any(
                    token in r.path
                    for r in self.fake.requests_matching("POST", rf"/webhooks/\d+/{token}")
                    + self.fake.requests_matching("PATCH", rf"/webhooks/\d+/{token}/.+")
                ),
                5,
                what=f"the answer to {used}",
            )
            return (used.followups or [used.original or {}])[0]
        return used.original or callback.data

    async def case(self, name: str, used: SimulatedInteraction) -> JSON | None:
        answer = await self.answered(used)
        await self.quiet()
        before = self.snapshot()
        mark = len(self.fake.requests)
        used.deliver_again()
        probe = await self.probe.slash(self.room, "about")
        await probe.wait_response()
        await asyncio.sleep(0.1)
        calls = [
            f"{r.method} {r.route}"
            for r in self.fake.requests[mark:]
            if f"/interactions/{probe.id}/" not in r.path
            and r.method != "GET"
            and r.route != PANEL_EDIT  # a panel redrawn a moment after the first delivery
        ]
        assert calls == [], f"the second {name} called Discord: {calls}"
        assert self.snapshot() == before, f"the second {name} changed something"
        return answer

    async def slash(
        self, who: SimulatedMember, command: str, options: JSON | None = None
    ) -> JSON | None:
        self.commands.add(command)
        return await self.case(f"/{command}", await who.slash(self.room, command, options))

    async def click(self, who: SimulatedMember, message: JSON, label: str) -> JSON | None:
        """Press the button whose label starts with ``label``, as a case."""
        exact = [b for b in buttons(message) if b.get("label") == label]  # "Pause", not "… lock"
        (button,) = exact or [b for b in buttons(message) if b.get("label", "").startswith(label)]
        self.buttons.add(label)
        return await self.case(label, await who.click(int(message["id"]), button["custom_id"]))

    async def choose(self, who: SimulatedMember, message: JSON, action: str, label: str) -> None:
        """Choose ``label`` from the panel's list (``pick`` or ``tag``), as a case."""
        (select,) = [
            c for c in buttons(message) if c.get("type") == 3 and c["custom_id"].endswith(action)
        ]
        (value,) = [o["value"] for o in select["options"] if o["label"] == label]
        self.buttons.add(f"the {action} list")
        used = await who.select(int(message["id"]), select["custom_id"], [value])
        await self.case(f"the {action} list", used)

    async def refused_answer(self, status: int, used: SimulatedInteraction, what: str) -> None:
        """Discord refuses the answer (a followup): one WARNING, nothing more sent."""
        logs = self.bot_runner.logs
        await self.fake.wait_until(lambda: logs().count(REFUSED) > self.warnings, 10, what=what)
        await self.quiet()
        assert logs().count(REFUSED) == self.warnings + 1, what
        assert f"HTTP {status}" in logs().split(REFUSED)[-1].splitlines()[0]
        assert "Could not deliver an error reply" not in logs()
        assert used.followups == []  # no second (false) answer
        self.warnings += 1

    warnings = 0


async def test_every_command_and_button_delivered_twice_acts_once(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Replay Circle", owner_username="echowarden")
    room = fake.add_channel(guild.id, "replay-room").id
    people = [fake.add_member(guild.id, n, global_name=f"{n.title()} Twice") for n in NAMES]
    for person in people:
        person.member.joined_at = LONG_AGO
    chair, reader, third, probe, leaver = people
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    bot_runner.settings["CLOCK_RATE"] = "1"
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    check = Replays(fake, bot_runner, room, [*people, guild.owner], probe)
    owner = guild.owner

    # The group and its format.
    await check.slash(owner, "group setup", {"format": "open-discussion"})
    await wait_message(fake, room, "home to a peer group")
    own_words = b"\ndeclarations:\n  worked-step: I've worked this step\n"
    ours = fake.make_attachment(
        "our-way.yaml", (FORMATS / "open-discussion.yaml").read_bytes() + own_words
    )
    offer = await check.slash(owner, "format upload", {"file": ours})
    assert offer is not None
    await check.click(owner, offer, "Adopt it now")
    for command in (
        "about",
        "group settings",
        "group schedule",
        "newcomer",
        "format list",
        "format show",
    ):
        await check.slash(reader, command)
    pages = await check.slash(reader, "format preview")
    assert pages is not None
    assert buttons(pages), "the preview has pages to turn"
    await check.click(reader, pages, "Next")
    await check.slash(reader, "privacy what-i-keep")

    # Between meetings (issue 15): the group's support resources, privately.
    listed = await check.slash(reader, "resources")
    assert listed is not None
    assert "local emergency number" in listed["content"]

    # Decisions: a concern, a proposal seconded and voted on, refusals.
    await check.slash(reader, "concern", {"member": third, "guideline": "crosstalk"})
    mark = len(fake.channel_messages(room))
    await check.slash(reader, "propose change", {"what": "format", "value": "speaker-meeting"})
    proposal = await wait_message(fake, room, "A proposal for the group", after=mark)
    await check.click(third, proposal, "Second")
    ballot = await wait_message(fake, room, "Secret ballot", after=mark, with_buttons=True)
    await check.click(reader, ballot, buttons(ballot)[0]["label"])
    await check.slash(third, "vote status")
    await check.slash(reader, "propose exclusion", {"member": third, "meetings": 1})
    await check.slash(reader, "propose welcome-back", {"member": third})
    await check.slash(third, "remind")
    said = await third.say(room, "Thank you all for listening.")
    check.commands.add("Gentle reminder")  # the message menu
    await check.case(
        "Gentle reminder", await reader.message_command(int(said["id"]), "Gentle reminder")
    )

    # A meeting: commands, the panel, a prompt, a pause and its Resume.
    await check.slash(chair, "meeting start")
    countdown = await wait_message(fake, room, "We'll begin <t:", with_buttons=True)
    await check.click(chair, countdown, "Start now")  # the format's countdown, cut short
    await wait_message(fake, room, "**Welcome**")
    board = panel(fake, room)
    await check.slash(third, "meeting status")
    await check.click(reader, board, "Raise hand")
    await check.click(reader, board, "Lower hand")
    await check.slash(reader, "hand")
    await check.click(chair, board, "Next (chair)")
    await check.slash(chair, "meeting next")
    reading = await wait_message(fake, room, "Would someone like to read", with_buttons=True)
    await check.click(reader, reading, "I'll read it")
    await check.slash(chair, "meeting back")
    await check.click(third, board, "Step in as chair")
    for command in ("pass", "done"):
        await check.slash(third, command)
    fake.fail_next("POST", r"/channels/\d+/messages", status=403, code=50013)
    await (await chair.click(int(board["id"]), f"pc:m:{board_id(board)}:next")).wait_followups()
    await fake.wait_until(lambda: "resume" in str(buttons(panel(fake, room))), 5, what="Resume")
    await check.click(chair, panel(fake, room), "Resume")

    # The room: private declarations, the chair's tools, the panel's list, /meeting pick, /tag.
    await check.click(reader, board, "It's my first time")
    await check.click(third, board, "I'd rather listen today")
    told = await check.click(reader, board, "I've worked this step")  # the format's own
    assert told is not None
    assert "only how many said it, never who" in told["content"]
    await check.click(chair, board, "Pause")
    await check.slash(chair, "meeting resume")
    await check.slash(chair, "meeting pause")
    await check.click(chair, await shows(fake, room, "resume"), "Resume")
    await check.click(chair, board, "Back")
    await check.click(chair, board, "+2 min")  # nobody is sharing: kindly refused
    await check.slash(chair, "meeting extend", {"minutes": 3})
    await check.click(chair, board, "Skip this part")
    while "Raise your hand when you'd like" not in str(fake.channel_messages(room)[-3:]):
        await check.slash(chair, "meeting skip")
    await check.click(reader, board, "Raise hand")  # the floor is the reader's
    await check.click(third, board, "Raise hand")  # no longer only listening: waiting
    await fake.wait_until(lambda: select_on(panel(fake, room)), 5, what="the panel's list")
    await check.choose(chair, panel(fake, room), "pick", "Mossgrove")
    await check.slash(chair, "meeting pick", {"member": third})
    await check.slash(reader, "tag", {"member": third})  # not a tag part: kindly refused

    # A word for the chair, privately and without a name (`private-requests`): the form opens
    # once, and its words are passed on once.
    offer = await wait_message(fake, room, "Tell the chair privately", with_buttons=True)
    await check.click(reader, offer, "Tell the chair privately")
    words = {"words": "Could someone share about patience?"}
    form = await reader.submit_modal(f"pc:mr:{board_id(board)}:ask", words)
    sent = await check.case("the ask form", form)
    assert sent is not None
    assert "passed it to the chair privately, without your name" in sent["content"]
    notes = [m for p in people for m in fake.dms(p.id) if "pass this on" in m["content"]]
    assert len(notes) == 1
    assert notes[0]["content"].endswith("> Could someone share about patience?")
    assert "lanternfield" not in notes[0]["content"].lower()

    # Discord refuses the answer to a press (403 on its followup): one WARNING, nothing else.
    check.warnings = bot_runner.logs().count(REFUSED)
    fake.fail_next("POST", WEBHOOK, status=403)
    pressed = await reader.click(int(board["id"]), f"pc:m:{board_id(board)}:hand")
    await check.refused_answer(403, pressed, "a refused answer to Raise hand")
    await check.slash(chair, "meeting end")

    # The rotation: commands and its Join / Leave buttons.
    await check.slash(chair, "rotation join")
    shown = await check.slash(third, "rotation show")
    assert shown is not None
    await check.click(third, shown, "Join")
    await check.click(third, shown, "Leave")
    await check.slash(third, "rotation swap", {"member": chair})
    await check.slash(chair, "rotation leave")
    for status, command in ((404, "rotation show"), (403, "rotation join")):
        fake.fail_next("POST", WEBHOOK, status=status)
        used = await third.slash(room, command)
        await check.refused_answer(status, used, f"a refused answer to /{command}")

    # Forget me: the confirmation's two buttons.
    asked = await check.slash(leaver, "privacy forget-me")
    assert asked is not None
    await check.click(leaver, asked, "Keep everything")
    again = await leaver.slash(room, "privacy forget-me")
    await again.wait_response()
    await check.click(leaver, await again.wait_original(), "Forget me")

    await business_replays(fake, bot_runner, (guild.id, guild.owner), people, probe, check)
    await raid_lock_replays(fake, bot_runner, (guild.id, guild.owner), people, probe, check)

    registered = command_paths(fake.guild_commands[guild.id])
    assert registered - check.commands == set(), "commands never delivered twice"
    assert len(check.buttons) >= 14


def select_on(message: JSON) -> bool:
    return any(c.get("type") == 3 for c in buttons(message))


async def shows(fake: FakeDiscord, room: int, action: str) -> JSON:
    """The panel once it shows ``action`` (it is redrawn a moment after a change)."""
    ending = f":{action}"
    await fake.wait_until(
        lambda: any(b.get("custom_id", "").endswith(ending) for b in buttons(panel(fake, room))),
        5,
        what=f"the panel's {action} button",
    )
    return panel(fake, room)


def board_id(board: JSON) -> str:
    return str(buttons(board)[0]["custom_id"].split(":")[2])


async def business_replays(
    fake: FakeDiscord,
    bot_runner: BotRunner,
    server: tuple[int, SimulatedMember],
    people: list[SimulatedMember],
    probe: SimulatedMember,
    check: Replays,
) -> None:
    """A business meeting in a room of its own: the motion form and every business button
    (issue 14, BUSINESS lane), each delivered twice."""
    chair, reader, third, _, _ = people
    guild_id, owner = server
    room = fake.add_channel(guild_id, "replay-business").id
    biz = Replays(fake, bot_runner, room, [*people, owner], probe)
    await biz.slash(owner, "group setup", {"format": "business-meeting"})
    await wait_message(fake, room, "home to a peer group")
    await biz.slash(chair, "meeting start")
    invite = await chair_moves_on_until(fake, room, chair, "Make a motion**")

    async def motion(member: SimulatedMember, words: str) -> JSON:
        mark = len(fake.channel_messages(room))
        await biz.click(member, invite, "Make a motion")  # opens the form (a modal)
        meeting = buttons(invite)[0]["custom_id"].split(":")[3]
        form = await member.submit_modal(f"pc:bz:motion:{meeting}", {"motion": words})
        await biz.case("the motion form", form)
        return await wait_message(fake, room, "**A motion**", after=mark, with_buttons=True)

    def now(message: JSON) -> JSON:
        return dict(fake.state.messages[int(message["id"])].data)

    first = await motion(reader, "We meet every week.")
    await biz.click(third, first, "Second")
    await biz.click(chair, now(first), "Call the vote")
    ballot = await wait_message(fake, room, "**Secret ballot", with_buttons=True)
    await biz.click(reader, ballot, "Yes")
    await biz.click(third, ballot, "No")
    await biz.click(probe, ballot, "Abstain")
    await biz.click(chair, ballot, "Close the vote")
    second = await motion(third, "We buy a kettle.")
    await biz.click(third, second, "Withdraw")
    third_motion = await motion(reader, "We change our closing.")
    await biz.click(third, third_motion, "Second")
    await biz.click(probe, now(third_motion), "Move to table")
    await biz.click(chair, now(third_motion), "Table it")
    election = await chair_moves_on_until(fake, room, chair, "**Electing our")
    await biz.click(third, election, "I'd like to serve")
    await biz.click(third, now(election), "Take my name off")
    await biz.click(reader, now(election), "I'd like to serve")
    await biz.click(chair, now(election), "Open the ballot")
    vote = await wait_message(fake, room, "our secretary.**", with_buttons=True)
    await biz.click(third, vote, buttons(vote)[0]["label"])
    await biz.slash(chair, "meeting end")
    check.commands |= biz.commands
    check.buttons |= biz.buttons


async def chair_moves_on_until(
    fake: FakeDiscord, room: int, chair: SimulatedMember, text: str
) -> JSON:
    """The chair presses Next (not as a case) until a message with buttons says ``text``."""
    for _ in range(12):
        try:
            return await wait_message(fake, room, text, with_buttons=True, limit=1.5)
        except TimeoutError:
            board = panel(fake, room)
            (next_id,) = [
                b["custom_id"] for b in buttons(board) if b["custom_id"].endswith(":next")
            ]
            await (await chair.click(int(board["id"]), next_id)).wait_followups()
    raise AssertionError(f"the meeting never said {text!r}")


async def raid_lock_replays(
    fake: FakeDiscord,
    bot_runner: BotRunner,
    server: tuple[int, SimulatedMember],
    people: list[SimulatedMember],
    probe: SimulatedMember,
    check: Replays,
) -> None:
    """The raid lock in a room of its own (issue 15, item 7): the panel's Pause and lock,
    /lock, the lock message's Lift the lock, a show of hands' Lift it / Keep it, /unlock."""
    chair, reader, third, _, _ = people
    guild_id, owner = server
    room = fake.add_channel(guild_id, "replay-lock").id
    lock = Replays(fake, bot_runner, room, [*people, owner], probe)
    await lock.slash(owner, "group setup", {"format": "open-discussion"})
    await wait_message(fake, room, "home to a peer group")
    mark = len(fake.channel_messages(room))
    await lock.slash(chair, "meeting start")
    countdown = await wait_message(fake, room, "We'll begin <t:", with_buttons=True, after=mark)
    await lock.click(chair, countdown, "Start now")  # the format counts down first
    await wait_message(fake, room, "**Welcome**")
    await lock.click(reader, panel(fake, room), "Pause and lock")
    locked = await wait_message(fake, room, "This channel is locked", with_buttons=True)
    await lock.slash(third, "lock")  # already locked: says so
    await lock.click(third, locked, "Lift the lock")  # not the chair: a show of hands
    hands = await wait_message(fake, room, "Should the channel open again", with_buttons=True)
    await lock.click(reader, hands, "Lift it")
    await lock.click(chair, hands, "Keep it")
    await lock.slash(chair, "unlock")  # the chair lifts it
    await wait_message(fake, room, "The chair lifted the lock")
    await lock.slash(chair, "meeting end")
    check.commands |= lock.commands
    check.buttons |= lock.buttons
