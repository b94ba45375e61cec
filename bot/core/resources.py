"""Support resources and crisis lines: what ``/resources`` shows (pure: no I/O, no discord).

A group's list comes from its format (``resources:``, see formats/README.md) or from its own
decision (``/propose change`` with ``what: resources``); without either, a kind default points
to the local emergency number and an international directory of helplines. No phone number is
ever presented as if it worked everywhere.

Links are checked where they are written (http or https only, no spaces, a real host name) and
shown as plain links in angle brackets: Discord shows the address itself, with no preview and
no hidden target behind other words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.i18n.message import Msg, msg

#: The words, said plainly, that come first whatever the group's list says.
DANGER_LINE = msg("If you are in danger right now, call your local emergency number.")
DIRECTORY_URL = "https://findahelpline.com"
DIRECTORY_HOST = "findahelpline.com"

TITLE_LIMIT = 80
LINE_LIMIT = 200
LINK_LIMIT = 200
MOST_RESOURCES = 15  # in a format
MOST_DECIDED = 10  # by a group decision (one slash-command option)
DECIDED_LIMIT = 1500  # characters of that option

#: The group decision's name for its list (``/propose change`` with ``what: resources``).
SETTING_NAME = "resources"
#: How a group decision's value goes back to the format's own list (or the default).
FROM_FORMAT = "format"
#: How a group decision's value is written: fields split by "|", resources by ";".
FIELD_SEPARATOR = "|"
RESOURCE_SEPARATOR = ";"
HOW_TO_WRITE = msg(
    "Write each resource as `title | what it is | link` (the link is optional), and separate "
    "resources with `;` — for example: `Our warmline | Call 555 0100, evenings | "
    "https://example.org; Crisis text line | Text HOME to 741741 (US)`. Or write `format` to "
    "go back to the format's own list."
)

#: What the meeting's closing adds, and what /newcomer and the welcome offer.
CLOSING_LINE = "If you'd like support between meetings, `/resources` shows where to find it."
OFFER_LINE = msg(
    "Between meetings, `/resources` shows support lines and places to reach out — privately."
)

_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


@lazy_dataclass(frozen=True)
class Resource:
    title: str
    line: str
    link: str | None = None


def link_problem(link: str) -> tuple[str, str] | None:
    """Why ``link`` can't be shown (message, hint), or None when it is a plain web address."""
    found = link_problem_words(link)
    return None if found is None else (str(found[0]), str(found[1]))


def link_problem_words(link: str) -> tuple[Msg, Msg] | None:
    """:func:`link_problem` as messages, to render in the reader's language."""
    if len(link) > LINK_LIMIT:
        return (
            msg("this link is longer than {limit} characters", limit=LINK_LIMIT),
            msg("use a shorter address"),
        )
    if any(c.isspace() for c in link) or _INVISIBLE.search(link) or "<" in link or ">" in link:
        return (
            msg("a link can't contain spaces or hidden characters"),
            msg("paste the address alone"),
        )
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https"):
        return (msg("a link must be a web address"), msg("start it with https://"))
    host = (parts.hostname or "").lower()
    if parts.username or parts.password or not _HOST.match(host):
        return (
            msg("this doesn't look like a web address"),
            msg("write it like https://example.org"),
        )
    return None


def _clean(text: str) -> str:
    return " ".join(_INVISIBLE.sub(" ", text).replace("`", "'").split())


def parse_decided(raw: str) -> tuple[Resource, ...] | None:
    """A group decision's value: the list it sets, or None for "back to the format's list".

    Raises :class:`ValueError` carrying kind words (a :class:`~bot.i18n.Msg`, with
    :data:`HOW_TO_WRITE`) when it can't be used.
    """
    text = raw.strip()
    if text.lower() in (FROM_FORMAT, "default"):
        return None
    if len(text) > DECIDED_LIMIT:
        raise ValueError(
            msg(
                "That list is longer than {limit} characters; please shorten it.",
                limit=DECIDED_LIMIT,
            )
        )
    pieces = [piece for piece in text.split(RESOURCE_SEPARATOR) if piece.strip()]
    if not pieces:
        raise ValueError(msg("Please give at least one resource. {how}", how=HOW_TO_WRITE))
    if len(pieces) > MOST_DECIDED:
        raise ValueError(msg("Please give at most {most} resources.", most=MOST_DECIDED))
    found = []
    for number, piece in enumerate(pieces, start=1):
        fields = [_clean(field) for field in piece.split(FIELD_SEPARATOR)]
        if len(fields) not in (2, 3) or not fields[0] or not fields[1]:
            raise ValueError(
                msg(
                    "Resource {number} needs a title and what it is. {how}",
                    number=number,
                    how=HOW_TO_WRITE,
                )
            )
        title, line = fields[0], fields[1]
        if len(title) > TITLE_LIMIT or len(line) > LINE_LIMIT:
            raise ValueError(
                msg(
                    "Resource {number} is too long: a title has at most {title} characters, "
                    "and what it is at most {line}.",
                    number=number,
                    title=TITLE_LIMIT,
                    line=LINE_LIMIT,
                )
            )
        link = fields[2] if len(fields) == 3 and fields[2] else None
        if link is not None and (problem := link_problem_words(link)) is not None:
            raise ValueError(
                msg(
                    "Resource {number}'s link: {problem} ({hint}).",
                    number=number,
                    problem=problem[0],
                    hint=problem[1],
                )
            )
        found.append(Resource(title, line, link))
    return tuple(found)


