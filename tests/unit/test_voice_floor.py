"""Floor control in voice and stage channels: minimal changes, exact restores, JSON plans."""

from __future__ import annotations

import pytest

from bot.core.formats.plan import WhoMay
from bot.core.pseudonyms import Pseudonym
from bot.core.voice_floor import (
    Change,
    RestorePlan,
    Room,
    VoiceFloor,
    Wave,
    end,
    give_floor,
    member_left,
    missing_permissions,
    pace,
    restore,
    who_may_speak,
)

SAM, ALEX, KIM, LEE = 1, 2, 3, 4


def test_a_share_start_silences_everyone_else_and_gives_the_sharer_the_floor_first() -> None:
    room = {SAM: True, ALEX: False, KIM: False, LEE: False}  # on a stage Sam is in the audience
    step = give_floor(VoiceFloor[int](Room.STAGE), room, {SAM})
    assert step.changes == (
        Change(SAM, silenced=False),
        Change(ALEX, silenced=True),
        Change(KIM, silenced=True),
        Change(LEE, silenced=True),
    )
    assert step.plan_changed
    assert step.control.restore_plan() == RestorePlan(Room.STAGE, room)


def test_a_change_of_sharer_costs_two_calls_and_the_section_end_restores_exactly() -> None:
    before = {SAM: False, ALEX: False, KIM: True, LEE: False}  # Kim was muted by someone
    first = give_floor(VoiceFloor[int](Room.VOICE), before, {SAM})
    assert first.changes == (Change(ALEX, True), Change(LEE, True))
    seen = {SAM: False, ALEX: True, KIM: True, LEE: True}
    second = give_floor(first.control, seen, {ALEX})
    assert second.changes == (Change(ALEX, False), Change(SAM, True))
    assert second.plan_changed  # Sam is now in the plan
    seen = {SAM: True, ALEX: False, KIM: True, LEE: True}
    done = end(second.control, seen)
    assert done.changes == (Change(LEE, False), Change(SAM, False))
    assert not done.pending


def test_voice_never_lifts_a_mute_the_bot_did_not_set() -> None:
    step = give_floor(VoiceFloor[int](Room.VOICE), {KIM: True, SAM: False}, {KIM})
    assert step.changes == (Change(SAM, True),)
    stage = give_floor(VoiceFloor[int](Room.STAGE), {KIM: True, SAM: False}, {KIM})
    assert stage.changes == (Change(KIM, False), Change(SAM, True))


def test_a_lagging_voice_state_does_not_leave_the_next_sharer_silenced() -> None:
    first = give_floor(VoiceFloor[int](Room.VOICE), {SAM: False, ALEX: False}, {SAM})
    # The gateway has not reported Alex's mute yet when the floor passes to Alex.
    second = give_floor(first.control, {SAM: False, ALEX: False}, {ALEX})
    assert second.changes == (Change(ALEX, False), Change(SAM, True))


def test_the_end_of_a_section_restores_even_before_the_gateway_reports_the_last_calls() -> None:
    first = give_floor(VoiceFloor[int](Room.VOICE), {SAM: False, ALEX: False}, {SAM})
    done = end(first.control, {SAM: False, ALEX: False})  # Alex's mute not reported yet
    assert done.changes == (Change(ALEX, False),)


def test_voice_members_who_left_are_restored_when_they_connect_again() -> None:
    first = give_floor(VoiceFloor[int](Room.VOICE), {SAM: False, ALEX: False}, {SAM})
    left = member_left(first.control, ALEX)
    assert not left.plan_changed
    done = end(left.control, {SAM: False})
    assert done.changes == ()
    assert done.pending == RestorePlan(Room.VOICE, {ALEX: False})
    back = restore(done.pending, {ALEX: True})
    assert back.changes == (Change(ALEX, False),)
    assert not back.pending


def test_stage_members_who_left_are_let_go_and_come_back_in_the_audience() -> None:
    first = give_floor(VoiceFloor[int](Room.STAGE), {SAM: True, ALEX: False}, {SAM})
    left = member_left(first.control, ALEX)  # Alex was a speaker before the section
    assert left.plan_changed
    assert left.control.restore_plan() == RestorePlan(Room.STAGE, {SAM: True})
    assert member_left(left.control, LEE).control is left.control
    again = give_floor(left.control, {SAM: False, ALEX: True}, {SAM})
    assert again.changes == ()  # Alex is back in the audience, as without the bot
    assert end(again.control, {SAM: False, ALEX: True}).changes == (Change(SAM, True),)


def test_replay_after_a_crash_uses_what_is_seen() -> None:
    plan = RestorePlan(Room.VOICE, {SAM: False, ALEX: True, KIM: False})
    replay = restore(plan, {SAM: True, ALEX: True})
    assert replay.changes == (Change(SAM, False),)
    assert replay.pending == RestorePlan(Room.VOICE, {KIM: False})


def test_plans_round_trip_through_json_under_pseudonyms() -> None:
    sam_id, alex_id = 280_000_000_000_000_001, 280_000_000_000_000_002  # Discord member ids
    plan = RestorePlan(Room.VOICE, {sam_id: False, alex_id: True})
    names = {sam_id: Pseudonym("p-sam"), alex_id: Pseudonym("p-alex")}
    text = plan.map_members(names.__getitem__).to_json(str)
    assert "p-sam" in text
    assert str(sam_id) not in text
    assert str(alex_id) not in text
    loaded = RestorePlan.from_json(text, Pseudonym)
    ids = {name: member for member, name in names.items()}
    assert loaded.map_members(ids.__getitem__) == plan


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        '{"version": 2, "room": "voice", "restore": []}',
        '{"version": 1, "room": "voice"}',
        '{"version": 1, "room": "hall", "restore": []}',
        '{"version": 1, "room": "voice", "restore": [["a", 1]]}',
        '{"version": 1, "room": "voice", "restore": [["a", true, 3]]}',
        '{"version": 1, "room": "voice", "restore": [["a", true], ["a", false]]}',
    ],
)
def test_a_damaged_plan_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        RestorePlan.from_json(text, str)


def test_two_members_cannot_share_one_key() -> None:
    with pytest.raises(ValueError, match="share"):
        RestorePlan(Room.VOICE, {SAM: False, ALEX: True}).map_members(lambda _: "same")


def test_pacing() -> None:
    changes = [Change(member, True) for member in range(10)]
    waves = pace(changes, calls_per_second=4)
    assert [wave.after_seconds for wave in waves] == [0, 1, 2]
    assert [len(wave.changes) for wave in waves] == [4, 4, 2]
    assert pace([]) == ()
    assert pace(changes[:1]) == (Wave(0, (changes[0],)),)
    with pytest.raises(ValueError, match="one call"):
        pace(changes, calls_per_second=0)


def test_who_may_speak_and_permissions() -> None:
    assert who_may_speak(WhoMay.EVERYONE, SAM, KIM) is None
    assert who_may_speak(WhoMay.SHARER, SAM, KIM) == frozenset({SAM, KIM})
    assert who_may_speak(WhoMay.SHARER, None, KIM) == frozenset({KIM})
    assert who_may_speak(WhoMay.CHAIR, SAM, KIM) == frozenset({KIM})
    assert who_may_speak(WhoMay.NOBODY, SAM, KIM) == frozenset()
    assert missing_permissions({"mute_members", "send_messages"}) == ()
    assert missing_permissions({"send_messages"}) == ("mute_members",)
