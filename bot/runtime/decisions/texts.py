"""Every word the bot says about concerns, proposals, votes and time away.

The voice (docs: JOURNEYS.md): warm, brief, plain, second person; always says what happens next.
No "ban", "punish", "warn", "infraction" or "moderator". A member is named in public only where
the group must know who a vote is about (the proposal and the ballot, as a mention that pings
nobody); results, and everything after, name nobody. Proposers and voters are never named.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from fractions import Fraction

from bot.core.decisions import (
    MAJORITY,
    MIN_BALLOTS_TO_SHOW_COUNTS,
    TWO_THIRDS,
    BallotOutcome,
    CancelReason,
    ChancesMissing,
    Change,
    DecisionRefusal,
    DecisionSettings,
    ExcludeMember,
    Ineligible,
    Motion,
    NotEnoughChances,
    Refused,
    Result,
    Threshold,
    WelcomeBack,
)
from bot.runtime.decisions.port import Unexcludable
from bot.runtime.decisions.settings import describe_change


def when(at: datetime) -> str:
    """A time every member sees in their own time zone."""
    return f"<t:{int(at.timestamp())}:f>"


def meetings_text(count: int) -> str:
    return "the next meeting" if count == 1 else f"the next {count} meetings"


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def threshold_text(threshold: Threshold) -> str:
    if threshold == MAJORITY:
        return "more than half of the Yes and No votes"
    if threshold == TWO_THIRDS:
        return "at least two-thirds of the Yes and No votes"
    share = threshold.fraction
    more = "more than" if threshold.strict else "at least"
    return f"{more} {share.numerator}/{share.denominator} of the Yes and No votes"


def guideline_list(titles: Iterable[str]) -> str:
    names = [f"**{title}**" for title in titles]
    if not names:
        return "the group's guidelines"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def motion_text(motion: Motion, mention: str | None, format_name: str | None = None) -> str:
    """What is proposed, for the proposal and the ballot. ``mention`` names the member, or
    None to say "a member" (results and everything after name nobody)."""
    who = mention or "a member"
    match motion:
        case ExcludeMember(meetings=meetings):
            return f"that {who} sit out {meetings_text(meetings)} of the group"
        case WelcomeBack():
            return f"that {who} be welcomed back now, before their time away ends"
        case Change(subject=subject, value=value):
            return "that the group " + describe_change(subject, value, format_name)
    raise TypeError(f"unknown motion {motion!r}")


# --- concerns ---------------------------------------------------------------------------------

DUE_PROCESS = (
    "How it works here: notes like this are a chance to change, never a judgement. If several "
    "members, at different meetings, send notes and the difficulty goes on, the group may talk "
    "about asking you to sit out one or two meetings. You would always be told first and could "
    "give your side before anyone votes, and it's never longer than two meetings."
)


def concern_note(place: str, title: str, text: str) -> str:
    return (
        f"Hello — this is a private note from {place}. A member asked me to pass on a kind "
        f"reminder about one of the group's guidelines:\n> **{title}** — {text}\n"
        "You're welcome in the group, and this isn't an accusation: it's an invitation to keep "
        "the meetings good for everyone, you included. I don't say who asked, and nothing "
        f"about it is kept except that a note was sent.\n{DUE_PROCESS}"
    )


def concern_sent(title: str) -> str:
    return (
        f"Thank you. I sent them a kind, private note about **{title}**. They won't learn who "
        "asked, and nothing else happens for now. If the difficulty goes on, members can send "
        "another note at a later meeting."
    )


CONCERN_UNDELIVERABLE = (
    "They don't accept private messages from me, so I couldn't pass the note on. Nothing was "
    "kept. You could invite them to allow messages from server members."
)
NOT_A_BOT = "That's a bot, not a member of the group. Nothing was sent."
NOT_IN_GROUP = "They aren't a member of this group (they can't see this channel). Nothing changed."
NO_GUIDELINES = (
    "This group's format doesn't list any guidelines yet, so there's nothing to send a note "
    "about. The group can adopt a format that has them."
)


# --- refusals -----------------------------------------------------------------------------------

_R = DecisionRefusal
_REFUSALS: Mapping[DecisionRefusal, str] = {
    _R.UNKNOWN_GUIDELINE: "That isn't one of this group's guidelines. Please pick one from "
    "the list.",
    _R.ABOUT_YOURSELF: "That would be about you — this is for another member. Nothing changed.",
    _R.DUPLICATE_CONCERN: "You've already sent them a note at this meeting. If it goes on, "
    "you can send another at a later one.",
    _R.MEMBER_EXCLUDED: "They're sitting out meetings right now. They'll be welcomed back "
    "on their own, and nothing more is needed until then.",
    _R.NOT_EXCLUDED: "They aren't sitting out any meetings, so there's nothing to welcome "
    "them back from.",
    _R.BAD_MEETINGS: "A member can be asked to sit out 1 or 2 meetings, never more.",
    _R.PROPOSAL_OPEN: "A proposal about this is already under way. `/vote status` shows "
    "it; one at a time keeps things fair.",
    _R.PROPOSER_CANNOT_SECOND: "A proposal needs a second from another member. Thank you "
    "for waiting.",
    _R.TOO_LATE: "That step has closed, so nothing changed.",
    _R.NOT_ON_ROLL: "The list of voters was fixed when voting opened, and you weren't on "
    "it, so this vote is for the others. You're welcome in the next one.",
    _R.ALREADY_VOTED: "You've already voted on this. Your vote stands, and it stays secret.",
    _R.NOT_THE_MEMBER: "Only the member this proposal is about can give their side here.",
    _R.STATEMENT_EMPTY: "It looks like that was empty. Nothing was saved.",
    _R.STATEMENT_TOO_LONG: "That's a little too long. Please shorten it and send it again.",
}


def refusal(error: Refused, settings: DecisionSettings) -> str:
    if isinstance(error, NotEnoughChances):
        return not_enough_chances(error.missing, settings)
    return refused(error.reason)


def refused(reason: DecisionRefusal) -> str:
    return _REFUSALS.get(reason, "That can't be done right now. Nothing changed.")


def not_enough_chances(missing: ChancesMissing, settings: DecisionSettings) -> str:
    lacking = plural(missing.concerns, "more note") if missing.concerns else "notes"
    where = []
    if missing.requesters:
        where.append(f"from {plural(missing.requesters, 'more member')}")
    if missing.meetings:
        where.append(f"at {plural(missing.meetings, 'more meeting')}")
    if where:
        lacking += " " + ", ".join(where)
    return (
        "Not yet: before the group votes on asking someone to sit out, they need to have had "
        f"chances to change — {plural(settings.min_concerns, 'private note')} from "
        f"{plural(settings.min_concern_requesters, 'different member')} across "
        f"{plural(settings.min_concern_meetings, 'meeting')}. Still missing: {lacking}. "
        "`/concern` sends a kind note. Nothing was proposed, and nobody was told."
    )


def unexcludable(reason: Unexcludable) -> str:
    why = {
        Unexcludable.OWNER: "they own this server, and Discord always lets the owner in",
        Unexcludable.ADMINISTRATOR: "they have the Administrator permission, which opens every "
        "channel whatever I set",
        Unexcludable.ROLE_TOO_HIGH: "their highest role is at or above mine, so Discord won't "
        "let me change their access (someone who manages roles could move my role higher)",
    }[reason]
    return f"I couldn't carry that out: {why}. Nothing was proposed."


def missing_permissions(names: list[str]) -> str:
    return (
        "I couldn't carry out such a decision in this channel: I need "
        + ", ".join(f"**{name}**" for name in names)
        + " here. Someone who manages the server can give me that. Nothing was proposed."
    )


INELIGIBLE: Mapping[Ineligible, str] = {
    Ineligible.BOT: "Bots don't vote.",
    Ineligible.NOT_IN_GROUP: "This vote is for the members of this group. Nothing changed.",
    Ineligible.CONCERNED_MEMBER: "This vote is about you, so you don't vote on it. If you gave "
    "your side, the members voting can read it with the ballot.",
    Ineligible.JOINED_AFTER_PROPOSAL: "This vote is for the members who were here when it was "
    "proposed. You're very welcome — you'll be able to vote on the next one.",
    Ineligible.TOO_NEW: "Votes are for members who've been in the server for a little while. "
    "You're very welcome here, and you'll be able to vote soon.",
}

SECOND_NOT_MEMBER = "Only members of this group can second a proposal. Nothing changed."
CONCERN_NOT_MEMBER = (
    "Notes are for the members of this group to ask for. If you'd like to join, ask the group "
    "how. Nothing was sent."
)
PROPOSE_NOT_MEMBER = (
    "Only members of this group can put something to it. If you'd like to join, ask the group "
    "how. Nothing was proposed."
)
VOTE_CLOSED = "This vote has closed. The result is in the channel."
PROPOSAL_CLOSED = "This proposal has closed, so there's nothing to do here any more."


# --- proposals ----------------------------------------------------------------------------------


def proposed(second_by: datetime) -> str:
    return (
        "Thank you. I posted the proposal in the channel without your name. It needs a second "
        f"from another member by {when(second_by)}, or it lapses."
    )


def ask_for_second(
    motion: Motion, mention: str | None, second_by: datetime, titles: list[str], name: str | None
) -> str:
    lines = [
        f"**A proposal for the group**\nA member proposes {motion_text(motion, mention, name)}."
    ]
    if isinstance(motion, ExcludeMember):
        lines.append(
            f"They have had private notes about {guideline_list(titles)}. If this is seconded, "
            "they'll be told privately and invited to give their side before anyone votes."
        )
    lines.append(
        f"It needs a second from another member by {when(second_by)}, or it lapses. "
        "Seconding means you'd like the group to decide; it isn't a vote."
    )
    return "\n".join(lines)


def seconded_notice(
    motion: Motion, mention: str | None, opens: datetime, name: str | None, step: str | None = None
) -> str:
    """``step``: for an exclusion, what the member was told and when voting opens (see
    :func:`bot.runtime.decisions.reaching.seconded_step`)."""
    if not isinstance(motion, ExcludeMember):
        step = "Voting is open now."
    elif step is None:
        step = f"They have been told privately and may give their side. Voting opens {when(opens)}."
    return (
        f"**A proposal for the group** — seconded\nA member proposed "
        f"{motion_text(motion, mention, name)}, and another member seconded it. {step}"
    )


def thanks_for_second(exclusion: bool, opens: datetime) -> str:
    if exclusion:
        return (
            "Thank you — you seconded it. I'll let the member know privately and invite their "
            f"side; voting opens once they could read it, {when(opens)} at the earliest."
        )
    return "Thank you — you seconded it. The ballot will be in the channel in a moment."


def lapsed(motion: Motion, name: str | None) -> str:
    return (
        f"**A proposal for the group** — lapsed\nThe proposal {motion_text(motion, None, name)} "
        "wasn't seconded in time, so nothing changes."
    )


def cancelled(motion: Motion, reason: CancelReason, name: str | None) -> str:
    why = {
        CancelReason.TARGET_NOT_EXCLUDABLE: "Discord no longer lets me change this member's "
        "access to the channel (their role or permissions changed)",
        CancelReason.EXCLUSION_ENDED: "their time away has already ended",
    }[reason]
    return (
        f"**A proposal for the group** — withdrawn\nThe proposal {motion_text(motion, None, name)}"
        f" can't go ahead: {why}. Nothing changes, and nothing about it is kept."
    )


def notice(
    place: str, meetings: int, titles: list[str], opens: datetime, settings: DecisionSettings
) -> str:
    return (
        f"Hello — this is a private note from {place}. I'm sorry this isn't easier news. A "
        f"member proposed, and another seconded, that you sit out {meetings_text(meetings)} of "
        f"the group. The earlier notes were about {guideline_list(titles)}.\n"
        "Before anyone votes, you're invited to give your side: press **Give my side**. The "
        "members voting will read it with the ballot, and it's deleted when the vote closes. "
        f"Voting opens {when(opens)} and lasts about {_duration(settings.voting.total_seconds())}."
        f"\nWhatever happens, it would only be for {meetings_text(meetings)}, and you'd be "
        "welcomed back on your own."
    )


def _duration(seconds: float) -> str:
    hours = round(seconds / 3600)
    if hours >= 48 and hours % 24 == 0:
        return plural(hours // 24, "day")
    return plural(max(1, hours), "hour")


STATEMENT_THANKS = (
    "Thank you. The members voting will read your words with the ballot, and they'll be "
    "deleted when the vote closes. You can change them until then."
)
STATEMENT_LABEL = "What would you like the group to know?"
STATEMENT_TITLE = "Your side"


# --- ballots -----------------------------------------------------------------------------------


def ballot(
    motion: Motion,
    mention: str | None,
    statement: str | None,
    threshold: Threshold,
    quorum: int,
    closes: datetime,
    name: str | None,
    no_side: str | None = None,
) -> str:
    """``no_side``: why there is no statement when the member couldn't give one."""
    lines = [f"**Secret ballot**\nShould the group agree {motion_text(motion, mention, name)}?"]
    if isinstance(motion, ExcludeMember):
        if statement:
            quoted = "\n".join(f"> {line}" for line in statement.splitlines())
            lines.append(f"In their own words:\n{quoted}")
        else:
            lines.append(no_side or "They chose not to give a statement.")
    lines.append(
        f"It passes with {threshold_text(threshold)} (abstentions aren't counted), if at least "
        f"{plural(quorum, 'vote')} are cast. Voting closes {when(closes)}."
    )
    lines.append(
        "Your vote is secret and final: nobody can see how anyone voted, and results are shown "
        "only when voting closes."
    )
    return "\n\n".join(lines)


