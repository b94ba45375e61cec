"""Due process in the group's language, on a real database: a Spanish group's note, proposal,
notice, ballot and result are all in Spanish (the words the Discord adapter posts, made by
:class:`~bot.runtime.decisions.words.DecisionWords`); a French member's private answers are in
French; and a group changes its language by its own decision (``/propose change language``),
the result already said in the new language."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.decisions import effects as fx
from bot.errors import InvalidInput, NotAllowed
from bot.i18n import available, member_locale, render
from bot.runtime.decisions import texts
from bot.runtime.decisions.language import LANGUAGE, language_choices
from bot.runtime.decisions.outbox import Work
from bot.runtime.decisions.reaching import Place
from bot.runtime.decisions.words import DecisionWords
from bot.runtime.formats import FormatLibrary
from bot.runtime.languages import GroupLanguages
from bot.store import Store
from tests.runtime.test_decisions_service import CHANNEL, GUILD, START, Bench, build
from tests.support.clock import FakeTime

PLACE = Place("sala-serena", "Círculo del Río")
MENTION = "<@9>"
#: English words that would mean a leak into a Spanish message (the format's own words, like a
#: guideline's text, are shown as the group wrote them and are left out of the check).
ENGLISH = (" the ", " you ", "Thank", "Hello", "proposal", "ballot", "voting", " is ", " and ")


@pytest.fixture
async def bench(tmp_path: Path) -> AsyncIterator[Bench]:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    made = await store.groups.create(
        guild_id=GUILD, channel_id=CHANNEL, format_id="open-discussion", member_role_id=None,
        now=START,
    )  # fmt: skip
    assert made is not None
    bench = build(store, FakeTime())
    bench.group = made
    await bench.scheduler.start()
    yield bench
    await bench.scheduler.stop()
    await store.close()


def words_of(bench: Bench) -> tuple[DecisionWords, GroupLanguages]:
    formats = FormatLibrary(bench.store)
    languages = GroupLanguages(store=bench.store, formats=formats)
    repo = bench.store.decisions
    return DecisionWords(repo=repo, formats=formats, languages=languages), languages


async def set_language(bench: Bench, code: str) -> None:
    async with bench.store.decisions.transaction() as t:
        await t.set_setting(bench.group.id, LANGUAGE, code)


def work(bench: Bench, kind: type) -> Work:
    return next(w for w in reversed(bench.discord.done) if isinstance(w.task, kind))


def spanish(text: str, *expected: str, theirs: str = "") -> None:
    for words in expected:
        assert words in text, f"{words!r} not in {text!r}"
    ours = text.replace(theirs, "") if theirs else text
    leaks = [word for word in ENGLISH if word in ours]
    assert not leaks, f"English {leaks} in {text!r}"


async def test_a_spanish_groups_due_process_is_said_in_spanish(bench: Bench) -> None:
    await set_language(bench, "es")
    words, languages = words_of(bench)
    assert await languages.of_group(bench.group) == "es"
    d, service, group = bench.discord, bench.service, bench.group
    ana, bo, cy, di, ed = (d.add(n) for n in range(1, 6))
    target = d.add(9)

    # The kind note, sent on the bot's own: the group's language.
    await service.raise_concern(CHANNEL, ana, target, "crosstalk")
    note = work(bench, fx.SendConcernNote).task
    said = await words.concern_note(group, note.guideline, PLACE)
    guideline = (await words.titles(group, [note.guideline]))[0]
    plan = await FormatLibrary(bench.store).current(group)
    found = plan.guideline(note.guideline)
    assert found is not None
    spanish(
        said,
        "Hola — esta es una nota privada que te llega desde el grupo que se reúne en "
        "#sala-serena en Círculo del Río.",
        f"> **{guideline}** — {found.text}",
        "Cómo funciona aquí",
        theirs=found.text,
    )
    await bench.meeting()
    await service.raise_concern(CHANNEL, bo, target, "sharing-time")

    # The proposal, seconded; the notice to the member; the ballot.
    proposed = await service.propose_exclusion(CHANNEL, cy, target, 1)
    ask = work(bench, fx.AskForSecond)
    assert ask.about is not None
    said = await words.ask_for_second(group, ask.about, ask.task.second_by, MENTION)
    spanish(said, "**Una propuesta para el grupo**", "no participe en la próxima reunión")
    await service.second(proposed.proposal_id, di)
    notice = work(bench, fx.SendNotice).task
    said = await words.notice(group, notice, PLACE)
    spanish(said, "**Dar mi versión**", "dura aproximadamente 24 horas")
    seconded = work(bench, fx.AnnounceSeconded)
    assert seconded.about is not None
    said = await words.seconded(group, seconded.about, seconded.task.ballot_opens, MENTION)
    spanish(said, "— apoyada", "Se le ha avisado en privado")
    await service.give_statement(proposed.proposal_id, target, "Lo siento, escucharé más.")
    await bench.advance(12 * 3600)
    stored = await bench.store.decisions.proposal(proposed.proposal_id)
    assert stored is not None
    said = await words.ballot(group, stored, MENTION)
    spanish(said, "**Votación secreta**", "dos tercios", "> Lo siento, escucharé más.")

    # A member whose Discord is in English hears the group's language; a French one, French.
    group_language = await languages.of_group(group)
    with pytest.raises(NotAllowed) as about_them:
        await service.cast(proposed.proposal_id, target, fx.Choice.YES)
    assert about_them.value.words(member_locale("en-US", group_language)).startswith(
        "Esta votación es sobre ti"
    )
    assert about_them.value.words(member_locale("fr", group_language)).startswith(
        "Ce vote vous concerne"
    )

    for voter in (ana, bo, cy, di, ed):
        await service.cast(proposed.proposal_id, voter, fx.Choice.YES)
    await bench.advance(24 * 3600)
    result = work(bench, fx.AnnounceResult)
    assert result.about is not None
    closed, decided, said = await words.closed(group, result.about, result.task.result)
    spanish(closed, "**Votación secreta** — cerrada")
    spanish(decided, "— decidida")
    spanish(said, "**La votación se ha cerrado.**", "se aprobó (5 sí, 0 no, 0 abstenciones)")
    away = work(bench, fx.SendExclusionNotice).task
    note_words = texts.excluded(PLACE, away.meetings, away.ends_by, away.after_this_meeting)
    spanish(await words.say(group, note_words), "no participes en la próxima reunión")


async def test_a_french_members_private_answers_are_in_french(bench: Bench) -> None:
    d, service = bench.discord, bench.service
    ana, bo = d.add(1), d.add(2)
    outsider = d.add(3, in_group=False)
    locale = member_locale("fr", "en")  # a French member of an English-speaking group
    assert locale == "fr"
    proposed = await service.propose_change(CHANNEL, ana, "voting-hours", "6")
    assert render(locale, texts.proposed(proposed.second_by)).startswith(
        "Merci. J'ai publié la proposition dans le salon sans votre nom."
    )
    with pytest.raises(NotAllowed) as own:
        await service.second(proposed.proposal_id, ana)
    assert own.value.words(locale) == (
        "Une proposition doit être appuyée par un autre membre. Merci de patienter."
    )
    with pytest.raises(NotAllowed) as outside:
        await service.second(proposed.proposal_id, outsider)
    assert outside.value.words(locale).startswith("Seuls les membres de ce groupe")
    seconded = await service.second(proposed.proposal_id, bo)
    thanks = texts.thanks_for_second(seconded.exclusion, seconded.ballot_opens)
    assert render(locale, thanks).startswith("Merci — vous l'avez appuyée.")
    with pytest.raises(InvalidInput) as wrong:
        await service.propose_change(CHANNEL, ana, "quorum", "many")
    assert wrong.value.words(locale).startswith("Indiquez le quorum (nombre minimum")
    assert render(locale, texts.VOTE_THANKS).startswith("Merci — votre vote est enregistré.")
    # The English is unchanged for everyone else.
    assert wrong.value.words("en").startswith("Please give the quorum (fewest votes cast)")


async def test_a_group_changes_its_language_by_secret_ballot(bench: Bench) -> None:
    words, languages = words_of(bench)
    d, service, group = bench.discord, bench.service, bench.group
    people = [d.add(n) for n in range(1, 5)]
    assert await languages.of_group(group) == "en"
    offered = await service.change_choices(CHANNEL)
    assert LANGUAGE in [choice.subject for choice in offered]
    assert {c.code for c in language_choices()} == set(available())  # from the catalogues

    with pytest.raises(InvalidInput, match="I can't speak `klingon` yet"):
        await service.propose_change(CHANNEL, people[0], LANGUAGE, "klingon")
    with pytest.raises(InvalidInput, match="already this group's language"):
        await service.propose_change(CHANNEL, people[0], LANGUAGE, "English")
    proposed = await service.propose_change(CHANNEL, people[0], LANGUAGE, "Español")
    ask = work(bench, fx.AskForSecond)
    assert ask.about is not None
    said = await words.ask_for_second(group, ask.about, ask.task.second_by, None)
    assert "use **Español** (`es`) as the language I speak here" in said  # still English
    await service.second(proposed.proposal_id, people[1])
    await bench.advance(1)
    for person in people[:3]:
        await service.cast(proposed.proposal_id, person, fx.Choice.YES)
    await bench.advance(24 * 3600)

    assert (await bench.store.decisions.settings(group.id))[LANGUAGE] == "es"
    assert await languages.of_group(group) == "es"
    result = work(bench, fx.AnnounceResult)
    assert result.about is not None
    _, _, said = await words.closed(group, result.about, result.task.result)
    assert said.startswith(
        "**La votación se ha cerrado.** La propuesta de que el grupo use **Español** (`es`) "
        "como el idioma en que hablo aquí se aprobó"
    )
    # And back again, by the same path: French is offered too, by its own name.
    again = await service.propose_change(CHANNEL, people[2], LANGUAGE, "fr-FR")
    stored = await bench.store.decisions.proposal(again.proposal_id)
    assert stored is not None
    assert getattr(stored.proposal.motion, "value", None) == "fr"
