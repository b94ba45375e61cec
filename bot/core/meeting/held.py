"""Words Discord refused to post, kept with the meeting so that nothing is skipped.

When the bot cannot post in a meeting's channel any more (a permission taken away), the
runtime hands the effects it could not show to :meth:`MeetingRunner.hold
<bot.core.meeting.runner.MeetingRunner.hold>`: the meeting pauses and keeps them, in order, in
its stored state (so a restart keeps them too). Resuming shows them again
(:class:`~bot.core.meeting.effects.ShowAgain`), leaving out the messages that were already
posted, and then the meeting goes on.

Only words are kept: a notice about the meeting's own status ("paused", "we're continuing"),
the panel and the channel rules describe a moment, and are shown afresh when it resumes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import fields, replace
from datetime import datetime, timedelta

from bot.core.meeting import effects as fx
from bot.core.meeting import time_effects as tfx
from bot.core.meeting.codec import decode, encode
from bot.core.meeting.state import HeldWords, SectionStep

#: Every effect that can be kept, by class name (what ``HeldWords.kind`` holds).
KINDS: dict[str, type[fx.ChannelEffect]] = {
    kind.__name__: kind
    for kind in (
        fx.ExplainCrosstalk,
        fx.PostSection,
        fx.ChooseText,
        fx.PostText,
        fx.OfferReading,
        fx.PostReading,
        fx.AskChair,
        fx.PostAnnouncementCall,
        fx.PostAgendaItem,
        fx.AgendaItemTimeUp,
        fx.BellStart,
        fx.BellEnd,
        fx.SectionTimeUp,
        fx.SectionsSkipped,
        fx.MeetingNote,
        fx.ChairAsked,
        fx.ChairStays,
        fx.ChairHandedOver,
        fx.ChairTakenBack,
        fx.FellowshipBegins,
        fx.FloorGiven,
        fx.FloorEnded,
        fx.FloorFree,
        fx.ShareExtended,
        fx.ShareNote,
        fx.TimeUp,
        fx.PhaseBegins,
        fx.HandLowered,
        # time in the room (bot/core/meeting/waits.py)
        tfx.CountdownBegins,
        tfx.ReaderOffered,
        tfx.AwaitingStart,
        tfx.RunningLate,
        tfx.LateDecided,
        tfx.OfferMoveOn,
        tfx.PlaceholderLeftOut,
    )
}


def keep(unshown: Iterable[tuple[fx.ChannelEffect, int]]) -> tuple[HeldWords, ...]:
    """The words among ``unshown`` (each effect with how many of its messages were posted)."""
    held = []
    for effect, posted in unshown:
        if isinstance(effect, fx.ShowAgain):
            effect = effect.effect
        kind = type(effect).__name__
        if kind in KINDS:
            data = json.dumps(encode(effect), separators=(",", ":"), sort_keys=True)
            held.append(HeldWords(kind, data, max(0, posted)))
    return tuple(held)


def restore(held: HeldWords) -> fx.ChannelEffect:
    """The effect kept in ``held``; ``ValueError`` if it is damaged or unknown."""
    kind = KINDS.get(held.kind)
    if kind is None:
        raise ValueError(f"unknown held effect {held.kind!r}")
    try:
        data = json.loads(held.fields)
    except json.JSONDecodeError as error:
        raise ValueError("a held effect is not valid JSON") from error
    effect = decode(kind, data)
    assert isinstance(effect, fx.ChannelEffect)  # noqa: S101 — decode builds the class asked
    return effect


def again(
    held: Iterable[HeldWords], paused_for: timedelta, step: SectionStep | None
) -> tuple[fx.ShowAgain, ...]:
    """The held words to show on resume. Times that moved with the pause move with them: a
    share's limit and a silence's end by ``paused_for``; the section under way (``step``, as
    it is after the pause) shows when it ends now."""
    shown = []
    for item in held:
        effect = restore(item)
        if isinstance(effect, fx.PostSection) and step is not None and effect.index == step.index:
            effect = replace(effect, ends_at=step.deadline)
        else:
            names = {f.name for f in fields(effect)}
            for name in ("limit_at", "ends_at", "decide_by"):
                value = getattr(effect, name, None) if name in names else None
                if isinstance(value, datetime):
                    effect = replace(effect, **{name: value + paused_for})
        shown.append(fx.ShowAgain(effect, item.posted))
    return tuple(shown)
