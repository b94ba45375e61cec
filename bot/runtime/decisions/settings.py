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
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from bot.core import schedule
from bot.core.decisions import DecisionSettings
from bot.core.formats import CompiledFormat
from bot.core.formats.variants import mode_key
from bot.core.resources import SETTING_NAME, describe_decided, parse_decided, write_decided
from bot.core.schedule import stored as schedules
from bot.errors import InvalidInput
from bot.runtime.clock import zone_name
from bot.runtime.markup import echo

FORMAT = "format"
SWITCH_PREFIX = "switch:"
MODE_PREFIX = "mode:"
RESOURCES = SETTING_NAME

Apply = Callable[[DecisionSettings, int], DecisionSettings]
Read = Callable[[DecisionSettings], int]


@dataclass(frozen=True)
class Setting:
    name: str
    label: str  # "the hearing period"
    unit: str  # "hours"
    low: int
    high: int
    apply: Apply
    read: Read

    def describe(self, value: int) -> str:
        unit = self.unit[:-1] if value == 1 and self.unit.endswith("s") else self.unit
        return f"{value} {unit}".strip()


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
    label: str,
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
        _setting("hearing-hours", "the hearing before a vote", "hours", 1, 168, _hours("hearing")),
        _setting("voting-hours", "the voting time", "hours", 1, 336, _hours("voting")),
        _setting(
            "second-hours",
            "the time to second a proposal",
            "hours",
            1,
            168,
            _hours("second_within"),
        ),
        _setting("quorum", "the quorum (fewest votes cast)", "votes", 1, 1000, _count("quorum")),
        _setting(
            "voter-days",
            "how long someone is in the server before voting",
            "days",
            0,
            365,
            _count("voter_min_days"),
        ),
        _setting(
            "concerns-needed",
            "the notes needed before an exclusion can be proposed",
            "notes",
            1,
            20,
            _count("min_concerns"),
        ),
        _setting(
            "concern-members-needed",
            "the different members those notes come from",
            "members",
            1,
            20,
            _count("min_concern_requesters"),
        ),
        _setting(
            "concern-meetings-needed",
            "the different meetings those notes come from",
            "meetings",
            1,
            20,
            _count("min_concern_meetings"),
        ),
        _setting(
            "concern-expiry-meetings",
            "how many meetings a note counts for",
            "meetings",
            1,
            52,
            _count("concern_expiry_meetings"),
        ),
        _setting(
            "backstop-days",
            "the longest a member sits out, in days",
            "days",
            1,
            60,
            _days("backstop"),
        ),
        _setting(
            "statement-length",
            "the longest statement a member can give",
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
SCHEDULE_CHOICES = {
    schedules.SCHEDULE: "when the group meets (like Tuesdays 19:00)",
    schedules.TIMEZONE: "the group's time zone",
    schedules.SKIP: "a date with no meeting",
    schedules.EXTRA: "a one-off extra meeting",
}


@dataclass(frozen=True)
class ChangeChoice:
    subject: str
    label: str


def change_choices(plan: CompiledFormat) -> list[ChangeChoice]:
    """What ``/propose change`` offers: the format, each setting, each of the format's switches."""
    choices = [ChangeChoice(FORMAT, "the group's format")]
    choices.append(ChangeChoice(RESOURCES, "the support resources /resources shows"))
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
            raise InvalidInput(str(error)) from None
    if subject in schedules.SUBJECTS:
        try:
            return schedules.normalise(subject, raw, today, zone_name)
        except schedule.ScheduleError as error:
            raise InvalidInput(str(error)) from None
    value = raw.strip().lower()
    if subject.startswith(SWITCH_PREFIX):
        name = subject.removeprefix(SWITCH_PREFIX)
        if all(s.name != name for s in plan.switches):
            raise InvalidInput(f"This group's format has no switch called `{echo(name)}`.")
        if value in ("on", "yes", "true"):
            return "on"
        if value in ("off", "no", "false"):
            return "off"
        raise InvalidInput("A switch is either `on` or `off`.")
    if subject.startswith(MODE_PREFIX):
        name = subject.removeprefix(MODE_PREFIX)
        mode = next((m for m in plan.variants.modes if m.name == name), None)
        if mode is None:
            raise InvalidInput(f"This group's format has no choice called `{echo(name)}`.")
        if value not in mode.choices:
            listed = ", ".join(f"`{c}`" for c in mode.choices)
            raise InvalidInput(f"`{echo(name)}` can be one of: {listed}. Nothing was proposed.")
        return value
    setting = SETTINGS.get(subject)
    if setting is None:
        known = ", ".join(
            f"`{name}`" for name in (FORMAT, RESOURCES, *schedules.SUBJECTS, *SETTINGS)
        )
        raise InvalidInput(
            f"I don't know a setting called `{echo(subject)}`. You can change: {known}."
        )
    number = value.split()[0] if value else ""
    if not number.isdigit() or not setting.low <= int(number) <= setting.high:
        raise InvalidInput(
            f"Please give {setting.label} as a whole number of {setting.unit}, "
            f"from {setting.low} to {setting.high}."
        )
    try:
        setting.apply(decision_settings(stored), int(number))
    except ValueError as error:
        raise InvalidInput(f"That value doesn't fit the group's other settings: {error}.") from None
    return str(int(number))


def describe_change(subject: str, value: str, format_name: str | None = None) -> str:
    """The change in plain words, e.g. "set the voting time to 12 hours"."""
    if subject == FORMAT:
        name = f"**{format_name}** (`{echo(value)}`)" if format_name else f"`{echo(value)}`"
        return f"adopt the format {name}"
    if subject == RESOURCES:
        return describe_decided(value)
    if subject.startswith(SWITCH_PREFIX):
        return f"turn `{echo(subject.removeprefix(SWITCH_PREFIX))}` {echo(value)}"
    if subject.startswith(MODE_PREFIX):
        return f"set `{echo(subject.removeprefix(MODE_PREFIX))}` to `{echo(value)}`"
    if subject in schedules.SUBJECTS:
        return schedules.describe(subject, echo(value, 200))
    setting = SETTINGS.get(subject)
    if setting is None or not value.isdigit():
        return f"set `{echo(subject)}` to `{echo(value)}`"
    return f"set {setting.label} to {setting.describe(int(value))}"
