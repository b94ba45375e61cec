"""Meetings resumed after a restart side by side (:meth:`MeetingService.resume_all`): a bounded
number at once, each meeting once, its own steps in order, one failure keeping no other back."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.core.meeting import effects as fx
from bot.runtime.clock import Clock
from bot.runtime.events import EventBus
from bot.runtime.formats import FormatLibrary
from bot.runtime.live import LiveMeeting, LiveMeetings
from bot.runtime.locks import GroupLocks
from bot.runtime.meetings import MeetingService, Unshown
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from tests.runtime.test_meetings_service import ANA, GUILD, START, Bench
from tests.support.clock import FakeTime

MEETINGS = 12


@dataclass
class SlowPresenter:
    """The meeting port of the restarted process: each call takes a moment (a Discord round
    trip); records, meeting by meeting, what was done, and the most calls under way at once.
    ``broken``: a channel whose posts fail with an unexpected error."""

    done: dict[int, list[str]] = field(default_factory=dict)
    busy: int = 0
    most: int = 0
    broken: int | None = None

    async def _call(self, live: LiveMeeting, what: str) -> None:
        self.busy += 1
        self.most = max(self.most, self.busy)
        try:
            await asyncio.sleep(0.002)
        finally:
            self.busy -= 1
        self.done.setdefault(live.group.channel_id, []).append(what)

    async def open_panel(self, live: LiveMeeting) -> int | None:
        await self._call(live, "panel")
        return 9100 + live.id

    async def show(self, live: LiveMeeting, effects: Sequence[fx.ChannelEffect]) -> Unshown | None:
        if live.group.channel_id == self.broken:
            raise RuntimeError("an unexpected failure")
        for effect in effects:
            if isinstance(effect, fx.Notice):
                await self._call(live, effect.kind.value)
        return None

    async def cannot_post(self, live: LiveMeeting, missing: tuple[str, ...]) -> None:
        raise AssertionError("no post was refused")

    async def tell_chair(self, live: LiveMeeting, missing: tuple[str, ...]) -> bool:
        raise AssertionError("no post was refused")

    def forget(self, live: LiveMeeting, who: object) -> None:
        raise AssertionError("nobody was forgotten")


async def meetings_under_way(store: Store, time: FakeTime) -> list[int]:
    """``MEETINGS`` groups, each with a meeting started; the channels."""
    first = Bench(store, time)
    channels = [8000 + n for n in range(MEETINGS)]
    for channel in channels:
        created = await store.groups.create(
            guild_id=GUILD,
            channel_id=channel,
            format_id="open-discussion",
            member_role_id=None,
            now=START,
        )
        assert created is not None
        await first.service.start(channel, ANA, 11)
    return channels


def restarted(store: Store, time: FakeTime, port: SlowPresenter) -> MeetingService:
    clock = Clock(rate=1.0, anchor=START, real_time=time)
    return MeetingService(
        store=store,
        clock=clock,
        scheduler=Scheduler(store.deadlines, clock),
        formats=FormatLibrary(store),
        live=LiveMeetings(),
        locks=GroupLocks(),
        bus=EventBus(),
        port=port,
    )


async def test_meetings_resume_side_by_side_each_once_in_order(store: Store) -> None:
    time = FakeTime()
    channels = await meetings_under_way(store, time)
    # Three starts were cut short before their panel (a crash in between).
    no_panel = channels[:3]
    for channel in no_panel:
        group = await store.groups.by_channel(channel)
        assert group is not None
        await store.db.execute(
            "UPDATE meetings SET panel_message_id = NULL WHERE group_id = ?", (group.id,)
        )
    port = SlowPresenter(broken=channels[5])
    service = restarted(store, time, port)
    assert await service.load_all() == MEETINGS

    await service.resume_all(side_by_side=4)

    assert 1 < port.most <= 4  # side by side, never more than asked
    resumed = fx.NoticeKind.RESUMED_AFTER_RESTART.value
    for channel in channels:
        if channel == channels[5]:
            assert channel not in port.done  # its failure was logged; the others went on
        elif channel in no_panel:
            assert port.done[channel] == ["panel", resumed]  # its panel first, then the notice
        else:
            assert port.done[channel] == [resumed]  # once
    rows = await store.db.fetchall("SELECT panel_message_id FROM meetings")
    assert all(row[0] is not None for row in rows)  # the panels posted now are kept


async def test_one_at_a_time_is_still_possible(store: Store) -> None:
    time = FakeTime()
    channels = await meetings_under_way(store, time)
    port = SlowPresenter()
    service = restarted(store, time, port)
    assert await service.load_all() == MEETINGS
    await service.resume_all(side_by_side=1)
    assert port.most == 1
    assert sorted(port.done) == channels
    assert all(len(done) == 1 for done in port.done.values())
