"""Support resources: the format's ``resources:`` key (checked like every key, with the line and
a hint), the list a group sets by its own decision, and what ``/resources`` shows."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.formats import FormatError, Problem, load_format
from bot.core.resources import (
    CLOSING_LINE,
    DANGER_LINE,
    DIRECTORY_URL,
    Resource,
    chosen,
    describe_decided,
    link_problem,
    paginate,
    parse_decided,
    resources_lines,
    write_decided,
)
from bot.errors import InvalidInput
from bot.i18n import render
from bot.runtime.decisions.settings import (
    RESOURCES,
    change_choices,
    describe_change,
    normalise_setting,
)


def fmt(body: str) -> str:
    return (
        "format: 1\nname: Test\n" + textwrap.dedent(body).lstrip("\n") + "sections:\n  - say: Hi.\n"
    )


def problems(body: str) -> list[Problem]:
    with pytest.raises(FormatError) as caught:
        load_format(fmt(body), filename="group.yaml")
    return caught.value.problems


def test_a_format_lists_its_resources_in_order() -> None:
    plan = load_format(
        fmt(
            """
            resources:
              - title: Our warmline
                line: "Weekday   evenings,
                  7 to 10 pm."
                link: https://example.org/warm?x=1
              - title: Samaritans (UK and Ireland)
                line: Call 116 123, any time.
            """
        )
    )
    assert plan.resources == (
        Resource("Our warmline", "Weekday evenings, 7 to 10 pm.", "https://example.org/warm?x=1"),
        Resource("Samaritans (UK and Ireland)", "Call 116 123, any time."),
    )
    assert load_format(fmt("")).resources == ()


def test_a_link_that_is_not_a_web_address_is_reported_with_its_line_and_a_hint() -> None:
    found = problems(
        """
        resources:
          - title: One
            line: Fine.
            link: javascript:alert(1)
          - title: Two
            line: Fine.
            link: warmline.example.org
          - title: Three
            line: Fine.
            link: https://exa mple.org
          - title: Four
            line: "   "
          - title: Five
            line: Fine.
            lnk: https://example.org
        """
    )
    assert [(p.line, p.message, p.hint) for p in found] == [
        (6, "a link must be a web address", "start it with https://"),
        (9, "a link must be a web address", "start it with https://"),
        (12, "a link can't contain spaces or hidden characters", "paste the address alone"),
        (14, "these words are empty", "write what it is, or remove the resource"),
        (17, "unknown key 'lnk'", "did you mean 'link'?"),
    ]


def test_a_resource_needs_a_title_and_a_line_and_the_list_has_a_limit() -> None:
    found = problems("resources:\n  - title: Only a title\n")
    assert found[0].line == 4
    assert "line" in found[0].message
    many = "resources:\n" + "".join(f"  - {{title: T{n}, line: L}}\n" for n in range(16))
    assert "at most 15" in problems(many)[0].message


@pytest.mark.parametrize(
    "link",
    [
        "ftp://example.org",
        "https://",
        "https://user:pw@example.org",
        "https://localhost",
        "https://example.org/<script>",
        "https://example.org/\u202eevil",
        "https://" + "a" * 200 + ".org",
    ],
)
def test_only_plain_web_addresses_are_links(link: str) -> None:
    assert link_problem(link) is not None


def resources_pages(
    resources: list[Resource] | tuple[Resource, ...], *, in_group: bool
) -> list[str]:
    """What /resources shows an English reader."""
    return paginate([render("en", line) for line in resources_lines(resources, in_group=in_group)])


DANGER = render("en", DANGER_LINE)


def test_what_resources_shows_by_default_and_for_a_group() -> None:
    (default,) = resources_pages((), in_group=True)
    assert default.splitlines()[1] == DANGER
    assert f"<{DIRECTORY_URL}>" in default
    assert "911" not in default
    assert "112" not in default
    assert "Only you can see this" in default
    ours = Resource("Our warmline", "Evenings.", "https://example.org")
    (page,) = resources_pages((ours,), in_group=True)
    assert DANGER in page
    assert "• **Our warmline** — Evenings. <https://example.org>" in page  # a plain link
    assert "](" not in page  # never a link hidden behind other words
    assert f"Helplines in other countries: <{DIRECTORY_URL}>" in page


def test_a_long_list_comes_in_pages_that_each_fit_a_message() -> None:
    many = [Resource(f"Line {n}", "x" * 200, f"https://example.org/{'y' * 150}") for n in range(15)]
    pages = resources_pages(many, in_group=True)
    assert len(pages) > 1
    assert all(len(page) <= 1900 for page in pages)
    assert sum(page.count("• **Line") for page in pages) == 15
    assert pages[0].startswith("**Support")


def test_a_group_decision_is_written_and_read_back() -> None:
    raw = " Our warmline | Evenings, 7 to 10 | https://example.org ;  Text line|Text HELLO "
    parsed = parse_decided(raw)
    assert parsed == (
        Resource("Our warmline", "Evenings, 7 to 10", "https://example.org"),
        Resource("Text line", "Text HELLO"),
    )
    assert parse_decided(write_decided(parsed)) == parsed
    assert parse_decided("format") is None
    assert write_decided(None) == "format"


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("just words", "needs a title and what it is"),
        ("a | b | c | d", "needs a title and what it is"),
        (" | line", "needs a title"),
        ("T | L | mailto:x@example.org", "link: a link must be a web address"),
        ("; ".join(f"T{n} | L" for n in range(11)), "at most 10"),
        ("T | " + "L" * 1600, "longer than 1500"),
        ("T" * 81 + " | L", "too long"),
        (" ; ", "at least one"),
    ],
)
def test_a_decided_list_that_cant_be_used_is_refused_kindly(raw: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_decided(raw)


def test_the_group_changes_its_list_through_propose_change() -> None:
    plan = load_format(fmt(""))
    assert RESOURCES in [choice.subject for choice in change_choices(plan)]
    stored = normalise_setting(RESOURCES, "Warm | Evenings | https://example.org", plan, {})
    assert stored == "Warm | Evenings | https://example.org"
    with pytest.raises(InvalidInput, match="title and what it is"):
        normalise_setting(RESOURCES, "nonsense", plan, {})
    said = str(describe_change(RESOURCES, stored))
    assert said == (
        "show these support resources in `/resources`: **Warm** (Evenings) <https://example.org>"
    )
    assert "format's list" in str(describe_change(RESOURCES, "format"))
    assert chosen((Resource("A", "B"),), stored) == (
        Resource("Warm", "Evenings", "https://example.org"),
    )
    assert chosen((Resource("A", "B"),), "format") == (Resource("A", "B"),)
    assert chosen((Resource("A", "B"),), "no longer | valid | ftp://x") == (Resource("A", "B"),)


def test_a_proposal_echoes_a_long_list_bounded() -> None:
    value = write_decided(parse_decided("; ".join(f"T{n} | {'w' * 140}" for n in range(10))))
    said = str(describe_decided(value))
    assert len(said) < 800
    assert said.endswith("…")


def test_hidden_characters_and_backticks_are_taken_out_of_decided_words() -> None:
    (found,) = parse_decided("Warm\u202e`line` | Eve\x00nings") or ()
    assert found == Resource("Warm 'line'", "Eve nings")


@given(
    st.lists(
        st.tuples(
            st.text(st.characters(blacklist_characters="|;`"), min_size=1, max_size=80),
            st.text(st.characters(blacklist_characters="|;`"), min_size=1, max_size=200),
            st.sampled_from([None, "https://example.org", "http://a.example.org/x?y=1"]),
        ),
        min_size=1,
        max_size=10,
    )
)
def test_whatever_is_accepted_reads_back_the_same(items: list[tuple[str, str, str | None]]) -> None:
    raw = "; ".join(" | ".join(x for x in item if x is not None) for item in items)
    try:
        parsed = parse_decided(raw)
    except ValueError:
        return  # blank words or too long: refused kindly, nothing to read back
    assert parsed is not None
    assert parse_decided(write_decided(parsed)) == parsed
    for page in resources_pages(parsed, in_group=True):
        assert len(page) <= 1900


def test_the_closing_offers_resources() -> None:
    assert "`/resources`" in CLOSING_LINE
