"""A business meeting in the group's language and the member's (docs/translating.md): a
Spanish group's invitation, motion, secret ballot, result and election are posted in Spanish,
with Spanish buttons; what a member is told privately follows their own language (the service
returns it unrendered; the button renders it where the member is known). The ballot's secrecy
is the same in every language: counts only."""

from __future__ import annotations

import pytest

from bot.errors import NotAllowed
from bot.i18n import render
from tests.runtime.test_business_service import ANA, BO, CY, DI, ED, MEMBERS, Bench, bench

__all__ = ["bench"]


async def test_a_spanish_groups_motion_ballot_and_result(bench: Bench) -> None:
    live = await bench.to_business("es")
    _, post = bench.port.last("¿Hay algo que el grupo deba decidir en esta parte?")
    assert [b.label for b in post.buttons] == ["Presentar una moción"]
    thanks = await bench.business.move(live.id, BO, 22, "Propongo que nos reunamos cada semana.")
    assert render("fr", thanks) == (
        "Merci — votre proposition est publiée. Il faut qu'un autre membre la soutienne."
    )
    message, post = bench.port.last("**Una moción** (punto 1 del orden del día):")
    assert post.words.endswith("Necesita el apoyo de otro miembro: pulsa **Apoyar** si la apoyas.")
    assert [b.label for b in post.buttons] == ["Apoyar", "Retirar (quien la presentó)",
                                               "Aplazarla (coordinación)"]  # fmt: skip
    matter = post.buttons[0].matter
    with pytest.raises(NotAllowed) as refused:
        await bench.business.act(matter, BO, 22, "second")
    assert refused.value.words("fr").startswith(
        "Une proposition doit être soutenue par un autre membre"
    )
    assert refused.value.words("es").endswith("No ha cambiado nada.")
    await bench.business.act(matter, CY, 23, "second")
    assert bench.port.last("La moción tiene apoyo. ¡Gracias! Se puede hablar")[1].reply_to == (
        message
    )
    opened = await bench.business.act(matter, ANA, 21, "call")
    assert render("es", opened) == "La votación está abierta."
    ballot, shown = bench.port.last("**Votación secreta: la moción de arriba.**")
    assert [b.label for b in shown.buttons] == [
        "Sí",
        "No",
        "Abstención",
        "Cerrar la votación (coordinación)",
    ]
    assert "Nadie puede ver qué vota cada cual; solo se publican los totales." in shown.words
    for who, choice in zip(MEMBERS, ["yes", "yes", "no", "yes", "abstain"], strict=False):
        voted = await bench.business.act(matter, who, 0, choice)
    assert render("fr", voted).startswith("Merci — votre vote est compté. Il est secret")
    await bench.business.act(matter, ANA, 21, "close")
    assert bench.port.said()[-1] == (
        "**La moción se aprobó** (Sí 3, No 1, Abstenciones 1). Necesitaba la mayoría de los "
        "votos a favor y en contra."
    )
    assert bench.port.buttons(ballot) == []
    assert not any("Yes" in words or "motion" in words for words in bench.port.said())


async def test_a_spanish_groups_election(bench: Bench) -> None:
    live = await bench.to_business("es")
    await bench.next(live)
    assert bench.port.said()[-1] == (
        "Hoy no hay treasurer, así que dejamos «Treasurer's report» para la próxima vez."
    )  # the role and the item are the format's own words, as the group wrote them
    for _ in range(2):
        await bench.next(live)
    election_id, post = bench.port.last("**Elegimos secretary**, durante 6 meses (hasta el ")
    assert "Candidaturas hasta ahora: ninguna todavía." in post.words
    assert [b.label for b in post.buttons] == [
        "Me gustaría servir",
        "Quitar mi nombre",
        "Abrir la votación (coordinación)",
    ]
    election = post.buttons[0].matter
    stood = await bench.business.act(election, CY, 23, "stand")
    assert render("fr", stood) == "Merci de vous présenter. Votre nom est sur la liste."
    await bench.business.act(election, DI, 24, "stand")
    assert "Candidaturas hasta ahora: Cy, Di." in bench.port.posts[election_id].words
    await bench.business.act(election, ANA, 21, "open")
    ballot, shown = bench.port.last("**Votación secreta: secretary.**")
    assert [b.label for b in shown.buttons] == [
        "Cy",
        "Di",
        "Abstención",
        "Cerrar la votación (coordinación)",
    ]
    for who, choice in zip(MEMBERS, ["c1", "c1", "c0", "c1", "abstain", "c1"], strict=True):
        await bench.business.act(election, who, 0, choice)
    await bench.business.act(election, ANA, 21, "close")
    result = bench.port.said()[-1]
    assert result.startswith("**Di será secretary**, durante 6 meses (hasta el ")
    assert " de 20" in result  # "… (hasta el 15 de julio de 2027)": the date in Spanish
    assert result.endswith(
        "Gracias, Di, y gracias a todas las personas que se presentaron. Votos: Cy 1, Di 4; "
        "abstenciones 1."
    )
    assert bench.port.buttons(ballot) == []
    with pytest.raises(NotAllowed) as refused:
        await bench.business.act(election, ED, 25, "stand")
    assert refused.value.words("fr") == (
        "Ceci a déjà été décidé, retiré ou reporté. Rien n'a changé."
    )
