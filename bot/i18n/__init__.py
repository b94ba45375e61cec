"""Every word the bot says, in the reader's language (gettext catalogues through Babel).

How to use it (docs/translating.md has the whole guide)::

    from bot.i18n import msg, msg_n, render, t, tn

    t(locale, "Nothing changed.")                          # words now, in a language
    tn(locale, "{n} meeting", "{n} meetings", count)      # by the language's plural rules
    m = msg("The floor is yours, {name}.", name=name)      # words later (core, errors)
    render(locale, m)

The language is always passed explicitly: one interaction may answer a member privately in
their own language and post to the channel in the group's. Which language: :func:`group_locale`
(the format's ``language:``) and :func:`member_locale` (a member's Discord locale); in a cog or
a button, ``bot.ui.locale.private_locale(interaction)`` / ``channel_locale(interaction)``.
"""

from __future__ import annotations

from bot.i18n.catalogue import LOCALES_DIR, SOURCE, available
from bot.i18n.choice import group_locale, member_locale
from bot.i18n.formatting import clock, day, duration, listing, when
from bot.i18n.message import Msg, msg, msg_n
from bot.i18n.translate import COMMAND_CONTEXT, command_words, render, render_lines, t, tn

__all__ = [
    "COMMAND_CONTEXT",
    "LOCALES_DIR",
    "SOURCE",
    "Msg",
    "available",
    "clock",
    "command_words",
    "day",
    "duration",
    "group_locale",
    "listing",
    "member_locale",
    "msg",
    "msg_n",
    "render",
    "render_lines",
    "t",
    "tn",
    "when",
]
