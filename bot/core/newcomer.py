"""What a newcomer is told, privately: how this group's meetings go (``/newcomer``) and the
welcome sent the first time someone posts in or joins a group's meeting channel (pure)."""

from __future__ import annotations

from bot.core.formats import CompiledFormat
from bot.core.formats.plan import CrosstalkMode
from bot.core.formats.timing import minutes
from bot.core.resources import OFFER_LINE

CROSSTALK_WORDS = {
    CrosstalkMode.NOT_ALLOWED: (
        "While someone shares, we listen without replying or commenting (that's called "
        "crosstalk). If it happens, a gentle, anonymous reminder appears — never a telling-off."
    ),
    CrosstalkMode.ALLOWED: "In this group, replying to each other is welcome.",
    CrosstalkMode.ENCOURAGED: "In this group, short, kind responses to each other are welcome.",
    CrosstalkMode.FEEDBACK_ONLY: "Feedback is given only when the person sharing asks for it.",
}


def orientation(plan: CompiledFormat) -> str:
    """``/newcomer``: the order of the meeting, how to share, and that nothing is kept."""
    steps = [s.title for s in plan.sections if s.condition is None and s.depth == 0][:12]
    limit = plan.defaults.share.limit_seconds
    lines = [
        "**Welcome — we're glad you're here.** Here's how this group's meetings go:",
        "",
        "**The order:** " + " → ".join(steps),
        "",
        "• To share, press **Raise hand** on the meeting panel (or use `/hand`). "
        "I'll let you know when it's your turn.",
    ]
    if limit:
        lines.append(
            f"• Shares are up to about {minutes(limit)}; a gentle note comes near the end."
        )
    lines += [
        "• Passing is always fine, and so is just listening.",
        f"• {CROSSTALK_WORDS[plan.defaults.crosstalk.mode]}",
        "• Nobody is in charge: members take turns serving, and the group decides together.",
        "• I keep no record of who came or who shared once the meeting ends, and never what "
        "was said.",
        f"• {OFFER_LINE}",
    ]
    return "\n".join(lines)


def welcome(plan: CompiledFormat, channel_id: int, next_meeting: str | None = None) -> str:
    """The one private welcome: where, the orientation, the next meeting if known, and that it
    comes once. ``next_meeting`` is already in Discord's markup (a time in the reader's zone)."""
    lines = [
        f"Hello! You've just visited <#{channel_id}>, where a peer support group meets. "
        "Whether you're new or coming back, here's a short guide, just for you — nobody else "
        "sees it, and it won't come again each time you post. You don't need to reply.",
        "",
        orientation(plan),
    ]
    if next_meeting:
        lines += ["", f"**The next meeting** begins {next_meeting}. Everyone is welcome."]
    lines += [
        "",
        "You can see this guide again any time with `/newcomer` in the group's channel.",
    ]
    return "\n".join(lines)
