"""The settings a group changes by its own decision (``/propose change``), and how they are read.

Three kinds of subject:

* ``format`` — the value is a format reference (``open-discussion``, ``group:2``);
* a due-process setting from :data:`SETTINGS` (hours, days, counts; stored as text);
* ``switch:<name>`` — one of the format's switches, ``on`` or ``off`` (the meeting runtime reads
  them with :func:`switches`);
* ``mode:<name>`` — one of the format's modes, set to one of its choices (it reaches the meeting
  with the switches, as the switch :func:`bot.core.formats.variants.mode_key` set on);
* ``resources`` — the group's own list for ``/resources`` (bot/core/resources.py says how it is
  written), or ``format`` to go back to the format's list.
* the schedule: ``schedule``, ``timezone``, ``skip`` (a date with no meeting), ``extra`` (a
  one-off meeting) — checked by :mod:`bot.core.schedule.stored`, kept in ``group_schedules``.

A proposed value is checked when it is proposed (a bad one is refused then, never discovered in
the middle of a vote): it must parse, and the resulting :class:`DecisionSettings` must be valid.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from bot.core import schedule
from bot.core.decisions import DecisionSettings
from bot.core.formats import CompiledFormat
from bot.core.formats.variants import mode_key
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.resources import SETTING_NAME, describe_decided, parse_decided, write_decided
from bot.core.schedule import stored as schedules
from bot.errors import InvalidInput
from bot.i18n import Msg, msg, msg_n
from bot.runtime.clock import zone_name
from bot.runtime.decisions.language import LANGUAGE, language_name, normalise_language
from bot.runtime.markup import echo

FORMAT = "format"
SWITCH_PREFIX = "switch:"
MODE_PREFIX = "mode:"
RESOURCES = SETTING_NAME

Apply = Callable[[DecisionSettings, int], DecisionSettings]
Read = Callable[[DecisionSettings], int]


@lazy_dataclass(frozen=True)
class Setting:
    name: str
    label: Msg  # "the hearing period"
    unit: str  # "hours": a key of UNITS
    low: int
    high: int
    apply: Apply
    read: Read

    def describe(self, value: int) -> Msg:
        return UNITS[self.unit][0](value)


#: Each unit's counted words ("12 hours") and its name in "a whole number of hours".
UNITS: Mapping[str, tuple[Callable[[int], Msg], Msg]] = {
    "hours": (lambda n: msg_n("{n} hour", "{n} hours", n), msg("hours")),
    "votes": (lambda n: msg_n("{n} vote", "{n} votes", n), msg("votes")),
    "days": (lambda n: msg_n("{n} day", "{n} days", n), msg("days")),
    "notes": (lambda n: msg_n("{n} note", "{n} notes", n), msg("notes")),
    "members": (lambda n: msg_n("{n} member", "{n} members", n), msg("members")),
    "meetings": (lambda n: msg_n("{n} meeting", "{n} meetings", n), msg("meetings")),
    "characters": (lambda n: msg_n("{n} character", "{n} characters", n), msg("characters")),
}


def _hours(field: str) -> tuple[Apply, Read]:
    def apply(settings: DecisionSettings, value: int) -> DecisionSettings:
        changes: dict[str, Any] = {field: timedelta(hours=value)}
        return replace(settings, **changes)

    def read(settings: DecisionSettings) -> int:
        delta: timedelta = getattr(settings, field)
        return int(delta.total_seconds() // 3600)

    return apply, read


def _count(field: str) -> tuple[Apply, Read]:
    def apply(settings: DecisionSettings, value: int) -> DecisionSettings:
        changes: dict[str, Any] = {field: value}
        return replace(settings, **changes)

    def read(settings: DecisionSettings) -> int:
        return int(getattr(settings, field))

    return apply, read


def _days(field: str) -> tuple[Apply, Read]:
    def apply(settings: DecisionSettings, value: int) -> DecisionSettings:
        changes: dict[str, Any] = {field: timedelta(days=value)}
        return replace(settings, **changes)

    def read(settings: DecisionSettings) -> int:
        delta: timedelta = getattr(settings, field)
        return delta.days

    return apply, read


def _setting(
    name: str,
    label: Msg,
    unit: str,
    low: int,
    high: int,
    rw: tuple[Apply, Read],
) -> Setting:
    return Setting(name, label, unit, low, high, rw[0], rw[1])


#: Every due-process setting a group may change, by the name used in ``/propose change``.
SETTINGS: Mapping[str, Setting] = {
    s.name: s
    for s in (
        _setting(
            "hearing-hours", msg("the hearing before a vote"), "hours", 1, 168, _hours("hearing")
        ),
        _setting("voting-hours", msg("the voting time"), "hours", 1, 336, _hours("voting")),
        _setting(
            "second-hours",
            msg("the time to second a proposal"),
            "hours",
            1,
            168,
            _hours("second_within"),
        ),
        _setting(
            "quorum", msg("the quorum (fewest votes cast)"), "votes", 1, 1000, _count("quorum")
        ),
        _setting(
            "voter-days",
            msg("how long someone is in the server before voting"),
            "days",
            0,
            365,
            _count("voter_min_days"),
        ),
        _setting(
            "concerns-needed",
            msg("the notes needed before an exclusion can be proposed"),
            "notes",
            1,
            20,
            _count("min_concerns"),
        ),
        _setting(
            "concern-members-needed",
            msg("the different members those notes come from"),
            "members",
            1,
            20,
            _count("min_concern_requesters"),
        ),
        _setting(
            "concern-meetings-needed",
            msg("the different meetings those notes come from"),
            "meetings",
            1,
            20,
            _count("min_concern_meetings"),
        ),
        _setting(
            "concern-expiry-meetings",
            msg("how many meetings a note counts for"),
            "meetings",
            1,
            52,
            _count("concern_expiry_meetings"),
        ),
        _setting(
            "backstop-days",
            msg("the longest a member sits out, in days"),
            "days",
            1,
            60,
            _days("backstop"),
        ),
        _setting(
            "statement-length",
            msg("the longest statement a member can give"),
            "characters",
            100,
            4000,
            _count("statement_max_chars"),
        ),
    )
}


def decision_settings(stored: Mapping[str, str]) -> DecisionSettings:
    """The group's settings: the defaults, with what it decided on top. A stored value that is
    no longer valid (a newer bot's rules) is ignored rather than stopping the group."""
    settings = DecisionSettings()
    for name, raw in stored.items():
        setting = SETTINGS.get(name)
        if setting is None or not raw.lstrip("-").isdigit():
            continue
        try:
            settings = setting.apply(settings, int(raw))
        except ValueError:
            continue
    return settings


def switches(plan: CompiledFormat, stored: Mapping[str, str]) -> dict[str, bool]:
    """The format's switches, with the group's decisions on top (for the meeting runtime)."""
    values = {switch.name: switch.default for switch in plan.switches}
    for switch in plan.switches:
        raw = stored.get(SWITCH_PREFIX + switch.name)
        if raw is not None:
            values[switch.name] = raw == "on"
    for mode in plan.variants.modes:
        chosen = stored.get(MODE_PREFIX + mode.name)
        value = chosen if chosen in mode.choices else mode.default
        values[mode_key(mode.name, value)] = True
    return values


#: The schedule's parts a group can change, with the words ``/propose change`` offers.
SCHEDULE_CHOICES: Mapping[str, Msg] = {
    schedules.SCHEDULE: msg("when the group meets (like Tuesdays 19:00)"),
    schedules.TIMEZONE: msg("the group's time zone"),
    schedules.SKIP: msg("a date with no meeting"),
    schedules.EXTRA: msg("a one-off extra meeting"),
}


@lazy_dataclass(frozen=True)
class ChangeChoice:
    subject: str
    label: Msg | str  # a format's own words (a switch's ``about``) are shown as written


def change_choices(plan: CompiledFormat) -> list[ChangeChoice]:
    """What ``/propose change`` offers: the format, each setting, each of the format's switches."""
    choices = [ChangeChoice(FORMAT, msg("the group's format"))]
    choices.append(ChangeChoice(LANGUAGE, msg("the language I speak in this group")))
    choices.append(ChangeChoice(RESOURCES, msg("the support resources /resources shows")))
    choices += [ChangeChoice(subject, label) for subject, label in SCHEDULE_CHOICES.items()]
    choices += [ChangeChoice(s.name, s.label) for s in SETTINGS.values()]
    choices += [
        ChangeChoice(SWITCH_PREFIX + s.name, s.about or s.name.replace("-", " "))
        for s in plan.switches
    ]
    choices += [
        ChangeChoice(MODE_PREFIX + m.name, m.about or m.name.replace("-", " "))
        for m in plan.variants.modes
    ]
    return choices


def _kind_words(error: Exception) -> Msg | str:
    """The kind words an error from the core carries (a message, or words not yet converted)."""
    said = error.args[0] if error.args else ""
    return said if isinstance(said, Msg) else str(error)


def normalise_setting(
    subject: str,
    raw: str,
    plan: CompiledFormat,
    stored: Mapping[str, str],
    today: date = date.min,
) -> str:
    """Check a proposed setting or switch value; return it as it will be stored (``today``, the
    clock's date, reads the dates of schedule changes)."""
    if subject == RESOURCES:
        try:
            return write_decided(parse_decided(raw))
        except ValueError as error:
            raise InvalidInput(_kind_words(error)) from None
    if subject in schedules.SUBJECTS:
        try:
            return schedules.normalise(subject, raw, today, zone_name)
        except schedule.ScheduleError as error:
            raise InvalidInput(_kind_words(error)) from None
    if subject == LANGUAGE:
        return normalise_language(raw, stored.get(LANGUAGE) or plan.language)
    value = raw.strip().lower()
    if subject.startswith(SWITCH_PREFIX):
        name = subject.removeprefix(SWITCH_PREFIX)
        if all(s.name != name for s in plan.switches):
            raise InvalidInput(
                msg("This group's format has no switch called `{name}`.", name=echo(name))
            )
        if value in ("on", "yes", "true"):
            return "on"
        if value in ("off", "no", "false"):
            return "off"
        raise InvalidInput(msg("A switch is either `on` or `off`."))
    if subject.startswith(MODE_PREFIX):
        name = subject.removeprefix(MODE_PREFIX)
        mode = next((m for m in plan.variants.modes if m.name == name), None)
        if mode is None:
            raise InvalidInput(
                msg("This group's format has no choice called `{name}`.", name=echo(name))
            )
        if value not in mode.choices:
            listed = ", ".join(f"`{c}`" for c in mode.choices)
            raise InvalidInput(
                msg(
                    "`{name}` can be one of: {listed}. Nothing was proposed.",
                    name=echo(name),
                    listed=listed,
                )
            )
        return value
    setting = SETTINGS.get(subject)
    if setting is None:
        known = ", ".join(
            f"`{name}`" for name in (FORMAT, LANGUAGE, RESOURCES, *schedules.SUBJECTS, *SETTINGS)
        )
        raise InvalidInput(
            msg(
                "I don't know a setting called `{name}`. You can change: {known}.",
                name=echo(subject),
                known=known,
            )
        )
    number = value.split()[0] if value else ""
    if not number.isdigit() or not setting.low <= int(number) <= setting.high:
        raise InvalidInput(
            msg(
                "Please give {setting} as a whole number of {unit}, from {low} to {high}.",
                setting=setting.label,
                unit=UNITS[setting.unit][1],
                low=setting.low,
                high=setting.high,
            )
        )
    try:
        setting.apply(decision_settings(stored), int(number))
    except ValueError as error:
        raise InvalidInput(
            msg(
                "That value doesn't fit the group's other settings: {error}.",
                error=_kind_words(error),
            )
        ) from None
    return str(int(number))


def describe_change(subject: str, value: str, format_name: str | None = None) -> Msg | str:
    """The change in plain words, e.g. "set the voting time to 12 hours"."""
    if subject == FORMAT:
        if format_name:
            return msg("adopt the format **{name}** (`{ref}`)", name=format_name, ref=echo(value))
        return msg("adopt the format `{ref}`", ref=echo(value))
    if subject == LANGUAGE:
        return msg("use {language} as the language I speak here", language=language_name(value))
    if subject == RESOURCES:
        return describe_decided(value)
    if subject.startswith(SWITCH_PREFIX):
        return msg(
            "turn `{name}` {value}",
            name=echo(subject.removeprefix(SWITCH_PREFIX)),
            value=echo(value),
        )
    if subject.startswith(MODE_PREFIX):
        return msg(
            "set `{name}` to `{value}`",
            name=echo(subject.removeprefix(MODE_PREFIX)),
            value=echo(value),
        )
    if subject in schedules.SUBJECTS:
        return schedules.describe(subject, echo(value, 200))
    setting = SETTINGS.get(subject)
    if setting is None or not value.isdigit():
        return msg("set `{name}` to `{value}`", name=echo(subject), value=echo(value))
    return msg(
        "set {setting} to {value}", setting=setting.label, value=setting.describe(int(value))
    )
