"""The raid lock through the fake Discord, the way a group meets it.

A member presses **Pause and lock** during a meeting: a stranger's post is refused by Discord
(the fake), a member's goes through, slow mode is on, the meeting is paused, and a second press
says it's already locked. The chair lifts it: the channel's overwrites and slow mode are exactly
what they were. Locked again with ``/lock``, then kill -9: after the restart it's still locked,
and after 30 clock minutes it lifts itself — the channel exactly as before, nothing kept.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import buttons, panel, press, slash, wait_message
from tests.e2e.test_crosstalk import assert_private
from tests.e2e.test_room_rules import restore_rows, room_as_it_is
from tests.fakediscord import FakeDiscord, SimulatedMember
from tests.fakediscord.errors import SimulationError

NAMES = ("kestrelmoor", "brambleford", "wrenhollow")


async def circle(
    fake: FakeDiscord, bot_runner: BotRunner
) -> tuple[int, list[SimulatedMember], SimulatedMember]:
    guild = fake.add_guild("Lantern Circle", owner_username="harbourkeep")
    room = fake.add_channel(guild.id, "lantern-room")
    members_role = fake.add_role(guild.id, "Lantern Members")
    people = [
        fake.add_member(guild.id, name, global_name=name.title(), roles=[members_role.id])
        for name in NAMES
    ]
    stranger = fake.add_member(guild.id, "floodgatecrow", global_name="Floodgatecrow")
    # The channel's own settings: a helpers' role allowed to post and attach, no reactions for
    # @everyone, a short slow mode of its own.
    helpers = fake.add_role(guild.id, "Helpers")
    fake.set_overwrite(room.id, helpers.id, allow=["send_messages", "attach_files"], kind=0)
    fake.set_overwrite(room.id, guild.id, deny=["add_reactions"], kind=0)
    fake.state.channels[room.id].rate_limit_per_user = 2
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    bot_runner.settings["CLOCK_RATE"] = "60"
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    setup = await guild.owner.slash(
        room.id, "group setup", {"format": "open-discussion", "member_role": members_role.id}
    )
    await setup.wait_response()
    await wait_message(fake, room.id, "home to a peer group")
    return room.id, people, stranger


def may_post(member: SimulatedMember, room: int) -> bool:
    return member.can(room, "send_messages")


async def test_a_member_locks_the_chair_lifts_it_and_it_lifts_itself_after_a_restart(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    room, (chair, member, other), stranger = await circle(fake, bot_runner)
    before = room_as_it_is(fake, room)
    assert may_post(stranger, room)
    assert "Thank you for chairing" in await slash(chair, room, "meeting start")
    board = panel(fake, room)
    mark = len(fake.channel_messages(room))

    # A flood of strangers: a member presses "Pause and lock" on the panel.
    answer = await press(member, board, "lock")
    assert answer.startswith("Done — the channel is locked and the meeting is paused.")
    locked = await wait_message(fake, room, "This channel is locked for now", after=mark)
    assert "only the group's members can post here, and slow mode is on" in locked["content"]
    assert [b["label"] for b in buttons(locked)] == ["Lift the lock"]
    assert "<@" not in locked["content"]
    await wait_message(fake, room, "The meeting is paused", after=mark)
    await fake.wait_until(
        lambda: any(b["custom_id"].endswith(":resume") for b in buttons(panel(fake, room))),
        5,
        what="the panel's Resume",
    )
    assert fake.state.channels[room].rate_limit_per_user == 30
    with pytest.raises(SimulationError, match="cannot send messages"):
        await stranger.say(room, "spam spam spam")
    await other.say(room, "We're still here.")
    assert "already locked" in await press(other, panel(fake, room), "lock")

    # The chair lifts it: exactly as before.
    assert "the lock is lifted" in await slash(chair, room, "unlock")
    lifted = await wait_message(fake, room, "The chair lifted the lock", after=mark)
    assert "still paused" in lifted["content"]
    assert room_as_it_is(fake, room) == before
    assert restore_rows(str(bot_runner.database)) == []

    # Locked again (the slash command); kill -9 while locked; a faster clock after the restart.
    assert "Done — the channel is locked" in await slash(other, room, "lock")
    during = room_as_it_is(fake, room)
    assert during != before
    await bot_runner.kill()
    bot_runner.settings["CLOCK_RATE"] = "300"
    await bot_runner.start()
    assert "already locked" in await slash(member, room, "lock")
    assert room_as_it_is(fake, room) == during
    with pytest.raises(SimulationError, match="cannot send messages"):
        await stranger.say(room, "let me in")

    # Thirty clock minutes on, it lifts itself: exactly as before, nothing kept.
    await wait_message(fake, room, "The lock lifted itself after 30 minutes", limit=20)
    assert room_as_it_is(fake, room) == before
    assert restore_rows(str(bot_runner.database)) == []
    await stranger.say(room, "hello?")
    assert_private(fake, bot_runner)
