"""The rehearsal from start to close: the stand-in, the bot, the group set up with the format,
the meeting started by its chair, the room shown and the members simulated until it ends."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.formats import load_builtin_format
from bot.i18n import group_locale, t
from bot.rehearse.play import Player
from bot.rehearse.room import Room, answer
from bot.rehearse.stage import Stage, StageError, build_world
from bot.rehearse.watch import Output, Watcher
from discord_standin import FakeDiscord, SimulatedMember, SimulationError

if TYPE_CHECKING:
    from bot.rehearse import Options

#: Real seconds the bot may take over any one step of setting up.
SETUP_LIMIT = 20.0
#: Clock seconds beyond the format's length before a rehearsal without a person gives up.
SPARE = 45 * 60
#: Real seconds to keep showing the room after the close (a last word, a rotation note).
LINGER = 1.5


async def rehearse(options: Options, folder: Path) -> int:
    out = Output()
    plan = options.plan
    who = "you and " if options.play else ""
    out.lines(
        [
            f"A rehearsal of “{plan.name}” with {who}{options.members} simulated members, the "
            f"meeting's clock at {options.speed:g}× real time.",
            "Nothing is sent to Discord and nothing is kept. Ctrl-C stops it.",
        ],
        blank=False,
    )
    async with FakeDiscord(privileged_intents_granted={"members"}) as fake:
        stage = build_world(fake, folder, options.speed, options.members, options.play)
        tasks: list[asyncio.Task[None]] = []
        try:
            out.note("starting the bot…")
            await stage.sync()
            await stage.start()
            await set_up(stage, options)
            watcher = Watcher(fake, stage.guild.id, stage.channel.id, out, stage.person)
            tasks.append(asyncio.create_task(watcher.run()))
            chair = stage.person if options.chair and stage.person else stage.members[0]
            room = Room(stage, plan, out.note, person_chairs=chair is stage.person)
            if stage.person is not None:
                player = Player(stage, out.note, answered=room.handled)
                tasks.append(asyncio.create_task(player.run()))
            started = await answer(await chair.slash(stage.channel.id, "meeting start"))
            if not await room_has(stage, "Meeting 1"):
                raise StageError(f"the meeting didn't start ({started or 'no answer'})")
            limit = None if options.play else (plan.length_seconds + SPARE) / options.speed + 60
            await until_closed(stage, room, limit)
            await asyncio.sleep(LINGER)
            watcher.show_changes()
        except (StageError, SimulationError) as exc:
            out.lines([f"The rehearsal stopped: {exc}. The bot's last log lines:"])
            out.lines([f"  {line}" for line in stage.last_log_lines()], blank=False)
            return 1
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await stage.stop()
    out.lines(["The rehearsal is over: the meeting closed. Nothing was kept."])
    return 0


async def until_closed(stage: Stage, room: Room, limit: float | None) -> None:
    """Run the members until the meeting closes; StageError if the bot stops or time runs out."""
    if stage.process is None:
        raise StageError("the bot isn't running")
    members = asyncio.create_task(room.run())
    stopped = asyncio.create_task(stage.process.wait())
    try:
        done, _ = await asyncio.wait(
            {members, stopped}, timeout=limit, return_when="FIRST_COMPLETED"
        )
    finally:
        for task in (members, stopped):
            task.cancel()
    if members in done:
        members.result()
        return
    if stopped in done:
        raise StageError(f"the bot stopped during the meeting (status {stopped.result()})")
    raise StageError("the meeting didn't close in the time it should have taken")


async def room_has(stage: Stage, text: str, limit: float = SETUP_LIMIT) -> bool:
    """Whether a message in the room (words or panel) shows ``text`` within ``limit``."""

    def shown() -> bool:
        for message in stage.fake.channel_messages(stage.channel.id):
            embeds = " ".join(str(e.get("title", "")) for e in message.get("embeds") or [])
            if text in str(message.get("content", "")) or text in embeds:
                return True
        return False

    with contextlib.suppress(TimeoutError):
        await stage.fake.wait_until(shown, limit, what=text)
        return True
    return False


async def set_up(stage: Stage, options: Options) -> None:
    """The host sets the room up as the group's home, with the format to rehearse."""
    host: SimulatedMember = stage.guild.owner
    channel = stage.channel.id
    first = options.builtin or "open-discussion"
    await answer(await host.slash(channel, "group setup", {"format": first}))
    plan = load_builtin_format(first)
    welcome = t(
        group_locale(plan.language),
        "This channel is now home to a peer group, meeting with the **{name}** format. Nobody "
        "here is in charge: the group decides together.",
        name=plan.name,
    )
    if not await room_has(stage, welcome):
        raise StageError("the group could not be set up in the meeting room")
    if options.source is None:
        return
    upload = stage.fake.make_attachment(options.source.name, options.source.read_bytes())
    uploaded = await host.slash(channel, "format upload", {"file": upload})
    try:
        offer = (await uploaded.wait_followups(timeout=SETUP_LIMIT))[0]
    except TimeoutError:
        raise StageError("the bot didn't answer the format's upload") from None
    adopt = [
        b
        for row in offer.get("components") or []
        for b in row.get("components") or []
        if b.get("label") == "Adopt it now"
    ]
    if not adopt:
        raise StageError(f"the bot didn't offer to adopt the format: {offer.get('content')}")
    await answer(await host.click(int(offer["id"]), adopt[0]["custom_id"]))
    if not await room_has(stage, "The group's format is now"):
        raise StageError("the group's format could not be changed to the file's")
