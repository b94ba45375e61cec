"""Reading a format's YAML into plain data while remembering where every value was written.

Only PyYAML's safe composer is used: it builds a tree of nodes with line and column marks and
never constructs Python objects. We turn that tree into plain dicts, lists, strings, numbers and
booleans ourselves, so that:

* mapping keys stay the strings the group typed (YAML 1.1 would turn a key ``yes:`` or ``no:``
  into a boolean), and values like ``19:50`` or ``2024-05-01`` stay text instead of becoming a
  base-60 number or a date;
* every key and value's position is recorded by its path (``("sections", 2, "read")``), so a
  validation error anywhere can name the line;
* anchors and aliases (``&name`` / ``*name``), which can make a small file expand enormously,
  are refused, as are duplicate keys and tags.
"""

from __future__ import annotations

import re
from dataclasses import field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.core.lazy_dataclasses import lazy_dataclass
from bot.i18n.message import Msg, msg

Path = tuple[str | int, ...]

#: Deeper than this is surely a mistake (a real format nests five or six levels).
MAX_DEPTH = 30
MAX_NODES = 20_000

_INT = re.compile(r"[-+]?\d+")
_FLOAT = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?")
_TRUE = {"yes", "true", "on", "y"}
_FALSE = {"no", "false", "off", "n"}
_PREFIX = "tag:yaml.org,2002:"


