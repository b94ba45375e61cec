"""A press's acknowledgement (one REST call: the deferral) begins before any of its work, each
press is answered after it, and presses are still carried out in the order they arrived
(bot/ui/meeting.py, ``MeetingActions.acknowledged``)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any, cast

import discord

from bot.core.pseudonyms import Pseudonymizer
from bot.i18n import Msg, msg
from bot.runtime.live import LiveMeeting
from bot.runtime.meetings import MeetingService
from bot.runtime.meetings.requests import RoomRequests
from bot.ui.meeting import MeetingActions, Names

DONE = msg("Done.")


class FakeInteraction:
    """What ``acknowledged`` uses of an interaction; ``log`` is shared by every press."""

    def __init__(self, name: str, log: list[str]) -> None:
        self.name = name
        self.log = log
        self.channel_id = 1
        self.locale = discord.Locale.american_english
        self.response = SimpleNamespace(defer=self.defer)
        self.followup = SimpleNamespace(send=self.send)

    async def defer(self, *, ephemeral: bool, thinking: bool) -> None:
        self.log.append(f"ack {self.name}")  # the request is written
        await asyncio.sleep(0.01)  # Discord's answer takes a moment

    async def send(self, content: str, *, ephemeral: bool) -> None:
        self.log.append(f"answer {self.name}")


async def test_each_acknowledgement_begins_before_its_work_and_work_keeps_arrival_order() -> None:
    log: list[str] = []
    live = cast(LiveMeeting, SimpleNamespace(id=1))
    actions = MeetingActions(
        cast(MeetingService, SimpleNamespace(by_id=lambda meeting_id: live)),
        cast(Names, SimpleNamespace(locale=lambda live: "en")),  # the meeting's language
        Pseudonymizer(b"k" * 32),
        cast(RoomRequests, None),
    )

    async def run(
        interaction: FakeInteraction, live: object, action: str, arg: object, target: object
    ) -> Msg:
        log.append(f"work {interaction.name}")
        await asyncio.sleep(0)
        return DONE

    actions.run = run  # type: ignore[method-assign,assignment]
    presses = [
        asyncio.create_task(
            actions.acknowledged(
                cast(discord.Interaction[Any], FakeInteraction(name, log)),
                live,
                "hand",
                None,
                thinking=False,
            )
        )
        for name in "abc"
    ]
    await asyncio.gather(*presses)

    for name in "abc":
        assert log.index(f"ack {name}") < log.index(f"work {name}") < log.index(f"answer {name}")
    assert [line for line in log if line.startswith("work")] == ["work a", "work b", "work c"]
    assert sum(line.startswith("ack") for line in log) == 3  # one acknowledgement a press
