"""Floor control in voice and stage channels: who is silenced during a share, and the way back.

Pure planning, no I/O. The runtime tells it who is in the channel and whether each member is
*silenced* now — in a voice channel, server-muted (``PATCH /guilds/{g}/members/{u}`` with
``mute``); in a stage channel, in the audience (``PATCH /guilds/{g}/voice-states/{u}`` with
``suppress``). Both need the **Mute Members** permission (:func:`missing_permissions`). The
planner answers with the fewest changes to make, and keeps what it needs to give every member
back exactly the state they had before the bot first changed it.

Members are an opaque key ``K``: the runtime plans on live Discord member ids, in memory.

How the runtime drives it
-------------------------
1. When a section with floor control starts: ``control = VoiceFloor(Room.STAGE)`` (or
   ``VOICE`` when the group opted in). Pass only the members to manage: leave bots out.
2. At every change of floor, and when a member joins mid-section:
   ``step = give_floor(control, present, speakers)`` (``speakers`` from :func:`who_may_speak`).
   If ``step.plan_changed``, persist ``step.control.restore_plan()`` as the section's durable
   restore deadline **before** any call (see *Persisting* below). Then carry out
   ``pace(step.changes)``: each :class:`Wave` ``after_seconds`` after the floor change. Keep
   ``step.control`` in memory. When a member leaves the channel,
   ``step = member_left(control, member)`` is handled the same way (it makes no calls).
3. When the section ends: ``done = end(control, present)``; carry out ``pace(done.changes)``.
   In a voice channel a server mute stays on a member who left, and Discord refuses to change it
   until they connect again: ``done.pending`` holds those. Persist it in place of the plan (or
   delete the deadline if it is empty), and when a member connects to voice in the server, call
   ``restore(pending, {member: muted_now})`` and persist what is left.
4. After a crash, the deadline fires (at once if past due): load the plan,
   ``restore(plan, present)`` with the voice states the gateway gave on reconnect; the same
   pending rules apply. Every change is safe to repeat. If the section is still under way,
   resume instead with ``VoiceFloor(room, before=plan members present, set_to=their state as
   seen now)``: everyone in a plan was changed by the bot, so their state is the bot's own.
   (Without ``set_to`` a member the bot muted would look muted by someone else, and stay
   muted when given the floor.)

``present`` is the runtime's own view of the channel: voice states from the gateway, updated
too when one of its calls succeeds. Within one :class:`VoiceFloor` a view that lags behind
the bot's calls is tolerated; after :func:`restore` (a crash replay, a pending member) nothing
remembers the calls, so the view must include them before floor control resumes.

Persisting
----------
Nothing is written by this module. A restore plan names everyone the bot silenced, which is an
attendance list: persist it only under pseudonyms (``plan.map_members(pseudonym_of)``; the bot
keeps it in a registered table, bot/store/voice_floor.py; ``to_json``/``from_json`` serve a
single text value), match pseudonyms over the members Discord lists on reload, and delete it
the moment the restore is done. Never log it. Pending entries for members who never come back
should be given up after a while (a day, say).

Choices
-------
* Minimal: a member already in the state the floor needs is left alone, so a change of sharer
  in a silenced room costs two calls (give the new sharer the floor, silence the previous one).
  The member who is given the floor comes first.
* What the bot set is trusted over what it sees (a gateway update may lag behind a call), but a
  member whose seen state differs is changed again: a call too many is harmless, one too few
  would leave a sharer silenced.
* Voice: the bot never lifts a server mute it did not set. A member muted by someone before the
  bot touched them stays muted, even for their share (the runtime can tell them kindly). Stage:
  the audience is the default place, so the sharer is always invited to speak.
* Changes made by people to members the bot manages, during the section, are not noticed: the
  next floor change sets them again, and the end restores the state from before the section.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import field
from enum import StrEnum
from typing import Generic, TypeVar

from bot.core.formats.plan import WhoMay
from bot.core.lazy_dataclasses import lazy_dataclass

K = TypeVar("K", bound=Hashable)
T = TypeVar("T", bound=Hashable)

#: Calls per second when many members change at once (the start and end of a section).
CALLS_PER_SECOND = 4

#: discord.py permission names the bot needs, in both kinds of room.
REQUIRED_PERMISSIONS = ("mute_members",)

_PLAN_VERSION = 1


class Room(StrEnum):
    VOICE = "voice"  # silenced = server-muted
    STAGE = "stage"  # silenced = in the audience (suppressed)


def missing_permissions(granted: Collection[str]) -> tuple[str, ...]:
    """Which of :data:`REQUIRED_PERMISSIONS` the bot lacks in the channel."""
    return tuple(name for name in REQUIRED_PERMISSIONS if name not in granted)


def who_may_speak(rule: WhoMay, sharer: K | None, chair: K | None) -> frozenset[K] | None:
    """The members to leave unsilenced under a section's ``channel.speak`` rule.

    ``None`` for :attr:`WhoMay.EVERYONE`: no floor control (end it if it was on).
    """
    if rule is WhoMay.EVERYONE:
        return None
    chosen = {WhoMay.SHARER: (sharer, chair), WhoMay.CHAIR: (chair,), WhoMay.NOBODY: ()}[rule]
    return frozenset(member for member in chosen if member is not None)


@lazy_dataclass(frozen=True)
class Change(Generic[K]):
    member: K
    silenced: bool  # voice: mute=silenced; stage: suppress=silenced


@lazy_dataclass(frozen=True)
class Wave(Generic[K]):
    after_seconds: int  # counted from the floor change
    changes: tuple[Change[K], ...]


def pace(
    changes: Sequence[Change[K]], calls_per_second: int = CALLS_PER_SECOND
) -> tuple[Wave[K], ...]:
    """Split changes into waves one second apart, at most ``calls_per_second`` in each."""
    if calls_per_second < 1:
        raise ValueError("at least one call per second")
    return tuple(
        Wave(second, tuple(changes[start : start + calls_per_second]))
        for second, start in enumerate(range(0, len(changes), calls_per_second))
    )


# --- restore plans: what is persisted ---------------------------------------------------------


@lazy_dataclass(frozen=True)
class RestorePlan(Generic[K]):
    """The state to give back to each member the bot changed. Small, JSON-serialisable."""

    room: Room
    targets: Mapping[K, bool] = field(default_factory=dict)  # member -> silenced before

    def __bool__(self) -> bool:
        return bool(self.targets)

    def map_members(self, convert: Callable[[K], T]) -> RestorePlan[T]:
        """The same plan under other keys: pseudonyms to persist, member ids after reload."""
        converted = {convert(member): silenced for member, silenced in self.targets.items()}
        if len(converted) != len(self.targets):
            raise ValueError("two members would share one key")
        return RestorePlan(self.room, converted)

    def to_json(self, key: Callable[[K], str]) -> str:
        entries = [[key(member), silenced] for member, silenced in self.targets.items()]
        data = {"version": _PLAN_VERSION, "room": self.room.value, "restore": entries}
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str, key: Callable[[str], T]) -> RestorePlan[T]:
        """Read back :meth:`to_json`'s output; anything else raises ``ValueError``."""
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("version") != _PLAN_VERSION:
            raise ValueError("not a restore plan of a known version")
        entries = data.get("restore")
        if not isinstance(entries, list):
            raise ValueError("a restore plan lists its members")
        targets: dict[T, bool] = {}
        for entry in entries:
            if not (
                isinstance(entry, list)
                and len(entry) == 2
                and isinstance(entry[0], str)
                and isinstance(entry[1], bool)
            ):
                raise ValueError("each member of a restore plan is [key, silenced]")
            member = key(entry[0])
            if member in targets:
                raise ValueError("a member appears twice in a restore plan")
            targets[member] = entry[1]
        return RestorePlan(Room(str(data.get("room"))), targets)


