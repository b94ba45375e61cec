"""Running the bot for real: a backup taken during a meeting, restored, and the meeting goes on."""

from __future__ import annotations

import socket
import stat

import aiohttp

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import meeting_rows, panel, press, slash, start_meeting, wait_message
from tests.e2e.test_meetings import ready_group
from tests.fakediscord import FakeDiscord


async def test_a_backup_taken_during_a_meeting_restores_the_meeting(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    _, room, (chair, *_) = await ready_group(fake, bot_runner, "open-discussion", clock_rate="1")
    await start_meeting(fake, chair, room)
    await wait_message(fake, room, "**Welcome**")
    copy = bot_runner.workdir / "backup.sqlite3"

    status, out, err = await bot_runner.command("backup", copy.name)  # DEST relative to cwd
    assert status == 0, err
    assert "The pseudonym key is not in it" in out
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600

    await bot_runner.stop()
    (meeting_id, _), *_ = meeting_rows(bot_runner.database)
    for leftover in bot_runner.data_dir.glob("peercircle.sqlite3*"):
        leftover.unlink()
    copy.replace(bot_runner.database)  # the documented restore: the copy takes the file's place
    mark = len(fake.channel_messages(room))
    await bot_runner.start()
    await wait_message(fake, room, "goes on from where we were", after=mark)
    assert [row[0] for row in meeting_rows(bot_runner.database)] == [meeting_id]

    again = await bot_runner.command("backup", copy.name)
    assert again[0] == 0
    refused = await bot_runner.command("backup", copy.name)  # never overwrites a file
    assert refused[0] == 2
    assert "already exists" in refused[2]


async def test_health_while_running_and_after_stopping(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    await ready_group(fake, bot_runner, "open-discussion", clock_rate="1")
    status, out, err = await bot_runner.command("health")
    assert status == 0, err
    assert "healthy" in out
    await bot_runner.stop()
    status, _, err = await bot_runner.command("health")
    assert status == 1
    assert "not running" in err


async def test_a_stale_command_or_button_gets_the_sync_hint(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild, room, (chair, *_) = await ready_group(
        fake, bot_runner, "open-discussion", clock_rate="1"
    )
    # A command Discord still shows from an older version (before a sync) …
    (old,) = [c for c in fake.state.guild_commands[guild.id] if c["name"] == "about"]
    fake.state.guild_commands[guild.id].append(
        {**old, "id": str(int(old["id"]) + 1), "name": "retired"}
    )
    answer = await (await chair.slash(room, "retired")).wait_response()
    assert answer.data is not None
    assert "python -m bot sync" in answer.data["content"]
    assert answer.data["flags"] & 64  # privately

    # … and a button on an old message whose kind this version no longer has.
    await start_meeting(fake, chair, room)
    board = await wait_message(fake, room, "", with_buttons=True)
    stored = fake.state.messages[int(board["id"])]
    stored.data["components"][0]["components"][0]["custom_id"] = "pc:legacy:7"
    pressed = await chair.click(int(board["id"]), "pc:legacy:7")
    reply = await pressed.wait_response()
    assert reply.data is not None
    assert "python -m bot sync" in reply.data["content"]
    assert "python -m bot sync" in bot_runner.logs()  # the host is told too (a WARNING)


async def test_metrics_during_a_meeting_are_totals_only(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot_runner.settings["METRICS_PORT"] = str(port)
    _, room, (chair, first, *_) = await ready_group(
        fake, bot_runner, "open-discussion", clock_rate="1"
    )
    fake.fail_next("POST", rf"/channels/{room}/messages$", status=429, retry_after=0.2)
    assert "Thank you for chairing" in await slash(chair, room, "meeting start")
    assert "hand is up" in await press(first, panel(fake, room), "hand")

    url = f"http://127.0.0.1:{port}/metrics"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        assert response.status == 200
        text = await response.text()
    values = {
        line.split(" ")[0]: float(line.split(" ")[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }
    assert values["peercircle_meetings_running"] == 1
    assert values["peercircle_discord_rate_limited_total"] >= 1
    assert values["peercircle_interaction_ack_seconds_count"] >= 3  # setup, start, a press
    assert values["peercircle_deadlines_overdue"] == 0
    assert values["peercircle_deadlines_pending"] >= 1  # the meeting's timers
    for identifier in fake.all_member_identifiers():
        assert identifier not in text
    assert str(room) not in text
