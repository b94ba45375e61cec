"""Shows the meeting room in the terminal as it changes: every new message once, an edited one
again when its words change, the panel's block when its state changes, and — for the person at
the keyboard — what the bot tells them privately."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from bot.rehearse.render import (
    Names,
    is_panel,
    message_lines,
    panel_lines,
    panel_text,
)
from discord_standin import FakeDiscord, SimulatedMember

JSON = dict[str, Any]
POLL = 0.05


class Output:
    """Lines to the terminal, flushed at once."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.bold = self.stream.isatty() and "NO_COLOR" not in os.environ

    @property
    def width(self) -> int:
        return shutil.get_terminal_size((88, 24)).columns - 2

    def lines(self, lines: list[str], *, blank: bool = True) -> None:
        text = "\n".join(lines)
        self.stream.write(("\n" if blank else "") + text + "\n")
        self.stream.flush()

    def note(self, text: str) -> None:
        """Words from the rehearsal itself (not from the room): one line in brackets, or an
        indented block."""
        lines = text.split("\n")
        if len(lines) == 1:
            self.lines([f"  ({text})"], blank=False)
        else:
            self.lines([f"  {line}" for line in lines])


def names_in(fake: FakeDiscord, guild_id: int) -> Names:
    guild = fake.state.guilds[guild_id]
    users = {
        user_id: member.nick or member.user.global_name or member.user.username
        for user_id, member in guild.members.items()
    }
    users[fake.bot_user_id] = fake.state.bot_user.username
    roles = {role.id: role.name for role in guild.roles.values()}
    channels = {channel.id: channel.name or "" for channel in guild.channels.values()}
    return Names(users, roles, channels)


class Watcher:
    """Polls the stand-in's view of the room and prints what changed."""

    def __init__(
        self,
        fake: FakeDiscord,
        guild_id: int,
        channel_id: int,
        out: Output,
        person: SimulatedMember | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.fake = fake
        self.guild_id = guild_id
        self.channel_id = channel_id
        self.out = out
        self.person = person
        self.clock = clock
        self._seen: dict[int, str] = {}
        self._panel_shown: dict[int, str] = {}
        self._private_seen: set[str] = set()

    def show_changes(self) -> None:
        """Print everything new since the last call."""
        names = names_in(self.fake, self.guild_id)
        now = self.clock()
        for message in self.fake.channel_messages(self.channel_id):
            self._show(message, names, now)
        if self.person is not None:
            self._show_private(names, now)

    def _show(self, message: JSON, names: Names, now: float) -> None:
        message_id = int(message["id"])
        words = json.dumps(
            [message.get("content"), message.get("embeds")], sort_keys=True, ensure_ascii=False
        )
        if is_panel(message) or message_id in self._panel_shown:
            state = panel_text(message)
            if self._panel_shown.get(message_id) != state:
                self._panel_shown[message_id] = state
                self.out.lines(
                    panel_lines(message, names, now, width=self.out.width, bold=self.out.bold)
                )
            self._seen[message_id] = words
            return
        before = self._seen.get(message_id)
        if before == words:
            return
        self._seen[message_id] = words
        author = names.users.get(int(message["author"]["id"]), message["author"]["username"])
        self.out.lines(
            message_lines(
                message,
                str(author),
                names,
                now,
                width=self.out.width,
                bold=self.out.bold,
                edited=before is not None,
            )
        )

    def _show_private(self, names: Names, now: float) -> None:
        if self.person is None:
            return
        private = self.fake.ephemeral_messages(self.person.id) + self.fake.dms(self.person.id)
        for message in private:
            key = f"{message['id']}:{message.get('content')}"
            if key in self._private_seen or message.get("flags", 0) & (1 << 7):  # loading…
                continue
            self._private_seen.add(key)
            lines = message_lines(
                message, "Peer Circle", names, now, width=self.out.width, bold=self.out.bold
            )
            lines[0] = "Peer Circle, only to you:"
            self.out.lines(lines)

    async def run(self) -> None:
        """Until cancelled."""
        while True:
            self.show_changes()
            await asyncio.sleep(POLL)
