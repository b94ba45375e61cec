"""The building blocks of the format schema: value types, reference checks, shared options.

Keys in YAML are written with hyphens (``first-timers-first``); the Python fields use
underscores. Every model forbids unknown keys, so a typo is reported (with a suggestion) instead
of being silently ignored. Shorthands people naturally write (``crosstalk: not-allowed``, a
text given as plain words) are accepted by "before" validators.

Reference checks need the names declared elsewhere in the file (texts, roles, switches). The
loader passes them in the validation context (:class:`Names`); without one, references are not
checked.
"""

from __future__ import annotations

import difflib
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationInfo,
    model_validator,
)

from bot.core.formats import parsing
from bot.core.formats.parsing import invalid
from bot.core.formats.plan import (
    Anchor,
    AtLimit,
    CrosstalkMode,
    Order,
    Sharers,
    Term,
    WhoMay,
)
from bot.core.formats.render import placeholder_problems
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.i18n.message import Msg, msg

#: Words that mean someone other than a declared role, wherever a format says who does what.
WHO_WORDS = frozenset({"chair", "volunteer", "everyone"})
#: Names a role may not have, because they already mean something.
RESERVED_ROLE_NAMES = frozenset({"volunteer", "everyone", "any-member", "skip", "nobody", "sharer"})
NAME_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

Duration = Annotated[int, PlainValidator(parsing.parse_duration)]
QuietLength = Annotated[int | None, PlainValidator(parsing.parse_quiet_length)]
Limit = Annotated[int | parsing.LimitRange | None, PlainValidator(parsing.parse_limit)]
Membership = Annotated[int, PlainValidator(parsing.parse_membership)]
EveryMeetings = Annotated[int, PlainValidator(parsing.parse_every)]
ClockTime = Annotated[int, PlainValidator(parsing.parse_clock_time)]
AnchorValue = Annotated[Anchor, PlainValidator(parsing.parse_anchor)]
TermValue = Annotated[Term, PlainValidator(parsing.parse_term)]
Weekdays = Annotated[frozenset[int], PlainValidator(parsing.parse_weekdays)]
Weeks = Annotated[frozenset[int], PlainValidator(parsing.parse_weeks)]
Months = Annotated[frozenset[int], PlainValidator(parsing.parse_months)]
PartsOfDay = Annotated[tuple[str, ...], PlainValidator(parsing.parse_parts_of_day)]
CycleWeeks = Annotated[frozenset[int], PlainValidator(parsing.parse_cycle_weeks)]
ShortText = Annotated[str, Field(max_length=300)]


@lazy_dataclass(frozen=True)
class Names:
    """What the file declares, so references can be checked where they are written."""

    texts: frozenset[str]
    roles: frozenset[str]
    switches: frozenset[str]


def _names(info: ValidationInfo) -> Names | None:
    return info.context if isinstance(info.context, Names) else None


