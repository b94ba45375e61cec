"""The words the channel rules say: to the chair, once, when a rule can't be applied; to the
group when the channel can't be put back yet, and when it is."""

from __future__ import annotations

from collections.abc import Sequence

#: Discord's names for the permissions, as its settings screens show them in a channel.
LABELS = {
    "manage_roles": "Manage Permissions",
    "manage_channels": "Manage Channel",
    "stream": "Video",
}

WHAT = {
    "manage_roles": "keep the channel quiet for the person sharing",
    "manage_channels": "set the slow mode",
    "stream": "keep cameras and screen sharing off for the room",
}


def needed(missing: Sequence[str]) -> str:
    return " and ".join(f"**{LABELS.get(name, name)}**" for name in missing)


def cannot_apply(missing: Sequence[str]) -> str:
    """To the chair: a rule the format asks for can't be applied (said once per meeting)."""
    doing = " or ".join(WHAT.get(name, "apply the channel rules") for name in missing)
    return (
        f"A note for the chair: the meeting's format asks me to {doing}, but I need the "
        f"{needed(missing)} permission in the meeting's channel to do that. Someone who manages "
        "the server can give it to me (Edit Channel → Permissions). The meeting goes on as "
        "usual — nothing else changes."
    )


NEEDS_MEMBER_ROLE = (
    "A note for the chair: the meeting's format closes the channel to newcomers while the "
    "meeting runs, but this group has no member role, so I can't tell members from newcomers. "
    "The channel stays open as usual. (Someone who manages the server can give the group a "
    "member role with `/group setup`.)"
)


def cannot_restore(missing: Sequence[str]) -> str:
    """To the group: the channel could not be put back as it was yet."""
    if not missing:
        return (
            "I couldn't put this channel back the way it was before the meeting just now: "
            "Discord didn't let me. I'll keep trying on my own, and say so here when it's done."
        )
    return (
        "I couldn't put this channel back the way it was before the meeting yet: Discord didn't "
        f"let me (I need {needed(missing)} here). I'll keep trying on my own. Someone who manages "
        "the server can give me that permission, and then everything goes back as it was."
    )


RESTORED = "This channel is back the way it was before the meeting. Thank you for your patience."


def cannot_lock(missing: Sequence[str]) -> str:
    """To the group: Discord refused a raid lock's change to the channel."""
    need = f" (I need {needed(missing)} here)" if missing else ""
    return (
        "I couldn't close this channel to people outside the group just now: Discord didn't let "
        f"me{need}. The meeting stays paused. Someone who manages the server can give me that "
        "permission (Edit Channel → Permissions)."
    )
