"""What a newcomer is told, privately: how this group's meetings go (``/newcomer``) and the
welcome sent the first time someone posts in or joins a group's meeting channel (pure: lines of
:class:`~bot.i18n.Msg`, rendered in the reader's language by the cog or the adapter)."""

from __future__ import annotations

from bot.core.formats import CompiledFormat
from bot.core.formats.plan import CrosstalkMode
from bot.core.resources import OFFER_LINE
from bot.i18n.message import Msg, msg, msg_n

CROSSTALK_WORDS = {
    CrosstalkMode.NOT_ALLOWED: msg(
        "While someone shares, we listen without replying or commenting (that's called "
        "crosstalk). If it happens, a gentle, anonymous reminder appears — never a telling-off."
    ),
    CrosstalkMode.ALLOWED: msg("In this group, replying to each other is welcome."),
    CrosstalkMode.ENCOURAGED: msg(
        "In this group, short, kind responses to each other are welcome."
    ),
    CrosstalkMode.FEEDBACK_ONLY: msg("Feedback is given only when the person sharing asks for it."),
}

#: The meeting panel's button, named as the panel names it.
RAISE_HAND = msg("Raise hand")


def _share_limit(seconds: int) -> Msg:
    if seconds < 60:
        return msg_n(
            "• Shares are up to about {n} second; a gentle note comes near the end.",
            "• Shares are up to about {n} seconds; a gentle note comes near the end.",
            seconds,
        )
    return msg_n(
        "• Shares are up to about {n} minute; a gentle note comes near the end.",
        "• Shares are up to about {n} minutes; a gentle note comes near the end.",
        round(seconds / 60),
    )


def orientation(plan: CompiledFormat) -> list[Msg | str]:
    """``/newcomer``: the order of the meeting, how to share, and that nothing is kept."""
    steps = [s.title for s in plan.sections if s.condition is None and s.depth == 0][:12]
    limit = plan.defaults.share.limit_seconds
    lines: list[Msg | str] = [
        msg("**Welcome — we're glad you're here.** Here's how this group's meetings go:"),
        "",
        msg("**The order:** {steps}", steps=" → ".join(steps)),
        "",
        msg(
            "• To share, press **{raise_hand}** on the meeting panel (or use `/hand`). "
            "I'll let you know when it's your turn.",
            raise_hand=RAISE_HAND,
        ),
    ]
    if limit:
        lines.append(_share_limit(limit))
    lines += [
        msg("• Passing is always fine, and so is just listening."),
        msg("• {crosstalk}", crosstalk=CROSSTALK_WORDS[plan.defaults.crosstalk.mode]),
        msg("• Nobody is in charge: members take turns serving, and the group decides together."),
        msg(
            "• I keep no record of who came or who shared once the meeting ends, and never "
            "what was said."
        ),
        msg("• {offer}", offer=OFFER_LINE),
    ]
    return lines


def welcome(
    plan: CompiledFormat, channel_id: int, next_meeting: str | None = None
) -> list[Msg | str]:
    """The one private welcome: where, the orientation, the next meeting if known, and that it
    comes once. ``next_meeting`` is already in Discord's markup (a time in the reader's zone)."""
    lines: list[Msg | str] = [
        msg(
            "Hello! You've just visited {channel}, where a peer support group meets. Whether "
            "you're new or coming back, here's a short guide, just for you — nobody else sees "
            "it, and it won't come again each time you post. You don't need to reply.",
            channel=f"<#{channel_id}>",
        ),
        "",
        *orientation(plan),
    ]
    if next_meeting:
        lines += [
            "",
            msg("**The next meeting** begins {when}. Everyone is welcome.", when=next_meeting),
        ]
    lines += [
        "",
        msg("You can see this guide again any time with `/newcomer` in the group's channel."),
    ]
    return lines
