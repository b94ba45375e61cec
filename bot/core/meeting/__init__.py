"""The meeting core: a pure state machine over a group's compiled format.

For the runtime's author
------------------------
``runner = MeetingRunner(plan)`` for the format the meeting runs (keep the plan the meeting
started with; a format adopted meanwhile applies from the next meeting). Every operation is pure:
it takes the stored :class:`MeetingState` and ``now`` (an aware datetime from the one clock) and
returns ``(new_state, effects)``. For each call:

1. take the meeting's lock, load the state (``MeetingState.from_json``);
2. call the operation; a :class:`~bot.core.meeting.effects.MeetingError` means nothing changed —
   answer the member privately and kindly from ``error.reason``;
3. in one transaction: store ``new_state.to_json()`` and apply the timer effects
   (:class:`~.effects.ArmMeetingDeadline` / :class:`~.effects.CancelMeetingDeadline`, keyed by
   ``(kind, meeting id + ":" + key)`` in the durable scheduler);
4. then carry out the channel effects in order (see :mod:`bot.core.meeting.effects`), and delete the
   stored state when one of them is :class:`~bot.core.meeting.effects.MeetingEnded`.

When a deadline is due, call ``runner.deadline_passed(state, kind, key, now)`` (with the key as the
core gave it). A deadline from a state that has moved on is ignored — the keys carry a token —
and one that fires early is armed again, so the handler needs no logic of its own.

After a restart (kill -9 included): load each running meeting and call
``runner.resumed_after_restart(state, now)``. It re-arms every deadline the state needs
(deadlines are absolute times; those that passed fire at once), tells the channel the meeting
goes on, and refreshes the panel. Section, floor, queue and remaining share time all come back
from the stored state.

Operations
----------
The meeting: ``start(now, setup)``, ``advance`` (Next), ``back``, ``pause``, ``resume``,
``end``, ``answer_question(state, question_id, yes, now)``, ``choose_text(state, option, now)``,
``take_reading(state, who, now)``, ``read_by_chair(state, now)``,
``set_role_holders(state, role, holders, now)``.

The floor: ``raise_hand(state, who, now, first_time=False)``, ``lower_hand``, ``join``,
``leave``, ``pass_turn``, ``done``, ``tag(state, who, target, now)``, ``pick(state, who, now)``,
``call_next(state, now)``, ``extend(state, seconds, now)``; from the panel's list,
``call_on(state, who, now)`` (the chair) and ``invite(state, sharer, target, now)`` (a tag).

The room (:mod:`.room`): ``skip`` and ``go_back`` (the chair's tools, told to the room),
``declare(state, who, now, first_time=…, listening=…)`` and ``say_privately(state, who,
declaration, now, on=…)`` (the format's own ``declarations:``) — private, in memory only: the
stored state never holds them; ``forget(state, who, now)`` (forget-me: off the floor, and what
they said privately too), ``seated(state, present)`` (members known to be here join the circle a
round is made from), ``candidates(state)`` (the panel's list). Raising and lowering a hand are
idempotent: a member pressing the button thirty times is in the queue once.

Reading: ``describe(state, now)`` -> :class:`Panel`; ``render_values(state)`` for placeholders;
``timers(state)`` for every deadline the state wants.

Permissions are the runtime's: the core trusts that Next, Back, answers, picks and extensions
come from the chair (or a member who stepped in), and checks only what it can know — that
``done`` and ``tag`` come from the sharer, that a pass is allowed, that a "not yet shared"
part is for those who have not.

How the format runs
-------------------
* Sections run in order; one whose condition is false today, or whose leading role is unfilled
  with ``fallback: skip``, is skipped. A role found on the day (``rotation: on-the-day``) is
  never skipped: anyone may step in.
* Time boxes and silences run on the section's own clock (paused with the meeting). Anchors
  (``until: end - 10m``, ``:50``, a later section's ``starts:``) are wall-clock moments that a
  pause does not move; ``end`` is the start plus the format's length.
* When a section's time is up: a silence ends (with its bell); a sharing section lets the sharer
  finish, gives nobody new the floor, then moves on; any other section moves on at an anchor and
  only gets a gentle note to the chair at its time box. When a later section's ``starts``
  moment arrives, the meeting goes straight there (:class:`~.effects.SectionsSkipped`).
* "If time allows" is decided as the section would start, from the time left to the planned end.
* Reserved tail segments (the last minutes for those who have not shared) are a section or a
  turn-taking phase with ``who-shares: not-yet-shared``; hands of those who already shared are
  lowered with a private word, and they cannot raise one there.
* A round ends the section when everyone in the circle has had their turn; a speaker section
  ends when the speaker is done; an ``ask`` section ends when the chair answers.
* Share timers: the limit (per role, shorter when many wait), warnings at their offsets, and
  the at-limit action after the grace period (see :mod:`bot.core.sharing`).
"""

from __future__ import annotations

from bot.core.meeting.effects import MeetingDeadlineKind, MeetingError, MeetingRefusal
from bot.core.meeting.flow import COUNTS_AFTER
from bot.core.meeting.panel import Chooser, Panel, WaitingFor
from bot.core.meeting.runner import MeetingRunner
from bot.core.meeting.state import MeetingSetup, MeetingState, SectionStep, Status

__all__ = [
    "COUNTS_AFTER",
    "Chooser",
    "MeetingDeadlineKind",
    "MeetingError",
    "MeetingRefusal",
    "MeetingRunner",
    "MeetingSetup",
    "MeetingState",
    "Panel",
    "SectionStep",
    "Status",
    "WaitingFor",
]
