"""The format's role keys at work in the rotation service, on a real database with a fake
Discord: seats, trained, elected, substitute and duties — and a member who wants their way
(declaring for someone else, volunteering twice, keeping a seat after forget-me)."""

from __future__ import annotations

import pytest

from bot.core.pseudonyms import Pseudonym
from bot.core.rotation import Rotation
from bot.errors import NotAllowed
from bot.runtime.events import MemberForgotten, ServiceElected
from bot.runtime.formats import FormatLibrary
from bot.runtime.live import CHAIR
from bot.runtime.rotation import role_rules, texts
from bot.store.privacy import PersonalData
from tests.runtime.test_rotation_service import (
    CHANNEL,
    GUILD,
    START,
    Bench,
    User,
)
from tests.runtime.test_rotation_service import bench as bench  # the fixture

ROLES = """
format: 1
name: Roles at work
roles:
  chair:
    duties: Opens and closes the meeting and keeps it moving.
    substitute: co-chair
  co-chair:
    duties: Stands in when the chair can't come.
  reader:
    seats: 2
  treasurer:
    trained: true
  secretary:
    elected: true
    term: 3 meetings
    fallback: chair
sections:
  - say: Welcome.
  - closing: Thank you for coming.
"""
NAMES = ("Hazel Rowan", "Tide Whistle", "Ember Fold", "Quill Marsh", "Bracken Lea", "Moss Vale")


async def with_roles(bench: Bench) -> list[User]:
    number = await bench.store.group_formats.add(
        bench.group_id, label="roles", source=ROLES, now=START
    )
    await bench.store.group_formats.adopt(bench.group_id, f"group:{number}", START)
    return [bench.discord.add(100 + i, name) for i, name in enumerate(NAMES)]


async def rotation(bench: Bench) -> Rotation:
    group = await bench.group()
    plan = await FormatLibrary(bench.store).current(group)
    return await bench.store.rotation.load(group.id, role_rules(plan))


def announced(bench: Bench) -> str:
    (text,) = [t for t, _, _ in bench.discord.posts[-1:] if t.startswith("**Next time")]
    return text


async def rows_about(bench: Bench, who: Pseudonym) -> int:
    total = 0
    for table, column in (
        ("rotation_volunteers", "volunteer"),
        ("rotation_turns", "who"),
        ("rotation_seats", "who"),
        ("rotation_elected", "who"),
    ):
        total += int(
            await bench.store.db.fetchval(
                f"SELECT count(*) FROM {table} WHERE {column} = ?",
                (who,),
            )
        )
    return total


async def test_seats_are_announced_each_by_name_and_all_serve_at_the_meeting(
    bench: Bench,
) -> None:
    people = await with_roles(bench)
    d = bench.discord
    for person in people[:4]:
        await bench.service.join(CHANNEL, person, "reader")
    await bench.service.join(CHANNEL, people[5], None)
    await bench.hold_meeting(people[5])
    text = announced(bench)
    readers = [line for line in text.splitlines() if line.startswith("• Reader:")]
    assert len(readers) == 2  # each seat named
    asked = {int(line.split("<@")[1].split(">")[0]) for line in readers}
    assert len(asked) == 2
    assert asked <= {p.id for p in people[:4]}

    # At the meeting both hold the role, and the turn counts for both.
    group = await bench.group()
    starting = await bench.service.roles_for_meeting(group, d.who(people[5]))
    assert sorted(starting.holders["reader"]) == sorted(d.who(User(i)) for i in asked)
    await bench.hold_meeting(people[5], meeting_id=2)
    served = (await rotation(bench)).role("reader").volunteers
    assert {who for who, v in served.items() if v.last_served == 2} == {
        d.who(User(i)) for i in asked
    }

    # Forget-me: a member asked for a seat keeps nothing, and the seat passes on.
    up = (await rotation(bench)).role("reader").upcoming
    assert up is not None
    assert len(up.holders) == 2
    leaving = up.holders[1]
    await PersonalData(bench.store.db).forget_member(
        guild_id=GUILD, member=leaving, now=bench.clock.timestamp()
    )
    await bench.service.member_forgotten(MemberForgotten(GUILD, leaving))
    await bench.service.close()
    assert await rows_about(bench, leaving) == 0
    up = (await rotation(bench)).role("reader").upcoming
    assert up is not None
    assert leaving not in up.seats
    assert None not in up.seats


