"""The headings the bot gives sections, and how a reader hears one (issue 18: a light module,
so showing a meeting does not import the format schema): "From the secretary", a kind's usual
title, or the format's own title as written."""

from __future__ import annotations

from bot.i18n.message import Msg, msg

#: How a heading made by :func:`role_heading` begins in English (the title is kept in English,
#: and said in the group's language where it is shown: :func:`heading_said`).
ROLE_HEADING_START = "From the "


def role_heading(role: str) -> Msg:
    """The heading of a ``say`` by a role, as a whole message: "From the secretary"."""
    return msg("From the {role}", role=role)


def heading_said(title: str) -> Msg | str:
    """A section's title for a reader: a heading the bot made (a kind's usual title, or "From
    the secretary") as a message in the reader's language; the format's own title as written."""
    if title in DEFAULT_HEADINGS:
        return msg(title)
    if title.startswith(ROLE_HEADING_START) and title != "From the chair":
        return role_heading(title.removeprefix(ROLE_HEADING_START))
    return title


#: The headings sections have when their format gives them none (every kind's usual title).
DEFAULT_HEADINGS = frozenset(
    {
        "Announcements",
        "A question for the chair",
        "Small groups",
        "Business meeting",
        "Milestones",
        "A moment of silence",
        "Meditation",
        "Break",
        "Reading",
        "Our speaker",
        "From the chair",
        "From a member",
        "Together",
        "Collection",
        "Closing",
        "Choosing a topic",
        "Introductions",
        "Check-in",
        "Check-out",
        "Sharing",
    }
)
