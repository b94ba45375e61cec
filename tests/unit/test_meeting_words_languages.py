"""The meeting's channel words in the group's language (bot/adapters/meeting_words.py,
meeting_said.py, meeting_time_words.py, room_words.py, bot/ui/meeting_panel.py): a French
group's panel, its buttons and its moments in French; the format's built-in words (default
headings, time notes) in the group's language while the format's own words stay as written;
English unchanged; a refusal of the meeting's time actions in the member's language."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.adapters import meeting_said as said
from bot.adapters import meeting_words as words
from bot.adapters import room_words as rw
from bot.core.formats.plan import SectionKind, Who, WhoKind
from bot.core.formats.sharing import AtLimit
from bot.core.meeting import effects as fx
from bot.core.meeting.countdown import TimeRefusal
from bot.core.meeting.time_effects import LateChoice
from bot.core.resources import CLOSING_LINE
from bot.errors import NotAllowed
from bot.i18n import render
from bot.runtime.meetings.timing import REFUSED
from bot.ui import meeting_panel
from bot.ui.raid_lock import lock_button
from tests.unit.test_crosstalk_runtime import live_meeting

LATER = datetime(2025, 3, 4, 19, 20, tzinfo=UTC)
WHEN = f"<t:{int(LATER.timestamp())}:R>"


def labels(locale: str) -> list[str]:
    view = meeting_panel.panel_view(live_meeting(), lambda who: "Sam", locale=locale)
    items = [getattr(child, "item", child) for child in view.children]
    return [str(getattr(item, "label", None) or getattr(item, "placeholder", "")) for item in items]


def test_the_panels_buttons_are_in_the_groups_language() -> None:
    french = labels("fr")
    assert french[:4] == ["Lever la main", "Baisser la main", "Je passe", "J'ai fini de partager"]
    assert "Pause et verrouillage" in french
    assert "Suivant (animation)" in french
    english = labels("en")
    assert english[:4] == ["Raise hand", "Lower hand", "Pass", "Done sharing"]
    assert "Pause and lock" in english
    assert "+2 min" in english


def test_moments_of_a_french_meeting() -> None:
    assert rw.given_words(fx.GivenBy.QUEUE, "<@1>", locale="fr") == "<@1>, vous avez la parole."
    assert rw.free_words(fx.FloorWaits.HANDS, locale="fr") == (
        "La parole est ouverte — appuyez sur **Lever la main** si vous souhaitez partager."
    )
    assert words.quiet_words(SectionKind.BREAK, LATER, bell=False, locale="fr") == (
        f"Faisons une courte pause. Nous reprenons {WHEN}."
    )
    assert words.section_heading("Sharing", chair="Sam", ends_at=LATER, locale="es") == (
        f"**Sharing**, con Sam · termina {WHEN}"  # the title is given already shown
    )
    heading, _ = words.section_begins(
        live_meeting().plan,
        fx.PostSection(0, SectionKind.SAY, "From the chair", Who(WhoKind.EVERYONE), (), None),
        lambda role: (),
        "Sam",
        locale="fr",
    )
    assert heading == "**De la part de la personne qui anime** — tous ensemble"
    assert said.floor_given("es", fx.GivenBy.QUEUE, None, LATER, True) == (
        f"La siguiente persona, tienes la palabra. Tu tiempo termina {WHEN}."
    )
    assert render("fr", said.TIME_UP[AtLimit.NEXT]) == (
        "Merci — le temps est écoulé. Nous passons à la personne suivante."
    )


def test_counted_words_follow_the_languages_plural_rules() -> None:
    assert words.span("es", 90) == "1 minuto y 30 segundos"
    assert words.span("fr", 120) == "2 minutes"
    assert words.span("en", 90) == "1 minute 30 seconds"  # as bot.core.formats.timing says it
    assert words.about("fr", 30) == "moins d'une minute"
    cleared = rw.room_words(fx.HandsCleared(0, 2), locale="es") or ""
    assert cleared.startswith("Esta parte ha terminado, así que he bajado las manos")


def test_the_formats_built_in_words_in_the_groups_language_and_its_own_as_written() -> None:
    assert said.built_in("es", "About a minute left — no rush, just so you know.") == (
        "Queda más o menos un minuto; sin prisa, solo para que lo sepas."
    )
    assert said.built_in("fr", "About 2 minutes left in our meeting.") == (
        "Il reste environ 2 minutes à notre réunion."
    )
    own = "Un minuto más, con calma."
    assert said.built_in("es", own) == own
    english = "About a minute left — no rush, just so you know."
    assert said.built_in("en", english) == english
    assert words.shown_title("es", "Closing") == "Cierre"
    assert words.shown_title("es", "Nuestra lectura") == "Nuestra lectura"
    values = said.local_values(
        "es", {"weekday": "Tuesday", "date": "4 March", "share_limit": "3 minutes"}, LATER
    )
    assert values == {"weekday": "martes", "date": "4 de marzo", "share_limit": "3 minutos"}


def test_english_stays_as_it_was() -> None:
    live = live_meeting()
    ended = words.ended_words(
        live, fx.MeetingEnded(counted=False, reached_closing=True, too_short=True)
    )
    assert ended.splitlines()[1] == CLOSING_LINE  # the same words as /resources' close line
    assert ended.splitlines()[2].startswith(
        "This meeting doesn't count toward the group's meetings held, because it ran for less "
        "than 15 minutes."
    )
    assert lock_button(1, row=1).item.label == "Pause and lock"
    assert lock_button(1, row=1, locale="es").item.label != "Pause and lock"
    assert words.late_label(LateChoice.SKIP, None, 0) == "Leave it out today"


def test_a_time_refusal_is_said_in_the_members_language() -> None:
    refused = NotAllowed(REFUSED[TimeRefusal.MOVED_ON])
    assert refused.user_message == "We've already moved on from that part, so nothing changed."
    assert refused.words("fr") == "Nous avons déjà quitté cette partie, rien n'a donc changé."
    assert refused.words("es") == "Ya hemos pasado de esa parte, así que no ha cambiado nada."


def test_a_closing_in_another_language_is_counted_in_it() -> None:
    live = live_meeting()
    ended = words.ended_words(
        live, fx.MeetingEnded(counted=False, reached_closing=True, too_few=True), locale="fr"
    )
    assert ended.splitlines()[0].startswith("Cette réunion est terminée.")
    assert "moins de 3 membres y ont pris part" in ended.splitlines()[2]
