"""The rotation's words: what members read in the channel, in private and in the roles' names.

Names shown here are display names read from Discord just now; none is ever stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core import rotation as core
from bot.runtime.markup import echo

#: The reason shown in the server's audit log: generic, never a name.
AUDIT_REASON = "service rotation"

NO_MANAGE_ROLES = (
    "To keep the rotation I need the **Manage Roles** permission on this server, and I don't have "
    "it. Someone who manages the server can add it to my role. Nothing changed."
)
ROLE_TOO_HIGH = (
    "The rotation's role is above my own role in the server's role list, so I can't give it "
    "out. Someone who manages the server can move my role above it. Nothing changed."
)
SERVER_UNREACHABLE = "I can't reach this server right now. Please try again in a moment."

# --- the Discord roles --------------------------------------------------------------------------


def where(channel_name: str | None, fallback: str) -> str:
    return f"#{channel_name}" if channel_name is not None else fallback


def volunteers_role_name(title: str, place: str) -> str:
    return f"{title} rotation · {place}"[:100]


def serving_role_name(title: str, place: str) -> str:
    return f"{title} today · {place}"[:100]


# --- joining, leaving, showing ------------------------------------------------------------------

NO_ROTATING_ROLES = (
    "This group's format has no service roles that rotate, so there's no rotation "
    "to join. Whoever starts a meeting chairs it."
)
GROUP_GONE = "This group no longer meets here."
ROTATION_GONE = "This rotation no longer exists."
NOT_IN_GROUP = (
    "The rotation is for members of this group, and Discord doesn't show you as one here "
    "(the group's member role, or seeing its channel). Nothing changed. If you'd like to join "
    "the group, ask its members how."
)
SWAP_NOT_MEMBERS = (
    "This swap can't go ahead: the rotation is for members of this group, and one of you isn't "
    "one now. Nothing changed; the turns stay as they were."
)
ROLE_NOT_GIVEN = (
    "I couldn't give you the rotation's role just now, so nothing changed. "
    "Please try again in a moment."
)
NOT_IN_ROTATION = "You're not in the rotation here, so there was nothing to remove."


def unknown_role(role: str, names: list[str]) -> str:
    known = ", ".join(f"`{name}`" for name in names)
    return f"This group's rotation has no role called `{echo(role)}`. Its roles: {known}."


def already_joined(title: str) -> str:
    return f"You're already in the {title} rotation. Thank you for serving!"


def joined(title: str, min_days: int, days_in_server: int, first_meeting: bool) -> str:
    text = (
        f"You're in the {title} rotation — thank you for offering to serve. When your turn "
        "comes I'll let you know with one ping. `/rotation show` shows the order; "
        "`/rotation leave` takes you out at any time."
    )
    if days_in_server < min_days:
        text += f" This group asks that a {title} has been in the server {min_days} days, "
        text += "so your first turn comes after that."
    elif first_meeting:
        text += " Your first turn comes after your first day here, so you can settle in."
    return text


def elected_not_rotated(title: str) -> str:
    return (
        f"The {title} is elected at a business meeting, so there's no rotation to join for it. "
        "You're welcome to put your name forward at the next election. Nothing changed."
    )


def training(title: str, trained: bool | None, needed: bool) -> str:
    """What joining said about the group's training for the role ("" when nothing)."""
    if trained:
        return f" I've noted that you've done the group's training for the {title}."
    if trained is False:
        return f" I've noted that you haven't done the group's training for the {title} yet" + (
            ", so you won't be asked until you tell me you have." if needed else "."
        )
    if needed:
        return (
            f" This group asks that a {title} has done its training. When you have, "
            f"`/rotation join` with `trained: True` tells me, and your turns begin."
        )
    return ""


def left(titles: str, vacated: bool) -> str:
    text = (
        f"You've left the {titles} rotation, and I've deleted what I kept about your turns. "
        "You're welcome back any time with `/rotation join`."
    )
    if vacated:
        text += " I've asked the next person to take your turn."
    return text


# --- who is up next -----------------------------------------------------------------------------


def asked_line(title: str, mention: str, continuing: bool) -> str:
    more = " (carrying on with your term)" if continuing else ""
    return f"• {title}: {mention}{more}"


def covering_line(title: str, mention: str, their_role: str) -> str:
    return (
        f"• {title}: {mention}, our {their_role.lower()}, has kindly offered to stand in — "
        "thank you"
    )


def unelected_line(title: str, fallback: str, covering: str | None) -> str:
    """An elected role nobody holds (no election yet, a term ended, or they can't come)."""
    then = {
        "role": f"the {(covering or 'chair').lower()} covers it",
        "skip": "its part of the meeting is left out",
    }.get(fallback, "any member may take it on the day")
    return f"• {title}: nobody is elected to it just now, so {then}"


def anyone_line(title: str) -> str:
    return f"• {title}: anyone — nobody on the rotation is free, so any member may take it"


def announcement(lines: list[str], *, passed_on: bool, asking: bool, day: str | None = None) -> str:
    """``passed_on``: the turn went to someone else after it was first announced. ``day``: the
    next meeting's day in the group's time zone, when its schedule says ("Tuesday 14 May")."""
    when = "Next time" if day is None else f"Next time ({day})"
    heading = (
        f"{when}, from the rotation — the turn has passed on:"
        if passed_on
        else f"{when}, from the rotation:"
    )
    text = f"**{heading}**\n" + "\n".join(lines)
    if asking:
        text += (
            "\nIf that's you, please press **I'll do it** — or **Can't make it**, and I'll ask "
            "the next person. No problem at all: you keep your place."
        )
        if day is not None:
            text += (
                "\n**Remind me** sends you a private reminder the evening before and an hour "
                "before."
            )
    else:
        text += "\n`/rotation join` if you'd like to volunteer."
    return text


