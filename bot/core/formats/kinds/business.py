"""The ``business`` kind: a group conscience meeting with an agenda, motions and votes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import Field, PlainValidator

from bot.core.formats import parsing
from bot.core.formats.fields import Duration, Shorthand, Spec, TermValue, TextValue, WhoValue
from bot.core.formats.kinds.base import Draft, KindSpec, WithIntro
from bot.core.formats.parsing import MAJORITY
from bot.core.formats.plan import (
    AgendaItem,
    BusinessRules,
    CompiledFormat,
    CompiledSection,
    SectionKind,
    Term,
    TermUnit,
    Threshold,
    VoteMethod,
    WhoKind,
)
from bot.core.formats.roles import who_said
from bot.core.formats.timing import minutes_said
from bot.i18n.message import Msg, msg, msg_n


class AgendaItemSpec(Shorthand):
    shorthand_key = "item"

    item: Annotated[str, Field(min_length=1, max_length=200)]
    time: Duration | None = None
    by: WhoValue | None = None
    elect: WhoValue | None = None  # an election for this service role, during the item
    term: TermValue | None = None  # the elected member's term (else the role's own)


ThresholdValue = Annotated[Threshold, PlainValidator(parsing.parse_threshold)]


class MotionRules(Spec):
    second: bool = True
    discussion: Duration | None = None
    vote: VoteMethod = VoteMethod.SECRET
    threshold: ThresholdValue = MAJORITY
    quorum: Annotated[int, Field(ge=1, le=1000)] | None = None
    voting: Duration = 120  # how long a secret ballot stays open; the chair may close it sooner


class BusinessSection(WithIntro):
    business: TextValue | None = None
    agenda: list[AgendaItemSpec] = Field(default_factory=list, max_length=30)
    motions: MotionRules = MotionRules()


def _item(spec: AgendaItemSpec, number: int, draft: Draft) -> AgendaItem:
    path = (*draft.path, "agenda", number)
    elect = spec.elect
    if elect is not None and draft.parts.who(elect).kind is not WhoKind.ROLE:
        draft.report(
            (*path, "elect"),
            msg("'{elect}' is not a service role to elect", elect=elect),
            msg("name one of the format's roles, like secretary"),
        )
        elect = None
    if spec.term is not None and spec.elect is None:
        draft.report(
            (*path, "term"), msg("a term needs an election"), msg("add elect: with the role")
        )
    who = draft.parts.who(spec.by) if spec.by else None
    return AgendaItem(spec.item, spec.time, who, elect, spec.term if elect else None)


def _compile(spec: BusinessSection, draft: Draft) -> None:
    agenda = tuple(_item(item, n, draft) for n, item in enumerate(spec.agenda))
    motions = spec.motions
    if not 30 <= motions.voting <= 3600:
        draft.report(
            (*draft.path, "motions", "voting"),
            msg("a ballot stays open between 30 seconds and an hour"),
            msg("write it like 2m"),
        )
    draft.extras["business"] = BusinessRules(
        agenda=agenda,
        second_required=motions.second,
        discussion_seconds=motions.discussion,
        vote=motions.vote,
        threshold=motions.threshold,
        quorum=motions.quorum,
        voting_seconds=min(max(motions.voting, 30), 3600),
    )
    item_times = [item.time for item in spec.agenda]
    if draft.time_box is None:
        # Without time: it takes what is left, unless every agenda item has a time.
        draft.elastic = not item_times or None in item_times
        draft.planned = 0 if draft.elastic else sum(t or 0 for t in item_times) + draft.planned


def _describe(
    plan: CompiledFormat, section: CompiledSection, values: Mapping[str, str]
) -> list[Msg | str]:
    rules = section.business
    if rules is None:
        return []
    lines: list[Msg | str] = [msg("Agenda:")] if rules.agenda else []
    for number, item in enumerate(rules.agenda, start=1):
        line: Msg | str = f"  {number}. {item.title}"
        if item.time_box_seconds:
            line = msg("{item} ({length})", item=line, length=minutes_said(item.time_box_seconds))
        if item.who:
            line = msg("{item} — {who}", item=line, who=who_said(item.who, plan.roles))
        lines.append(line)
        if item.elect:
            role = plan.role(item.elect)
            title = (role.title if role else item.elect).lower()
            lines.append(_election(title, item.term or (role.term if role else None)))
    lines.append(_motions(rules))
    return lines


def _election(title: str, term: Term | None) -> Msg:
    if term is None:
        return msg("     An election for our {role}.", role=title)
    if term.unit is TermUnit.MONTHS:
        return msg_n(
            "     An election for our {role} for {n} month.",
            "     An election for our {role} for {n} months.",
            term.count,
            role=title,
        )
    return msg_n(
        "     An election for our {role} for {n} meeting.",
        "     An election for our {role} for {n} meetings.",
        term.count,
        role=title,
    )


def _threshold(rules: BusinessRules) -> Msg | str:
    said = rules.threshold.describe()
    if said == "a majority":
        return msg("a majority")
    if said == "two-thirds":
        return msg("two-thirds")
    return said  # "60%"


def _motions(rules: BusinessRules) -> Msg:
    """How motions are handled, in a few whole sentences."""
    secret = rules.vote.value == "secret"
    talk = minutes_said(rules.discussion_seconds) if rules.discussion_seconds else None
    share = _threshold(rules)
    if rules.second_required:
        decided = (
            (
                msg(
                    "Motions need a second, then are discussed (up to {length}) and decided by a "
                    "secret ballot; {share} of the votes cast carries.",
                    length=talk,
                    share=share,
                )
                if secret
                else msg(
                    "Motions need a second, then are discussed (up to {length}) and decided by a "
                    "show of hands; {share} of the votes cast carries.",
                    length=talk,
                    share=share,
                )
            )
            if talk
            else (
                msg(
                    "Motions need a second, then are discussed and decided by a secret ballot; "
                    "{share} of the votes cast carries.",
                    share=share,
                )
                if secret
                else msg(
                    "Motions need a second, then are discussed and decided by a show of hands; "
                    "{share} of the votes cast carries.",
                    share=share,
                )
            )
        )
    elif talk:
        decided = (
            msg(
                "Motions are discussed (up to {length}) and decided by a secret ballot; {share} "
                "of the votes cast carries.",
                length=talk,
                share=share,
            )
            if secret
            else msg(
                "Motions are discussed (up to {length}) and decided by a show of hands; {share} "
                "of the votes cast carries.",
                length=talk,
                share=share,
            )
        )
    else:
        decided = (
            msg(
                "Motions are discussed and decided by a secret ballot; {share} of the votes cast "
                "carries.",
                share=share,
            )
            if secret
            else msg(
                "Motions are discussed and decided by a show of hands; {share} of the votes cast "
                "carries.",
                share=share,
            )
        )
    if rules.quorum:
        decided = msg(
            "{said} {more}",
            said=decided,
            more=msg_n(
                "At least {n} vote is needed.", "At least {n} votes are needed.", rules.quorum
            ),
        )
    ballot = msg(
        "A ballot stays open {length}, unless the chair closes it.",
        length=minutes_said(rules.voting_seconds),
    )
    return msg("{said} {more}", said=decided, more=ballot)


def describe_term(term: Term | None) -> str:
    """The words after a role's name: ' for 6 months', ' for 4 meetings', or nothing."""
    if term is None:
        return ""
    unit = "month" if term.unit is TermUnit.MONTHS else "meeting"
    return f" for {term.count} {unit}{'s' if term.count != 1 else ''}"


BUSINESS = KindSpec(
    SectionKind.BUSINESS,
    BusinessSection,
    "Business meeting",
    compile=_compile,
    describe=_describe,
)
