"""The voice floor service without Discord: a real database and scheduler for the durable
restore plan, a live meeting in memory, and a fake port that holds the members' voice states
and records every call."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.core.formats import load_format
from bot.core.meeting import MeetingRunner, MeetingSetup
from bot.core.meeting.effects import ChannelEffect
from bot.core.pseudonyms import Pseudonymizer
from bot.core.voice_floor import Room, missing_permissions
from bot.errors import DiscordRefused
from bot.runtime.clock import Clock
from bot.runtime.events import GuildLeft
from bot.runtime.live import CHAIR, LiveMeeting, LiveMeetings
from bot.runtime.scheduler import Scheduler
from bot.runtime.voice_floor import (
    FLOOR_KIND,
    GIVE_UP_SECONDS,
    FloorChannel,
    VoiceFloorService,
    VoiceMove,
)
from bot.store import Store
from bot.store.groups import GroupRecord
from tests.support.clock import FakeTime

GUILD, CHANNEL, LOBBY = 8001, 8002, 8003
CHAIR_ID, SHARER_ID, NEXT_ID, LISTENER_ID, MUTED_ID = 21, 22, 23, 24, 25
START = 1_800_000_000.0


def circle(speak: str | None) -> bytes:
    lines = [
        "format: 1",
        "name: Quiet Circle",
        "about: A sharing circle where we listen without replying, then talk freely.",
        "length: 60m",
        "share:",
        "  limit: 20m",
        "crosstalk:",
        "  policy: not-allowed",
    ]
    if speak is not None:
        lines += ["channel:", f"  speak: {speak}"]
    lines += [
        "sections:",
        "  - share: The floor is open. Raise your hand when you'd like to share.",
        "    title: Sharing",
        "  - share: Responses are welcome now.",
        "    title: Open talk",
        "    crosstalk: allowed",
        "    channel:",
        "      speak: everyone",
        "  - closing: Thank you all for coming.",
    ]
    return ("\n".join(lines) + "\n").encode()


@dataclass
class FakeVoice:
    """Discord's side: who is connected where, silenced or not, and what the bot asked."""

    kind: Room = Room.VOICE
    here: dict[int, bool] = field(default_factory=dict)  # in the meeting's channel
    lobby: dict[int, bool] = field(default_factory=dict)  # in another voice channel
    away: dict[int, bool] = field(default_factory=dict)  # not connected (a mute stays on)
    granted: set[str] = field(default_factory=lambda: {"mute_members", "view_channel"})
    calls: list[tuple[int, bool]] = field(default_factory=list)
    told: list[tuple[Room, tuple[str, ...]]] = field(default_factory=list)

    def channel(self, channel_id: int) -> FloorChannel | None:
        if channel_id != CHANNEL:
            return None
        return FloorChannel(CHANNEL, GUILD, self.kind, bot_known=True)

    def present(self, channel: FloorChannel) -> dict[int, bool]:
        return dict(self.here)

    def in_voice(self, guild_id: int) -> dict[int, bool]:
        return {**self.lobby, **self.here}

    def missing_permissions(self, channel: FloorChannel) -> tuple[str, ...]:
        return missing_permissions(self.granted)

    async def set_silenced(self, channel: FloorChannel, member: int, silenced: bool) -> bool:
        if "mute_members" not in self.granted:
            raise DiscordRefused("change who may speak")
        for where in (self.here, self.lobby):
            if member in where:
                where[member] = silenced
                self.calls.append((member, silenced))
                return True
        return False  # not connected: Discord can't change them now

    async def tell_missing(self, channel: FloorChannel, missing: Sequence[str]) -> None:
        self.told.append((channel.kind, tuple(missing)))

    def closing(self) -> bool:
        return False

    def leave(self, member: int) -> VoiceMove:
        self.away[member] = self.here.pop(member)
        return VoiceMove(GUILD, False, CHANNEL, None)

    def connect(self, member: int) -> VoiceMove:
        self.lobby[member] = self.away.pop(member)
        return VoiceMove(GUILD, False, None, LOBBY)

    def states(self) -> dict[int, bool]:
        return {**self.away, **self.lobby, **self.here}


