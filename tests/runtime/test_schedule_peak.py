"""The evening peak: many groups meeting at the same minute open one after another over their
`before:` window (OPENINGS_PER_SECOND), not all at once, and every countdown still ends on the
minute; a group alone opens exactly its countdown early."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.formats import load_builtin_format
from bot.runtime.schedule.service import OPENINGS_PER_SECOND, SPREAD_SHARE
from bot.store import Store
from bot.store.deadlines import DeadlineRecord
from bot.store.groups import GroupRecord
from bot.store.schedules import OPEN_DEADLINE
from tests.runtime.test_schedule_service import FIRST, GUILD, MONDAY_BEFORE, Bench
from tests.support.clock import FakeTime

_before = load_builtin_format("open-discussion").before_start
assert _before is not None
COUNTDOWN = _before.countdown_seconds


async def groups(bench: Bench, count: int) -> list[GroupRecord]:
    made = []
    for n in range(count):
        group = await bench.store.groups.create(
            guild_id=GUILD + n,
            channel_id=8000 + n,
            format_id="open-discussion",
            member_role_id=None,
            now=bench.time.now,
        )
        assert group is not None
        stored = bench.service.for_setup("Tuesdays 19:00 America/New_York", None)
        assert stored is not None
        await bench.service.keep(group, stored)
        made.append(group)
    return made


async def opening_times(store: Store) -> dict[str, float]:
    return {d.key: d.due_at for d in await store.deadlines.all() if d.kind == OPEN_DEADLINE}


async def test_a_group_alone_opens_its_countdown_early(store: Store) -> None:
    bench = Bench(store, FakeTime(MONDAY_BEFORE))
    (group,) = await groups(bench, 1)
    await bench.run_due()
    assert await opening_times(store) == {str(group.id): FIRST.timestamp() - COUNTDOWN}


async def test_groups_at_the_same_minute_open_spread_over_the_window_and_begin_on_it(
    store: Store,
) -> None:
    time = FakeTime(MONDAY_BEFORE)
    bench = Bench(store, time)
    made = await groups(bench, 12)
    await bench.run_due()
    opens = await opening_times(store)
    window_start = FIRST.timestamp() - COUNTDOWN
    # One after another, in the order the groups were made, OPENINGS_PER_SECOND a second.
    assert [opens[str(g.id)] - window_start for g in made] == [
        min(n / OPENINGS_PER_SECOND, COUNTDOWN * SPREAD_SHARE) for n in range(12)
    ]
    assert max(opens.values()) < FIRST.timestamp()

    time.now = max(opens.values())  # every opening is due: each counts down to 19:00
    await bench.run_due()
    for group in made:
        live = bench.live.in_channel(group.channel_id)
        assert live is not None
        assert live.state.waiting is not None
        assert live.state.waiting.countdown
        assert live.state.started_at == FIRST.astimezone(live.state.started_at.tzinfo)
        assert datetime.fromtimestamp(live.opened_at, tz=UTC) <= FIRST


async def test_next_weeks_places_are_this_weeks_whatever_opens_first(store: Store) -> None:
    """Groups meeting at the same minute re-arm next week's opening as each opens, side by
    side; a lower-id group that opens later (no countdown: on the minute itself) still counts
    for the others' places, so each keeps its place, and no two share one."""
    time = FakeTime(MONDAY_BEFORE)
    bench = Bench(store, time)
    made = []
    for n, format_id in enumerate(["check-in-round"] + ["open-discussion"] * 5):
        group = await bench.store.groups.create(
            guild_id=GUILD + n, channel_id=8000 + n, format_id=format_id, member_role_id=None,
            now=time.now,
        )  # fmt: skip
        assert group is not None
        stored = bench.service.for_setup("Tuesdays 19:00 America/New_York", None)
        assert stored is not None
        await bench.service.keep(group, stored)
        made.append(group)
    await bench.run_due()

    def ahead(deadlines: list[DeadlineRecord]) -> dict[int, float]:
        """How long before its meeting each group's opening is due."""
        return {
            int(d.key): float(d.payload["at"]) - d.due_at
            for d in deadlines
            if d.kind == OPEN_DEADLINE
        }

    this_week = ahead(await store.deadlines.all())
    assert this_week[made[0].id] == 0  # no countdown: it opens on the minute
    assert [this_week[g.id] for g in made[1:]] == [
        COUNTDOWN - n / OPENINGS_PER_SECOND for n in range(1, 6)
    ]
    # The countdown groups open (and re-arm next week) before the first group does.
    time.now = FIRST.timestamp() - 1
    await bench.run_due()
    armed = await store.deadlines.all()
    opened = [d for d in armed if d.kind == OPEN_DEADLINE and int(d.key) != made[0].id]
    assert len(opened) == 5
    assert all(float(d.payload["at"]) > FIRST.timestamp() for d in opened)  # next week's
    next_week = ahead(opened)
    assert next_week == {g.id: this_week[g.id] for g in made[1:]}
    # And once the first opens too, its place is where it was: nobody moved.
    time.now = FIRST.timestamp()
    await bench.run_due()
    assert ahead(await store.deadlines.all()) == this_week
