"""The words of a live business meeting: short, plain, kind, and true — as messages
(:class:`~bot.i18n.Msg`), rendered in the group's language for the channel and in the member's
for a private reply (docs/translating.md).

Results give counts only: nobody is ever named as having voted, or voted one way. The only
names said are the candidates' in an election (they chose to stand) and the elected member's.
A member's motion is shown as they wrote it, cut to :data:`~bot.core.business.MOTION_LIMIT`
characters, on one line, with invisible and formatting characters taken out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from fractions import Fraction

from bot.core.business import MOTION_LIMIT, Outcome, Refusal, Result
from bot.core.formats.plan import Term, TermUnit, Threshold
from bot.core.wording import day_month_year
from bot.i18n import Msg, msg, msg_n
from bot.runtime.markup import echo, when

MOTION_PROMPT = msg(
    "Anything for the group to decide during this part? Any member may press **Make a "
    "motion**; another member seconds it, we talk it over, and then we vote by secret ballot."
)
MODAL_TITLE = msg("Make a motion")
MODAL_LABEL = msg("Your motion, in a sentence or two")
MODAL_PLACEHOLDER = msg("I move that we …")

MOVED = msg("Thank you — your motion is posted. It needs a second from another member.")
MOVED_NO_SECOND = msg("Thank you — your motion is posted, and it's open for discussion.")
SECONDED = msg("Thank you for seconding. The motion is open for discussion.")
TO_TABLE_SECONDED = msg("Thank you for seconding. The ballot on tabling the motion is open.")
WITHDRAWN = msg("Your motion is withdrawn. Thank you.")
TABLED = msg("The motion is tabled, for a later meeting.")
MOVED_TO_TABLE = msg("Thank you — your motion to table is posted. It needs a second.")
CALLED = msg("The ballot is open.")
CLOSED = msg("The ballot is closed and the result is posted.")
VOTED = msg(
    "Thank you — your vote is counted. It's secret: nobody can see how you voted, and it can't "
    "be changed."
)
STOOD = msg("Thank you for standing. Your name is on the list.")
STOOD_DOWN = msg("Your name is off the list. Thank you for considering it.")

REFUSALS = {
    Refusal.GONE: msg("This has already been decided, withdrawn or tabled. Nothing changed."),
    Refusal.OWN_MOTION: msg(
        "A motion needs a second from another member, so you can't second your own. "
        "Nothing changed."
    ),
    Refusal.SECONDED: msg("This motion has already been seconded — thank you."),
    Refusal.NOT_THE_MOVER: msg(
        "Only the member who moved this motion can withdraw it. Nothing changed."
    ),
    Refusal.TOO_LATE: msg(
        "The vote on this motion has begun, so it can't be withdrawn or tabled now."
    ),
    Refusal.NOT_YET: msg("This motion needs a second first. Nothing changed."),
    Refusal.VOTING: msg("The ballot is already open."),
    Refusal.NOT_VOTING: msg("This ballot is closed. Nothing changed."),
    Refusal.ALREADY_STANDING: msg("You're already standing — thank you."),
    Refusal.NOT_STANDING: msg("You're not standing in this election, so there's nothing to undo."),
    Refusal.FULL: msg("Ten members are standing already, which is as many as one ballot can hold."),
    Refusal.NO_CANDIDATES: msg("Nobody has stood yet, so there's no one to vote for."),
    Refusal.NOT_A_CANDIDATE: msg("That isn't a choice on this ballot. Nothing changed."),
}
CHAIR_ONLY = msg(
    "Only today's chair can do that. If the chair seems to be away, the meeting panel has "
    "**Step in as chair**. Nothing changed."
)
NOT_ON_ROLL = msg(
    "The list of voters was fixed when this ballot opened, and you weren't on it, so I can't "
    "take your vote. Nothing changed."
)
ALREADY_VOTED = msg(
    "You've already voted on this, and a vote can't be changed — that's part of keeping it "
    "secret. Thank you for taking part."
)
NO_MEETING = msg("This meeting has ended, so there's nothing to do here now. Nothing changed.")
NOT_BUSINESS_NOW = msg(
    "Motions are made during the business part of the meeting, and we're not in it right now. "
    "Nothing changed."
)
ONE_AT_A_TIME = msg(
    "There's a motion before the group already. Let's finish with it first (vote, withdraw or "
    "table it), then you're welcome to make yours. Nothing changed."
)
EMPTY_MOTION = msg("The motion was empty, so nothing was posted.")
OLD_BUTTON = msg("That button is from an older version. Nothing changed.")

#: What a role is called when the format no longer names it.
SERVICE_ROLE = msg("service role")
#: Who a candidate is when Discord no longer shows them.
A_MEMBER = msg("a member")

# --- button labels (in the group's language: they are on the channel's messages) -----------------

MAKE_A_MOTION = msg("Make a motion")
SECOND = msg("Second")
CALL_THE_VOTE = msg("Call the vote (chair)")
MOVE_TO_TABLE = msg("Move to table")
WITHDRAW = msg("Withdraw (mover)")
TABLE_IT = msg("Table it (chair)")
YES = msg("Yes")
NO = msg("No")
ABSTAIN = msg("Abstain")
CLOSE_THE_VOTE = msg("Close the vote (chair)")
STAND = msg("I'd like to serve")
STAND_DOWN = msg("Take my name off")
OPEN_THE_BALLOT = msg("Open the ballot (chair)")


def motion_words(words: str) -> str:
    """A member's motion, safe to show: one line, no invisible or formatting characters."""
    return echo(re.sub(r"\s+", " ", words), MOTION_LIMIT)


