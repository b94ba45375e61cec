"""Discord's text markup, as plain functions (no ``discord`` import): a live countdown in
everyone's own time zone, and the short first name the bot uses for a member."""

from __future__ import annotations

from datetime import datetime


def when(moment: datetime | None) -> str:
    """A live countdown Discord keeps up to date in everyone's own time zone."""
    return "" if moment is None else f"<t:{int(moment.timestamp())}:R>"


def first_name(display_name: str) -> str:
    words = display_name.split()
    return (words[0] if words else "someone")[:32]
