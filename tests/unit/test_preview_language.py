"""The format preview in the reader's language: the preview's own lines (headings, who leads,
when a part runs, each kind's lines) are messages; the format's own words stay as written."""

from __future__ import annotations

from bot.core.formats import load_builtin_format, load_format
from bot.core.formats.describe import preview_lines, preview_said, wrap_lines
from bot.core.formats.headings import heading_said
from bot.i18n import render

BY_THE_SECRETARY = b"""
format: 1
name: Our circle
roles:
  secretary:
    title: Secretary
sections:
  - say: The minutes of last time.
    by: secretary
  - share: Who would like to share?
"""


def preview(format_id: str, locale: str) -> str:
    plan = load_builtin_format(format_id)
    return "\n".join(wrap_lines([render(locale, line) for line in preview_said(plan)], 1000))


def test_the_english_preview_is_as_it_was() -> None:
    said = "\n".join(preview_lines(load_builtin_format("business-meeting")))
    assert "      Only if time allows." in said
    assert "      Members share in turn, round the circle: passing is always fine." in said
    assert "      Agenda:" in said
    assert "           An election for our secretary for 6 months." in said
    assert "the chair closes it." in said


def test_a_spanish_reader_sees_the_preview_in_spanish() -> None:
    said = preview("business-meeting", "es")
    assert "      Solo si hay tiempo." in said
    assert "      Los miembros comparten por turnos, en círculo: pasar siempre está bien." in said
    assert "      Orden del día:" in said
    assert "Una votación queda abierta 2 minutos" in said
    assert "Reading the decisions from the last business meeting" in said  # the format's words
    assert "Only if" not in said
    assert "Members share" not in said


def test_a_french_reader_sees_the_preview_in_french() -> None:
    said = preview("business-meeting", "fr")
    assert "      Seulement si le temps le permet." in said
    assert "      Ordre du jour :" in said
    assert "Les membres partagent à tour de rôle, dans le cercle" in said


def test_a_roles_default_heading_is_one_message() -> None:
    plan = load_format(BY_THE_SECRETARY)
    title = plan.sections[0].title
    assert title == "From the secretary"
    assert render("es", heading_said(title)) == "Palabras de quien hace de secretary"
    assert render("fr", heading_said(title)) == "De la part du ou de la secretary"
    assert heading_said("Our own title") == "Our own title"
    lines = [render("es", line) for line in preview_said(plan)]
    assert any("Palabras de quien hace de secretary (" in line for line in lines)