def suggestion(word: str, choices: set[str] | frozenset[str]) -> Msg | str:
    """A "did you mean …?" hint, or the list of choices when nothing is close ("" for none)."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    if close:
        return msg("did you mean '{name}'?", name=close[0])
    if not choices:
        return ""
    listed = sorted(choices)
    names = ", ".join(listed[:12]) + (" …" if len(listed) > 12 else "")
    return msg("choose one of: {names}", names=names)


def _words_or_name(value: Any) -> Any:
    if isinstance(value, dict | list):
        raise invalid(
            msg("expected words or the name of a text here"),
            msg("put a section's options on their own lines, lined up under its first key"),
        )
    if isinstance(value, bool | int | float):
        raise invalid(
            msg("expected words here, not {value}", value=repr(value)),
            msg("put the words in quotes"),
        )
    return value


def _check_text(value: str, info: ValidationInfo) -> str:
    """Words to say, or the name of a text in ``texts:`` (a lowercase-with-hyphens word)."""
    names = _names(info)
    if names is not None and value not in names.texts and NAME_PATTERN.match(value):
        hint = suggestion(value, names.texts) or msg(
            "add it under texts:, like  {value}: Your words", value=value
        )
        if value in ORDER_WORDS:
            hint = msg(
                "to choose how turns are taken, write  order: {value}  on the next line",
                value=value,
            )
        raise invalid(msg("there is no text called '{value}'", value=value), hint)
    found = list(placeholder_problems(value))
    if found:
        # A validator can raise one error; the others ride along so the loader lists them all.
        offset, message, hint = found[0]
        raise invalid(message, hint, offset=offset, more=found[1:])
    return value


ORDER_WORDS = frozenset(order.value for order in Order)


TextValue = Annotated[
    str, BeforeValidator(_words_or_name), Field(max_length=20_000), AfterValidator(_check_text)
]


def _check_text_name(value: str, info: ValidationInfo) -> str:
    names = _names(info)
    if names is not None and value not in names.texts:
        raise invalid(
            msg("there is no text called '{value}'", value=value), suggestion(value, names.texts)
        )
    return value


TextName = Annotated[str, AfterValidator(_check_text_name)]


def _check_role(value: str, info: ValidationInfo) -> str:
    names = _names(info)
    if names is not None and value not in names.roles | {"chair"}:
        raise invalid(
            msg("there is no role called '{value}'", value=value), suggestion(value, names.roles)
        )
    return value


RoleName = Annotated[str, AfterValidator(_check_role)]


def _check_who(value: str, info: ValidationInfo) -> str:
    names = _names(info)
    if names is not None and value not in names.roles | WHO_WORDS:
        close = difflib.get_close_matches(value, sorted(names.roles | WHO_WORDS), n=1)
        raise invalid(
            msg("'{value}' is not a role of this format", value=value),
            msg("did you mean '{close}'?", close=close[0])
            if close
            else msg("add it under roles:, or write chair, volunteer or everyone"),
        )
    return value


WhoValue = Annotated[str, AfterValidator(_check_who)]


def _check_switch(value: str, info: ValidationInfo) -> str:
    names = _names(info)
    if names is not None and value not in names.switches:
        raise invalid(
            msg("there is no switch called '{value}'", value=value),
            suggestion(value, names.switches) or msg("declare it under switches:"),
        )
    return value


SwitchName = Annotated[str, AfterValidator(_check_switch)]


def _kebab(name: str) -> str:
    return name.rstrip("_").replace("_", "-")


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=_kebab)


class Shorthand(Spec):
    """A model that may also be written as one plain value, meaning ``{shorthand_key: value}``."""

    shorthand_key: ClassVar[str]

    @model_validator(mode="before")
    @classmethod
    def _from_plain(cls, value: Any) -> Any:
        if value is None:
            return {}
        return value if isinstance(value, dict) else {cls.shorthand_key: value}


# --- conditions ---------------------------------------------------------------------------


class ConditionSpec(Spec):
    """Keys given together must all hold. ``if: time-allows`` is a shorthand."""

    answered_yes: str | None = None
    answered_no: str | None = None
    switch: SwitchName | None = None
    switch_off: SwitchName | None = None
    someone_is: RoleName | None = None
    nobody_is: RoleName | None = None
    weekday: Weekdays | None = None
    week_of_month: Weeks | None = None
    month: Months | None = None
    time_left: Duration | None = None
    time_allows: bool | None = None
    someone_declared: str | None = None
    nobody_declared: str | None = None
    time_of_day: PartsOfDay | None = None
    after: ClockTime | None = None
    before: ClockTime | None = None
    week_of_cycle: CycleWeeks | None = None
    mode: dict[str, str | list[str]] | None = Field(None, min_length=1)
    all: list[ConditionSpec] | None = Field(None, min_length=1)
    any: list[ConditionSpec] | None = Field(None, min_length=1)
    not_: ConditionSpec | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in {"time-allows", "time allows"}:
            return {"time-allows": True}
        if isinstance(value, str):
            raise invalid(
                msg("'{value}' is not a condition", value=value),
                msg("write 'time-allows', or a key such as answered-yes:, switch:, weekday:"),
            )
        if isinstance(value, dict) and not value:
            raise invalid(
                msg("this condition is empty"), msg("add a key such as answered-yes: or weekday:")
            )
        return value


# --- share timers, turn-taking, crosstalk, channel ------------------------------------------


class WarningSpec(Shorthand):
    shorthand_key = "at"

    at: Annotated[int, PlainValidator(parsing.parse_warning_offset)]
    say: TextValue | None = None


class BusySpec(Spec):
    waiting: Annotated[int, Field(ge=1, le=100)]
    limit: Duration


class FairShareSpec(Shorthand):
    """Shares sized to the time left in the section (``fair-share: 2m`` is the shortest)."""

    shorthand_key = "min"

    min: Duration
    by: Literal["waiting", "present"] = "waiting"


class TimerSpec(Spec):
    """Share-timer settings; in ``share:`` at the top they are the defaults for every section."""

    limit: Limit = None
    grace: Duration | None = None
    warn: list[WarningSpec] | None = Field(None, max_length=10)
    at_limit: AtLimit | None = None
    self_timed: bool | None = None
    role_limits: dict[RoleName, Duration] | None = None
    when_busy: list[BusySpec] | None = Field(None, max_length=10)
    fair_share: FairShareSpec | None = None


class PhaseSpec(Spec):
    """A change of turn-taking part-way through a sharing section."""

    after: Duration | None = None
    at: AnchorValue | None = None
    order: Order | None = None
    who_shares: Sharers | None = None
    pass_: bool | None = None
    first_timers_first: bool | None = None
    not_yet_shared_first: bool | None = None

    @model_validator(mode="after")
    def _one_moment(self) -> PhaseSpec:
        if (self.after is None) == (self.at is None):
            raise invalid(
                msg("say when this change happens"), msg("give either after: 20m or at: end - 10m")
            )
        return self


class CrosstalkSpec(Shorthand):
    shorthand_key = "policy"

    policy: CrosstalkMode
    explain: TextValue | None = None
    reminder: TextValue | None = Field(None, max_length=500)
    reply_limit: Duration | None = None


class ChannelSpec(Spec):
    post: WhoMay | None = None
    speak: WhoMay | None = None
    slow_mode: Duration | None = None
    video: WhoMay | None = None


ConditionSpec.model_rebuild()
