"""What Discord refuses gets a kind, true answer: a bot without Send Messages says so before
claiming anything; Discord's 5xx and expired interactions are one WARNING, never a traceback."""

from __future__ import annotations

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import meeting_rows, wait_message
from tests.fakediscord import FakeDiscord


async def test_a_bot_that_cannot_post_says_so_before_claiming_anything(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Quiet Room Circle", owner_username="quietkeeper")
    room = fake.add_channel(guild.id, "quiet-room")
    member = fake.add_member(guild.id, "softvoice", global_name="Soft Voice")
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    bot_id = fake.state.bot_user.id

    fake.set_overwrite(room.id, bot_id, deny={"send_messages"}, kind=1)
    refused = await (
        await guild.owner.slash(room.id, "group setup", {"format": "open-discussion"})
    ).wait_response()
    assert refused.data is not None
    assert "**Send Messages**" in refused.data["content"]
    assert "Done" not in refused.data["content"]
    assert (
        "has no group yet"
        in (await (await member.slash(room.id, "group settings")).wait_response()).data["content"]
    )  # nothing was set up

    fake.set_overwrite(room.id, bot_id, kind=1)  # permission given back
    done = await (
        await guild.owner.slash(room.id, "group setup", {"format": "open-discussion"})
    ).wait_response()
    assert done.data is not None
    assert "decides together" in done.data["content"]
    await wait_message(fake, room.id, "home to a peer group")

    fake.set_overwrite(room.id, bot_id, deny={"embed_links"}, kind=1)
    started = await member.slash(room.id, "meeting start")
    (answer,) = await started.wait_followups()
    assert "**Embed Links**" in answer["content"]
    assert "meeting has started" not in answer["content"]
    assert meeting_rows(bot_runner.database) == []  # no meeting that can't be shown


async def test_discord_errors_on_an_answer_are_one_warning(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Steady Circle", owner_username="steadykeeper")
    room = fake.add_channel(guild.id, "steady-room")
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    done = await guild.owner.slash(room.id, "group setup", {"format": "open-discussion"})
    await done.wait_response()
    # Two 500s on the acknowledgement: discord.py retries past the 3-second deadline (10062).
    fake.fail_next("POST", r"/interactions/\d+/[^/]+/callback", status=500, count=2)
    await guild.owner.slash(room.id, "about")
    await fake.wait_until(
        lambda: "Discord refused a call" in bot_runner.logs(), 30, what="the warning"
    )
    assert "Traceback" not in bot_runner.logs()
