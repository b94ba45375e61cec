"""What a member hears privately after pressing a meeting's button or using ``/meeting``,
``/hand``, ``/pass``, ``/done`` (:class:`bot.ui.meeting.MeetingActions`): the thank-yous and the
kind refusals, as :class:`~bot.i18n.Msg` values said in the member's own language
(``private_locale``)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.guild import NOT_A_MEMBER
from bot.i18n import Msg, msg
from bot.runtime.meetings import SteppedIn

NOT_THIS_MEETING = msg(
    "This button belongs to a meeting in another channel, so it does nothing here. Nothing changed."
)
ENDED = msg("This meeting has ended. Thank you for being part of it.")
NO_QUESTION = msg("There's no question waiting for an answer right now.")
OLDER_BUTTON = msg("That button is from an older version; please use the panel.")
CHAIRING_NOW = msg("You're chairing now. Thank you for serving!")
DONE = msg("Done.")

CONFIRMATIONS: Mapping[str, Msg] = {
    "hand": msg("Your hand is up. I'll let you know when it's your turn."),
    "lower": msg("Your hand is down. You're welcome to raise it again any time."),
    "pass": msg("That's fine — thank you. Passing is always OK."),
    "done": msg("Thank you for sharing."),
    "next": msg("Moving on."),
    "back": msg("Going back one part."),
    "read": msg("Thank you for reading! The text is posted for you to read aloud."),
    "chairread": msg("Thank you, chair — the text is posted."),
    "yes": msg("Thank you — noted."),
    "no": msg("Thank you — noted."),
    "choose": msg("Thank you — the text is posted."),
    "role": msg("Thank you for taking this on today!"),
    "end": msg("The meeting is closed. Thank you for serving."),
    "here": msg("Thank you — it's good to have you. You're still chairing."),
    "imback": msg("Welcome back — you're chairing again. Thank you!"),
    "resume": msg("Thank you — we're going on from where we left off."),
}
STEPPED_IN: Mapping[SteppedIn, Msg] = {
    SteppedIn.CHAIRING: msg("Thank you for stepping in as chair today."),
    SteppedIn.ASKED: msg(
        "Thank you for stepping in. I've asked the chair whether they're still with us; if "
        "there's no answer within a minute, the chair is yours."
    ),
    SteppedIn.BACK: CONFIRMATIONS["imback"],
}
#: What a non-member hears, by action (otherwise :data:`bot.guild.NOT_A_MEMBER`).
NOT_MEMBER_WORDS: Mapping[str, Msg] = {
    "start": msg(
        "Meetings here are started by the members of this group, so nothing has started. "
        "If you'd like to join the group, ask it how."
    ),
    "stepin": msg(
        "Only the members of this group can chair its meeting, so nothing has changed. "
        "If you'd like to join, ask the group how."
    ),
}


def not_a_member(action: str) -> Msg | str:
    """The kind refusal to someone outside the group who tried ``action``."""
    return NOT_MEMBER_WORDS.get(action, NOT_A_MEMBER)


# --- /meeting start -----------------------------------------------------------------------------

START_HERE = msg("Please start the meeting in the group's channel.")


def started(name: str, until: str | None, *, chairing: bool) -> tuple[Msg, Msg]:
    """The answer to ``/meeting start``, two whole sentences: the meeting (or its countdown,
    ending ``until``, in Discord's markup) has begun; and who chairs."""
    if until is not None:
        begun = msg(
            "The countdown to **{name}** has begun: we'll begin {when}.", name=name, when=until
        )
    else:
        begun = msg("The meeting has started with **{name}**.", name=name)
    if not chairing:  # the rotation named today's chair
        return begun, msg(
            "Today's chair is on the rotation; the panel shows who, and how to step in if they "
            "can't be here."
        )
    if until is not None:
        return begun, msg(
            "Thank you for chairing today — Press **Start now** on the countdown if everyone's "
            "ready sooner; the panel's **Next** button moves the meeting along."
        )
    return begun, msg(
        "Thank you for chairing today — the panel's **Next** button moves the meeting along."
    )
