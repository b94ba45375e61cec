"""The meeting channel's rules while each section runs: the format's ``channel: post:`` and
``slow-mode`` (per section, or for the whole meeting) and ``lock-channel: during-meeting``,
applied as the meeting moves and put back exactly afterwards.

What the bot does (the planner is :mod:`bot.core.room_rules`; Discord is behind
:class:`RoomRulesPort`, implemented by :class:`bot.adapters.room_rules.DiscordRoomRules`):

* ``post: sharer`` / ``chair`` / ``nobody``: @everyone is denied **Send Messages** in the
  channel while the section runs; the sharer (as the floor moves) and the chair, as the rule
  says, are allowed it on their own overwrite, and so is the bot. Role overwrites that allowed
  posting stop allowing it. A member whose own overwrite denies posting (a moderator's or the
  group's decision) is never opened up.
* ``slow-mode``: the channel's slow mode (``rate_limit_per_user``) while the section runs.
* ``lock-channel: during-meeting``: from the start to the close, @everyone is denied Send
  Messages (and Connect in a voice or stage channel) and the group's member role is allowed
  them, so people from outside the group can't post or come in. A group without a member role
  can't be told from newcomers: the chair is told so, once, and the channel stays open.
* The raid lock (:mod:`bot.runtime.room_rules.lock`): any member closes the channel to people
  outside the group during a raid; it is one more thing the channel is asked, through the same
  reconciliation and the same restore plan, and it lifts by the chair, a show of hands, or
  itself (a durable deadline, :mod:`bot.runtime.room_rules.raid`).
* ``speak:`` is floor control in voice, already done by :mod:`bot.runtime.voice_floor`
  (server mutes, each member's exact state given back; the stage's speakers): nothing here
  touches Speak, so the two never fight over a member.

How it stays safe
-----------------
* Only two bits are ever changed (Send Messages, Connect) and the slow mode; every other bit of
  every overwrite stays as it is. Changes that open come before changes that close, so the
  channel is never, even for a moment, more closed than the rule asks.
* Before the first change, what the channel was like is committed to ``room_restore``
  (bot/store/room_rules.py, registered with the privacy registry): each touched overwrite's two
  bits before (or that there was none) — roles by the role's id, members by coded key, never by
  id — and the slow mode. It grows before a call and shrinks after it, and is deleted when the
  channel is back as it was.
* The channel is read from Discord (not the cache) before each reconciliation, so an update the
  gateway hasn't delivered yet can never be taken for the channel's own setting.
* After a kill -9 the plan is read back on the first ``on_ready``; members are found again among
  the channel's own overwrites by computing coded keys; the meeting carries on with its rules,
  or the channel is put back.
* If a rule can't be applied (no **Manage Permissions** / **Manage Channel** in the channel), the
  meeting goes on without it and the chair is told once, privately, which permission would make
  it work. If putting the channel back is refused (403), it is tried again with a growing delay
  (a deadline that survives restarts) and the group is told once, kindly; and again when it's
  done.
* Forget-me and a server leaving: see :meth:`RoomRulesService.member_forgotten` and
  :meth:`RoomRulesService.guild_left`.
"""

from __future__ import annotations

from bot.runtime.room_rules.lock import HANDS_KIND, HANDS_SECONDS, RaidLockService
from bot.runtime.room_rules.port import RoomPlace, RoomRulesPort, RoomSnapshot
from bot.runtime.room_rules.raid import LOCK_KIND, RaidLock
from bot.runtime.room_rules.service import RETRY_BASE, ROOM_KIND, RoomRulesService

__all__ = [
    "HANDS_KIND",
    "HANDS_SECONDS",
    "LOCK_KIND",
    "RETRY_BASE",
    "ROOM_KIND",
    "RaidLock",
    "RaidLockService",
    "RoomPlace",
    "RoomRulesPort",
    "RoomRulesService",
    "RoomSnapshot",
]
