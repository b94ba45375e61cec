"""Buttons verify their context: a press whose custom_id names another server's meeting, or an
index that isn't there, is refused kindly and changes nothing (a member with a modified client
can send any custom_id)."""

from __future__ import annotations

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import meeting_rows, panel, slash, wait_message
from tests.fakediscord import FakeDiscord
from tests.fakediscord.interactions import SimulatedInteraction


async def answer_of(pressed: SimulatedInteraction) -> str:
    """The private answer, whether it came at once or after an acknowledgement."""
    response = await pressed.wait_response()
    if response.data and response.data.get("content"):
        return str(response.data["content"])
    return str((await pressed.wait_followups())[0]["content"])


async def test_a_forged_button_is_refused_and_changes_nothing(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    home = fake.add_guild("Home Circle", owner_username="homekeeper")
    away = fake.add_guild("Away Circle", owner_username="awaykeeper")
    home_room = fake.add_channel(home.id, "home-room")
    away_room = fake.add_channel(away.id, "away-room")
    resident = fake.add_member(home.id, "hearthsong", global_name="Hearth Song")
    visitor = fake.add_member(away.id, "farwander", global_name="Far Wander")
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    for guild, room in ((home, home_room), (away, away_room)):
        done = await guild.owner.slash(room.id, "group setup", {"format": "open-discussion"})
        await done.wait_response()
        await wait_message(fake, room.id, "home to a peer group")
    await slash(resident, home_room.id, "meeting start")
    await slash(visitor, away_room.id, "meeting start")
    home_panel, away_panel = panel(fake, home_room.id), panel(fake, away_room.id)
    home_meeting = home_panel["components"][0]["components"][0]["custom_id"].split(":")[2]
    before = dict(meeting_rows(bot_runner.database))

    # In the away server, on its own panel, a press naming the home server's meeting.
    forged = await visitor.press_forged(int(away_panel["id"]), f"pc:m:{home_meeting}:next")
    assert "belongs to a meeting in another channel" in await answer_of(forged)
    # An index that doesn't exist.
    away_meeting = away_panel["components"][0]["components"][0]["custom_id"].split(":")[2]
    forged = await visitor.press_forged(int(away_panel["id"]), f"pc:m:{away_meeting}:yes:9999")
    assert "no question waiting" in await answer_of(forged)

    assert dict(meeting_rows(bot_runner.database)) == before  # neither meeting moved