def proposal_decided(motion: Motion, name: str | None) -> str:
    return (
        f"**A proposal for the group** — decided\nThe proposal {motion_text(motion, None, name)} "
        "went to a secret ballot; the result is below."
    )


def ballot_closed(motion: Motion, name: str | None) -> str:
    return (
        f"**Secret ballot** — closed\nThe vote {motion_text(motion, None, name)} has closed; "
        "the result is below."
    )


VOTE_THANKS = (
    "Thank you — your vote is in. It's secret and final: nobody can see how you voted, and it "
    "can't be changed."
)


def result(motion: Motion, outcome: Result, quorum: int, name: str | None) -> str:
    about = motion_text(motion, None, name)
    counts = outcome.counts
    tally = ""
    if counts is not None:
        tally = f" ({counts.yes} yes, {counts.no} no, {counts.abstain} abstained)"
    elif outcome.outcome is not BallotOutcome.NO_QUORUM:
        tally = f" (with fewer than {MIN_BALLOTS_TO_SHOW_COUNTS} votes, only the outcome is shared)"
    if outcome.outcome is BallotOutcome.NO_QUORUM:
        return (
            f"**The vote has closed.** Not enough votes were cast on the proposal {about} "
            f"(at least {quorum} are needed), so nothing changes. Nothing about it is kept."
        )
    if outcome.outcome is BallotOutcome.DEFEATED:
        return (
            f"**The vote has closed.** The proposal {about} did not pass{tally}. Nothing "
            "changes, and nothing about it is kept."
        )
    then = {
        ExcludeMember: "The member will sit out and be welcomed back on their own afterwards; "
        "nothing about it is kept once it's over.",
        WelcomeBack: "They're welcome back from now on.",
        Change: "It takes effect from the next meeting.",
    }[type(motion)]
    return f"**The vote has closed.** The proposal {about} passed{tally}. {then}"


