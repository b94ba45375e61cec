"""The simulated members of a rehearsal: they read the panel and the prompts in the channel —
what any member sees — and do what members do: volunteer to read, answer the chair's question,
raise a hand, share a few lines and press **Done sharing**, pass once, now and then reply to
someone's share (so the gentle crosstalk reminder shows), and the chair moves the meeting on.

They take their time in clock time (a share of about two clock minutes is two real seconds at
``--speed 60``), and, when a person plays along, they leave the person real time to act.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Callable
from dataclasses import field
from typing import Any

from bot.core.formats.plan import CompiledFormat, CompiledSection, SectionKind
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.i18n import group_locale, t
from bot.rehearse.business import Business
from bot.rehearse.render import (
    PanelState,
    buttons,
    choices,
    is_panel,
    panel_text,
    prompt_actions,
    read_panel,
)
from bot.rehearse.stage import Stage
from discord_standin import SimulatedInteraction, SimulatedMember, SimulationError

JSON = dict[str, Any]
TICK = 0.05
#: The least a simulated member waits before acting, in real seconds, however fast the clock.
LEAST = 0.1
#: With a person playing: clock seconds they have to act first (volunteer to read, raise a
#: hand) — six real seconds at the --play speed of 10.
PERSON_FIRST = 60
#: Clock seconds a member takes to answer a prompt.
THINK = 20
#: Clock seconds of the countdown before the chair presses **Start now** (the room gathers).
START_AFTER = 90

#: The bot's words at the close (a message id: said in the group's language).
ENDED = "This meeting has ended. Thank you all for being here, and take care. 💛"
SHARES = (
    "Thanks, everyone. This week was a hard one, but I kept up my morning walks and that helped.",
    "I noticed I'm kinder to myself when I say out loud what's going on. So here I am, saying it.",
    "Mostly grateful today. I slept through the night for the first time in a while.",
    "I had a rough moment on Thursday, and I reached out instead of keeping it in. That's new.",
    "I'm still finding my way. Listening to all of you helps me feel less alone with it.",
    "Some days are just about getting through. Today I got through, and I'm here.",
)
SHARE_ENDINGS = (
    "That's all for me — thank you for listening.",
    "I'll leave it there. Thanks for the space.",
    "Thank you. It helps to say it here.",
)
CROSSTALK = (
    "Have you tried journaling? It really helped me with that.",
    "Oh, same here — that happened to me too last week!",
)


@lazy_dataclass
class Turn:
    """A simulated member's share, as a little script in clock seconds."""

    who: SimulatedMember
    began: float
    passes: bool = False
    crosstalk_by: SimulatedMember | None = None
    said: int = 0
    last: float = 0.0  # when the member last did something in this turn
    talked_over: bool = False
    finished: bool = False


