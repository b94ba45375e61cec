"""The words the channel rules say: to the chair, once, when a rule can't be applied; to the
group when the channel can't be put back yet, and when it is. Messages (:class:`Msg`), made into
words in the group's language by the adapter (bot/adapters/room_rules.py)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import Msg, msg

#: Discord's names for the permissions, as its settings screens show them in a channel.
LABELS = {
    "manage_roles": msg("Manage Permissions"),
    "manage_channels": msg("Manage Channel"),
    "stream": msg("Video"),
}

WHAT = {
    "manage_roles": msg("keep the channel quiet for the person sharing"),
    "manage_channels": msg("set the slow mode"),
    "stream": msg("keep cameras and screen sharing off for the room"),
}


def _label(name: str) -> Msg | str:
    return LABELS.get(name, name)


def needed(missing: Sequence[str]) -> Msg:
    """The permissions, in bold: "**A**", "**A** and **B**", "**A**, **B** and **C**"."""
    names = [_label(name) for name in missing] or [msg("the right permissions")]
    if len(names) == 1:
        return msg("**{permission}**", permission=names[0])
    if len(names) == 2:
        return msg("**{first}** and **{second}**", first=names[0], second=names[1])
    return msg(
        "**{first}**, **{second}** and **{third}**",
        first=names[0],
        second=names[1],
        third=names[2],
    )


def _doing(missing: Sequence[str]) -> Msg:
    things = [WHAT.get(name, msg("apply the channel rules")) for name in missing]
    if len(things) == 1:
        return things[0]
    return msg("{first} or {second}", first=things[0], second=things[1])


def cannot_apply(missing: Sequence[str]) -> Msg:
    """To the chair: a rule the format asks for can't be applied (said once per meeting)."""
    return msg(
        "A note for the chair: the meeting's format asks me to {doing}, but I need the "
        "{permissions} permission in the meeting's channel to do that. Someone who manages the "
        "server can give it to me (Edit Channel → Permissions). The meeting goes on as usual — "
        "nothing else changes.",
        doing=_doing(missing),
        permissions=needed(missing),
    )


NEEDS_MEMBER_ROLE = msg(
    "A note for the chair: the meeting's format closes the channel to newcomers while the "
    "meeting runs, but this group has no member role, so I can't tell members from newcomers. "
    "The channel stays open as usual. (Someone who manages the server can give the group a "
    "member role with `/group setup`.)"
)


def cannot_restore(missing: Sequence[str]) -> Msg:
    """To the group: the channel could not be put back as it was yet."""
    if not missing:
        return msg(
            "I couldn't put this channel back the way it was before the meeting just now: "
            "Discord didn't let me. I'll keep trying on my own, and say so here when it's done."
        )
    return msg(
        "I couldn't put this channel back the way it was before the meeting yet: Discord didn't "
        "let me (I need {permissions} here). I'll keep trying on my own. Someone who manages the "
        "server can give me that permission, and then everything goes back as it was.",
        permissions=needed(missing),
    )


RESTORED = msg(
    "This channel is back the way it was before the meeting. Thank you for your patience."
)


def cannot_lock(missing: Sequence[str]) -> Msg:
    """To the group: Discord refused a raid lock's change to the channel."""
    if not missing:
        return msg(
            "I couldn't close this channel to people outside the group just now: Discord didn't "
            "let me. The meeting stays paused. Someone who manages the server can give me that "
            "permission (Edit Channel → Permissions)."
        )
    return msg(
        "I couldn't close this channel to people outside the group just now: Discord didn't let "
        "me (I need {permissions} here). The meeting stays paused. Someone who manages the server "
        "can give me that permission (Edit Channel → Permissions).",
        permissions=needed(missing),
    )
