"""What the room's newer actions do: the chair's tools (pause, more time, skip, calling on
someone), a sharer inviting the next, and private declarations — each checked (only the chair,
or the sharer for an invitation, with kind, specific words for anyone else) and carried out
through the meeting service. :class:`bot.ui.meeting.MeetingActions` routes them here.

Declarations ("it's my first time", "I'd rather listen today") are held with the meeting in
memory only and never stored; nobody else is told.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.formats.plan import Order
from bot.core.meeting import Status
from bot.core.meeting.clock import floor_rules
from bot.core.pseudonyms import Pseudonym
from bot.errors import NotAllowed
from bot.i18n import Msg, msg, msg_n
from bot.runtime.live import LiveMeeting
from bot.runtime.meetings import MeetingService
from bot.ui.meeting_replies import OLDER_BUTTON

#: The panel's **More time** gives this many minutes; ``/meeting extend`` takes 1 to 60.
MORE_MINUTES = 2

CHAIR_ONLY: Mapping[str, Msg] = {
    "pause": msg(
        "Only today's chair can pause the meeting, so it goes on. If the chair seems to be away, "
        "**Step in as chair** is on the meeting panel."
    ),
    "more": msg(
        "Only today's chair can give a share more time. If you're sharing, take the time you "
        "have — the chair can add more if the group agrees."
    ),
    "skip": msg(
        "Only today's chair can skip a part of the meeting, so nothing changed. If the chair "
        "seems to be away, **Step in as chair** is on the meeting panel."
    ),
    "pick": msg(
        "Only today's chair calls on the next person to share. If you'd like to share, press "
        "**Raise hand** and the chair will see it."
    ),
}
SHARER_ONLY = msg(
    "Only the person sharing invites the next one, so nothing changed. If you'd like to share, "
    "press **Raise hand** so they can see it."
)
ALREADY_PAUSED = msg("The meeting is already paused. Press **Resume** when the group is ready.")
NOT_A_MEMBER_TARGET = msg(
    "They aren't a member of this group, so they can't be invited to share. Nothing changed."
)
LIST_CHANGED = msg("That list has changed since it was shown. Please choose again from the panel.")
OLDER_FORMAT = msg("That button is from an older version of the format; nothing changed.")

FIRST_TIME = msg(
    "Welcome — we're really glad you're here. Only you and I know this, and only for this "
    "meeting: nothing is kept and nobody else is told. Listening is a fine way to take part; "
    "if you'd like to share, press **Raise hand** any time."
)
FIRST_TIME_FIRST = msg(
    "Welcome — we're really glad you're here. Only you and I know this, and only for this "
    "meeting: nothing is kept and nobody else is told. Listening is a fine way to take part; "
    "if you'd like to share, press **Raise hand** — first-timers go first in this meeting."
)
LISTENING = msg(
    "Of course — listening is a fine way to take part. You won't be called on or put in a "
    "round today. Only you and I know this, for this meeting only; nothing is kept. If you "
    "change your mind, press **Raise hand** any time."
)

SAID = msg(
    "Thank you for telling me. Only you and I know you said this, and only for this meeting: "
    "nothing is kept, and the meeting uses only how many said it, never who. Press it again "
    "to take it back."
)
UNSAID = msg("Taken back — it no longer counts for this meeting. Nothing was kept.")

ROOM_ACTIONS = frozenset({"first", "listen", "said", "pause", "more", "skip", "pick", "tag"})


def order_now(live: LiveMeeting) -> Order | None:
    """How turns are taken in the part under way (None outside a sharing part)."""
    rules = floor_rules(live.plan, live.state)
    return None if rules is None else rules.phase_of(live.state.floor).order


def hand_words(live: LiveMeeting) -> Msg | None:
    """The answer to **Raise hand** when the part under way goes round instead."""
    if order_now(live) is Order.ROUND:
        return msg("You're in the round. I'll let you know when it's your turn.")
    return None


async def listening_no_more(service: MeetingService, live: LiveMeeting, who: Pseudonym) -> None:
    """Raising a hand after saying you'd rather listen: you'd like to share after all."""
    if who in live.state.declared.listening:
        await service.act(live, lambda r, s, now: r.declare(s, who, now, listening=False))


async def _say_privately(
    service: MeetingService, live: LiveMeeting, who: Pseudonym, index: int
) -> Msg:
    """One of the format's own declarations (``declarations:``): said, or pressed again,
    taken back."""
    declarations = live.plan.variants.declarations
    if not 0 <= index < len(declarations):
        raise NotAllowed(OLDER_FORMAT)
    said = declarations[index].id
    on = (said, who) not in live.state.declared.said
    await service.act(live, lambda r, s, now: r.say_privately(s, who, said, now, on=on))
    return SAID if on else UNSAID


def _chair_only(live: LiveMeeting, who: Pseudonym, action: str) -> None:
    if live.chairs and who not in live.chairs:
        raise NotAllowed(CHAIR_ONLY[action])


async def room_action(
    service: MeetingService,
    live: LiveMeeting,
    who: Pseudonym,
    action: str,
    arg: int | None,
    target: Pseudonym | None,
) -> Msg:
    """Carry out one of :data:`ROOM_ACTIONS`; the private confirmation."""
    match action:
        case "first":
            await service.act(live, lambda r, s, now: r.declare(s, who, now, first_time=True))
            first = any(
                p.first_timers_first
                for s in live.plan.sections
                if s.sharing is not None
                for p in s.sharing.phases
            )
            return FIRST_TIME_FIRST if first else FIRST_TIME
        case "listen":
            await service.act(live, lambda r, s, now: r.declare(s, who, now, listening=True))
            return LISTENING
        case "said":
            return await _say_privately(service, live, who, arg or 0)
        case "pause":
            _chair_only(live, who, action)
            if live.state.status is Status.PAUSED:
                raise NotAllowed(ALREADY_PAUSED)
            await service.act(live, lambda r, s, now: r.pause(s, now))
            return msg("The meeting is paused. Press **Resume** on the panel when you're ready.")
        case "more":
            _chair_only(live, who, action)
            minutes = arg or MORE_MINUTES
            await service.act(live, lambda r, s, now: r.extend(s, minutes * 60, now))
            return msg_n(
                "Done — {n} more minute for the sharer.",
                "Done — {n} more minutes for the sharer.",
                minutes,
            )
        case "skip":
            _chair_only(live, who, action)
            await service.act(live, lambda r, s, now: r.skip(s, now))
            return msg("Skipped — we're on to the next part.")
        case "pick":
            _chair_only(live, who, action)
            if target is None:
                raise NotAllowed(LIST_CHANGED)
            from_list = arg is not None
            await service.act(
                live, lambda r, s, now: r.call_on(s, target, now, waiting_only=from_list)
            )
            turn = live.state.floor.turn
            if turn is not None and turn.who == target:
                return msg("Thank you — the floor is theirs now.")
            return msg("Thank you — they're next, after the current share.")
        case "tag":
            turn = live.state.floor.turn
            if turn is None or turn.who != who:
                raise NotAllowed(SHARER_ONLY)
            if target is None:
                raise NotAllowed(LIST_CHANGED)
            await service.act(live, lambda r, s, now: r.invite(s, who, target, now))
            return msg("Thank you for sharing, and for inviting the next person.")
    raise NotAllowed(OLDER_BUTTON)