@lazy_dataclass(frozen=True)
class Restore(Generic[K]):
    changes: tuple[Change[K], ...]  # to make now (pace them)
    pending: RestorePlan[K]  # voice: members not connected now; apply when they connect


def restore(
    plan: RestorePlan[K],
    present: Mapping[K, bool],
    believed: Mapping[K, bool] | None = None,
) -> Restore[K]:
    """The changes that give the plan's members back their state.

    ``present``: the members in the channel and whether each is silenced as seen now.
    ``believed``: what the bot last set, when it still knows (not after a crash).
    """
    known = believed or {}
    gives: list[Change[K]] = []
    takes: list[Change[K]] = []
    pending: dict[K, bool] = {}
    for member, target in plan.targets.items():
        if member in present:
            seen = present[member]
            if seen != target or known.get(member, seen) != target:
                (takes if target else gives).append(Change(member, target))
        elif plan.room is Room.VOICE and known.get(member) != target:
            pending[member] = target
        # Stage: a member who left is no longer on the stage; rejoining starts afresh.
    return Restore(tuple(gives + takes), RestorePlan(plan.room, pending))


# --- live control during a section -----------------------------------------------------------


@lazy_dataclass(frozen=True)
class VoiceFloor(Generic[K]):
    """Floor control for one section. Lives in memory; only its restore plan is persisted."""

    room: Room
    before: Mapping[K, bool] = field(default_factory=dict)  # as seen before the bot's first change
    set_to: Mapping[K, bool] = field(default_factory=dict)  # what the bot last set

    def restore_plan(self) -> RestorePlan[K]:
        return RestorePlan(self.room, dict(self.before))


@lazy_dataclass(frozen=True)
class VoiceFloorStep(Generic[K]):
    control: VoiceFloor[K]
    changes: tuple[Change[K], ...]  # the member(s) given the floor first
    plan_changed: bool  # persist control.restore_plan() before making the changes


def give_floor(
    control: VoiceFloor[K], present: Mapping[K, bool], speakers: Collection[K]
) -> VoiceFloorStep[K]:
    """Silence everyone in ``present`` but ``speakers``, with the fewest changes."""
    before = dict(control.before)
    set_to = dict(control.set_to)
    gives: list[Change[K]] = []
    takes: list[Change[K]] = []
    for member, seen in present.items():
        target = member not in speakers
        if seen == target and set_to.get(member, seen) == target:
            continue
        if control.room is Room.VOICE and not target and member not in set_to:
            continue  # muted by someone else before the bot touched them: their call stands
        before.setdefault(member, seen)
        set_to[member] = target
        (takes if target else gives).append(Change(member, target))
    plan_changed = len(before) != len(control.before)
    return VoiceFloorStep(
        VoiceFloor(control.room, before, set_to), tuple(gives + takes), plan_changed
    )


def member_left(control: VoiceFloor[K], member: K) -> VoiceFloorStep[K]:
    """A member left the channel.

    Voice: nothing changes, a server mute stays on the member wherever they go. Stage: they
    will come back in the audience, as they would without the bot, so they are let go.
    """
    if control.room is Room.VOICE or member not in control.before:
        return VoiceFloorStep(control, (), plan_changed=False)
    before = {key: value for key, value in control.before.items() if key != member}
    set_to = {key: value for key, value in control.set_to.items() if key != member}
    return VoiceFloorStep(VoiceFloor(control.room, before, set_to), (), plan_changed=True)


def end(control: VoiceFloor[K], present: Mapping[K, bool]) -> Restore[K]:
    """The section is over: give every member back the state they had before it."""
    return restore(control.restore_plan(), present, control.set_to)
