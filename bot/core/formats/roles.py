"""Who does what: service roles, their rotation and eligibility, and who leads a section."""

from __future__ import annotations

from enum import StrEnum

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.i18n.message import Msg, msg, msg_n


class WhoKind(StrEnum):
    ROLE = "role"  # whoever holds `role` (the chair is the role "chair")
    VOLUNTEER = "volunteer"  # the bot offers it to the room
    EVERYONE = "everyone"  # all together (a recitation)


@lazy_dataclass(frozen=True)
class Who:
    kind: WhoKind
    role: str | None = None  # set only when kind is ROLE

    def describe(self, roles: tuple[CompiledRole, ...] = ()) -> str:
        if self.kind is WhoKind.VOLUNTEER:
            return "a volunteer"
        if self.kind is WhoKind.EVERYONE:
            return "everyone together"
        for role in roles:
            if role.id == self.role:
                return f"the {role.title.lower()}"
        return f"the {(self.role or 'chair').replace('-', ' ')}"


CHAIR = Who(WhoKind.ROLE, "chair")


def who_said(who: Who, roles: tuple[CompiledRole, ...] = ()) -> Msg:
    """ "a volunteer", "everyone together", "the secretary" (the role's title as written)."""
    if who.kind is WhoKind.VOLUNTEER:
        return msg("a volunteer")
    if who.kind is WhoKind.EVERYONE:
        return msg("everyone together")
    for role in roles:
        if role.id == who.role:
            return _the_role(role.title.lower())
    return _the_role((who.role or "chair").replace("-", " "))


def _the_role(title: str) -> Msg:
    return msg("the chair") if title == "chair" else msg("the {role}", role=title)


class RotationKind(StrEnum):
    EVERY_MEETING = "every-meeting"  # the next volunteer in the rotation, each meeting
    BY_WEEKDAY = "by-weekday"  # a weekly roster: one person per weekday
    TERM = "term"  # serves for `term` (N meetings or N months)
    ON_THE_DAY = "on-the-day"  # not rotated: someone volunteers at the meeting


class TermUnit(StrEnum):
    MEETINGS = "meetings"
    MONTHS = "months"


@lazy_dataclass(frozen=True)
class Term:
    count: int
    unit: TermUnit


class FallbackKind(StrEnum):
    ROLE = "role"  # another role takes over (`role`)
    ANY_MEMBER = "any-member"  # the bot asks the room for anyone to step in
    SKIP = "skip"  # sections led by this role are skipped


@lazy_dataclass(frozen=True)
class Fallback:
    kind: FallbackKind
    role: str | None = None


@lazy_dataclass(frozen=True)
class Eligibility:
    """Who may take a role. Checked by the rotation, not by the runner."""

    member_for_days: int = 0  # has been able to see the group's channel this long
    not_last_time: bool = False  # did not hold this role at the previous meeting
    wait_for_everyone: bool = False  # nobody serves again until everyone in rotation has
    at_most_every: int = 0  # meetings; 0: no limit
    trained: bool = False  # only volunteers who said they have done the group's training


@lazy_dataclass(frozen=True)
class CompiledRole:
    id: str
    title: str
    duties: str
    rotation: RotationKind
    term: Term | None
    eligibility: Eligibility
    fallback: Fallback
    seats: int = 1  # how many people hold it at once (e.g. 3 readers)
    swaps_allowed: bool = True
    elected: bool = False  # held by whoever the business meeting elected, for their term
    substitute: str | None = None  # the role whose holder covers when this one's steps back


def eligibility_words(role: CompiledRole, roles: tuple[CompiledRole, ...] = ()) -> str:
    """How the role is filled beyond its rotation, for the preview ("" when nothing special):
    "2 seats each meeting; only volunteers who have done the group's training; …"."""
    rules = role.eligibility
    parts = []
    if role.seats > 1:
        parts.append(f"{role.seats} seats each meeting")
    if rules.trained:
        parts.append("only volunteers who have done the group's training")
    if rules.at_most_every > 1:
        parts.append(f"at most once every {rules.at_most_every} meetings each")
    if rules.wait_for_everyone:
        parts.append("nobody serves twice until every volunteer has served once")
    if role.substitute is not None:
        other = Who(WhoKind.ROLE, role.substitute).describe(roles)
        parts.append(f"{other} stands in when its holder can't come")
    return "; ".join(parts)


def eligibility_said(role: CompiledRole, roles: tuple[CompiledRole, ...] = ()) -> list[Msg]:
    """:func:`eligibility_words` as messages, one a rule (empty when nothing special)."""
    rules = role.eligibility
    parts: list[Msg] = []
    if role.seats > 1:
        parts.append(msg_n("{n} seat each meeting", "{n} seats each meeting", role.seats))
    if rules.trained:
        parts.append(msg("only volunteers who have done the group's training"))
    if rules.at_most_every > 1:
        parts.append(
            msg_n(
                "at most once every {n} meeting each",
                "at most once every {n} meetings each",
                rules.at_most_every,
            )
        )
    if rules.wait_for_everyone:
        parts.append(msg("nobody serves twice until every volunteer has served once"))
    if role.substitute is not None:
        other = who_said(Who(WhoKind.ROLE, role.substitute), roles)
        parts.append(msg("{role} stands in when its holder can't come", role=other))
    return parts
