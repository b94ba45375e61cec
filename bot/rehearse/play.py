"""``--play``: the person at the keyboard is one of the members. Each line they type is a
button they press or words they post in the meeting room."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable

from bot.rehearse.render import buttons, is_panel, prompt_actions
from bot.rehearse.room import JSON, answer
from bot.rehearse.stage import Stage
from discord_standin import SimulatedMember, SimulationError

#: What each word does: the panel's button it presses.
PANEL = {"hand": "hand", "lower": "lower", "done": "done", "pass": "pass", "next": "next"}
#: … or the button it presses on the newest prompt that has it.
PROMPTS = {"read": "read", "yes": "yes", "no": "no", "start": "startnow"}

HELP = """\
You're in the meeting as "You". Type a word and press Enter:
  hand   raise your hand to share          lower  lower it again
  done   finish your share                 pass   pass your turn (always OK)
  read   read the text being offered       next   move the meeting on (the chair)
  yes / no   answer the chair's question   start  begin before the countdown ends
             (both for the chair)
  help   show this again
Anything else you type is posted in the meeting room. Ctrl-C stops the rehearsal."""


class Player:
    """Turns the person's lines into presses and posts, as their member."""

    def __init__(
        self, stage: Stage, note: Callable[[str], None], *, answered: set[int] | None = None
    ) -> None:
        """``answered``: prompts the person answered are added to it (so the simulated
        members don't wait on them)."""
        if stage.person is None:
            raise ValueError("no person in this rehearsal")
        self.stage = stage
        self.member: SimulatedMember = stage.person
        self.note = note
        self.answered = set() if answered is None else answered
        self.lines: asyncio.Queue[str | None] = asyncio.Queue()

    def messages(self) -> list[JSON]:
        return self.stage.fake.channel_messages(self.stage.channel.id)

    async def handle(self, line: str) -> None:
        word = line.strip()
        command = word.lower()
        if not word:
            return
        if command in ("help", "?"):
            self.note(HELP)
        elif command in PANEL:
            panel = next((m for m in reversed(self.messages()) if is_panel(m)), None)
            if panel is None:
                self.note("The meeting panel isn't up yet — try again in a moment.")
                return
            await self.press(panel, PANEL[command])
        elif command in PROMPTS:
            action = PROMPTS[command]
            offered = [m for m in self.messages() if action in prompt_actions(m)]
            if not offered and action == "read":  # before the start: offer to read
                action = "recruit"
                offered = [m for m in self.messages() if action in prompt_actions(m)]
            if not offered:
                nothing = {"read": "reading offered", "startnow": "countdown to start"}.get(
                    action, "question being asked"
                )
                self.note(f"There's no {nothing} just now.")
                return
            if action != "recruit":
                self.answered.add(int(offered[-1]["id"]))
            await self.press(offered[-1], action)
        else:
            try:
                await self.member.say(self.stage.channel.id, word)
            except SimulationError:
                self.note("You can't post in the meeting room just now.")

    async def press(self, message: JSON, action: str) -> None:
        for button in buttons(message):
            parts = str(button.get("custom_id", "")).split(":")
            if len(parts) >= 4 and parts[3] == action:
                try:
                    pressed = await self.member.click(int(message["id"]), button["custom_id"])
                except SimulationError:
                    break
                await answer(pressed)  # the watcher shows the private answer
                return
        self.note("That button isn't there just now.")

    def reading(self) -> Callable[[], None]:
        """Read lines from standard input in the event loop; returns how to stop."""
        loop = asyncio.get_running_loop()
        fd = sys.stdin.fileno()
        pending = b""

        def readable() -> None:
            nonlocal pending
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                loop.remove_reader(fd)
                self.lines.put_nowait(None)
                return
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                self.lines.put_nowait(line.decode(errors="replace"))

        loop.add_reader(fd, readable)

        def stop() -> None:
            with contextlib.suppress(ValueError, OSError):
                loop.remove_reader(fd)

        return stop

    async def run(self) -> None:
        """Until cancelled, or until standard input ends (the meeting goes on without you)."""
        self.note(HELP)
        stop = self.reading()
        try:
            while (line := await self.lines.get()) is not None:
                await self.handle(line)
        finally:
            stop()
