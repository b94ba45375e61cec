"""JSON for the meeting's frozen dataclasses, driven by their type hints.

Handles exactly what the meeting state is made of: ``bool``, ``int``, ``str`` (and ``NewType``s
of it such as ``Pseudonym``), aware ``datetime`` (ISO 8601 with its offset), ``StrEnum``,
``X | None``, ``tuple[X, ...]``, fixed tuples, and nested frozen dataclasses. Decoding checks
every type and raises ``ValueError`` on anything else, so a damaged row is refused, not guessed.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any

JSONValue = None | bool | int | str | list["JSONValue"] | dict[str, "JSONValue"]


def encode(value: object) -> JSONValue:
    """``value`` as plain JSON data."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, Enum):
        return encode(value.value)
    if isinstance(value, int | str):
        return value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [encode(item) for item in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    raise TypeError(f"cannot encode {type(value).__name__}")


def decode(hint: Any, data: object) -> Any:
    """Build a value of type ``hint`` from JSON data; ``ValueError`` if the data does not fit."""
    return _decoder(hint)(data)


Decoder = Callable[[object], Any]


@functools.cache
def _decoder(hint: Any) -> Decoder:
    """How to decode data of type ``hint``, worked out once per type: a restart reads every
    meeting's state, and each is made of the same few dozen types."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _union_decoder(hint)
    if origin is tuple:
        return _tuple_decoder(hint)
    supertype = getattr(hint, "__supertype__", None)
    if supertype is not None:  # a NewType such as Pseudonym
        inner = _decoder(supertype)
        return lambda data: hint(inner(data))
    if isinstance(hint, type):
        return _type_decoder(hint)
    raise ValueError(f"unsupported type {hint}")


def _union_decoder(hint: Any) -> Decoder:
    options = typing.get_args(hint)
    others = [option for option in options if option is not type(None)]
    if len(others) != 1:
        raise ValueError(f"unsupported union {hint}")
    inner = _decoder(others[0])
    if type(None) not in options:
        return inner
    return lambda data: None if data is None else inner(data)


def _tuple_decoder(hint: Any) -> Decoder:
    args = typing.get_args(hint)
    if len(args) == 2 and args[1] is Ellipsis:
        each = _decoder(args[0])

        def many(data: object) -> tuple[Any, ...]:
            if not isinstance(data, list):
                raise ValueError(f"expected a list, found {type(data).__name__}")
            return tuple(each(item) for item in data)

        return many
    parts = [_decoder(arg) for arg in args]

    def fixed(data: object) -> tuple[Any, ...]:
        if not isinstance(data, list):
            raise ValueError(f"expected a list, found {type(data).__name__}")
        if len(parts) != len(data):
            raise ValueError(f"expected {len(parts)} items, found {len(data)}")
        return tuple(part(item) for part, item in zip(parts, data, strict=True))

    return fixed


def _type_decoder(hint: type) -> Decoder:
    if dataclasses.is_dataclass(hint):
        return _dataclass_decoder(hint)
    if issubclass(hint, Enum):
        enum = hint

        def member(data: object) -> Any:
            try:
                return enum(data)
            except ValueError as error:
                raise ValueError(f"{data!r} is not a {enum.__name__}") from error

        return member
    if hint is datetime:
        return _time
    if hint is bool:
        return _bool
    if hint is int:
        return _int
    if hint is str:
        return _str
    raise ValueError(f"unsupported type {hint.__name__}")


def _time(data: object) -> datetime:
    if not isinstance(data, str):
        raise ValueError("expected a time")
    moment = datetime.fromisoformat(data)
    if moment.utcoffset() is None:
        raise ValueError("times must carry their offset")
    return moment


def _bool(data: object) -> bool:
    if not isinstance(data, bool):
        raise ValueError("expected true or false")
    return data


def _int(data: object) -> int:
    if not isinstance(data, int) or isinstance(data, bool):
        raise ValueError("expected a whole number")
    return data


def _str(data: object) -> str:
    if not isinstance(data, str):
        raise ValueError("expected a string")
    return data


def _dataclass_decoder(cls: type) -> Decoder:
    hints = _hints(cls)
    # Each field's decoder is worked out on first use, so a type that holds itself is fine.
    fields: dict[str, Decoder] = {}

    def build(data: object) -> Any:
        if not isinstance(data, dict):
            raise ValueError(f"expected an object for {cls.__name__}")
        unknown = set(data) - set(hints)
        if unknown:
            raise ValueError(f"unknown field(s) for {cls.__name__}: {sorted(unknown)}")
        values = {}
        for name, value in data.items():
            field = fields.get(name)
            if field is None:
                field = fields[name] = _decoder(hints[name])
            values[name] = field(value)
        try:
            return cls(**values)
        except TypeError as error:  # a required field is missing
            raise ValueError(str(error)) from error

    return build


def _hints(cls: type) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in typing.get_type_hints(cls).items() if k in names}
