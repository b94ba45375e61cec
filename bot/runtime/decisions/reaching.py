"""The words for reaching the member a decision is about, and for telling the group the truth
when Discord won't let the bot do what the decision needs.

The rule these keep: the bot never says something happened that didn't. "They have been told
privately" only once a private message arrived; when it couldn't, the member is asked in the
channel to open the note privately (a button only they can use), and the group is told so.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.decisions.hearing import NOTICE_WAIT, NoticeState
from bot.runtime.decisions.texts import meetings_text, plural, when

WAITED = plural(int(NOTICE_WAIT.total_seconds() // 3600), "hour")

READ_MY_NOTE = "Read my note"
NOTICE_NOT_YOURS = (
    "This note is for the member it's addressed to, so only they can open it. Nothing changed."
)


def place(channel: str | None, server: str | None) -> str:
    """Where a private note comes from, as the notes say it."""
    if not channel or not server:
        return "your peer group"
    return f"the group that meets in #{channel} on {server}"


def ask_to_read(mention: str) -> str:
    """Posted in the channel, pinging only the member, when a private message was refused."""
    return (
        f"{mention}, there's a private note for you from the group. I couldn't send it as a "
        f"private message, so I've left it here: press **{READ_MY_NOTE}** and only you will see "
        "it. Nothing is decided before you've had the chance to read it."
    )


def seconded_step(state: NoticeState, opens: datetime, latest: datetime) -> str:
    """What the seconded proposal says about the member and when voting opens — true to how far
    the notice got."""
    if state.could_read:
        return f"They have been told privately and may give their side. Voting opens {when(opens)}."
    if state is NoticeState.UNREACHABLE:
        return (
            "They aren't in the server right now, so I couldn't tell them. "
            f"Voting opens {when(opens)}."
        )
    if state is NoticeState.ASKED:
        first = (
            "They don't accept private messages from me, so I've asked them here to open a "
            "private note and give their side."
        )
    else:
        first = "I'm still getting the news to them privately; they may give their side."
    return (
        f"{first} Voting opens once they have read it and had time to give their side "
        f"({when(opens)} at the earliest). If they haven't read it by {when(latest)}, voting "
        "opens then without it."
    )


def no_side(state: NoticeState) -> str | None:
    """The ballot's words when the member concerned gave no statement and couldn't have."""
    if state is NoticeState.UNREACHABLE:
        return "They aren't in the server right now, so I couldn't ask for their side."
    if state in (NoticeState.PENDING, NoticeState.ASKED):
        return (
            "I couldn't reach them privately, and they haven't opened the note I left for them "
            f"here, so after waiting {WAITED} voting opened without their side. That isn't a "
            "choice they made."
        )
    return None


def away_untold(meetings: int) -> str:
    """Posted in the channel when the member couldn't be told privately that they sit out."""
    return (
        "I couldn't tell the member privately that they'll sit out "
        f"{meetings_text(meetings)}: they don't accept private messages from me. It ends on its "
        "own, and I'll let them back in then."
    )


def welcome_back_here(mention: str) -> str:
    """Posted in the channel, pinging only the member, when the welcome back couldn't be sent
    privately: no more than the group already knows from its vote."""
    return (
        f"{mention}, welcome back. Your time away has ended: you're welcome at the group's "
        "meetings again from now on, and the next one is yours as much as anyone's. Nothing "
        "about the time away is kept. (I couldn't send you this privately, so I've said it "
        "here.)"
    )


def cannot_let_back(names: list[str]) -> str:
    return (
        "A member's time away has ended, but I couldn't let them back into this channel: I need "
        + ", ".join(f"**{name}**" for name in names)
        + " here. I'll keep trying; someone who manages the server can give me that."
    )


LET_BACK_AFTER_ALL = "I've now let the member back into this channel. Thank you."
