"""The rotation's words: what members read in the channel, in private and in the roles' names —
as messages (:class:`~bot.i18n.Msg`), rendered in the group's language for the channel, the
roles and the private messages the bot sends on its own, and in the member's language for a
private reply (docs/translating.md).

Names shown here are display names read from Discord just now; none is ever stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core import rotation as core
from bot.core.wording import and_list, day_and_month, day_and_time, then
from bot.i18n import Msg, msg, msg_n
from bot.runtime.markup import echo

#: The reason shown in the server's audit log: generic, never a name.
AUDIT_REASON = msg("service rotation")

NO_MANAGE_ROLES = msg(
    "To keep the rotation I need the **Manage Roles** permission on this server, and I don't have "
    "it. Someone who manages the server can add it to my role. Nothing changed."
)
ROLE_TOO_HIGH = msg(
    "The rotation's role is above my own role in the server's role list, so I can't give it "
    "out. Someone who manages the server can move my role above it. Nothing changed."
)
SERVER_UNREACHABLE = msg("I can't reach this server right now. Please try again in a moment.")
#: A press in a direct message for a group another bot process serves (sharded): nothing
#: changed, and where the same answer works.
SERVE_IN_THE_CHANNEL = msg(
    "Thank you! I can't take this answer in a private message, so nothing changed. Please "
    "press **I'll do it** under the rotation's announcement in your group's channel."
)
CANT_MAKE_IT_IN_THE_CHANNEL = msg(
    "I can't take this answer in a private message, so your turn hasn't been passed on yet. "
    "Please press **Can't make it** under the rotation's announcement in your group's channel, "
    "and I'll ask the next person from there."
)
SWAP_IN_THE_CHANNEL = msg(
    "I can't make the swap from a private message, so nothing changed yet. To agree, run "
    "`/rotation swap` with them in your group's channel, and the swap happens."
)
SWAP_LAPSES = msg(
    "I can't pass your answer on from a private message, so nothing changed. You don't need "
    "to do anything: the request lapses by itself within two days."
)


def below(first: Msg | str, *more: Msg | str) -> Msg | str:
    """Lines, one under the other."""
    if not more:
        return first
    return msg("{first}\n{more}", first=first, more=below(*more))


# --- the Discord roles --------------------------------------------------------------------------

#: Where the group meets, when Discord no longer shows its channel's name.
THE_GROUP = msg("the group")
YOUR_GROUP = msg("your group")


def where(channel_name: str | None, fallback: Msg) -> Msg | str:
    return f"#{channel_name}" if channel_name is not None else fallback


def volunteers_role_name(title: str, place: Msg | str) -> Msg:
    """The Discord role of a role's volunteers (cut to 100 characters once rendered)."""
    return msg("{role} rotation · {place}", role=title, place=place)


def serving_role_name(title: str, place: Msg | str) -> Msg:
    """The Discord role of whoever serves the role today."""
    return msg("{role} today · {place}", role=title, place=place)


# --- joining, leaving, showing ------------------------------------------------------------------

NO_ROTATING_ROLES = msg(
    "This group's format has no service roles that rotate, so there's no rotation "
    "to join. Whoever starts a meeting chairs it."
)
GROUP_GONE = msg("This group no longer meets here.")
ROTATION_GONE = msg("This rotation no longer exists.")
NOT_IN_GROUP = msg(
    "The rotation is for members of this group, and Discord doesn't show you as one here "
    "(the group's member role, or seeing its channel). Nothing changed. If you'd like to join "
    "the group, ask its members how."
)
SWAP_NOT_MEMBERS = msg(
    "This swap can't go ahead: the rotation is for members of this group, and one of you isn't "
    "one now. Nothing changed; the turns stay as they were."
)
ROLE_NOT_GIVEN = msg(
    "I couldn't give you the rotation's role just now, so nothing changed. "
    "Please try again in a moment."
)
NOT_IN_ROTATION = msg("You're not in the rotation here, so there was nothing to remove.")
USE_IN_THE_SERVER = msg("Please use this in your group's channel on the server.")
USE_IN_THE_GROUP_SERVER = msg("Please use this in the group's server.")
OLD_BUTTON = msg("That button is from an older version; `/rotation show` has new ones.")


