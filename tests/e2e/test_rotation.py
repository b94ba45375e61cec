"""The service rotation through the fake Discord: five volunteers, three meetings, a "can't make
it" (its announcement held by Discord's 500s through a kill -9, and posted once after the
restart), a swap, a volunteer who leaves, the temporary chair role given and taken back, and a
volunteer who leaves the server while the bot is stopped, forgotten when it starts again.

The bot runs as a real child process; who is in the rotation is a Discord role the bot creates,
and the database dump after each test holds no member id or name (checked by the harness).
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

from bot.core.pseudonyms import Pseudonymizer
from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import buttons, panel, press, slash, start_meeting, wait_message
from tests.fakediscord import FakeDiscord, GuildHandle, SimulatedMember
from tests.fakediscord.permissions import DEFAULT_BOT_PERMISSIONS, PERMISSION_BITS
from tests.support.privacy import dump_database

JSON = dict[str, Any]
NAMES = ("hazelburrow", "tidewhistle", "emberfold", "quillmarsh", "brackenlea", "duskvale")
LONG_AGO = "2023-01-02T03:04:05.000000+00:00"
#: 15 clock minutes make a meeting count; at 600x that is 1.5 real seconds.
CLOCK_RATE = "600"
ANNOUNCED = "Next time, from the rotation"


async def rotation_group(
    fake: FakeDiscord,
    bot_runner: BotRunner,
    *,
    members: int = 5,
    bot_permissions: int = DEFAULT_BOT_PERMISSIONS,
) -> tuple[GuildHandle, int, list[SimulatedMember]]:
    guild = fake.add_guild(
        "Rotation Circle", owner_username="lanternkeep", bot_permissions=bot_permissions
    )
    room = fake.add_channel(guild.id, "circle-room")
    people = [
        fake.add_member(guild.id, name, global_name=f"{name.title()} Rowanfield")
        for name in NAMES[:members]
    ]
    for person in people:  # members of long standing: none of them is new to the server
        fake.state.guilds[guild.id].members[person.id].joined_at = LONG_AGO
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    bot_runner.settings["CLOCK_RATE"] = CLOCK_RATE
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    setup = await guild.owner.slash(room.id, "group setup", {"format": "open-discussion"})
    await setup.wait_response()
    await wait_message(fake, room.id, "home to a peer group")
    return guild, room.id, people


def role_named(fake: FakeDiscord, guild_id: int, prefix: str) -> int:
    for role in fake.state.guilds[guild_id].roles.values():
        if role.name.startswith(prefix):
            return role.id
    raise AssertionError(f"no role named {prefix}…")


async def reply(
    person: SimulatedMember, room: int, command: str, options: JSON | None = None
) -> str:
    used = await person.slash(room, command, options)
    return str((await used.wait_followups())[0]["content"])


async def next_announcement(fake: FakeDiscord, room: int, after: int) -> tuple[JSON, int]:
    """The next "up next" announcement after position ``after``; its one pinged person."""
    message = await wait_message(fake, room, ANNOUNCED, after=after, limit=30)
    (pinged,) = [int(user["id"]) for user in message["mentions"]]
    assert buttons(message), "an announcement carries I'll do it / Can't make it"
    return message, pinged


async def run_meeting(
    fake: FakeDiscord,
    room: int,
    starter: SimulatedMember,
    serving_role: int,
    people: list[SimulatedMember],
) -> tuple[str, int]:
    """Start, two more members take part, let 15 clock minutes pass, end; returns the panel's
    chair line and the position of the channel's messages when the meeting ended."""
    await start_meeting(fake, starter, room)
    board = panel(fake, room)
    for member in [person for person in people if person is not starter][:2]:
        await press(member, board, "hand")  # three members take part: the meeting can count
    chair_line = next(
        line for line in board["embeds"][0]["description"].splitlines() if "Chair" in line
    )
    await fake.wait_until(lambda: serving_role in starter.roles, 5, what="the temporary chair role")
    await asyncio.sleep(2)  # 15 clock minutes and more: the meeting counts
    mark = len(fake.channel_messages(room))
    assert "Thank you for serving" in await slash(starter, room, "meeting end")
    await wait_message(fake, room, "This meeting has ended", after=mark)
    await fake.wait_until(
        lambda: serving_role not in starter.roles, 5, what="the temporary role taken back"
    )
    return chair_line, mark


