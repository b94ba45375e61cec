"""Every word the bot says about concerns, proposals, votes and time away, as messages
(:class:`~bot.i18n.Msg`) rendered later in the reader's language: the group's for what goes in
its channel and the notes it sends on its own (:class:`~.words.DecisionWords`), the member's for
the private answers to what they pressed or typed (``bot/ui/decisions.py``,
``cogs/decisions.py``). Why something is refused is in :mod:`.refusal_words`.

The voice (docs: JOURNEYS.md): warm, brief, plain, second person; always says what happens next.
No "ban", "punish", "warn", "infraction" or "moderator". A member is named in public only where
the group must know who a vote is about (the proposal and the ballot, as a mention that pings
nobody); results, and everything after, name nobody. Proposers and voters are never named.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from fractions import Fraction

from bot.core.decisions import (
    MAJORITY,
    MIN_BALLOTS_TO_SHOW_COUNTS,
    TWO_THIRDS,
    BallotOutcome,
    CancelReason,
    Change,
    DecisionSettings,
    ExcludeMember,
    Motion,
    Result,
    Threshold,
    WelcomeBack,
)
from bot.i18n import Msg, msg, msg_n, render, render_lines
from bot.runtime.decisions.reaching import Place, place_words
from bot.runtime.decisions.settings import describe_change

#: Words to render: one message, or lines of them ("" for a blank line).
Text = Msg | str | Sequence[Msg | str]


def words(locale: str, text: Text) -> str:
    """``text`` in ``locale``."""
    if isinstance(text, Msg | str):
        return render(locale, text)
    return render_lines(locale, text)


def when(at: datetime) -> str:
    """A time every member sees in their own time zone and language (Discord shows it)."""
    return f"<t:{int(at.timestamp())}:f>"


def meetings_text(count: int) -> Msg:
    return msg_n("the next meeting", "the next {n} meetings", count)


def threshold_text(threshold: Threshold) -> Msg:
    if threshold == MAJORITY:
        return msg("more than half of the Yes and No votes")
    if threshold == TWO_THIRDS:
        return msg("at least two-thirds of the Yes and No votes")
    share = fraction_text(threshold.fraction)
    if threshold.strict:
        return msg("more than {share} of the Yes and No votes", share=share)
    return msg("at least {share} of the Yes and No votes", share=share)


def guideline_list(titles: Iterable[str]) -> Msg | str:
    names = [f"**{title}**" for title in titles]
    if not names:
        return msg("the group's guidelines")
    if len(names) == 1:
        return names[0]
    return msg("{first} and {last}", first=", ".join(names[:-1]), last=names[-1])


def motion_text(motion: Motion, mention: str | None, format_name: str | None = None) -> Msg:
    """What is proposed, for the proposal and the ballot. ``mention`` names the member, or
    None to say "a member" (results and everything after name nobody)."""
    who: Msg | str = mention or msg("a member")
    match motion:
        case ExcludeMember(meetings=meetings):
            return msg(
                "that {who} sit out {meetings} of the group",
                who=who,
                meetings=meetings_text(meetings),
            )
        case WelcomeBack():
            return msg("that {who} be welcomed back now, before their time away ends", who=who)
        case Change(subject=subject, value=value):
            return msg(
                "that the group {change}", change=describe_change(subject, value, format_name)
            )
    raise TypeError(f"unknown motion {motion!r}")


# --- concerns ---------------------------------------------------------------------------------

DUE_PROCESS = msg(
    "How it works here: notes like this are a chance to change, never a judgement. If several "
    "members, at different meetings, send notes and the difficulty goes on, the group may talk "
    "about asking you to sit out one or two meetings. You would always be told first and could "
    "give your side before anyone votes, and it's never longer than two meetings."
)


def concern_note(place: Place, title: str, text: str) -> Msg:
    return msg(
        "Hello — this is a private note from {place}. A member asked me to pass on a kind "
        "reminder about one of the group's guidelines:\n> **{title}** — {text}\n"
        "You're welcome in the group, and this isn't an accusation: it's an invitation to keep "
        "the meetings good for everyone, you included. I don't say who asked, and nothing "
        "about it is kept except that a note was sent.\n{due_process}",
        place=place_words(place),
        title=title,
        text=text,
        due_process=DUE_PROCESS,
    )


def concern_sent(title: str) -> Msg:
    return msg(
        "Thank you. I sent them a kind, private note about **{title}**. They won't learn who "
        "asked, and nothing else happens for now. If the difficulty goes on, members can send "
        "another note at a later meeting.",
        title=title,
    )


# --- proposals ----------------------------------------------------------------------------------


def proposed(second_by: datetime) -> Msg:
    return msg(
        "Thank you. I posted the proposal in the channel without your name. It needs a second "
        "from another member by {when}, or it lapses.",
        when=when(second_by),
    )


def ask_for_second(
    motion: Motion, mention: str | None, second_by: datetime, titles: list[str], name: str | None
) -> list[Msg | str]:
    lines: list[Msg | str] = [
        msg(
            "**A proposal for the group**\nA member proposes {motion}.",
            motion=motion_text(motion, mention, name),
        )
    ]
    if isinstance(motion, ExcludeMember):
        lines.append(
            msg(
                "They have had private notes about {guidelines}. If this is seconded, they'll "
                "be told privately and invited to give their side before anyone votes.",
                guidelines=guideline_list(titles),
            )
        )
    lines.append(
        msg(
            "It needs a second from another member by {when}, or it lapses. Seconding means "
            "you'd like the group to decide; it isn't a vote.",
            when=when(second_by),
        )
    )
    return lines


def seconded_notice(
    motion: Motion,
    mention: str | None,
    opens: datetime,
    name: str | None,
    step: Msg | None = None,
) -> Msg:
    """``step``: for an exclusion, what the member was told and when voting opens (see
    :func:`bot.runtime.decisions.reaching.seconded_step`)."""
    if not isinstance(motion, ExcludeMember):
        step = msg("Voting is open now.")
    elif step is None:
        step = msg(
            "They have been told privately and may give their side. Voting opens {when}.",
            when=when(opens),
        )
    return msg(
        "**A proposal for the group** — seconded\nA member proposed {motion}, and another "
        "member seconded it. {step}",
        motion=motion_text(motion, mention, name),
        step=step,
    )


def thanks_for_second(exclusion: bool, opens: datetime) -> Msg:
    if exclusion:
        return msg(
            "Thank you — you seconded it. I'll let the member know privately and invite their "
            "side; voting opens once they could read it, {when} at the earliest.",
            when=when(opens),
        )
    return msg("Thank you — you seconded it. The ballot will be in the channel in a moment.")


def lapsed(motion: Motion, name: str | None) -> Msg:
    return msg(
        "**A proposal for the group** — lapsed\nThe proposal {motion} wasn't seconded in time, "
        "so nothing changes.",
        motion=motion_text(motion, None, name),
    )


def cancelled(motion: Motion, reason: CancelReason, name: str | None) -> Msg:
    why = {
        CancelReason.TARGET_NOT_EXCLUDABLE: msg(
            "Discord no longer lets me change this member's access to the channel (their role "
            "or permissions changed)"
        ),
        CancelReason.EXCLUSION_ENDED: msg("their time away has already ended"),
    }[reason]
    return msg(
        "**A proposal for the group** — withdrawn\nThe proposal {motion} can't go ahead: {why}. "
        "Nothing changes, and nothing about it is kept.",
        motion=motion_text(motion, None, name),
        why=why,
    )


def notice(
    place: Place, meetings: int, titles: list[str], opens: datetime, settings: DecisionSettings
) -> Msg:
    return msg_n(
        "Hello — this is a private note from {place}. I'm sorry this isn't easier news. A "
        "member proposed, and another seconded, that you sit out the next meeting of the "
        "group. The earlier notes were about {guidelines}.\n"
        "Before anyone votes, you're invited to give your side: press **Give my side**. The "
        "members voting will read it with the ballot, and it's deleted when the vote closes. "
        "Voting opens {when} and lasts about {length}.\n"
        "Whatever happens, it would only be for the next meeting, and you'd be welcomed back "
        "on your own.",
        "Hello — this is a private note from {place}. I'm sorry this isn't easier news. A "
        "member proposed, and another seconded, that you sit out the next {n} meetings of the "
        "group. The earlier notes were about {guidelines}.\n"
        "Before anyone votes, you're invited to give your side: press **Give my side**. The "
        "members voting will read it with the ballot, and it's deleted when the vote closes. "
        "Voting opens {when} and lasts about {length}.\n"
        "Whatever happens, it would only be for the next {n} meetings, and you'd be welcomed "
        "back on your own.",
        meetings,
        place=place_words(place),
        guidelines=guideline_list(titles),
        when=when(opens),
        length=duration(settings.voting.total_seconds()),
    )


def duration(seconds: float) -> Msg:
    hours = round(seconds / 3600)
    if hours >= 48 and hours % 24 == 0:
        return msg_n("{n} day", "{n} days", hours // 24)
    return msg_n("{n} hour", "{n} hours", max(1, hours))


STATEMENT_THANKS = msg(
    "Thank you. The members voting will read your words with the ballot, and they'll be "
    "deleted when the vote closes. You can change them until then."
)
STATEMENT_LABEL = msg("What would you like the group to know?")
STATEMENT_TITLE = msg("Your side")


# --- ballots -----------------------------------------------------------------------------------


def ballot(
    motion: Motion,
    mention: str | None,
    statement: str | None,
    threshold: Threshold,
    quorum: int,
    closes: datetime,
    name: str | None,
    no_side: Msg | None = None,
) -> list[Msg | str]:
    """``no_side``: why there is no statement when the member couldn't give one."""
    lines: list[Msg | str] = [
        msg(
            "**Secret ballot**\nShould the group agree {motion}?",
            motion=motion_text(motion, mention, name),
        )
    ]
    if isinstance(motion, ExcludeMember):
        if statement:
            quoted = "\n".join(f"> {line}" for line in statement.splitlines())
            lines += ["", msg("In their own words:\n{quoted}", quoted=quoted)]
        else:
            lines += ["", no_side or msg("They chose not to give a statement.")]
    lines += [
        "",
        msg_n(
            "It passes with {threshold} (abstentions aren't counted), if at least {n} vote is "
            "cast. Voting closes {when}.",
            "It passes with {threshold} (abstentions aren't counted), if at least {n} votes are "
            "cast. Voting closes {when}.",
            quorum,
            threshold=threshold_text(threshold),
            when=when(closes),
        ),
        "",
        msg(
            "Your vote is secret and final: nobody can see how anyone voted, and results are "
            "shown only when voting closes."
        ),
    ]
    return lines


