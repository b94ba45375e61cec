"""The meeting's time buttons, pressed through :class:`bot.ui.meeting.MeetingActions`: the
chair's **Start now** / **Begin now**, **I'll read …** before the start, the answers to "we're
running late", and **Move on** when a sharing section's time is up. The work is in
:mod:`bot.runtime.meetings.timing`; here only which press does what, and the thank-you."""

from __future__ import annotations

from bot.core.meeting.time_effects import LateChoice
from bot.core.pseudonyms import Pseudonym
from bot.errors import NotAllowed
from bot.i18n import Msg, msg
from bot.runtime.live import LiveMeeting
from bot.runtime.meetings import MeetingService, timing
from bot.ui.meeting_replies import OLDER_BUTTON

#: The actions of :class:`bot.ui.meeting.MeetingButton` handled here.
TIME_ACTIONS = frozenset({"startnow", "recruit", "late", "moveon"})

LATE_THANKS = {
    LateChoice.SHORTER: msg("Thank you — shorter shares in this part, so that we keep our time."),
    LateChoice.AS_IS: msg("Thank you — shares as usual, ending in time for the closing."),
    LateChoice.SKIP: msg("Thank you — we'll leave that part out today and keep our time."),
}


async def time_action(
    service: MeetingService, live: LiveMeeting, who: Pseudonym, action: str, arg: int | None
) -> Msg:
    """Carry out one time button; the private thank-you."""
    match action:
        case "startnow":
            await timing.start_now(service, live, who)
            return msg("Thank you — we're beginning now.")
        case "recruit":
            await timing.offer_to_read(service, live, who, arg or 0)
            return msg(
                "Thank you for offering to read! I'll post the words for you when we get there."
            )
        case "late":
            chosen = await timing.decide_late(service, live, who, arg or 0)
            return LATE_THANKS[chosen]
        case "moveon":
            await timing.move_on(service, live, who, arg or 0)
            return msg("Moving on. Thank you, chair.")
    raise NotAllowed(OLDER_BUTTON)
