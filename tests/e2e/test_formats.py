"""/format through the fake Discord: list, show, preview, and the upload round trip."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.core.formats import load_builtin_format
from tests.e2e.conftest import BotRunner
from tests.e2e.picture_helpers import attached_picture
from tests.fakediscord import FakeDiscord, GuildHandle, SimulatedMember

EPHEMERAL = 1 << 6
FORMATS = Path(__file__).parents[2] / "formats"

BROKEN = b"""format: 1
name: Our Circle
sections:
  - say: Welcome
    titel: Opening
"""


def stored_formats(database: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT label, status FROM group_formats ORDER BY id").fetchall()
    finally:
        conn.close()


async def started_group(
    fake: FakeDiscord, bot_runner: BotRunner
) -> tuple[GuildHandle, int, SimulatedMember]:
    guild = fake.add_guild("Format Circle", owner_username="tidewarden")
    room = fake.add_channel(guild.id, "circle-room")
    member = fake.add_member(guild.id, "mossfern", global_name="Fern Oakridge")
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    assert (await bot_runner.command("sync"))[0] == 0
    await bot_runner.start()
    setup = await guild.owner.slash(room.id, "group setup", {"format": "open-discussion"})
    await setup.wait_response()
    await fake.wait_for_request("POST", rf"/channels/{room.id}/messages")
    return guild, room.id, member


async def test_list_show_and_preview(fake: FakeDiscord, bot_runner: BotRunner) -> None:
    _, room, member = await started_group(fake, bot_runner)

    listing = await (await member.slash(room, "format list")).wait_response()
    assert listing.data is not None
    assert listing.data["flags"] & EPHEMERAL
    text = listing.data["embeds"][0]["description"]
    for path in FORMATS.glob("*.yaml"):
        assert f"`{path.stem}`" in text
    assert "this group's format" in text

    shown = await (await member.slash(room, "format show")).wait_response()
    assert shown.data is not None
    assert "1." in shown.data["embeds"][0]["description"]

    previewed_it = await member.slash(room, "format preview", {"name": "speaker-meeting"})
    previewed = await previewed_it.wait_response()
    assert previewed.data is not None
    embed = previewed.data["embeds"][0]
    assert embed["title"] == "Preview: " + load_builtin_format("speaker-meeting").name
    # the meeting's shape as a picture, beside the words, privately: added once drawn
    assert not previewed.data.get("attachments")
    shown = await previewed_it.wait_original(lambda message: bool(message.get("attachments")))
    picture = attached_picture(fake, shown)
    assert shown["embeds"][0]["title"] == embed["title"]  # the answer stands, the picture added
    assert picture.info["Sections"] == str(len(load_builtin_format("speaker-meeting").sections))
    assert embed["footer"]["text"] == "Page 1 of 2"  # a long walk-through comes in pages
    buttons = previewed.data["components"][0]["components"]
    assert [b["label"] for b in buttons] == ["Previous", "Next"]
    assert buttons[0]["disabled"] is True
    original = await previewed_it.wait_original()
    turned = await member.click(int(original["id"]), buttons[1]["custom_id"])
    page_two = await turned.wait_response()
    assert page_two.type == 7  # UPDATE_MESSAGE
    assert page_two.data is not None
    assert page_two.data["embeds"][0]["footer"]["text"] == "Page 2 of 2"
    assert "Total planned length" in page_two.data["embeds"][0]["description"]


async def test_upload_round_trip(fake: FakeDiscord, bot_runner: BotRunner) -> None:
    guild, room, member = await started_group(fake, bot_runner)

    bad = fake.make_attachment("our-circle.yaml", BROKEN)
    refused = await member.slash(room, "format upload", {"file": bad})
    followups = await refused.wait_followups()
    content = followups[0]["content"]
    assert "our-circle.yaml:5:5:" in content  # file:line:column
    assert "titel" in content
    assert "didn't save it" in content
    assert stored_formats(bot_runner.database) == []

    huge = fake.make_attachment("huge.yaml", b"#" * (70 * 1024))
    too_big = await (await member.slash(room, "format upload", {"file": huge})).wait_followups()
    assert "too big" in too_big[0]["content"]
    assert stored_formats(bot_runner.database) == []

    good = fake.make_attachment(
        "our-circle.yaml", (FORMATS / "peer-support-circle.yaml").read_bytes()
    )
    accepted = await (await member.slash(room, "format upload", {"file": good})).wait_followups()
    assert "valid format" in accepted[0]["content"]
    assert accepted[0]["flags"] & EPHEMERAL
    picture = attached_picture(fake, accepted[0])  # the timeline, with the answer
    assert picture.info["Sections"] == "6"
    assert picture.info["Warnings"] == "0"
    assert "/propose change what:format value:group:1" in accepted[0]["content"]
    assert "components" not in accepted[0] or not accepted[0]["components"]  # no Manage Server
    assert stored_formats(bot_runner.database) == [("our-circle", "candidate")]

    # Before the group's first meeting, Manage Server may still choose its starting format.
    again = await (await guild.owner.slash(room, "format upload", {"file": good})).wait_followups()
    message = again[0]
    button = message["components"][0]["components"][0]
    assert button["label"] == "Adopt it now"
    click = await guild.owner.click(int(message["id"]), button["custom_id"])
    await click.wait_response()
    await fake.wait_for_request("POST", rf"/channels/{room}/messages", after=0)
    assert ("our-circle", "adopted") in stored_formats(bot_runner.database)
    settings = await (await member.slash(room, "group settings")).wait_response()
    assert settings.data is not None
    assert "group:2" in settings.data["content"]
