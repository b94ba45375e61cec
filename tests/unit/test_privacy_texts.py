"""/privacy's words, and the start-up purge's guard against outages and other shards."""

from __future__ import annotations

from bot.runtime.privacy import ForgetOutcome, WhatIKeep, departed_guilds, shard_owner
from bot.store.groups import GroupRecord
from bot.store.privacy import REGISTRY, Count, GroupTotals, KeptTable, MemberRows
from bot.ui.privacy_words import forget_done_text, forget_preview_text, what_i_keep_text

GROUP = GroupRecord(
    id=3,
    guild_id=10,
    channel_id=555,
    format_id="open-discussion",
    member_role_id=None,
    meetings_held=14,
)


def entry(table: str) -> KeptTable:
    found = REGISTRY.get(table)
    assert found is not None
    return found


def test_a_groups_answer_gives_counts_in_plain_words() -> None:
    report = WhatIKeep(
        group=GROUP,
        totals=GroupTotals(groups=1, meetings_held=14),
        kept=[Count(entry("group_formats"), 2), Count(entry("voters"), 1)],
        yours=[],
    )
    text = what_i_keep_text("en", report, reads_messages=False)
    assert "For this group I keep, right now" in text
    assert "`open-discussion`" in text
    assert "How many meetings it has held: 14" in text
    assert "2 uploaded formats" in text
    assert "1 place on an open vote's roll" in text  # singular
    assert "deleted when the vote closes" in text
    assert "**About you:** nothing" in text
    assert "never ask Discord for message content" in text
    assert "audit log" in text
    assert "<#555>" in text  # how to reach the group
    for word in ("infraction", "warn", "punish", "ban", "moderator", "pseudonym", "hash"):
        assert word not in text.lower()


def test_the_askers_rows_and_hold_mode_are_told_truthfully() -> None:
    report = WhatIKeep(
        group=None,
        totals=GroupTotals(groups=2, meetings_held=30),
        kept=[],
        yours=[MemberRows(entry("concerns"), removable=2, kept=0)],
    )
    text = what_i_keep_text("en", report, reads_messages=True)
    assert "The settings of 2 groups" in text
    assert "in all: 30" in text
    assert "About you, in this server" in text
    assert "2 kind notes sent" in text
    assert "/privacy forget-me" in text
    assert "hold mode" in text
    nobody = WhatIKeep(group=None, totals=GroupTotals(0, 0), kept=[], yours=[])
    assert "no group meets here yet" in what_i_keep_text("en", nobody, reads_messages=False)


def test_forget_me_says_what_goes_and_what_stays_and_why() -> None:
    outcome = ForgetOutcome(
        [
            MemberRows(entry("concerns"), removable=2, kept=0),
            MemberRows(entry("exclusions"), removable=0, kept=1),
        ]
    )
    preview = forget_preview_text("en", outcome)
    assert "2 kind notes" in preview
    assert "stay until they end on their own" in preview
    assert "sit out a meeting or two is in force" in preview
    assert "can't be undone" in preview
    done = forget_done_text("en", outcome)
    assert done.startswith("Done. I deleted:")
    assert "Still in force" in done
    empty = ForgetOutcome([MemberRows(entry("concerns"), 0, 0)])
    assert "nothing here that I could delete" in forget_preview_text("en", empty)
    assert "nothing keyed to you to delete" in forget_done_text("en", empty)
    assert "I keep nothing about you in this server now" in forget_done_text("en", empty)


def test_only_servers_the_gateway_said_we_left_are_purged() -> None:
    stored = [1, 2, 3]
    # 2 is unavailable (an outage): discord.py still lists it in bot.guilds.
    assert departed_guilds(stored, connected=[1, 2]) == {3}
    assert departed_guilds(stored, connected=[1, 2, 3]) == set()
    assert departed_guilds([], connected=[]) == set()


def test_a_shard_only_purges_its_own_servers() -> None:
    mine = shard_owner(shard_id=1, shard_count=2)
    guild_on_shard_1 = (5 << 22) | 123  # (id >> 22) % 2 == 1
    guild_on_shard_0 = 4 << 22
    assert mine(guild_on_shard_1)
    assert not mine(guild_on_shard_0)
    assert departed_guilds([guild_on_shard_0, guild_on_shard_1], [], mine) == {guild_on_shard_1}
    assert shard_owner(None, None)(guild_on_shard_0)


def test_long_answers_fit_in_one_discord_message() -> None:
    many = ForgetOutcome([MemberRows(entry("concerns"), removable=1, kept=1)] * 40)
    assert len(forget_preview_text("en", many)) <= 2000
    assert len(forget_done_text("en", many)) <= 2000
    report = WhatIKeep(
        group=GROUP,
        totals=GroupTotals(1, 1),
        kept=[Count(entry("concerns"), n) for n in range(1, 60)],
        yours=[],
    )
    assert len(what_i_keep_text("en", report, reads_messages=False)) <= 4096
