"""Words Discord refused: the meeting pauses and keeps them (in its stored state); resuming
shows them again, leaving out what was already posted, then goes on."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.meeting import MeetingState, Status
from bot.core.meeting import effects as fx
from bot.core.meeting.held import KINDS, keep, restore
from bot.core.meeting.state import HeldWords
from tests.unit.test_meeting_harness import Meeting


def channel(effects: tuple[fx.Effect, ...]) -> list[fx.ChannelEffect]:
    return [e for e in effects if isinstance(e, fx.ChannelEffect)]


def test_refused_words_are_held_through_a_restart_and_shown_once_on_resume() -> None:
    meeting = Meeting("open-discussion")
    stepped = channel(meeting.call("advance"))
    words = [e for e in stepped if not isinstance(e, fx.UpdatePanel)]
    assert words  # the silence begins: its words
    refused = [(e, 0) for e in stepped]
    refused[0] = (stepped[0], 1)  # one message of the first was posted before the refusal
    armed_before = dict(meeting.armed)
    held = meeting.call("hold", refused)
    state = meeting.state  # read back from its JSON, as after a kill -9
    assert state.status is Status.PAUSED
    assert state.cannot_post
    assert [restore(h) for h in state.held] == words
    assert state.held[0].posted == 1
    assert not any(isinstance(e, fx.ArmMeetingDeadline) for e in held)
    assert meeting.armed == {}  # nothing moves on while the room can't be told
    assert armed_before  # (it had timers)

    # Refused again while held: new words come after the ones kept before.
    again = meeting.call("hold", [(fx.MeetingNote("ten minutes left"), 0)])
    assert channel(again) == [fx.UpdatePanel()]  # still paused; only the panel is redrawn
    assert [h.kind for h in meeting.state.held] == [
        *(type(w).__name__ for w in words),
        "MeetingNote",
    ]

    # A restart while paused says so, and keeps it paused.
    _, restarted = meeting.runner.resumed_after_restart(meeting.state, meeting.now)
    assert fx.Notice(fx.NoticeKind.RESTARTED_PAUSED) in restarted
    assert not any(isinstance(e, fx.ArmMeetingDeadline) for e in restarted)

    meeting.wait(60)
    resumed = channel(meeting.call("resume"))
    assert resumed[0] == fx.Notice(fx.NoticeKind.RESUMED)
    shown = [e for e in resumed if isinstance(e, fx.ShowAgain)]
    assert [s.effect.__class__ for s in shown] == [*(w.__class__ for w in words), fx.MeetingNote]
    assert shown[0].posted == 1
    assert all(s.posted == 0 for s in shown[1:])
    state = meeting.state
    assert state.status is Status.RUNNING
    assert not state.cannot_post
    assert state.held == ()
    assert meeting.armed  # the clocks run again


def test_status_words_and_the_panel_are_not_held() -> None:
    held = keep(
        [
            (fx.Notice(fx.NoticeKind.RESUMED), 0),
            (fx.UpdatePanel(), 0),
            (fx.MeetingNote("note"), 0),
            (fx.ShowAgain(fx.BellEnd(index=1, bell=True), 0), 2),
        ]
    )
    assert [h.kind for h in held] == ["MeetingNote", "BellEnd"]
    assert held[1].posted == 2


def test_a_state_that_holds_nothing_is_stored_as_before() -> None:
    meeting = Meeting("open-discussion")
    assert "held" not in meeting.stored
    assert "cannot_post" not in meeting.stored


@pytest.mark.parametrize(
    "damaged",
    [HeldWords("NoSuchEffect", "{}"), HeldWords("MeetingNote", "{"), HeldWords("BellEnd", "{}")],
)
def test_a_damaged_held_effect_is_refused(damaged: HeldWords) -> None:
    with pytest.raises(ValueError):
        restore(damaged)
    state = replace(Meeting("open-discussion").state, held=(damaged,))
    assert MeetingState.from_json(state.to_json()).held == (damaged,)  # stored as it is


def test_every_kept_kind_is_a_channel_effect() -> None:
    assert all(issubclass(kind, fx.ChannelEffect) for kind in KINDS.values())
