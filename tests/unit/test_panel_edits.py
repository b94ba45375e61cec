"""The meeting panel is edited only when what it shows has changed (bot/adapters/panel_sent.py):
a redraw that would send the same embed and buttons sends nothing; a visible change is sent."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from bot.adapters.meetings import MeetingPresenter
from bot.core.formats import load_builtin_format
from bot.core.meeting import MeetingRunner, MeetingSetup
from bot.core.meeting.state import Status
from bot.runtime.clock import Clock
from bot.runtime.live import LiveMeeting
from bot.store.groups import GroupRecord

GUILD, CHANNEL, PANEL = 9001, 9002, 9003


@dataclass
class Sent:
    id: int


@dataclass
class Channel:
    """Discord as far as the panel goes: posts and edits, recorded."""

    posts: list[dict[str, Any]] = field(default_factory=list)
    edits: list[dict[str, Any]] = field(default_factory=list)

    async def send(self, **kwargs: Any) -> Sent:
        self.posts.append(kwargs)
        return Sent(PANEL)

    def get_partial_message(self, message_id: int) -> Channel:
        assert message_id == PANEL
        return self

    async def edit(self, **kwargs: Any) -> None:
        self.edits.append(kwargs)


class Client:
    def __init__(self) -> None:
        self.channel = Channel()

    def get_partial_messageable(self, channel_id: int, *, guild_id: int) -> Channel:
        return self.channel

    def get_channel(self, channel_id: int) -> None:
        return None

    def is_closed(self) -> bool:
        return False


class Nobody:
    def guild(self, guild_id: int) -> None:
        return None


async def test_a_redraw_that_changes_nothing_is_not_sent() -> None:
    clock = Clock()
    client = Client()
    presenter = MeetingPresenter(client, Nobody(), clock)  # type: ignore[arg-type]
    runner = MeetingRunner(load_builtin_format("open-discussion"))
    state, _ = runner.start(clock.now(), MeetingSetup(number=1, roles={}))
    group = GroupRecord(1, GUILD, CHANNEL, "open-discussion", None, 0)
    live = LiveMeeting(1, group, "open-discussion", runner, state, None)

    live.panel_message_id = await presenter.open_panel(live)
    assert live.panel_message_id == PANEL
    assert len(client.channel.posts) == 1
    for _ in range(3):  # presses that changed nothing anyone sees
        await presenter.redraw_now(live)
    assert client.channel.edits == []

    live.state = replace(live.state, status=Status.ENDED)  # a visible change: sent once
    await presenter.redraw_now(live)
    assert len(client.channel.edits) == 1
    assert client.channel.edits[0]["view"] is None  # the ended panel has no buttons
    await presenter.close()
