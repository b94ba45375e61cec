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
from bot.core.formats.timing import minutes
from bot.i18n.message import msg


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
) -> list[str]:
    rules = section.business
    if rules is None:
        return []
    lines = ["Agenda:"] if rules.agenda else []
    for number, item in enumerate(rules.agenda, start=1):
        extra = f" ({minutes(item.time_box_seconds)})" if item.time_box_seconds else ""
        by = f" — {item.who.describe(plan.roles)}" if item.who else ""
        lines.append(f"  {number}. {item.title}{extra}{by}")
        if item.elect:
            role = plan.role(item.elect)
            title = (role.title if role else item.elect).lower()
            term = item.term or (role.term if role else None)
            lines.append(f"     An election for our {title}{describe_term(term)}.")
    vote = "a secret ballot" if rules.vote.value == "secret" else "a show of hands"
    lines.append(
        f"Motions {'need a second, then ' if rules.second_required else ''}are discussed"
        + (f" (up to {minutes(rules.discussion_seconds)})" if rules.discussion_seconds else "")
        + f" and decided by {vote}; {rules.threshold.describe()} of the votes cast carries."
        + (f" At least {rules.quorum} votes are needed." if rules.quorum else "")
        + f" A ballot stays open {minutes(rules.voting_seconds)}, unless the chair closes it."
    )
    return lines


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
