"""The meeting's interactions in the reader's language, on a real database with fake Discord
sides: a member's private answers to the meeting's buttons (through the same route and the same
error handler as a real press) follow their own Discord language, or the group's when theirs is
English; the crosstalk reminder, the held message's note and the voice floor's words are in the
group's language. The meeting's words stay English for an English group."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import discord
import pytest

from bot.adapters.voice_floor import missing_words
from bot.core.crosstalk import OUR_REMINDERS
from bot.core.formats import load_format
from bot.core.formats.parts import DEFAULT_REMINDERS
from bot.core.meeting import MeetingRunner, MeetingSetup
from bot.core.pseudonyms import Pseudonym
from bot.core.voice_floor import Room
from bot.errors import NotAllowed
from bot.i18n import group_locale, render
from bot.runtime.clock import Clock
from bot.runtime.crosstalk import CrosstalkService, Post, Poster
from bot.runtime.formats import FormatLibrary
from bot.runtime.languages import GroupLanguages
from bot.runtime.live import CHAIR, LiveMeeting, LiveMeetings
from bot.runtime.meetings.requests import RoomRequests
from bot.store import Store
from bot.ui.meeting import MeetingActions
from bot.ui.meeting_requests import FORMS
from bot.ui.routing import FirstDelivery, guarded
from tests.runtime.test_crosstalk_service import FakePort
from tests.runtime.test_meetings_service import ANA, CHANNEL, GUILD, KEY, START, Bench
from tests.support.clock import FakeTime

ANA_ID, CLAIRE, WREN = 11, 14, 15

IN_SPANISH = """
format: 1
name: Círculo abierto
language: es
crosstalk:
  policy: not-allowed
sections:
  - say: Bienvenida.
    title: Bienvenida
  - share: Compartir abierto.
    title: Compartimos
  - closing: Gracias por venir.
"""


async def in_spanish(store: Store, group_id: int) -> None:
    """The group adopts a format that says ``language: es``."""
    async with store.db.transaction() as tx:
        format_id = await tx.insert(
            "INSERT INTO group_formats (group_id, label, source, status, uploaded_at) "
            "VALUES (?, 'ours', ?, 'adopted', ?)",
            (group_id, IN_SPANISH, START),
        )
        await tx.execute(
            "UPDATE groups SET format_id = ? WHERE id = ?", (f"group:{format_id}", group_id)
        )


# --- a press, as Discord delivers it --------------------------------------------------------


@dataclass
class Said:
    """What the member was told privately, in order."""

    words: list[str] = field(default_factory=list)
    deferred: bool = False


class Response:
    def __init__(self, said: Said) -> None:
        self._said = said

    def is_done(self) -> bool:
        return self._said.deferred

    async def defer(self, **_: Any) -> None:
        self._said.deferred = True

    async def send_message(self, text: str, **_: Any) -> None:
        self._said.words.append(text)


class Followup:
    def __init__(self, said: Said) -> None:
        self._said = said

    async def send(self, text: str, **_: Any) -> None:
        self._said.words.append(text)


class Client:
    """The bot the press came to: the services a button finds (bot.ui.routing.service)."""

    def __init__(self, languages: GroupLanguages) -> None:
        self.services = {GroupLanguages: languages, FirstDelivery: FirstDelivery()}

    def is_closed(self) -> bool:
        return False


def member(user_id: int) -> discord.Member:
    """A member of the group (who can see its channel), as discord.py hands it over."""
    found = mock.Mock(spec=discord.Member)
    found.id = user_id
    found.bot = False
    return found  # type: ignore[no-any-return]


class Presses:
    """Presses on the meeting's panel, each answered as a real press is (bot.ui.meeting)."""

    def __init__(self, bench: Bench, languages: GroupLanguages) -> None:
        self.actions = MeetingActions(bench.service, Names(), KEY, RoomRequests(mock.Mock()))
        self.client = Client(languages)
        self.ids = 0

    async def press(self, user_id: int, locale: str, live: LiveMeeting, action: str) -> str:
        self.ids += 1
        said = Said()
        interaction: Any = mock.Mock(
            id=self.ids,
            application_id=1,
            token="t",
            user=member(user_id),
            locale=discord.Locale(locale),
            guild_id=GUILD,
            channel_id=CHANNEL,
            client=self.client,
            response=Response(said),
            followup=Followup(said),
        )
        await guarded(
            interaction,
            f"the {action} button",
            lambda: self.actions.pressed(interaction, live.id, action, None),
        )
        (answer,) = said.words
        return answer


class Names:
    def remember(self, live: LiveMeeting, who: Pseudonym, member: discord.Member) -> None:
        pass

    async def tell_chair(self, live: LiveMeeting, missing: tuple[str, ...]) -> bool:
        return False

    def locale(self, live: LiveMeeting) -> str:
        """As the presenter reads it before a step is shown: the format's language."""
        return group_locale(live.plan.language)


async def sharing(bench: Bench, *, spanish: bool = False) -> tuple[LiveMeeting, Presses]:
    group = await bench.group()
    if spanish:
        await in_spanish(bench.store, group.id)
    live = await bench.service.start(CHANNEL, ANA, ANA_ID)
    await bench.to_sharing(live)
    return live, Presses(
        bench, GroupLanguages(store=bench.store, formats=FormatLibrary(bench.store))
    )


