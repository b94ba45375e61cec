"""The format language as pydantic models: exactly the keys a group may write, nothing else.

:class:`FormatSpec` is the whole file. Its parts are here; the sections are in
:mod:`bot.core.formats.sections` (each kind's model in its module under
:mod:`bot.core.formats.kinds`) and the shared value types and options in
:mod:`bot.core.formats.fields` (re-exported from this module, so ``schema.X`` finds them). The
guide for groups is ``formats/README.md``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, Field, PlainValidator, model_validator

# The schema's pieces, re-exported so ``schema.X`` is the one place to find any of them.
from bot.core.formats.fields import (
    NAME_PATTERN,
    RESERVED_ROLE_NAMES,
    ChannelSpec,
    ClockTime,
    ConditionSpec,
    CrosstalkSpec,
    Duration,
    EveryMeetings,
    Membership,
    Names,
    Shorthand,
    ShortText,
    Spec,
    TermValue,
    TextName,
    TextValue,
    TimerSpec,
    WarningSpec,
    suggestion,
)
from bot.core.formats.parsing import invalid, parse_date
from bot.core.formats.plan import ChoiceRule, CrosstalkMode, RotationKind
from bot.core.formats.room_keys import LockRule, parse_lock_channel
from bot.core.formats.sections import (
    SECTION_KINDS,
    SECTION_MODELS,
    TAG_PREFIX,
    Section,
    SectionSpec,
)
from bot.core.formats.variants import DECLARATION_WORDS, MOST_DECLARATIONS
from bot.core.resources import LINE_LIMIT, MOST_RESOURCES, TITLE_LIMIT, link_problem
from bot.i18n.message import msg

__all__ = [
    "NAME_PATTERN",
    "RESERVED_ROLE_NAMES",
    "SECTION_KINDS",
    "SECTION_MODELS",
    "TAG_PREFIX",
    "AfterSpec",
    "BeforeSpec",
    "ChannelSpec",
    "ConditionSpec",
    "CountsSpec",
    "CrosstalkSpec",
    "CycleSpec",
    "DeclarationSpec",
    "FormatSpec",
    "GuidelineSpec",
    "ModeSpec",
    "Names",
    "ResourceSpec",
    "RoleSpec",
    "Section",
    "SectionSpec",
    "SwitchSpec",
    "TextSpec",
    "TimerSpec",
    "WarningSpec",
    "suggestion",
]

# --- the parts at the top of a format -------------------------------------------------------


class RoleSpec(Shorthand):
    shorthand_key = "rotation"

    title: Annotated[str, Field(max_length=60)] | None = None
    duties: ShortText = ""
    rotation: RotationKind = RotationKind.EVERY_MEETING
    term: TermValue | None = None
    member_for: Membership | None = None
    not_last_time: bool = False
    wait_for_everyone: bool = False
    at_most_every: EveryMeetings | None = None
    trained: bool = False
    elected: bool = False
    substitute: str | None = None
    fallback: str | None = None
    seats: Annotated[int, Field(ge=1, le=10)] = 1
    swaps: bool = True

    @model_validator(mode="after")
    def _term_goes_with_rotation(self) -> RoleSpec:
        if self.elected:
            if "rotation" in self.model_fields_set:
                raise invalid(
                    msg("an elected role is not rotated"),
                    msg(
                        "remove rotation: (the business meeting elects it; term: says for how long)"
                    ),
                )
            if self.seats != 1:
                raise invalid(msg("an elected role has one seat"), msg("remove seats:"))
            return self
        if (self.rotation is RotationKind.TERM) != (self.term is not None):
            raise invalid(
                msg("a term goes with rotation: term"),
                msg("write both  rotation: term  and  term: 4 meetings  (or neither)"),
            )
        return self


class TextSpec(Shorthand):
    shorthand_key = "text"

    title: Annotated[str, Field(max_length=100)] | None = None
    text: TextValue | None = None
    placeholder: bool = False
    keep_lines: bool = False
    one_of: list[TextName] | None = Field(None, min_length=2, max_length=31)
    choose: ChoiceRule | None = None

    @model_validator(mode="after")
    def _text_or_choice(self) -> TextSpec:
        if (self.text is None) == (self.one_of is None):
            raise invalid(
                msg("a text has either its words (text:) or a choice of texts (one-of:)"),
                msg("keep one of the two"),
            )
        if self.choose is not None and self.one_of is None:
            raise invalid(
                msg("choose: only goes with one-of:"), msg("list the texts to choose from")
            )
        return self


class GuidelineSpec(Shorthand):
    shorthand_key = "text"

    title: Annotated[str, Field(max_length=100)] | None = None
    text: Annotated[str, Field(min_length=1, max_length=500)]


class SwitchSpec(Shorthand):
    shorthand_key = "on"

    on: bool = False
    about: ShortText = ""


class DeclarationSpec(Shorthand):
    """Something a member may say privately at the meeting (the words on its button)."""

    shorthand_key = "words"

    words: Annotated[str, AfterValidator(lambda v: v.strip()), Field(min_length=1)]

    @model_validator(mode="after")
    def _fits_a_button(self) -> DeclarationSpec:
        if len(self.words) > DECLARATION_WORDS:
            raise invalid(
                msg(
                    "these words are {count} characters; a button holds {most}",
                    count=len(self.words),
                    most=DECLARATION_WORDS,
                ),
                msg("say it more briefly, like  I'm new (under 30 days)"),
            )
        return self


class CycleSpec(Spec):
    """Weeks counted from a date, ``weeks`` to a cycle (``week-of-cycle:`` picks some)."""

    weeks: Annotated[int, Field(ge=2, le=12)]
    from_: Annotated[dt.date, PlainValidator(parse_date)]


class ModeSpec(Spec):
    """A choice the group makes among several values, by group decision."""

    choices: list[Annotated[str, Field(pattern=NAME_PATTERN.pattern)]] = Field(
        min_length=2, max_length=10
    )
    default: str | None = None
    about: ShortText = ""

    @model_validator(mode="after")
    def _default_is_a_choice(self) -> ModeSpec:
        if len(set(self.choices)) != len(self.choices):
            raise invalid(msg("a choice is listed twice"), msg("list each choice once"))
        if self.default is not None and self.default not in self.choices:
            raise invalid(
                msg("the default '{default}' is not one of the choices", default=self.default),
                suggestion(self.default, set(self.choices)),
            )
        return self


class MeetingNoteSpec(Shorthand):
    shorthand_key = "left"

    left: Duration
    say: TextValue | None = None


class BeforeSpec(Spec):
    countdown: Duration = 300
    say: TextValue | None = None
    recruit_readers: bool = True


class AfterSpec(Spec):
    fellowship: Duration = 900
    say: TextValue | None = None
    crosstalk: CrosstalkSpec | None = None


class CountsSpec(Spec):
    """When a meeting counts toward the group's meetings held (see the guide)."""

    minutes: Annotated[int, Field(ge=5, le=240)] | None = None  # default: 15, or the length
    members: Annotated[int, Field(ge=2, le=50)] = 3