def write_decided(resources: Sequence[Resource] | None) -> str:
    """The stored form of a decided list (:func:`parse_decided` reads it back)."""
    if resources is None:
        return FROM_FORMAT
    return f"{RESOURCE_SEPARATOR} ".join(
        f" {FIELD_SEPARATOR} ".join(x for x in (r.title, r.line, r.link) if x) for r in resources
    )


def chosen(from_format: Sequence[Resource], decided: str | None) -> tuple[Resource, ...]:
    """The group's list: its decision if it made one (and it still reads), else its format's."""
    if decided is not None:
        try:
            parsed = parse_decided(decided)
        except ValueError:
            parsed = None  # a value a newer bot's rules no longer accept: fall back, don't fail
        if parsed is not None:
            return parsed
    return tuple(from_format)


def shown_link(link: str) -> str:
    """A plain link: the address itself, in angle brackets so Discord shows no preview."""
    return f"<{link}>"


def _item(resource: Resource) -> str:
    link = f" {shown_link(resource.link)}" if resource.link else ""
    return f"• **{resource.title}** — {resource.line}{link}"


DEFAULT_ITEMS = (
    msg(
        "• **Emergency services** — call the emergency number where you are (it depends on "
        "the country you're in)."
    ),
    msg(
        "• **Find A Helpline** — free, confidential helplines and crisis lines in many "
        "countries, searchable by country and by what's going on: {link}",
        link=shown_link(DIRECTORY_URL),
    ),
)


def resources_lines(resources: Sequence[Resource], *, in_group: bool) -> list[Msg | str]:
    """What ``/resources`` shows, line by line (the group's own lines are its own words);
    rendered in the reader's language and cut into messages by :func:`paginate`."""
    lines: list[Msg | str] = [msg("**Support, between meetings and any time**"), DANGER_LINE, ""]
    if resources:
        lines.append(msg("This group's list:"))
        lines += [_item(r) for r in resources]
        if not any(DIRECTORY_HOST in (r.link or "") for r in resources):
            lines.append(
                msg("Helplines in other countries: {link}", link=shown_link(DIRECTORY_URL))
            )
    else:
        lines += list(DEFAULT_ITEMS)
        if in_group:
            lines += [
                "",
                msg(
                    "This group hasn't added its own list yet. Any member can propose one "
                    "with `/propose change` (what: `resources`)."
                ),
            ]
    lines += ["", msg("Only you can see this message, and I keep no record that you asked.")]
    return lines


def paginate(lines: Sequence[str], limit: int = 1900) -> list[str]:
    """Lines joined into messages of at most ``limit`` characters, never cutting a line in
    two unless it alone is longer."""
    pages: list[str] = []
    current = ""
    for line in lines:
        line = line[:limit]
        if current and len(current) + 1 + len(line) > limit:
            pages.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current.strip():
        pages.append(current)
    return pages


def describe_decided(value: str, limit: int = 700) -> Msg:
    """A proposed list in plain words for the proposal and the ballot (bounded)."""
    try:
        parsed = parse_decided(value)
    except ValueError:
        return msg("change the list `/resources` shows")
    if parsed is None:
        return msg("go back to the format's list of support resources for `/resources`")
    items = []
    for r in parsed:
        link = f" {shown_link(r.link)}" if r.link else ""
        items.append(f"**{r.title}** ({r.line}){link}")
    listed = "; ".join(items)
    if len(listed) > limit:
        listed = listed[: limit - 1].rstrip() + "…"
    return msg("show these support resources in `/resources`: {listed}", listed=listed)
