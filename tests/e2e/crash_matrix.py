"""The crash matrix's own steps (issue 12), for ``due_process(kill="everywhere")`` in
tests/e2e/test_decisions.py: a rotation formed at set-up, a first meeting killed (-9) after every
step that changes it, and the checks that every section was posted once and the turns went
round.

The first meeting runs at a slow clock (:data:`SLOW_RATE`): at the fast one the format's sharing
sections would be over before a restart is. The clock rate changes at the restart after it
closes (a changed ``CLOCK_RATE`` carries the clock on without a jump).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from tests.e2e.meeting_helpers import meeting_rows, panel, press, slash
from tests.e2e.test_rotation import ANNOUNCED, next_announcement, reply
from tests.fakediscord import FakeDiscord, SimulatedMember

#: 15 clock minutes (a meeting that counts) in 3 s; the sharing closes 50 minutes in: 10 s.
SLOW_RATE = "300"
COUNTS_AFTER = 15 * 60 / int(SLOW_RATE) + 2.0  # real seconds (a margin for a busy machine)
#: The rest of the group's life: the 12-hour hearing in 4.3 s, the 24-hour vote in 8.6 s.
FAST_RATE = "10000"
ENDED = "This meeting has ended"

Step = Callable[[], Awaitable[None]]


def _floor_turn(database: Any) -> Any:
    rows = meeting_rows(database)
    return json.loads(rows[0][1])["floor"]["turn"] if rows else None


async def meeting_killed_at_every_step(
    fake: FakeDiscord,
    database: Any,
    room: int,
    chair: SimulatedMember,
    sharers: list[SimulatedMember],
    during: Step,
    crash: Step,
) -> None:
    """Start, Next, a hand (the floor opens to them: their share), the share's end, and the
    counted close, with a kill -9 and a restart after each; ``during`` runs mid-meeting."""
    first, second = sharers
    began = time.monotonic()
    mark = len(fake.channel_messages(room))
    assert "Thank you for chairing" in await slash(chair, room, "meeting start")
    await crash()  # after the start
    board = panel(fake, room)

    def sharing() -> bool:
        return any("The floor is open" in m["content"] for m in fake.channel_messages(room)[mark:])

    assert "Moving on" in await press(chair, board, "next")
    for _ in range(8):  # on to the sharing: the welcome, the readings, the question, …
        if sharing():
            break
        await press(chair, board, "next")
    assert sharing()
    await crash()  # after a Next
    await press(first, board, "hand")
    await fake.wait_until(lambda: _floor_turn(database) is not None, 5, what="their share")
    await crash()  # after a hand: the floor is theirs, their share is under way
    assert "hand is up" in await press(second, board, "hand")
    assert "Thank you for sharing" in await press(first, board, "done")
    await crash()  # after a share
    await during()
    await asyncio.sleep(max(0.0, began + COUNTS_AFTER - time.monotonic()))  # so that it counts
    assert "closed" in await slash(chair, room, "meeting end")


def sections_once(fake: FakeDiscord, room: int, start: int, stop: int | None) -> None:
    """Every section of the meeting whose messages are ``start:stop`` was posted once, through
    all the restarts, and it ended once."""
    said = fake.channel_messages(room)[start:stop]
    ends = [i for i, m in enumerate(said) if ENDED in m.get("content", "")]
    assert ends, "the meeting never ended"
    heads = [
        m["content"].split("\n")[0]
        for m in said[: ends[0]]
        if int(m["author"]["id"]) == fake.bot_user_id and m.get("content", "").startswith("**")
    ]
    assert heads, "no section was posted"
    assert len(heads) == len(set(heads)), heads
    assert sum(ENDED in m.get("content", "") for m in said) == 1


@dataclass
class Rotation:
    """The chair rotation the crash matrix forms: who chaired each meeting, who was asked."""

    fake: FakeDiscord
    room: int
    volunteers: list[SimulatedMember]
    chairs: list[SimulatedMember] = field(default_factory=list)
    asked: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)

    async def form(self) -> None:
        for member in self.volunteers:
            assert "You're in the chair rotation" in await reply(member, self.room, "rotation join")

    def chair(self, first: SimulatedMember) -> SimulatedMember:
        """Who chairs the next meeting: whoever starts the first, then whoever was asked."""
        if not self.asked:
            return first
        by_id = {member.id: member for member in self.volunteers}
        return by_id[self.asked[-1]]

    def starting(self, chair: SimulatedMember) -> None:
        self.chairs.append(chair)
        self.starts.append(len(self.fake.channel_messages(self.room)))

    async def counted(self) -> None:
        """After a meeting counted (and a restart): who is asked next, announced once."""
        message, asked = await next_announcement(self.fake, self.room, self.starts[-1])
        assert f"<@{asked}>" in message["content"]
        self.asked.append(asked)

    def check(self) -> None:
        """The turns went round: three meetings, three different chairs, each the one asked;
        the next turn back to the first; every announcement posted once; every meeting's
        sections posted once."""
        ids = [member.id for member in self.chairs]
        assert len(set(ids)) == len(ids) == len(self.volunteers)
        assert ids[1:] == self.asked[:-1]  # each meeting chaired by the one the rotation asked
        assert self.asked[-1] == ids[0]  # least recently served: round again
        posted = [m for m in self.fake.channel_messages(self.room) if ANNOUNCED in m["content"]]
        assert len(posted) == len(self.chairs)  # one announcement per counted meeting
        for start, stop in zip(self.starts, [*self.starts[1:], None], strict=True):
            sections_once(self.fake, self.room, start, stop)