def motion(item: int, words: str, *, needs_second: bool, until: datetime | None) -> Msg:
    if needs_second:
        return msg(
            "**A motion** (agenda item {number}): “{words}”\nIt needs a second from another "
            "member: press **Second** if you do.",
            number=item + 1,
            words=words,
        )
    return msg(
        "**A motion** (agenda item {number}): “{words}”\n{discussion}",
        number=item + 1,
        words=words,
        discussion=discussion(until),
    )


def discussion(until: datetime | None) -> Msg:
    if until is None:
        return msg(
            "The motion is open for discussion: please speak one at a time, kindly. The chair "
            "calls the vote when the group is ready."
        )
    return msg(
        "The motion is open for discussion until {time}: please speak one at a time, kindly. "
        "The chair calls the vote when the group is ready.",
        time=when(until),
    )


def seconded(until: datetime | None) -> Msg:
    return msg("The motion is seconded — thank you. {discussion}", discussion=discussion(until))


def to_table() -> Msg:
    return msg(
        "**A motion to table** the motion above, leaving it for a later meeting. It needs a "
        "second from another member; then we vote on it at once, without discussion."
    )


#: What a ballot decides, in its heading.
ON_THE_MOTION = msg("**Secret ballot: the motion above.**")
ON_TABLING = msg("**Secret ballot: tabling the motion.**")


def on_the_election(title: Msg | str) -> Msg:
    return msg("**Secret ballot: our {role}.**", role=title)


def ballot(heading: Msg, closes: datetime | None, choices: Msg) -> Msg:
    if closes is None:
        return msg(
            "{heading} {choices} One vote each, and it can't be changed. Nobody can see how "
            "anyone votes; only the totals are posted.",
            heading=heading,
            choices=choices,
        )
    return msg(
        "{heading} {choices} One vote each, and it can't be changed. Nobody can see how anyone "
        "votes; only the totals are posted. It closes {time}, or when the chair closes it.",
        heading=heading,
        choices=choices,
        time=when(closes),
    )


MOTION_CHOICES = msg("Press **Yes**, **No** or **Abstain**.")
ELECTION_CHOICES = msg("Press the name of the member you'd like, or **Abstain**.")

WITHDRAWN_ROOM = msg("The member who moved the motion has withdrawn it.")
TABLED_ROOM = msg("The chair has tabled the motion. It can come back at a later meeting.")
LOST_IN_RESTART = msg(
    "I restarted just as a motion was being posted, and its words didn't reach the channel. "
    "Would the member who made it please make it again? I'm sorry for the trouble."
)
LEFT_FOR_LATER = msg(
    "The business part ended before the motion came to a vote, so it's left for a later meeting."
)


def election(
    title: Msg | str, term: Term | None, until: date | None, standing: Sequence[str]
) -> Msg:
    if not standing:
        return msg(
            "**Electing our {role}**{term}. Would you like to serve? Press **I'd like to "
            "serve**. Standing so far: nobody yet. The chair opens the ballot when everyone "
            "who'd like to has stood.",
            role=title,
            term=term_words(term, until),
        )
    return msg(
        "**Electing our {role}**{term}. Would you like to serve? Press **I'd like to serve**. "
        "Standing so far: {names}. The chair opens the ballot when everyone who'd like to has "
        "stood.",
        role=title,
        term=term_words(term, until),
        names=", ".join(standing),
    )


