"""The presenter's words for the room's newer moments: the chair's tools, hands lowered when a
part ends, a round to join, and who invited whom. Plain, kind, and never a private declaration:
nothing here says who is new or who would rather listen."""

from __future__ import annotations

from bot.core.meeting import effects as fx

#: Said for the chair's Pause and for a member's "Pause and lock" alike (bot/ui/raid_lock.py).
PAUSED = "The meeting is paused — we'll pick up where we left off."
JOIN_THE_ROUND = (
    "We're going round — press **Join the round** on the panel if you'd like to take part. "
    "You're welcome to pass when your turn comes."
)


def room_words(effect: fx.ChannelEffect) -> str | None:
    """The words for one of the room's effects, or None if it has none."""
    match effect:
        case fx.ChairMoved(tool=fx.ChairTool.SKIPPED, title=title):
            return f"The chair has moved us on from **{title}**."
        case fx.ChairMoved(tool=fx.ChairTool.BACK):
            return "The chair has taken us back to the part before."
        case fx.HandsCleared(count=count):
            hands = "the hand that was still up" if count == 1 else "the hands that were still up"
            return (
                f"This part has ended, so I've lowered {hands} — thank you for waiting. "
                "When sharing opens again, you're welcome to raise yours."
            )
    return None


def free_words(waits_for: fx.FloorWaits) -> str:
    """Nobody has the floor: what the room may do."""
    if waits_for is fx.FloorWaits.HANDS:
        return "The floor is open — press **Raise hand** if you'd like to share."
    if waits_for is fx.FloorWaits.ROUND:
        return JOIN_THE_ROUND
    return "Chair, please invite the next person to share."


def given_words(how: fx.GivenBy, name: str) -> str:
    """``name``, the floor is yours — said as the floor was given."""
    if how is fx.GivenBy.PICKED:
        return f"{name}, the chair has invited you to share — the floor is yours."
    if how is fx.GivenBy.TAGGED:
        return f"{name}, you've been invited to share next — the floor is yours."
    return f"{name}, the floor is yours."


def is_newcomer_question(question_id: str, text: str) -> bool:
    """The chair's question about first-timers: its prompt gets an **It's my first time**."""
    words = f"{question_id} {text}".lower()
    return "newcomer" in words or "first time" in words
