"""The words for reaching the member a decision is about, and for telling the group the truth
when Discord won't let the bot do what the decision needs (messages, rendered in the group's
language where they are posted).

The rule these keep: the bot never says something happened that didn't. "They have been told
privately" only once a private message arrived; when it couldn't, the member is asked in the
channel to open the note privately (a button only they can use), and the group is told so.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.decisions.hearing import NOTICE_WAIT, NoticeState
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.i18n import Msg, msg, msg_n

WAITED_HOURS = int(NOTICE_WAIT.total_seconds() // 3600)

READ_MY_NOTE = msg("Read my note")
NOTICE_NOT_YOURS = msg(
    "This note is for the member it's addressed to, so only they can open it. Nothing changed."
)


def _when(at: datetime) -> str:
    return f"<t:{int(at.timestamp())}:f>"


@lazy_dataclass(frozen=True)
class Place:
    """Where a private note comes from: the group's channel and server, by their names."""

    channel: str | None
    server: str | None


def place_words(place: Place) -> Msg:
    """Where a private note comes from, as the notes say it."""
    if not place.channel or not place.server:
        return msg("your peer group")
    return msg(
        "the group that meets in #{channel} on {server}",
        channel=place.channel,
        server=place.server,
    )


def ask_to_read(mention: str) -> Msg:
    """Posted in the channel, pinging only the member, when a private message was refused."""
    return msg(
        "{mention}, there's a private note for you from the group. I couldn't send it as a "
        "private message, so I've left it here: press **{button}** and only you will see "
        "it. Nothing is decided before you've had the chance to read it.",
        mention=mention,
        button=READ_MY_NOTE,
    )


def seconded_step(state: NoticeState, opens: datetime, latest: datetime) -> Msg:
    """What the seconded proposal says about the member and when voting opens — true to how far
    the notice got."""
    if state.could_read:
        return msg(
            "They have been told privately and may give their side. Voting opens {when}.",
            when=_when(opens),
        )
    if state is NoticeState.UNREACHABLE:
        return msg(
            "They aren't in the server right now, so I couldn't tell them. Voting opens {when}.",
            when=_when(opens),
        )
    if state is NoticeState.ASKED:
        first = msg(
            "They don't accept private messages from me, so I've asked them here to open a "
            "private note and give their side."
        )
    else:
        first = msg("I'm still getting the news to them privately; they may give their side.")
    return msg(
        "{first} Voting opens once they have read it and had time to give their side "
        "({opens} at the earliest). If they haven't read it by {latest}, voting opens then "
        "without it.",
        first=first,
        opens=_when(opens),
        latest=_when(latest),
    )


def no_side(state: NoticeState) -> Msg | None:
    """The ballot's words when the member concerned gave no statement and couldn't have."""
    if state is NoticeState.UNREACHABLE:
        return msg("They aren't in the server right now, so I couldn't ask for their side.")
    if state in (NoticeState.PENDING, NoticeState.ASKED):
        return msg_n(
            "I couldn't reach them privately, and they haven't opened the note I left for them "
            "here, so after waiting {n} hour voting opened without their side. That isn't a "
            "choice they made.",
            "I couldn't reach them privately, and they haven't opened the note I left for them "
            "here, so after waiting {n} hours voting opened without their side. That isn't a "
            "choice they made.",
            WAITED_HOURS,
        )
    return None


def away_untold(meetings: int) -> Msg:
    """Posted in the channel when the member couldn't be told privately that they sit out."""
    return msg_n(
        "I couldn't tell the member privately that they'll sit out the next meeting: they "
        "don't accept private messages from me. It ends on its own, and I'll let them back in "
        "then.",
        "I couldn't tell the member privately that they'll sit out the next {n} meetings: they "
        "don't accept private messages from me. It ends on its own, and I'll let them back in "
        "then.",
        meetings,
    )


def welcome_back_here(mention: str) -> Msg:
    """Posted in the channel, pinging only the member, when the welcome back couldn't be sent
    privately: no more than the group already knows from its vote."""
    return msg(
        "{mention}, welcome back. Your time away has ended: you're welcome at the group's "
        "meetings again from now on, and the next one is yours as much as anyone's. Nothing "
        "about the time away is kept. (I couldn't send you this privately, so I've said it "
        "here.)",
        mention=mention,
    )


def cannot_let_back(names: list[str]) -> Msg:
    return msg(
        "A member's time away has ended, but I couldn't let them back into this channel: I need "
        "{permissions} here. I'll keep trying; someone who manages the server can give me that.",
        permissions=", ".join(f"**{name}**" for name in names),
    )


LET_BACK_AFTER_ALL = msg("I've now let the member back into this channel. Thank you.")
