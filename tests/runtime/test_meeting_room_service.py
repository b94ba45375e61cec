"""The room through the meeting service on a real database with a fake Discord side: a round
made of everyone who took part (in the order they came, in memory only), private declarations
that never reach the database, a member arriving in voice, and the room's actions
(:func:`bot.ui.meeting_room.room_action`: the chair's tools and who may use them)."""

from __future__ import annotations

import pytest

from bot.core.meeting import Status
from bot.core.meeting import effects as fx
from bot.errors import NotAllowed
from bot.runtime.live import LiveMeeting
from bot.store import Store
from bot.ui.meeting_room import ALREADY_PAUSED, CHAIR_ONLY, SHARER_ONLY, room_action
from tests.runtime.test_meetings_service import ANA, BO, CHANNEL, CY, GUILD, KEY, START, Bench
from tests.support.clock import FakeTime

DEE = KEY.of(GUILD, 14)


async def meeting(bench: Bench, format_id: str) -> LiveMeeting:
    created = await bench.store.groups.create(
        guild_id=GUILD, channel_id=CHANNEL, format_id=format_id, member_role_id=None, now=START
    )
    assert created is not None
    return await bench.service.start(CHANNEL, ANA, 11)


def given(bench: Bench) -> list[object]:
    return [e.who for e in bench.port.shown if isinstance(e, fx.FloorGiven)]


async def stored(bench: Bench) -> str:
    return str(await bench.store.db.fetchval("SELECT state FROM meetings"))


async def test_a_round_is_everyone_who_took_part_and_declarations_are_never_stored(
    store: Store, time: FakeTime
) -> None:
    bench = Bench(store, time)
    live = await meeting(bench, "check-in-round")
    bench.service.seen(live, CY, 13)
    bench.service.seen(live, BO, 12)
    await room_action(bench.service, live, BO, "listen", None, None)
    await room_action(bench.service, live, CY, "first", None, None)
    row = await stored(bench)
    assert BO not in row  # who took part, and what they said privately, stay in memory
    assert CY not in row
    assert "declared" not in row
    await bench.service.arrived(live, DEE)  # came into the voice channel
    await bench.service.act(live, lambda r, s, now: r.advance(s, now))
    assert given(bench) == [ANA]  # whoever started, then in the order they came
    assert live.state.floor.round == (CY, DEE)  # BO would rather listen

    again = Bench(store, time)  # a restart: the declarations are gone with the memory
    await again.service.load_all()
    resumed = again.live.in_channel(CHANNEL)
    assert resumed is not None
    assert resumed.state.declared.listening == ()


async def test_the_chairs_tools_are_the_chairs_and_each_is_said_to_the_room(
    store: Store, time: FakeTime
) -> None:
    bench = Bench(store, time)
    live = await meeting(bench, "chair-picks-discussion")
    bench.service.seen(live, BO, 12)
    for action in ("pause", "more", "skip", "pick"):
        with pytest.raises(NotAllowed) as refused:
            await room_action(bench.service, live, BO, action, None, BO)
        assert refused.value.user_message == str(CHAIR_ONLY[action])
    assert "paused" in str(await room_action(bench.service, live, ANA, "pause", None, None))
    assert live.state.status is Status.PAUSED
    assert fx.Notice(fx.NoticeKind.PAUSED) in bench.port.shown
    with pytest.raises(NotAllowed) as refused:
        await room_action(bench.service, live, ANA, "pause", None, None)
    assert refused.value.user_message == str(ALREADY_PAUSED)
    await bench.service.act(live, lambda r, s, now: r.resume(s, now))
    assert "Skipped" in str(await room_action(bench.service, live, ANA, "skip", None, None))
    moved = [e for e in bench.port.shown if isinstance(e, fx.ChairMoved)]
    assert moved == [fx.ChairMoved(fx.ChairTool.SKIPPED, 0, "Welcome")]

    await bench.service.act(live, lambda r, s, now: r.raise_hand(s, BO, now))
    answer = str(await room_action(bench.service, live, ANA, "pick", 1, BO))
    assert "the floor is theirs now" in answer
    assert given(bench) == [BO]
    answer = str(await room_action(bench.service, live, ANA, "more", 3, None))
    assert "3 more minutes" in answer
    assert any(isinstance(e, fx.ShareExtended) for e in bench.port.shown)
    with pytest.raises(NotAllowed) as refused:
        await room_action(bench.service, live, CY, "tag", None, ANA)
    assert refused.value.user_message == str(SHARER_ONLY)
