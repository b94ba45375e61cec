"""Discord refusing the answer to an interaction (its acknowledgement or a followup) is told
apart from Discord refusing anything else: only the latter gets a kind answer afterwards."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.errors import NotAllowed
from bot.ui.routing import answer_refused

API = "https://discord.com/api/v10"
INTERACTION: Any = SimpleNamespace(id=555, application_id=77, token="a-token")


def refused(status: int, url: str) -> discord.HTTPException:
    response: Any = SimpleNamespace(status=status, reason="refused", url=url)
    return discord.HTTPException(response, {"code": 10062, "message": "Unknown interaction"})


@pytest.mark.parametrize(
    ("error", "on_the_answer"),
    [
        (refused(404, f"{API}/interactions/555/a-token/callback"), True),
        (refused(403, f"{API}/webhooks/77/a-token"), True),
        (refused(404, f"{API}/webhooks/77/a-token/messages/@original"), True),
        (refused(403, f"{API}/channels/9/messages"), False),  # a post, not the answer
        (refused(404, f"{API}/interactions/556/other/callback"), False),  # someone else's
        (NotAllowed("no"), False),
    ],
)
def test_only_a_refused_answer_is_left_unanswered(error: Exception, on_the_answer: bool) -> None:
    assert answer_refused(INTERACTION, error) is on_the_answer


def test_a_command_error_is_looked_through() -> None:
    command: Any = SimpleNamespace(name="x", qualified_name="x")
    wrapped = app_commands.CommandInvokeError(command, refused(403, f"{API}/webhooks/77/a-token"))
    assert answer_refused(INTERACTION, wrapped)
