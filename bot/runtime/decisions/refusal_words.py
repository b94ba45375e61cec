"""Why a concern, a proposal, a second or a vote is refused, as messages: they travel in the
project's errors (``NotAllowed(msg(…))``) and are shown privately in the member's language.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.decisions import (
    ChancesMissing,
    DecisionRefusal,
    DecisionSettings,
    Ineligible,
    NotEnoughChances,
    Refused,
)
from bot.i18n import Msg, msg, msg_n
from bot.runtime.decisions.port import Unexcludable

CONCERN_UNDELIVERABLE = msg(
    "They don't accept private messages from me, so I couldn't pass the note on. Nothing was "
    "kept. You could invite them to allow messages from server members."
)
NOT_A_BOT = msg("That's a bot, not a member of the group. Nothing was sent.")
NOT_IN_GROUP = msg(
    "They aren't a member of this group (they can't see this channel). Nothing changed."
)
NO_GUIDELINES = msg(
    "This group's format doesn't list any guidelines yet, so there's nothing to send a note "
    "about. The group can adopt a format that has them."
)

_R = DecisionRefusal
_REFUSALS: Mapping[DecisionRefusal, Msg] = {
    _R.UNKNOWN_GUIDELINE: msg(
        "That isn't one of this group's guidelines. Please pick one from the list."
    ),
    _R.ABOUT_YOURSELF: msg(
        "That would be about you — this is for another member. Nothing changed."
    ),
    _R.DUPLICATE_CONCERN: msg(
        "You've already sent them a note at this meeting. If it goes on, you can send another "
        "at a later one."
    ),
    _R.MEMBER_EXCLUDED: msg(
        "They're sitting out meetings right now. They'll be welcomed back on their own, and "
        "nothing more is needed until then."
    ),
    _R.NOT_EXCLUDED: msg(
        "They aren't sitting out any meetings, so there's nothing to welcome them back from."
    ),
    _R.BAD_MEETINGS: msg("A member can be asked to sit out 1 or 2 meetings, never more."),
    _R.PROPOSAL_OPEN: msg(
        "A proposal about this is already under way. `/vote status` shows it; one at a time "
        "keeps things fair."
    ),
    _R.PROPOSER_CANNOT_SECOND: msg(
        "A proposal needs a second from another member. Thank you for waiting."
    ),
    _R.TOO_LATE: msg("That step has closed, so nothing changed."),
    _R.NOT_ON_ROLL: msg(
        "The list of voters was fixed when voting opened, and you weren't on it, so this vote "
        "is for the others. You're welcome in the next one."
    ),
    _R.ALREADY_VOTED: msg("You've already voted on this. Your vote stands, and it stays secret."),
    _R.NOT_THE_MEMBER: msg("Only the member this proposal is about can give their side here."),
    _R.STATEMENT_EMPTY: msg("It looks like that was empty. Nothing was saved."),
    _R.STATEMENT_TOO_LONG: msg("That's a little too long. Please shorten it and send it again."),
}


def refusal(error: Refused, settings: DecisionSettings) -> Msg:
    if isinstance(error, NotEnoughChances):
        return not_enough_chances(error.missing, settings)
    return refused(error.reason)


def refused(reason: DecisionRefusal) -> Msg:
    return _REFUSALS.get(reason, msg("That can't be done right now. Nothing changed."))


def _lacking(missing: ChancesMissing) -> Msg:
    notes = (
        msg_n("{n} more note", "{n} more notes", missing.concerns)
        if missing.concerns
        else msg("notes")
    )
    where = []
    if missing.requesters:
        where.append(msg_n("from {n} more member", "from {n} more members", missing.requesters))
    if missing.meetings:
        where.append(msg_n("at {n} more meeting", "at {n} more meetings", missing.meetings))
    if len(where) == 2:
        return msg(
            "{notes} {members}, {meetings}", notes=notes, members=where[0], meetings=where[1]
        )
    if where:
        return msg("{notes} {where}", notes=notes, where=where[0])
    return notes


def not_enough_chances(missing: ChancesMissing, settings: DecisionSettings) -> Msg:
    return msg(
        "Not yet: before the group votes on asking someone to sit out, they need to have had "
        "chances to change — {notes} from {members} across {meetings}. Still missing: "
        "{lacking}. `/concern` sends a kind note. Nothing was proposed, and nobody was told.",
        notes=msg_n("{n} private note", "{n} private notes", settings.min_concerns),
        members=msg_n(
            "{n} different member", "{n} different members", settings.min_concern_requesters
        ),
        meetings=msg_n("{n} meeting", "{n} meetings", settings.min_concern_meetings),
        lacking=_lacking(missing),
    )


def unexcludable(reason: Unexcludable) -> Msg:
    why = {
        Unexcludable.OWNER: msg("they own this server, and Discord always lets the owner in"),
        Unexcludable.ADMINISTRATOR: msg(
            "they have the Administrator permission, which opens every channel whatever I set"
        ),
        Unexcludable.ROLE_TOO_HIGH: msg(
            "their highest role is at or above mine, so Discord won't let me change their "
            "access (someone who manages roles could move my role higher)"
        ),
    }[reason]
    return msg("I couldn't carry that out: {why}. Nothing was proposed.", why=why)


def missing_permissions(names: list[str]) -> Msg:
    return msg(
        "I couldn't carry out such a decision in this channel: I need {permissions} here. "
        "Someone who manages the server can give me that. Nothing was proposed.",
        permissions=", ".join(f"**{name}**" for name in names),
    )


INELIGIBLE: Mapping[Ineligible, Msg] = {
    Ineligible.BOT: msg("Bots don't vote."),
    Ineligible.NOT_IN_GROUP: msg("This vote is for the members of this group. Nothing changed."),
    Ineligible.CONCERNED_MEMBER: msg(
        "This vote is about you, so you don't vote on it. If you gave your side, the members "
        "voting can read it with the ballot."
    ),
    Ineligible.JOINED_AFTER_PROPOSAL: msg(
        "This vote is for the members who were here when it was proposed. You're very welcome "
        "— you'll be able to vote on the next one."
    ),
    Ineligible.TOO_NEW: msg(
        "Votes are for members who've been in the server for a little while. You're very "
        "welcome here, and you'll be able to vote soon."
    ),
}

SECOND_NOT_MEMBER = msg("Only members of this group can second a proposal. Nothing changed.")
CONCERN_NOT_MEMBER = msg(
    "Notes are for the members of this group to ask for. If you'd like to join, ask the group "
    "how. Nothing was sent."
)
PROPOSE_NOT_MEMBER = msg(
    "Only members of this group can put something to it. If you'd like to join, ask the group "
    "how. Nothing was proposed."
)
VOTE_CLOSED = msg("This vote has closed. The result is in the channel.")
PROPOSAL_CLOSED = msg("This proposal has closed, so there's nothing to do here any more.")
ALREADY_SECONDED = msg("It has already been seconded — thank you.")
ALREADY_THE_FORMAT = msg("That's already the group's format. Nothing was proposed.")