async def test_only_volunteers_who_say_they_are_trained_are_asked_and_the_flag_goes_with_them(
    bench: Bench,
) -> None:
    people = await with_roles(bench)
    ann, bea, chair = people[0], people[1], people[5]
    d = bench.discord
    untrained = str(await bench.service.join(CHANNEL, ann, "treasurer"))
    assert "This group asks that a treasurer has done its training" in untrained
    trained = str(await bench.service.join(CHANNEL, bea, "treasurer", trained=True))
    assert "I've noted that you've done the group's training for the treasurer" in trained
    # Saying it twice is harmless: one place, the flag as said, nobody else's flag touched.
    again = str(await bench.service.join(CHANNEL, bea, "treasurer", trained=True))
    assert again.startswith("You're already in the treasurer rotation")
    vols = (await rotation(bench)).role("treasurer").volunteers
    assert len(vols) == 2
    assert vols[d.who(bea)].trained
    assert not vols[d.who(ann)].trained

    await bench.service.join(CHANNEL, chair, None)
    await bench.hold_meeting(chair)
    assert f"• Treasurer: <@{bea.id}>" in announced(bench)

    # Forget-me: the flag goes with the row; nobody trained is left, so anyone may take it.
    who = d.who(bea)
    posts = len(d.posts)
    await PersonalData(bench.store.db).forget_member(
        guild_id=GUILD, member=who, now=bench.clock.timestamp()
    )
    await bench.service.member_forgotten(MemberForgotten(GUILD, who))
    await bench.service.close()
    assert await rows_about(bench, who) == 0
    up = (await rotation(bench)).role("treasurer").upcoming
    assert up is not None
    assert up.seats == (None,)  # nobody trained is left: anyone may take it
    assert all(ann.id not in pinged for _, pinged, _ in d.posts[posts:])
    # Joining again starts afresh: they must say it again.
    rejoined = str(await bench.service.join(CHANNEL, bea, "treasurer"))
    assert "This group asks that a treasurer has done its training" in rejoined
    assert not (await rotation(bench)).role("treasurer").volunteers[who].trained
    # Stopping volunteering deletes it too.
    await bench.service.leave(CHANNEL, bea, "treasurer")
    assert who not in (await rotation(bench)).role("treasurer").volunteers


async def test_an_elected_member_holds_the_role_and_with_nobody_elected_the_fallback_applies(
    bench: Bench,
) -> None:
    people = await with_roles(bench)
    d = bench.discord
    chair, elected = people[5], people[2]
    with pytest.raises(NotAllowed, match="elected at a business meeting"):
        await bench.service.join(CHANNEL, elected, "secretary")
    await bench.service.join(CHANNEL, chair, None)
    await bench.hold_meeting(chair)
    assert "• Secretary: nobody is elected to it just now, so the chair covers it" in announced(
        bench
    )
    group = await bench.group()
    # Elected at meeting 2 (the one under way) for three meetings: meetings 3, 4 and 5.
    await bench.service.service_elected(
        ServiceElected(group.id, "secretary", d.who(elected), until_meeting=5)
    )
    await bench.hold_meeting(chair, meeting_id=2)
    assert f"• Secretary: <@{elected.id}>" in announced(bench)
    starting = await bench.service.roles_for_meeting(await bench.group(), d.who(chair))
    assert starting.holders["secretary"] == [d.who(elected)]
    for meeting_id in (3, 4, 5):
        await bench.hold_meeting(chair, meeting_id=meeting_id)
    # The term is over: nobody holds it, the fallback applies again.
    assert "• Secretary: nobody is elected to it just now" in announced(bench)
    starting = await bench.service.roles_for_meeting(await bench.group(), d.who(chair))
    assert "secretary" not in starting.holders

    # Forget-me takes them out of an elected role at once.
    await bench.service.service_elected(
        ServiceElected(group.id, "secretary", d.who(elected), until_meeting=99)
    )
    await PersonalData(bench.store.db).forget_member(
        guild_id=GUILD, member=d.who(elected), now=bench.clock.timestamp()
    )
    assert await rows_about(bench, d.who(elected)) == 0


async def test_the_substitute_covers_a_turn_stepped_back_from_said_kindly(bench: Bench) -> None:
    people = await with_roles(bench)
    for person in people[:2]:
        await bench.service.join(CHANNEL, person, None)
    co_chair = people[3]
    await bench.service.join(CHANNEL, co_chair, "co-chair")
    await bench.hold_meeting(people[0])
    text = announced(bench)
    (chair_line,) = [line for line in text.splitlines() if line.startswith("• Chair:")]
    asked = int(chair_line.split("<@")[1].split(">")[0])
    assert f"• Co chair: <@{co_chair.id}>" in text

    await bench.service.cant_make_it(bench.group_id, 2, User(asked))
    assert (
        f"• Chair: <@{co_chair.id}>, our co chair, has kindly offered to stand in — thank you"
        in announced(bench)
    )


