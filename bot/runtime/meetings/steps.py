"""Small pieces of a meeting step the service needs: its deadlines written in the step's
transaction, and its effects for the channel."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.meeting.effects import (
    ArmMeetingDeadline,
    CancelMeetingDeadline,
    ChannelEffect,
    Effect,
    ShowAgain,
)
from bot.store.db import Transaction
from bot.store.deadlines import DeadlineRepository


async def write_timers(
    deadlines: DeadlineRepository, tx: Transaction, meeting_id: int, effects: Sequence[Effect]
) -> list[tuple[str, str]]:
    """Arm and cancel the step's deadlines in ``tx``; the ``(kind, key)`` pairs it changed."""
    changed = []
    for effect in effects:
        if isinstance(effect, ArmMeetingDeadline):
            key = f"{meeting_id}:{effect.key}"
            payload = {"meeting": meeting_id, "key": effect.key}
            await deadlines.upsert_in(tx, effect.kind.value, key, effect.at.timestamp(), payload)
            changed.append((effect.kind.value, key))
        elif isinstance(effect, CancelMeetingDeadline):
            key = f"{meeting_id}:{effect.key}"
            await deadlines.cancel_in(tx, effect.kind.value, key)
            changed.append((effect.kind.value, key))
    return changed


def channel_effects(effects: Sequence[Effect]) -> list[ChannelEffect]:
    return [effect for effect in effects if isinstance(effect, ChannelEffect)]


def posted(effect: ChannelEffect) -> int:
    """How many messages of ``effect`` were posted before (words shown again)."""
    return effect.posted if isinstance(effect, ShowAgain) else 0
