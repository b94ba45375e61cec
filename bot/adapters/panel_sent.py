"""What each meeting panel last showed, so a redraw that would change nothing is not sent.

A press that changes nothing anyone sees (a second "Raise hand", a timer that re-arms) still
asks for a redraw; comparing what would be sent with what was last sent saves the edit — one
REST call fewer on a rate-limited route, for every such press.
"""

from __future__ import annotations

import json

import discord


def panel_look(embed: discord.Embed, view: discord.ui.View | None) -> str:
    """Everything an edit would send, as one comparable string."""
    components = None if view is None else view.to_components()
    return json.dumps([embed.to_dict(), components], sort_keys=True, default=str)


class SentPanels:
    """Panel message id -> the look it was last sent with (in memory: a restart redraws once)."""

    def __init__(self) -> None:
        self._shown: dict[int, str] = {}
        self.saved = 0  # edits not sent: nothing visible had changed

    def unchanged(self, message_id: int, look: str) -> bool:
        if self._shown.get(message_id) == look:
            self.saved += 1
            return True
        return False

    def shown(self, message_id: int, look: str, *, final: bool = False) -> None:
        """``final``: the meeting has ended and its panel won't be drawn again."""
        if final:
            self._shown.pop(message_id, None)
        else:
            self._shown[message_id] = look

    def forget(self, message_id: int) -> None:
        self._shown.pop(message_id, None)