async def test_a_chair_absent_at_the_start_is_covered_by_the_substitute(bench: Bench) -> None:
    people = await with_roles(bench)
    d = bench.discord
    for person in people[:2]:
        await bench.service.join(CHANNEL, person, None)
    co_chair = people[3]
    await bench.service.join(CHANNEL, co_chair, "co-chair")
    await bench.hold_meeting(people[0])
    (line,) = [x for x in announced(bench).splitlines() if x.startswith("• Chair:")]
    asked = int(line.split("<@")[1].split(">")[0])
    # The announced chair isn't here; the co-chair starts the meeting and chairs at once.
    group = await bench.group()
    starting = await bench.service.roles_for_meeting(group, d.who(co_chair))
    assert starting.holders[CHAIR] == [d.who(co_chair)]
    assert starting.chair_arrives_within == 0.0
    posts = len(d.posts)
    await bench.hold_meeting(co_chair, meeting_id=2)
    first = d.people[asked].name.split()[0]
    assert d.posts[posts][0] == (
        f"**{first}** isn't here just now, so **Quill**, our co chair, has kindly stepped in "
        "as chair today. Thank you!"
    )
    served = (await rotation(bench)).role("chair").volunteers
    assert served[d.who(User(asked))].last_served is None  # the turn is still theirs to come


COVERED_READERS = """
format: 1
name: Readers covered
roles:
  co-chair:
    duties: Stands in when someone can't come.
  reader:
    seats: 2
    substitute: co-chair
sections:
  - say: Welcome.
  - closing: Thank you for coming.
"""


async def test_a_reader_not_in_the_voice_channel_is_covered_and_in_text_nobody_guesses(
    bench: Bench,
) -> None:
    """Any role with a substitute, not only the chair: a seat whose holder isn't in the voice
    channel at the start goes to the substitute's holder who is. In a text channel nobody can
    tell who is here, so the announced readers keep their turns."""
    number = await bench.store.group_formats.add(
        bench.group_id, label="covered", source=COVERED_READERS, now=START
    )
    await bench.store.group_formats.adopt(bench.group_id, f"group:{number}", START)
    people = [bench.discord.add(100 + i, name) for i, name in enumerate(NAMES)]
    d = bench.discord
    for person in people[:3]:
        await bench.service.join(CHANNEL, person, "reader")
    co_chair = people[3]
    await bench.service.join(CHANNEL, co_chair, "co-chair")
    await bench.service.join(CHANNEL, people[5], "chair")
    await bench.hold_meeting(people[5])
    lines = [x for x in announced(bench).splitlines() if x.startswith("• Reader:")]
    asked = [int(line.split("<@")[1].split(">")[0]) for line in lines]
    assert len(asked) == 2
    readers = [d.who(User(i)) for i in asked]
    group = await bench.group()

    # A text channel (nobody in voice), the co-chair starting: the readers keep their turns.
    starting = await bench.service.roles_for_meeting(group, d.who(co_chair))
    assert starting.holders["reader"] == readers
    # In voice, the second reader is there and the first isn't: the co-chair reads instead.
    d.in_voice.update({co_chair.id, asked[1]})
    starting = await bench.service.roles_for_meeting(group, d.who(people[5]))
    assert starting.holders["reader"] == [d.who(co_chair), readers[1]]
    posts = len(d.posts)
    await bench.hold_meeting(people[5], meeting_id=2)
    first = d.people[asked[0]].name.split()[0]
    assert d.posts[posts][0] == (
        f"**{first}** isn't here just now, so **Quill**, our co chair, has kindly stepped in "
        "as reader today. Thank you!"
    )
    # Both readers here: nobody is replaced.
    d.in_voice.update(asked)
    starting = await bench.service.roles_for_meeting(group, d.who(people[5]))
    assert d.who(co_chair) not in starting.holders.get("reader", [])


async def test_the_duties_are_in_the_thanks_and_the_reminder(bench: Bench) -> None:
    people = await with_roles(bench)
    for person in people[:3]:
        await bench.service.join(CHANNEL, person, None)
    await bench.hold_meeting(people[0])
    (line,) = [x for x in announced(bench).splitlines() if x.startswith("• Chair:")]
    asked = int(line.split("<@")[1].split(">")[0])
    thanks = str(await bench.service.will_serve(bench.group_id, 2, User(asked)))
    assert thanks.endswith(
        "\nWhat the chair does: Opens and closes the meeting and keeps it moving."
    )
    reminder = str(
        texts.reminder(
            "chair", "#circle-room", evening=True, duties="Opens and closes the meeting."
        )
    )
    assert reminder.endswith("\nWhat the chair does: Opens and closes the meeting.")
