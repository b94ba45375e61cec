"""Service reminders, end to end: a New York group that meets on Tuesdays at 19:00. After
Monday's meeting the rotation asks the next chair; they press **Remind me**. The bot is killed
(-9) and starts again with the clock running fast: at 18:00 New York time the chair is reminded
privately, presses **Can't make it** in that reminder, and the turn passes to the next
volunteer, who is asked in the channel; the hour-before reminder is cancelled.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from tests.e2e.conftest import BotRunner
from tests.e2e.meeting_helpers import buttons, press, wait_message
from tests.e2e.test_rotation import LONG_AGO, NAMES, reply, role_named, run_meeting
from tests.e2e.test_schedule import query, start_the_clock_at
from tests.fakediscord import FakeDiscord

MONDAY_AFTERNOON = datetime(2027, 1, 18, 20, 0, tzinfo=UTC)  # 15:00 in New York
EVENING = datetime(2027, 1, 18, 23, 0, tzinfo=UTC)  # 18:00 in New York, the day before
HOUR_BEFORE = datetime(2027, 1, 19, 23, 0, tzinfo=UTC)  # Tuesday 18:00 in New York
ASKED = "from the rotation"
REMINDER = "friendly reminder"


async def test_the_chair_is_reminded_privately_and_cant_make_it_passes_the_turn(
    fake: FakeDiscord, bot_runner: BotRunner
) -> None:
    guild = fake.add_guild("Reminder Circle", owner_username="lanternkeep")
    room = fake.add_channel(guild.id, "tuesday-circle").id
    people = [
        fake.add_member(guild.id, name, global_name=f"{name.title()} Rowanfield")
        for name in NAMES[:4]
    ]
    for person in people:  # members of long standing: none of them is new to the server
        fake.state.guilds[guild.id].members[person.id].joined_at = LONG_AGO
    by_id = {person.id: person for person in people}
    bot_runner.settings["DEV_GUILD_ID"] = str(guild.id)
    bot_runner.settings["CLOCK_RATE"] = "600"  # 15 clock minutes make a meeting count: 1.5 s
    assert (await bot_runner.command("sync"))[0] == 0
    start_the_clock_at(bot_runner.database, MONDAY_AFTERNOON)
    await bot_runner.start()
    setup = await guild.owner.slash(
        room,
        "group setup",
        {"format": "open-discussion", "schedule": "Tuesdays 7pm", "timezone": "America/New_York"},
    )
    await setup.wait_response()
    await wait_message(fake, room, "home to a peer group")
    for person in people:
        assert "You're in the chair rotation" in await reply(person, room, "rotation join")
    serving = role_named(fake, guild.id, "Chair today")

    # Monday's meeting is held; the rotation asks the chair for Tuesday's.
    _, mark = await run_meeting(fake, room, people[0], serving, people)
    announced = await wait_message(fake, room, ASKED, after=mark, limit=15)
    assert "Tuesday 19 January" in announced["content"]
    (asked,) = [int(user["id"]) for user in announced["mentions"]]
    chair = by_id[asked]
    assert "isn't yours" in await press(people[0], announced, "remind")
    answer = await press(chair, announced, "remind")
    assert "evening before" in answer
    assert "an hour before" in answer
    armed = query(
        bot_runner.database,
        "SELECT due_at FROM deadlines WHERE kind = 'rotation.remind' ORDER BY due_at",
    )
    assert armed == [(EVENING.timestamp(),), (HOUR_BEFORE.timestamp(),)]
    # Delivered twice (Discord retries), Remind me acts once: the same two reminders.
    (remind,) = [b for b in buttons(announced) if b["custom_id"].endswith(":remind:2")]
    again = await chair.click(int(announced["id"]), remind["custom_id"])
    assert "evening before" in (await again.wait_followups())[0]["content"]
    again.deliver_again()
    await asyncio.sleep(0.3)
    assert (
        query(
            bot_runner.database,
            "SELECT due_at FROM deadlines WHERE kind = 'rotation.remind' ORDER BY due_at",
        )
        == armed
    )

    # kill -9; the clock runs fast from here: 18:00 in New York comes within a second.
    await bot_runner.kill()
    bot_runner.settings["CLOCK_RATE"] = "10000"
    await bot_runner.start()
    await fake.wait_until(
        lambda: any(REMINDER in m["content"] for m in fake.dms(chair.id)), 10, what="a reminder"
    )
    (reminder,) = [m for m in fake.dms(chair.id) if REMINDER in m["content"]]
    assert "tomorrow" in reminder["content"]
    labels = [b.get("label") for b in buttons(reminder)]
    assert labels == ["I'll do it", "Can't make it"]

    # "Can't make it", pressed in the private reminder: the turn passes to the next volunteer.
    mark = len(fake.channel_messages(room))
    (cant,) = [b for b in buttons(reminder) if b["custom_id"].endswith(f":dmcant:{2}")]
    pressed = await chair.click(int(reminder["id"]), cant["custom_id"])
    assert "asked the next person" in (await pressed.wait_followups())[0]["content"]
    passed = await wait_message(fake, room, "the turn has passed on", after=mark, limit=10)
    (next_one,) = [int(user["id"]) for user in passed["mentions"]]
    assert next_one not in (asked, people[0].id)
    pressed.deliver_again()  # delivered twice, it passes the turn once
    await asyncio.sleep(0.3)
    assert len([m for m in fake.channel_messages(room)[mark:] if ASKED in m["content"]]) == 1
    assert (
        query(bot_runner.database, "SELECT * FROM deadlines WHERE kind = 'rotation.remind'") == []
    )
    await asyncio.sleep(0.5)
    assert [m for m in fake.dms(chair.id) if REMINDER in m["content"]] == [reminder]
    await bot_runner.stop()
