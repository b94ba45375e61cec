"""Placeholders are filled safely, and texts are split into messages Discord accepts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.formats import PLACEHOLDERS, TEXT_CHUNK_LIMIT, render
from bot.core.formats.render import (
    MAX_VALUE_LENGTH,
    placeholder_problems,
    reflow,
    split_for_discord,
    worst_case_length,
)

LONGEST_VALUES = dict.fromkeys(PLACEHOLDERS, "x" * MAX_VALUE_LENGTH)


def test_known_placeholders_are_filled() -> None:
    assert render("Welcome to ${group}, I'm ${chair}.", {"group": "Circle", "chair": "Sam"}) == (
        "Welcome to Circle, I'm Sam."
    )


def test_format_syntax_and_unknown_names_print_literally() -> None:
    text = "{0.__class__} {group} ${__import__} ${group.__class__} $group $5 ${ group }"
    values = {"group": "G", "__import__": "boom"}
    assert render(text, values) == text


def test_a_doubled_dollar_prints_one() -> None:
    assert render("costs $$5 or $${group}", {"group": "G"}) == "costs $5 or ${group}"


def test_missing_values_leave_the_placeholder() -> None:
    assert render("Hi ${chair}", {}) == "Hi ${chair}"


def test_values_are_cut_to_the_maximum_length() -> None:
    assert render("${group}", {"group": "y" * 500}) == "y" * MAX_VALUE_LENGTH


def test_render_never_raises() -> None:
    class Broken:
        def __str__(self) -> str:
            raise RuntimeError("no")

    assert render("Hi ${chair}", {"chair": Broken()}) == "Hi ${chair}"
    assert render("${", {}) == "${"


def test_placeholder_problems_suggest_the_right_name() -> None:
    found = list(placeholder_problems("${grop} and ${__import__} and $chair and ${group}"))
    assert [(offset, str(message)) for offset, message, _ in found] == [
        (0, "unknown placeholder ${grop}"),
        (12, "unknown placeholder ${__import__}"),
        (30, "$chair needs braces"),
    ]
    assert str(found[0][2]) == "did you mean ${group}?"
    assert "${chair}" in str(found[1][2])
    assert str(found[2][2]) == "write it as ${chair}"


def test_worst_case_length_counts_placeholders_at_their_longest() -> None:
    assert worst_case_length("${group}!") == MAX_VALUE_LENGTH + 1
    assert worst_case_length("${unknown}") == len("${unknown}")


def test_split_keeps_paragraphs_together_when_they_fit() -> None:
    text = "First paragraph.\n\nSecond paragraph."
    assert split_for_discord(text) == ("First paragraph.\n\nSecond paragraph.",)


def test_split_breaks_between_paragraphs_first() -> None:
    paragraph = "word " * 300
    chunks = split_for_discord(f"{paragraph}\n\n{paragraph}\n\n{paragraph}")
    assert len(chunks) == 3
    assert all(chunk.strip() == paragraph.strip() for chunk in chunks)


def test_split_breaks_a_long_paragraph_between_lines_then_words() -> None:
    lines = "\n".join(["a line of a poem"] * 200)
    chunks = split_for_discord(lines)
    assert len(chunks) > 1
    assert all(chunk.endswith("poem") for chunk in chunks)
    words = split_for_discord("word " * 1000)
    assert all(chunk.startswith("word") and chunk.endswith("word") for chunk in words)


def test_split_cuts_a_giant_word_without_breaking_placeholders() -> None:
    chunks = split_for_discord("${group}" * 1000)
    assert all(len(render(c, LONGEST_VALUES)) <= TEXT_CHUNK_LIMIT for c in chunks)
    assert "".join(chunks) == "${group}" * 1000


@settings(max_examples=100, deadline=None, database=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet="ab \n", min_size=0, max_size=400),
            st.sampled_from(["${group}", "${chair}", "\n\n", "x" * 2500, "${nope}"]),
        ),
        max_size=30,
    )
)
def test_every_rendered_chunk_fits_in_a_message(parts: list[str]) -> None:
    text = "".join(parts)
    chunks = split_for_discord(text)
    for chunk in chunks:
        assert len(render(chunk, LONGEST_VALUES)) <= TEXT_CHUNK_LIMIT
    # Nothing is lost but whitespace.
    assert "".join("".join(chunks).split()) == "".join(text.split())


def test_reflow_joins_wrapped_lines_but_keeps_lists_and_paragraphs() -> None:
    text = "We share\nabout ourselves.\n\n- one\n- two\n1. three"
    assert reflow(text) == "We share about ourselves.\n\n- one\n- two\n1. three"
