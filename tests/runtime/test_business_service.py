"""The business service on a real database, scheduler and meeting service, with a fake Discord
side: the built-in business meeting's motion moved, seconded, discussed and voted; withdraw,
table and a motion to table; an election; a skipped item said; the end of the meeting."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.core.formats.plan import SectionKind
from bot.core.pseudonyms import Pseudonym, Pseudonymizer
from bot.core.schedule.stored import StoredSchedule
from bot.errors import NotAllowed
from bot.runtime.business import BusinessService, Button
from bot.runtime.clock import Clock
from bot.runtime.events import EventBus, MeetingStepped
from bot.runtime.formats import FormatLibrary
from bot.runtime.live import LiveMeeting, LiveMeetings
from bot.runtime.locks import GroupLocks
from bot.runtime.scheduler import Scheduler
from bot.store import Store
from bot.store.groups import GroupRecord
from tests.runtime.test_meetings_service import FakePresenter
from tests.support.clock import START, FakeTime

GUILD, CHANNEL = 8001, 8002
KEY = Pseudonymizer(b"a test key that is long enough!!")
ANA, BO, CY, DI, ED, FAY = (KEY.of(GUILD, n) for n in range(21, 27))
MEMBERS = (ANA, BO, CY, DI, ED, FAY)
NAMES = dict(zip(MEMBERS, ("Ana", "Bo", "Cy", "Di", "Ed", "Fay"), strict=True))


@dataclass
class Post:
    words: str
    buttons: list[Button]
    reply_to: int | None


@dataclass
class FakeBusinessPort:
    members: frozenset[Pseudonym] = frozenset(MEMBERS)
    posts: dict[int, Post] = field(default_factory=dict)

    async def roll(self, group: GroupRecord) -> frozenset[Pseudonym]:
        return self.members

    async def post(
        self,
        group: GroupRecord,
        words: str,
        buttons: Sequence[Button] = (),
        *,
        reply_to: int | None = None,
        once: str | None = None,
    ) -> int | None:
        message_id = 100 + len(self.posts)
        self.posts[message_id] = Post(words, list(buttons), reply_to)
        return message_id

    async def set_buttons(
        self, group: GroupRecord, message_id: int, buttons: Sequence[Button], words: str | None
    ) -> None:
        post = self.posts[message_id]
        post.buttons = list(buttons)
        if words is not None:
            post.words = words

    async def names(
        self, group: GroupRecord, who: Sequence[Pseudonym], hint: Mapping[Pseudonym, int]
    ) -> list[str]:
        return [NAMES.get(p, "a member") for p in who]

    def said(self) -> list[str]:
        return [post.words for post in self.posts.values()]

    def last(self, starting: str) -> tuple[int, Post]:
        found = [(i, p) for i, p in self.posts.items() if p.words.startswith(starting)]
        assert found, f"nothing posted starting {starting!r}: {self.said()}"
        return found[-1]

    def buttons(self, message_id: int) -> list[str]:
        return [b.action for b in self.posts[message_id].buttons]


class Bench:
    def __init__(self, store: Store, time: FakeTime) -> None:
        from bot.runtime.meetings import MeetingService

        self.store, self.time = store, time
        self.clock = Clock(rate=1.0, anchor=START, real_time=time)
        self.scheduler = Scheduler(store.deadlines, self.clock)
        self.live = LiveMeetings()
        self.port = FakeBusinessPort()
        self.bus = EventBus()
        formats = FormatLibrary(store)
        self.business = BusinessService(
            store=store,
            clock=self.clock,
            scheduler=self.scheduler,
            formats=formats,
            live=self.live,
            port=self.port,
            locks=GroupLocks(),
        )
        self.bus.subscribe(MeetingStepped, self.business.meeting_stepped)
        self.meetings = MeetingService(
            store=store,
            clock=self.clock,
            scheduler=self.scheduler,
            formats=formats,
            live=self.live,
            locks=GroupLocks(),
            bus=self.bus,
            port=FakePresenter(),
        )

    async def to_business(self, language: str | None = None) -> LiveMeeting:
        """A business meeting chaired by Ana, at its business part (``language``: the group's
        own decision, as a passed ``/propose change`` writes it)."""
        created = await self.store.groups.create(
            guild_id=GUILD,
            channel_id=CHANNEL,
            format_id="business-meeting",
            member_role_id=None,
            now=START,
        )
        assert created is not None
        if language is not None:
            await self.store.db.execute(
                "INSERT INTO group_settings (group_id, name, value) VALUES (?, 'language', ?)",
                (created.id, language),
            )
        live = await self.meetings.start(CHANNEL, ANA, 21)
        while live.plan.sections[live.state.step.index].kind is not SectionKind.BUSINESS:  # type: ignore[union-attr]
            await self.meetings.act(live, lambda r, s, now: r.advance(s, now))
        await self.business.settle()
        return live

    async def next(self, live: LiveMeeting) -> None:
        await self.meetings.act(live, lambda r, s, now: r.advance(s, now))
        await self.business.settle()

    async def advance(self, seconds: float) -> None:
        self.time.now += seconds
        for deadline in await self.store.deadlines.all():
            if deadline.kind.startswith("business.") and deadline.due_at <= self.clock.timestamp():
                handler = {
                    "business.discussion": self.business._discussion_due,
                    "business.ballot": self.business._ballot_due,
                }[deadline.kind]
                await handler(deadline.payload)
                await self.store.deadlines.complete(deadline)

    async def rows(self, table: str) -> int:
        return int(await self.store.db.fetchval(f"SELECT count(*) FROM {table}"))

    async def motion(self, live: LiveMeeting, words: str = "I move that we meet weekly.") -> str:
        await self.business.move(live.id, BO, 22, words)
        _, post = self.port.last("**A motion**")
        return post.buttons[0].matter


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    yield Bench(store, FakeTime())
    await store.close()


async def test_a_motion_is_moved_seconded_discussed_voted_and_carried(bench: Bench) -> None:
    live = await bench.to_business()
    said = bench.port.said()
    assert any(words.startswith("Anything for the group to decide") for words in said)
    matter = await bench.motion(live, "I move that we\nmeet `weekly`.")
    message, post = bench.port.last("**A motion**")
    assert "“I move that we meet weekly.”" in post.words  # one line, no formatting marks
    assert bench.port.buttons(message) == ["second", "withdraw", "table"]
    with pytest.raises(NotAllowed, match="can't second your own"):
        await bench.business.act(matter, BO, 22, "second")
    await bench.business.act(matter, CY, 23, "second")
    assert bench.port.buttons(message) == ["call", "totable", "withdraw", "table"]
    assert bench.port.last("The motion is seconded")[1].reply_to == message
    with pytest.raises(NotAllowed, match="Only today's chair"):
        await bench.business.act(matter, CY, 23, "call")
    await bench.advance(10 * 60)  # the discussion's ten minutes are up: the ballot opens
    ballot, _shown = bench.port.last("**Secret ballot: the motion above.**")
    assert bench.port.buttons(ballot) == ["yes", "no", "abstain", "close"]
    assert bench.port.buttons(message) == []
    assert await bench.rows("business_roll") == len(MEMBERS)
    for who, choice in zip(MEMBERS, ["yes", "yes", "no", "yes", "abstain"], strict=False):
        await bench.business.act(matter, who, 0, choice)
    with pytest.raises(NotAllowed, match="can't be changed"):
        await bench.business.act(matter, BO, 22, "no")  # the mover can't vote twice
    bench.port.members = frozenset({*MEMBERS, KEY.of(GUILD, 99)})
    with pytest.raises(NotAllowed, match="fixed when this ballot opened"):
        await bench.business.act(matter, KEY.of(GUILD, 99), 99, "yes")
    assert await bench.rows("business_ballots") == 5
    await bench.business.act(matter, ANA, 21, "close")
    assert bench.port.said()[-1] == (
        "**The motion carried** (Yes 3, No 1, Abstain 1). It needed a majority of the yes "
        "and no votes."
    )
    assert bench.port.buttons(ballot) == []
    for table in ("business_matters", "business_roll", "business_ballots"):
        assert await bench.rows(table) == 0, table  # nothing kept once decided
    assert await bench.rows("deadlines WHERE kind LIKE 'business.%'") == 0
    with pytest.raises(NotAllowed, match="already been decided"):
        await bench.business.act(matter, FAY, 26, "yes")


async def test_without_the_quorum_nothing_is_decided(bench: Bench) -> None:
    live = await bench.to_business()
    matter = await bench.motion(live)
    await bench.business.act(matter, CY, 23, "second")
    await bench.business.act(matter, ANA, 21, "call")
    for who in (ANA, BO, CY):
        await bench.business.act(matter, who, 0, "yes")
    await bench.advance(120)  # the ballot's two minutes
    assert bench.port.said()[-1].startswith(
        "**The ballot is closed.** We needed at least 5 votes and 3 were cast"
    )


async def test_withdrawn_and_tabled_motions_leave_nothing(bench: Bench) -> None:
    live = await bench.to_business()
    first = await bench.motion(live)
    with pytest.raises(NotAllowed, match="finish with it first"):
        await bench.business.move(live.id, CY, 23, "Another idea.")
    with pytest.raises(NotAllowed, match="Only the member who moved"):
        await bench.business.act(first, CY, 23, "withdraw")
    await bench.business.act(first, BO, 22, "withdraw")
    assert bench.port.said()[-1] == "The member who moved the motion has withdrawn it."
    second = await bench.motion(live, "We buy a new kettle.")
    await bench.business.act(second, DI, 24, "second")
    with pytest.raises(NotAllowed, match="Only today's chair"):
        await bench.business.act(second, DI, 24, "table")
    await bench.business.act(second, ANA, 21, "table")
    assert bench.port.said()[-1].startswith("The chair has tabled the motion.")
    assert await bench.rows("business_matters") == 0


async def test_a_seconded_motion_to_table_is_voted_at_once(bench: Bench) -> None:
    live = await bench.to_business()
    main = await bench.motion(live)
    with pytest.raises(NotAllowed, match="needs a second first"):
        await bench.business.act(main, CY, 23, "totable")
    await bench.business.act(main, CY, 23, "second")
    await bench.business.act(main, DI, 24, "totable")
    _, post = bench.port.last("**A motion to table**")
    to_table = post.buttons[0].matter
    await bench.business.act(to_table, ED, 25, "second")
    bench.port.last("**Secret ballot: tabling the motion.**")
    for who in MEMBERS[:5]:
        await bench.business.act(to_table, who, 0, "yes" if who != BO else "no")
    await bench.business.act(to_table, ANA, 21, "close")
    assert bench.port.said()[-1].startswith("**The motion to table carried** (Yes 4, No 1")
    assert await bench.rows("business_matters") == 0  # the motion went with it


@pytest.mark.parametrize(
    ("zone", "until"),
    [
        (None, "15 July 2027"),  # no schedule: UTC, where it is 15 January, 08:00
        ("Pacific/Pago_Pago", "14 July 2027"),  # where it is still 14 January, 21:00
    ],
)
async def test_an_election_and_a_skipped_item(bench: Bench, zone: str | None, until: str) -> None:
    live = await bench.to_business()
    if zone is not None:  # the term is counted from the group's own date
        await bench.store.schedules.save(live.group.id, StoredSchedule(zone=zone), START)
    await bench.next(live)
    # The built-in format's treasurer falls back to "skip": said, not dropped.
    assert bench.port.said()[-1] == (
        "No treasurer today, so we'll leave “Treasurer's report” for next time."
    )
    for _ in range(2):  # to "Electing our secretary"
        await bench.next(live)
    election_id, post = bench.port.last("**Electing our secretary**")
    assert "Standing so far: nobody yet" in post.words
    election = post.buttons[0].matter
    with pytest.raises(NotAllowed, match="Nobody has stood yet"):
        await bench.business.act(election, ANA, 21, "open")
    await bench.business.act(election, CY, 23, "stand")
    await bench.business.act(election, DI, 24, "stand")
    await bench.business.act(election, ED, 25, "stand")
    await bench.business.act(election, ED, 25, "down")
    assert "Standing so far: Cy, Di." in bench.port.posts[election_id].words
    await bench.business.act(election, ANA, 21, "open")
    ballot, _ = bench.port.last("**Secret ballot: our secretary.**")
    assert [b.label for b in bench.port.posts[ballot].buttons] == [
        "Cy",
        "Di",
        "Abstain",
        "Close the vote (chair)",
    ]
    for who, choice in zip(MEMBERS, ["c1", "c1", "c0", "c1", "abstain", "c1"], strict=True):
        await bench.business.act(election, who, 0, choice)
    with pytest.raises(NotAllowed, match="isn't a choice"):
        await bench.business.act(election, ANA, 21, "c5")
    await bench.advance(120)
    result = bench.port.said()[-1]
    assert result.startswith(f"**Di is elected our secretary**, for 6 months (until {until})")
    assert result.endswith("Votes: Cy 1, Di 4; Abstain 1.")
    assert await bench.rows("business_candidates") == 0


async def test_the_end_of_the_meeting_counts_an_open_ballot_and_lets_the_rest_go(
    bench: Bench,
) -> None:
    live = await bench.to_business()
    matter = await bench.motion(live)
    await bench.business.act(matter, CY, 23, "second")
    await bench.business.act(matter, ANA, 21, "call")
    for who in MEMBERS[:5]:
        await bench.business.act(matter, who, 0, "no")
    await bench.meetings.act(live, lambda r, s, now: r.end(s, now))
    await bench.business.settle()
    assert bench.port.said()[-1].startswith("**The motion did not carry** (Yes 0, No 5")
    assert await bench.rows("business_matters") == 0


async def test_leaving_the_business_part_leaves_an_undecided_motion_for_later(
    bench: Bench,
) -> None:
    live = await bench.to_business()
    for _ in range(3):
        await bench.next(live)
    await bench.motion(live)
    await bench.next(live)  # past the last item: the business part ends
    said = bench.port.said()
    assert said[-2:] == [
        "The business part ended before the motion came to a vote, so it's left for a later "
        "meeting.",
        "The election for our secretary didn't come to a vote today. It can be held next time.",
    ]
    assert await bench.rows("business_matters") == 0
    with pytest.raises(NotAllowed, match="business part of the meeting"):
        await bench.business.move(live.id, BO, 22, "Too late.")


async def test_a_restart_shows_a_result_a_crash_left_unposted(bench: Bench) -> None:
    live = await bench.to_business()
    matter = await bench.motion(live)
    await bench.business.act(matter, CY, 23, "second")
    await bench.business.act(matter, ANA, 21, "call")
    record = await bench.store.business.get(matter)
    assert record is not None
    from bot.core.business import count_motion
    from bot.core.formats.plan import Threshold

    async with bench.store.db.transaction() as tx:  # decided, then the process died
        await bench.store.business.decide(
            tx, record.matter, count_motion(["yes"] * 5, Threshold(1, True), 5)
        )
    await bench.business.resume()
    assert bench.port.said()[-1].startswith("**The motion did not carry** (Yes 5")
    assert await bench.rows("business_matters") == 0


async def test_a_motion_stored_but_never_posted_is_asked_for_again_after_a_restart(
    bench: Bench,
) -> None:
    live = await bench.to_business()
    from bot.core import business as core

    motion = core.move(
        "lost-motion-1",
        BO,
        meeting=live.id,
        section=live.state.step.index,  # type: ignore[union-attr]
        item=0,
        second_required=True,
        discussion_seconds=None,
        now=bench.clock.now(),
    )
    async with bench.store.db.transaction() as tx:  # committed, then the process died
        await bench.store.business.add(tx, motion, live.group.id)
    await bench.business.resume()
    assert bench.port.said()[-1].startswith("I restarted just as a motion was being posted")
    assert await bench.rows("business_matters") == 0
    await bench.motion(live)  # a new motion may be made
