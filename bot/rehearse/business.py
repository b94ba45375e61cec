"""The simulated members at a business meeting: on each invitation a member moves a motion through
the form, another seconds it, someone says a word on it, the chair calls the vote, everyone votes
by secret ballot and the chair closes it; at an election two members stand, the chair opens the
ballot, everyone votes and the chair closes it. What members see is what they act on: the
messages in the channel and their buttons, as in :mod:`bot.rehearse.room`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import field
from typing import Any, Protocol

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.rehearse.render import buttons
from discord_standin import SimulatedInteraction, SimulatedMember, SimulationError

JSON = dict[str, Any]
#: Clock seconds a member takes before each step of a motion or a ballot.
THINK = 20
MOTIONS = (
    "I move that we read the welcome in turns, a different member each week.",
    "I move that we keep five minutes at the end for newcomers' questions.",
)
DISCUSSION = "I'd like that. It gives everyone a part in the meeting."
MOVE = "pc:bz:m:"
ACT = "pc:bz:v:"


class Floor(Protocol):
    """What the business members need of the rehearsal's room."""

    @property
    def members(self) -> Sequence[SimulatedMember]: ...
    @property
    def chair(self) -> SimulatedMember | None: ...

    def messages(self) -> list[JSON]: ...
    def later(self, clock_seconds: float, *, person: bool = ...) -> float: ...
    def since(self, moment: float) -> float: ...
    def hint(self, key: str, text: str) -> None: ...
    async def post(self, member: SimulatedMember, words: str) -> None: ...


def actions(message: JSON) -> set[str]:
    """The business buttons on ``message`` that can be pressed now."""
    return {
        str(b["custom_id"]).rsplit(":", 1)[1]
        for b in buttons(message)
        if str(b.get("custom_id", "")).startswith(ACT) and not b.get("disabled")
    }


def invitation(message: JSON) -> str | None:
    """The ``Make a motion`` button's custom_id on ``message``, if it has one."""
    for button in buttons(message):
        custom_id = str(button.get("custom_id", ""))
        if custom_id.startswith(MOVE) and not button.get("disabled"):
            return custom_id
    return None


@lazy_dataclass
class Business:
    """Moves, seconds, discusses and votes, one step a tick, like a room of members."""

    room: Floor
    now: Callable[[], float]
    moved: set[int] = field(default_factory=set)  # invitations a motion was made on
    seen: dict[tuple[int, str], float] = field(default_factory=dict)  # (message, step) → when
    done: set[tuple[int, str]] = field(default_factory=set)
    voted: dict[int, set[str]] = field(default_factory=dict)  # ballot → who has voted

    async def act(self) -> bool:
        """One step of the business under way; True while some business waits on the room."""
        for message in reversed(self.room.messages()[-8:]):
            message_id = int(message["id"])
            move = invitation(message)
            if move is not None and message_id not in self.moved:
                if self.waiting(message_id, "move"):
                    return True
                self.moved.add(message_id)
                await self.make_motion(move)
                return True
            found = actions(message)
            if found and await self.matter(message_id, message, found):
                return True
        return False

    def waiting(self, message_id: int, step: str) -> bool:
        """Whether the room is still thinking before ``step`` on this message."""
        first = self.seen.setdefault((message_id, step), self.now())
        return self.room.since(first) < self.room.later(THINK)

    async def matter(self, message_id: int, message: JSON, found: set[str]) -> bool:
        members = list(self.room.members)
        chair = self.room.chair
        others = [m for m in members if m is not chair] or members
        if "second" in found and (message_id, "second") not in self.done:
            if self.waiting(message_id, "second"):
                return True
            self.done.add((message_id, "second"))
            await self.press(others[1 % len(others)], message, "second")
            return True
        if "call" in found:
            return await self.chair_step(message_id, message, "call", discuss=others[-1])
        if "stand" in found and (message_id, "stand") not in self.done:
            if self.waiting(message_id, "stand"):
                return True
            self.done.add((message_id, "stand"))
            for member in others[:2]:
                await self.press(member, message, "stand")
            return True
        if "open" in found:
            return await self.chair_step(message_id, message, "open")
        if "close" in found:
            return await self.ballot(message_id, message, found, members)
        return False

    async def chair_step(
        self, message_id: int, message: JSON, step: str, *, discuss: SimulatedMember | None = None
    ) -> bool:
        """The chair calls the vote (after a word from the room) or opens an election's ballot."""
        if (message_id, step) in self.done:
            return False
        if discuss is not None and (message_id, "discuss") not in self.done:
            if self.waiting(message_id, "discuss"):
                return True
            self.done.add((message_id, "discuss"))
            await self.room.post(discuss, DISCUSSION)
            return True
        if self.room.chair is None:
            self.room.hint(f"{step}{message_id}", "In Discord, the chair now presses the button.")
            return False
        if self.waiting(message_id, step):
            return True
        self.done.add((message_id, step))
        await self.press(self.room.chair, message, step)
        return True

    async def ballot(
        self, message_id: int, message: JSON, found: set[str], members: list[SimulatedMember]
    ) -> bool:
        """Each member votes in turn; then the chair closes the ballot."""
        if (message_id, "close") in self.done:
            return False
        voted = self.voted.setdefault(message_id, set())
        choices = sorted(found - {"close"})
        candidates = [c for c in choices if c.startswith("c")]
        voters = [m for m in members if m.display_name not in voted]
        if voters:
            if self.waiting(message_id, "vote"):
                return True
            votes = []  # the room votes at about the same time, as members do
            for index, member in enumerate(voters):
                voted.add(member.display_name)
                dissent = index == len(voters) - 1 and len(voters) > 2  # one sees it otherwise
                if candidates:
                    choice = candidates[-1] if dissent else candidates[0]
                else:
                    choice = "no" if dissent else "yes"
                votes.append(self.press(member, message, choice if choice in found else "abstain"))
            await asyncio.gather(*votes)
            return True
        if self.room.chair is None:
            return False
        if self.waiting(message_id, "close"):
            return True
        self.done.add((message_id, "close"))
        await self.press(self.room.chair, message, "close")
        return True

    async def make_motion(self, custom_id: str) -> None:
        members = [m for m in self.room.members if m is not self.room.chair] or list(
            self.room.members
        )
        mover = members[0]
        message = next((m for m in self.room.messages() if invitation(m) == custom_id), None)
        if message is None:
            return
        with contextlib.suppress(SimulationError, TimeoutError):
            opened = await mover.click(int(message["id"]), custom_id)
            await opened.wait_response()
            meeting = custom_id.removeprefix(MOVE)
            words = MOTIONS[len(self.moved) % len(MOTIONS)]
            await reply(await mover.submit_modal(f"pc:bz:motion:{meeting}", {"motion": words}))

    async def press(self, member: SimulatedMember, message: JSON, action: str) -> None:
        for button in buttons(message):
            custom_id = str(button.get("custom_id", ""))
            if custom_id.startswith(ACT) and custom_id.endswith(f":{action}"):
                with contextlib.suppress(SimulationError):
                    await reply(await member.click(int(message["id"]), custom_id))
                return


async def reply(pressed: SimulatedInteraction) -> None:
    """Wait for the bot's private answer (the watcher shows it), if it comes in time."""
    with contextlib.suppress(TimeoutError):
        response = await pressed.wait_response()
        if response.type == 5:
            await pressed.wait_followups()
