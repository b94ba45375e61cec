"""The presenter's words about the meeting itself: its panel, notices, its close."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import discord

from bot.core.formats.timing import minutes
from bot.core.meeting import Panel, Status
from bot.core.meeting import effects as fx
from bot.core.pseudonyms import Pseudonym
from bot.core.resources import CLOSING_LINE
from bot.runtime.live import LiveMeeting
from bot.runtime.markup import when

QUEUE_SHOWN = 12

NOTICES = {
    fx.NoticeKind.PAUSED: "The meeting is paused for a moment.",
    fx.NoticeKind.RESUMED: "We're continuing. Thank you for waiting.",
    fx.NoticeKind.RESUMED_AFTER_RESTART: (
        "I had to restart for a moment — sorry about that. The meeting goes on from where we were."
    ),
    fx.NoticeKind.RESTARTED_PAUSED: (
        "I had to restart for a moment — sorry about that. The meeting is still paused; the chair "
        "can press **Resume** on the meeting panel to go on from where we were."
    ),
}


def ended_words(live: LiveMeeting, ended: fx.MeetingEnded) -> str:
    """The close, and when the meeting doesn't count, why (kindly)."""
    words = "This meeting has ended. Thank you all for being here, and take care. 💛"
    words += f"\n{CLOSING_LINE}"  # issue 15: /resources offered at every close
    if ended.counted:
        return words
    rule = live.plan.counts
    why = []
    if ended.too_short:
        why.append(f"it ran for less than {minutes(rule.seconds)}")
    if ended.too_few:
        why.append(
            f"fewer than {rule.members} members took part (sharing, reading, passing or "
            "using the panel)"
        )
    because = " and ".join(why) or "it was too short"
    return (
        f"{words}\nThis meeting doesn't count toward the group's meetings held, because "
        f"{because}. That's all right: thank you for gathering."
    )


def upper_first(name: str) -> str:
    """ "someone" -> "Someone"; a name keeps its own capitals."""
    return name[:1].upper() + name[1:]


def panel_embed(
    panel: Panel,
    chairs: Sequence[Pseudonym],
    name: Callable[[Pseudonym], str],
    cannot_post: str | None,
) -> discord.Embed:
    """The meeting panel: the part under way, who shares, who is next, the chair, the end;
    while paused, why (``cannot_post``: the bot can't post in the channel)."""
    if panel.status is Status.ENDED:
        return discord.Embed(title="The meeting has ended", description="Thank you all.")
    title = f"Meeting {panel.number}"
    if panel.section_title:
        title += f" · {panel.section_number}/{panel.section_count} {panel.section_title}"
    lines = []
    if panel.status is Status.PAUSED:
        lines.append(f"*{cannot_post or 'Paused for a moment.'}*")
    if panel.sharer is not None:
        countdown = when(panel.share_ends_at)
        lines.append(
            f"**Sharing:** {name(panel.sharer)}" + (f" · time {countdown}" if countdown else "")
        )
    if panel.waiting:
        shown = [name(who) for who in panel.waiting[:QUEUE_SHOWN]]
        more = len(panel.waiting) - len(shown)
        lines.append("**Up next:** " + ", ".join(shown) + (f" and {more} more" if more else ""))
    lines.append(f"**Chair:** {name(chairs[0])}" if chairs else "**Chair:** anyone")
    lines.append(f"**Meeting ends** {when(panel.meeting_ends_at)}")
    return discord.Embed(title=title[:256], description="\n".join(lines))
