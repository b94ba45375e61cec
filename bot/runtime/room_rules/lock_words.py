"""The words of a raid lock: in the channel (it's locked, a show of hands, it lifted) and to the
member who pressed, privately. Times are Discord timestamps (each member sees their own time)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.runtime.room_rules.raid import LOCK_MINUTES, NEWCOMER_MINUTES
from bot.runtime.room_rules.words import needed

NOT_A_MEMBER = (
    "Only the members of this group can lock or unlock its channel, so nothing has changed. "
    "If you'd like to join, ask the group how."
)
NOT_LOCKED = "This channel isn't locked, so there's nothing to lift. Nothing changed."
NEVER = (
    "This group's format says its channel is never locked, so I haven't locked it or paused the "
    "meeting. The chair can pause the meeting, and someone who manages the server can help."
)
HANDS_CLOSED = "That show of hands has closed, so nothing changed."
STILL_PAUSED = (
    " The meeting is still paused: the chair's **Resume** on the panel carries on when the group "
    "is ready."
)
LIFT_BUTTON = ("lift", "Lift the lock")


def when(real_time: float) -> str:
    return f"<t:{int(real_time)}:R> (<t:{int(real_time)}:t>)"


def who_may_post(has_role: bool) -> str:
    if has_role:
        return "only the group's members can post here"
    return (
        f"accounts that joined the server in the last {NEWCOMER_MINUTES} minutes can't post here "
        "(this group has no member role, so that's how I tell newcomers apart)"
    )


def locked(until: float, has_role: bool, meeting: bool, missing: Sequence[str]) -> str:
    """In the channel, with the **Lift the lock** button."""
    slow = "" if "manage_channels" in missing else ", and slow mode is on"
    paused = " The meeting is paused." if meeting else ""
    return (
        f"🔒 **This channel is locked for now.** A member asked for a pause: "
        f"{who_may_post(has_role)}{slow}.{paused} The lock lifts itself {when(until)}. The "
        "chair can lift it sooner, or anyone in the group can ask for a quick show of hands with "
        "**Lift the lock**."
    )


def done(until: float, meeting: bool, missing: Sequence[str]) -> str:
    """To the member who pressed: the lock is on (part of it, when a permission is missing)."""
    paused = " and the meeting is paused" if meeting else ""
    text = (
        f"Done — the channel is locked{paused}. It lifts itself in {LOCK_MINUTES} minutes; the "
        "chair can lift it sooner. Thank you for looking after the group."
    )
    if missing:
        text += (
            f" One thing I couldn't do: I need {needed(missing)} in this channel to "
            f"{'turn slow mode on' if 'manage_channels' in missing else 'close it to others'}."
        )
    return text


def cannot(meeting: bool, missing: Sequence[str]) -> str:
    """To the member who pressed: the bot can't lock the channel at all."""
    paused = "I've paused the meeting, but " if meeting else ""
    start = "I" if meeting else "Sorry — I"
    return (
        f"{paused}{start} can't lock this channel: I need {needed(missing)} in it. Someone who "
        "manages the server can give me that (Edit Channel → Permissions). Nothing else changed."
    )


def already(until: float) -> str:
    return (
        f"The channel is already locked. It lifts itself {when(until)}; the chair can lift it "
        "sooner, or anyone in the group can ask for a quick show of hands with `/unlock` (or "
        "**Lift the lock**)."
    )


def lifted(how: str, settled: bool, paused: bool) -> str:
    """In the channel: the lock lifted (``how``: by whom, and why)."""
    text = f"🔓 {how}"
    if settled:
        text += " The channel is back to how it was before the lock."
    return text + (STILL_PAUSED if paused else "")


BY_CHAIR = "The chair lifted the lock."
BY_ITSELF = f"The lock lifted itself after {LOCK_MINUTES} minutes."


def by_the_group(lift: int, keep: int) -> str:
    return f"The group chose to lift the lock ({lift} to {keep})."


def kept(lift: int, keep: int, until: float) -> str:
    return (
        f"The group chose to keep the lock for now ({keep} to keep, {lift} to lift). It lifts "
        f"itself {when(until)}; the chair can lift it sooner."
    )


HANDS = (
    "✋ **Should the channel open again?** Someone in the group asked. Members, press **Lift it** "
    "or **Keep it** within two minutes: the lock lifts if most of those who answer say so. I only "
    "count — nobody's answer is kept."
)


def asked(ends: float) -> str:
    return (
        f"I've asked the group: a show of hands is open until {when(ends)}, and I've counted you "
        "as **Lift it**. You can change your mind on it until then."
    )


def hands_open(ends: float) -> str:
    return (
        f"A show of hands is already open — press **Lift it** or **Keep it** on it. It closes "
        f"{when(ends)}."
    )


def counted(lift: bool) -> str:
    choice = "Lift it" if lift else "Keep it"
    return f"Counted: **{choice}**. You can change your mind until the show of hands closes."


LIFTED_NOW = "Done — the lock is lifted. Thank you, chair."
