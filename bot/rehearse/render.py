"""The channel in a terminal, as members would see it: each message under its author's display
name, mentions as names, the meeting panel as a short status block, and Discord's countdowns
(``<t:…:R>``) as the real seconds left ("in 12 s").

Pure functions over the message JSON Discord sends (no Discord, no stand-in): the watcher in
:mod:`bot.rehearse.watch` calls them with the names it knows and the real time now.
"""

from __future__ import annotations

import re
import textwrap
import time
from collections.abc import Mapping
from typing import Any

from bot.core.lazy_dataclasses import lazy_dataclass

JSON = dict[str, Any]

_TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")
_USER = re.compile(r"<@!?(\d+)>")
_ROLE = re.compile(r"<@&(\d+)>")
_CHANNEL = re.compile(r"<#(\d+)>")
_EMOJI = re.compile(r"<a?(:\w+:)\d+>")
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)
_PANEL_TITLE = re.compile(r"Meeting (\d+)(?: · (\d+)/(\d+) (.*))?$")
_SHARING = re.compile(r"\*\*Sharing:\*\* (.+?)(?: · time .*)?$")
_UP_NEXT = re.compile(r"\*\*Up next:\*\* (.+?)(?: and \d+ more)?$")

BOLD_ON, BOLD_OFF = "\x1b[1m", "\x1b[0m"


def seconds(amount: float) -> str:
    """``75`` -> ``"1 min 15 s"``; ``12`` -> ``"12 s"``; whole seconds."""
    total = max(0, round(amount))
    if total < 60:
        return f"{total} s"
    minutes, rest = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def countdown(moment: float, now: float) -> str:
    """Discord's relative timestamp, in real seconds: "in 12 s", "5 s ago", "now"."""
    left = moment - now
    if abs(left) < 0.5:
        return "now"
    return f"in {seconds(left)}" if left > 0 else f"{seconds(-left)} ago"


@lazy_dataclass(frozen=True)
class Names:
    """Who is who, for mentions: user ids, role ids and channel ids to their display names."""

    users: Mapping[int, str]
    roles: Mapping[int, str]
    channels: Mapping[int, str]


def plain(text: str, names: Names, now: float, *, bold: bool = False) -> str:
    """Discord markup as terminal text: countdowns in real seconds, mentions as names, **bold**
    as bold (on a terminal) or plain words."""

    def stamp(match: re.Match[str]) -> str:
        moment, style = int(match[1]), match[2] or "f"
        if style == "R":
            return countdown(moment, now)
        shown = "%H:%M:%S" if style in "tT" else "%Y-%m-%d %H:%M"
        return time.strftime(shown, time.localtime(moment))

    text = _TIMESTAMP.sub(stamp, text)
    text = _USER.sub(lambda m: names.users.get(int(m[1]), "someone"), text)
    text = _ROLE.sub(lambda m: "@" + names.roles.get(int(m[1]), "a role"), text)
    text = _CHANNEL.sub(lambda m: "#" + names.channels.get(int(m[1]), "a channel"), text)
    text = _EMOJI.sub(lambda m: m[1], text)
    return _BOLD.sub(lambda m: f"{BOLD_ON}{m[1]}{BOLD_OFF}" if bold else m[1], text)


def buttons(message: JSON) -> list[JSON]:
    """The buttons of a message, row after row."""
    return [c for row in message.get("components") or [] for c in row.get("components") or []]


def is_panel(message: JSON) -> bool:
    """The meeting panel: the message carrying the **Raise hand** button (or its closing
    state, once the buttons are gone)."""
    return any(str(b.get("custom_id", "")).endswith(":hand") for b in buttons(message))


def panel_text(message: JSON) -> str:
    """What identifies the panel's state (its embed's title and lines, before rendering):
    the block is shown again only when this changes."""
    embeds = message.get("embeds") or [{}]
    return f"{embeds[0].get('title', '')}\n{embeds[0].get('description', '')}"


def _wrap(text: str, width: int, indent: str) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if not paragraph.strip():
            lines.append("")
            continue
        lines.extend(
            textwrap.wrap(
                paragraph,
                width=max(20, width),
                initial_indent=indent,
                subsequent_indent=indent,
                break_on_hyphens=False,
            )
        )
    while lines and not lines[-1]:
        lines.pop()
    return lines