@dataclass
class Bench:
    store: Store
    time: FakeTime
    clock: Clock
    pseudonyms: Pseudonymizer
    port: FakeVoice
    meetings: LiveMeetings = field(default_factory=LiveMeetings)
    service: VoiceFloorService | None = None
    live: LiveMeeting | None = None

    async def boot(self) -> VoiceFloorService:
        """A (new) run of the bot: a service over the same database, loaded as on_ready."""
        service = VoiceFloorService(
            self.port,
            self.meetings,
            self.pseudonyms,
            self.clock,
            Scheduler(self.store.deadlines, self.clock),
            self.store.floor_plans,
        )
        self.service = service
        await service.load()
        await self.settle()
        return service

    async def settle(self) -> None:
        """Until the background floor work is done."""
        assert self.service is not None
        await self.service.close()

    def start(self, speak: str | None = "sharer") -> LiveMeeting:
        runner = MeetingRunner(load_format(circle(speak)))
        chair = self.pseudonyms.of(GUILD, CHAIR_ID)
        state, _ = runner.start(self.clock.now(), MeetingSetup(number=1, roles={CHAIR: [chair]}))
        group = GroupRecord(1, GUILD, CHANNEL, "quiet-circle", None, 0)
        self.live = LiveMeeting(1, group, "quiet-circle", runner, state, None)
        self.meetings.add(self.live)
        return self.live

    async def step(self, effects: tuple[ChannelEffect, ...] = ()) -> None:
        assert self.service is not None
        assert self.live is not None
        await self.service.on_step(self.live, effects)
        await self.settle()

    async def give_floor(self, user_id: int) -> None:
        assert self.live is not None
        live, who = self.live, self.pseudonyms.of(GUILD, user_id)
        self.time.now += 1
        if live.state.floor.turn is not None:
            live.state, _ = live.runner.done(
                live.state, live.state.floor.turn.who, self.clock.now()
            )
        live.state, _ = live.runner.raise_hand(live.state, who, self.clock.now())
        await self.step()

    async def end(self) -> None:
        assert self.live is not None
        self.time.now += 1
        self.live.state, effects = self.live.runner.end(self.live.state, self.clock.now())
        self.meetings.remove(self.live)
        await self.step(tuple(effects))

    async def plans(self) -> list[dict[str, bool]]:
        """The stored plans (one per channel): coded key -> silenced before."""
        return [dict(plan.members) for plan in await self.store.floor_plans.all()]

    async def deadlines(self) -> list[dict[str, object]]:
        return [
            dict(deadline.payload)
            for deadline in await self.store.deadlines.all()
            if deadline.kind == FLOOR_KIND
        ]


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    group = await store.groups.create(
        guild_id=GUILD, channel_id=CHANNEL, format_id="quiet-circle", member_role_id=None, now=START
    )
    assert group is not None
    assert group.id == 1
    time = FakeTime()
    port = FakeVoice(
        here={CHAIR_ID: False, SHARER_ID: False, NEXT_ID: False, LISTENER_ID: False, MUTED_ID: True}
    )
    bench = Bench(store, time, Clock(anchor=START, real_time=time), Pseudonymizer(b"k" * 32), port)
    yield bench
    if bench.service is not None:
        await bench.service.close()
    await store.close()


BEFORE = {CHAIR_ID: False, SHARER_ID: False, NEXT_ID: False, LISTENER_ID: False, MUTED_ID: True}


async def test_the_sharer_and_the_chair_speak_and_the_others_are_muted(bench: Bench) -> None:
    await bench.boot()
    bench.start(speak="sharer")
    await bench.give_floor(SHARER_ID)
    assert bench.port.here == {
        CHAIR_ID: False,
        SHARER_ID: False,
        NEXT_ID: True,
        LISTENER_ID: True,
        MUTED_ID: True,  # muted by someone else before: left alone
    }
    assert sorted(bench.port.calls) == [(NEXT_ID, True), (LISTENER_ID, True)]
    # The floor moves: the next sharer is unmuted first, then the previous one is muted.
    bench.port.calls.clear()
    await bench.give_floor(NEXT_ID)
    assert bench.port.calls == [(NEXT_ID, False), (SHARER_ID, True)]
    assert bench.port.told == []