@lazy_dataclass
class Room:
    """Drives a meeting the way its members would, until the panel says it has ended."""

    stage: Stage
    plan: CompiledFormat
    say: Callable[[str], None]  # a note to the person at the keyboard
    person_chairs: bool = False
    rng: random.Random = field(default_factory=lambda: random.Random(17))  # noqa: S311 - not secret
    handled: set[int] = field(default_factory=set)
    prompts_seen: dict[int, float] = field(default_factory=dict)
    section_key: tuple[int, str] | None = None
    section_began: float = 0.0
    section_prompts: int = 0
    last_change: float = 0.0
    last_messages: int = 0
    shared: set[str] = field(default_factory=set)  # shared (or passed) in this meeting
    shared_here: set[str] = field(default_factory=set)  # … in this section
    hands_refused: set[str] = field(default_factory=set)
    turn: Turn | None = None
    turns: int = 0
    passed: bool = False
    crosstalks: int = 0
    next_reader: int = 0
    hinted: set[str] = field(default_factory=set)
    recruited: set[int] = field(default_factory=set)  # countdowns where a reader offered
    bot_posted: float = 0.0  # when the bot last posted in the room
    panel_before: str | None = None  # the panel's words before a press that changes them
    panel_wait_until: float = 0.0
    holdout: str | None = None  # waits for the section for those who haven't shared

    def __post_init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.members = self.stage.members
        self.chair = None if self.person_chairs else self.members[0]
        self.by_name = {m.display_name: m for m in self.stage.everyone}
        self.business = Business(self, self.loop.time)
        sharers = [m for m in self.members if m is not self.chair]
        if len(sharers) > 2 and any(
            s.sharing and s.sharing.phases[0].sharers.value != "everyone"
            for s in self.plan.sections
        ):
            self.holdout = sharers[-1].display_name

    # ---- time -------------------------------------------------------------------------------
    def later(self, clock_seconds: float, *, person: bool = False) -> float:
        """Real seconds for a pause of ``clock_seconds`` on the meeting's clock."""
        wait = max(LEAST, clock_seconds / self.stage.speed)
        if person and self.stage.person is not None:
            return max(wait, PERSON_FIRST / self.stage.speed)
        return wait

    def since(self, moment: float) -> float:
        return self.loop.time() - moment

    # ---- what members see -------------------------------------------------------------------
    def messages(self) -> list[JSON]:
        return self.stage.fake.channel_messages(self.stage.channel.id)

    def panel(self) -> JSON | None:
        found = None
        for message in self.messages():
            if is_panel(message):
                found = message
        return found

    def ended(self) -> bool:
        ended = t(group_locale(self.plan.language), ENDED)
        return any(ended in str(m.get("content")) for m in self.messages())

    async def post(self, member: SimulatedMember, words: str) -> None:
        """Post in the room, if the member can just now (slow mode, a closed channel: not)."""
        with contextlib.suppress(SimulationError):
            await member.say(self.stage.channel.id, words)

    async def choose(self, member: SimulatedMember, message: JSON, action: str) -> str:
        """Pick the first one offered in the panel's list for ``action`` (pick, tag)."""
        for custom_id, values in choices(message, action).items():
            with contextlib.suppress(SimulationError):
                chosen = await member.select(int(message["id"]), custom_id, values[:1])
                return await answer(chosen)
        return ""

    async def press(self, member: SimulatedMember, message: JSON, action: str) -> str:
        """Press the button whose action is ``action``; the private answer ("" if none)."""
        for button in buttons(message):
            parts = str(button.get("custom_id", "")).split(":")
            if len(parts) >= 4 and parts[3] == action and not button.get("disabled"):
                try:
                    pressed = await member.click(int(message["id"]), button["custom_id"])
                except SimulationError:
                    return ""
                return await answer(pressed)
        return ""

    # ---- the meeting ------------------------------------------------------------------------
    async def run(self) -> None:
        while not self.ended():
            count = len(self.messages())
            if count != self.last_messages:
                self.last_messages, self.last_change = count, self.loop.time()
                if self.messages()[-1]["author"]["id"] == str(self.stage.fake.bot_user_id):
                    self.bot_posted = self.loop.time()
            panel = self.panel()
            if panel is not None and self.still(panel):
                await asyncio.sleep(TICK)
                continue
            if panel is not None:
                state = read_panel(panel)
                if state.ended:
                    return
                await self.step(panel, state)
            await asyncio.sleep(TICK)

    async def step(self, panel: JSON, state: PanelState) -> None:
        key = (state.section, state.section_title)
        if key != self.section_key:
            self.section_key, self.section_began = key, self.loop.time()
            self.shared_here, self.hands_refused = set(), set()
            # A part's offer or question may come just before the panel shows the part.
            self.section_prompts = sum(
                1
                for m in self.messages()[-3:]
                if prompt_actions(m) or int(m["id"]) in self.prompts_seen
            )
            self.handled.update(int(m["id"]) for m in self.messages()[:-3])
        if await self.prompts():
            return
        section = self.section(state)
        if section is not None and section.sharing is not None:
            await self.sharing(panel, state, section)
        elif section is None or section.kind not in (SectionKind.SILENCE, SectionKind.MEDITATION):
            await self.move_on(panel, section)
        elif section.quiet is None or section.quiet.length_seconds is None:
            if self.since(self.section_began) > self.later(60):
                await self.next(panel)
        elif self.since(self.section_began) > self.later(section.quiet.length_seconds + 30) + 2:
            await self.next(panel)  # the bot ends a timed silence itself; this is a fallback

    def section(self, state: PanelState) -> CompiledSection | None:
        if 1 <= state.section <= len(self.plan.sections):
            return self.plan.sections[state.section - 1]
        return None

    async def next(self, panel: JSON) -> None:
        if self.chair is not None:
            self.expect_change(panel)
            await self.press(self.chair, panel, "next")
            self.last_change = self.loop.time()

    def expect_change(self, panel: JSON) -> None:
        """After a press that moves the meeting: wait for the panel to show it (a moment)."""
        self.panel_before, self.panel_wait_until = panel_text(panel), self.loop.time() + 3

    def still(self, panel: JSON) -> bool:
        """Whether the panel hasn't yet shown what the last press changed."""
        if self.panel_before is None or self.loop.time() > self.panel_wait_until:
            self.panel_before = None
            return False
        if panel_text(panel) != self.panel_before:
            self.panel_before = None
            return False
        return True

    async def move_on(self, panel: JSON, section: CompiledSection | None) -> None:
        """A part that isn't sharing: the chair moves on once the room has had time to read."""
        messages = self.messages()
        words = len(str(messages[-1].get("content", "")).split()) if messages else 0
        if self.since(self.last_change) < self.later(min(120, max(20, words / 2.5))):
            return
        if (
            section is not None
            and self.section_prompts == 0
            and expects_prompt(section)
            and self.since(self.section_began) < 3.0
        ):
            return  # the offer or question is on its way
        if self.person_chairs:
            self.hint(f"next{self.section_key}", "When you're ready, type `next` to move on.")
            return
        await self.next(panel)

    # ---- prompts: readings, the chair's question, a choice, a role ---------------------------
    async def prompts(self) -> bool:
        """True while a prompt in the room waits for its answer (nothing else happens then)."""
        if await self.business.act():  # a motion or a ballot under way
            self.last_change = self.loop.time()
            return True
        for message in self.messages()[-6:]:
            message_id = int(message["id"])
            actions = prompt_actions(message)
            if not actions or message_id in self.handled:
                continue
            if message_id not in self.prompts_seen:
                self.prompts_seen[message_id] = self.loop.time()
                self.section_prompts += 1
            waited = self.since(self.prompts_seen[message_id])
            if "read" in actions:
                self.hint(f"read{message_id}", "Type `read` to read it yourself.")
                if waited < self.later(THINK, person=True):
                    return True
                self.handled.add(message_id)
                readers = [m for m in self.members if m is not self.chair] or self.members
                reader = readers[self.next_reader % len(readers)]
                self.next_reader += 1
                if not await self.press(reader, message, "read") and self.chair is not None:
                    await self.press(self.chair, message, "chairread")
            elif "recruit" in actions and message_id not in self.recruited:
                self.hint(f"recruit{message_id}", "Type `read` to offer to read.")
                if waited < self.later(THINK, person=True):
                    return True
                self.recruited.add(message_id)
                readers = [m for m in self.members if m is not self.chair] or self.members
                await self.press(readers[0], message, "recruit")
                self.next_reader += 1
            elif "startnow" in actions:
                if self.chair is None:
                    self.hint(f"start{message_id}", "You're chairing: type `start` to begin.")
                    return True
                if waited < self.later(START_AFTER):
                    return True  # the room gathers; the chair then begins
                self.handled.add(message_id)
                self.expect_change(self.panel() or message)
                await self.press(self.chair, message, "startnow")
            elif actions & {"late", "moveon"} and self.chair is not None:
                if waited < self.later(THINK):
                    return True
                self.handled.add(message_id)
                await self.press(self.chair, message, "late" if "late" in actions else "moveon")
            elif actions & {"yes", "no", "choose"}:
                if self.chair is None:  # the person chairs: theirs to answer
                    self.hint(f"ask{message_id}", "You're chairing: type `yes` or `no`.")
                    return True
                if waited < self.later(THINK):
                    return True
                self.handled.add(message_id)
                await self.press(self.chair, message, "choose" if "choose" in actions else "yes")
            elif "role" in actions:
                if waited < self.later(THINK, person=True):
                    return True
                self.handled.add(message_id)
                await self.press(self.members[-1], message, "role")
            else:
                self.handled.add(message_id)  # nothing the members answer
                continue
            self.last_change = self.loop.time()
            return True
        return False

    # ---- sharing ----------------------------------------------------------------------------
    async def sharing(self, panel: JSON, state: PanelState, section: CompiledSection) -> None:
        if state.sharer is not None:
            if state.sharer == self.stage.person_name:
                self.hint(
                    f"floor{self.turns}",
                    "You have the floor: type what you'd like to share, then `done` (or `pass`).",
                )
            if not await self.share(panel, state.sharer):
                await self.raise_hands(panel, state, section)  # others queue up meanwhile
            return
        self.turn = None
        if self.stage.person is not None and self.stage.person_name not in self.shared_here:
            self.hint(f"hand{state.section}", "Type `hand` to raise your hand and share.")
        if await self.raise_hands(panel, state, section):
            return
        if (
            state.waiting
            and self.chair is not None
            and choices(panel, "pick")
            and self.since(self.last_change) >= self.later(THINK)
        ):
            self.expect_change(panel)  # the chair calls on someone (chair picks)
            await self.choose(self.chair, panel, "pick")
            self.last_change = self.loop.time()
            return
        if state.waiting or self.since(self.last_change) < self.later(20):
            return
        if self.stage.person is not None and self.since(self.last_change) < self.later(
            PERSON_FIRST
        ):
            return
        if self.person_chairs:
            self.hint(f"next{state.section}", "When you're ready, type `next` to move on.")
            return
        await self.next(panel)

    async def raise_hands(self, panel: JSON, state: PanelState, section: CompiledSection) -> bool:
        """The members who'd like to share raise their hands, one by one."""
        for index, member in enumerate(self.members):
            name = member.display_name
            if (
                member is self.chair
                or name in self.shared_here
                or name in self.hands_refused
                or name in state.waiting
                or (name == self.holdout and name not in self.shared and not self.later_phase())
            ):
                continue
            if self.since(self.section_began) < self.later(10 + 15 * index):
                return True  # still thinking it over
            answer = await self.press(member, panel, "hand")
            if "hand is up" in answer:
                self.expect_change(panel)
            else:
                self.hands_refused.add(name)
            self.last_change = self.loop.time()
            return True
        return False

    def later_phase(self) -> bool:
        """The holdout shares in a part for those who haven't shared yet."""
        section = self.plan.sections[self.section_key[0] - 1] if self.section_key else None
        return bool(
            section
            and section.sharing
            and any(p.sharers.value != "everyone" for p in section.sharing.phases)
        )

    async def share(self, panel: JSON, sharer: str) -> bool:
        """The sharer's next step, when it's due; whether they did something."""
        member = self.by_name.get(sharer)
        if member is None or member is self.stage.person:
            self.shared_here.add(sharer)
            self.shared.add(sharer)
            return False
        turn = self.turn
        if turn is None or turn.who is not member:
            turn = self.turn = self.new_turn(member)
        if turn.finished:
            return False
        if self.since(turn.last) < LEAST:
            return False  # one thing at a time, however fast the clock
        elapsed = (self.loop.time() - turn.began) * self.stage.speed
        if turn.passes:
            if elapsed >= 15:
                turn.finished = True
                await self.press(member, panel, "pass")
        elif turn.said == 0 and elapsed >= 30:
            turn.said = 1
            await self.post(member, SHARES[self.turns % len(SHARES)])
        elif turn.crosstalk_by and not turn.talked_over and turn.said == 1 and elapsed >= 55:
            turn.talked_over = True
            await self.post(turn.crosstalk_by, CROSSTALK[self.crosstalks % len(CROSSTALK)])
            self.crosstalks += 1
        elif turn.talked_over and not self.answered_since(turn.last) and self.since(turn.last) < 2:
            return False  # a moment for the gentle reminder
        elif turn.said == 1 and elapsed >= 100 and (turn.talked_over or not turn.crosstalk_by):
            turn.said = 2
            await self.post(member, SHARE_ENDINGS[self.turns % len(SHARE_ENDINGS)])
        elif turn.said == 2 and elapsed >= 135 + 10 * (self.turns % 4):
            turn.finished = True
            if choices(panel, "tag"):  # the sharer invites the next one (tag)
                await self.choose(member, panel, "tag")
            else:
                await self.press(member, panel, "done")
        else:
            return False
        self.last_change = turn.last = self.loop.time()
        return True

    def answered_since(self, moment: float) -> bool:
        """Whether the bot has posted in the room since ``moment`` (a loop time)."""
        return self.bot_posted > moment

    def new_turn(self, member: SimulatedMember) -> Turn:
        self.turns += 1
        name = member.display_name
        self.shared_here.add(name)
        self.shared.add(name)
        turn = Turn(member, self.loop.time(), last=self.loop.time())
        if not self.passed and self.turns == 3:
            self.passed = turn.passes = True
        elif self.turns in (2, 5):
            others = [m for m in self.members if m is not member and m is not self.chair]
            turn.crosstalk_by = others[self.turns % len(others)] if others else None
        return turn

    def hint(self, key: str, text: str) -> None:
        """A line for the person at the keyboard, once."""
        if self.stage.person is not None and key not in self.hinted:
            self.hinted.add(key)
            self.say(text)


def expects_prompt(section: CompiledSection) -> bool:
    """Whether the bot will ask the room something in this part before it can go on."""
    return bool(
        (section.kind is SectionKind.READ and section.reading and section.reading.offer)
        or section.question is not None
        or section.kind is SectionKind.SPEAKER
    )


async def answer(pressed: SimulatedInteraction) -> str:
    """What the bot told the member privately ("" if nothing came in time)."""
    with contextlib.suppress(TimeoutError):
        response = await pressed.wait_response()
        if response.type in (5, 6):  # deferred: the answer is a follow-up
            followups = await pressed.wait_followups()
            return str(followups[0].get("content", ""))
        return str((response.data or {}).get("content", ""))
    return ""
