"""The kind words for a meeting operation the core refused (nothing changed), for the service's
own refusals, and for a meeting paused because Discord refused to post in its channel. Each is a
:class:`~bot.i18n.Msg`, said in the reader's language where it is shown (docs/translating.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.core.meeting.effects import MeetingRefusal
from bot.errors import NotAllowed
from bot.i18n import SOURCE, Msg, msg, render

_R = MeetingRefusal
REFUSALS: Mapping[MeetingRefusal, Msg] = {
    _R.ENDED: msg("This meeting has ended. Thank you for being part of it."),
    _R.PAUSED: msg("The meeting is paused for a moment; this can wait until it goes on."),
    _R.NOT_PAUSED: msg("The meeting isn't paused."),
    _R.WRONG_FORMAT: msg("This meeting runs with an earlier format; changes apply next time."),
    _R.NOTHING_BEFORE: msg("This is the first part of the meeting: there's nothing before it."),
    _R.NO_QUESTION: msg("There's no question waiting for an answer right now."),
    _R.NO_CHOICE: msg("There's no reading to choose right now."),
    _R.BAD_OPTION: msg("That choice isn't one of the options."),
    _R.NO_READING: msg("That reading has already been taken. Thank you for offering!"),
    _R.ALREADY_READING: msg("You're already reading a part of this. Thank you!"),
    _R.NOT_SHARING_NOW: msg("We're not in a sharing part of the meeting just now."),
    _R.NOT_YOUR_TURN: msg("That's for the person sharing right now."),
    _R.NOT_WAITING: msg("You're not in line to share, so there's nothing to pass."),
    _R.PASS_NOT_ALLOWED: msg("This part of the meeting doesn't use passing."),
    _R.ONLY_NOT_YET_SHARED: msg(
        "This part is for those who haven't shared yet. Thank you for making room."
    ),
    _R.NOT_TAG_MODE: msg("In this part the sharer doesn't choose who goes next."),
    _R.SAME_PERSON: msg("Please choose someone else."),
    _R.NOBODY_SHARING: msg("Nobody is sharing right now."),
    _R.BAD_DURATION: msg("Please choose between a few seconds and an hour."),
    _R.CHAIR_ASKED: msg(
        "We've just asked the chair whether they're still with us. If there's no answer within "
        "a minute, the member who offered will chair. Thank you for looking out for the meeting."
    ),
    _R.NO_CHAIR_TO_ASK: msg("Nobody is chairing right now, so you can step in straight away."),
    _R.NOT_STOOD_IN_FOR: msg(
        "This button is for the chair who was away. If you'd like to chair, "
        "**Step in as chair** is on the meeting panel."
    ),
    _R.NO_LONGER_WAITING: msg(
        "Their hand went down a moment ago, so nothing changed. The panel shows who is waiting now."
    ),
    _R.NOT_AVAILABLE: msg(
        "They can't take the floor just now, so nothing changed. Please choose someone else "
        "from the list on the panel."
    ),
}
#: Any other refusal of the core.
CANT_NOW = msg("That can't be done right now.")

# --- the service's own refusals (bot/runtime/meetings/service.py) -----------------------------

NO_MEETING_HERE = msg("There's no meeting under way here right now. `/meeting start` begins one.")
UNDER_WAY = msg("A meeting is already under way here. `/meeting status` shows where it is.")
ALREADY_UNDER_WAY = msg("A meeting is already under way here.")
FOR_THE_CHAIR = msg("This question is for today's chair. Thank you for looking out for them.")
CHAIR_MOVES_IT = msg(
    "Only today's chair moves the meeting along. If the chair seems to be away, "
    "press **Step in as chair** on the meeting panel."
)
ALREADY_CHAIRING = msg("You're already chairing. Thank you for serving!")
CHAIR_WAS_HERE = msg(
    "The chair was here a moment ago. If they're still away in two minutes, you can step in."
)
JOB_NOT_OPEN = msg("That job isn't open right now.")
JOB_TAKEN = msg("Someone has already taken that on today. Thank you for offering!")

# --- the meeting paused: Discord refused to post in its channel --------------------------------


def _names(missing: Sequence[str]) -> Msg | str:
    """``**A** and **B**``, in the reader's language (Discord's names for its permissions)."""
    bold = [f"**{name}**" for name in missing]
    names: Msg | str = bold[0]
    for name in bold[1:]:
        names = msg("{first} and {then}", first=names, then=name)
    return names


def _need(missing: Sequence[str]) -> Msg:
    if not missing:
        return msg("Discord says I'm missing a permission there")
    return msg("I need {permissions} there", permissions=_names(missing))


def cannot_post_msg(
    missing: Sequence[str], *, for_chair: bool = False, told_chair: bool = False
) -> Msg:
    """Why the meeting is paused, for the room or a member (``for_chair``: for whoever chairs;
    ``told_chair``: the member who pressed hears that the chair was told privately)."""
    need = _need(missing)
    if for_chair:
        return msg(
            "I can't post in this channel any more: {need}. Someone who manages the server can "
            "fix this in the channel's settings (Edit Channel → Permissions) or in my role's "
            "(Server Settings → Roles). The meeting is paused and nothing is lost: once that's "
            "done, press **Resume** on the meeting panel and we'll pick up where we left off.",
            need=need,
        )
    if told_chair:
        return msg(
            "I can't post in this channel any more: {need}. Someone who manages the server can "
            "fix this in the channel's settings (Edit Channel → Permissions) or in my role's "
            "(Server Settings → Roles). The meeting is paused and nothing is lost: once that's "
            "done, the chair can press **Resume** on the meeting panel and we'll pick up where "
            "we left off. I've let the chair know privately.",
            need=need,
        )
    return msg(
        "I can't post in this channel any more: {need}. Someone who manages the server can fix "
        "this in the channel's settings (Edit Channel → Permissions) or in my role's (Server "
        "Settings → Roles). The meeting is paused and nothing is lost: once that's done, the "
        "chair can press **Resume** on the meeting panel and we'll pick up where we left off.",
        need=need,
    )


def cannot_post_words(
    missing: Sequence[str],
    *,
    for_chair: bool = False,
    told_chair: bool = False,
    locale: str = SOURCE,
) -> str:
    """:func:`cannot_post_msg` in ``locale`` (the channel's words: the group's language)."""
    return render(locale, cannot_post_msg(missing, for_chair=for_chair, told_chair=told_chair))


def chair_note_msg(missing: Sequence[str], channel_id: int) -> Msg:
    """The private word to today's chair when the bot can't post in their meeting's channel."""
    return msg(
        "A note about your meeting in <#{channel}>: I can't post in that channel any more: "
        "{need}. Someone who manages the server can fix this in the channel's settings (Edit "
        "Channel → Permissions) or in my role's (Server Settings → Roles). The meeting is paused "
        "and nothing is lost: once that's done, press **Resume** on the meeting panel and we'll "
        "pick up where we left off.",
        channel=channel_id,
        need=_need(missing),
    )


def chair_note(missing: Sequence[str], channel_id: int, locale: str = SOURCE) -> str:
    """:func:`chair_note_msg` in ``locale`` (a DM the bot sends on its own: the group's)."""
    return render(locale, chair_note_msg(missing, channel_id))


class CannotPost(NotAllowed):
    """Discord refused to post in the meeting's channel, so the meeting is paused.

    ``new``: this operation paused it (tell the chair); otherwise it was already paused."""

    def __init__(self, missing: Sequence[str], *, new: bool) -> None:
        super().__init__(cannot_post_msg(missing))
        self.missing = tuple(missing)
        self.new = new