async def test_a_chair_only_rule_leaves_only_the_chair(bench: Bench) -> None:
    await bench.boot()
    bench.start(speak="chair")
    await bench.give_floor(SHARER_ID)
    assert [m for m, silenced in bench.port.here.items() if not silenced] == [CHAIR_ID]


async def test_without_a_rule_a_voice_channel_is_left_alone(bench: Bench) -> None:
    await bench.boot()
    bench.start(speak=None)
    await bench.give_floor(SHARER_ID)
    assert bench.port.calls == []
    assert await bench.plans() == []


async def test_everyone_gets_their_exact_state_back_when_the_meeting_ends(bench: Bench) -> None:
    await bench.boot()
    bench.start()
    await bench.give_floor(SHARER_ID)
    await bench.give_floor(NEXT_ID)
    assert len(await bench.plans()) == 1
    await bench.end()
    assert bench.port.here == BEFORE  # the member muted before stays muted
    assert await bench.plans() == []  # nothing kept once everyone has their state back


async def test_the_durable_plan_names_nobody_by_id(bench: Bench) -> None:
    await bench.boot()
    bench.start()
    await bench.give_floor(SHARER_ID)
    (plan,) = await bench.plans()
    assert plan == {
        bench.pseudonyms.of(GUILD, NEXT_ID): False,
        bench.pseudonyms.of(GUILD, LISTENER_ID): False,
    }
    # The deadline that gives up on it names the channel only.
    assert await bench.deadlines() == [{"channel": CHANNEL}]


async def test_after_a_restart_the_plan_gives_everyone_their_state_back(bench: Bench) -> None:
    await bench.boot()
    bench.start()
    await bench.give_floor(SHARER_ID)
    assert bench.port.here[LISTENER_ID] is True
    # kill -9: nothing is closed, the memory is gone; the meeting does not come back.
    bench.meetings.remove(bench.live)  # type: ignore[arg-type]
    bench.port.calls.clear()
    await bench.boot()
    assert bench.port.here == BEFORE
    assert sorted(bench.port.calls) == [(NEXT_ID, False), (LISTENER_ID, False)]
    assert await bench.plans() == []


async def test_after_a_restart_mid_share_the_same_plan_carries_on(bench: Bench) -> None:
    await bench.boot()
    live = bench.start()
    await bench.give_floor(SHARER_ID)
    bench.port.calls.clear()
    await bench.boot()  # the meeting is read back and still running
    assert bench.port.calls == []  # nobody unmuted just to be muted again
    bench.live = live
    await bench.end()
    assert bench.port.here == BEFORE
    assert await bench.plans() == []


async def test_a_member_who_left_while_muted_gets_their_state_back_on_connecting(
    bench: Bench,
) -> None:
    service = await bench.boot()
    bench.start()
    await bench.give_floor(SHARER_ID)
    service.on_voice_move(bench.port.leave(LISTENER_ID))
    await bench.settle()
    await bench.end()
    assert bench.port.away == {LISTENER_ID: True}  # Discord can't lift it while they are away
    (plan,) = await bench.plans()
    assert list(plan) == [bench.pseudonyms.of(GUILD, LISTENER_ID)]
    service.on_voice_move(bench.port.connect(LISTENER_ID))
    await bench.settle()
    assert bench.port.states() == BEFORE
    assert await bench.plans() == []


async def test_without_mute_members_the_group_is_told_once_and_nothing_changes(
    bench: Bench,
) -> None:
    bench.port.granted = {"view_channel"}
    await bench.boot()
    bench.start()
    await bench.give_floor(SHARER_ID)
    await bench.give_floor(NEXT_ID)
    assert bench.port.told == [(Room.VOICE, ("mute_members",))]
    assert bench.port.calls == []
    assert bench.port.here == BEFORE


async def test_a_pause_leaves_the_room_as_it_is(bench: Bench) -> None:
    await bench.boot()
    live = bench.start()
    await bench.give_floor(SHARER_ID)
    muted = dict(bench.port.here)
    bench.time.now += 1
    live.state, _ = live.runner.pause(live.state, bench.clock.now())
    bench.port.calls.clear()
    await bench.step()
    assert bench.port.calls == []
    assert bench.port.here == muted