def election_not_held(title: Msg | str) -> Msg:
    return msg(
        "The election for our {role} didn't come to a vote today. It can be held next time.",
        role=title,
    )


def term_words(term: Term | None, until: date | None) -> Msg | str:
    """The term, said after the role's name (", for 2 months (until 5 March 2026)"); "" when
    the role has none."""
    if term is None:
        return ""
    if term.unit is TermUnit.MEETINGS:
        return msg_n(", for {n} meeting", ", for {n} meetings", term.count)
    if until is None:
        return msg_n(", for {n} month", ", for {n} months", term.count)
    return msg_n(
        ", for {n} month (until {date})",
        ", for {n} months (until {date})",
        term.count,
        date=day_month_year(until),
    )


def skipped(role: Msg | str, item: str) -> Msg:
    return msg("No {role} today, so we'll leave “{item}” for next time.", role=role, item=item)


def threshold_words(threshold: Threshold) -> Msg:
    """What a ballot needs: "a majority", "two-thirds", "60%"."""
    if threshold.fraction == Fraction(1, 2) and threshold.strictly_more:
        return msg("a majority")
    if threshold.fraction == Fraction(2, 3):
        return msg("two-thirds")
    return msg("{percent}%", percent=round(float(threshold.fraction) * 100))


def _counts(result: Result) -> Msg:
    return msg(
        "Yes {yes}, No {no}, Abstain {abstain}",
        yes=result.yes,
        no=result.no,
        abstain=result.abstain,
    )


def _no_quorum(result: Result, quorum: int | None) -> Msg:
    return msg(
        "We needed at least {quorum} votes and {cast} were cast, so nothing is decided today; "
        "it can come back at a later meeting.",
        quorum=quorum,
        cast=result.cast,
    )


def motion_result(result: Result, threshold: Threshold, quorum: int | None) -> Msg:
    if result.outcome is Outcome.NO_QUORUM:
        return msg("**The ballot is closed.** {why}", why=_no_quorum(result, quorum))
    if result.outcome is Outcome.CARRIED:
        return msg(
            "**The motion carried** ({counts}). It needed {threshold} of the yes and no votes.",
            counts=_counts(result),
            threshold=threshold_words(threshold),
        )
    return msg(
        "**The motion did not carry** ({counts}). It needed {threshold} of the yes and no votes.",
        counts=_counts(result),
        threshold=threshold_words(threshold),
    )


def table_result(result: Result, quorum: int | None) -> Msg:
    if result.outcome is Outcome.NO_QUORUM:
        return msg(
            "**The ballot on tabling is closed.** {why} The motion stays before us.",
            why=_no_quorum(result, quorum),
        )
    if result.outcome is Outcome.CARRIED:
        return msg(
            "**The motion to table carried** ({counts}): the motion is left for a later meeting.",
            counts=_counts(result),
        )
    return msg(
        "**The motion to table did not carry** ({counts}): the motion stays before us.",
        counts=_counts(result),
    )


def election_result(
    result: Result,
    title: Msg | str,
    names: Sequence[str],
    term: Term | None,
    until: date | None,
    threshold: Threshold,
    quorum: int | None,
) -> Msg:
    tally = ", ".join(f"{name} {votes}" for name, votes in zip(names, result.votes, strict=False))
    counts = msg("Votes: {tally}; Abstain {abstain}.", tally=tally, abstain=result.abstain)
    if result.outcome is Outcome.NO_QUORUM:
        return msg(
            "**The ballot for our {role} is closed.** {why}",
            role=title,
            why=_no_quorum(result, quorum),
        )
    if result.outcome is Outcome.ELECTED and result.winner is not None:
        return msg(
            "**{name} is elected our {role}**{term}. Thank you, {name}, and thank you to "
            "everyone who stood. {counts}",
            name=names[result.winner],
            role=title,
            term=term_words(term, until),
            counts=counts,
        )
    if result.tie:
        return msg(
            "**No one is elected our {role} today**: there was a tie. The group may hold the "
            "election again next time. {counts}",
            role=title,
            counts=counts,
        )
    return msg(
        "**No one is elected our {role} today**: nobody had {threshold} of the votes for "
        "candidates. The group may hold the election again next time. {counts}",
        role=title,
        threshold=threshold_words(threshold),
        counts=counts,
    )
