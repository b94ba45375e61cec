"""The words of ``/privacy what-i-keep`` and ``/privacy forget-me``, in the reader's language.

What each table keeps is declared in English next to its table (``KeptTable.one``/``many``,
``until``, ``forget.because``: bot/store/privacy/); those declarations are msgids of
``privacy.po`` (``one``/``many`` as a plural pair), so a new table's words are asked for by the
catalogue test.
"""

from __future__ import annotations

from bot.i18n import Msg, msg, render, t, tn
from bot.runtime.privacy import ForgetOutcome, WhatIKeep
from bot.store.privacy import KeptTable, MemberRows

EMBED_LIMIT = 4096
MESSAGE_LIMIT = 2000


def _clip(text: str, limit: int = EMBED_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def kept(locale: str, entry: KeptTable, count: int) -> str:
    """ "3 places on open votes' rolls (…)": a count and what it counts."""
    what = render(locale, Msg(entry.one, {}, entry.many, count))
    return t(locale, "{count} {what}", count=count, what=what)


def _kept_lines(locale: str, rows: list[MemberRows]) -> list[str]:
    return [
        t(
            locale,
            "• {what} — {why}",
            what=kept(locale, row.entry, row.kept),
            why=t(locale, row.entry.forget.because or row.entry.until),
        )
        for row in rows
    ]


def _never_kept(locale: str, reads_messages: bool) -> str:
    messages = (
        msg(
            "what you write: this group turned on hold mode, so I see crosstalk only to hand it "
            "back to its author, and I never save it"
        )
        if reads_messages
        else msg(
            "what you write: I can't even read it, because I never ask Discord for message content"
        )
    )
    return "\n".join(
        [
            t(locale, "**What I never keep**"),
            t(
                locale,
                "Names, how anyone voted, who was reminded or asked for a reminder, and "
                "{messages}. Once a meeting ends I keep no attendance and nothing about who "
                "shared; while it runs, only coded keys (who has the floor, whose hand is up, "
                "who has shared in it), deleted when it ends.",
                messages=messages,
            ),
        ]
    )


def _discord_keeps(locale: str) -> str:
    return "\n".join(
        [
            t(locale, "**What Discord itself keeps**"),
            t(
                locale,
                "Your messages stay in the channel as usual; I don't copy them. When the group "
                "decides that someone sits out a meeting, I change this channel's permissions "
                "for them, and change them back when they return. Discord records each change "
                "in the server's audit log, with the reason “group decision” and nothing else; "
                "people who manage the server can see it. That log is Discord's, not mine: I "
                "can't delete it.",
            ),
        ]
    )


def _kept_here(locale: str, report: WhatIKeep) -> list[str]:
    group, totals = report.group, report.totals
    if group is not None:
        return [
            t(locale, "**For this group I keep, right now**"),
            t(
                locale,
                "• Its settings: where it meets, its format (`{format}`) and who counts as a "
                "member (a role, or whoever can see this channel)",
                format=group.format_id,
            ),
            t(locale, "• How many meetings it has held: {n}", n=totals.meetings_held),
        ]
    if totals.groups:
        return [
            t(locale, "**In this server I keep, right now**"),
            tn(
                locale,
                "• The settings of {n} group: where it meets, its format and who counts as a "
                "member",
                "• The settings of {n} groups: where each meets, its format and who counts as "
                "a member",
                totals.groups,
            ),
            t(locale, "• How many meetings they have held, in all: {n}", n=totals.meetings_held),
        ]
    return [
        t(locale, "**In this server I keep, right now**"),
        t(locale, "• Nothing: no group meets here yet."),
    ]


def what_i_keep_text(locale: str, report: WhatIKeep, *, reads_messages: bool) -> str:
    lines = _kept_here(locale, report)
    lines += [
        t(
            locale,
            "• {what} — {until}",
            what=kept(locale, count.entry, count.rows),
            until=t(locale, count.entry.until),
        )
        for count in report.kept
    ]
    lines.append("")
    if report.nothing_yours:
        lines.append(
            t(locale, "**About you:** nothing. I keep nothing keyed to you in this server.")
        )
    else:
        lines.append(
            t(
                locale,
                "**About you, in this server** (as a coded key that only this bot can match, "
                "never your name or id)",
            )
        )
        lines += [
            t(locale, "• {what}", what=kept(locale, rows.entry, rows.removable + rows.kept))
            for rows in report.yours
        ]
        lines.append(
            t(
                locale,
                "`/privacy forget-me` erases it, except what is in force and ends on its own.",
            )
            if any(rows.kept for rows in report.yours)
            else t(locale, "`/privacy forget-me` erases it.")
        )
    lines += ["", _never_kept(locale, reads_messages), "", _discord_keeps(locale), ""]
    if report.group is not None:
        lines.append(
            t(
                locale,
                "**Questions?** Ask your group, here in {channel}: it decides together how it "
                "meets and what it asks of me.",
                channel=f"<#{report.group.channel_id}>",
            )
        )
    else:
        lines.append(
            t(
                locale,
                "**Questions?** Ask in your group's channel: each group decides together how it "
                "meets. Run this there to see that group's own counts.",
            )
        )
    return _clip("\n".join(lines))


def forget_preview_text(locale: str, preview: ForgetOutcome) -> str:
    lines = [t(locale, "**Forget me in this server**")]
    if preview.removed:
        lines.append(t(locale, "If you go ahead, I'll delete everything keyed to you here:"))
        lines += [
            t(locale, "• {what}", what=kept(locale, row.entry, row.removable))
            for row in preview.removed
        ]
    else:
        lines.append(
            t(
                locale,
                "Right now I keep nothing here that I could delete for you. Going ahead still "
                "clears anything live, like a raised hand.",
            )
        )
    if preview.kept:
        lines += [
            "",
            t(locale, "These stay until they end on their own:"),
            *_kept_lines(locale, preview.kept),
        ]
    lines += [
        "",
        t(
            locale,
            "This can't be undone. Your messages in Discord aren't affected (I never kept them).",
        ),
    ]
    return _clip("\n".join(lines), MESSAGE_LIMIT)


def forget_done_text(locale: str, outcome: ForgetOutcome) -> str:
    if outcome.removed:
        lines = [t(locale, "Done. I deleted:")]
        lines += [
            t(locale, "• {what}", what=kept(locale, row.entry, row.removable))
            for row in outcome.removed
        ]
    else:
        lines = [t(locale, "Done. There was nothing keyed to you to delete.")]
    if outcome.kept:
        lines += [
            "",
            t(locale, "Still in force, and deleted on its own:"),
            *_kept_lines(locale, outcome.kept),
        ]
    else:
        lines += ["", t(locale, "I keep nothing about you in this server now.")]
    lines += ["", t(locale, "You're welcome to keep taking part, as always.")]
    return _clip("\n".join(lines), MESSAGE_LIMIT)
