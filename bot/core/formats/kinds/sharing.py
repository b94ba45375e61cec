"""Kinds where members share in turn: ``introductions``, ``check-in``, ``check-out``, ``share``.

They differ only by defaults: the first turn-taking order (``share`` goes by raised hands, the
others round the circle), whether members may privately ask to be recognised (introductions),
whether a share counts as having shared (only in open sharing), and their title. The share
timer and its preview words are also used by :mod:`.speaker`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated

from pydantic import Field

from bot.core.formats.fields import PhaseSpec, TextValue, TimerSpec
from bot.core.formats.kinds.base import Draft, Family, KindSpec, WithIntro
from bot.core.formats.plan import (
    Anchor,
    AnchorBase,
    AtLimit,
    CompiledFormat,
    CompiledSection,
    Order,
    SectionKind,
    Sharers,
    ShareTimer,
    Sharing,
    TurnTaking,
    Who,
)
from bot.core.formats.timing import limit_words, minutes, minutes_said
from bot.i18n.message import msg


class SharingSpec(WithIntro, TimerSpec):
    order: Order | None = None
    who_shares: Sharers | None = None
    pass_: bool | None = None
    first_timers_first: bool | None = None
    not_yet_shared_first: bool | None = None
    once_each: bool | None = None
    rounds: Annotated[int, Field(ge=1, le=5)] | None = None
    then: list[PhaseSpec] | None = Field(None, max_length=5)
    private_requests: bool | None = None


class IntroductionsSection(SharingSpec):
    introductions: TextValue | None = None


class CheckInSection(SharingSpec):
    check_in: TextValue | None = None


class CheckOutSection(SharingSpec):
    check_out: TextValue | None = None


class ShareSection(SharingSpec):
    share: TextValue | None = None


# --- compiling -------------------------------------------------------------------------------


def share_timer(spec: TimerSpec, draft: Draft, *, speaker: Who | None = None) -> ShareTimer:
    """The section's share timer, checked against the section's own ``time:``."""
    timer = draft.parts.timer(spec, draft.path, speaker=speaker)
    box = draft.time_box
    if box is not None and timer.limit_seconds and timer.limit_seconds > box:
        draft.report(
            (*draft.path, "time"),
            msg(
                "a {minutes} share cannot fit in this {minutes2} section",
                minutes=minutes_said(timer.limit_seconds),
                minutes2=minutes_said(box),
            ),
            msg("make the section longer or the share limit shorter"),
        )
    return timer


def _turns(order: Order, *, requests: bool, counts: bool) -> Callable[[SharingSpec, Draft], None]:
    """Compile a sharing section whose first order is ``order`` unless it says otherwise;
    ``requests``: members may privately ask to be recognised unless it says otherwise."""

    def compile_sharing(spec: SharingSpec, draft: Draft) -> None:
        timer = share_timer(spec, draft)
        sharing = Sharing(_phases(spec, draft, spec.order or order), timer, counts=counts)
        draft.extras["sharing"] = sharing
        draft.extras["private_requests"] = (
            spec.private_requests
            if spec.private_requests is not None
            else requests or sharing.phases[0].first_timers_first
        )
        draft.elastic = draft.time_box is None

    return compile_sharing


def _phases(spec: SharingSpec, draft: Draft, order: Order) -> tuple[TurnTaking, ...]:
    if spec.rounds is not None and spec.rounds > 1 and order is not Order.ROUND:
        draft.report(
            (*draft.path, "rounds"), msg("rounds: goes with order: round"), msg("remove rounds:")
        )
    phase = TurnTaking(
        order=order,
        sharers=spec.who_shares or Sharers.EVERYONE,
        pass_allowed=True if spec.pass_ is None else spec.pass_,
        first_timers_first=bool(spec.first_timers_first),
        not_yet_shared_first=bool(spec.not_yet_shared_first),
        once_each_first=True if spec.once_each is None else spec.once_each,
        rounds=spec.rounds or 1,
    )
    phases = [phase]
    for change in spec.then or []:
        begins = change.at or Anchor(AnchorBase.SECTION, change.after or 0)
        previous = phases[-1]
        phases.append(
            TurnTaking(
                order=change.order or previous.order,
                sharers=change.who_shares or previous.sharers,
                pass_allowed=previous.pass_allowed if change.pass_ is None else change.pass_,
                first_timers_first=_pick(change.first_timers_first, previous.first_timers_first),
                not_yet_shared_first=_pick(
                    change.not_yet_shared_first, previous.not_yet_shared_first
                ),
                once_each_first=previous.once_each_first,
                rounds=1,
                begins=begins,
            )
        )
    return tuple(phases)


def _pick(value: bool | None, previous: bool) -> bool:
    return previous if value is None else value


# --- describing ------------------------------------------------------------------------------

_ORDER_WORDS = {
    Order.ROUND: "in turn, round the circle",
    Order.HANDS: "by raising a hand, in the order hands went up",
    Order.CHAIR_PICKS: "when the chair calls on them",
    Order.TAG: "each sharer inviting the next",
    Order.FREE: "whenever they are ready, no queue",
}


def describe_sharing(
    plan: CompiledFormat, section: CompiledSection, values: Mapping[str, str]
) -> list[str]:
    sharing = section.sharing
    if sharing is None:
        return []
    lines = [
        timer_words(sharing.timer, "Each share is" if sharing.sharer is None else "The speaker has")
    ]
    for number, phase in enumerate(sharing.phases if sharing.sharer is None else ()):
        lines.append(_phase_words(phase, first=number == 0))
    return lines


def _phase_words(phase: TurnTaking, *, first: bool) -> str:
    start = "" if first or phase.begins is None else f"From {phase.begins.describe()}: "
    who = (
        "members who have not shared yet" if phase.sharers is Sharers.NOT_YET_SHARED else "members"
    )
    words = f"{start}{who.capitalize() if not start else who} share {_ORDER_WORDS[phase.order]}"
    if phase.rounds > 1:
        words += f", {phase.rounds} times round"
    extras = []
    if phase.first_timers_first:
        extras.append("first-time sharers go first")
    if phase.not_yet_shared_first:
        extras.append("those who have not shared yet go first")
    if phase.pass_allowed:
        extras.append("passing is always fine")
    return words + (": " + "; ".join(extras) if extras else "") + "."


def timer_words(timer: ShareTimer, subject: str) -> str:
    """The share timer in a sentence: "Each share is up to 3 minutes; gentle notes …"."""
    fair = timer.fair_share
    if timer.limit_seconds is None and fair is None:
        return "No time limit."
    if timer.limit_seconds is None:
        words = f"{subject} without a set limit"
    else:
        words = f"{subject} {limit_words(timer.limit_seconds, timer.low_seconds)}"
    if timer.self_timed:
        words += " (each sharer keeps their own time)"
    notes = [_note_words(w.offset_seconds) for w in timer.warnings]
    if notes and not timer.self_timed:
        words += "; gentle notes " + ", ".join(notes)
    if timer.at_limit is AtLimit.HAND_BACK:
        words += "; then the floor goes back to the chair"
    elif timer.at_limit is AtLimit.NEXT:
        words += "; then the next person is invited"
    for busy in timer.busy_limits:
        words += f"; {minutes(busy.limit_seconds)} when {busy.waiting} or more are waiting"
    for role, seconds in timer.role_limits:
        words += f"; the {role.replace('-', ' ')} has {minutes(seconds)}"
    if fair is not None:
        among = "those here who haven't shared yet" if fair.by_present else "those waiting"
        words += (
            f"; when time is short, the time left in this part is shared among {among}, "
            f"at least {minutes(fair.min_seconds)} each"
        )
    return words + "."


def _note_words(offset: int) -> str:
    if offset < 0:
        return f"at {minutes(offset)} left"
    return "at time" if offset == 0 else f"{minutes(offset)} over"


def _sharing_kind(
    kind: SectionKind,
    model: type[SharingSpec],
    title: str,
    order: Order,
    *,
    requests: bool = False,
    counts: bool = False,
) -> KindSpec[SharingSpec]:
    return KindSpec(
        kind,
        model,
        title,
        Family.SHARING,
        compile=_turns(order, requests=requests, counts=counts),
        describe=describe_sharing,
        estimated=False,
    )


INTRODUCTIONS = _sharing_kind(
    SectionKind.INTRODUCTIONS, IntroductionsSection, "Introductions", Order.ROUND, requests=True
)
CHECK_IN = _sharing_kind(SectionKind.CHECK_IN, CheckInSection, "Check-in", Order.ROUND)
CHECK_OUT = _sharing_kind(SectionKind.CHECK_OUT, CheckOutSection, "Check-out", Order.ROUND)
SHARE = _sharing_kind(SectionKind.SHARE, ShareSection, "Sharing", Order.HANDS, counts=True)
