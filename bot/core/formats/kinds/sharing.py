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
from bot.core.formats.timing import anchor_said, limit_said, minutes_said
from bot.i18n.message import Msg, msg, msg_n


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
    Order.ROUND: msg("in turn, round the circle"),
    Order.HANDS: msg("by raising a hand, in the order hands went up"),
    Order.CHAIR_PICKS: msg("when the chair calls on them"),
    Order.TAG: msg("each sharer inviting the next"),
    Order.FREE: msg("whenever they are ready, no queue"),
}


def describe_sharing(
    plan: CompiledFormat, section: CompiledSection, values: Mapping[str, str]
) -> list[Msg | str]:
    sharing = section.sharing
    if sharing is None:
        return []
    lines: list[Msg | str] = [timer_said(sharing.timer, speaker=sharing.sharer is not None)]
    for number, phase in enumerate(sharing.phases if sharing.sharer is None else ()):
        lines.append(_phase_words(phase, first=number == 0))
    return lines


def _phase_words(phase: TurnTaking, *, first: bool) -> Msg:
    how = _ORDER_WORDS[phase.order]
    if phase.rounds > 1:
        how = msg_n("{how}, {n} time round", "{how}, {n} times round", phase.rounds, how=how)
    newer = phase.sharers is Sharers.NOT_YET_SHARED
    if first or phase.begins is None:
        said = (
            msg("Members who have not shared yet share {how}", how=how)
            if newer
            else msg("Members share {how}", how=how)
        )
    else:
        moment = anchor_said(phase.begins)
        said = (
            msg(
                "From {moment}: members who have not shared yet share {how}", moment=moment, how=how
            )
            if newer
            else msg("From {moment}: members share {how}", moment=moment, how=how)
        )
    extras: list[Msg] = []
    if phase.first_timers_first:
        extras.append(msg("first-time sharers go first"))
    if phase.not_yet_shared_first:
        extras.append(msg("those who have not shared yet go first"))
    if phase.pass_allowed:
        extras.append(msg("passing is always fine"))
    if not extras:
        return msg("{said}.", said=said)
    more: Msg = extras[0]
    for extra in extras[1:]:
        more = msg("{said}; {more}", said=more, more=extra)
    return msg("{said}: {more}.", said=said, more=more)


def timer_said(timer: ShareTimer, *, speaker: bool = False) -> Msg:
    """The share timer in a sentence: "Each share is up to 3 minutes; gentle notes …"."""
    fair = timer.fair_share
    if timer.limit_seconds is None and fair is None:
        return msg("No time limit.")
    said: Msg
    if timer.limit_seconds is None:
        said = (
            msg("The speaker has no set limit")
            if speaker
            else msg("Each share is without a set limit")
        )
    else:
        limit = limit_said(timer.limit_seconds, timer.low_seconds)
        said = (
            msg("The speaker has {limit}", limit=limit)
            if speaker
            else msg("Each share is {limit}", limit=limit)
        )
    if timer.self_timed:
        said = msg("{said} (each sharer keeps their own time)", said=said)
    clauses: list[Msg] = []
    notes = [_note_words(w.offset_seconds) for w in timer.warnings]
    if notes and not timer.self_timed:
        listed: Msg = notes[0]
        for note in notes[1:]:
            listed = msg("{first}, {rest}", first=listed, rest=note)
        clauses.append(msg("gentle notes {notes}", notes=listed))
    if timer.at_limit is AtLimit.HAND_BACK:
        clauses.append(msg("then the floor goes back to the chair"))
    elif timer.at_limit is AtLimit.NEXT:
        clauses.append(msg("then the next person is invited"))
    for busy in timer.busy_limits:
        clauses.append(
            msg(
                "{length} when {waiting} or more are waiting",
                length=minutes_said(busy.limit_seconds),
                waiting=busy.waiting,
            )
        )
    for role, seconds in timer.role_limits:
        clauses.append(
            msg(
                "the {role} has {length}", role=role.replace("-", " "), length=minutes_said(seconds)
            )
        )
    if fair is not None:
        least = minutes_said(fair.min_seconds)
        clauses.append(
            msg(
                "when time is short, the time left in this part is shared among those here who "
                "haven't shared yet, at least {length} each",
                length=least,
            )
            if fair.by_present
            else msg(
                "when time is short, the time left in this part is shared among those waiting, "
                "at least {length} each",
                length=least,
            )
        )
    for clause in clauses:
        said = msg("{said}; {more}", said=said, more=clause)
    return msg("{said}.", said=said)


def _note_words(offset: int) -> Msg:
    if offset < 0:
        return msg("at {length} left", length=minutes_said(offset))
    if offset == 0:
        return msg("at time")
    return msg("{length} over", length=minutes_said(offset))


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
