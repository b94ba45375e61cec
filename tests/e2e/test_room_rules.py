"""The format's per-section channel rules in the room, through the fake Discord.

``post: sharer`` while members share: the fake refuses a listener's post (they have no Send
Messages), the sharer and the chair post, and the rule follows the floor. ``slow-mode`` in the
next section: the fake holds a member to one message per that many seconds. After the meeting
the channel's overwrites and slow mode are exactly what they were — after a kill -9 in the middle
of a share too, and after Discord refused the first try to put them back (retried, the group told
kindly). The plan kept for that names nobody by id.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import press, slash, wait_message
from tests.e2e.test_crosstalk import assert_private, circle, start_sharing
from tests.fakediscord import FakeDiscord, SimulatedMember
from tests.fakediscord.errors import SimulationError

SHARE_QUIETLY = (  # noqa: UP012
    "format: 1\n"
    "name: Quiet Circle\n"
    "about: A sharing circle where we listen without replying, then talk freely.\n"
    "length: 60m\n"
    "share:\n"
    "  limit: 20m\n"
    "crosstalk:\n"
    "  policy: not-allowed\n"
    "sections:\n"
    "  - share: The floor is open. Raise your hand when you'd like to share.\n"
    "    title: Sharing\n"
    "    channel:\n"
    "      post: sharer\n"
    "  - share: Responses are welcome now.\n"
    "    title: Open talk\n"
    "    crosstalk: allowed\n"
    "    channel:\n"
    "      slow-mode: 30s\n"
    "  - closing: Thank you all for coming.\n"
).encode()


def room_as_it_is(fake: FakeDiscord, room: int) -> dict[str, Any]:
    channel = fake.state.channels[room]
    return {
        "overwrites": {o.id: (o.type, o.allow, o.deny) for o in channel.overwrites.values()},
        "slow_mode": channel.rate_limit_per_user,
    }


def restore_rows(database: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return list(conn.execute("SELECT * FROM room_restore"))
    finally:
        conn.close()


def may_post(member: SimulatedMember, room: int) -> bool:
    return member.can(room, "send_messages")


async def until(fake: FakeDiscord, what: str, check: Callable[[], bool]) -> None:
    await fake.wait_until(check, 10, what=what)


async def test_the_room_follows_the_floor_and_comes_back_exactly(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild, room, people = await circle(fake, bot_runner, SHARE_QUIETLY, clock_rate="60", members=4)
    chair, sharer, listener, next_sharer = people
    # The channel's own settings: a helpers' role allowed to post (and attach), no reactions for
    # @everyone, a short slow mode of its own.
    helpers = fake.add_role(guild.id, "Helpers")
    fake.update_member(guild.id, listener.id, roles=[helpers.id])
    fake.set_overwrite(room, helpers.id, allow=["send_messages", "attach_files"], kind=0)
    fake.set_overwrite(room, guild.id, deny=["add_reactions"], kind=0)
    fake.state.channels[room].rate_limit_per_user = 2
    before = room_as_it_is(fake, room)

    board = await start_sharing(fake, room, chair, sharer)
    await until(fake, "the room closed to listeners", lambda: not may_post(listener, room))
    with pytest.raises(SimulationError, match="cannot send messages"):
        await listener.say(room, "me too!")
    await until(fake, "the sharer may post", lambda: may_post(sharer, room))
    await sharer.say(room, "(typing as I share)")
    assert may_post(chair, room)
    assert not may_post(next_sharer, room)
    assert fake.state.channels[room].rate_limit_per_user == 2  # this section has no slow mode
    assert restore_rows(str(bot_runner.database))  # the plan is kept before anything changes
    # kill -9 in the middle of the share; the meeting and its rules carry on after the restart.
    await bot_runner.kill()
    await bot_runner.start()
    await wait_message(fake, room, "I had to restart")
    assert not may_post(listener, room)
    # The rule follows the floor.
    await press(next_sharer, board, "hand")
    await press(sharer, board, "done")
    await until(fake, "the next sharer may post", lambda: may_post(next_sharer, room))
    await until(fake, "the first sharer listens", lambda: not may_post(sharer, room))
    await next_sharer.say(room, "(my turn now)")

    # Responses welcome, with the format's slow mode: one message per 30 s each.
    await press(next_sharer, board, "done")
    await press(chair, board, "next")
    await wait_message(fake, room, "**Open talk**")
    await until(fake, "the slow mode", lambda: fake.state.channels[room].rate_limit_per_user == 30)
    await until(fake, "the room open again", lambda: may_post(listener, room))
    await listener.say(room, "thank you both")
    with pytest.raises(SimulationError, match="slow mode"):
        await listener.say(room, "and one more thing")

    # Discord refuses the first try to put the channel back (its own slow mode): retried, and
    # the group is told.
    fake.fail_next("PATCH", rf"/channels/{room}", status=403, code=50013)
    assert "closed" in await slash(chair, room, "meeting end")
    told = await wait_message(fake, room, "I couldn't put this channel back")
    assert "I'll keep trying" in told["content"]
    assert fake.state.channels[room].rate_limit_per_user == 30  # not yet
    await wait_message(fake, room, "This channel is back the way it was", limit=20)
    assert room_as_it_is(fake, room) == before
    assert restore_rows(str(bot_runner.database)) == []
    reasons = {
        r.audit_log_reason
        for r in fake.requests_matching("PUT", rf"/channels/{room}/permissions/\d+")
    }
    assert reasons == {"Meeting channel rules"}  # generic: no names
    assert_private(fake, bot_runner)


async def test_without_manage_permissions_the_meeting_goes_on_and_the_chair_is_told(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild, room, people = await circle(fake, bot_runner, SHARE_QUIETLY, clock_rate="60", members=3)
    chair, sharer, listener = people
    fake.set_overwrite(room, guild.bot_role.id, deny=["manage_roles"], kind=0)
    before = room_as_it_is(fake, room)
    await start_sharing(fake, room, chair, sharer)
    note = await wait_message(fake, fake_dm(fake, chair), "A note for the chair")
    assert "**Manage Permissions**" in note["content"]
    assert "The meeting goes on" in note["content"]
    await listener.say(room, "the room stays open")
    assert room_as_it_is(fake, room)["overwrites"] == before["overwrites"]
    assert fake.requests_matching("PUT", rf"/channels/{room}/permissions/\d+") == []


def fake_dm(fake: FakeDiscord, member: SimulatedMember) -> int:
    return member.dm_channel_id


CAMERAS = (  # noqa: UP012
    "format: 1\n"
    "name: Quiet Circle\n"
    "about: A sharing circle in voice, cameras for the person sharing.\n"
    "length: 60m\n"
    "channel:\n"
    "  video: sharer\n"
    "sections:\n"
    "  - share: The floor is open. Raise your hand when you'd like to share.\n"
    "    title: Sharing\n"
    "  - closing: Thank you all for coming.\n"
).encode()


def may_use_video(member: SimulatedMember, room: int) -> bool:
    return member.can(room, "stream")


async def test_cameras_follow_the_floor_in_a_voice_channel(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    _guild, room, people = await circle(
        fake, bot_runner, CAMERAS, clock_rate="60", channel_type=2, members=3
    )
    chair, sharer, listener = people
    for person in people:
        await person.join_voice(room)
    await listener.turn_camera_on()  # before the meeting, anyone may
    before = room_as_it_is(fake, room)
    await start_sharing(fake, room, chair, sharer)
    await until(fake, "video closed to listeners", lambda: not may_use_video(listener, room))
    await listener.turn_camera_off()
    with pytest.raises(SimulationError, match="may not use video"):
        await listener.turn_camera_on()
    await until(fake, "the sharer may use video", lambda: may_use_video(sharer, room))
    await sharer.turn_camera_on()
    await chair.turn_camera_on(screen=True)
    assert may_post(listener, room)  # posting is not this rule's
    assert "closed" in await slash(chair, room, "meeting end")
    await until(fake, "the channel as it was", lambda: room_as_it_is(fake, room) == before)
    await listener.turn_camera_on()
    # The restore plan is deleted once every overwrite is back (after Discord's answers).
    await until(fake, "the plan deleted", lambda: restore_rows(str(bot_runner.database)) == [])