NOT_YOUR_TURN_OFFER = (
    "This turn isn't yours, or it has passed on. Thank you for offering! "
    "`/rotation join` adds you to the rotation."
)
NOT_YOUR_TURN = "This turn isn't yours, or it has already passed on. Nothing changed."
CANT_MAKE_IT = (
    "No problem — thank you for letting us know. I've asked the next person, and you "
    "keep your place in the rotation."
)


def duties_words(duties: Sequence[tuple[str, str]]) -> str:
    """ " What the chair does: …" for each role with duties ("" when none has any)."""
    return "".join(f"\nWhat the {title} does: {text}" for title, text in duties if text)


def will_serve(titles: list[str], duties: Sequence[tuple[str, str]] = ()) -> str:
    return (
        f"Thank you! You're the {' and '.join(titles)} next time. When the time comes, start "
        "the meeting with `/meeting start` in the group's channel."
    ) + duties_words(duties)


# --- swaps --------------------------------------------------------------------------------------

SWAP_WITH_SELF = "Please choose another volunteer to swap with."
SWAP_GONE = "This swap request has expired or was already answered."
SWAP_NOT_YOURS = "This swap request is for someone else."
SWAP_ANSWERED = "This swap request was already answered."
SWAP_DECLINED_DM = (
    "The volunteer you asked would rather not swap this time. Nothing changed in the rotation."
)
SWAP_DECLINED = "No problem — nothing changed. Thank you for answering."


def not_a_volunteer(title: str) -> str:
    return f"You're not in the {title} rotation. `/rotation join` adds you."


def partner_not_a_volunteer(name: str, title: str) -> str:
    return (
        f"{name} isn't in the {title} rotation, so there's nothing to "
        "swap. Only volunteers can trade places."
    )


def swap_request(asker: str, place: str, title: str) -> str:
    return (
        f"**{asker}** from {place} would like to swap places with you in the "
        f"{title} rotation: you'd take their place in the order, and they'd take yours. "
        "Would you like to?"
    )


def swap_not_delivered(partner: str) -> str:
    return (
        f"I couldn't send {partner} a private message. If they run "
        "`/rotation swap` with you, the swap happens."
    )


def swap_asked(partner: str, title: str) -> str:
    return (
        f"I've asked {partner} privately. If they agree, you'll swap places in "
        f"the {title} rotation and I'll let you know."
    )


def swap_done_dm(title: str) -> str:
    return (
        f"Good news: your swap in the {title} rotation is done. `/rotation show` in the "
        "group's channel shows the new order."
    )


def swap_done(title: str) -> str:
    return f"Done — you've swapped places in the {title} rotation. Thank you!"


def swap_refusal(reason: core.RotationRefusal, title: str) -> str:
    if reason is core.RotationRefusal.NOT_ELIGIBLE:
        return (
            f"The swap would give the next {title} turn to someone the group's format doesn't "
            "allow to take it yet, so nothing changed."
        )
    if reason is core.RotationRefusal.NOT_A_VOLUNTEER:
        return f"Both of you need to be in the {title} rotation to swap. Nothing changed."
    return "That swap can't be done. Nothing changed."


# --- meetings -----------------------------------------------------------------------------------

TODAYS_CHAIR = "Today's chair"


def chair_on_the_way(name: str, deadline: str) -> str:
    return (
        f"**{name}** is on the rotation to chair today — welcome, whenever you arrive. "
        f"If they're not here {deadline}, anyone can press **Step in as chair** "
        "on the panel."
    )


def partner_not_in_group(name: str) -> str:
    return (
        f"{name} isn't a member of this group just now, so I can't ask them to swap. Nothing "
        "changed; you could ask another volunteer."
    )


# --- service reminders (:mod:`.reminding`) ---------------------------------------------------

NO_SCHEDULE_TO_REMIND = (
    "This group has no meeting schedule yet, so I don't know when to remind you — no reminder "
    "is set. Your turn stands; a schedule can be set at `/group setup`."
)


def will_remind(local: datetime, moments: list[str]) -> str:
    when = f"{local:%A} {local.day} {local:%B} at {local:%H:%M}"
    said = {"eve": "the evening before (18:00)", "hour": "an hour before"}
    parts = [said[m] for m in ("eve", "hour") if m in moments]
    if not parts:
        return (
            f"The meeting is soon ({when}), too soon for a reminder — none is set. "
            "Thank you for serving!"
        )
    return (
        f"I'll remind you privately {' and '.join(parts)} — the meeting is {when}, the group's "
        "time. If your direct messages are closed, the reminder can't reach you."
    )


def reminder(title: str, place: str, *, evening: bool, duties: str = "") -> str:
    soon = "tomorrow" if evening else "in about an hour"
    return (
        f"A friendly reminder: you're the {title} at {place}'s meeting {soon}. "
        "If you can't make it, press **Can't make it** and I'll ask the next person — you keep "
        "your place."
    ) + duties_words([(title, duties)])


def standing_in_today(title: str, absent: str, name: str, their_role: str) -> str:
    return (
        f"{absent} isn't here just now, so **{name}**, our {their_role.lower()}, has kindly "
        f"stepped in as {title.lower()} today. Thank you!"
    )