def _check_link(value: str) -> str:
    problem = link_problem(value.strip())
    if problem is not None:
        raise invalid(*problem)
    return value.strip()


def _not_blank(value: str) -> str:
    if not value.strip():
        raise invalid(msg("these words are empty"), msg("write what it is, or remove the resource"))
    return value


Words = Annotated[str, AfterValidator(_not_blank)]


class ResourceSpec(Spec):
    """One support resource or crisis line ``/resources`` shows (see the guide)."""

    title: Annotated[Words, Field(max_length=TITLE_LIMIT)]
    line: Annotated[Words, Field(max_length=LINE_LIMIT)]
    link: Annotated[str, AfterValidator(_check_link)] | None = None


class FormatSpec(Spec):
    format: Any = None  # the loader checks it first, to explain a missing version kindly
    name: Annotated[str, Field(min_length=1, max_length=100)]
    about: Annotated[str, Field(max_length=1000)] = ""
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")] = "en"
    length: Duration = 3600
    starts_at: ClockTime | None = None  # the usual start, minutes after midnight (previews)
    roles: dict[str, RoleSpec] = Field(default_factory=dict, max_length=30)
    share: TimerSpec = TimerSpec()
    crosstalk: CrosstalkSpec = CrosstalkSpec(policy=CrosstalkMode.NOT_ALLOWED)
    channel: ChannelSpec = ChannelSpec()
    lock_channel: Annotated[LockRule, PlainValidator(parse_lock_channel)] = LockRule()
    time_left_notes: list[MeetingNoteSpec] = Field(default_factory=list, max_length=10)
    before: BeforeSpec | None = None
    after: AfterSpec | None = None
    counts: CountsSpec = CountsSpec()
    guidelines: dict[str, GuidelineSpec] = Field(default_factory=dict, max_length=40)
    switches: dict[str, SwitchSpec] = Field(default_factory=dict, max_length=40)
    modes: dict[str, ModeSpec] = Field(default_factory=dict, max_length=10)
    declarations: dict[str, DeclarationSpec] = Field(
        default_factory=dict, max_length=MOST_DECLARATIONS
    )
    cycle: CycleSpec | None = None
    texts: dict[str, TextSpec] = Field(default_factory=dict, max_length=100)
    resources: list[ResourceSpec] = Field(default_factory=list, max_length=MOST_RESOURCES)
    sections: list[Section] = Field(min_length=1, max_length=200)
