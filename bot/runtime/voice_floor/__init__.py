"""Floor control in voice and stage channels: the planner (:mod:`bot.core.voice_floor`), what it
asks of Discord (:class:`VoiceFloorPort`, implemented by
:class:`bot.adapters.voice_floor.DiscordVoiceFloor`), and a durable way back.

When a group meets in a **stage** channel, the person sharing is made the speaker (with the
chair) and the others move to the audience while a sharing section runs: the format's
``channel: speak:`` rule, or ``sharer`` by default in sharing sections without crosstalk (where
responses are welcome, the stage is left as it is). Everyone gets their place back when the
controlled part of the meeting ends.

In a **voice** channel nothing happens unless the group opted in with the format's
``channel: speak:`` rule (``sharer``, ``chair`` or ``nobody``); then everyone else is
server-muted, and each member's exact previous mute state is given back afterwards. A member
someone else had muted stays muted.

How it runs
-----------
* :meth:`VoiceFloorService.sync` reconciles one channel with what the live meeting wants *now*; it
  is called (as a background task, so the meeting's lock is never held while calls are paced)
  after every meeting step, when members join or leave the channel, and after a restart. Calls
  are paced (:func:`~bot.core.voice_floor.pace`) and serialised per channel.
* Before the bot first changes anyone, the restore plan is committed to the ``floor_restore``
  table (bot/store/voice_floor.py, registered with the privacy registry): per member, a coded
  key and the state to give back. Everyone in it is someone the bot itself silenced, so after a
  restart their mutes are known as the bot's own and lifted when they get the floor (a mute
  someone else made before the bot touched a member is never in the plan, and stays). The
  plan is replaced as it changes and deleted when everyone has their state back; a deadline
  (kind :data:`FLOOR_KIND`, key = the channel, payload = the channel id only) gives up on it.
  After a kill -9 the plan is read back on the first ``on_ready``, members are matched by
  computing pseudonyms over the members Discord lists, and the meeting either carries on with
  the same plan (nobody is unmuted just to be muted again) or everyone is given their state
  back.
* A server mute stays on a member who left voice, and Discord refuses to lift it until they
  connect again: such members stay in the plan and get their state back when they connect. The
  deadline gives them up after :data:`GIVE_UP_SECONDS` of clock time.
* Permissions are checked first (**Mute Members**, which Discord requires both to server-mute
  and to move people between stage and audience); the group is told plainly what is missing,
  once. A refusal (403) is never retried.
"""

from __future__ import annotations

from bot.runtime.voice_floor.port import FloorChannel, VoiceFloorPort, VoiceMove
from bot.runtime.voice_floor.service import (
    FLOOR_KIND,
    GIVE_UP_SECONDS,
    NOT_READY_RETRY_SECONDS,
    PAUSED,
    VoiceFloorService,
)

__all__ = [
    "FLOOR_KIND",
    "GIVE_UP_SECONDS",
    "NOT_READY_RETRY_SECONDS",
    "PAUSED",
    "FloorChannel",
    "VoiceFloorPort",
    "VoiceFloorService",
    "VoiceMove",
]
