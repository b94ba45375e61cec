"""Loading a format: bytes or text in, a :class:`CompiledFormat` or a :class:`FormatError` out.

Every problem is collected and reported at once, each as ``file:line:column: message (hint:
…)``. Nothing a file contains can make loading raise anything else: the YAML is composed with
the safe loader only, the file is capped at :data:`MAX_FORMAT_BYTES`, and every stage's errors
are turned into :class:`Problem` values.

Stages: read bytes (size, UTF-8) -> compose YAML with marks (:mod:`yamlsource`) -> check the
version and names -> validate with the pydantic schema (:mod:`schema`), with the declared names
in the context so references are checked in the same pass -> compile (:mod:`compiler`), which
finds the problems that need the whole format at once.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import field, replace
from pathlib import Path as FilePath
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bot.core.formats import schema
from bot.core.formats.checker_words import BOUND_HINT, MESSAGES, NAME_HINT
from bot.core.formats.compiler import compile_format
from bot.core.formats.plan import CompiledFormat
from bot.core.formats.yamlsource import Located, Path, Position, SourceProblem, read_yaml
from bot.core.lazy_dataclasses import lazy_dataclass
from bot.i18n.message import Msg, msg

#: Words of a problem: a message to render in the reader's language, or plain words.
Words = Msg | str

#: Uploaded and shipped formats alike must fit in this many bytes.
MAX_FORMAT_BYTES = 64 * 1024


@lazy_dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int
    message: str
    hint: str = ""
    warning: bool = False  # advice on a format that works (see :mod:`.advice`)
    #: ``message`` and ``hint`` as messages, for the reader's language (``message`` and
    #: ``hint`` are their English words).
    said: Words = field(default="", compare=False, repr=False)
    said_hint: Words = field(default="", compare=False, repr=False)

    def __str__(self) -> str:
        hint = f" (hint: {self.hint})" if self.hint else ""
        kind = "warning: " if self.warning else ""
        return f"{self.file}:{self.line}:{self.column}: {kind}{self.message}{hint}"

    def as_msg(self) -> Msg:
        """The whole line, ``file:line:column: message (hint: …)``, to render in a language."""
        place = f"{self.file}:{self.line}:{self.column}"
        message, hint = self.said or self.message, self.said_hint or self.hint
        if self.warning and hint:
            return msg(
                "{place}: warning: {message} (hint: {hint})",
                place=place,
                message=message,
                hint=hint,
            )
        if self.warning:
            return msg("{place}: warning: {message}", place=place, message=message)
        if hint:
            return msg("{place}: {message} (hint: {hint})", place=place, message=message, hint=hint)
        return msg("{place}: {message}", place=place, message=message)


def problem(file: str, line: int, column: int, message: Words, hint: Words = "") -> Problem:
    """A problem whose words may be messages (their English is kept in ``message``/``hint``)."""
    return Problem(file, line, column, str(message), str(hint), said=message, said_hint=hint)


class FormatError(ValueError):
    """The format cannot be used; ``problems`` lists everything that is wrong with it."""

    def __init__(self, problems: list[Problem], language: str | None = None) -> None:
        self.problems = problems
        #: The file's own ``language:``, when it says one (the checker speaks it).
        self.language = language
        super().__init__("\n".join(str(p) for p in problems))


def load_format_file(path: str | FilePath) -> CompiledFormat:
    """Load a format file; a file that cannot be read is reported like any other problem."""
    return check_format_file(path)[0]


def load_format(source: str | bytes, *, filename: str = "format.yaml") -> CompiledFormat:
    """Validate and compile a format, or raise :class:`FormatError` with every problem found."""
    return check_format(source, filename=filename)[0]


def check_format_file(path: str | FilePath) -> tuple[CompiledFormat, list[Problem]]:
    """:func:`check_format` for a file (a file that cannot be read raises like any problem)."""
    name = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FORMAT_BYTES + 1)
    except OSError as exc:
        reason: Words = exc.strerror or msg("it could not be read")
        raise FormatError(
            [problem(name, 1, 1, msg("cannot open the file: {reason}", reason=reason))]
        ) from None
    return check_format(data, filename=name)


def check_format(
    source: str | bytes, *, filename: str = "format.yaml"
) -> tuple[CompiledFormat, list[Problem]]:
    """Like :func:`load_format`, and also the advice on a format that works: warnings, each
    with its line (see :mod:`.advice`)."""
    collector = _Problems(filename)
    text = _decode(source, collector)
    try:
        located = read_yaml(text)
    except SourceProblem as fatal:
        collector.add_at(fatal.line, fatal.column, fatal.message, fatal.hint)
        raise collector.error() from None
    for problem in located.problems:
        collector.add_at(problem.line, problem.column, problem.message, problem.hint)
    collector.located = located
    collector.text = text
    spec = _validate(located, collector)
    if spec is None or collector.problems:
        raise collector.error()
    advice = _Problems(filename)
    advice.located, advice.text = collector.located, text
    plan = compile_format(spec, collector.add, advice.add)
    if collector.problems:
        raise collector.error()
    warnings = [replace(p, warning=True) for p in advice.error().problems]
    return plan, warnings


class _Problems:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[Problem] = []
        self.located = Located(None)
        self.text = ""

    def add_at(self, line: int, column: int, message: Words, hint: Words = "") -> None:
        found = problem(self.filename, line, column, message, hint)
        if found not in self.problems:
            self.problems.append(found)

    def add(self, path: Path, message: Words, hint: Words = "", *, at_value: bool = False) -> None:
        """A problem with the key (or, ``at_value``, the value) at ``path``, or its parent."""
        where = self.position(path, at_value=at_value)
        self.add_at(where.line, where.column, message, hint)

    def position(self, path: Path, *, at_value: bool = False) -> Position:
        values, keys = self.located.values, self.located.keys
        if at_value and path in values:
            return values[path]
        first, second = (values, keys) if at_value else (keys, values)
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if prefix in first:
                return first[prefix]
            if prefix in second:
                return second[prefix]
        return Position(1, 1)

    def text_value(self, path: Path) -> str:
        value = _at(self.located.data, path)
        return value if isinstance(value, str) else ""

    def indent(self, line: int) -> int:
        lines = self.text.splitlines()
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        return len(text) - len(text.lstrip(" "))

    def error(self) -> FormatError:
        data = self.located.data
        language = data.get("language") if isinstance(data, dict) else None
        return FormatError(
            sorted(self.problems, key=lambda p: (p.line, p.column)),
            language if isinstance(language, str) else None,
        )


def _decode(source: str | bytes, collector: _Problems) -> str:
    if isinstance(source, str):
        try:
            size = len(source.encode("utf-8"))
        except UnicodeEncodeError:
            collector.add_at(
                1, 1, msg("the text contains characters that are not valid"), msg("retype it")
            )
            raise collector.error() from None
    else:
        size = len(source)
    if size > MAX_FORMAT_BYTES:
        collector.add_at(
            1,
            1,
            msg(
                "the file is {size} KiB, and a format can be at most {most} KiB",
                size=size // 1024,
                most=MAX_FORMAT_BYTES // 1024,
            ),
            msg("shorten the texts, or leave out readings the group can link to instead"),
        )
        raise collector.error()
    if isinstance(source, str):
        return source.removeprefix("\ufeff")
    try:
        return source.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = source.count(b"\n", 0, exc.start) + 1
        column = exc.start - (source.rfind(b"\n", 0, exc.start) + 1) + 1
        collector.add_at(
            line,
            column,
            msg("the file is not UTF-8 text"),
            msg("save it as UTF-8 (most editors offer this under 'Save as' or 'Encoding')"),
        )
        raise collector.error() from None


_NAMED_PARTS = ("texts", "roles", "switches", "guidelines", "modes", "declarations")


def _validate(located: Located, collector: _Problems) -> schema.FormatSpec | None:
    data = located.data
    if not isinstance(data, dict):
        collector.add_at(
            1,
            1,
            msg("a format is a list of keys such as format:, name: and sections:"),
            msg("see the guide"),
        )
        return None
    if "format" not in data:
        collector.add_at(
            1, 1, msg("the file does not say which format version it uses"), msg("add  format: 1")
        )
    elif data["format"] != 1 or isinstance(data["format"], bool):
        collector.add(
            ("format",),
            msg(
                "this file says format: {version}, but the bot reads format: 1",
                version=repr(data["format"]),
            ),
            msg("write  format: 1"),
        )
    for part in _NAMED_PARTS:
        for name in data.get(part) or {} if isinstance(data.get(part), dict) else {}:
            if not schema.NAME_PATTERN.match(name):
                collector.add(
                    (part, name),
                    msg("'{name}' cannot be a name", name=name),
                    NAME_HINT,
                )
    names = schema.Names(
        texts=_keys(data.get("texts")),
        roles=_keys(data.get("roles")) | {"chair"},
        switches=_keys(data.get("switches")),
    )
    try:
        return schema.FormatSpec.model_validate(data, context=names)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            _report_validation_error(error, collector)
        return None
    except RecursionError:
        collector.add_at(1, 1, msg("the file is nested far too deeply"), msg("simplify it"))
        return None


def _keys(value: Any) -> frozenset[str]:
    return frozenset(value) if isinstance(value, dict) else frozenset()


def _report_validation_error(error: ErrorDetails, collector: _Problems) -> None:
    loc = error["loc"]
    kind = error["type"]
    ctx = error.get("ctx") or {}
    path, written = _path_of(loc, collector.located)
    message: Words
    hint: Words
    if kind == "format":
        message = _words(ctx.get("message", error["msg"]))
        hint = _words(ctx.get("hint", ""))
        if "offset" in ctx and written:
            for offset, text, advice in [(ctx["offset"], message, hint), *ctx.get("more", [])]:
                where = _offset_position(collector, path, int(offset))
                collector.add_at(where.line, where.column, _words(text), _words(advice))
        else:
            collector.add(path, message, hint, at_value=written)
        return
    key = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        hint = schema.suggestion(key, allowed) if allowed else msg("remove it")
        collector.add(path, msg("unknown key '{key}'", key=key), hint)
        return
    if kind == "missing":
        collector.add(path, msg("'{key}' is missing here", key=key), msg("add  {key}: …", key=key))
        return
    value = error.get("input")
    shown = _shown(value)
    said = MESSAGES.get(kind)
    hint = said[1] if said else ""
    message = msg(said[0].msgid, value=shown) if said else ""
    if kind in {"enum", "literal_error"}:
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        message = msg("{value} is not one of the choices here", value=shown)
        hint = schema.suggestion(str(value), frozenset(choices)) if choices else ""
    elif kind == "string_pattern_mismatch":
        message, hint = msg("{value} cannot be a name", value=shown), NAME_HINT
    elif kind == "less_than_equal" and "le" in ctx:
        message = msg("{value} is too big here: at most {most}", value=shown, most=str(ctx["le"]))
        hint = BOUND_HINT
    elif kind == "greater_than_equal" and "ge" in ctx:
        message = msg(
            "{value} is too small here: at least {least}", value=shown, least=str(ctx["ge"])
        )
        hint = BOUND_HINT
    elif kind == "too_long" and "max_length" in ctx:
        message = msg("this list is too long: at most {most} items", most=ctx["max_length"])
    elif not message:
        message = error["msg"][0].lower() + error["msg"][1:]  # pydantic's own (English) words
    # The group's own text is a value of the message, never part of its template.
    collector.add(path, message, _words(hint), at_value=True)


def _words(value: object) -> Words:
    return value if isinstance(value, Msg) else str(value)


def _shown(value: object) -> str:
    text = f"'{value}'" if isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _path_of(loc: tuple[int | str, ...], located: Located) -> tuple[Path, bool]:
    """The written path for a pydantic ``loc``, and whether it was written in the file.

    Union tags and validator names in ``loc`` are skipped. So is a field of a shorthand: in
    ``closing: Thank you.`` the error for ``texts.closing.text`` belongs to the written words.
    """
    path: Path = ()
    written = True
    for element in loc:
        if element == "[key]":
            continue
        candidate = (*path, element)
        if candidate in located.values or candidate in located.keys:
            path = candidate
        elif _is_tag(element) or _is_shorthand(located, path, written):
            continue
        else:
            # Not written in the file (a missing key): keep its name for the message.
            path = candidate
            written = False
    return path, written


def _is_tag(element: int | str) -> bool:
    return isinstance(element, str) and element.startswith(schema.TAG_PREFIX)


def _is_shorthand(located: Located, path: Path, written: bool) -> bool:
    """Whether ``path`` holds a plain value standing for a whole mapping (a shorthand)."""
    return written and path in located.values and not isinstance(_at(located.data, path), dict)


def _at(data: Any, path: Path) -> Any:
    try:
        for element in path:
            data = data[element]
    except (KeyError, IndexError, TypeError):
        return None
    return data


def _offset_position(collector: _Problems, path: Path, offset: int) -> Position:
    """Where character ``offset`` of the text at ``path`` is in the file, when we can tell."""
    where = collector.located.values.get(path)
    if where is None:
        return collector.position(path)
    if where.style == "|":
        lines_before = collector.text_value(path)[:offset].count("\n")
        line_start = collector.text_value(path).rfind("\n", 0, offset) + 1
        file_line = where.line + 1 + lines_before
        indent = collector.indent(file_line)
        return Position(file_line, indent + offset - line_start + 1)
    if where.style in {None, "'", '"'} and "\n" not in collector.text_value(path)[:offset]:
        return Position(where.line, where.column + offset + (0 if where.style is None else 1))
    return where


def _allowed_keys(loc: tuple[int | str, ...]) -> frozenset[str]:
    """The keys the model at ``loc`` accepts, for "did you mean" (empty if unknown)."""
    current: Any = schema.FormatSpec
    for element in loc:
        current = _step(current, element)
        if current is None:
            return frozenset()
    model = _model_in(current)
    if model is None:
        return frozenset()
    return frozenset(field.alias or name for name, field in model.model_fields.items())


def _model_in(annotation: Any) -> type[BaseModel] | None:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation) if _is_union(annotation) else ():
        if (model := _model_in(arg)) is not None:
            return model
    return None


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _step(annotation: Any, element: int | str) -> Any:
    annotation = _unwrap(annotation)
    if isinstance(element, str) and element.startswith(schema.TAG_PREFIX):
        return schema.SECTION_MODELS.get(element.removeprefix(schema.TAG_PREFIX))
    if _is_union(annotation):
        for arg in typing.get_args(annotation):
            if (found := _step(arg, element)) is not None:
                return found
        return None
    origin = typing.get_origin(annotation)
    if origin in (list, tuple) and isinstance(element, int):
        return typing.get_args(annotation)[0]
    if origin is dict:
        return typing.get_args(annotation)[1]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, field in annotation.model_fields.items():
            if element in {name, field.alias}:
                return field.annotation
    return None
