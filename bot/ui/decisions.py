"""The decision buttons and the hearing form. They keep working after a restart: each is a
``DynamicItem`` whose ``custom_id`` holds only the opaque proposal id (and a choice), never a
user id, and is at most ~30 characters. ``cogs.decisions`` registers them.

    pc:second:<proposal>            on the proposal in the channel
    pc:hearing:<proposal>           in the private notice to the member concerned
    pc:ballot:<proposal>:<choice>   Yes / No / Abstain on the ballot
    pc:notice:<proposal>            in the channel, for a member who doesn't accept private
                                    messages: shows them the notice, privately

Every press first checks its context (:mod:`bot.ui.context`): the vote it names belongs to the
group of the channel it was pressed in ("Give my side" also works in the private message it was
sent in, for the member it was sent to). A ``custom_id`` naming another group's vote, or a
choice that isn't Yes / No / Abstain, changes nothing.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import discord

from bot.core.decisions import Choice
from bot.i18n import SOURCE, Msg, msg, render
from bot.runtime.decisions import DecisionService, reaching, texts
from bot.runtime.decisions.reaching import Place
from bot.ui.context import proposal_here
from bot.ui.locale import private_locale
from bot.ui.routing import FirstDelivery, Interaction, answer_error, guarded, service

PROPOSAL_ID = r"[A-Za-z0-9_-]{1,40}"
SECOND = re.compile(rf"pc:second:(?P<proposal>{PROPOSAL_ID})")
HEARING = re.compile(rf"pc:hearing:(?P<proposal>{PROPOSAL_ID})")
NOTICE = re.compile(rf"pc:notice:(?P<proposal>{PROPOSAL_ID})")
BALLOT = re.compile(rf"pc:ballot:(?P<proposal>{PROPOSAL_ID}):(?P<choice>yes|no|abstain)")

LABELS: dict[Choice, Msg] = {
    Choice.YES: msg("Yes"),
    Choice.NO: msg("No"),
    Choice.ABSTAIN: msg("Abstain"),
}
#: Labels are said in the language of the message that carries them: the group's in its
#: channel and in the notes the bot sends on its own, the member's in a private answer. A button
#: rebuilt from its ``custom_id`` (a press) has no label to show, so it needs no language.
SECOND_THIS = msg("Second this")
GIVE_MY_SIDE = msg("Give my side")
STYLES = {
    Choice.YES: discord.ButtonStyle.success,
    Choice.NO: discord.ButtonStyle.danger,
    Choice.ABSTAIN: discord.ButtonStyle.secondary,
}


class SecondButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=SECOND):
    def __init__(self, proposal_id: str, locale: str = SOURCE) -> None:
        super().__init__(
            discord.ui.Button(
                label=render(locale, SECOND_THIS),
                style=discord.ButtonStyle.primary,
                custom_id=f"pc:second:{proposal_id}",
            )
        )
        self.proposal_id = proposal_id

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SecondButton:
        return cls(match["proposal"])

    async def callback(self, interaction: Interaction) -> None:
        async def second() -> None:
            await proposal_here(interaction, self.proposal_id)
            await interaction.response.defer(ephemeral=True, thinking=True)
            seconded = await service(interaction, DecisionService).second(
                self.proposal_id, interaction.user
            )
            thanks = texts.thanks_for_second(seconded.exclusion, seconded.ballot_opens)
            await interaction.followup.send(
                render(await private_locale(interaction), thanks), ephemeral=True
            )

        await guarded(interaction, "the Second button", second)


class HearingButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=HEARING):
    def __init__(self, proposal_id: str, locale: str = SOURCE) -> None:
        super().__init__(
            discord.ui.Button(
                label=render(locale, GIVE_MY_SIDE),
                style=discord.ButtonStyle.primary,
                custom_id=f"pc:hearing:{proposal_id}",
            )
        )
        self.proposal_id = proposal_id

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> HearingButton:
        return cls(match["proposal"])

    async def callback(self, interaction: Interaction) -> None:
        async def open_form() -> None:
            await proposal_here(interaction, self.proposal_id, privately=True)
            decisions = service(interaction, DecisionService)
            limit = await decisions.statement_limit(self.proposal_id, interaction.user)
            locale = await private_locale(interaction)
            await interaction.response.send_modal(StatementForm(self.proposal_id, limit, locale))

        await guarded(interaction, "the Give my side button", open_form)


class NoticeButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=NOTICE):
    """Left in the channel, pinging only the member, when the notice before an exclusion vote
    couldn't go by private message: pressing it shows them the notice where only they see it,
    and from then on they could read it (the vote waits for that)."""

    def __init__(self, proposal_id: str, locale: str = SOURCE) -> None:
        super().__init__(
            discord.ui.Button(
                label=render(locale, reaching.READ_MY_NOTE),
                style=discord.ButtonStyle.primary,
                custom_id=f"pc:notice:{proposal_id}",
            )
        )
        self.proposal_id = proposal_id

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> NoticeButton:
        return cls(match["proposal"])

    async def callback(self, interaction: Interaction) -> None:
        async def show() -> None:
            await proposal_here(interaction, self.proposal_id)
            await interaction.response.defer(ephemeral=True, thinking=True)
            shown = await service(interaction, DecisionService).read_notice(
                self.proposal_id, interaction.user
            )
            channel, guild = interaction.channel, interaction.guild
            place = Place(getattr(channel, "name", None), None if guild is None else guild.name)
            note = texts.notice(place, shown.meetings, shown.titles, shown.opens, shown.settings)
            locale = await private_locale(interaction)  # shown only to them: their language
            await interaction.followup.send(
                render(locale, note), view=hearing_view(self.proposal_id, locale), ephemeral=True
            )

        await guarded(interaction, "the Read my note button", show)


class StatementForm(discord.ui.Modal):
    """The member's side, length-capped; shown with the ballot and deleted when the vote closes."""

    def __init__(self, proposal_id: str, limit: int, locale: str = SOURCE) -> None:
        super().__init__(
            title=render(locale, texts.STATEMENT_TITLE),
            custom_id=f"pc:statement:{proposal_id}",
            timeout=None,
        )
        self.proposal_id = proposal_id
        self.statement: discord.ui.TextInput[StatementForm] = discord.ui.TextInput(
            label=render(locale, texts.STATEMENT_LABEL),
            style=discord.TextStyle.paragraph,
            custom_id="statement",
            max_length=limit,
            required=True,
        )
        self.add_item(self.statement)

    async def interaction_check(self, interaction: Interaction, /) -> bool:
        """A form Discord delivers twice is taken once (like every command and button)."""
        return service(interaction, FirstDelivery).first(interaction.id)

    async def on_submit(self, interaction: Interaction, /) -> None:
        await proposal_here(interaction, self.proposal_id, privately=True)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await service(interaction, DecisionService).give_statement(
            self.proposal_id, interaction.user, self.statement.value
        )
        locale = await private_locale(interaction)
        await interaction.followup.send(render(locale, texts.STATEMENT_THANKS), ephemeral=True)

    async def on_error(  # type: ignore[override]  # a modal's on_error has no item
        self, interaction: Interaction, error: Exception, /
    ) -> None:
        await answer_error(interaction, error, "the statement form")


class BallotButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=BALLOT):
    def __init__(self, proposal_id: str, choice: Choice, locale: str = SOURCE) -> None:
        super().__init__(
            discord.ui.Button(
                label=render(locale, LABELS[choice]),
                style=STYLES[choice],
                custom_id=f"pc:ballot:{proposal_id}:{choice.value}",
            )
        )
        self.proposal_id = proposal_id
        self.choice = choice

    @classmethod
    async def from_custom_id(
        cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> BallotButton:
        return cls(match["proposal"], Choice(match["choice"]))

    async def callback(self, interaction: Interaction) -> None:
        pressed = time.monotonic()

        async def cast_and_thank() -> str:
            await service(interaction, DecisionService).cast(
                self.proposal_id, interaction.user, self.choice
            )
            return render(await private_locale(interaction), texts.VOTE_THANKS)

        async def vote() -> None:
            await proposal_here(interaction, self.proposal_id)
            # One answer to Discord when the ballot is in quickly (a cast is a few
            # milliseconds); acknowledged first, then answered, only when it takes longer.
            # The wait counts from the press, and covers the reads for the answer too.
            thanking = asyncio.ensure_future(cast_and_thank())
            thanking.add_done_callback(_retrieved)
            left = ONE_ANSWER_WITHIN - (time.monotonic() - pressed)
            done, _ = await asyncio.wait({thanking}, timeout=max(0.0, left))
            if not done:
                await interaction.response.defer(ephemeral=True, thinking=True)
            thanks = await thanking
            if interaction.response.is_done():
                await interaction.followup.send(thanks, ephemeral=True)
            else:
                await interaction.response.send_message(thanks, ephemeral=True)

        await guarded(interaction, "a ballot button", vote)


#: Seconds from a press, its cast and the reads for its answer included, before the press is
#: acknowledged (Discord wants an answer within 3 seconds of the press; the rest is left for
#: the answer's own round trip and the press's way to the bot).
ONE_ANSWER_WITHIN = 1.0


def _retrieved(task: asyncio.Future[Any]) -> None:
    """A cast's error is answered by whoever awaits it; if nobody does (the acknowledgement
    failed first), it is not logged again as never retrieved."""
    if not task.cancelled():
        task.exception()


DYNAMIC_ITEMS = (SecondButton, HearingButton, NoticeButton, BallotButton)


def second_view(proposal_id: str, locale: str = SOURCE) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(SecondButton(proposal_id, locale))
    return view


def hearing_view(proposal_id: str, locale: str = SOURCE) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(HearingButton(proposal_id, locale))
    return view


def notice_view(proposal_id: str, locale: str = SOURCE) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(NoticeButton(proposal_id, locale))
    return view


def ballot_view(proposal_id: str, locale: str = SOURCE) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for choice in Choice:
        view.add_item(BallotButton(proposal_id, choice, locale))
    return view
