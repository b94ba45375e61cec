"""What members say to the room or the chair in their own words, privately: the topic
(``topic:``, by whoever ``chosen-by:`` names), a milestone to celebrate (``milestones:``), and a
request for the chair (``private-requests:``).

Nothing here is kept: the words go straight to the channel (without a name) or to the chair
by a private message (without a name), and are then forgotten — not in the meeting's stored
state, not in a log line. Each is taken only while a part of the meeting that offers it is
under way; a press or a submission after it ended is refused kindly, and nothing is sent.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Protocol

from bot.core.formats.plan import CHAIR, CompiledFormat, CompiledSection, SectionKind, Who, WhoKind
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.meeting import MeetingState, Status
from bot.core.pseudonyms import Pseudonym
from bot.errors import NotAllowed
from bot.i18n import Msg, msg
from bot.runtime.live import LiveMeeting

#: The most a member's words may hold, by request (the form says so too).
LONGEST = {"topic": 200, "milestone": 100, "ask": 500}


class Request(StrEnum):
    TOPIC = "topic"  # choose (or, with ``chosen-by: everyone``, suggest) today's topic
    MILESTONE = "milestone"  # a milestone, celebrated in the room without a name
    ASK = "ask"  # a word for the chair only, without a name


NOT_NOW = {
    Request.TOPIC: msg("We're not choosing a topic right now, so nothing was posted."),
    Request.MILESTONE: msg(
        "We're not at the milestones right now, so nothing was posted. You're welcome to "
        "mention it to the chair."
    ),
    Request.ASK: msg(
        "This part of the meeting doesn't take private requests, so nothing was sent. You're "
        "welcome to raise your hand, or speak to the chair after the meeting."
    ),
}
EMPTY = msg("There were no words to pass on, so nothing was sent.")


class RequestPort(Protocol):
    """What the requests ask of Discord (:class:`bot.adapters.room_requests.RequestPresenter`);
    each returns False when Discord would not take it (nothing was shown)."""

    async def topic_chosen(self, live: LiveMeeting, topic: str, chooser: Chooser | None) -> bool:
        """Post the topic; ``chooser`` is who chose it, or None when anyone may suggest."""

    async def milestone(self, live: LiveMeeting, what: str) -> bool:
        """Celebrate a milestone in the room, without a name (``what`` may be empty)."""

    async def for_chair(self, live: LiveMeeting, words: str, title: str) -> bool:
        """Pass ``words`` to today's chair privately, without a name."""


def cleaned(words: str, kind: Request) -> str:
    """A member's words made one tidy line: no control characters, spaces collapsed, cut to
    :data:`LONGEST`."""
    line = re.sub(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]+", " ", words)
    line = " ".join(line.split())
    limit = LONGEST[kind]
    return line if len(line) <= limit else line[: limit - 1] + "…"


def chooser_of(state: MeetingState, section: CompiledSection) -> Who:
    """Who chooses the topic today: the format's ``chosen-by:``; a role nobody holds today
    leaves it to the chair."""
    who = section.topic_chosen_by or CHAIR
    if who.kind is WhoKind.ROLE and who.role and not state.holders(who.role):
        return CHAIR
    return who


@lazy_dataclass(frozen=True)
class Chooser:
    """Who chooses a topic today: the chair (``role`` None), or another role by its title in
    lower case ("secretary"). The words around it are whole sentences, one per case
    (bot/adapters/meeting_words.py), in the group's language."""

    role: str | None = None


def chooser_words(plan: CompiledFormat, who: Who) -> Chooser | None:
    """Who a topic is chosen by; None when anyone may."""
    if who.kind is not WhoKind.ROLE:
        return None
    if who.role in (None, CHAIR.role):
        return Chooser()
    role = plan.role(who.role)
    return Chooser((role.title if role else who.role).lower())


def chosen_by_another(plan: CompiledFormat, who: Who) -> Msg:
    """The refusal to a member whose topic is someone else's to choose today (a role)."""
    if who.role in (None, CHAIR.role):
        return msg(
            "Today's topic is chosen by the chair, so nothing was posted. You're welcome to "
            "suggest one to them."
        )
    role = plan.role(who.role)
    return msg(
        "Today's topic is chosen by our {role}, so nothing was posted. You're welcome to "
        "suggest one to them.",
        role=(role.title if role else who.role).lower(),
    )


class RoomRequests:
    """Takes a member's own words for the part under way, and passes them on (never kept)."""

    def __init__(self, port: RequestPort) -> None:
        self._port = port

    def section_for(self, live: LiveMeeting, who: Pseudonym, kind: Request) -> CompiledSection:
        """The part under way, if it takes this request from ``who``; otherwise a kind
        :class:`NotAllowed` (nothing is sent)."""
        step = live.state.step
        section = None if step is None else live.plan.sections[step.index]
        if live.state.status is Status.ENDED or section is None:
            raise NotAllowed(NOT_NOW[kind])
        if kind is Request.TOPIC:
            if section.kind is not SectionKind.TOPIC:
                raise NotAllowed(NOT_NOW[kind])
            chooser = chooser_of(live.state, section)
            holders = live.state.holders(chooser.role) if chooser.role else ()
            if chooser.kind is WhoKind.ROLE and holders and who not in holders:
                raise NotAllowed(chosen_by_another(live.plan, chooser))
        elif kind is Request.MILESTONE:
            if section.kind is not SectionKind.MILESTONES or not section.private_requests:
                raise NotAllowed(NOT_NOW[kind])
        elif not section.private_requests:
            raise NotAllowed(NOT_NOW[kind])
        return section

    async def submit(self, live: LiveMeeting, who: Pseudonym, kind: Request, words: str) -> bool:
        """Pass ``words`` on for the part under way; False when Discord would not take them.
        Refused (:class:`NotAllowed`) when the part no longer takes them."""
        section = self.section_for(live, who, kind)
        line = cleaned(words, kind)
        if kind is Request.MILESTONE:
            return await self._port.milestone(live, line)
        if not line:
            raise NotAllowed(EMPTY)
        if kind is Request.TOPIC:
            chooser = chooser_words(live.plan, chooser_of(live.state, section))
            return await self._port.topic_chosen(live, line, chooser)
        return await self._port.for_chair(live, line, section.title)
