"""The rehearsal's terminal view: Discord's countdowns in real seconds, mentions as names, and
the meeting panel as a short status block (what members read off it)."""

from __future__ import annotations

from bot.rehearse.render import (
    Names,
    countdown,
    message_lines,
    panel_lines,
    plain,
    read_panel,
)

NOW = 1_800_000_000.0
NAMES = Names(users={11: "Sam", 12: "Noor", 99: "Peer Circle"}, roles={5: "chair"}, channels={})


def panel(description: str, title: str = "Meeting 1 · 8/11 Sharing") -> dict[str, object]:
    return {
        "id": "1",
        "content": "",
        "embeds": [{"title": title, "description": description}],
        "components": [
            {
                "type": 1,
                "components": [
                    {"type": 2, "label": "Raise hand", "custom_id": "pc:m:1:hand"},
                    {"type": 2, "label": "Done sharing", "custom_id": "pc:m:1:done"},
                ],
            }
        ],
    }


def test_countdowns_are_the_real_seconds_left() -> None:
    assert plain(f"Time <t:{int(NOW) + 12}:R>.", NAMES, NOW) == "Time in 12 s."
    assert plain(f"ends <t:{int(NOW) + 75}:R>", NAMES, NOW) == "ends in 1 min 15 s"
    assert plain(f"ended <t:{int(NOW) - 5}:R>", NAMES, NOW) == "ended 5 s ago"
    assert countdown(NOW + 0.2, NOW) == "now"
    assert countdown(NOW + 3 * 3600, NOW) == "in 3 h"


def test_mentions_are_names_and_bold_is_plain_words() -> None:
    text = "<@11>, the floor is yours. **Sharing** with <@&5>; <@404> too"
    assert plain(text, NAMES, NOW) == "Sam, the floor is yours. Sharing with @chair; someone too"
    assert "\x1b[1mSharing\x1b[0m" in plain(text, NAMES, NOW, bold=True)


def test_a_message_is_shown_under_its_authors_name_with_its_buttons() -> None:
    message = {
        "id": "2",
        "content": "Would someone like to read **How we share**?",
        "components": [
            {"type": 1, "components": [{"type": 2, "label": "I'll read it", "custom_id": "x"}]}
        ],
    }
    assert message_lines(message, "Peer Circle", NAMES, NOW) == [
        "Peer Circle:",
        "    Would someone like to read How we share?",
        "    [I'll read it]",
    ]


def test_the_panel_is_a_short_status_block_in_real_seconds() -> None:
    board = panel(
        f"**Sharing:** Sam · time <t:{int(NOW) + 178}:R>\n**Up next:** Noor, Kit\n"
        f"**Chair:** Robin\n**Meeting ends** <t:{int(NOW) + 52}:R>"
    )
    assert panel_lines(board, NAMES, NOW) == [
        "┌ Meeting 1 · 8/11 Sharing",
        "│ Sharing: Sam · time in 2 min 58 s",
        "│ Up next: Noor, Kit",
        "│ Chair: Robin",
        "│ Meeting ends in 52 s",
        "└ [Raise hand] [Done sharing]",
    ]


def test_members_read_the_part_the_sharer_and_who_is_next_off_the_panel() -> None:
    state = read_panel(
        panel(
            "**Sharing:** Sam · time <t:1:R>\n**Up next:** Noor, Kit and 2 more\n**Chair:** Robin"
        )
    )
    assert (state.section, state.section_title) == (8, "Sharing")
    assert state.sharer == "Sam"
    assert state.waiting == ("Noor", "Kit")
    assert not state.ended
    closed = {"id": "1", "embeds": [{"title": "The meeting has ended"}], "components": []}
    assert read_panel(closed).ended
