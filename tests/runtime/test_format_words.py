"""/format's words in the member's language: an upload's problems, the preview and the outline
(FormatLibrary on a real database; the cog's page helpers)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.formats import load_builtin_format
from bot.errors import InvalidInput
from bot.runtime.formats import FormatLibrary, FormatProblems
from bot.store import Store
from cogs.formats import outline_lines, paginate, preview_text

GUILD, CHANNEL = 8101, 8102
BAD = b"format: 1\nname: Mala\nlanguage: es\nsections:\n  - sya: Hola.\n"


@pytest.fixture
async def library(tmp_path: Path) -> AsyncIterator[FormatLibrary]:
    store = Store(tmp_path / "db.sqlite3")
    await store.open()
    group = await store.groups.create(
        guild_id=GUILD, channel_id=CHANNEL, format_id="open-discussion", member_role_id=None, now=0
    )
    assert group is not None
    yield FormatLibrary(store)
    await store.close()


async def test_an_uploads_problems_are_shown_in_the_members_language(
    library: FormatLibrary,
) -> None:
    with pytest.raises(FormatProblems) as caught:
        await library.upload(CHANNEL, "mala.yaml", len(BAD), BAD, 0.0)
    english = caught.value.user_message
    assert english.startswith("That format has some problems, so I didn't save it.")
    assert "mala.yaml:5:5: this section does not say what kind it is" in english
    french = caught.value.words("fr")
    assert french.startswith("Ce format a quelques problèmes, je ne l'ai donc pas enregistré.")
    assert "• mala.yaml:5:5 : cette section ne dit pas de quel type elle est" in french
    assert "(piste : vouliez-vous dire « say » ?)" in french
    spanish = caught.value.words("es")
    assert "esta sección no dice de qué tipo es (pista: ¿quisiste decir 'say'?)" in spanish


async def test_refusals_are_messages(library: FormatLibrary) -> None:
    with pytest.raises(InvalidInput) as caught:
        await library.upload(CHANNEL, "notes.txt", 10, b"format: 1\n", 0.0)
    assert caught.value.words("es").startswith("Sube el formato como un archivo `.yaml`")
    with pytest.raises(InvalidInput) as unknown:
        library.builtin("nope")
    assert unknown.value.words("fr") == "Je ne connais pas de format appelé `nope`."


def test_the_preview_and_outline_speak_the_readers_language() -> None:
    plan = load_builtin_format("circulo-de-turnos")
    preview = "\n".join(preview_text(plan, "es"))
    assert "Quién hace qué:" in preview
    assert "  Facilitación — rota en cada reunión (nadie repite hasta que" in preview
    assert "cada compartir hasta 5 minutos" in preview
    assert "Bienvenidos y bienvenidas a Tuesday Evening Circle." in preview
    outline = outline_lines(load_builtin_format("open-discussion"), "fr")
    assert outline[-1] == "Environ 58 minutes en tout."
    assert paginate([], locale="es") == ["(vacío)"]
    english = outline_lines(load_builtin_format("open-discussion"))
    assert english[-1] == "About 58 minutes in all."
