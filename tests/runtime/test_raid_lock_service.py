"""The raid lock without Discord: the channel rules' bench (a real database and scheduler, a
fake channel that computes who may post as Discord does), with the raid lock service on top.

A member locks: only the group's members post (or, without a member role, newcomers are kept
out on their own overwrites, found from join times), slow mode on; a second press says so; the
chair lifts it, or a show of hands does (a majority of those who answered), or it lifts itself
after 30 minutes — after a restart too; and the channel comes back exactly as it was."""

from __future__ import annotations

import asyncio

from bot.core.pseudonyms import Pseudonym
from bot.runtime.live import LiveMeetings
from bot.runtime.room_rules import HANDS_KIND, LOCK_KIND, RaidLockService
from bot.runtime.room_rules.lock_words import LIFTED_NOW
from tests.runtime.test_room_rules_service import (
    BEFORE,
    CHAIR_ID,
    CHANNEL,
    GUILD,
    LISTENER_ID,
    MEMBER_ROLE,
    MODERATED_ID,
    NEXT_ID,
    SHARER_ID,
    START,
    Bench,
    bench,
    circle,
    posters,
)

__all__ = ["bench"]  # the fixture
MEMBERS = (CHAIR_ID, SHARER_ID, NEXT_ID)


async def boot(bench: Bench) -> RaidLockService:
    await bench.boot()
    assert bench.service is not None
    assert bench.scheduler is not None
    return RaidLockService(bench.service, bench.port, bench.meetings, bench.clock, bench.scheduler)


def who(bench: Bench, user_id: int) -> Pseudonym:
    return bench.pseudonyms.of(GUILD, user_id)


async def kinds(bench: Bench) -> list[str]:
    return sorted(d.kind for d in await bench.store.deadlines.all())


async def fire_due(bench: Bench, done: object) -> None:
    """Run the scheduler until ``done()`` holds (its deadlines are due by the fake time)."""
    assert bench.scheduler is not None
    await bench.scheduler.start()
    try:
        for _ in range(500):
            if done():  # type: ignore[operator]
                break
            await asyncio.sleep(0.01)
    finally:
        await bench.scheduler.stop()
    await bench.settle()


async def test_locked_by_a_member_lifted_by_the_chair_and_back_exactly(bench: Bench) -> None:
    raid = await boot(bench)
    bench.port.roles.update(dict.fromkeys(MEMBERS, (MEMBER_ROLE,)))
    bench.port.slow = 5  # the channel's own slow mode
    live = bench.start(circle(post="everyone"), member_role=MEMBER_ROLE)
    await bench.step()
    assert posters(bench.port) == {CHAIR_ID, SHARER_ID, NEXT_ID, LISTENER_ID}

    answer = str(await raid.lock(live.group, CHANNEL))
    assert answer.startswith("Done — the channel is locked and the meeting is paused")
    # Only members post: the helpers' role stops allowing it; a moderator's "no" stands.
    assert posters(bench.port) == set(MEMBERS)
    assert bench.port.may_post(9003)  # the bot
    assert bench.port.slow == 30
    text, buttons = bench.port.announced[-1]
    assert "only the group's members can post here" in text
    assert buttons == ["lift"]
    assert await kinds(bench) == [LOCK_KIND]
    assert await bench.rows()  # what to put back is committed
    # A second press: already locked, and how it lifts.
    again = str(await raid.lock(live.group, CHANNEL))
    assert again.startswith("The channel is already locked. It lifts itself <t:")
    assert len(bench.port.announced) == 1
    # The chair lifts it.
    assert str(await raid.unlock(CHANNEL, who(bench, CHAIR_ID), CHAIR_ID)) == str(LIFTED_NOW)
    await bench.settle()
    assert bench.port.overwrites == BEFORE
    assert bench.port.slow == 5
    assert await bench.rows() == []
    assert await kinds(bench) == []
    assert (
        "The chair lifted the lock. The channel is back to how it was"
        in (bench.port.announced[-1][0])
    )
    assert "can't" not in " ".join(bench.port.posted)


