"""An election's result reaches the rotation even when the bot dies between deciding it and
telling the rotation: the event (ServiceElected) is held in the event outbox in the transaction
that decides the election, and carried out after a restart — once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.core.formats.plan import SectionKind
from bot.core.pseudonyms import Pseudonymizer
from bot.runtime.business import BusinessService
from bot.runtime.clock import Clock
from bot.runtime.events import Delivery, EventBus, MeetingStepped, ServiceElected
from bot.runtime.formats import FormatLibrary
from bot.runtime.live import LiveMeetings
from bot.runtime.locks import GroupLocks
from bot.runtime.rotation import RotationService
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store.groups import GroupRecord
from bot.store.rotation_seats import elected
from tests.runtime.test_business_service import ANA, CY, DI, MEMBERS, FakeBusinessPort
from tests.runtime.test_meetings_service import FakePresenter
from tests.runtime.test_rotation_service import FakeDiscord
from tests.support.clock import START, FakeTime

GUILD, CHANNEL = 8001, 8002
ELECTING = """
format: 1
name: Electing a secretary
roles:
  secretary:
    elected: true
    term: 3 meetings
    fallback: chair
sections:
  - say: Welcome to our business meeting.
  - business: Let's choose our secretary.
    agenda:
      - item: Electing our secretary
        time: 5m
        elect: secretary
    motions:
      voting: 2m
      quorum: 3
  - closing: Thank you for coming.
"""


class Crash(BaseException):
    """The process dies here (nothing after it runs; nothing catches it)."""


class DyingBus(EventBus):
    """The bus of a process that dies right after the result is committed and posted."""

    async def carry_out(self, ids: Sequence[int]) -> None:
        raise Crash


class DyingPort(FakeBusinessPort):
    """Discord's side in a process that dies as it posts the election's result."""

    async def post(self, group: GroupRecord, words: str, *args: Any, **kwargs: Any) -> int | None:
        if words.startswith("**Di is elected"):
            raise Crash
        return await super().post(group, words, *args, **kwargs)


class Run:
    """One run of the bot: the services over the same database, and its event bus."""

    def __init__(
        self,
        store: Store,
        time: FakeTime,
        *,
        dies: str = "",
        discord: FakeBusinessPort | None = None,
    ) -> None:
        self.store, self.time = store, time
        self.clock = Clock(rate=1.0, anchor=START, real_time=time)
        self.scheduler = Scheduler(store.deadlines, self.clock)
        live, locks, formats = LiveMeetings(), GroupLocks(), FormatLibrary(store)
        self.bus = (DyingBus if dies == "delivering" else EventBus)(
            outbox=store.event_outbox, clock=self.clock, scheduler=self.scheduler
        )
        self.port = discord or (DyingPort() if dies == "posting" else FakeBusinessPort())
        self.business = BusinessService(
            store=store, clock=self.clock, scheduler=self.scheduler, formats=formats, live=live,
            port=self.port, locks=locks, bus=self.bus,
        )  # fmt: skip
        self.rotation = RotationService(
            store=store, clock=self.clock, formats=formats, meetings=live, locks=locks,
            port=FakeDiscord(Pseudonymizer(b"r" * 32)),
        )  # fmt: skip
        self.bus.subscribe(MeetingStepped, self.business.meeting_stepped)
        self.bus.subscribe(ServiceElected, self.rotation.service_elected, Delivery.DURABLE)
        from bot.runtime.meetings import MeetingService

        self.meetings = MeetingService(
            store=store, clock=self.clock, scheduler=self.scheduler, formats=formats, live=live,
            locks=locks, bus=self.bus, port=FakePresenter(),
        )  # fmt: skip

    async def close(self) -> None:
        await self.rotation.close()

    async def ballot_closes(self) -> None:
        """The ballot's two minutes pass and its deadline fires."""
        self.time.now += 121
        for deadline in await self.store.deadlines.all():
            if deadline.kind == "business.ballot" and deadline.due_at <= self.clock.timestamp():
                await self.store.deadlines.complete(deadline)
                await self.business._ballot_due(deadline.payload)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    group = await store.groups.create(
        guild_id=GUILD, channel_id=CHANNEL, format_id="open-discussion", member_role_id=None,
        now=START,
    )  # fmt: skip
    assert group is not None
    number = await store.group_formats.add(group.id, label="elect", source=ELECTING, now=START)
    await store.group_formats.adopt(group.id, f"group:{number}", START)
    yield store
    await store.close()


async def elected_rows(store: Store) -> list[tuple[str, int | None]]:
    rows = await store.db.fetchall("SELECT who, until_meeting FROM rotation_elected")
    return [(str(row["who"]), row["until_meeting"]) for row in rows]


@pytest.mark.parametrize("dies", ["posting", "delivering"])
async def test_a_crash_after_the_result_still_leaves_the_elected_member_holding_the_role_once(
    store: Store, dies: str
) -> None:
    """The bot dies as it posts the result (decided, not shown), or after posting it, before
    the rotation is told."""
    time = FakeTime()
    first = Run(store, time, dies=dies)
    live = await first.meetings.start(CHANNEL, ANA, 21)
    while live.plan.sections[live.state.step.index].kind is not SectionKind.BUSINESS:  # type: ignore[union-attr]
        await first.meetings.act(live, lambda r, s, now: r.advance(s, now))
    await first.business.settle()
    _, post = first.port.last("**Electing our secretary**")
    election = post.buttons[0].matter
    await first.business.act(election, CY, 23, "stand")
    await first.business.act(election, DI, 24, "stand")
    await first.business.act(election, ANA, 21, "open")
    for who, choice in zip(MEMBERS, ["c1", "c1", "c0", "c1", "c1", "abstain"], strict=True):
        await first.business.act(election, who, 0, choice)
    with pytest.raises(Crash):
        await first.ballot_closes()  # decided; the process dies before the rotation hears
    assert await elected_rows(store) == []  # the rotation was never told in this run
    assert await store.db.fetchval("SELECT count(*) FROM event_outbox") == 1
    await first.close()

    # The next run carries out what the crash left: Di holds the role for meetings 2 to 4.
    second = Run(store, time, discord=FakeBusinessPort(posts=first.port.posts))  # Discord stays
    before = len(first.port.posts)
    await second.business.resume()  # a result the crash left unposted is posted now
    shown = [w for w in second.port.said()[before:] if w.startswith("**Di is elected")]
    assert len(shown) == (1 if dies == "posting" else 0)
    assert await second.bus.resume() == 1
    assert await elected_rows(store) == [(DI, 4)]
    assert await store.db.fetchval("SELECT count(*) FROM event_outbox") == 0
    group = await store.groups.by_id(live.group.id)
    assert group is not None
    # Exactly once: nothing left to carry out, and the same result delivered again (a crash
    # after the rotation's own commit) changes nothing; an earlier election's never wins.
    assert await second.bus.resume() == 0
    again = ServiceElected(group.id, "secretary", DI, 4, None, at=time.now)
    await second.rotation.service_elected(again)
    older = ServiceElected(group.id, "secretary", CY, 9, None, at=again.at - 3600)
    await second.rotation.service_elected(older)
    assert await elected_rows(store) == [(DI, 4)]
    # Di serves from the next meeting (2) to the end of the term (4).
    role = await store.db.fetchval("SELECT rotation_id FROM rotation_elected")
    now = second.clock.timestamp()
    assert [await elected(store.db, int(role), n, now) for n in (2, 4, 5)] == [DI, DI, None]
    await second.close()
