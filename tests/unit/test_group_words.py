"""/group's words in the reader's language: the welcome posted in the channel (the group's
language), settings and schedule replies (the member's), and the schedule's refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.core.formats import load_builtin_format
from bot.core.schedule.occurrences import Occurrence
from bot.core.schedule.stored import StoredSchedule
from bot.i18n import render
from bot.runtime.groups import GroupView
from bot.runtime.schedule import ScheduleView
from bot.runtime.schedule import texts as schedule_texts
from bot.store.groups import GroupRecord
from cogs.groups import schedule_text, settings_text, welcome_text

GROUP = GroupRecord(1, 10, 20, "open-discussion", None, 3)
VIEW = GroupView(GROUP, load_builtin_format("open-discussion"))


def test_the_english_words_stay_as_they_were() -> None:
    said = settings_text("en", VIEW)
    assert said.startswith("**How this group meets**\nFormat: **")
    assert "Members: anyone who can see this channel\nMeetings held so far: 3" in said
    assert welcome_text("en", VIEW).endswith(
        "• The group can change its format later, by its own decision."
    )


def test_a_spanish_group_is_welcomed_in_spanish_and_a_french_member_reads_french() -> None:
    welcome = welcome_text("es", VIEW)
    assert welcome.startswith("Este canal es ahora el hogar de un grupo")
    assert "`/group settings` muestra cómo se reúne el grupo." in welcome
    settings = settings_text("fr", VIEW)
    assert settings.startswith("**Comment ce groupe se réunit**\nFormat : **")
    assert "Membres : toute personne qui peut voir ce salon" in settings
    assert "Réunions tenues jusqu'ici : 3" in settings


def test_the_schedule_in_the_members_language() -> None:
    stored = StoredSchedule("Tuesdays at 19:00", "Europe/Madrid", ("2026-12-22",))
    at = datetime(2026, 12, 29, 18, tzinfo=UTC)
    view = ScheduleView(GROUP, stored, [Occurrence(at, at, extra=True)], [date(2026, 12, 22)])
    said = schedule_text("es", view)
    assert "**Cuándo se reúne este grupo** (su zona horaria: Europe/Madrid)" in said
    assert "— una reunión extra" in said
    assert "Sin reunión el: martes 22 de diciembre de 2026." in said
    english = schedule_text("en", view)
    assert "No meeting on: Tuesday 22 December 2026." in english
    empty = ScheduleView(GROUP, StoredSchedule(), [], [])
    assert schedule_text("fr", empty).startswith("Ce groupe n'a pas encore d'heure de réunion")
    assert render("fr", schedule_texts.NEEDS_MANAGE_SERVER).startswith("Jusqu'à la première")
