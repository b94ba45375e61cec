"""Time in the room at run time: the chair's **Start now** (the countdown, or a section awaiting
its ``starts:`` moment), a member's offer to read before the start, the chair's answer to
"we're running late", and **Move on** when a sharing section's time is up mid-share.

Each is one core operation of :mod:`bot.core.meeting.countdown` run through
:meth:`MeetingService.act` (lock, core, commit, show); a request that can't be done now is a
kind, private answer and changes nothing. No ``discord`` here.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.meeting import countdown
from bot.core.meeting.countdown import NotNow, TimeRefusal
from bot.core.meeting.time_effects import LateChoice
from bot.core.pseudonyms import Pseudonym
from bot.errors import NotAllowed
from bot.i18n import Msg, msg
from bot.runtime.live import LiveMeeting
from bot.runtime.meetings.commits import Operation
from bot.runtime.meetings.service import MeetingService

_T = TimeRefusal
REFUSED: Mapping[TimeRefusal, Msg] = {
    _T.BEGUN: msg("We've already begun — there's nothing to start. Thank you!"),
    _T.NOT_BEFORE: msg(
        "The meeting has already begun. When the reading comes, its own button lets you take it."
    ),
    _T.NO_SUCH_READING: msg("That reading isn't on offer today. Thank you for offering!"),
    _T.READING_TAKEN: msg("Someone has already offered to read that one. Thank you for offering!"),
    _T.ALREADY_OFFERED: msg("You've already offered to read that one — thank you!"),
    _T.NOT_ASKED: msg("That question has already been settled, so nothing changed."),
    _T.NOT_A_CHOICE: msg("That isn't one of the choices for this part, so nothing changed."),
    _T.MOVED_ON: msg("We've already moved on from that part, so nothing changed."),
}

#: The running-late choices as a button's small number (``pc:m:<meeting>:late:<n>``).
LATE_CHOICES: tuple[LateChoice, ...] = (LateChoice.SHORTER, LateChoice.AS_IS, LateChoice.SKIP)


async def start_now(service: MeetingService, live: LiveMeeting, who: Pseudonym) -> None:
    """The chair begins now rather than waiting for the countdown (or a ``starts:`` moment)."""
    service.require_chair(live, who)
    await _run(service, live, lambda r, s, now: countdown.start_now(r, s, now))


async def offer_to_read(
    service: MeetingService, live: LiveMeeting, who: Pseudonym, index: int
) -> None:
    """Before the start, a member offers to read section ``index`` when it comes."""
    await _run(service, live, lambda r, s, now: countdown.offer_to_read(r, s, index, who, now))


async def decide_late(
    service: MeetingService, live: LiveMeeting, who: Pseudonym, choice: int
) -> LateChoice:
    """The chair answers "we're running late" (``choice``: an index into LATE_CHOICES)."""
    service.require_chair(live, who)
    if not 0 <= choice < len(LATE_CHOICES):
        raise NotAllowed(REFUSED[_T.NOT_A_CHOICE])
    chosen = LATE_CHOICES[choice]
    await _run(service, live, lambda r, s, now: countdown.decide_late(r, s, chosen, now))
    return chosen


async def move_on(
    service: MeetingService, live: LiveMeeting, who: Pseudonym, section_run: int
) -> None:
    """The chair moves on from a sharing section whose time is up."""
    service.require_chair(live, who)
    await _run(service, live, lambda r, s, now: countdown.move_on(r, s, section_run, now))


async def _run(service: MeetingService, live: LiveMeeting, op: Operation) -> None:
    try:
        await service.act(live, op)
    except NotNow as refused:
        raise NotAllowed(REFUSED[refused.reason]) from None
