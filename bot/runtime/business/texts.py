"""The words of a live business meeting: short, plain, kind, and true.

Results give counts only: nobody is ever named as having voted, or voted one way. The only
names said are the candidates' in an election (they chose to stand) and the elected member's.
A member's motion is shown as they wrote it, cut to :data:`~bot.core.business.MOTION_LIMIT`
characters, on one line, with invisible and formatting characters taken out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime

from bot.core.business import MOTION_LIMIT, Outcome, Refusal, Result
from bot.core.formats.plan import Term, TermUnit, Threshold
from bot.runtime.markup import echo, when

MOTION_PROMPT = (
    "Anything for the group to decide during this part? Any member may press **Make a "
    "motion**; another member seconds it, we talk it over, and then we vote by secret ballot."
)
MODAL_TITLE = "Make a motion"
MODAL_LABEL = "Your motion, in a sentence or two"
MODAL_PLACEHOLDER = "I move that we …"

MOVED = "Thank you — your motion is posted. It needs a second from another member."
MOVED_NO_SECOND = "Thank you — your motion is posted, and it's open for discussion."
SECONDED = "Thank you for seconding. The motion is open for discussion."
TO_TABLE_SECONDED = "Thank you for seconding. The ballot on tabling the motion is open."
WITHDRAWN = "Your motion is withdrawn. Thank you."
TABLED = "The motion is tabled, for a later meeting."
MOVED_TO_TABLE = "Thank you — your motion to table is posted. It needs a second."
CALLED = "The ballot is open."
CLOSED = "The ballot is closed and the result is posted."
VOTED = (
    "Thank you — your vote is counted. It's secret: nobody can see how you voted, and it can't "
    "be changed."
)
STOOD = "Thank you for standing. Your name is on the list."
STOOD_DOWN = "Your name is off the list. Thank you for considering it."

REFUSALS = {
    Refusal.GONE: "This has already been decided, withdrawn or tabled. Nothing changed.",
    Refusal.OWN_MOTION: (
        "A motion needs a second from another member, so you can't second your own. "
        "Nothing changed."
    ),
    Refusal.SECONDED: "This motion has already been seconded — thank you.",
    Refusal.NOT_THE_MOVER: (
        "Only the member who moved this motion can withdraw it. Nothing changed."
    ),
    Refusal.TOO_LATE: (
        "The vote on this motion has begun, so it can't be withdrawn or tabled now."
    ),
    Refusal.NOT_YET: "This motion needs a second first. Nothing changed.",
    Refusal.VOTING: "The ballot is already open.",
    Refusal.NOT_VOTING: "This ballot is closed. Nothing changed.",
    Refusal.ALREADY_STANDING: "You're already standing — thank you.",
    Refusal.NOT_STANDING: "You're not standing in this election, so there's nothing to undo.",
    Refusal.FULL: "Ten members are standing already, which is as many as one ballot can hold.",
    Refusal.NO_CANDIDATES: "Nobody has stood yet, so there's no one to vote for.",
    Refusal.NOT_A_CANDIDATE: "That isn't a choice on this ballot. Nothing changed.",
}
CHAIR_ONLY = (
    "Only today's chair can do that. If the chair seems to be away, the meeting panel has "
    "**Step in as chair**. Nothing changed."
)
NOT_ON_ROLL = (
    "The list of voters was fixed when this ballot opened, and you weren't on it, so I can't "
    "take your vote. Nothing changed."
)
ALREADY_VOTED = (
    "You've already voted on this, and a vote can't be changed — that's part of keeping it "
    "secret. Thank you for taking part."
)
NO_MEETING = "This meeting has ended, so there's nothing to do here now. Nothing changed."
NOT_BUSINESS_NOW = (
    "Motions are made during the business part of the meeting, and we're not in it right now. "
    "Nothing changed."
)
ONE_AT_A_TIME = (
    "There's a motion before the group already. Let's finish with it first (vote, withdraw or "
    "table it), then you're welcome to make yours. Nothing changed."
)
EMPTY_MOTION = "The motion was empty, so nothing was posted."


def motion_words(words: str) -> str:
    """A member's motion, safe to show: one line, no invisible or formatting characters."""
    return echo(re.sub(r"\s+", " ", words), MOTION_LIMIT)


def motion(item: int, words: str, *, needs_second: bool, until: datetime | None) -> str:
    head = f"**A motion** (agenda item {item + 1}): “{words}”"
    if needs_second:
        return f"{head}\nIt needs a second from another member: press **Second** if you do."
    return f"{head}\n{discussion(until)}"