def proposal_decided(motion: Motion, name: str | None) -> Msg:
    return msg(
        "**A proposal for the group** — decided\nThe proposal {motion} went to a secret ballot; "
        "the result is below.",
        motion=motion_text(motion, None, name),
    )


def ballot_closed(motion: Motion, name: str | None) -> Msg:
    return msg(
        "**Secret ballot** — closed\nThe vote {motion} has closed; the result is below.",
        motion=motion_text(motion, None, name),
    )


VOTE_THANKS = msg(
    "Thank you — your vote is in. It's secret and final: nobody can see how you voted, and it "
    "can't be changed."
)


def result(motion: Motion, outcome: Result, quorum: int, name: str | None) -> Msg:
    about = motion_text(motion, None, name)
    if outcome.outcome is BallotOutcome.NO_QUORUM:
        return msg(
            "**The vote has closed.** Not enough votes were cast on the proposal {about} "
            "(at least {quorum} are needed), so nothing changes. Nothing about it is kept.",
            about=about,
            quorum=quorum,
        )
    counts = outcome.counts
    tally = (
        msg(
            "with fewer than {least} votes, only the outcome is shared",
            least=MIN_BALLOTS_TO_SHOW_COUNTS,
        )
        if counts is None
        else msg(
            "{yes} yes, {no} no, {abstain} abstained",
            yes=counts.yes,
            no=counts.no,
            abstain=counts.abstain,
        )
    )
    if outcome.outcome is BallotOutcome.DEFEATED:
        return msg(
            "**The vote has closed.** The proposal {about} did not pass ({tally}). Nothing "
            "changes, and nothing about it is kept.",
            about=about,
            tally=tally,
        )
    then = {
        ExcludeMember: msg(
            "The member will sit out and be welcomed back on their own afterwards; nothing "
            "about it is kept once it's over."
        ),
        WelcomeBack: msg("They're welcome back from now on."),
        Change: msg("It takes effect from the next meeting."),
    }[type(motion)]
    return msg(
        "**The vote has closed.** The proposal {about} passed ({tally}). {then}",
        about=about,
        tally=tally,
        then=then,
    )


