"""Channel actions at set moments: ``lock-channel: {after: 10m}`` closes the doors ten minutes
after the start (a durable deadline, kept across a kill -9) and the channel opens again exactly
as it was at the close; ``channel: video:`` keeps cameras for the sharer and the chair in a voice
channel. On a real database with the fake port of the channel rules' service test."""

from __future__ import annotations

from bot.core.room_rules import CONNECT, SEND, STREAM, Bits, Holder
from bot.runtime.live import LiveMeetings
from bot.runtime.room_rules import RoomPlace, words
from bot.runtime.room_rules.service import DOORS_KIND
from tests.runtime.test_room_rules_service import (
    BEFORE,
    BOT_ID,
    CHAIR_ID,
    CHANNEL,
    EVERYONE,
    GUILD,
    HELPERS,
    LISTENER_ID,
    MEMBER_ROLE,
    NEXT_ID,
    SHARER_ID,
    Bench,
    FakeRoom,
    posters,
)
from tests.runtime.test_room_rules_service import bench as bench  # the fixture

DOORS = b"""format: 1
name: On Time Circle
length: 60m
lock-channel: {after: 10m}
sections:
  - share: The floor is open. Raise your hand when you'd like to share.
    title: Sharing
  - closing: Thank you all for coming.
"""

CAMERAS = b"""format: 1
name: Cameras Circle
length: 60m
channel:
  video: sharer
sections:
  - share: The floor is open. Raise your hand when you'd like to share.
    title: Sharing
  - read: Our reading, read with cameras off.
    channel:
      video: nobody
  - closing: Thank you all for coming.
"""


async def doors(bench: Bench) -> list[float]:
    return [d.due_at for d in await bench.store.deadlines.all() if d.kind == DOORS_KIND]


async def fire_due(bench: Bench) -> None:
    """The scheduler's loop, once: every deadline due now runs."""
    assert bench.scheduler is not None
    await bench.scheduler.refresh_all()
    await bench.scheduler._fire_due()
    await bench.settle()


async def test_the_doors_close_ten_minutes_after_the_start_and_open_exactly_at_the_close(
    bench: Bench,
) -> None:
    bench.port.roles[SHARER_ID] = (MEMBER_ROLE,)
    bench.port.roles[CHAIR_ID] = (MEMBER_ROLE,)
    await bench.boot()
    live = bench.start(DOORS, member_role=MEMBER_ROLE)
    started = bench.clock.timestamp()
    await bench.step()
    # Open at the start: anyone may post, nothing was changed.
    assert bench.port.calls == []
    assert LISTENER_ID in posters(bench.port)
    assert await doors(bench) == [started + 600]
    # A kill -9 before the moment: a new run over the same database still has it.
    bench.meetings.remove(live)
    bench.meetings = LiveMeetings()
    bench.meetings.add(live)
    await bench.boot()
    bench.time.now += 599
    await fire_due(bench)
    assert bench.port.calls == []  # not yet
    bench.time.now += 1
    await fire_due(bench)
    assert posters(bench.port) == {CHAIR_ID, SHARER_ID}  # members only, from now on
    assert bench.port.overwrites[EVERYONE] == Bits(0, SEND)
    assert bench.port.overwrites[Holder(True, MEMBER_ROLE)] == Bits(SEND, 0)
    assert await doors(bench) == []
    # A kill -9 while closed: the plan is read back, nothing is undone, the close opens it.
    bench.meetings.remove(live)
    bench.meetings = LiveMeetings()
    bench.meetings.add(live)
    bench.port.calls.clear()
    await bench.boot()
    await bench.step()
    assert bench.port.calls == []
    assert posters(bench.port) == {CHAIR_ID, SHARER_ID}
    assert await doors(bench) == []  # the moment has passed: nothing armed again
    await bench.end()
    assert bench.port.overwrites == BEFORE
    assert await bench.rows() == []
    assert await doors(bench) == []
    assert bench.port.told == []
    assert bench.port.posted == []


class VoiceRoom(FakeRoom):
    """The same channel, as a voice channel."""

    def place(self, channel_id: int) -> RoomPlace | None:
        return RoomPlace(CHANNEL, GUILD, True, BOT_ID) if channel_id == CHANNEL else None

    def may_stream(self, member: int) -> bool:
        """Discord's computation for Video (everyone may, by the server's roles)."""
        value = STREAM
        for holder in (EVERYONE, *(Holder(True, r) for r in self.roles.get(member, ()))):
            own = self.overwrites.get(holder)
            if own is not None:
                value = (value & ~own.deny) | own.allow
        mine = self.overwrites.get(Holder(False, member))
        if mine is not None:
            value = (value & ~mine.deny) | mine.allow
        return bool(value & STREAM)


def on_camera(port: VoiceRoom) -> set[int]:
    return {m for m in (CHAIR_ID, SHARER_ID, NEXT_ID, LISTENER_ID) if port.may_stream(m)}


async def test_cameras_follow_the_floor_and_a_section_can_close_them(bench: Bench) -> None:
    helpers = Bits(STREAM | SEND, 0)  # a role allowed video and posting before the meeting
    bench.port = VoiceRoom(
        overwrites={**BEFORE, Holder(True, HELPERS): helpers},
        roles={LISTENER_ID: (HELPERS,)},
        granted={"manage_roles", "manage_channels", "stream"},
    )
    await bench.boot()
    bench.start(CAMERAS)
    await bench.step()
    assert on_camera(bench.port) == {CHAIR_ID}
    assert bench.port.overwrites[Holder(True, HELPERS)] == Bits(SEND, 0)  # only Video taken
    assert not bench.port.overwrites[EVERYONE].deny & (SEND | CONNECT)  # posting stays open
    await bench.give_floor(SHARER_ID)
    assert on_camera(bench.port) == {CHAIR_ID, SHARER_ID}
    await bench.give_floor(NEXT_ID)
    assert on_camera(bench.port) == {CHAIR_ID, NEXT_ID}
    await bench.next_section()  # the reading: cameras off for everyone
    assert on_camera(bench.port) == set()
    await bench.end()
    assert bench.port.overwrites == {**BEFORE, Holder(True, HELPERS): helpers}
    assert await bench.rows() == []


async def test_without_video_itself_the_bot_leaves_cameras_and_tells_the_chair(
    bench: Bench,
) -> None:
    bench.port = VoiceRoom(overwrites=dict(BEFORE), roles={LISTENER_ID: (HELPERS,)})
    await bench.boot()
    bench.start(CAMERAS)
    await bench.give_floor(SHARER_ID)
    assert on_camera(bench.port) == {CHAIR_ID, SHARER_ID, NEXT_ID, LISTENER_ID}
    assert bench.port.calls == []
    assert bench.port.told == [(CHAIR_ID, str(words.cannot_apply(["stream"])))]
    assert "**Video**" in bench.port.told[0][1]