async def test_a_show_of_hands_lifts_it_or_keeps_it(bench: Bench) -> None:
    raid = await boot(bench)
    bench.port.roles.update(dict.fromkeys(MEMBERS, (MEMBER_ROLE,)))
    live = bench.start(circle(post="everyone"), member_role=MEMBER_ROLE)
    await bench.step()
    await raid.lock(live.group, CHANNEL)
    # A member who isn't the chair asks the group (counted as "Lift it"); one keeps it.
    asked = str(await raid.unlock(CHANNEL, who(bench, SHARER_ID), SHARER_ID))
    assert "a show of hands is open" in asked
    text, buttons = bench.port.announced[-1]
    assert "nobody's answer is kept" in text
    number = buttons[0].split(":")[1]
    assert buttons == [f"hand:{number}:lift", f"hand:{number}:keep"]
    assert "already open" in str(await raid.unlock(CHANNEL, who(bench, NEXT_ID), NEXT_ID))
    assert str(raid.hand(CHANNEL, int(number), NEXT_ID, lift=False)).startswith("Counted: **Keep")
    assert str(raid.hand(CHANNEL, int(number) + 1, NEXT_ID, lift=True)).startswith("That show")
    # A tie keeps it.
    assert await kinds(bench) == [LOCK_KIND, HANDS_KIND]
    bench.time.now += 121
    await fire_due(bench, lambda: "keep the lock" in bench.port.announced[-1][0])
    assert "(1 to keep, 1 to lift)" in bench.port.announced[-1][0]
    assert bench.service is not None
    assert bench.service.locked(CHANNEL) is not None
    # Again: two to one, changing a mind counts once.
    await raid.unlock(CHANNEL, who(bench, SHARER_ID), SHARER_ID)
    number = bench.port.announced[-1][1][0].split(":")[1]
    raid.hand(CHANNEL, int(number), NEXT_ID, lift=False)
    raid.hand(CHANNEL, int(number), NEXT_ID, lift=True)
    raid.hand(CHANNEL, int(number), LISTENER_ID, lift=False)
    raid.hand(CHANNEL, int(number), CHAIR_ID, lift=True)
    bench.time.now += 121
    await fire_due(bench, lambda: "lift the lock" in bench.port.announced[-1][0])
    assert "The group chose to lift the lock (3 to 1)." in bench.port.announced[-1][0]
    assert bench.port.overwrites == BEFORE
    assert await kinds(bench) == []


async def test_without_a_member_role_newcomers_are_kept_out_and_it_lifts_itself_after_a_restart(
    bench: Bench,
) -> None:
    raid = await boot(bench)
    # Join times, real seconds: the listener joined a minute ago, the sharer two minutes ago
    # (but took part today), the next sharer long ago.
    bench.port.joined = {LISTENER_ID: START - 60, SHARER_ID: START - 120, NEXT_ID: START - 7200}
    live = bench.start(circle(post="everyone"))
    live.names[who(bench, SHARER_ID)] = SHARER_ID
    await bench.step()
    answer = str(await raid.lock(live.group, CHANNEL))
    assert answer.startswith("Done")
    assert "joined the server in the last 30 minutes" in bench.port.announced[-1][0]
    assert posters(bench.port) == {CHAIR_ID, SHARER_ID, NEXT_ID}  # MODERATED was already "no"
    rows = await bench.rows()
    for member_id in (CHAIR_ID, SHARER_ID, NEXT_ID, LISTENER_ID, MODERATED_ID):
        assert all(member_id not in row.values() for row in rows)  # coded keys only

    # kill -9: a new run over the same database; who took part is gone from memory.
    bench.meetings.remove(live)
    bench.meetings = LiveMeetings()
    live.names.clear()
    bench.meetings.add(live)
    raid = await boot(bench)
    assert bench.service is not None
    assert bench.service.locked(CHANNEL) is not None
    assert not bench.port.may_post(LISTENER_ID)
    # Someone joins during the lock: kept out too.
    bench.port.joined[36] = START + 30
    await raid.member_joined(GUILD)
    await bench.settle()
    assert not bench.port.may_post(36)
    assert "already locked" in str(await raid.lock(live.group, CHANNEL))

    # Thirty minutes on, it lifts itself; the channel is exactly as before.
    bench.time.now = START + 30 * 60 + 1
    await fire_due(bench, lambda: "lifted itself" in bench.port.announced[-1][0])
    assert bench.port.overwrites == BEFORE
    assert bench.port.slow == 0
    assert await bench.rows() == []
    assert await kinds(bench) == []


async def test_without_the_permissions_it_says_so_exactly(bench: Bench) -> None:
    raid = await boot(bench)
    live = bench.start(circle(post="everyone"), member_role=MEMBER_ROLE)
    await bench.step()
    bench.port.granted = set()
    answer = str(await raid.lock(live.group, CHANNEL))
    assert answer.startswith("I've paused the meeting, but I can't lock this channel")
    assert "**Manage Permissions** and **Manage Channel**" in answer
    assert bench.port.calls == []
    assert bench.port.announced == []
    assert await kinds(bench) == []
    # Only Manage Channel missing: locked, without slow mode, and said.
    bench.port.granted = {"manage_roles"}
    answer = str(await raid.lock(live.group, CHANNEL))
    assert "I need **Manage Channel** in this channel to turn slow mode on" in answer
    assert bench.port.slow == 0
    assert not bench.port.may_post(LISTENER_ID)
    assert "slow mode is on" not in bench.port.announced[-1][0]


async def test_a_format_that_says_never_is_not_locked(bench: Bench) -> None:
    raid = await boot(bench)
    source = circle(post="everyone").replace(b"sections:", b"lock-channel: never\nsections:")
    live = bench.start(source, member_role=MEMBER_ROLE)
    await bench.step()
    assert raid.never(CHANNEL)
    assert "never locked" in str(await raid.lock(live.group, CHANNEL))
    assert bench.port.calls == []
    assert await kinds(bench) == []
