"""Helpers for end-to-end meeting tests: find the panel, press its buttons, wait for words."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from tests.fakediscord import FakeDiscord, SimulatedMember
from tests.support.sqlite_read import rows

JSON = dict[str, Any]


def buttons(message: JSON) -> list[JSON]:
    return [c for row in message.get("components", []) for c in row.get("components", [])]


def panel(fake: FakeDiscord, channel_id: int) -> JSON:
    for message in fake.channel_messages(channel_id):
        if any(b.get("custom_id", "").endswith(":hand") for b in buttons(message)):
            return message
    raise AssertionError("no meeting panel in the channel")


async def press(member: SimulatedMember, message: JSON, action: str) -> str:
    """Press the button whose custom_id ends with ``:action``; return the private answer."""
    for button in buttons(message):
        rest = button["custom_id"].split(":", 3)[3]
        if rest == action or rest.startswith(action + ":"):
            pressed = await member.click(int(message["id"]), button["custom_id"])
            return str((await pressed.wait_followups())[0]["content"])
    raise AssertionError(f"no {action!r} button on {message.get('content')!r}")


async def slash(member: SimulatedMember, channel_id: int, command: str) -> str:
    used = await member.slash(channel_id, command)
    return str((await used.wait_followups())[0]["content"])


async def wait_message(
    fake: FakeDiscord,
    channel_id: int,
    text: str,
    *,
    after: int = 0,
    limit: float = 60.0,  # generous for a loaded machine: done as soon as the message is there
    with_buttons: bool = False,
) -> JSON:
    """The first message (from position ``after`` on) containing ``text``, waiting for it."""
    async with asyncio.timeout(limit):
        while True:
            for message in fake.channel_messages(channel_id)[after:]:
                if text in message.get("content", "") and (buttons(message) or not with_buttons):
                    return message
            await asyncio.sleep(0.05)


def meeting_rows(database: Path) -> list[tuple[Any, ...]]:
    return rows(database, "SELECT id, state FROM meetings")


def stored_floor(database: Path) -> JSON:
    rows = meeting_rows(database)
    assert len(rows) == 1
    return dict(json.loads(rows[0][1])["floor"])


def meeting_deadlines(database: Path) -> int:
    return int(rows(database, "SELECT count(*) FROM deadlines WHERE kind LIKE 'meeting.%'")[0][0])


async def start_meeting(
    fake: FakeDiscord,
    member: SimulatedMember,
    channel_id: int,
    *,
    chair: SimulatedMember | None = None,
) -> str:
    """``/meeting start`` by ``member``; when the format counts down first (``before:``),
    ``chair`` (``member`` unless named) presses **Start now** — only today's chair can: when
    someone else chairs, the countdown runs its course. The start's private answer."""
    mark = len(fake.channel_messages(channel_id))
    answer = await slash(member, channel_id, "meeting start")
    for message in fake.channel_messages(channel_id)[mark:]:
        if any(b.get("custom_id", "").endswith(":startnow") for b in buttons(message)):
            await press(chair or member, message, "startnow")
            break
    return answer
