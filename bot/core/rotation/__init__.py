"""Service rotation: who chairs, keeps time, reads … at the next meeting. Pure, no I/O.

The model
---------
Each service role the format declares (chair, timekeeper, reader, …) has its own
:class:`RoleRotation`: the volunteers who opted in, each known only by :data:`Pseudonym` with
the number of the meeting they last served in that role, and the announced :class:`Upcoming`
turn. Who is *currently* in the rotation is Discord's business (a role on the server): the
runtime passes :class:`MemberFacts` for the members who hold it, and a stored volunteer without
facts is simply not a candidate. Meetings are counted by the group's meeting number; only
meetings that really ran get a number.

Fair turns: among the eligible volunteers the least recently served goes first (never served
before anyone who has). Ties are broken by a hash of (meeting number, role, pseudonym): a fresh
pseudo-random order for every meeting that favours nobody, neither join order nor name, and is
the same on every replay. Several roles are filled at once by a small matching, so nobody gets
two jobs unless every eligible volunteer for a role already has one.

How the runtime drives it
-------------------------
1. After meeting ``N`` is held: ``record_served(rotation, N, served)`` (the turn counts for
   whoever actually served, stand-ins included), then ``announce_next(rotation, N + 1, facts)``
   -> :class:`AskToServe` (ping, with **I'll do it** / **Can't make it**) or
   :class:`AnyoneMayServe` (nobody eligible: any member may take the role).
2. **Can't make it**: ``cant_make_it`` keeps their place in the queue and returns
   :class:`TurnVacated`; then ``fill_turn`` asks the next eligible person.
3. ``swap`` trades two volunteers' places; ``leave`` forgets a volunteer
   (:class:`ForgetVolunteer` = delete the row; :class:`TurnVacated` if it was their turn).
4. ``/rotation show``: ``upcoming_order``.

Every operation returns a new :class:`Rotation`; persist it (one row per volunteer and one per
announced turn), then carry out the effects. Refusals raise :class:`RotationError`.
"""

from __future__ import annotations

from bot.core.rotation.model import (
    AnyoneMayServe,
    AskToServe,
    Assignment,
    Eligibility,
    EveryMeeting,
    ForgetVolunteer,
    ForMeetings,
    MemberFacts,
    RoleRotation,
    RoleRules,
    Rotation,
    RotationEffect,
    RotationError,
    RotationRefusal,
    Term,
    TurnVacated,
    Upcoming,
    Volunteer,
    WeekdayRoster,
)
from bot.core.rotation.turns import (
    announce_next,
    cant_make_it,
    fill_turn,
    join,
    leave,
    newcomer,
    plan,
    record_served,
    swap,
    upcoming_order,
)

__all__ = [
    "AnyoneMayServe",
    "AskToServe",
    "Assignment",
    "Eligibility",
    "EveryMeeting",
    "ForMeetings",
    "ForgetVolunteer",
    "MemberFacts",
    "RoleRotation",
    "RoleRules",
    "Rotation",
    "RotationEffect",
    "RotationError",
    "RotationRefusal",
    "Term",
    "TurnVacated",
    "Upcoming",
    "Volunteer",
    "WeekdayRoster",
    "announce_next",
    "cant_make_it",
    "fill_turn",
    "join",
    "leave",
    "newcomer",
    "plan",
    "record_served",
    "swap",
    "upcoming_order",
]
