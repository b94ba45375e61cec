"""The words of a raid lock: in the channel (it's locked, a show of hands, it lifted) and to the
member who pressed, privately. Messages (:class:`Msg`): the channel's in the group's language
(the adapter), the private ones in the member's (bot/ui/raid_lock.py). Times are Discord
timestamps (each member sees their own time, in their own language)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import Msg, msg
from bot.runtime.room_rules.raid import LOCK_MINUTES, NEWCOMER_MINUTES
from bot.runtime.room_rules.words import needed

NOT_A_MEMBER = msg(
    "Only the members of this group can lock or unlock its channel, so nothing has changed. "
    "If you'd like to join, ask the group how."
)
NOT_LOCKED = msg("This channel isn't locked, so there's nothing to lift. Nothing changed.")
NEVER = msg(
    "This group's format says its channel is never locked, so I haven't locked it or paused the "
    "meeting. The chair can pause the meeting, and someone who manages the server can help."
)
HANDS_CLOSED = msg("That show of hands has closed, so nothing changed.")
LIFT_BUTTON = ("lift", msg("Lift the lock"))
LIFT_IT = msg("Lift it")
KEEP_IT = msg("Keep it")


def when(real_time: float) -> str:
    """Discord's markup for a moment: "in 10 minutes (9:40)", in each reader's language."""
    return f"<t:{int(real_time)}:R> (<t:{int(real_time)}:t>)"


def locked(until: float, has_role: bool, meeting: bool, missing: Sequence[str]) -> Msg:
    """In the channel, with the **Lift the lock** button."""
    slow = "manage_channels" not in missing
    if has_role:
        who = msg("only the group's members can post here")
    else:
        who = msg(
            "accounts that joined the server in the last {minutes} minutes can't post here "
            "(this group has no member role, so that's how I tell newcomers apart)",
            minutes=NEWCOMER_MINUTES,
        )
    if slow and meeting:
        return msg(
            "🔒 **This channel is locked for now.** A member asked for a pause: {who}, and slow "
            "mode is on. The meeting is paused. The lock lifts itself {when}. The chair can lift "
            "it sooner, or anyone in the group can ask for a quick show of hands with **Lift the "
            "lock**.",
            who=who,
            when=when(until),
        )
    if slow:
        return msg(
            "🔒 **This channel is locked for now.** A member asked for a pause: {who}, and slow "
            "mode is on. The lock lifts itself {when}. The chair can lift it sooner, or anyone in "
            "the group can ask for a quick show of hands with **Lift the lock**.",
            who=who,
            when=when(until),
        )
    if meeting:
        return msg(
            "🔒 **This channel is locked for now.** A member asked for a pause: {who}. The "
            "meeting is paused. The lock lifts itself {when}. The chair can lift it sooner, or "
            "anyone in the group can ask for a quick show of hands with **Lift the lock**.",
            who=who,
            when=when(until),
        )
    return msg(
        "🔒 **This channel is locked for now.** A member asked for a pause: {who}. The lock "
        "lifts itself {when}. The chair can lift it sooner, or anyone in the group can ask "
        "for a quick show of hands with **Lift the lock**.",
        who=who,
        when=when(until),
    )


def done(until: float, meeting: bool, missing: Sequence[str]) -> Msg:
    """To the member who pressed: the lock is on (part of it, when a permission is missing)."""
    if meeting:
        text = msg(
            "Done — the channel is locked and the meeting is paused. It lifts itself in "
            "{minutes} minutes; the chair can lift it sooner. Thank you for looking after the "
            "group.",
            minutes=LOCK_MINUTES,
        )
    else:
        text = msg(
            "Done — the channel is locked. It lifts itself in {minutes} minutes; the chair can "
            "lift it sooner. Thank you for looking after the group.",
            minutes=LOCK_MINUTES,
        )
    if not missing:
        return text
    if "manage_channels" in missing:
        more = msg(
            "One thing I couldn't do: I need {permissions} in this channel to turn slow mode on.",
            permissions=needed(missing),
        )
    else:
        more = msg(
            "One thing I couldn't do: I need {permissions} in this channel to close it to others.",
            permissions=needed(missing),
        )
    return msg("{done} {more}", done=text, more=more)


def cannot(meeting: bool, missing: Sequence[str]) -> Msg:
    """To the member who pressed: the bot can't lock the channel at all."""
    if meeting:
        return msg(
            "I've paused the meeting, but I can't lock this channel: I need {permissions} in it. "
            "Someone who manages the server can give me that (Edit Channel → Permissions). "
            "Nothing else changed.",
            permissions=needed(missing),
        )
    return msg(
        "Sorry — I can't lock this channel: I need {permissions} in it. Someone who manages the "
        "server can give me that (Edit Channel → Permissions). Nothing else changed.",
        permissions=needed(missing),
    )


def already(until: float) -> Msg:
    return msg(
        "The channel is already locked. It lifts itself {when}; the chair can lift it sooner, or "
        "anyone in the group can ask for a quick show of hands with `/unlock` (or **Lift the "
        "lock**).",
        when=when(until),
    )


def lifted(how: Msg, settled: bool, paused: bool) -> Msg:
    """In the channel: the lock lifted (``how``: by whom, and why)."""
    parts: list[Msg] = [how]
    if settled:
        parts.append(msg("The channel is back to how it was before the lock."))
    if paused:
        parts.append(
            msg(
                "The meeting is still paused: the chair's **Resume** on the panel carries on "
                "when the group is ready."
            )
        )
    if len(parts) == 1:
        return msg("🔓 {how}", how=how)
    if len(parts) == 2:
        return msg("🔓 {how} {then}", how=how, then=parts[1])
    return msg("🔓 {how} {then} {after}", how=how, then=parts[1], after=parts[2])


BY_CHAIR = msg("The chair lifted the lock.")
BY_ITSELF = msg("The lock lifted itself after {minutes} minutes.", minutes=LOCK_MINUTES)


def by_the_group(lift: int, keep: int) -> Msg:
    return msg("The group chose to lift the lock ({lift} to {keep}).", lift=lift, keep=keep)


def kept(lift: int, keep: int, until: float) -> Msg:
    return msg(
        "The group chose to keep the lock for now ({keep} to keep, {lift} to lift). It lifts "
        "itself {when}; the chair can lift it sooner.",
        keep=keep,
        lift=lift,
        when=when(until),
    )


HANDS = msg(
    "✋ **Should the channel open again?** Someone in the group asked. Members, press **Lift it** "
    "or **Keep it** within two minutes: the lock lifts if most of those who answer say so. I only "
    "count — nobody's answer is kept."
)


def asked(ends: float) -> Msg:
    return msg(
        "I've asked the group: a show of hands is open until {when}, and I've counted you as "
        "**Lift it**. You can change your mind on it until then.",
        when=when(ends),
    )


def hands_open(ends: float) -> Msg:
    return msg(
        "A show of hands is already open — press **Lift it** or **Keep it** on it. It closes "
        "{when}.",
        when=when(ends),
    )


def counted(lift: bool) -> Msg:
    if lift:
        return msg("Counted: **Lift it**. You can change your mind until the show of hands closes.")
    return msg("Counted: **Keep it**. You can change your mind until the show of hands closes.")


LIFTED_NOW = msg("Done — the lock is lifted. Thank you, chair.")