def unknown_role(role: str, names: list[str]) -> Msg:
    known = ", ".join(f"`{name}`" for name in names)
    return msg(
        "This group's rotation has no role called `{role}`. Its roles: {known}.",
        role=echo(role),
        known=known,
    )


def already_joined(title: str) -> Msg:
    return msg("You're already in the {role} rotation. Thank you for serving!", role=title)


def joined(title: str, min_days: int, days_in_server: int, first_meeting: bool) -> Msg:
    text = msg(
        "You're in the {role} rotation — thank you for offering to serve. When your turn comes "
        "I'll let you know with one ping. `/rotation show` shows the order; `/rotation leave` "
        "takes you out at any time.",
        role=title,
    )
    if days_in_server < min_days:
        return then(
            text,
            msg_n(
                "This group asks that a {role} has been in the server {n} day, so your first "
                "turn comes after that.",
                "This group asks that a {role} has been in the server {n} days, so your first "
                "turn comes after that.",
                min_days,
                role=title,
            ),
        )
    if first_meeting:
        return then(
            text, msg("Your first turn comes after your first day here, so you can settle in.")
        )
    return text


def elected_not_rotated(title: str) -> Msg:
    return msg(
        "The {role} is elected at a business meeting, so there's no rotation to join for it. "
        "You're welcome to put your name forward at the next election. Nothing changed.",
        role=title,
    )


def training(title: str, trained: bool | None, needed: bool) -> Msg | None:
    """What joining said about the group's training for the role (None when nothing)."""
    if trained:
        return msg("I've noted that you've done the group's training for the {role}.", role=title)
    if trained is False and needed:
        return msg(
            "I've noted that you haven't done the group's training for the {role} yet, so you "
            "won't be asked until you tell me you have.",
            role=title,
        )
    if trained is False:
        return msg(
            "I've noted that you haven't done the group's training for the {role} yet.",
            role=title,
        )
    if needed:
        return msg(
            "This group asks that a {role} has done its training. When you have, "
            "`/rotation join` with `trained: True` tells me, and your turns begin.",
            role=title,
        )
    return None


def left(titles: Sequence[str], vacated: bool) -> Msg:
    text = msg(
        "You've left the {roles} rotation, and I've deleted what I kept about your turns. "
        "You're welcome back any time with `/rotation join`.",
        roles=and_list(titles),
    )
    if vacated:
        return then(text, msg("I've asked the next person to take your turn."))
    return text


# --- who is up next -----------------------------------------------------------------------------


def asked_line(title: str, mention: str, continuing: bool) -> Msg:
    if continuing:
        return msg("• {role}: {mention} (carrying on with your term)", role=title, mention=mention)
    return msg("• {role}: {mention}", role=title, mention=mention)


def covering_line(title: str, mention: str, their_role: str) -> Msg:
    return msg(
        "• {role}: {mention}, our {their_role}, has kindly offered to stand in — thank you",
        role=title,
        mention=mention,
        their_role=their_role.lower(),
    )


def unelected_line(title: str, fallback: str, covering: str | None) -> Msg:
    """An elected role nobody holds (no election yet, a term ended, or they can't come)."""
    if fallback == "role" and covering is not None:
        return msg(
            "• {role}: nobody is elected to it just now, so the {covering} covers it",
            role=title,
            covering=covering.lower(),
        )
    if fallback == "role":
        return msg("• {role}: nobody is elected to it just now, so the chair covers it", role=title)
    if fallback == "skip":
        return msg(
            "• {role}: nobody is elected to it just now, so its part of the meeting is left out",
            role=title,
        )
    return msg(
        "• {role}: nobody is elected to it just now, so any member may take it on the day",
        role=title,
    )


