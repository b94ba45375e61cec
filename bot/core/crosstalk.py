"""Crosstalk: when a gentle reminder is due, decided on the message hot path. Pure, no I/O.

Detection is by *who* posts while someone else holds the floor, never by *what* they wrote, so
it works without the Message Content intent. A reminder is never a strike: nothing here is ever
persisted. The only memory is a :class:`CrosstalkGuard` per running meeting, kept in the
runtime's live meeting state; it forgets who was reminded as soon as the share changes, and
the whole guard is dropped when the meeting ends.

How the runtime drives it
-------------------------
* At meeting start: ``guard = CrosstalkGuard(rules, hold_mode=…, message_content=…)``.
  ``guard.hold`` says whether hold mode is in force; :attr:`HoldMode.NEEDS_INTENT` means the
  group asked for it but the intent is not granted: tell the group so, and reminders are used.
* Whenever the section or the floor changes, build one :class:`Situation`
  (``Situation.of(section, floor)``; :data:`NO_POLICY` before the start, between sections and
  in fellowship time after the close) and keep it with the live meeting state.
* Every message in the meeting channel: ``guard.on_post(situation, author, now)`` ->
  :data:`NOTHING`, :class:`Remind` or :class:`Hold`. O(1), no allocation when nothing is due.
* :class:`Hold`: delete the message and DM its text back with ``note``. If the DM fails, leave
  the message where it is and carry out ``guard.hold_failed(situation, author, now)`` instead.
* ``/remind`` and the **Gentle reminder** menu: ``guard.on_request(situation, requester, now,
  about=…)`` -> :class:`Remind` (post it with ``channel.send``, answer the requester privately)
  or :class:`Refused` (word ``reason`` kindly, privately).

:class:`Remind` texts are format templates: render them with
:func:`bot.core.formats.render.render` like every other text. They never name anyone; the
runtime must not add a mention either.

Rules
-----
* Automatic reminders only in sections whose policy is ``not-allowed`` or ``feedback-only``
  (feedback comes when the sharer asks for it, not during the share); ``allowed`` and
  ``encouraged`` give none. Nothing while nobody holds the floor, and no policy at all in
  fellowship time.
* The sharer is never reminded (nor held) during their own share. The chair is not exempt.
* At most one automatic reminder per member per share. A reminder in the channel starts a short
  channel cool-down; a member posting during it is not reminded (the note on screen already
  speaks to everyone) and may be reminded after it. Private reminders (``to_poster``) are
  limited only by the once-per-share rule: they do not fill the channel.
* Held messages are not reminders: every crosstalk message is held (a member's words must not
  stay in the channel), each with the kind note; the fallback when a DM fails is rate-limited.
* A requested reminder is posted in the channel, generic, in any section with a policy. It is
  refused while the channel is cooling down, while the requester is cooling down, and when it is
  about the sharer or about someone already reminded during this share. The requester's
  cool-down is time-bound (it outlives a share change so that nobody can remind once per
  share), is pruned as it expires, and lives only in memory.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from enum import StrEnum

from bot.core.formats.plan import CompiledSection, CrosstalkMode, CrosstalkPolicy
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.core.pseudonyms import Pseudonym
from bot.i18n.message import Msg, msg

#: The reminders the bot itself words, said in the group's language: the kind default when a
#: format gives no words of its own (JOURNEYS.md, journey 5), then the format loader's default
#: for each crosstalk policy (``DEFAULT_REMINDERS`` in bot/core/formats/parts.py, the same
#: words; a test keeps the two lists together). A format's own words are shown as written.
OUR_REMINDERS = (
    msg("Let's give the sharer the floor — you're welcome to share when it's your turn."),
    msg(
        "A gentle reminder: let's give the person sharing the floor. "
        "You're welcome to share when it's your turn."
    ),
    msg("A gentle reminder: let's keep replies kind and one at a time."),
    msg("A gentle reminder: let's keep responses short so everyone has room."),
    msg("A gentle reminder: let's offer feedback only when the person sharing asks for it."),
)
_OURS = {reminder.msgid: reminder for reminder in OUR_REMINDERS}
DEFAULT_REMINDER = OUR_REMINDERS[0].msgid

#: Sent privately with a held message, before its text.
HOLD_NOTE_WORDS = msg(
    "Your message was held so it doesn't interrupt — you can share it when it's your turn. "
    "Here is what you wrote, so nothing is lost:"
)
HOLD_NOTE = HOLD_NOTE_WORDS.msgid

#: The modes in which posting over someone's share is crosstalk.
GUARDED_MODES = frozenset({CrosstalkMode.NOT_ALLOWED, CrosstalkMode.FEEDBACK_ONLY})


def reminder_text(policy: CrosstalkPolicy) -> str:
    """The format's own words for the gentle reminder, or the kind default."""
    return policy.reminder if policy.reminder.strip() else DEFAULT_REMINDER


