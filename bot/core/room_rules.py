"""A meeting channel's rules while a section runs, as Discord permission overwrites: pure.

The format's ``channel: post:`` and ``video:`` rules (``sharer``, ``chair``, ``nobody``) and
``lock-channel: during-meeting`` become changes to the channel's overwrites, worked out here
from what the channel looks like *without* the bot's changes (its **base**: the overwrites as
they are now, with the bits the bot manages put back as they were before it touched them). Only
three bits
are ever managed, :data:`SEND` (Send Messages), :data:`CONNECT` (Connect, for a voice channel
locked to newcomers) and :data:`STREAM` (Video, in a voice or stage channel); every other bit of
every overwrite is left as it is.

* Posting closed (``sharer``, ``chair``, ``nobody``): @everyone is denied Send Messages; role
  overwrites that allowed it stop allowing it (neither allowed nor denied); the sharer and the
  chair (as the rule says) are allowed it on their own overwrite — unless their own overwrite
  denies it (a moderator's or the group's decision stands); the bot keeps it, so the meeting
  can go on.
* Video closed (``video: sharer`` / ``chair`` / ``nobody``, a voice or stage channel only):
  @everyone is denied Video; role overwrites that allowed it stop allowing it; the sharer and
  the chair (as the rule says) are allowed it on their own overwrite, unless it denies Video.
* Locked to newcomers (with the group's member role): @everyone is denied Send Messages (and
  Connect in a voice or stage channel); the member role is allowed them (Send Messages only
  while posting is open); other roles stop allowing them.
* A raid lock without a member role (``newcomers``): each account that joined the server
  lately is denied Send Messages (and Connect in a voice or stage channel) on its own
  overwrite — unless that overwrite allows posting (someone who manages the server let them).
  The bot, the sharer and the chair are never among them (the service leaves them out).

:func:`reconcile` turns "what is wanted now" into the overwrite changes to make, opening
changes first (never a moment more closed than both the old and the new rule), and the
original of every overwrite it touches — what :func:`restore` gives back, exactly.
Slow mode is one number: :func:`slow_mode` says what to set and what to remember.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.formats.plan import WhoMay
from bot.core.lazy_dataclasses import lazy_dataclass

#: Discord's Send Messages and Connect permission bits, and Video (``STREAM``: a camera or a
#: shared screen in a voice or stage channel).
SEND = 1 << 11
CONNECT = 1 << 20
STREAM = 1 << 9
#: The only bits the bot ever changes.
MANAGED = SEND | CONNECT | STREAM

CLOSED = frozenset({WhoMay.SHARER, WhoMay.CHAIR, WhoMay.NOBODY})


@lazy_dataclass(frozen=True, order=True)
class Holder:
    """Whom an overwrite is for: a role (@everyone is the role with the server's id) or a
    member (the bot included). Ids live in memory only."""

    role: bool
    id: int


@lazy_dataclass(frozen=True)
class Bits:
    """An overwrite's allowed and denied bits."""

    allow: int = 0
    deny: int = 0

    def managed(self) -> Bits:
        return Bits(self.allow & MANAGED, self.deny & MANAGED)

    def with_managed(self, managed: Bits) -> Bits:
        """These bits, with the managed ones taken from ``managed``."""
        return Bits(
            (self.allow & ~MANAGED) | (managed.allow & MANAGED),
            (self.deny & ~MANAGED) | (managed.deny & MANAGED),
        )


#: An overwrite as it is (None: the holder has none).
Overwrites = Mapping[Holder, Bits]
#: What the bot found before it touched each holder: its managed bits, or None (no overwrite).
Originals = Mapping[Holder, Bits | None]


@lazy_dataclass(frozen=True)
class Setting:
    """What one holder's overwrite should say about the bits in ``mask``."""

    mask: int
    allow: int = 0
    deny: int = 0

    def applied(self, bits: Bits) -> Bits:
        return Bits(
            (bits.allow & ~self.mask) | (self.allow & self.mask),
            (bits.deny & ~self.mask) | (self.deny & self.mask),
        )


@lazy_dataclass(frozen=True)
class Ask:
    """What the meeting asks of the channel now."""

    post: WhoMay
    lock: bool  # closed to newcomers (needs ``member_role``)
    voice: bool  # a voice or stage channel (a lock closes Connect too)
    everyone: Holder
    bot: Holder
    member_role: Holder | None = None
    sharer: Holder | None = None
    chair: Holder | None = None
    #: A raid lock without a member role: the accounts that joined the server lately.
    newcomers: frozenset[Holder] = frozenset()
    #: ``channel: video:``: who may turn a camera on or share a screen (in voice only).
    video: WhoMay = WhoMay.EVERYONE


OPEN = Ask(WhoMay.EVERYONE, False, False, Holder(True, 0), Holder(False, 0))


def base(current: Overwrites, originals: Originals) -> dict[Holder, Bits | None]:
    """The channel as it would be without the bot's changes."""
    found: dict[Holder, Bits | None] = dict(current)
    for holder, before in originals.items():
        now = current.get(holder)
        if before is None and (now is None or now.with_managed(Bits()) == Bits()):
            found[holder] = None  # the bot made it: without the bot there is none
        else:
            found[holder] = (now or Bits()).with_managed(before or Bits())
    return found


def wanted(channel: Mapping[Holder, Bits | None], ask: Ask) -> dict[Holder, Setting]:
    """The settings the ask needs, over the channel's base overwrites."""
    closed = ask.post in CLOSED
    lock = ask.lock and ask.member_role is not None
    camera = ask.voice and ask.video in CLOSED
    shut = (
        (SEND if closed or lock else 0)
        | (CONNECT if lock and ask.voice else 0)
        | (STREAM if camera else 0)
    )
    kept_out = _newcomers(channel, ask)
    if not shut:
        return kept_out
    out: dict[Holder, Setting] = {**kept_out, ask.everyone: Setting(shut, deny=shut)}
    for holder, bits in channel.items():
        if holder.role and holder != ask.everyone and bits is not None and bits.allow & shut:
            out[holder] = Setting(bits.allow & shut)  # neither allowed nor denied
    if lock and ask.member_role is not None:
        opened = (CONNECT if ask.voice else 0) | (0 if closed else SEND)
        role = out.get(ask.member_role, Setting(0))
        if opened:
            out[ask.member_role] = Setting(role.mask | opened, allow=opened)
    granted: dict[Holder, int] = {}
    rules = ((SEND, ask.post if closed else None), (STREAM, ask.video if camera else None))
    for bit, rule in rules:
        if rule is WhoMay.SHARER and ask.sharer is not None:
            granted[ask.sharer] = granted.get(ask.sharer, 0) | bit
        if rule in (WhoMay.SHARER, WhoMay.CHAIR) and ask.chair is not None:
            granted[ask.chair] = granted.get(ask.chair, 0) | bit
    if shut & SEND:
        granted[ask.bot] = granted.get(ask.bot, 0) | SEND  # the meeting goes on
    for holder, given in granted.items():
        own = channel.get(holder)
        given &= ~(own.deny if own is not None else 0)  # a moderator's (or the group's) no stands
        if given:
            out[holder] = Setting(given, allow=given)
    return out


def _newcomers(channel: Mapping[Holder, Bits | None], ask: Ask) -> dict[Holder, Setting]:
    """Each newcomer denied posting (and joining voice) on their own overwrite."""
    shut = SEND | (CONNECT if ask.voice else 0)
    out: dict[Holder, Setting] = {}
    for holder in ask.newcomers:
        own = channel.get(holder)
        if holder.role or holder in (ask.bot, ask.sharer, ask.chair):
            continue
        if own is not None and own.allow & SEND:
            continue  # someone who manages the server let them post: that stands
        out[holder] = Setting(shut, deny=shut)
    return out


@lazy_dataclass(frozen=True)
class Change:
    """Set ``holder``'s overwrite to ``bits`` (None: delete it)."""

    holder: Holder
    bits: Bits | None
    closes: bool  # takes something away from someone


@lazy_dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    #: The originals to keep while the changes hold (before the calls, grown; after, this).
    originals: dict[Holder, Bits | None]


def _closes(old: Bits | None, new: Bits | None) -> bool:
    before, after = old or Bits(), new or Bits()
    return bool((before.allow & ~after.allow) | (after.deny & ~before.deny))


def reconcile(current: Overwrites, originals: Originals, want: Mapping[Holder, Setting]) -> Plan:
    """The changes that take the channel from ``current`` to ``want`` (everything not wanted
    back to its original), opening changes first; and the originals to keep."""
    channel = base(current, originals)
    kept: dict[Holder, Bits | None] = {}
    changes: list[Change] = []
    for holder in sorted({*originals, *want}):
        now = current.get(holder)
        without = channel.get(holder)
        setting = want.get(holder)
        if setting is None:
            target = without
        else:
            target = setting.applied(without or Bits())
            kept[holder] = originals[holder] if holder in originals else _managed(now)
            if without is None and target == Bits():
                target = None
        if target != now:
            changes.append(Change(holder, target, _closes(now, target)))
    changes.sort(key=lambda change: change.closes)  # opening first (a stable sort)
    return Plan(tuple(changes), kept)


def restore(current: Overwrites, originals: Originals) -> Plan:
    """Everything the bot changed, back as it was."""
    return reconcile(current, originals, {})


def _managed(bits: Bits | None) -> Bits | None:
    return None if bits is None else bits.managed()


@lazy_dataclass(frozen=True)
class SlowMode:
    """Slow mode to set (None: leave it) and the original to remember (None: nothing kept)."""

    set_to: int | None
    before: int | None


def slow_mode(current: int, before: int | None, wanted_seconds: int) -> SlowMode:
    """A section's slow mode over the channel's own (``before``: what it was before the bot
    changed it, if it did)."""
    if wanted_seconds > 0:
        original = current if before is None else before
        return SlowMode(None if current == wanted_seconds else wanted_seconds, original)
    if before is None:
        return SlowMode(None, None)
    return SlowMode(None if current == before else before, None)