def anyone_line(title: str) -> Msg:
    return msg(
        "• {role}: anyone — nobody on the rotation is free, so any member may take it", role=title
    )


def announcement(
    lines: Sequence[Msg], *, passed_on: bool, asking: bool, day: datetime | None = None
) -> list[Msg]:
    """``passed_on``: the turn went to someone else after it was first announced. ``day``: the
    next meeting's wall time in the group's time zone, when its schedule says (its day is
    named: "Tuesday 14 May")."""
    if day is None:
        heading = (
            msg("**Next time, from the rotation — the turn has passed on:**")
            if passed_on
            else msg("**Next time, from the rotation:**")
        )
    elif passed_on:
        heading = msg(
            "**Next time ({day}), from the rotation — the turn has passed on:**",
            day=day_and_month(day),
        )
    else:
        heading = msg("**Next time ({day}), from the rotation:**", day=day_and_month(day))
    text = [heading, *lines]
    if not asking:
        return [*text, msg("`/rotation join` if you'd like to volunteer.")]
    text.append(
        msg(
            "If that's you, please press **I'll do it** — or **Can't make it**, and I'll ask "
            "the next person. No problem at all: you keep your place."
        )
    )
    if day is not None:
        text.append(
            msg("**Remind me** sends you a private reminder the evening before and an hour before.")
        )
    return text


NOT_YOUR_TURN_OFFER = msg(
    "This turn isn't yours, or it has passed on. Thank you for offering! "
    "`/rotation join` adds you to the rotation."
)
NOT_YOUR_TURN = msg("This turn isn't yours, or it has already passed on. Nothing changed.")
CANT_MAKE_IT = msg(
    "No problem — thank you for letting us know. I've asked the next person, and you "
    "keep your place in the rotation."
)


def duties_words(duties: Sequence[tuple[str, str]]) -> list[Msg]:
    """ "What the chair does: …" for each role with duties (none when none has any)."""
    return [
        msg("What the {role} does: {duties}", role=title, duties=text)
        for title, text in duties
        if text
    ]


def will_serve(titles: list[str], duties: Sequence[tuple[str, str]] = ()) -> Msg | str:
    thanks = msg(
        "Thank you! You're the {roles} next time. When the time comes, start the meeting with "
        "`/meeting start` in the group's channel.",
        roles=and_list(titles),
    )
    return below(thanks, *duties_words(duties))


# --- swaps --------------------------------------------------------------------------------------

SWAP_WITH_SELF = msg("Please choose another volunteer to swap with.")
SWAP_GONE = msg("This swap request has expired or was already answered.")
SWAP_NOT_YOURS = msg("This swap request is for someone else.")
SWAP_ANSWERED = msg("This swap request was already answered.")
SWAP_DECLINED_DM = msg(
    "The volunteer you asked would rather not swap this time. Nothing changed in the rotation."
)
SWAP_DECLINED = msg("No problem — nothing changed. Thank you for answering.")


def not_a_volunteer(title: str) -> Msg:
    return msg("You're not in the {role} rotation. `/rotation join` adds you.", role=title)


def partner_not_a_volunteer(name: str, title: str) -> Msg:
    return msg(
        "{name} isn't in the {role} rotation, so there's nothing to swap. Only volunteers can "
        "trade places.",
        name=name,
        role=title,
    )


def swap_request(asker: str, place: Msg | str, title: str) -> Msg:
    return msg(
        "**{asker}** from {place} would like to swap places with you in the {role} rotation: "
        "you'd take their place in the order, and they'd take yours. Would you like to?",
        asker=asker,
        place=place,
        role=title,
    )


def swap_not_delivered(partner: str) -> Msg:
    return msg(
        "I couldn't send {partner} a private message. If they run `/rotation swap` with you, "
        "the swap happens.",
        partner=partner,
    )


def swap_asked(partner: str, title: str) -> Msg:
    return msg(
        "I've asked {partner} privately. If they agree, you'll swap places in the {role} "
        "rotation and I'll let you know.",
        partner=partner,
        role=title,
    )