async def test_a_french_member_gets_the_meetings_answers_in_french(
    store: Store, time: FakeTime
) -> None:
    live, presses = await sharing(Bench(store, time))
    assert await presses.press(CLAIRE, "fr", live, "hand") == (
        "Votre main est levée. Je vous préviendrai quand ce sera votre tour."
    )
    assert await presses.press(CLAIRE, "fr", live, "done") == "Merci d'avoir partagé."
    # Only today's chair moves the meeting on: refused kindly, in French, and nothing changed.
    step = live.state.step
    assert await presses.press(CLAIRE, "fr", live, "next") == (
        "Seule la personne qui anime aujourd'hui fait avancer la réunion. Si elle semble "
        "absente, appuyez sur **Prendre l'animation** sur le panneau de la réunion."
    )
    assert live.state.step == step
    # An English member of this English group: the same words in English.
    assert await presses.press(WREN, "en-US", live, "hand") == (
        "Your hand is up. I'll let you know when it's your turn."
    )


async def test_an_english_member_of_a_spanish_group_gets_spanish(
    store: Store, time: FakeTime
) -> None:
    """English is Discord's default, so it says little: the group's language is used. A
    member whose Discord is in French still gets French."""
    live, presses = await sharing(Bench(store, time), spanish=True)
    assert await presses.press(WREN, "en-US", live, "hand") == (
        "Tienes la mano levantada. Te avisaré cuando sea tu turno."
    )
    assert await presses.press(WREN, "en-GB", live, "pass") == (
        "Está bien, gracias. Pasar siempre está bien."
    )
    assert await presses.press(CLAIRE, "fr", live, "next") == (
        "Seule la personne qui anime aujourd'hui fait avancer la réunion. Si elle semble "
        "absente, appuyez sur **Prendre l'animation** sur le panneau de la réunion."
    )


# --- the crosstalk reminder and the voice floor, in the group's language ----------------------


def test_the_formats_default_reminders_are_ours_to_translate() -> None:
    """The format loader's default reminder for each policy is one the bot says in the group's
    language (bot/core/crosstalk.py keeps the same words as messages)."""
    assert set(DEFAULT_REMINDERS.values()) <= {reminder.msgid for reminder in OUR_REMINDERS}


async def test_a_spanish_group_is_reminded_in_spanish(store: Store, time: FakeTime) -> None:
    bench = Bench(store, time)
    await in_spanish(store, (await bench.group()).id)
    group = await store.groups.by_channel(CHANNEL)
    assert group is not None
    languages = GroupLanguages(store=store, formats=FormatLibrary(store))
    clock = Clock(rate=1.0, anchor=START, real_time=time)
    runner = MeetingRunner(load_format(IN_SPANISH.encode()))
    state, _ = runner.start(clock.now(), MeetingSetup(number=1, roles={CHAIR: [ANA]}))
    live = LiveMeeting(1, group, group.format_id, runner, state, None)
    meetings = LiveMeetings()
    meetings.add(live)
    port = FakePort(manage_messages=False)
    crosstalk = CrosstalkService(
        port,
        meetings,
        KEY,
        clock,
        message_content=True,
        values=lambda live: {},
        languages=languages,
    )
    live.state, _ = runner.advance(live.state, clock.now())  # to the sharing
    live.state, _ = runner.raise_hand(live.state, KEY.of(GUILD, CLAIRE), clock.now())

    def post(user_id: int) -> Post:
        return Post(CHANNEL, GUILD, Poster(user_id, False), True, 600 + user_id, "yo también")

    await crosstalk.on_post(post(WREN))
    assert [text for text, _ in port.posted] == [
        "Un recordatorio amable: dejemos la palabra a quien está compartiendo. Podrás compartir "
        "cuando sea tu turno."
    ]
    # Asked for by a member: the same words in the channel, still naming nobody; the private
    # answers (a refusal here) are in each member's own language, by the command tree's handler.
    time.now += 60
    reminder = await crosstalk.request(CHANNEL, GUILD, ANA_ID, member=lambda group: True)
    assert await crosstalk.post_requested(CHANNEL, reminder)
    assert port.posted[-1][0] == port.posted[0][0]
    with pytest.raises(NotAllowed) as refused:
        await crosstalk.request(CHANNEL, GUILD, ANA_ID, member=lambda group: True)
    assert refused.value.words("fr").startswith("Un petit rappel est déjà à l'écran")
    assert refused.value.words("es").startswith("Ya hay un recordatorio amable en pantalla")


def test_the_voice_floor_says_what_it_lacks_in_the_groups_language() -> None:
    spanish = missing_words(Room.VOICE, ("mute_members",), "es")
    assert spanish.startswith("No puedo gestionar los turnos de palabra en la voz aquí")
    assert "**Mute Members**" in spanish  # Discord's own name, as its settings show it
    french = missing_words(Room.STAGE, ("mute_members", "move_members"), "fr")
    assert "**Mute Members** et **Move Members**" in french
    assert missing_words(Room.STAGE, ("mute_members",)).startswith("I can't manage the stage")


@pytest.mark.parametrize("locale", ["en", "es", "fr"])
def test_the_forms_fit_discords_limits_in_every_language(locale: str) -> None:
    """A modal's title and a field's label hold at most 45 characters, a placeholder 100."""
    for title, label, placeholder, _ in FORMS.values():
        assert len(render(locale, title)) <= 45
        assert len(render(locale, label)) <= 45
        assert len(render(locale, placeholder)) <= 100