def volunteer_rows(database: Path) -> int:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT count(*) FROM rotation_volunteers").fetchone()[0])
    finally:
        conn.close()


async def test_three_meetings_pass_the_chair_round(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild, room, people = await rotation_group(fake, bot_runner)
    by_id = {person.id: person for person in people}

    for person in people:
        assert "You're in the chair rotation" in await reply(person, room, "rotation join")
    volunteers = role_named(fake, guild.id, "Chair rotation")
    serving = role_named(fake, guild.id, "Chair today")
    assert all(volunteers in person.roles for person in people)
    assert "already in the chair rotation" in await reply(people[0], room, "rotation join")
    # The training a member says they have done: for themself, as an option of /rotation join.
    said = await reply(people[0], room, "rotation join", {"trained": True})
    assert "I've noted that you've done the group's training for the chair" in said
    shown = await reply(people[1], room, "rotation show")
    assert all(person.global_name and person.global_name in shown for person in people)
    # A member whose Discord is in French reads what only they see in French (the group's posts
    # stay in its language: English here).
    claire = fake.add_member(guild.id, "claire", locale="fr")
    assert await reply(claire, room, "rotation leave") == (
        "Vous n'êtes pas dans la rotation ici : il n'y avait rien à retirer."
    )
    (her_view,) = await (await claire.slash(room, "rotation show")).wait_followups()
    assert [b["label"] for b in buttons(her_view)] == ["Rejoindre : chair", "Quitter : chair"]

    # Meeting 1: nobody was announced yet, so whoever starts chairs.
    first = people[0]
    chair_line, mark = await run_meeting(fake, room, first, serving, people)
    assert "Hazelburrow" in chair_line
    announced, asked = await next_announcement(fake, room, mark)
    assert asked != first.id  # not twice in a row, and the least recently served go first
    assert f"<@{asked}>" in announced["content"]
    chairs = [first.id]

    # "Can't make it" passes the turn, without penalty. Discord fails the post that says so
    # (500s) and the bot is killed (-9) while it waits: the turn was decided and committed, so
    # the next start posts the announcement, once.
    mark = len(fake.channel_messages(room))
    fake.fail_next("POST", rf"/channels/{room}/messages", status=500, count=100, content=ANNOUNCED)
    await by_id[asked].click(int(announced["id"]), button_id(announced, "cant"))
    await fake.wait_until(
        lambda: any(
            r.status == 500 for r in fake.requests_matching("POST", rf"/channels/{room}/messages")
        ),
        10,
        what="the announcement's post, failing",
    )
    await bot_runner.kill()
    fake.rest.faults.clear()
    assert not [m for m in fake.channel_messages(room)[mark:] if ANNOUNCED in m["content"]]
    await bot_runner.start()
    passed, passed_to = await next_announcement(fake, room, mark)
    assert "the turn has passed on" in passed["content"]
    assert passed_to not in (asked, first.id)
    assert "isn't yours" in await press(by_id[asked], announced, "cant")
    assert len([m for m in fake.channel_messages(room)[mark:] if ANNOUNCED in m["content"]]) == 1

    # A swap: the person now asked trades places with a volunteer who hasn't served.
    swapper = by_id[passed_to]
    partner = next(p for p in people if p.id not in (first.id, asked, passed_to))
    asked_privately = await reply(swapper, room, "rotation swap", {"member": partner.id})
    assert "asked" in asked_privately
    request = next(m for m in fake.dms(partner.id) if "swap places" in m["content"])
    assert swapper.global_name
    assert swapper.global_name in request["content"]
    mark = len(fake.channel_messages(room))
    pressed = await partner.click(int(request["id"]), buttons(request)[0]["custom_id"])
    assert "swapped places" in (await pressed.wait_followups())[0]["content"]
    _, now_asked = await next_announcement(fake, room, mark)
    assert now_asked == partner.id
    assert any("swap in the chair rotation is done" in m["content"] for m in fake.dms(swapper.id))

    # Meeting 2: the person whose turn it is starts it, and chairs.
    assert "Thank you!" in await press(partner, announced_for(fake, room, partner), "yes")
    chair_line, mark = await run_meeting(fake, room, partner, serving, people)
    assert partner.global_name
    assert partner.global_name.split()[0] in chair_line
    chairs.append(partner.id)
    _, third = await next_announcement(fake, room, mark)
    assert third not in chairs

    # The person asked for meeting 3 leaves: someone else is asked, and they never come up again.
    leaver = by_id[third]
    mark = left_at = len(fake.channel_messages(room))
    left = await reply(leaver, room, "rotation leave")
    assert "You've left the chair rotation" in left
    assert "asked the next person" in left
    assert volunteers not in leaver.roles
    assert volunteer_rows(bot_runner.database) == 4
    _, replacement = await next_announcement(fake, room, mark)
    assert replacement not in (*chairs, leaver.id)
    shown = await reply(people[1], room, "rotation show")
    assert leaver.global_name
    assert leaver.global_name not in shown

    # Meeting 3, chaired by the replacement.
    chair_line, mark = await run_meeting(fake, room, by_id[replacement], serving, people)
    chairs.append(replacement)
    assert len(set(chairs)) == 3  # the chair changed each time
    _, fourth = await next_announcement(fake, room, mark)
    assert fourth != leaver.id
    assert fourth not in chairs  # the one volunteer who hasn't served yet
    for message in fake.channel_messages(room)[left_at:]:
        assert str(leaver.id) not in message.get("content", "")  # never picked again

    # Forget-me takes the person asked next out of the rotation, and the turn passes on.
    forgetting = by_id[fourth]
    mark = len(fake.channel_messages(room))
    used = await forgetting.slash(room, "privacy forget-me")
    await used.wait_response()
    original = await used.wait_original()
    confirm = buttons(original)[0]["custom_id"]
    done = await (await forgetting.click(int(original["id"]), confirm)).wait_response()
    assert done.data is not None
    assert "I keep nothing about you" in done.data["content"]
    await fake.wait_until(lambda: volunteers not in forgetting.roles, 5, what="out of rotation")
    _, instead = await next_announcement(fake, room, mark)
    assert instead not in (forgetting.id, leaver.id)
    assert volunteer_rows(bot_runner.database) == 3


def button_id(message: JSON, action: str) -> str:
    """The custom_id of a rotation button (``pc:rot:<group>:<action>:<arg>``)."""
    return next(b["custom_id"] for b in buttons(message) if b["custom_id"].split(":")[3] == action)


def announced_for(fake: FakeDiscord, room: int, member: SimulatedMember) -> JSON:
    for message in reversed(fake.channel_messages(room)):
        if f"<@{member.id}>" in message.get("content", "") and buttons(message):
            return message
    raise AssertionError("no announcement for this member")


async def test_an_absent_chair_is_stood_in_for_and_restarts_tidy_the_role(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild, room, people = await rotation_group(fake, bot_runner, members=3)
    by_id = {person.id: person for person in people}
    for person in people:
        await reply(person, room, "rotation join")
    # A member who isn't in the rotation, there to take part in the meetings.
    guest = fake.add_member(guild.id, "mossgrove", global_name="Mossgrove Rowanfield")
    fake.state.guilds[guild.id].members[guest.id].joined_at = LONG_AGO
    serving = role_named(fake, guild.id, "Chair today")
    _, mark = await run_meeting(fake, room, people[0], serving, people)
    _, asked = await next_announcement(fake, room, mark)
    absent = by_id[asked]
    helper = next(p for p in people if p.id not in (asked, people[0].id))

    # Someone else opens the meeting: the person whose turn it is still chairs, and gets the
    # temporary role, but has five minutes to arrive before anyone in the room can step in.
    mark = len(fake.channel_messages(room))
    started = await start_meeting(fake, helper, room)
    assert "Today's chair is on the rotation" in started
    note = await wait_message(fake, room, "is on the rotation to chair today", after=mark)
    assert note["mentions"] == []  # named (they volunteered), not pinged
    await fake.wait_until(lambda: serving in absent.roles, 5, what="the role for today's chair")
    board = panel(fake, room)
    assert "Only today's chair" in await press(helper, board, "next")
    assert "moment ago" in await press(helper, board, "stepin")
    await asyncio.sleep(0.6)  # five clock minutes
    assert "Thank you for stepping in" in await press(helper, board, "stepin")
    await press(people[0], board, "hand")  # three members take part: the meeting can count
    await press(guest, board, "hand")
    await fake.wait_until(
        lambda: serving in helper.roles and serving not in absent.roles,
        5,
        what="the temporary role moved to the stand-in",
    )
    await asyncio.sleep(1.6)  # the meeting counts
    mark = len(fake.channel_messages(room))
    await slash(helper, room, "meeting end")
    await fake.wait_until(lambda: serving not in helper.roles, 5, what="the role taken back")
    # The turn counted for the stand-in; the absent chair keeps their place and is asked again.
    _, again = await next_announcement(fake, room, mark)
    assert again == absent.id

    # A kill -9 mid-meeting: after the restart the meeting goes on, the chair keeps the role,
    # and a stray holder of it (the bot died before taking it back) loses it.
    await start_meeting(fake, absent, room)
    await fake.wait_until(lambda: serving in absent.roles, 5, what="the role for the chair")
    await bot_runner.kill()
    fake.update_member(guild.id, helper.id, roles=[*helper.roles, serving])
    mark = len(fake.channel_messages(room))
    await bot_runner.start()
    await wait_message(fake, room, "I had to restart", after=mark)
    await fake.wait_until(lambda: serving not in helper.roles, 5, what="the stray role gone")
    assert serving in absent.roles
    await asyncio.sleep(1.6)
    await slash(absent, room, "meeting end")
    await fake.wait_until(lambda: serving not in absent.roles, 5, what="the role taken back")

    # The meeting is over while the bot is away: the restart takes the role back. Meanwhile a
    # volunteer leaves the server (Discord tells nobody later): the restart forgets them there.
    await bot_runner.stop()
    fake.update_member(guild.id, helper.id, roles=[*helper.roles, serving])
    leaver = people[0]
    key = Pseudonymizer(bytes.fromhex((bot_runner.data_dir / "pseudonym.key").read_text()))
    coded = key.of(guild.id, leaver.id)
    assert coded in dump_database(bot_runner.database)
    fake.remove_member(guild.id, leaver.id)
    await bot_runner.start()
    await fake.wait_until(lambda: serving not in helper.roles, 10, what="the role tidied")
    await fake.wait_until(
        lambda: coded not in dump_database(bot_runner.database), 10, what="the leaver forgotten"
    )
    assert volunteer_rows(bot_runner.database) == len(people) - 1  # the others are kept


async def test_without_manage_roles_the_bot_says_what_is_missing(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    no_roles = DEFAULT_BOT_PERMISSIONS & ~PERMISSION_BITS["manage_roles"]
    _, room, (first, *_) = await rotation_group(
        fake, bot_runner, members=2, bot_permissions=no_roles
    )
    refused = await reply(first, room, "rotation join")
    assert "**Manage Roles** permission" in refused
    assert "Nothing changed" in refused
    assert volunteer_rows(bot_runner.database) == 0
    # The meeting still runs: with nobody in the rotation, whoever starts it chairs.
    assert "Thank you for chairing" in await start_meeting(fake, first, room)