def swap_done_dm(title: str) -> Msg:
    return msg(
        "Good news: your swap in the {role} rotation is done. `/rotation show` in the group's "
        "channel shows the new order.",
        role=title,
    )


def swap_done(title: str) -> Msg:
    return msg("Done — you've swapped places in the {role} rotation. Thank you!", role=title)


def swap_refusal(reason: core.RotationRefusal, title: str) -> Msg:
    if reason is core.RotationRefusal.NOT_ELIGIBLE:
        return msg(
            "The swap would give the next {role} turn to someone the group's format doesn't "
            "allow to take it yet, so nothing changed.",
            role=title,
        )
    if reason is core.RotationRefusal.NOT_A_VOLUNTEER:
        return msg(
            "Both of you need to be in the {role} rotation to swap. Nothing changed.", role=title
        )
    return msg("That swap can't be done. Nothing changed.")


# --- meetings -----------------------------------------------------------------------------------

TODAYS_CHAIR = msg("Today's chair")


def chair_on_the_way(name: Msg | str, deadline: str) -> Msg:
    return msg(
        "**{name}** is on the rotation to chair today — welcome, whenever you arrive. If "
        "they're not here {deadline}, anyone can press **Step in as chair** on the panel.",
        name=name,
        deadline=deadline,
    )


def partner_not_in_group(name: str) -> Msg:
    return msg(
        "{name} isn't a member of this group just now, so I can't ask them to swap. Nothing "
        "changed; you could ask another volunteer.",
        name=name,
    )


# --- service reminders (:mod:`.reminding`) ---------------------------------------------------

NO_SCHEDULE_TO_REMIND = msg(
    "This group has no meeting schedule yet, so I don't know when to remind you — no reminder "
    "is set. Your turn stands; a schedule can be set at `/group setup`."
)
THE_EVENING_BEFORE = msg("the evening before (18:00)")
AN_HOUR_BEFORE = msg("an hour before")


def will_remind(local: datetime, moments: list[str]) -> Msg:
    said = {"eve": THE_EVENING_BEFORE, "hour": AN_HOUR_BEFORE}
    parts = [said[m] for m in ("eve", "hour") if m in moments]
    if not parts:
        return msg(
            "The meeting is soon ({when}), too soon for a reminder — none is set. Thank you "
            "for serving!",
            when=day_and_time(local),
        )
    return msg(
        "I'll remind you privately {moments} — the meeting is {when}, the group's time. If your "
        "direct messages are closed, the reminder can't reach you.",
        moments=and_list(parts),
        when=day_and_time(local),
    )


def reminder(title: str, place: Msg | str, *, evening: bool, duties: str = "") -> Msg | str:
    if evening:
        text = msg(
            "A friendly reminder: you're the {role} at {place}'s meeting tomorrow. If you can't "
            "make it, press **Can't make it** and I'll ask the next person — you keep your "
            "place.",
            role=title,
            place=place,
        )
    else:
        text = msg(
            "A friendly reminder: you're the {role} at {place}'s meeting in about an hour. If "
            "you can't make it, press **Can't make it** and I'll ask the next person — you keep "
            "your place.",
            role=title,
            place=place,
        )
    return below(text, *duties_words([(title, duties)]))


def standing_in_today(title: str, absent: str | None, name: str, their_role: str) -> Msg:
    """``absent``: the first name of who was announced (None: the role's holder is gone)."""
    if absent is None:
        return msg(
            "Our {role} isn't here just now, so **{name}**, our {their_role}, has kindly stepped "
            "in as {role} today. Thank you!",
            role=title.lower(),
            name=name,
            their_role=their_role.lower(),
        )
    return msg(
        "**{absent}** isn't here just now, so **{name}**, our {their_role}, has kindly stepped in "
        "as {role} today. Thank you!",
        absent=absent,
        name=name,
        their_role=their_role.lower(),
        role=title.lower(),
    )
