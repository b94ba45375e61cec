"""A group's decisions change what its meetings do: a switch turned on and a mode chosen by
``/propose change`` (the decision service on a real database) reach the meeting service, whose
meeting then runs the sections for them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.decisions.effects import Choice
from bot.core.meeting import Status
from bot.core.meeting import effects as fx
from bot.errors import InvalidInput
from bot.runtime.formats import FormatLibrary
from bot.store import Store
from bot.store.groups import GroupRecord
from tests.runtime.test_decisions_service import CHANNEL, GUILD, START, build
from tests.runtime.test_decisions_service import Bench as Decisions
from tests.runtime.test_meetings_service import ANA
from tests.runtime.test_meetings_service import Bench as Meetings
from tests.support.clock import FakeTime

OURS = b"""\
format: 1
name: Our way
length: 30m
switches:
  long-reading:
    on: false
    about: Read the long version of our opening reading.
modes:
  sharing:
    choices: [topic, speaker, step-study]
    default: topic
    about: What kind of sharing meeting we hold.
sections:
  - say: Welcome.
  - say: The long reading.
    if: {switch: long-reading}
  - say: The short reading.
    if: {switch-off: long-reading}
  - say: Let's choose a topic.
    if: {mode: {sharing: topic}}
  - say: Tonight we study a step.
    if: {mode: {sharing: step-study}}
  - closing: Goodbye.
"""


@pytest.fixture
async def decisions(tmp_path: Path) -> AsyncIterator[Decisions]:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    group = await store.groups.create(
        guild_id=GUILD, channel_id=CHANNEL, format_id="open-discussion", member_role_id=None,
        now=START,
    )  # fmt: skip
    assert group is not None
    library = FormatLibrary(store)
    ref, _ = await library.upload(CHANNEL, "our-way.yaml", len(OURS), OURS, START)
    await library.adopt(CHANNEL, ref, START)
    bench = build(store, FakeTime())
    bench.group = group
    await bench.scheduler.start()
    yield bench
    await bench.scheduler.stop()
    await store.close()


async def meeting_words(decisions: Decisions) -> list[str]:
    """A meeting held with the group's switches as decided: the words of each section."""
    meetings = Meetings(decisions.store, decisions.time, switches=decisions.service)
    live = await meetings.service.start(CHANNEL, ANA, 11)
    while live.state.status is not Status.ENDED:
        await meetings.service.act(live, lambda r, s, now: r.advance(s, now))
    sections = [e for e in meetings.port.shown if isinstance(e, fx.PostSection)]
    return [section.chunks[0] for section in sections if section.chunks]


async def decide(decisions: Decisions, subject: str, value: str) -> None:
    people = [decisions.discord.add(n) for n in range(1, 5)]
    proposed = await decisions.service.propose_change(CHANNEL, people[0], subject, value)
    await decisions.service.second(proposed.proposal_id, people[1])
    await decisions.advance(1)  # a change has no hearing: ballots open at once
    for person in people[:3]:
        await decisions.service.cast(proposed.proposal_id, person, Choice.YES)
    await decisions.advance(24 * 3600)


async def test_the_groups_decisions_turn_a_switch_on_and_choose_a_mode(
    decisions: Decisions,
) -> None:
    group: GroupRecord = decisions.group
    assert await meeting_words(decisions) == [
        "Welcome.",
        "The short reading.",
        "Let's choose a topic.",
        "Goodbye.",
    ]
    offered = {c.subject: c.label for c in await decisions.service.change_choices(CHANNEL)}
    assert offered["mode:sharing"] == "What kind of sharing meeting we hold."
    who = decisions.discord.add(9)
    with pytest.raises(InvalidInput, match="can be one of: `topic`, `speaker`, `step-study`"):
        await decisions.service.propose_change(CHANNEL, who, "mode:sharing", "poetry")
    with pytest.raises(InvalidInput, match="no choice called"):
        await decisions.service.propose_change(CHANNEL, who, "mode:reading", "topic")
    await decide(decisions, "switch:long-reading", "on")
    await decide(decisions, "mode:sharing", "step-study")
    now = await decisions.store.groups.by_id(group.id)  # the group with its own format
    assert now is not None
    decided = await decisions.service.switches(now)
    assert decided["long-reading"] is True
    assert decided["sharing=step-study"] is True  # the mode rides with the switches
    assert await meeting_words(decisions) == [
        "Welcome.",
        "The long reading.",
        "Tonight we study a step.",
        "Goodbye.",
    ]
