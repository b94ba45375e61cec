"""A disk that fills while the bot runs: DATA_DIR on a small tmpfs, filled with a file in the
middle of a meeting, then freed.

While it is full: a member's press gets "I couldn't save that just now, so nothing changed" and
nothing changes; the host's log says it ONCE, naming DATA_DIR and the fix (free space), with no
traceback however many writes fail; a deadline that comes due (the chair didn't answer "are you
still with us?") stays pending. Once there is room: one line says saving works again, the
deadline is carried out (the member who stepped in chairs), and presses work again.

Needs root to mount the tmpfs (skipped otherwise). Clock: CLOCK_RATE 50, so the two minutes
before a member may step in for an away chair are 2.4 real seconds, and the chair's minute to
answer is 1.2 (time enough to fill the disk first, even on a busy machine).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import meeting_rows, panel, press, start_meeting, wait_message
from tests.fakediscord import FakeDiscord

COULD_NOT_SAVE = "I couldn't save that just now, so nothing changed"
TOLD = "Can't save to the database in DATA_DIR"
AGAIN = "Saving to the database in DATA_DIR"


async def run(*command: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode(errors="replace")


@contextlib.asynccontextmanager
async def small_disk(bot_runner: BotRunner) -> AsyncIterator[Path]:
    """DATA_DIR on its own 8 MB tmpfs. Afterwards its files are copied back onto the ordinary
    disk (the harness reads the database and logs after the test) and it is unmounted."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs for DATA_DIR needs root and mount(8)")
    data = bot_runner.data_dir
    data.mkdir(parents=True, exist_ok=True)
    status, said = await run("mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", str(data))
    if status != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {said.strip()}")
    keep = bot_runner.workdir / "data-copy"
    try:
        yield data
    finally:
        with contextlib.suppress(ProcessLookupError, TimeoutError):
            await bot_runner.stop()
        shutil.copytree(data, keep, ignore=shutil.ignore_patterns("filler"))
        status, said = await run("umount", str(data))
        if status != 0:
            await run("umount", "-l", str(data))
        shutil.rmtree(data)
        keep.rename(data)


def write_zeros(path: Path, chunk: int, mode: str) -> None:
    with path.open(mode, buffering=0) as out:
        while True:
            out.write(b"\0" * chunk)


def fill(data: Path) -> Path:
    """Write zeros until the disk says no more (ENOSPC), to the last byte of the last page."""
    filler = data / "filler"
    with pytest.raises(OSError) as full:
        write_zeros(filler, 65536, "wb")
    assert full.value.errno == errno.ENOSPC
    with contextlib.suppress(OSError):
        write_zeros(filler, 512, "ab")
    return filler


async def test_a_disk_that_fills_is_told_once_and_the_bot_carries_on_when_freed(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Full Disk Circle", owner_username="diskkeeper")
    room = fake.add_channel(guild.id, "full-room")
    chair, helper, sharer = (
        fake.add_member(guild.id, name, global_name=name.title())
        for name in ("stillwater", "kindhelper", "quietsharer")
    )
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    bot_runner.settings["CLOCK_RATE"] = "50"
    async with small_disk(bot_runner) as data:
        assert (await bot_runner.command("sync"))[0] == 0
        await bot_runner.start()
        done = await guild.owner.slash(room.id, "group setup", {"format": "open-discussion"})
        await done.wait_response()
        await wait_message(fake, room.id, "home to a peer group")
        await start_meeting(fake, chair, room.id)
        shown = panel(fake, room.id)
        await asyncio.sleep(2.5)  # two clock minutes: the chair counts as away
        assert "asked the chair" in await press(helper, shown, "stepin")
        await wait_message(fake, room.id, "are you still with us?")

        filler = fill(data)  # the chair's minute to answer runs out while the disk is full
        before = meeting_rows(bot_runner.database)
        for _ in range(3):
            assert COULD_NOT_SAVE in await press(sharer, shown, "hand")
        await asyncio.sleep(1.3)  # the chair's minute has passed: the handover can't be saved
        assert meeting_rows(bot_runner.database) == before
        assert not [m for m in fake.channel_messages(room.id) if "is chairing now" in m["content"]]
        logs = bot_runner.logs()
        assert logs.count(TOLD) == 1
        told = next(line for line in logs.splitlines() if TOLD in line)
        assert str(data) in told
        assert "free some space" in told
        assert AGAIN not in logs

        filler.unlink()  # room again: the handover that waited is carried out
        await wait_message(fake, room.id, "is chairing now", limit=8)
        assert "Your hand is up" in await press(sharer, shown, "hand")
        logs = bot_runner.logs()
        assert logs.count(TOLD) == 1
        assert logs.count(AGAIN) == 1
        assert "Traceback" not in logs
