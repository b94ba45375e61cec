"""A ballot's cost does not grow with the vote (issue 18, item 2): casting through the service
sends SQLite the same few statements whether 5 or 60 ballots are in the box, reads no ballot,
and reads the roll only at the voter's own entry. Counted, not timed: it holds on a busy
machine (``python -m bench ballots`` times it)."""

from __future__ import annotations

from bench.ballots import GUILD, Voter, casting, voting
from bot.core.decisions import Choice
from bot.store import Store

VOTERS = [Voter(2000 + n) for n in range(70)]


async def test_a_ballot_costs_the_same_statements_however_many_were_cast(store: Store) -> None:
    group_id, service, pseudonyms, clock = await casting(store)
    async with store.decisions.transaction() as t:
        await t.insert_proposal(group_id, voting("v1", clock.now()))
        await t.save_roll("v1", [pseudonyms.of(GUILD, v.id) for v in VOTERS])

    async def traced_cast(voter: Voter) -> list[str]:
        statements: list[str] = []
        await store.db.conn.set_trace_callback(statements.append)
        try:
            await service.cast("v1", voter, Choice.YES)
        finally:
            await store.db.conn.set_trace_callback(None)
        return statements

    for voter in VOTERS[:5]:
        await service.cast("v1", voter, Choice.NO)
    early = await traced_cast(VOTERS[5])
    for voter in VOTERS[6:60]:
        await service.cast("v1", voter, Choice.ABSTAIN)
    late = await traced_cast(VOTERS[60])

    assert len(early) == len(late) <= 7  # two reads first; BEGIN, a read, two writes, COMMIT
    for statement in early + late:
        assert "FROM ballots" not in statement  # the box is read only to count it
        assert "FROM voters" not in statement  # the roll only at the voter's own entry …
        if "voters" in statement:
            assert "voter = '" in statement  # … by the voter's key
    assert await store.db.fetchval("SELECT count(*) FROM ballots") == 61
    assert await store.db.fetchval("SELECT count(*) FROM voters WHERE voted = 1") == 61
