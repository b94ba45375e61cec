"""A member's own words in a meeting, through the meeting service on a real database with a fake
Discord side (:mod:`bot.runtime.meetings.requests`): the topic chosen by whoever `chosen-by:`
names, a milestone celebrated without a name, a request passed to the chair without a name —
each only in the part that offers it, and none of it ever in the database."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from bot.core.formats.plan import SectionKind
from bot.errors import NotAllowed
from bot.runtime.live import LiveMeeting
from bot.runtime.meetings.requests import Chooser, Request, RoomRequests
from bot.store import Store
from tests.runtime.test_meetings_service import ANA, BO, CHANNEL, CY, GUILD, START, Bench
from tests.support.clock import FakeTime

ROOM = """\
format: 1
name: Our own words
length: 60m
roles:
  secretary:
    title: Secretary
sections:
  - topic: What shall we talk about today?
    chosen-by: chair
  - topic: Any other topic?
    chosen-by: everyone
  - milestones: Is anyone celebrating a milestone today?
  - share: The floor is open.
    private-requests: true
    until: end - 10m
  - check-out: One word for how you're leaving.
    private-requests: false
  - closing: Thank you for coming.
"""


@dataclass
class FakeRequests:
    """What would reach Discord: posts in the room, notes to the chair."""

    room: list[str] = field(default_factory=list)
    chair: list[tuple[str, str]] = field(default_factory=list)
    chair_reachable: bool = True

    async def topic_chosen(self, live: LiveMeeting, topic: str, chooser: Chooser | None) -> bool:
        by = None if chooser is None else chooser.role or "the chair"
        self.room.append(f"topic by {by}: {topic}")
        return True

    async def milestone(self, live: LiveMeeting, what: str) -> bool:
        self.room.append(f"milestone: {what}")
        return True

    async def for_chair(self, live: LiveMeeting, words: str, title: str) -> bool:
        if self.chair_reachable:
            self.chair.append((title, words))
        return self.chair_reachable


async def started(store: Store) -> tuple[Bench, LiveMeeting]:
    bench = Bench(store, FakeTime())
    group = await store.groups.create(
        guild_id=GUILD,
        channel_id=CHANNEL,
        format_id="open-discussion",
        member_role_id=None,
        now=START,
    )
    assert group is not None
    number = await store.group_formats.add(group.id, label="ours", source=ROOM, now=START)
    await store.group_formats.adopt(group.id, f"group:{number}", START)
    return bench, await bench.service.start(CHANNEL, ANA, 11)


async def next_part(bench: Bench, live: LiveMeeting) -> SectionKind:
    await bench.service.act(live, lambda r, s, now: r.advance(s, now))
    step = live.state.step
    assert step is not None
    return live.plan.sections[step.index].kind


async def everything_stored(store: Store) -> str:
    rows = []
    for (table,) in await store.db.fetchall("SELECT name FROM sqlite_master WHERE type='table'"):
        rows += [repr(tuple(row)) for row in await store.db.fetchall(f"SELECT * FROM {table}")]
    return "\n".join(rows)


async def test_topic_milestone_and_private_request_each_in_its_own_part(store: Store) -> None:
    bench, live = await started(store)
    port = FakeRequests()
    requests = RoomRequests(port)

    # The chair chooses the first topic; anyone else is told who chooses it, kindly.
    with pytest.raises(NotAllowed) as refused:
        await requests.submit(live, BO, Request.TOPIC, "gratitude")
    assert str(refused.value) == (
        "Today's topic is chosen by the chair, so nothing was posted. You're welcome to suggest "
        "one to them."
    )
    assert await requests.submit(live, ANA, Request.TOPIC, "  gratitude\n and  patience ")
    assert port.room == ["topic by the chair: gratitude and patience"]
    with pytest.raises(NotAllowed, match="private requests"):
        await requests.submit(live, BO, Request.ASK, "Could we talk about grief?")

    # With `chosen-by: everyone`, any member suggests, and is not named.
    assert await next_part(bench, live) is SectionKind.TOPIC
    assert await requests.submit(live, CY, Request.TOPIC, "acceptance")
    assert port.room[-1] == "topic by None: acceptance"
    with pytest.raises(NotAllowed, match="not at the milestones"):
        await requests.submit(live, CY, Request.MILESTONE, "30 days")

    # Milestones: celebrated in the room, words optional, never a name.
    assert await next_part(bench, live) is SectionKind.MILESTONES
    assert await requests.submit(live, BO, Request.MILESTONE, "one year")
    assert await requests.submit(live, CY, Request.MILESTONE, "")
    assert port.room[-2:] == ["milestone: one year", "milestone: "]
    with pytest.raises(NotAllowed, match="not choosing a topic"):
        await requests.submit(live, ANA, Request.TOPIC, "too late")

    # Sharing with private requests: the chair hears it, without a name.
    assert await next_part(bench, live) is SectionKind.SHARE
    assert await requests.submit(live, BO, Request.ASK, "I'd like to share but I'm nervous.")
    assert port.chair == [("Sharing", "I'd like to share but I'm nervous.")]
    with pytest.raises(NotAllowed, match="no words"):
        await requests.submit(live, BO, Request.ASK, "   ")
    port.chair_reachable = False  # their DMs are closed: the member is told nothing went
    assert not await requests.submit(live, CY, Request.ASK, "Please call on me.")

    # `private-requests: false`: nothing is taken.
    assert await next_part(bench, live) is SectionKind.CHECK_OUT
    with pytest.raises(NotAllowed, match="doesn't take private requests"):
        await requests.submit(live, CY, Request.ASK, "Anything")

    kept = await everything_stored(store)
    for words in ("gratitude", "acceptance", "one year", "nervous", "Please call on me"):
        assert words not in kept