def discussion(until: datetime | None) -> str:
    timing = f" until {when(until)}" if until else ""
    return (
        f"The motion is open for discussion{timing}: please speak one at a time, kindly. The "
        "chair calls the vote when the group is ready."
    )


def seconded(until: datetime | None) -> str:
    return "The motion is seconded — thank you. " + discussion(until)


def to_table() -> str:
    return (
        "**A motion to table** the motion above, leaving it for a later meeting. It needs a "
        "second from another member; then we vote on it at once, without discussion."
    )


def ballot(title: str, closes: datetime | None, choices: str) -> str:
    closing = f" It closes {when(closes)}, or when the chair closes it." if closes else ""
    return (
        f"**Secret ballot: {title}.** {choices} One vote each, and it can't be changed. Nobody "
        f"can see how anyone votes; only the totals are posted.{closing}"
    )


MOTION_CHOICES = "Press **Yes**, **No** or **Abstain**."
ELECTION_CHOICES = "Press the name of the member you'd like, or **Abstain**."

WITHDRAWN_ROOM = "The member who moved the motion has withdrawn it."
TABLED_ROOM = "The chair has tabled the motion. It can come back at a later meeting."
LOST_IN_RESTART = (
    "I restarted just as a motion was being posted, and its words didn't reach the channel. "
    "Would the member who made it please make it again? I'm sorry for the trouble."
)
LEFT_FOR_LATER = (
    "The business part ended before the motion came to a vote, so it's left for a later meeting."
)


def election(title: str, term: Term | None, until: date | None, standing: Sequence[str]) -> str:
    names = ", ".join(standing) if standing else "nobody yet"
    return (
        f"**Electing our {title}**{term_words(term, until)}. Would you like to serve? Press "
        f"**I'd like to serve**. Standing so far: {names}. The chair opens the ballot when "
        "everyone who'd like to has stood."
    )


def election_not_held(title: str) -> str:
    return f"The election for our {title} didn't come to a vote today. It can be held next time."


def term_words(term: Term | None, until: date | None) -> str:
    if term is None:
        return ""
    if term.unit is TermUnit.MEETINGS:
        return f", for {term.count} meeting{'s' if term.count != 1 else ''}"
    ends = f" (until {until.day} {until:%B %Y})" if until else ""
    return f", for {term.count} month{'s' if term.count != 1 else ''}{ends}"


def skipped(role: str, item: str) -> str:
    return f"No {role} today, so we'll leave “{item}” for next time."


def _counts(result: Result) -> str:
    return f"Yes {result.yes}, No {result.no}, Abstain {result.abstain}"


def _no_quorum(result: Result, quorum: int | None) -> str:
    return (
        f"We needed at least {quorum} votes and {result.cast} were cast, so nothing is decided "
        "today; it can come back at a later meeting."
    )


def motion_result(result: Result, threshold: Threshold, quorum: int | None) -> str:
    if result.outcome is Outcome.NO_QUORUM:
        return f"**The ballot is closed.** {_no_quorum(result, quorum)}"
    verdict = "carried" if result.outcome is Outcome.CARRIED else "did not carry"
    return (
        f"**The motion {verdict}** ({_counts(result)}). It needed {threshold.describe()} of the "
        "yes and no votes."
    )


def table_result(result: Result, quorum: int | None) -> str:
    if result.outcome is Outcome.NO_QUORUM:
        return (
            f"**The ballot on tabling is closed.** {_no_quorum(result, quorum)} The motion stays "
            "before us."
        )
    if result.outcome is Outcome.CARRIED:
        return (
            f"**The motion to table carried** ({_counts(result)}): the motion is left for a "
            "later meeting."
        )
    return f"**The motion to table did not carry** ({_counts(result)}): the motion stays before us."


def election_result(
    result: Result,
    title: str,
    names: Sequence[str],
    term: Term | None,
    until: date | None,
    threshold: Threshold,
    quorum: int | None,
) -> str:
    tally = ", ".join(f"{name} {votes}" for name, votes in zip(names, result.votes, strict=False))
    counts = f"Votes: {tally}; Abstain {result.abstain}."
    if result.outcome is Outcome.NO_QUORUM:
        return f"**The ballot for our {title} is closed.** {_no_quorum(result, quorum)}"
    if result.outcome is Outcome.ELECTED and result.winner is not None:
        name = names[result.winner]
        return (
            f"**{name} is elected our {title}**{term_words(term, until)}. Thank you, {name}, and "
            f"thank you to everyone who stood. {counts}"
        )
    why = (
        "there was a tie"
        if result.tie
        else f"nobody had {threshold.describe()} of the votes for candidates"
    )
    return (
        f"**No one is elected our {title} today**: {why}. The group may hold the election "
        f"again next time. {counts}"
    )