def excluded(
    place: Place, meetings: int, ends_by: datetime, after_this_meeting: bool = False
) -> Msg:
    values = {"place": place_words(place), "when": when(ends_by)}
    if after_this_meeting:
        return msg_n(
            "Hello — this is a private note from {place}. The group decided, by secret ballot, "
            "that you sit out the next meeting. That starts once today's meeting closes: you're "
            "welcome to stay until its end. You're still part of the group, and this isn't "
            "forever: you can come back once the next meeting has been held, and by {when} at "
            "the latest. I'll let you back in on my own and tell you. Nothing about it is kept "
            "afterwards.",
            "Hello — this is a private note from {place}. The group decided, by secret ballot, "
            "that you sit out the next {n} meetings. That starts once today's meeting closes: "
            "you're welcome to stay until its end. You're still part of the group, and this "
            "isn't forever: you can come back once the next {n} meetings have been held, and by "
            "{when} at the latest. I'll let you back in on my own and tell you. Nothing about it "
            "is kept afterwards.",
            meetings,
            **values,
        )
    return msg_n(
        "Hello — this is a private note from {place}. The group decided, by secret ballot, that "
        "you sit out the next meeting. You're still part of the group, and this isn't forever: "
        "you can come back once the next meeting has been held, and by {when} at the latest. "
        "I'll let you back in on my own and tell you. Nothing about it is kept afterwards.",
        "Hello — this is a private note from {place}. The group decided, by secret ballot, that "
        "you sit out the next {n} meetings. You're still part of the group, and this isn't "
        "forever: you can come back once the next {n} meetings have been held, and by {when} at "
        "the latest. I'll let you back in on my own and tell you. Nothing about it is kept "
        "afterwards.",
        meetings,
        **values,
    )