def excluded(place: str, meetings: int, ends_by: datetime, after_this_meeting: bool = False) -> str:
    starts = (
        " That starts once today's meeting closes: you're welcome to stay until its end."
        if after_this_meeting
        else ""
    )
    return (
        f"Hello — this is a private note from {place}. The group decided, by secret ballot, "
        f"that you sit out {meetings_text(meetings)}.{starts} You're still part of the group, and "
        f"this isn't forever: you can come back once {meetings_text(meetings)} "
        f"{'has' if meetings == 1 else 'have'} been held, and by {when(ends_by)} at the "
        "latest. I'll let you back in on my own and tell you. Nothing about it is kept "
        "afterwards."
    )


def not_carried(place: str) -> str:
    return (
        f"Hello — this is a private note from {place}. The proposal that you sit out meetings "
        "will not go ahead. Nothing changes for you, and nothing about it is kept — the earlier "
        "notes are cleared too."
    )


def welcome_back(place: str) -> str:
    return (
        f"Welcome back. You can join {place} again from now on; the next meeting is yours as "
        "much as anyone's. Nothing about the time away is kept."
    )


def missing_permission_report(names: list[str]) -> str:
    return (
        "I couldn't carry out the group's decision in this channel: I need "
        + ", ".join(f"**{name}**" for name in names)
        + " here. Someone who manages the server can give me that; the group's decision "
        "still ends on its own."
    )


# --- status -------------------------------------------------------------------------------------


def status_line(
    motion: Motion, mention: str | None, state: str, deadline: datetime, name: str | None
) -> str:
    step = {
        "awaiting_second": f"waiting for a second until {when(deadline)}",
        "seconded": f"seconded; voting opens {when(deadline)}",
        "voting": f"voting is open until {when(deadline)}",
    }.get(state, state)
    return f"• A proposal {motion_text(motion, mention, name)} — {step}"


NOTHING_OPEN = "Nothing is being decided right now. `/propose` puts something to the group."


def fraction_text(fraction: Fraction) -> str:
    return f"{fraction.numerator}/{fraction.denominator}"