async def test_on_a_stage_sharing_without_crosstalk_is_controlled_by_default(
    bench: Bench,
) -> None:
    bench.port.kind = Room.STAGE
    bench.port.here = {CHAIR_ID: True, SHARER_ID: True, NEXT_ID: False, LISTENER_ID: True}
    before = dict(bench.port.here)
    await bench.boot()
    bench.start(speak=None)
    await bench.give_floor(SHARER_ID)
    assert bench.port.here == {CHAIR_ID: False, SHARER_ID: False, NEXT_ID: True, LISTENER_ID: True}
    await bench.end()
    assert bench.port.here == before


async def test_leaving_the_server_forgets_its_plans(bench: Bench) -> None:
    service = await bench.boot()
    bench.start()
    await bench.give_floor(SHARER_ID)
    assert await bench.plans() != []
    await service.guild_left(GuildLeft(GUILD))
    assert await bench.plans() == []


async def test_after_a_crash_the_next_sharers_can_speak_and_the_end_is_exact(
    bench: Bench,
) -> None:
    await bench.boot()
    live = bench.start()
    await bench.give_floor(SHARER_ID)
    assert bench.port.here[NEXT_ID] is True  # muted by the bot
    # The plan holds the bot's own mutes (coded keys only), with the state to give back.
    (plan,) = await bench.plans()
    assert plan[bench.pseudonyms.of(GUILD, NEXT_ID)] is False
    assert bench.pseudonyms.of(GUILD, MUTED_ID) not in plan  # a moderator's mute: not the bot's
    # kill -9 mid-share: the memory is gone; the meeting is read back and carries on.
    bench.port.calls.clear()
    await bench.boot()
    bench.live = live
    assert bench.port.calls == []
    # The next sharer, muted by the bot before the crash, is unmuted when given the floor.
    await bench.give_floor(NEXT_ID)
    assert bench.port.here[NEXT_ID] is False
    assert bench.port.here[SHARER_ID] is True
    await bench.give_floor(LISTENER_ID)
    assert bench.port.here[LISTENER_ID] is False
    assert bench.port.here[NEXT_ID] is True
    # A member a moderator muted before the meeting: their call still stands, even for a share.
    await bench.give_floor(MUTED_ID)
    assert bench.port.here[MUTED_ID] is True
    await bench.end()
    assert bench.port.here == BEFORE  # exact: the bot's mutes lifted, the moderator's kept
    assert await bench.plans() == []
    assert await bench.deadlines() == []


async def test_two_crashes_in_a_row_still_know_the_bots_own_mutes(bench: Bench) -> None:
    await bench.boot()
    live = bench.start()
    await bench.give_floor(SHARER_ID)
    await bench.boot()  # crash 1
    await bench.boot()  # crash 2, before anything changed
    bench.live = live
    await bench.give_floor(LISTENER_ID)
    assert bench.port.here[LISTENER_ID] is False
    await bench.end()
    assert bench.port.here == BEFORE


async def test_a_plan_nobody_comes_back_for_is_given_up_after_a_day(bench: Bench) -> None:
    service = await bench.boot()
    bench.start()
    await bench.give_floor(SHARER_ID)
    service.on_voice_move(bench.port.leave(LISTENER_ID))
    await bench.settle()
    await bench.end()
    assert await bench.plans() != []  # the leaver is owed their state
    bench.time.now += GIVE_UP_SECONDS + 1
    scheduler = Scheduler(bench.store.deadlines, bench.clock)
    # A fresh run fires the overdue deadline: nothing is kept any longer.
    service = VoiceFloorService(
        bench.port,
        bench.meetings,
        bench.pseudonyms,
        bench.clock,
        scheduler,
        bench.store.floor_plans,
    )
    bench.service = service
    await service.load()
    await scheduler.start()
    for _ in range(1500):  # up to 15 s on a busy machine (a 5 s retry fits); done when gone
        if not await bench.plans():
            break
        await asyncio.sleep(0.01)
    await scheduler.stop()
    assert await bench.plans() == []
    assert await bench.deadlines() == []
