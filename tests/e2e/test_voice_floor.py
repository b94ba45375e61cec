"""Floor control in stage and voice channels through the fake Discord.

Stage: the sharer speaks, the others are in the audience while members share, and everyone is
back where they were when the sharing ends. Voice (opted in with ``channel: speak: sharer``):
everyone but the sharer and the chair is server-muted, and each member's exact previous mute
state comes back — after a kill -9 in the middle of a share too, and for a member who left voice
while muted, when they connect again. The plan kept for that names nobody by id.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import press, slash, wait_message
from tests.e2e.test_crosstalk import (
    SENTINEL,
    assert_private,
    circle,
    circle_format,
    start_sharing,
)
from tests.fakediscord import FakeDiscord, SimulatedMember

STAGE = 13
VOICE = 2


def floor_plans(database: str) -> list[str]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT payload FROM deadlines WHERE kind = 'floor.restore'")
        return [row[0] for row in rows]
    finally:
        conn.close()


def muted(fake: FakeDiscord, member: SimulatedMember) -> bool:
    return fake.state.guilds[member.guild_id].members[member.id].mute


def on_stage(fake: FakeDiscord, member: SimulatedMember) -> bool:
    voice = fake.state.guilds[member.guild_id].voice_states[member.id]
    return not voice.suppress


async def until(fake: FakeDiscord, what: str, check: Callable[[], bool]) -> None:
    await fake.wait_until(check, 10, what=what)


async def test_on_a_stage_the_speakers_follow_the_floor(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    # No `channel:` rule: on a stage, sharing without crosstalk is controlled by default.
    guild, room, people = await circle(
        fake, bot_runner, circle_format(), channel_type=STAGE, members=5
    )
    chair, sharer, speaker, listener, next_sharer = people
    for person in people:
        await person.join_voice(room)
    # Before the meeting, one member was already invited to speak by a moderator.
    stage_voice = fake.state.guilds[guild.id].voice_states[speaker.id]
    stage_voice.suppress = False
    fake.events.voice_state(fake.state.guilds[guild.id], stage_voice)
    before = {person.id: on_stage(fake, person) for person in people}
    assert before[speaker.id]
    assert not before[listener.id]

    board = await start_sharing(fake, room, chair, sharer)
    await until(fake, "the sharer on stage", lambda: on_stage(fake, sharer))
    await until(fake, "the speaker in the audience", lambda: not on_stage(fake, speaker))
    assert on_stage(fake, chair)  # the chair keeps the meeting going
    assert not on_stage(fake, listener)
    assert not on_stage(fake, next_sharer)

    # The floor moves: the next sharer goes up, the previous one back to the audience.
    await press(next_sharer, board, "hand")
    await press(sharer, board, "done")
    await until(fake, "the next sharer on stage", lambda: on_stage(fake, next_sharer))
    await until(fake, "the first sharer down", lambda: not on_stage(fake, sharer))

    # Where responses are welcome, the stage is everyone's again, exactly as before.
    await press(next_sharer, board, "done")
    await press(chair, board, "next")
    await wait_message(fake, room, "**Open talk**")
    await until(
        fake,
        "everyone back where they were",
        lambda: {p.id: on_stage(fake, p) for p in people} == before,
    )
    await until(fake, "the plan deleted", lambda: floor_plans(str(bot_runner.database)) == [])
    assert_private(fake, bot_runner)


async def test_voice_mutes_are_restored_exactly_even_after_a_kill(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild, room, people = await circle(
        fake, bot_runner, circle_format(speak="sharer"), channel_type=VOICE, members=6
    )
    chair, sharer, listener, muted_before, leaver, _ = people
    # Someone had already server-muted one member: the bot must leave that as it is.
    fake.state.guilds[guild.id].members[muted_before.id].mute = True
    for person in (chair, sharer, listener, muted_before, leaver):
        await person.join_voice(room, self_mute=person is listener)
    before = {p.id: muted(fake, p) for p in people}

    board = await start_sharing(fake, room, chair, sharer)
    await listener.say(room, f"welcome back {SENTINEL}")
    await until(  # the floor settles: the room muted, the sharer and the chair free to speak
        fake,
        "the room muted",
        lambda: (
            muted(fake, listener)
            and muted(fake, leaver)
            and not muted(fake, sharer)
            and not muted(fake, chair)
        ),
    )
    plans = floor_plans(str(bot_runner.database))
    assert len(plans) == 1
    assert str(listener.id) not in plans[0]  # coded keys only, never an id

    # A member leaves voice while muted: a server mute stays with them.
    await leaver.leave_voice()
    await bot_runner.kill()  # kill -9, mid-share
    mark = len(fake.requests)
    await bot_runner.start()
    await wait_message(fake, room, "I had to restart")
    await press(sharer, board, "done")  # the floor is free: the sharer is muted too
    await until(fake, "the sharer muted", lambda: muted(fake, sharer))
    # Carrying on with the same plan: nobody was unmuted only to be muted again.
    unmuted = [
        r
        for r in fake.requests_matching("PATCH", r"/guilds/\d+/members/\d+", after=mark)
        if r.json.get("mute") is False
    ]
    assert unmuted == []

    assert "closed" in await slash(chair, room, "meeting end")
    await until(fake, "the listener unmuted", lambda: not muted(fake, listener))
    await until(fake, "the sharer unmuted", lambda: not muted(fake, sharer))
    assert muted(fake, muted_before)  # someone else's call stands
    assert muted(fake, leaver)  # Discord can't change a member who isn't connected
    assert len(floor_plans(str(bot_runner.database))) == 1  # the leaver is still owed

    await leaver.join_voice(room)
    await until(fake, "the leaver unmuted", lambda: not muted(fake, leaver))
    assert {p.id: muted(fake, p) for p in people} == before
    await until(fake, "the plan deleted", lambda: floor_plans(str(bot_runner.database)) == [])
    reasons = {
        r.audit_log_reason for r in fake.requests_matching("PATCH", r"/guilds/\d+/members/\d+")
    }
    assert reasons == {"Meeting floor"}  # generic: no names, no reasons
    assert_private(fake, bot_runner)


async def test_without_mute_members_the_group_is_told_plainly(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild, room, people = await circle(
        fake, bot_runner, circle_format(speak="sharer"), channel_type=VOICE, members=3
    )
    chair, sharer, listener = people
    fake.set_overwrite(room, guild.bot_role.id, deny=["mute_members"], kind=0)
    for person in people:
        await person.join_voice(room)
    await start_sharing(fake, room, chair, sharer)
    told = await wait_message(fake, room, "**Mute Members**")
    assert "I can't manage the floor in voice here" in told["content"]
    assert not muted(fake, listener)
    assert fake.requests_matching("PATCH", r"/guilds/\d+/members/\d+") == []
    assert fake.invalid_request_count == 0  # checked first, never tried
    assert len([m for m in fake.channel_messages(room) if "Mute Members" in m["content"]]) == 1
