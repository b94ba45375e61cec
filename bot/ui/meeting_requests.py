"""A member's own words for the room or the chair, asked for in a small form: **Choose the
topic** / **Suggest a topic**, **Mark a milestone**, **Tell the chair privately** (see
:mod:`bot.runtime.meetings.requests`, which checks the part under way takes them and passes
them on). The words are sent and forgotten: never stored, never logged, no name attached.

The button opens the form at once (a form is the answer to a press, so nothing is deferred);
its submission is carried out once, however often Discord delivers it
(:func:`bot.ui.routing.guarded`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import discord

from bot.i18n import SOURCE, Msg, msg, render
from bot.runtime.meetings.requests import LONGEST, Request
from bot.ui.locale import private_locale
from bot.ui.routing import guarded

REQUEST_ACTIONS = frozenset(r.value for r in Request)

#: A form's title, its field's label and placeholder, and whether words are needed.
FORMS: Mapping[Request, tuple[Msg, Msg, Msg, bool]] = {
    Request.TOPIC: (
        msg("Today's topic"),
        msg("The topic"),
        msg("A few words, like “gratitude”"),
        True,
    ),
    Request.MILESTONE: (
        msg("Mark a milestone"),
        msg("What are you celebrating? (optional)"),
        msg("Like “30 days” or “one year” — or leave it blank"),
        False,
    ),
    Request.ASK: (
        msg("Tell the chair privately"),
        msg("What would you like the chair to know?"),
        msg("Only the chair sees this, without your name"),
        True,
    ),
}

CONFIRMATIONS: Mapping[Request, Msg] = {
    Request.TOPIC: msg("Thank you — it's posted in the channel."),
    Request.MILESTONE: msg(
        "Congratulations! 🎉 It's posted in the channel without your name. Nothing is kept."
    ),
    Request.ASK: msg(
        "Thank you — I've passed it to the chair privately, without your name. Nothing is kept."
    ),
}
NOT_POSTED = msg(
    "I couldn't post in the channel just now, so nothing was shared. Please try again in a moment."
)
NOT_SENT: Mapping[Request, Msg] = {
    Request.TOPIC: NOT_POSTED,
    Request.MILESTONE: NOT_POSTED,
    Request.ASK: msg(
        "I couldn't reach the chair privately just now (their direct messages may be closed), "
        "so nothing was passed on. You're welcome to raise your hand, or speak to them after "
        "the meeting."
    ),
}


class Requests(Protocol):
    """Where a form's words go (:class:`bot.ui.meeting.MeetingActions`)."""

    def requestable(
        self, interaction: discord.Interaction[Any], meeting_id: int, kind: Request
    ) -> None: ...

    async def request(
        self, interaction: discord.Interaction[Any], meeting_id: int, kind: Request, words: str
    ) -> bool: ...


class RequestForm(discord.ui.Modal):
    """The small form: one field, the member's words (kept only until it is passed on), in the
    member's language."""

    def __init__(
        self, actions: Requests, meeting_id: int, kind: Request, locale: str = SOURCE
    ) -> None:
        title, label, placeholder, required = FORMS[kind]
        super().__init__(
            title=render(locale, title),
            timeout=600,
            custom_id=f"pc:mr:{meeting_id}:{kind.value}",
        )
        self.actions = actions
        self.meeting_id = meeting_id
        self.kind = kind
        self.words: discord.ui.TextInput[RequestForm] = discord.ui.TextInput(
            label=render(locale, label),
            placeholder=render(locale, placeholder),
            required=required,
            max_length=LONGEST[kind.value],
            style=discord.TextStyle.paragraph if kind is Request.ASK else discord.TextStyle.short,
            custom_id="words",
        )
        self.add_item(self.words)

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        await guarded(
            interaction, f"the {self.kind.value} form", lambda: self._submitted(interaction)
        )

    async def _submitted(self, interaction: discord.Interaction[Any]) -> None:
        words = self.words.value
        sent = await self.actions.request(interaction, self.meeting_id, self.kind, words)
        answer = CONFIRMATIONS[self.kind] if sent else NOT_SENT[self.kind]
        locale = await private_locale(interaction)
        await interaction.response.send_message(render(locale, answer), ephemeral=True)


async def open_form(
    interaction: discord.Interaction[Any], actions: Requests, meeting_id: int, action: str
) -> None:
    """Open the form for ``action``, once the member may use it now (membership, the part
    under way): otherwise the kind refusal, and no form to fill in vain."""
    kind = Request(action)
    actions.requestable(interaction, meeting_id, kind)
    locale = await private_locale(interaction)
    await interaction.response.send_modal(RequestForm(actions, meeting_id, kind, locale))