@lazy_dataclass(frozen=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based
    style: str | None = None  # for scalars: None (plain), "'", '"', "|" or ">"


@lazy_dataclass
class Located:
    """Plain data read from YAML, with where each key and value was written."""

    data: Any
    values: dict[Path, Position] = field(default_factory=dict)
    keys: dict[Path, Position] = field(default_factory=dict)
    problems: list[SourceProblem] = field(default_factory=list)  # not fatal: reading went on


class SourceProblem(Exception):
    """The YAML could not be read at all; carries where and why."""

    def __init__(self, line: int, column: int, message: Msg | str, hint: Msg | str) -> None:
        super().__init__(str(message))
        self.line, self.column, self.message, self.hint = line, column, message, hint


def _position(node: Node) -> Position:
    style = node.style if isinstance(node, ScalarNode) else None
    return Position(node.start_mark.line + 1, node.start_mark.column + 1, style)


def read_yaml(text: str) -> Located:
    """Compose ``text`` with the safe loader and convert it; raises :class:`SourceProblem`."""
    try:
        _check_nesting(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = (exc.problem or exc.context or "the YAML could not be read").strip()
        raise SourceProblem(
            line, column, msg("YAML syntax: {problem}", problem=problem), _syntax_hint(problem)
        ) from None
    except yaml.YAMLError as exc:  # a ReaderError: a character YAML does not allow
        position = getattr(exc, "position", 0)
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        raise SourceProblem(
            line,
            column,
            msg("the file contains a character that is not allowed"),
            msg("retype that line"),
        ) from None
    except RecursionError:
        raise SourceProblem(
            1, 1, msg("the file is nested far too deeply"), msg("simplify it")
        ) from None
    if root is None:
        raise SourceProblem(
            1, 1, msg("the file is empty"), msg("start with  format: 1  and  name: …")
        )
    located = Located(None)
    counter = [0]
    located.data = _convert(root, (), located, set(), counter)
    return located


_OPENS = (
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.FlowSequenceStartToken,
)
_CLOSES = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


def _check_nesting(text: str) -> None:
    """Refuse deep nesting before composing: the composer recurses once per level, so a file of
    ``[[[[…`` would otherwise take seconds and fail with no line. Scanning tokens is linear."""
    depth = 0
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(token, _OPENS):
            depth += 1
            if depth > MAX_DEPTH:
                mark = token.start_mark
                raise SourceProblem(
                    mark.line + 1,
                    mark.column + 1,
                    msg("this is nested too deeply"),
                    msg("simplify it"),
                )
        elif isinstance(token, _CLOSES):
            depth -= 1


_COLLECTION_TAGS: dict[type[Node], str] = {
    MappingNode: _PREFIX + "map",
    SequenceNode: _PREFIX + "seq",
}


def _syntax_hint(problem: str) -> Msg:
    if "tab" in problem or r"\t" in problem:
        return msg("indent with spaces, not tabs")
    if "mapping values are not allowed" in problem:
        return msg("put text that contains ': ' in quotes")
    if "could not find expected ':'" in problem:
        return msg("each line needs a key and a colon, like  name: Our meeting")
    if "found character '%'" in problem or "'@'" in problem or "'`'" in problem:
        return msg("put text that starts with this character in quotes")
    return msg("check the indentation and quotes on this line and the one before")


def _convert(node: Node, path: Path, located: Located, seen: set[int], counter: list[int]) -> Any:
    counter[0] += 1
    where = _position(node)
    if counter[0] > MAX_NODES:
        raise SourceProblem(
            where.line, where.column, msg("the file has too many entries"), msg("shorten it")
        )
    if len(path) > MAX_DEPTH:
        raise SourceProblem(
            where.line, where.column, msg("this is nested too deeply"), msg("simplify it")
        )
    if id(node) in seen:
        raise SourceProblem(
            where.line,
            where.column,
            msg("formats do not use YAML anchors and aliases (& and *)"),
            msg("write the value out in full"),
        )
    seen.add(id(node))
    located.values[path] = where
    wanted = _COLLECTION_TAGS.get(type(node))
    if wanted is not None and node.tag != wanted:
        located.problems.append(
            SourceProblem(
                where.line,
                where.column,
                msg("formats do not use YAML tags like {tag}", tag=_short_tag(node.tag)),
                msg("remove it"),
            )
        )
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_where = _position(key_node)
            if not isinstance(key_node, ScalarNode):
                located.problems.append(
                    SourceProblem(
                        key_where.line,
                        key_where.column,
                        msg("a key must be a plain word"),
                        msg("e.g. name:"),
                    )
                )
                continue
            key = key_node.value
            if key in result:
                first = located.keys[(*path, key)]
                located.problems.append(
                    SourceProblem(
                        key_where.line,
                        key_where.column,
                        msg(
                            "'{key}' appears twice here (first on line {line})",
                            key=key,
                            line=first.line,
                        ),
                        msg("keep one of them"),
                    )
                )
                continue
            located.keys[(*path, key)] = key_where
            result[key] = _convert(value_node, (*path, key), located, seen, counter)
        return result
    if isinstance(node, SequenceNode):
        return [
            _convert(item, (*path, index), located, seen, counter)
            for index, item in enumerate(node.value)
        ]
    return _scalar(node, where, located)


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_PREFIX) if tag.startswith(_PREFIX) else tag


def _scalar(node: Node, where: Position, located: Located) -> Any:
    value: str = node.value
    tag: str = node.tag
    if not tag.startswith(_PREFIX):
        located.problems.append(
            SourceProblem(
                where.line,
                where.column,
                msg("formats do not use YAML tags like {tag}", tag=tag),
                msg("remove it"),
            )
        )
        return value
    kind = tag.removeprefix(_PREFIX)
    if kind == "null":
        return None
    if kind == "bool":
        lowered = value.lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else value
    # Long digit strings stay text: int() refuses more than 4,300 digits, and no format needs them.
    if kind == "int" and _INT.fullmatch(value) and len(value) <= 18:
        return int(value)
    if kind == "float" and _FLOAT.fullmatch(value) and len(value) <= 40:
        return float(value)
    if kind not in {"int", "float", "str", "timestamp"}:
        located.problems.append(
            SourceProblem(
                where.line,
                where.column,
                msg("formats do not use YAML tags like {tag}", tag=f"!!{kind}"),
                msg("remove it"),
            )
        )
    return value
