"""`python -m bot format check` and `preview` speak the file's `language:`, or `--lang`."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot import formats_cli
from bot.__main__ import main

BAD = "format: 1\nname: Mala\n{language}sections:\n  - sya: Hola.\n  - read: nope\n  - silence: 3\n"


def _bad(tmp_path: Path, language: str | None) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD.format(language=f"language: {language}\n" if language else ""))
    return path


def test_a_spanish_file_is_checked_in_spanish(tmp_path: Path) -> None:
    path = _bad(tmp_path, "es")
    out = io.StringIO()
    assert formats_cli.check([str(path)], out) == 1
    lines = out.getvalue().splitlines()
    assert lines == [
        f"{path}:5:5: esta sección no dice de qué tipo es (pista: ¿quisiste decir 'say'?)",
        f"{path}:6:11: no hay ningún texto llamado 'nope'"
        " (pista: añádelo bajo texts:, como  nope: Tus palabras)",
        f"{path}:7:14: 3 necesita una unidad (pista: escribe 3m para minutos o 3s para segundos)",
    ]


def test_lang_overrides_the_files_language(tmp_path: Path) -> None:
    path = _bad(tmp_path, "es")
    out = io.StringIO()
    assert formats_cli.check([str(path)], out, lang="fr") == 1
    text = out.getvalue()
    assert "cette section ne dit pas de quel type elle est" in text
    assert "(piste : écrivez 3m pour des minutes ou 3s pour des secondes)" in text
    out = io.StringIO()
    assert formats_cli.check([str(path)], out, lang="en") == 1
    assert "this section does not say what kind it is (hint: did you mean 'say'?)" in out.getvalue()


def test_a_file_without_a_language_is_checked_in_english(tmp_path: Path) -> None:
    out = io.StringIO()
    assert formats_cli.check([str(_bad(tmp_path, None))], out) == 1
    assert "'3' needs a unit" in out.getvalue() or "3 needs a unit" in out.getvalue()


def test_a_language_without_a_catalogue_is_checked_in_english(tmp_path: Path) -> None:
    out = io.StringIO()
    assert formats_cli.check([str(_bad(tmp_path, "tlh"))], out) == 1
    assert "this section does not say what kind it is" in out.getvalue()


def test_the_command_line_takes_lang(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = Path(__file__).parents[2] / "formats" / "open-discussion.yaml"
    assert main(["format", "check", "--lang", "fr", str(good)]) == 0
    assert "ok — « Open Discussion », 11 sections, 1 avertissement" in capsys.readouterr().out
    assert main(["format", "preview", "--lang", "es", str(good)]) == 0
    preview = capsys.readouterr().out
    assert "Quién hace qué:" in preview
    assert "Welcome to Tuesday Evening Circle" in preview  # the group's own words, as written
    missing = tmp_path / "missing.yaml"
    assert main(["format", "preview", "--lang", "fr", str(missing)]) == 1
    assert "impossible d'ouvrir le fichier" in capsys.readouterr().out
