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
from dataclasses import dataclass, replace
from pathlib import Path as FilePath
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bot.core.formats import schema
from bot.core.formats.compiler import compile_format
from bot.core.formats.plan import CompiledFormat
from bot.core.formats.yamlsource import Located, Path, Position, SourceProblem, read_yaml

#: Uploaded and shipped formats alike must fit in this many bytes.
MAX_FORMAT_BYTES = 64 * 1024


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int
    message: str
    hint: str = ""
    warning: bool = False  # advice on a format that works (see :mod:`.advice`)

    def __str__(self) -> str:
        hint = f" (hint: {self.hint})" if self.hint else ""
        kind = "warning: " if self.warning else ""
        return f"{self.file}:{self.line}:{self.column}: {kind}{self.message}{hint}"


class FormatError(ValueError):
    """The format cannot be used; ``problems`` lists everything that is wrong with it."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
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
        reason = exc.strerror or "it could not be read"
        raise FormatError([Problem(name, 1, 1, f"cannot open the file: {reason}")]) from None
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

    def add_at(self, line: int, column: int, message: str, hint: str = "") -> None:
        problem = Problem(self.filename, line, column, message, hint)
        if problem not in self.problems:
            self.problems.append(problem)

    def add(self, path: Path, message: str, hint: str = "", *, at_value: bool = False) -> None:
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
        return FormatError(sorted(self.problems, key=lambda p: (p.line, p.column)))


def _decode(source: str | bytes, collector: _Problems) -> str:
    if isinstance(source, str):
        try:
            size = len(source.encode("utf-8"))
        except UnicodeEncodeError:
            collector.add_at(1, 1, "the text contains characters that are not valid", "retype it")
            raise collector.error() from None
    else:
        size = len(source)
    if size > MAX_FORMAT_BYTES:
        collector.add_at(
            1,
            1,
            f"the file is {size // 1024} KiB, and a format can be at most "
            f"{MAX_FORMAT_BYTES // 1024} KiB",
            "shorten the texts, or leave out readings the group can link to instead",
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
            "the file is not UTF-8 text",
            "save it as UTF-8 (most editors offer this under 'Save as' or 'Encoding')",
        )
        raise collector.error() from None


_NAMED_PARTS = ("texts", "roles", "switches", "guidelines", "modes", "declarations")


def _validate(located: Located, collector: _Problems) -> schema.FormatSpec | None:
    data = located.data
    if not isinstance(data, dict):
        collector.add_at(
            1, 1, "a format is a list of keys such as format:, name: and sections:", "see the guide"
        )
        return None
    if "format" not in data:
        collector.add_at(
            1, 1, "the file does not say which format version it uses", "add  format: 1"
        )
    elif data["format"] != 1 or isinstance(data["format"], bool):
        collector.add(
            ("format",),
            f"this file says format: {data['format']!r}, but the bot reads format: 1",
            "write  format: 1",
        )
    for part in _NAMED_PARTS:
        for name in data.get(part) or {} if isinstance(data.get(part), dict) else {}:
            if not schema.NAME_PATTERN.match(name):
                collector.add(
                    (part, name),
                    f"'{name}' cannot be a name",
                    "use lowercase letters, digits and hyphens, like opening-words",
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
        collector.add_at(1, 1, "the file is nested far too deeply", "simplify it")
        return None


def _keys(value: Any) -> frozenset[str]:
    return frozenset(value) if isinstance(value, dict) else frozenset()


def _report_validation_error(error: ErrorDetails, collector: _Problems) -> None:
    loc = error["loc"]
    kind = error["type"]
    ctx = error.get("ctx") or {}
    path, written = _path_of(loc, collector.located)
    if kind == "format":
        message, hint = str(ctx.get("message", error["msg"])), str(ctx.get("hint", ""))
        if "offset" in ctx and written:
            for offset, text, advice in [(ctx["offset"], message, hint), *ctx.get("more", [])]:
                where = _offset_position(collector, path, int(offset))
                collector.add_at(where.line, where.column, str(text), str(advice))
        else:
            collector.add(path, message, hint, at_value=written)
        return
    key = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        hint = schema.suggestion(key, allowed) if allowed else "remove it"
        collector.add(path, f"unknown key '{key}'", hint)
        return
    if kind == "missing":
        collector.add(path, f"'{key}' is missing here", f"add  {key}: …")
        return
    value = error.get("input")
    shown = _shown(value)
    message, hint = _MESSAGES.get(kind, ("", ""))
    if kind in {"enum", "literal_error"}:
        choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        message = "{value} is not one of the choices here"
        hint = schema.suggestion(str(value), frozenset(choices)) if choices else ""
    elif kind == "string_pattern_mismatch":
        message = "{value} cannot be a name"
        hint = "use lowercase letters, digits and hyphens, like opening-words"
    elif kind == "less_than_equal" and "le" in ctx:
        message, hint = "{value} is too big here: at most " + str(ctx["le"]), _BOUND_HINT
    elif kind == "greater_than_equal" and "ge" in ctx:
        message, hint = "{value} is too small here: at least " + str(ctx["ge"]), _BOUND_HINT
    elif kind == "too_long" and "max_length" in ctx:
        message = f"this list is too long: at most {ctx['max_length']} items"
    elif not message:
        message = error["msg"][0].lower() + error["msg"][1:]
    # The template comes from _MESSAGES; the value is the group's own text, so it is put in
    # with replace(), never format(), which would read braces in it as fields.
    collector.add(path, message.replace("{value}", shown), hint, at_value=True)


_BOUND_HINT = "the guide lists each key's limits"

_MESSAGES: dict[str, tuple[str, str]] = {
    "string_type": ("expected words here, not {value}", "put the words in quotes"),
    "bool_type": ("expected yes or no here, not {value}", "write true or false"),
    "bool_parsing": ("expected yes or no here, not {value}", "write true or false"),
    "int_type": ("expected a whole number here, not {value}", "write a number like 4"),
    "int_parsing": ("expected a whole number here, not {value}", "write a number like 4"),
    "int_from_float": ("expected a whole number here, not {value}", "write a number like 4"),
    "dict_type": ("expected keys here (lines like  key: value)", "indent them under this key"),
    "model_type": ("expected keys here (lines like  key: value)", "indent them under this key"),
    "model_attributes_type": (
        "expected keys here (lines like  key: value)",
        "indent them under this key",
    ),
    "list_type": ("expected a list here", "start each item on its own line with '- '"),
    "too_short": ("this list is too short", "add at least one item"),
    "too_long": ("this is too long", "shorten it"),
    "string_too_long": ("these words are too long", "shorten them, or split them in two"),
    "string_too_short": ("these words are empty", "write something here"),
    "greater_than_equal": ("{value} is too small here", "use a bigger number"),
    "less_than_equal": ("{value} is too big here", "use a smaller number"),
}


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
