"""The sections of a format, one model per kind.

A section is a mapping with exactly one key among :data:`SECTION_KINDS` (``say``, ``read``,
``share`` …): that key says what kind of section it is, and its value is the section's main
argument (the words, the text's name, the length of a silence). The other keys are options.
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any

from pydantic import Discriminator, Field, PlainValidator, Tag, model_validator

from bot.core.formats import parsing
from bot.core.formats.fields import (
    NAME_PATTERN,
    AnchorValue,
    ChannelSpec,
    ConditionSpec,
    CrosstalkSpec,
    Duration,
    PhaseSpec,
    QuietLength,
    Shorthand,
    Spec,
    TextValue,
    TimerSpec,
    WhoValue,
)
from bot.core.formats.parsing import MAJORITY, invalid
from bot.core.formats.plan import Order, Sharers, Threshold, VoteMethod

# --- sections ------------------------------------------------------------------------------


class SectionSpec(Spec):
    """Options every section may have."""

    title: Annotated[str, Field(max_length=100)] | None = None
    by: WhoValue | None = None
    if_: ConditionSpec | None = None
    time: Duration | None = None
    starts: AnchorValue | None = None
    until: AnchorValue | None = None
    crosstalk: CrosstalkSpec | None = None
    channel: ChannelSpec | None = None


class WithIntro(SectionSpec):
    text: TextValue | None = None  # words said as the section begins


class SaySection(SectionSpec):
    say: TextValue


class ReadSection(SectionSpec):
    read: TextValue
    readers: Annotated[int, Field(ge=1, le=10)] = 1
    offer: bool | None = None


class ReciteSection(SectionSpec):
    recite: TextValue


class CollectionSection(SectionSpec):
    collection: TextValue


class ClosingSection(SectionSpec):
    closing: TextValue


class Bells(Spec):
    start: bool = False
    end: bool = False

    @model_validator(mode="before")
    @classmethod
    def _from_words(cls, value: Any) -> Any:
        words = {"none": [], "start": ["start"], "end": ["end"], "both": ["start", "end"]}
        if isinstance(value, bool):
            value = "both" if value else "none"
        if isinstance(value, str):
            if value.strip().lower() not in words:
                raise invalid(
                    f"'{value}' is not a choice of bells", "write start, end, both or none"
                )
            value = words[value.strip().lower()]
        if isinstance(value, list):
            return {str(item): True for item in value}
        return value


class SilenceSection(WithIntro):
    silence: QuietLength
    bells: Bells | None = None


class MeditationSection(WithIntro):
    meditation: QuietLength
    bells: Bells | None = None


class BreakSection(WithIntro):
    break_: Duration


class SpeakerSection(WithIntro, TimerSpec):
    speaker: TextValue | None = None


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


class TopicSection(WithIntro):
    topic: TextValue | None = None
    chosen_by: WhoValue | None = None


class MilestonesSection(WithIntro):
    milestones: TextValue | None = None
    private_requests: bool = True


class AnnouncementsSection(WithIntro):
    announcements: TextValue | None = None
    calls: list[TextValue] | None = Field(None, max_length=5)


class BreakoutSection(WithIntro):
    breakout: TextValue | None = None
    group_size: Annotated[int, Field(ge=2, le=25)] = 4


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


class AskSection(SectionSpec):
    ask: TextValue
    id: Annotated[str, Field(pattern=NAME_PATTERN.pattern, max_length=60)] | None = None
    yes: list[Section] = Field(default_factory=list, max_length=50)
    no: list[Section] = Field(default_factory=list, max_length=50)


SECTION_MODELS: dict[str, type[SectionSpec]] = {
    "say": SaySection,
    "read": ReadSection,
    "recite": ReciteSection,
    "silence": SilenceSection,
    "meditation": MeditationSection,
    "introductions": IntroductionsSection,
    "check-in": CheckInSection,
    "check-out": CheckOutSection,
    "share": ShareSection,
    "speaker": SpeakerSection,
    "topic": TopicSection,
    "milestones": MilestonesSection,
    "announcements": AnnouncementsSection,
    "collection": CollectionSection,
    "break": BreakSection,
    "breakout": BreakoutSection,
    "business": BusinessSection,
    "closing": ClosingSection,
    "ask": AskSection,
}
SECTION_KINDS = frozenset(SECTION_MODELS)
#: Tags are prefixed so they never look like a key of the file when errors are mapped to lines.
TAG_PREFIX = "§"


def _section_tag(value: Any) -> str:
    if isinstance(value, dict):
        kinds = [key for key in value if key in SECTION_KINDS]
        if len(kinds) == 1:
            return TAG_PREFIX + str(kinds[0])
    return TAG_PREFIX + "unknown"


class UnknownSection(SectionSpec):
    """Stands in for a list item that is not one section, to explain what is wrong with it."""

    @model_validator(mode="before")
    @classmethod
    def _explain(cls, value: Any) -> Any:
        kinds_list = ", ".join(sorted(SECTION_KINDS))
        if not isinstance(value, dict):
            raise invalid(
                "each section is a list item that starts with its kind",
                "write it like  - say: Welcome, everyone.  (kinds: " + kinds_list + ")",
            )
        kinds = [key for key in value if key in SECTION_KINDS]
        if len(kinds) > 1:
            raise invalid(
                "a section can be only one kind, but this one has " + " and ".join(kinds),
                "split it into separate sections, each starting with its own -",
            )
        guesses = [difflib.get_close_matches(str(k), SECTION_KINDS, n=1, cutoff=0.6) for k in value]
        guess = next((g[0] for g in guesses if g), None)
        raise invalid(
            "this section does not say what kind it is",
            f"did you mean '{guess}'?" if guess else f"start it with one of: {kinds_list}",
        )


Section = Annotated[
    Annotated[UnknownSection, Tag(TAG_PREFIX + "unknown")]
    | Annotated[SaySection, Tag(TAG_PREFIX + "say")]
    | Annotated[ReadSection, Tag(TAG_PREFIX + "read")]
    | Annotated[ReciteSection, Tag(TAG_PREFIX + "recite")]
    | Annotated[SilenceSection, Tag(TAG_PREFIX + "silence")]
    | Annotated[MeditationSection, Tag(TAG_PREFIX + "meditation")]
    | Annotated[IntroductionsSection, Tag(TAG_PREFIX + "introductions")]
    | Annotated[CheckInSection, Tag(TAG_PREFIX + "check-in")]
    | Annotated[CheckOutSection, Tag(TAG_PREFIX + "check-out")]
    | Annotated[ShareSection, Tag(TAG_PREFIX + "share")]
    | Annotated[SpeakerSection, Tag(TAG_PREFIX + "speaker")]
    | Annotated[TopicSection, Tag(TAG_PREFIX + "topic")]
    | Annotated[MilestonesSection, Tag(TAG_PREFIX + "milestones")]
    | Annotated[AnnouncementsSection, Tag(TAG_PREFIX + "announcements")]
    | Annotated[CollectionSection, Tag(TAG_PREFIX + "collection")]
    | Annotated[BreakSection, Tag(TAG_PREFIX + "break")]
    | Annotated[BreakoutSection, Tag(TAG_PREFIX + "breakout")]
    | Annotated[BusinessSection, Tag(TAG_PREFIX + "business")]
    | Annotated[ClosingSection, Tag(TAG_PREFIX + "closing")]
    | Annotated[AskSection, Tag(TAG_PREFIX + "ask")],
    Discriminator(_section_tag),
]


AskSection.model_rebuild()
