"""The presenter's words for the room's newer moments: the chair's tools, hands lowered when a
part ends, a round to join, and who invited whom. Plain, kind, and never a private declaration:
nothing here says who is new or who would rather listen.

Each is said in the group's language (``locale``; English until the meeting's presenter hands
its group's language in)."""

from __future__ import annotations

from bot.core.meeting import effects as fx
from bot.i18n import t, tn


def paused(locale: str = "en") -> str:
    """Said for the chair's Pause and for a member's "Pause and lock" alike
    (bot/ui/raid_lock.py)."""
    return t(locale, "The meeting is paused — we'll pick up where we left off.")


PAUSED = paused()  # in English, for the presenter until it passes the group's language


def join_the_round(locale: str = "en") -> str:
    return t(
        locale,
        "We're going round — press **Join the round** on the panel if you'd like to take part. "
        "You're welcome to pass when your turn comes.",
    )


def room_words(effect: fx.ChannelEffect, locale: str = "en") -> str | None:
    """The words for one of the room's effects, or None if it has none."""
    match effect:
        case fx.ChairMoved(tool=fx.ChairTool.SKIPPED, title=title):
            return t(locale, "The chair has moved us on from **{title}**.", title=title)
        case fx.ChairMoved(tool=fx.ChairTool.BACK):
            return t(locale, "The chair has taken us back to the part before.")
        case fx.HandsCleared(count=count):
            return tn(
                locale,
                "This part has ended, so I've lowered the hand that was still up — thank you for "
                "waiting. When sharing opens again, you're welcome to raise yours.",
                "This part has ended, so I've lowered the hands that were still up — thank you "
                "for waiting. When sharing opens again, you're welcome to raise yours.",
                count,
            )
    return None


def free_words(waits_for: fx.FloorWaits, locale: str = "en") -> str:
    """Nobody has the floor: what the room may do."""
    if waits_for is fx.FloorWaits.HANDS:
        return t(locale, "The floor is open — press **Raise hand** if you'd like to share.")
    if waits_for is fx.FloorWaits.ROUND:
        return join_the_round(locale)
    return t(locale, "Chair, please invite the next person to share.")


def given_words(how: fx.GivenBy, name: str, locale: str = "en") -> str:
    """``name``, the floor is yours — said as the floor was given."""
    if how is fx.GivenBy.PICKED:
        return t(
            locale, "{name}, the chair has invited you to share — the floor is yours.", name=name
        )
    if how is fx.GivenBy.TAGGED:
        return t(
            locale, "{name}, you've been invited to share next — the floor is yours.", name=name
        )
    return t(locale, "{name}, the floor is yours.", name=name)


def is_newcomer_question(question_id: str, text: str) -> bool:
    """The chair's question about first-timers: its prompt gets an **It's my first time**."""
    words = f"{question_id} {text}".lower()
    return "newcomer" in words or "first time" in words
