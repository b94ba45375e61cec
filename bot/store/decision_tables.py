"""The decision feature's tables, declared to the privacy registry: what each holds about
members, and when it goes. Their SQL is in :mod:`bot.store.decisions`, which imports this module
(so the declarations are made, in this order, wherever the store is used)."""

from __future__ import annotations

from bot.store.privacy import KeptTable, Link, in_group, keep, register, through

register(
    KeptTable(
        table="concerns",
        people=("target", "requester"),
        one="kind note sent at a member's request (which guideline, and coded keys for who "
        "asked and who received it)",
        many="kind notes sent at members' requests (which guideline, and coded keys for who "
        "asked and who received them)",
        until="deleted when they expire, after 90 days at most",
        scope=in_group("group_id"),
        expires_at="expires_at",
    )
)

register(
    KeptTable(
        table="proposals",
        people=("target", "proposer"),
        one="open proposal (what it asks, and coded keys for who it is about and, until it is "
        "seconded, who proposed it)",
        many="open proposals (what each asks, and coded keys for who it is about and, until it "
        "is seconded, who proposed it)",
        until="deleted when the vote closes",
        scope=in_group("group_id"),
        # The proposer's key stays until a second (which clears it) or a lapse: no self-second.
        forget=keep(
            "a proposal about you is still open, or one you made is waiting for a second (so you "
            "can't second it yourself): each is deleted when its vote closes or it lapses, and "
            "your key on one you made goes as soon as it is seconded",
            where="(target = :member AND state IN ('awaiting_second', 'seconded', 'voting')) "
            "OR (proposer = :member AND state = 'awaiting_second')",
            clear=("proposer",),
        ),
    )
)

register(
    KeptTable(
        table="voters",
        people=("voter",),
        one="place on an open vote's roll (a coded key and whether it has voted, never how)",
        many="places on open votes' rolls (coded keys and whether each has voted, never how)",
        until="deleted when the vote closes",
        scope=through(Link("proposal_id", "proposals"), Link("group_id", "groups")),
        forget=keep(
            "you already voted: your ballot is anonymous, and your place on the roll is deleted "
            "when the vote closes",
            where="voted = 1",
        ),
    )
)

register(
    KeptTable(
        table="ballots",
        one="secret ballot in an open vote (a random key and a choice; nothing says whose)",
        many="secret ballots in open votes (a random key and a choice; nothing says whose)",
        until="deleted when the vote closes",
        scope=through(Link("proposal_id", "proposals"), Link("group_id", "groups")),
    )
)

register(
    KeptTable(
        table="exclusions",
        people=("target",),
        one="member sitting out the next meeting or two, by the group's decision (a coded key)",
        many="members sitting out the next meeting or two, by the group's decision (coded keys)",
        until="deleted when they are welcomed back, after one or two meetings",
        scope=in_group("group_id"),
        forget=keep(
            "the group's decision that you sit out a meeting or two is in force: it ends on its "
            "own, and then every row about it is deleted"
        ),
    )
)

register(
    KeptTable(
        table="decision_outbox",
        mentions=("payload",),
        one="message or permission change still to be carried out (coded keys only)",
        many="messages or permission changes still to be carried out (coded keys only)",
        until="deleted as soon as each is done",
        scope=in_group("group_id"),
        forget=keep(
            "I still have to carry out a message or permission change for a group decision; it "
            "is deleted as soon as it is done"
        ),
    )
)
