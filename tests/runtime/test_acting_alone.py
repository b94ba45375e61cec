"""Nobody acts alone: one member (and one non-member) tries every path to get their way by
themselves, on the real services and database. Each attempt is refused kindly, and nothing
changes: every table holds exactly what it held before.

Other forms of the same promises, end to end: tests/e2e/test_meetings_promises.py (a non-member
can't start or chair; a meeting one member runs alone doesn't count; a present chair can't be
taken over), tests/e2e/test_decisions_promises.py (non-members; no self-second after
forget-me), tests/e2e/test_decisions.py (a second ballot is refused).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from bot.core.decisions import effects as fx
from bot.errors import PeerCircleError
from bot.runtime.events import EventBus
from bot.runtime.privacy import PrivacyService
from tests.runtime.test_decisions_promises import bench, carried
from tests.runtime.test_decisions_service import CHANNEL, GUILD, Bench, give_chances

__all__ = ["bench"]  # the fixture, shared with the decision promises

TABLES = (
    "concerns",
    "proposals",
    "voters",
    "ballots",
    "exclusions",
    "group_settings",
    "decision_outbox",
    "channel_denials",
)


async def snapshot(bench: Bench) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: [tuple(row) for row in await bench.store.db.fetchall(f"SELECT * FROM {table}")]
        for table in TABLES
    }


async def refused(
    bench: Bench, attempt: Callable[[], Awaitable[object]], words: str
) -> PeerCircleError:
    """The attempt is refused with a kind message, and nothing at all changed."""
    before = await snapshot(bench)
    done_before = len(bench.discord.done)
    with pytest.raises(PeerCircleError, match=words) as caught:
        await attempt()
    assert await snapshot(bench) == before
    assert len(bench.discord.done) == done_before  # nothing was sent or changed in Discord
    message = caught.value.user_message
    assert "Traceback" not in message
    assert len(message) < 500
    return caught.value


async def test_one_member_or_a_non_member_cannot_act_alone(bench: Bench) -> None:
    d, service = bench.discord, bench.service
    ana, bo, cy, target = d.add(1), d.add(2), d.add(3), d.add(9)
    outsider = d.add(20, in_group=False)  # in the server and sees the channel, not a member

    # A non-member, every decision path.
    await refused(
        bench, lambda: service.raise_concern(CHANNEL, outsider, target, "crosstalk"), "members"
    )
    await give_chances(bench, ana, bo, target)
    await refused(bench, lambda: service.propose_exclusion(CHANNEL, outsider, target, 1), "members")
    await refused(
        bench, lambda: service.propose_change(CHANNEL, outsider, "voting-hours", "6"), "members"
    )
    await refused(bench, lambda: service.propose_welcome_back(CHANNEL, outsider, target), "members")

    # Change a setting alone: a proposal needs a second from someone else.
    change = await service.propose_change(CHANNEL, ana, "voting-hours", "6")
    await refused(bench, lambda: service.second(change.proposal_id, ana), "second from another")
    await refused(bench, lambda: service.second(change.proposal_id, outsider), "members")

    # … even after asking to be forgotten.
    privacy = PrivacyService(bench.store, d.pseudonyms, bench.clock, bench.scheduler, EventBus())
    await privacy.forget_member(guild_id=GUILD, user_id=ana.id)
    await refused(bench, lambda: service.second(change.proposal_id, ana), "second from another")

    # Vote twice, or vote as a non-member.
    await service.second(change.proposal_id, bo)
    await bench.advance(1)
    await service.cast(change.proposal_id, cy, fx.Choice.YES)
    await refused(
        bench, lambda: service.cast(change.proposal_id, cy, fx.Choice.NO), "already voted"
    )
    await refused(
        bench, lambda: service.cast(change.proposal_id, outsider, fx.Choice.YES), "members"
    )


async def test_nobody_can_extend_an_exclusion_or_stack_a_second_one(bench: Bench) -> None:
    d, service = bench.discord, bench.service
    voters = [d.add(n) for n in range(1, 6)]
    target = d.add(9)
    await carried(bench, voters, target)  # the group decided: one meeting
    (exclusion,) = await bench.store.db.fetchall("SELECT * FROM exclusions")

    # A second exclusion while one is in force (which would make it longer) is refused …
    await refused(
        bench,
        lambda: service.propose_exclusion(CHANNEL, voters[0], target, 2),
        "sitting out meetings right now",
    )
    # … and so is a note about them meanwhile.
    await refused(
        bench,
        lambda: service.raise_concern(CHANNEL, voters[1], target, "crosstalk"),
        "sitting out meetings right now",
    )
    assert await bench.store.db.fetchall("SELECT * FROM exclusions") == [exclusion]

    # Asking for more than two meetings is never possible.
    other = d.add(10)
    await give_chances(bench, voters[0], voters[1], other)
    await refused(
        bench, lambda: service.propose_exclusion(CHANNEL, voters[2], other, 3), "1 or 2 meetings"
    )
