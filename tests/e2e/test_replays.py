"""Discord delivers an interaction at least once: the same interaction arriving twice (same id,
same token) is carried out once — a replayed /meeting next moves the meeting one part, a
replayed Raise hand raises one hand — and the replay leaves no traceback in the log."""

from __future__ import annotations

import asyncio
import json

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import meeting_rows, panel, start_meeting, wait_message
from tests.e2e.test_meetings import ready_group
from tests.fakediscord import FakeDiscord


def stored_state(bot_runner: BotRunner) -> dict[str, object]:
    ((_, state),) = meeting_rows(bot_runner.database)
    return dict(json.loads(state))


async def test_a_replayed_command_and_button_act_once(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    _, room, (chair, member, *_) = await ready_group(
        fake, bot_runner, "open-discussion", clock_rate="1"
    )
    await start_meeting(fake, chair, room)
    await wait_message(fake, room, "**Welcome**")
    before = stored_state(bot_runner)["history"]

    moved = await chair.slash(room, "meeting next")
    await moved.wait_followups()
    moved.deliver_again()
    moved.deliver_again()
    await asyncio.sleep(1.0)  # time for a replay to do harm, if it could
    after = stored_state(bot_runner)["history"]
    assert len(after) == len(before) + 1  # one part on, not three

    board = panel(fake, room)
    hand = next(
        c["custom_id"]
        for row in board["components"]
        for c in row["components"]
        if c["custom_id"].endswith(":hand")
    )
    pressed = await member.click(int(board["id"]), hand)
    await pressed.wait_followups()
    followups = len(pressed.followups)
    pressed.deliver_again()
    await asyncio.sleep(1.0)
    assert len(pressed.followups) == followups  # the replay was not answered a second time
    assert stored_state(bot_runner)["history"] == after
    assert "Traceback" not in bot_runner.logs()
