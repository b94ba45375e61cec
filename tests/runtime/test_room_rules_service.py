"""The channel rules service without Discord: a real database and scheduler for the durable
restore plan, a live meeting in memory, and a fake port that holds the channel's overwrites and
slow mode, computes who may post as Discord does, and records every call."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.core.formats import load_format
from bot.core.meeting import MeetingRunner, MeetingSetup
from bot.core.pseudonyms import Pseudonymizer
from bot.core.room_rules import CONNECT, SEND, Bits, Holder
from bot.errors import DiscordRefused
from bot.i18n import Msg, render
from bot.runtime.clock import Clock
from bot.runtime.events import GuildLeft, MemberForgotten
from bot.runtime.live import CHAIR, LiveMeeting, LiveMeetings
from bot.runtime.room_rules import ROOM_KIND, RoomPlace, RoomRulesService, RoomSnapshot, words
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store.groups import GroupRecord
from tests.support.clock import FakeTime

GUILD, CHANNEL, BOT_ID, MEMBER_ROLE, HELPERS = 9001, 9002, 9003, 9004, 9005
CHAIR_ID, SHARER_ID, NEXT_ID, LISTENER_ID, MODERATED_ID = 31, 32, 33, 34, 35
START = 1_800_000_000.0
EVERYONE = Holder(True, GUILD)
ATTACH = 1 << 15  # a bit the bot never touches


def circle(*, lock: bool = False, post: str = "sharer") -> bytes:
    lines = [
        "format: 1",
        "name: Quiet Circle",
        "about: A sharing circle where we listen without replying, then talk freely.",
        "length: 60m",
        "share:",
        "  limit: 20m",
    ]
    if lock:
        lines += ["lock-channel: during-meeting"]
    lines += [
        "sections:",
        "  - share: The floor is open. Raise your hand when you'd like to share.",
        "    title: Sharing",
        "    channel:",
        f"      post: {post}",
        "  - share: Responses are welcome now.",
        "    title: Open talk",
        "    channel:",
        "      slow-mode: 30s",
        "  - closing: Thank you all for coming.",
    ]
    return ("\n".join(lines) + "\n").encode()


@dataclass
class FakeRoom:
    """Discord's side: the channel's overwrites and slow mode, and what the bot asked."""

    overwrites: dict[Holder, Bits] = field(default_factory=dict)
    slow: int = 0
    granted: set[str] = field(default_factory=lambda: {"manage_roles", "manage_channels"})
    refuse: bool = False
    dms_open: bool = True
    calls: list[tuple[Holder | str, Bits | int | None]] = field(default_factory=list)
    posted: list[str] = field(default_factory=list)
    told: list[tuple[int, str]] = field(default_factory=list)
    roles: dict[int, tuple[int, ...]] = field(default_factory=dict)  # member -> their roles
    joined: dict[int, float] = field(default_factory=dict)  # member -> when they joined (real)
    announced: list[tuple[str, list[str]]] = field(default_factory=list)  # text, button actions

    def place(self, channel_id: int) -> RoomPlace | None:
        return RoomPlace(CHANNEL, GUILD, False, BOT_ID) if channel_id == CHANNEL else None

    def members(self, guild_id: int) -> Sequence[int]:
        return [CHAIR_ID, SHARER_ID, NEXT_ID, LISTENER_ID, MODERATED_ID]

    def newcomers(self, guild_id: int, joined_after: float) -> Sequence[int]:
        return [member for member, at in self.joined.items() if at > joined_after]

    def missing(self, place: RoomPlace, needed: Sequence[str]) -> tuple[str, ...]:
        return tuple(name for name in needed if name not in self.granted)

    async def read(self, place: RoomPlace) -> RoomSnapshot | None:
        return RoomSnapshot(dict(self.overwrites), self.slow)

    async def set_overwrite(self, place: RoomPlace, holder: Holder, bits: Bits | None) -> None:
        if self.refuse or "manage_roles" not in self.granted:
            raise DiscordRefused("change who may post")
        self.calls.append((holder, bits))
        if bits is None:
            del self.overwrites[holder]
        else:
            self.overwrites[holder] = bits

    async def set_slow_mode(self, place: RoomPlace, seconds: int) -> None:
        if self.refuse or "manage_channels" not in self.granted:
            raise DiscordRefused("set the slow mode")
        self.calls.append(("slow", seconds))
        self.slow = seconds

    async def post(self, place: RoomPlace, text: Msg) -> None:
        self.posted.append(render("en", text))

    async def announce(
        self, place: RoomPlace, text: Msg, buttons: Sequence[tuple[str, Msg]]
    ) -> None:
        self.announced.append((render("en", text), [action for action, _ in buttons]))

    async def tell(self, place: RoomPlace, user_id: int, text: Msg) -> bool:
        if not self.dms_open:
            return False
        self.told.append((user_id, render("en", text)))
        return True

    def closing(self) -> bool:
        return False

    def may_post(self, member: int) -> bool:
        """Discord's computation for Send Messages (everyone may, by the server's roles)."""
        value = SEND
        everyone = self.overwrites.get(EVERYONE)
        if everyone is not None:
            value = (value & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for role in self.roles.get(member, ()):
            own = self.overwrites.get(Holder(True, role))
            if own is not None:
                allow, deny = allow | own.allow, deny | own.deny
        value = (value & ~deny) | allow
        mine = self.overwrites.get(Holder(False, member))
        if mine is not None:
            value = (value & ~mine.deny) | mine.allow
        return bool(value & SEND)


#: The channel before any meeting: a helpers' role allowed to post and attach, a member with a
#: moderator's "no", another member with an unrelated overwrite of their own.
BEFORE = {
    Holder(True, HELPERS): Bits(SEND | ATTACH, 0),
    Holder(False, MODERATED_ID): Bits(0, SEND),
    Holder(False, NEXT_ID): Bits(ATTACH, 0),
}


@dataclass
class Bench:
    store: Store
    time: FakeTime
    clock: Clock
    pseudonyms: Pseudonymizer
    port: FakeRoom
    meetings: LiveMeetings = field(default_factory=LiveMeetings)
    scheduler: Scheduler | None = None
    service: RoomRulesService | None = None
    live: LiveMeeting | None = None

    async def boot(self) -> RoomRulesService:
        """A (new) run of the bot: a service over the same database, loaded as on_ready."""
        self.scheduler = Scheduler(self.store.deadlines, self.clock)
        self.service = RoomRulesService(
            self.port, self.meetings, self.pseudonyms, self.clock, self.scheduler,
            self.store.room_plans,
        )  # fmt: skip
        await self.service.load()
        await self.settle()
        return self.service

    async def settle(self) -> None:
        assert self.service is not None
        await self.service.close()

    def start(self, source: bytes | None = None, member_role: int | None = None) -> LiveMeeting:
        runner = MeetingRunner(load_format(source or circle()))
        chair = self.pseudonyms.of(GUILD, CHAIR_ID)
        state, _ = runner.start(self.clock.now(), MeetingSetup(number=1, roles={CHAIR: [chair]}))
        group = GroupRecord(1, GUILD, CHANNEL, "quiet-circle", member_role, 0)
        self.live = LiveMeeting(1, group, "quiet-circle", runner, state, None)
        self.meetings.add(self.live)
        return self.live

    async def step(self) -> None:
        assert self.service is not None
        assert self.live is not None
        await self.service.on_step(self.live, ())
        await self.settle()

    async def give_floor(self, user_id: int) -> None:
        assert self.live is not None
        live, who = self.live, self.pseudonyms.of(GUILD, user_id)
        live.names[who] = user_id
        self.time.now += 1
        if live.state.floor.turn is not None:
            live.state, _ = live.runner.done(
                live.state, live.state.floor.turn.who, self.clock.now()
            )
        live.state, _ = live.runner.raise_hand(live.state, who, self.clock.now())
        await self.step()

    async def next_section(self) -> None:
        assert self.live is not None
        self.time.now += 1
        self.live.state, _ = self.live.runner.advance(self.live.state, self.clock.now())
        await self.step()

    async def end(self) -> None:
        assert self.live is not None
        self.time.now += 1
        self.live.state, _ = self.live.runner.end(self.live.state, self.clock.now())
        self.meetings.remove(self.live)
        await self.step()

    async def rows(self) -> list[dict[str, object]]:
        found = await self.store.db.fetchall("SELECT * FROM room_restore")
        return [dict(row) for row in found]

    async def retries(self) -> list[float]:
        return [d.due_at for d in await self.store.deadlines.all() if d.kind == ROOM_KIND]


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    group = await store.groups.create(
        guild_id=GUILD, channel_id=CHANNEL, format_id="quiet-circle", member_role_id=None, now=START
    )
    assert group is not None
    time = FakeTime()
    port = FakeRoom(overwrites=dict(BEFORE), roles={LISTENER_ID: (HELPERS,)})
    bench = Bench(store, time, Clock(anchor=START, real_time=time), Pseudonymizer(b"r" * 32), port)
    yield bench
    if bench.service is not None:
        await bench.service.close()
    await store.close()


def posters(port: FakeRoom) -> set[int]:
    return {
        m for m in (CHAIR_ID, SHARER_ID, NEXT_ID, LISTENER_ID, MODERATED_ID) if port.may_post(m)
    }


async def test_only_the_sharer_and_the_chair_post_and_the_channel_comes_back_exactly(
    bench: Bench,
) -> None:
    await bench.boot()
    bench.start()
    await bench.step()  # the sharing section begins: nobody has the floor yet
    assert posters(bench.port) == {CHAIR_ID}
    assert bench.port.may_post(BOT_ID)  # the meeting goes on
    await bench.give_floor(SHARER_ID)
    assert posters(bench.port) == {CHAIR_ID, SHARER_ID}
    # The helpers' role keeps its other bit; only Send Messages stopped being allowed.
    assert bench.port.overwrites[Holder(True, HELPERS)] == Bits(ATTACH, 0)
    # The floor moves: the next sharer may post (their own bit kept), the first may not.
    await bench.give_floor(NEXT_ID)
    assert posters(bench.port) == {CHAIR_ID, NEXT_ID}
    assert bench.port.overwrites[Holder(False, NEXT_ID)] == Bits(ATTACH | SEND, 0)
    assert Holder(False, SHARER_ID) not in bench.port.overwrites
    # Stored: coded keys and role ids only, never a member's id.
    rows = await bench.rows()
    assert rows
    for member_id in (CHAIR_ID, SHARER_ID, NEXT_ID, LISTENER_ID, MODERATED_ID, BOT_ID):
        assert all(member_id not in row.values() for row in rows)
    assert all(row["member"] is None or len(str(row["member"])) == 64 for row in rows)
    # The open talk: everyone posts again, with the format's slow mode.
    await bench.next_section()
    assert bench.port.slow == 30
    assert posters(bench.port) == {CHAIR_ID, SHARER_ID, NEXT_ID, LISTENER_ID}
    assert bench.port.overwrites == BEFORE
    await bench.end()
    assert bench.port.overwrites == BEFORE
    assert bench.port.slow == 0
    assert await bench.rows() == []
    assert bench.port.told == []
    assert bench.port.posted == []


async def test_opening_comes_before_closing(bench: Bench) -> None:
    await bench.boot()
    bench.start()
    await bench.step()
    # The bot and the chair are allowed before @everyone is denied.
    holders = [holder for holder, _ in bench.port.calls]
    assert holders.index(Holder(False, BOT_ID)) < holders.index(EVERYONE)
    assert holders.index(Holder(False, CHAIR_ID)) < holders.index(EVERYONE)
    bench.port.calls.clear()
    await bench.end()
    holders = [holder for holder, _ in bench.port.calls]
    assert holders[0] == EVERYONE  # opened first, then the grants taken back
    assert holders.index(Holder(True, HELPERS)) < holders.index(Holder(False, BOT_ID))


async def test_a_restart_mid_section_carries_on_and_the_end_puts_it_back(bench: Bench) -> None:
    await bench.boot()
    live = bench.start()
    await bench.give_floor(SHARER_ID)
    during = dict(bench.port.overwrites)
    # kill -9: a new run over the same database; the meeting's names are gone from memory.
    bench.meetings.remove(live)
    bench.meetings = LiveMeetings()
    live.names.clear()
    bench.meetings.add(live)
    bench.port.calls.clear()
    await bench.boot()
    await bench.step()
    assert bench.port.calls == []  # the same rules: nothing undone only to be done again
    assert bench.port.overwrites == during
    await bench.end()
    assert bench.port.overwrites == BEFORE
    assert await bench.rows() == []


async def test_a_restart_after_the_meeting_ended_puts_the_channel_back(bench: Bench) -> None:
    await bench.boot()
    live = bench.start()
    await bench.give_floor(SHARER_ID)
    await bench.give_floor(NEXT_ID)
    await bench.next_section()
    assert bench.port.slow == 30
    bench.meetings.remove(live)  # the bot died as the meeting ended, before it put things back
    bench.meetings = LiveMeetings()
    await bench.boot()
    assert bench.port.overwrites == BEFORE
    assert bench.port.slow == 0
    assert await bench.rows() == []


async def test_a_refused_restore_is_retried_with_a_growing_delay_and_said_once(
    bench: Bench,
) -> None:
    service = await bench.boot()
    bench.start()
    await bench.give_floor(SHARER_ID)
    bench.port.refuse = True
    await bench.end()
    assert bench.port.posted == [str(words.cannot_restore(()))]
    assert not bench.port.may_post(LISTENER_ID)  # still closed: the plan is kept
    assert len(await bench.rows()) > 0
    first = await bench.retries()
    assert first == [pytest.approx(bench.clock.timestamp() + 5.0)]
    await service.sync(CHANNEL)  # refused again: the delay doubles, nothing said twice
    second = await bench.retries()
    assert second == [pytest.approx(bench.clock.timestamp() + 10.0)]
    assert len(bench.port.posted) == 1
    bench.port.refuse = False  # someone gave the permission back; the deadline fires
    await service.sync(CHANNEL)
    assert bench.port.overwrites == BEFORE
    assert await bench.rows() == []
    assert await bench.retries() == []
    assert bench.port.posted[-1] == str(words.RESTORED)


async def test_without_manage_permissions_the_meeting_goes_on_and_the_chair_hears_once(
    bench: Bench,
) -> None:
    bench.port.granted = {"manage_channels"}
    await bench.boot()
    bench.start()
    await bench.give_floor(SHARER_ID)
    await bench.give_floor(NEXT_ID)
    assert bench.port.overwrites == BEFORE
    assert bench.port.calls == []
    assert bench.port.told == [(CHAIR_ID, str(words.cannot_apply(["manage_roles"])))]
    assert "**Manage Permissions**" in bench.port.told[0][1]
    # Slow mode needs Manage Channel, which it has.
    await bench.next_section()
    assert bench.port.slow == 30
    await bench.end()
    assert bench.port.slow == 0
    assert len(bench.port.told) == 1


async def test_with_dms_closed_the_chair_is_told_in_the_channel(bench: Bench) -> None:
    bench.port.granted = {"manage_roles"}
    bench.port.dms_open = False
    await bench.boot()
    bench.start()
    await bench.next_section()
    assert bench.port.slow == 0
    assert bench.port.posted == [str(words.cannot_apply(["manage_channels"]))]
    assert "**Manage Channel**" in bench.port.posted[0]


async def test_lock_closes_the_channel_to_newcomers_from_start_to_close(bench: Bench) -> None:
    await bench.boot()
    bench.port.roles[SHARER_ID] = (MEMBER_ROLE,)
    bench.port.roles[CHAIR_ID] = (MEMBER_ROLE,)
    bench.start(circle(lock=True, post="everyone"), member_role=MEMBER_ROLE)
    await bench.step()
    assert posters(bench.port) == {CHAIR_ID, SHARER_ID}  # members; no newcomer, no helper
    assert bench.port.overwrites[EVERYONE] == Bits(0, SEND)
    assert bench.port.overwrites[Holder(True, MEMBER_ROLE)] == Bits(SEND, 0)
    assert not bench.port.overwrites[EVERYONE].deny & CONNECT  # a text channel: no Connect
    await bench.next_section()
    assert posters(bench.port) == {CHAIR_ID, SHARER_ID}  # still locked, slow mode on top
    await bench.end()
    assert bench.port.overwrites == BEFORE


async def test_lock_without_a_member_role_is_explained_and_changes_nothing(bench: Bench) -> None:
    await bench.boot()
    bench.start(circle(lock=True, post="everyone"))
    await bench.step()
    await bench.step()
    assert bench.port.calls == []
    assert bench.port.told == [(CHAIR_ID, str(words.NEEDS_MEMBER_ROLE))]


async def test_a_moderators_no_stands_even_for_the_sharer(bench: Bench) -> None:
    await bench.boot()
    bench.start()
    await bench.give_floor(MODERATED_ID)
    assert not bench.port.may_post(MODERATED_ID)
    assert bench.port.overwrites[Holder(False, MODERATED_ID)] == Bits(0, SEND)


async def test_a_forgotten_member_gets_their_overwrite_back_and_leaves_no_row(
    bench: Bench,
) -> None:
    service = await bench.boot()
    live = bench.start()
    await bench.give_floor(SHARER_ID)
    sharer = bench.pseudonyms.of(GUILD, SHARER_ID)
    assert any(row["member"] == sharer for row in await bench.rows())
    # The meeting service lets them go first (off the floor), then this handler runs.
    bench.time.now += 1
    live.state, _ = live.runner.done(live.state, sharer, bench.clock.now())
    await service.member_forgotten(MemberForgotten(GUILD, sharer))
    await bench.settle()
    assert Holder(False, SHARER_ID) not in bench.port.overwrites
    assert all(row["member"] != sharer for row in await bench.rows())


async def test_leaving_a_server_keeps_nothing(bench: Bench) -> None:
    service = await bench.boot()
    bench.start()
    await bench.give_floor(SHARER_ID)
    bench.port.refuse = True
    await bench.end()
    assert await bench.retries()
    await service.guild_left(GuildLeft(GUILD))
    assert await bench.rows() == []
    assert await bench.retries() == []