def not_carried(place: Place) -> Msg:
    return msg(
        "Hello — this is a private note from {place}. The proposal that you sit out meetings "
        "will not go ahead. Nothing changes for you, and nothing about it is kept — the earlier "
        "notes are cleared too.",
        place=place_words(place),
    )


def welcome_back(place: Place) -> Msg:
    return msg(
        "Welcome back. You can join {place} again from now on; the next meeting is yours as "
        "much as anyone's. Nothing about the time away is kept.",
        place=place_words(place),
    )


def missing_permission_report(names: list[str]) -> Msg:
    return msg(
        "I couldn't carry out the group's decision in this channel: I need {permissions} here. "
        "Someone who manages the server can give me that; the group's decision still ends on "
        "its own.",
        permissions=", ".join(f"**{name}**" for name in names),
    )


# --- status -------------------------------------------------------------------------------------


def status_line(
    motion: Motion, mention: str | None, state: str, deadline: datetime, name: str | None
) -> Msg:
    step: Msg | str = {
        "awaiting_second": msg("waiting for a second until {when}", when=when(deadline)),
        "seconded": msg("seconded; voting opens {when}", when=when(deadline)),
        "voting": msg("voting is open until {when}", when=when(deadline)),
    }.get(state, state)
    return msg(
        "• A proposal {motion} — {step}", motion=motion_text(motion, mention, name), step=step
    )


def see_it(line: Msg, link: str) -> Msg:
    """A status line with a link to its message."""
    return msg("{line} ([see it]({link}))", line=line, link=link)


NOTHING_OPEN = msg("Nothing is being decided right now. `/propose` puts something to the group.")


def fraction_text(fraction: Fraction) -> str:
    return f"{fraction.numerator}/{fraction.denominator}"
