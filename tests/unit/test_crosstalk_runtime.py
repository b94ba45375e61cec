"""The crosstalk and floor runtime's pure helpers: what is in force, the words, the DM parts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.adapters.crosstalk import MESSAGE_LIMIT
from bot.adapters.crosstalk import dm_parts as _dm_parts
from bot.adapters.voice_floor import missing_words
from bot.core.crosstalk import HOLD_NOTE, NO_POLICY, Floor, Refused, ReminderRefusal
from bot.core.formats import load_builtin_format
from bot.core.formats.plan import CrosstalkMode
from bot.core.meeting import MeetingRunner, MeetingSetup, Status
from bot.core.pseudonyms import Pseudonym
from bot.core.voice_floor import Room
from bot.runtime.crosstalk import HOLD_SWITCH, refusal_text, situation_of, switches_of
from bot.runtime.live import LiveMeeting
from bot.store.groups import GroupRecord

T0 = datetime(2025, 3, 4, 19, 0, tzinfo=UTC)
CHAIR, SAM = Pseudonym("chair"), Pseudonym("sam")
JARGON = ("infraction", "warn", "punish", "ban", "moderator", "strike", "violation")


def live_meeting(format_id: str = "peer-support-circle") -> LiveMeeting:
    plan = load_builtin_format(format_id)
    runner = MeetingRunner(plan)
    state, _ = runner.start(T0, MeetingSetup(number=1, roles={"chair": [CHAIR]}))
    group = GroupRecord(
        id=1,
        guild_id=10,
        channel_id=20,
        format_id=format_id,
        member_role_id=None,
        meetings_held=0,
    )
    return LiveMeeting(1, group, format_id, runner, state, None)


def to_sharing(live: LiveMeeting) -> None:
    now = T0
    for _ in range(len(live.plan.sections)):
        if live.state.floor.active:
            return
        now += timedelta(seconds=1)
        live.state, _ = live.runner.advance(live.state, now)
    raise AssertionError("the format has no sharing section")


def test_before_a_share_the_section_policy_is_in_force_with_nobody_on_the_floor() -> None:
    live = live_meeting()
    situation = situation_of(live)
    assert situation.policy == live.plan.sections[0].crosstalk
    assert situation.floor is None


def test_a_share_puts_its_sharer_on_the_floor() -> None:
    live = live_meeting()
    to_sharing(live)
    live.state, _ = live.runner.raise_hand(live.state, SAM, T0 + timedelta(minutes=5))
    turn = live.state.floor.turn
    assert turn is not None
    situation = situation_of(live)
    assert situation.floor == Floor(SAM, turn.started_at)
    assert situation.policy is not None
    assert situation.policy.mode is CrosstalkMode.NOT_ALLOWED


def test_a_pause_takes_the_floor_away_and_the_end_every_policy() -> None:
    live = live_meeting()
    to_sharing(live)
    live.state, _ = live.runner.raise_hand(live.state, SAM, T0 + timedelta(minutes=5))
    live.state, _ = live.runner.pause(live.state, T0 + timedelta(minutes=6))
    assert live.state.status is Status.PAUSED
    assert situation_of(live).floor is None
    live.state, _ = live.runner.end(live.state, T0 + timedelta(minutes=7))
    assert situation_of(live) == NO_POLICY


def test_hold_mode_is_off_unless_the_format_or_meeting_turns_it_on() -> None:
    live = live_meeting()
    assert switches_of(live).get(HOLD_SWITCH, False) is False


def test_the_dm_carries_the_exact_words_however_long() -> None:
    short = "I hear you.\n  **Really**."
    assert _dm_parts(HOLD_NOTE, short) == [f"{HOLD_NOTE}\n\n{short}"]
    long = "".join(chr(ord("a") + n % 26) for n in range(3 * MESSAGE_LIMIT + 7))
    parts = _dm_parts(HOLD_NOTE, long)
    assert parts[0] == HOLD_NOTE
    assert "".join(parts[1:]) == long
    assert all(len(part) <= MESSAGE_LIMIT for part in parts)


@pytest.mark.parametrize("reason", list(ReminderRefusal))
def test_every_refusal_is_kind_and_plain(reason: ReminderRefusal) -> None:
    text = str(refusal_text(Refused(reason, retry_after_seconds=90), clock_rate=1.0))
    assert text
    assert not any(word in text.lower() for word in JARGON)


def test_a_wait_is_said_in_real_time() -> None:
    wait = Refused(ReminderRefusal.PLEASE_WAIT, retry_after_seconds=120)
    assert "about 2 minutes" in str(refusal_text(wait, clock_rate=1.0))
    assert "about 12 seconds" in str(refusal_text(wait, clock_rate=10.0))


@pytest.mark.parametrize("room", list(Room))
def test_missing_permissions_are_named_as_discord_shows_them(room: Room) -> None:
    text = missing_words(room, ("mute_members",))
    assert "**Mute Members**" in text
    assert not any(word in text.lower() for word in JARGON)