def reminder_words(text: str) -> Msg | str:
    """A reminder's template (:attr:`Remind.text`) as a message to say in the group's language
    when the words are the bot's own; a format's own words stay as the group wrote them."""
    return _OURS.get(text, text)


# --- inputs -----------------------------------------------------------------------------------


@lazy_dataclass(frozen=True)
class Floor:
    """One share. ``since`` tells two shares by the same member apart."""

    sharer: Pseudonym
    since: datetime


@lazy_dataclass(frozen=True)
class Situation:
    """What is in force in the meeting channel now. Build it when the section or floor changes."""

    policy: CrosstalkPolicy | None  # None: no section running (before start, fellowship time)
    floor: Floor | None = None  # None: nobody is sharing

    @classmethod
    def of(cls, section: CompiledSection, floor: Floor | None) -> Situation:
        return cls(section.crosstalk, floor)


#: Before the start, between sections, and in fellowship time after the close.
NO_POLICY = Situation(None)


@lazy_dataclass(frozen=True)
class ReminderRules:
    channel_cooldown_seconds: int = 30  # after a reminder in the channel
    requester_cooldown_seconds: int = 120  # between two reminders asked for by one member
    fades_after_seconds: int = 20  # the runtime deletes a reminder in the channel after this
    to_poster: bool = False  # automatic reminders go privately to the poster (DM), not the channel

    def __post_init__(self) -> None:
        if min(self.channel_cooldown_seconds, self.requester_cooldown_seconds) < 0:
            raise ValueError("cool-downs cannot be negative")
        if self.fades_after_seconds <= 0:
            raise ValueError("a reminder must stay long enough to be read")


class HoldMode(StrEnum):
    OFF = "off"
    ON = "on"
    NEEDS_INTENT = "needs_intent"  # asked for, but the Message Content intent is not granted


# --- decisions --------------------------------------------------------------------------------


@lazy_dataclass(frozen=True)
class Nothing:
    """Let the message be."""


NOTHING = Nothing()


@lazy_dataclass(frozen=True)
class Remind:
    """Send the gentle reminder: in the channel (generic, fading), or privately to the poster."""

    text: str  # a template: render it; it names nobody
    to_poster: bool = False
    fades_after_seconds: int | None = None  # in the channel only: delete it after this long


@lazy_dataclass(frozen=True)
class Hold:
    """Delete the message and return its text to its author by DM, with ``note``."""

    note: Msg = HOLD_NOTE_WORDS


Decision = Nothing | Remind | Hold


class ReminderRefusal(StrEnum):
    NO_MEETING = "no_meeting"  # no section with a policy is running (or fellowship time)
    JUST_REMINDED = "just_reminded"  # a reminder is already on screen
    PLEASE_WAIT = "please_wait"  # the requester asked for one a moment ago
    SHARER = "sharer"  # it is about the member who holds the floor
    ALREADY_REMINDED = "already_reminded"  # that member was reminded during this share


@lazy_dataclass(frozen=True)
class Refused:
    reason: ReminderRefusal
    retry_after_seconds: int = 0  # for JUST_REMINDED and PLEASE_WAIT


# --- the guard --------------------------------------------------------------------------------


