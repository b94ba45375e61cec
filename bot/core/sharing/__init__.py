"""The floor: who shares, in what order, and for how long. Pure, no I/O, time passed in.

The meeting (:mod:`bot.core.meeting`) owns one :class:`Floor` per meeting and calls these
functions with the :class:`FloorRules` of the sharing section under way (``None`` outside one).
Each returns the new floor and the effects to carry out; the meeting adds the timers.

What the floor keeps, for this meeting only (all of it is dropped when the meeting ends):

* ``members``: everyone who raised a hand or joined the circle, as a pseudonym, whether they
  chose to say it is their first time, how many times they have shared in open sharing, and
  whether they are still here. No names, no message text.
* ``hands``: raised hands in the order raised, kept across sections, so a hand raised during
  the readings is first in line when sharing opens.
* the section's turn-taking: the round still to go, the current :class:`Turn` (with its
  absolute limit and deadlines), the member the chair picked or the sharer tagged.

Who goes next (:func:`up_next`): a member the chair picked or the sharer tagged; otherwise, in a
round, the round's order; with hands, the order raised — after first-time sharers (when the
format puts them first), those who have not shared yet (when it says so), and, unless the
format turns it off, nobody a second time while someone waiting has shared fewer times.

Order modes: ``ROUND`` and ``HANDS``/``FREE`` hand the floor on by themselves. With
``CHAIR_PICKS`` the chair calls on people (:func:`pick`, or :func:`call_next` for the next in
line); with ``TAG`` the sharer names the next (:func:`tag`, or :func:`invite` from the
panel's list), else the chair does. The panel's lists come from :func:`callable_now` and
:func:`invitable`.

Hands still up when a sharing section ends are lowered (``HandsCleared``): they were raised to
share in that part. Private declarations (:class:`Declarations`: "it's my first time", "I'd
rather listen today") come in with the rules, from memory, and are never stored.

A share counts ("has shared") only in open sharing and speaker sections; introductions and
check-in/out rounds do not, and a pass never does.
"""

from __future__ import annotations

from bot.core.sharing.choosing import call_on, callable_now, invitable, invite, stand_aside
from bot.core.sharing.floor import (
    Declarations,
    Floor,
    FloorRules,
    FloorStep,
    Member,
    Turn,
    circle,
    eligible,
    hands_on_by_itself,
    up_next,
)
from bot.core.sharing.timers import MAX_EXTENSION_SECONDS, extend, note_at, note_due, shift
from bot.core.sharing.turns import (
    call_next,
    close_floor,
    done,
    join,
    leave,
    limit_due,
    lower_hand,
    next_phase,
    open_floor,
    pass_turn,
    pick,
    raise_hand,
    resume,
    tag,
)

__all__ = [
    "MAX_EXTENSION_SECONDS",
    "Declarations",
    "Floor",
    "FloorRules",
    "FloorStep",
    "Member",
    "Turn",
    "call_next",
    "call_on",
    "callable_now",
    "circle",
    "close_floor",
    "done",
    "eligible",
    "extend",
    "hands_on_by_itself",
    "invitable",
    "invite",
    "join",
    "leave",
    "limit_due",
    "lower_hand",
    "next_phase",
    "note_at",
    "note_due",
    "open_floor",
    "pass_turn",
    "pick",
    "raise_hand",
    "resume",
    "shift",
    "stand_aside",
    "tag",
    "up_next",
]
