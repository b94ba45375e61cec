"""Every word a member reads goes through the catalogue (docs/translating.md).

The code is parsed (not run) and a string literal with words in it fails the test where it is
handed straight to Discord — ``send``, ``send_message``, ``reply``, ``edit``,
``edit_message``, ``edit_original_response``, a followup, a direct message, ``reply_privately``,
a ``content=``, ``label=`` or ``placeholder=``, an embed's ``title=``/``description=`` — or to
one of the project's errors (bot/errors.py and its subclasses). Converted code hands them
``t(locale, "…")``, ``tn(…)`` or ``msg("…")`` instead.

Modules not converted yet are listed in :data:`NOT_YET_CONVERTED`; converting one means taking
its line off the list (a test fails while a listed module has nothing left to convert).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import bot.errors
import bot.wiring
from bot.errors import PeerCircleError

ROOT = Path(__file__).parents[2]
SOURCES = sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "cogs").rglob("*.py")])

#: Modules whose words are not in the catalogue yet, by the area that converts them. Every area
#: is converted (issue 16): a module added here later must come off again once converted.
NOT_YET_CONVERTED: set[str] = set()

SENDS = {
    "send",
    "send_message",
    "reply",
    "edit",
    "edit_message",
    "edit_original_response",
    "reply_privately",
    "post_quietly",
}
WORD_KEYWORDS = {"content", "label", "placeholder"}
EMBED_KEYWORDS = {"title", "description"}


def _error_names() -> set[str]:
    found: set[str] = set()
    pending: list[type[PeerCircleError]] = [PeerCircleError]
    while pending:
        kind = pending.pop()
        found.add(kind.__name__)
        pending += kind.__subclasses__()
    return found | {name for name in dir(bot.errors) if name[0].isupper()}


ERRORS = _error_names()


def has_words(node: ast.AST | None, constants: frozenset[str] = frozenset()) -> bool:
    """A string literal with letters in it: ``"…"``, ``f"… {x}"``, ``"…" + x``, ``"…" % x``,
    ``"…".format(…)``, either branch of ``a if c else b``, or the name of a module-level
    constant that is one (``NOT_IN_SERVER = "…"``)."""
    if isinstance(node, ast.Name):
        return node.id in constants
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and any(c.isalpha() for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(has_words(part) for part in node.values if isinstance(part, ast.Constant))
    if isinstance(node, ast.BinOp):
        return has_words(node.left, constants) or has_words(node.right, constants)
    if isinstance(node, ast.IfExp):
        return has_words(node.body, constants) or has_words(node.orelse, constants)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format" and has_words(node.func.value)
    return False


def _called(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def bypasses(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, what) for every literal sentence handed to Discord or to an error."""
    constants = frozenset(
        target.id
        for statement in getattr(tree, "body", [])
        if isinstance(statement, ast.Assign) and has_words(statement.value)
        for target in statement.targets
        if isinstance(target, ast.Name)
    )
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _called(node)
        if name in SENDS or name in ERRORS:
            for arg in node.args:
                if has_words(arg, constants):
                    yield node.lineno, f"{name}(…)"
        for keyword in node.keywords:
            wordy = keyword.arg in WORD_KEYWORDS or (
                keyword.arg in EMBED_KEYWORDS and name == "Embed"
            )
            if wordy and has_words(keyword.value, constants):
                yield node.lineno, f"{name}({keyword.arg}=…)"


def _where(source: Path) -> str:
    return source.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("source", SOURCES, ids=_where)
def test_user_facing_words_go_through_the_catalogue(source: Path) -> None:
    if _where(source) in NOT_YET_CONVERTED:
        pytest.skip("not converted yet (NOT_YET_CONVERTED)")
    found = list(bypasses(ast.parse(source.read_text(encoding="utf-8"))))
    assert not found, f"{_where(source)}: words that bypass the catalogue (t/tn/msg): " + ", ".join(
        f"line {line}: {what}" for line, what in found
    )


def test_every_module_is_converted() -> None:
    """Issue 16 converted every area: nothing is waiting for the catalogue."""
    assert not NOT_YET_CONVERTED, sorted(NOT_YET_CONVERTED)


def test_the_list_of_modules_to_convert_only_shrinks() -> None:
    """A listed module with nothing left to convert comes off the list."""
    done = [
        name
        for name in sorted(NOT_YET_CONVERTED)
        if (ROOT / name).exists() and not list(bypasses(ast.parse((ROOT / name).read_text())))
    ]
    missing = [name for name in sorted(NOT_YET_CONVERTED) if not (ROOT / name).exists()]
    assert not done, f"nothing left to convert: take these off NOT_YET_CONVERTED: {done}"
    assert not missing, f"no such module: {missing}"


def test_the_scan_sees_every_form() -> None:
    sample = ast.parse(
        "await i.response.send_message('Hello there')\n"
        "await ch.send(f'Welcome {name}!')\n"
        "raise NotAllowed('You can't do that.')\n".replace("can't", "cannot")
        + "await m.edit(content='Done ' + x)\n"
        "b = Button(label='Raise hand')\n"
        "e = discord.Embed(title='What I keep')\n"
        "raise InvalidInput('Bad {x}'.format(x=1))\n"
        "await reply_privately(i, 'Sorry' if a else t(locale, 'ok'))\n"
        "GONE = 'That message is gone.'\n"
        "await reply_privately(i, GONE)\n"
    )
    assert len(list(bypasses(sample))) == 9
    converted = ast.parse(
        "await i.response.send_message(t(locale, 'Hello there'))\n"
        "raise NotAllowed(msg('You cannot do that.'))\n"
        "await ch.send('\\n'.join(lines))\n"
        "await ch.send(f'{a}\\n{b}')\n"
        "b = Button(label=t(locale, 'Raise hand'))\n"
    )
    assert list(bypasses(converted)) == []
