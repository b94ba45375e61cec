"""The ``business`` kind: a group conscience meeting with an agenda, motions and votes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import Field, PlainValidator

from bot.core.formats import parsing
from bot.core.formats.fields import Duration, Shorthand, Spec, TextValue, WhoValue
from bot.core.formats.kinds.base import Draft, KindSpec, WithIntro
from bot.core.formats.parsing import MAJORITY
from bot.core.formats.plan import (
    AgendaItem,
    BusinessRules,
    CompiledFormat,
    CompiledSection,
    SectionKind,
    Threshold,
    VoteMethod,
)
from bot.core.formats.timing import minutes


class AgendaItemSpec(Shorthand):
    shorthand_key = "item"

    item: Annotated[str, Field(min_length=1, max_length=200)]
    time: Duration | None = None
    by: WhoValue | None = None


ThresholdValue = Annotated[Threshold, PlainValidator(parsing.parse_threshold)]


class MotionRules(Spec):
    second: bool = True
    discussion: Duration | None = None
    vote: VoteMethod = VoteMethod.SECRET
    threshold: ThresholdValue = MAJORITY
    quorum: Annotated[int, Field(ge=1, le=1000)] | None = None


class BusinessSection(WithIntro):
    business: TextValue | None = None
    agenda: list[AgendaItemSpec] = Field(default_factory=list, max_length=30)
    motions: MotionRules = MotionRules()


def _compile(spec: BusinessSection, draft: Draft) -> None:
    agenda = tuple(
        AgendaItem(item.item, item.time, draft.parts.who(item.by) if item.by else None)
        for item in spec.agenda
    )
    motions = spec.motions
    draft.extras["business"] = BusinessRules(
        agenda=agenda,
        second_required=motions.second,
        discussion_seconds=motions.discussion,
        vote=motions.vote,
        threshold=motions.threshold,
        quorum=motions.quorum,
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
    vote = "a secret ballot" if rules.vote.value == "secret" else "a show of hands"
    lines.append(
        f"Motions {'need a second, then ' if rules.second_required else ''}are discussed"
        + (f" (up to {minutes(rules.discussion_seconds)})" if rules.discussion_seconds else "")
        + f" and decided by {vote}; {rules.threshold.describe()} of the votes cast carries."
        + (f" At least {rules.quorum} votes are needed." if rules.quorum else "")
    )
    return lines


BUSINESS = KindSpec(
    SectionKind.BUSINESS,
    BusinessSection,
    "Business meeting",
    compile=_compile,
    describe=_describe,
)