class CrosstalkGuard:
    """Rate limits for one running meeting. In memory only; never persisted."""

    __slots__ = ("_asked", "_quiet_until", "_reminded", "_share", "hold", "rules")

    def __init__(
        self,
        rules: ReminderRules | None = None,
        *,
        hold_mode: bool = False,
        message_content: bool = False,
    ) -> None:
        self.rules = rules or ReminderRules()
        self.hold = (
            HoldMode.OFF
            if not hold_mode
            else HoldMode.ON
            if message_content
            else HoldMode.NEEDS_INTENT
        )
        self._share: Floor | None = None
        self._reminded: set[Pseudonym] = set()  # reminded during the current share
        self._quiet_until: datetime | None = None  # the channel cool-down
        self._asked: dict[Pseudonym, datetime] = {}  # requester -> may ask again from

    def on_post(self, situation: Situation, author: Pseudonym, now: datetime) -> Decision:
        """A message by ``author`` in the meeting channel: what, if anything, to do."""
        policy, floor = situation.policy, situation.floor
        if policy is None or floor is None or policy.mode not in GUARDED_MODES:
            return NOTHING
        if author == floor.sharer:
            return NOTHING
        if self.hold is HoldMode.ON:
            return Hold()
        return self._automatic(policy, floor, author, now)

    def hold_failed(self, situation: Situation, author: Pseudonym, now: datetime) -> Decision:
        """The DM of a held message failed: the message stays, and a reminder may be due."""
        policy, floor = situation.policy, situation.floor
        if policy is None or floor is None or policy.mode not in GUARDED_MODES:
            return NOTHING
        if author == floor.sharer:
            return NOTHING
        return self._automatic(policy, floor, author, now)

    def on_request(
        self,
        situation: Situation,
        requester: Pseudonym,
        now: datetime,
        about: Pseudonym | None = None,
    ) -> Remind | Refused:
        """A member asks for a gentle reminder, about one message's author or in general."""
        policy, floor = situation.policy, situation.floor
        if policy is None:
            return Refused(ReminderRefusal.NO_MEETING)
        self._follow(floor)
        self._asked = {who: until for who, until in self._asked.items() if until > now}
        if about is not None and floor is not None:
            if about == floor.sharer:
                return Refused(ReminderRefusal.SHARER)
            if about in self._reminded:
                return Refused(ReminderRefusal.ALREADY_REMINDED)
        if self._quiet_until is not None and now < self._quiet_until:
            return Refused(ReminderRefusal.JUST_REMINDED, _seconds_until(now, self._quiet_until))
        if requester in self._asked:
            return Refused(ReminderRefusal.PLEASE_WAIT, _seconds_until(now, self._asked[requester]))
        self._asked[requester] = now + timedelta(seconds=self.rules.requester_cooldown_seconds)
        if about is not None and floor is not None:
            self._reminded.add(about)
        return self._in_channel(policy, now)

    # --- inside -------------------------------------------------------------------------------

    def _follow(self, floor: Floor | None) -> None:
        # A new share (or the end of one) starts with a clean slate: who was reminded during
        # the previous share, and the channel cool-down, are forgotten.
        if floor is not self._share and floor != self._share:
            self._share = floor
            self._reminded = set()
            self._quiet_until = None

    def _automatic(
        self, policy: CrosstalkPolicy, floor: Floor, author: Pseudonym, now: datetime
    ) -> Decision:
        self._follow(floor)
        if author in self._reminded:
            return NOTHING
        if self.rules.to_poster:
            self._reminded.add(author)
            return Remind(reminder_text(policy), to_poster=True)
        if self._quiet_until is not None and now < self._quiet_until:
            return NOTHING
        self._reminded.add(author)
        return self._in_channel(policy, now)

    def _in_channel(self, policy: CrosstalkPolicy, now: datetime) -> Remind:
        self._quiet_until = now + timedelta(seconds=self.rules.channel_cooldown_seconds)
        return Remind(reminder_text(policy), fades_after_seconds=self.rules.fades_after_seconds)


def _seconds_until(now: datetime, then: datetime) -> int:
    return max(1, math.ceil((then - now).total_seconds()))
