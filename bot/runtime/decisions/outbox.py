"""Discord work as JSON: what the outbox row holds until the work is done.

A :class:`Work` is one Discord effect of the core (or :class:`AdoptFormat`, the runtime's own),
with :class:`About` — the proposal as it was when the effect was decided, because by the time
a result is shown the proposal row is already deleted. Nothing personal goes in: pseudonyms,
opaque ids, guideline keys, outcomes and counts. Never the member's statement (it is read live
from the proposal row, so it disappears when the vote closes).
"""

from __future__ import annotations

import secrets
import typing
from collections.abc import Mapping
from dataclasses import fields
from datetime import datetime
from enum import StrEnum
from fractions import Fraction
from typing import Any

from bot.core.decisions import (
    BallotOutcome,
    CancelReason,
    Change,
    Counts,
    DiscordEffect,
    ExcludeMember,
    Motion,
    Proposal,
    Result,
    Threshold,
    WelcomeBack,
)
from bot.core.decisions import effects as core_effects
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym
from bot.store.decision_rows import to_time


@lazy_dataclass(frozen=True)
class AdoptFormat:
    """The group adopted a format: make it the group's format (safe to repeat)."""

    proposal_id: str
    ref: str


@lazy_dataclass(frozen=True)
class About:
    """What a piece of work needs to know about its proposal."""

    proposal_id: str
    motion: Motion
    threshold: Threshold
    quorum: int
    message_id: int | None = None
    ballot_message_id: int | None = None

    @classmethod
    def of(cls, proposal: Proposal, message_id: int | None, ballot_message_id: int | None) -> About:
        return cls(
            proposal.id,
            proposal.motion,
            proposal.threshold,
            proposal.quorum,
            message_id,
            ballot_message_id,
        )


Task = DiscordEffect | AdoptFormat


@lazy_dataclass(frozen=True)
class Work:
    task: Task
    about: About | None = None
    #: A random key made when the work is queued: the messages it sends carry it as Discord's
    #: enforced nonce, so a retry after a crash (sent, but not yet marked done) sends nothing new.
    key: str = ""


_TASKS: dict[str, type[Task]] = {
    cls.__name__: cls
    for cls in (
        *(
            getattr(core_effects, name)
            for name in dir(core_effects)
            if isinstance(getattr(core_effects, name), type)
            and issubclass(getattr(core_effects, name), DiscordEffect)
            and getattr(core_effects, name) is not DiscordEffect
        ),
        AdoptFormat,
    )
}


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, Result):
        counts = value.counts
        return {
            "outcome": value.outcome.value,
            "counts": None if counts is None else [counts.yes, counts.no, counts.abstain],
        }
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, str | int) or value is None:
        return value
    raise TypeError(f"cannot store {type(value).__name__} in the outbox")


def _decode_value(kind: Any, raw: Any) -> Any:
    if kind is datetime:
        return to_time(float(raw))
    if kind is Result:
        counts = raw["counts"]
        return Result(BallotOutcome(raw["outcome"]), None if counts is None else Counts(*counts))
    if kind is CancelReason:
        return CancelReason(raw)
    if typing.get_origin(kind) is tuple:
        return tuple(raw)
    return raw


def _motion(motion: Motion) -> dict[str, Any]:
    match motion:
        case ExcludeMember(target=target, meetings=meetings, guidelines=guidelines):
            return {
                "kind": "exclude",
                "target": target,
                "meetings": meetings,
                "guidelines": list(guidelines),
            }
        case WelcomeBack(target=target):
            return {"kind": "welcome_back", "target": target}
        case Change(subject=subject, value=value):
            return {"kind": "change", "subject": subject, "value": value}
    raise TypeError(f"unknown motion {motion!r}")


def _motion_from(raw: Mapping[str, Any]) -> Motion:
    if raw["kind"] == "exclude":
        return ExcludeMember(
            Pseudonym(raw["target"]), int(raw["meetings"]), tuple(raw["guidelines"])
        )
    if raw["kind"] == "welcome_back":
        return WelcomeBack(Pseudonym(raw["target"]))
    return Change(raw["subject"], raw["value"])


def encode(work: Work) -> dict[str, Any]:
    task = work.task
    payload: dict[str, Any] = {
        "task": type(task).__name__,
        "fields": {f.name: _encode_value(getattr(task, f.name)) for f in fields(task)},
        "key": work.key or secrets.token_hex(8),
    }
    about = work.about
    if about is not None:
        threshold = about.threshold
        payload["about"] = {
            "proposal_id": about.proposal_id,
            "motion": _motion(about.motion),
            "threshold": [
                threshold.fraction.numerator,
                threshold.fraction.denominator,
                threshold.strict,
            ],
            "quorum": about.quorum,
            "message_id": about.message_id,
            "ballot_message_id": about.ballot_message_id,
        }
    return payload


def decode(payload: Mapping[str, Any]) -> Work:
    cls = _TASKS[payload["task"]]
    hints = typing.get_type_hints(cls)
    values = {
        name: _decode_value(hints[name], raw) for name, raw in dict(payload["fields"]).items()
    }
    task = cls(**values)
    raw_about = payload.get("about")
    about = None
    if raw_about is not None:
        numerator, denominator, strict = raw_about["threshold"]
        about = About(
            proposal_id=raw_about["proposal_id"],
            motion=_motion_from(raw_about["motion"]),
            threshold=Threshold(Fraction(numerator, denominator), bool(strict)),
            quorum=int(raw_about["quorum"]),
            message_id=raw_about["message_id"],
            ballot_message_id=raw_about["ballot_message_id"],
        )
    return Work(task, about, str(payload.get("key", "")))
