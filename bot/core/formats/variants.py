"""What a format declares for its variants: private declarations, the weeks of a cycle, and the
group's modes — and how a mode's chosen value travels with the switches.

* A **declaration** (``declarations:``) is something a member may say privately at a meeting,
  like "I'm new (under 30 days)". It is held in memory for that meeting only and never stored;
  conditions (``someone-declared:``) use only how many said it, never who.
* The **cycle** (``cycle:``) numbers the weeks from a date: with ``weeks: 4``, week 1, 2, 3, 4,
  then 1 again. ``week-of-cycle:`` picks some of them.
* A **mode** (``modes:``) is a choice among several values that the group makes by group
  decision (``/propose change``), like a switch that has more than on and off.

The group's switches travel as ``name -> on/off`` from the group's decisions to the meeting
(and are kept with the meeting's state); a mode rides along as the switch
``mode_key(name, value)`` set on. :func:`chosen_modes` reads them back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from bot.core.lazy_dataclasses import lazy_dataclass

#: Between a mode's name and its value in the switch that carries it ("sharing=speaker"). Names
#: are lowercase words with hyphens, so the separator cannot occur in them.
MODE_SEPARATOR = "="
#: The most private declarations a format may offer (they are buttons on one row of the panel).
MOST_DECLARATIONS = 5
#: The longest words of a declaration (Discord's limit for a button's label).
DECLARATION_WORDS = 80


@lazy_dataclass(frozen=True)
class Declaration:
    """Something a member may say privately at a meeting (``id`` for conditions, ``words`` on
    the button)."""

    id: str
    words: str


@lazy_dataclass(frozen=True)
class Cycle:
    """Weeks counted from ``since`` (a date in the group's time zone), ``weeks`` to a cycle."""

    weeks: int
    since: dt.date

    def week(self, day: dt.date) -> int:
        """The week of the cycle ``day`` falls in: 1 for the week starting at ``since``."""
        return ((day - self.since).days // 7) % self.weeks + 1


@lazy_dataclass(frozen=True)
class Mode:
    """A choice the group makes among ``choices`` (``default`` until it decides)."""

    name: str
    choices: tuple[str, ...]
    default: str
    about: str = ""


@lazy_dataclass(frozen=True)
class Variants:
    """A format's ``declarations:``, ``cycle:`` and ``modes:``."""

    declarations: tuple[Declaration, ...] = ()
    cycle: Cycle | None = None
    modes: tuple[Mode, ...] = ()

    def declaration(self, declaration_id: str) -> Declaration | None:
        return next((d for d in self.declarations if d.id == declaration_id), None)


def mode_key(name: str, value: str) -> str:
    """The switch that carries a mode's chosen value."""
    return f"{name}{MODE_SEPARATOR}{value}"


def chosen_modes(modes: Iterable[Mode], switches: Mapping[str, bool]) -> dict[str, str]:
    """Each mode's value: the one whose carrying switch is on (a choice the format still
    offers), else the format's default."""
    chosen: dict[str, str] = {}
    for mode in modes:
        on = [v for v in mode.choices if switches.get(mode_key(mode.name, v), False)]
        chosen[mode.name] = on[0] if len(on) == 1 else mode.default
    return chosen
