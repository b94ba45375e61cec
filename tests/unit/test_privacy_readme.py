"""The README's "What Peer Circle keeps" says what /privacy says: every registered table is
listed there in the same words, and the intents it names are the ones the bot asks for."""

from __future__ import annotations

from pathlib import Path

from bot.app import intents
from bot.store.privacy import REGISTRY

README = Path(__file__).parents[2] / "README.md"


def section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## What Peer Circle keeps")
    return text[start : text.index("\n## ", start + 1)]


def test_every_registered_table_is_listed_in_the_readme() -> None:
    kept = section()
    missing = [e.table for e in REGISTRY if f"- {e.many} — {e.until}" not in kept]
    assert not missing, f"add a line '- <many> — <until>' for {missing} to the README section"


def test_the_readme_names_the_intents_the_bot_asks_for() -> None:
    kept = section()
    asked = intents()
    assert not asked.message_content
    assert "Not asked for: **Message Content**" in kept
    named = {
        "Guilds": asked.guilds,
        "Server Members": asked.members,
        "Guild Messages": asked.guild_messages,
        "Voice States": asked.voice_states,
    }
    for label, wanted in named.items():
        assert wanted, label
        assert f"| {label}" in kept, label
    assert not asked.presences
    assert not asked.dm_messages
