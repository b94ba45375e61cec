"""The kind words for a meeting operation the core refused (nothing changed), and for a meeting
paused because Discord refused to post in its channel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.core.meeting.effects import MeetingRefusal
from bot.errors import NotAllowed

_R = MeetingRefusal
REFUSALS: Mapping[MeetingRefusal, str] = {
    _R.ENDED: "This meeting has ended. Thank you for being part of it.",
    _R.PAUSED: "The meeting is paused for a moment; this can wait until it goes on.",
    _R.NOT_PAUSED: "The meeting isn't paused.",
    _R.WRONG_FORMAT: "This meeting runs with an earlier format; changes apply next time.",
    _R.NOTHING_BEFORE: "This is the first part of the meeting: there's nothing before it.",
    _R.NO_QUESTION: "There's no question waiting for an answer right now.",
    _R.NO_CHOICE: "There's no reading to choose right now.",
    _R.BAD_OPTION: "That choice isn't one of the options.",
    _R.NO_READING: "That reading has already been taken. Thank you for offering!",
    _R.ALREADY_READING: "You're already reading a part of this. Thank you!",
    _R.NOT_SHARING_NOW: "We're not in a sharing part of the meeting just now.",
    _R.NOT_YOUR_TURN: "That's for the person sharing right now.",
    _R.NOT_WAITING: "You're not in line to share, so there's nothing to pass.",
    _R.PASS_NOT_ALLOWED: "This part of the meeting doesn't use passing.",
    _R.ONLY_NOT_YET_SHARED: (
        "This part is for those who haven't shared yet. Thank you for making room."
    ),
    _R.NOT_TAG_MODE: "In this part the sharer doesn't choose who goes next.",
    _R.SAME_PERSON: "Please choose someone else.",
    _R.NOBODY_SHARING: "Nobody is sharing right now.",
    _R.BAD_DURATION: "Please choose between a few seconds and an hour.",
    _R.CHAIR_ASKED: (
        "We've just asked the chair whether they're still with us. If there's no answer within "
        "a minute, the member who offered will chair. Thank you for looking out for the meeting."
    ),
    _R.NO_CHAIR_TO_ASK: "Nobody is chairing right now, so you can step in straight away.",
    _R.NOT_STOOD_IN_FOR: (
        "This button is for the chair who was away. If you'd like to chair, "
        "**Step in as chair** is on the meeting panel."
    ),
    _R.NO_LONGER_WAITING: (
        "Their hand went down a moment ago, so nothing changed. The panel shows who is waiting now."
    ),
    _R.NOT_AVAILABLE: (
        "They can't take the floor just now, so nothing changed. Please choose someone else "
        "from the list on the panel."
    ),
}

FIX_PERMISSIONS = (
    "Someone who manages the server can fix this in the channel's settings (Edit Channel → "
    "Permissions) or in my role's (Server Settings → Roles)."
)


def _need(missing: Sequence[str]) -> str:
    if not missing:
        return "Discord says I'm missing a permission there"
    return "I need " + " and ".join(f"**{name}**" for name in missing) + " there"


def cannot_post_words(
    missing: Sequence[str], *, for_chair: bool = False, told_chair: bool = False
) -> str:
    """Why the meeting is paused, for the room or a member (``for_chair``: for whoever chairs;
    ``told_chair``: the chair was told privately)."""
    who = "press" if for_chair else "the chair can press"
    words = (
        f"I can't post in this channel any more: {_need(missing)}. {FIX_PERMISSIONS} "
        f"The meeting is paused and nothing is lost: once that's done, {who} **Resume** on the "
        "meeting panel and we'll pick up where we left off."
    )
    return words + (" I've let the chair know privately." if told_chair else "")


def chair_note(missing: Sequence[str], channel_id: int) -> str:
    """The private word to today's chair when the bot can't post in their meeting's channel."""
    return (
        f"A note about your meeting in <#{channel_id}>: I can't post in that channel any more: "
        f"{_need(missing)}. {FIX_PERMISSIONS} The meeting is paused and nothing is lost: once "
        "that's done, press **Resume** on the meeting panel and we'll pick up where we left off."
    )


class CannotPost(NotAllowed):
    """Discord refused to post in the meeting's channel, so the meeting is paused.

    ``new``: this operation paused it (tell the chair); otherwise it was already paused."""

    def __init__(self, missing: Sequence[str], *, new: bool) -> None:
        super().__init__(cannot_post_words(missing))
        self.missing = tuple(missing)
        self.new = new