def message_lines(
    message: JSON,
    author: str,
    names: Names,
    now: float,
    *,
    width: int = 80,
    bold: bool = False,
    edited: bool = False,
) -> list[str]:
    """A message as members see it: ``author:`` then its words, embeds and buttons, indented."""
    indent = "    "
    head = f"{author}:" + (" (edited)" if edited else "")
    body: list[str] = []
    content = plain(str(message.get("content") or ""), names, now, bold=bold)
    body += _wrap(content, width, indent)
    for embed in message.get("embeds") or []:
        title = plain(str(embed.get("title") or ""), names, now, bold=bold)
        if title:
            body += _wrap(f"{BOLD_ON}{title}{BOLD_OFF}" if bold else title, width, indent)
        body += _wrap(plain(str(embed.get("description") or ""), names, now), width, indent)
    labels = [f"[{b.get('label') or '…'}]" for b in buttons(message) if not b.get("disabled")]
    if labels:
        body += _wrap(" ".join(labels), width, indent)
    return [head, *body] if body else [head]


def panel_lines(
    message: JSON, names: Names, now: float, *, width: int = 80, bold: bool = False
) -> list[str]:
    """The panel as a short status block::

    ┌ Meeting 1 · 8/11 Sharing
    │ Sharing: Sam · time in 2 min 58 s
    │ Up next: Kit, Noor
    │ Chair: Robin
    │ Meeting ends in 52 s
    └ [Raise hand] [Lower hand] [Pass] [Done sharing] [Next (chair)]
    """
    embeds = message.get("embeds") or [{}]
    title = plain(str(embeds[0].get("title") or "The meeting panel"), names, now)
    lines = [f"┌ {BOLD_ON}{title}{BOLD_OFF}" if bold else f"┌ {title}"]
    description = plain(str(embeds[0].get("description") or ""), names, now)
    lines += [f"│ {line}" for line in description.split("\n") if line.strip()]
    labels = [f"[{b.get('label') or '…'}]" for b in buttons(message) if not b.get("disabled")]
    if not labels:
        return [*lines, "└"]
    shown = textwrap.wrap(" ".join(labels), width=max(20, width - 2), break_on_hyphens=False)
    return [*lines, *(f"│ {line}" for line in shown[:-1]), f"└ {shown[-1]}"]


def prompt_actions(message: JSON) -> set[str]:
    """The meeting buttons on a message other than the panel (a reading offered, a question)."""
    if is_panel(message):
        return set()
    found = set()
    for button in buttons(message):
        parts = str(button.get("custom_id", "")).split(":")
        if parts[:2] == ["pc", "m"] and len(parts) >= 4 and not button.get("disabled"):
            found.add(parts[3])
    return found


def choices(message: JSON, action: str) -> dict[str, list[str]]:
    """The panel's lists for ``action`` (whom the chair may call on, whom the sharer may
    invite), by custom_id, with the values they offer now."""
    found = {}
    for item in buttons(message):
        custom_id = str(item.get("custom_id", ""))
        if item.get("type") == 3 and custom_id.endswith(f":{action}"):
            values = [str(o["value"]) for o in item.get("options") or [] if o["value"] != "-1"]
            if values and not item.get("disabled"):
                found[custom_id] = values
    return found


@lazy_dataclass(frozen=True)
class PanelState:
    """What a member reads off the panel: the part under way, who shares, who is next."""

    ended: bool
    section: int  # 1-based; 0 before the first part
    section_title: str
    sharer: str | None
    waiting: tuple[str, ...]


def read_panel(message: JSON) -> PanelState:
    """The panel's state, from its embed (the words members read)."""
    embeds = message.get("embeds") or [{}]
    title = str(embeds[0].get("title") or "")
    if not is_panel(message) and "ended" in title:
        return PanelState(True, 0, "", None, ())
    matched = _PANEL_TITLE.search(title)
    section = int(matched[2]) if matched and matched[2] else 0
    section_title = matched[4] if matched and matched[4] else ""
    sharer: str | None = None
    waiting: tuple[str, ...] = ()
    for line in str(embeds[0].get("description") or "").split("\n"):
        if found := _SHARING.match(line):
            sharer = found[1]
        elif found := _UP_NEXT.match(line):
            waiting = tuple(name.strip() for name in found[1].split(","))
    return PanelState(False, section, section_title, sharer, waiting)
