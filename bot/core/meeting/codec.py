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
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if data is None and type(None) in options:
            return None
        others = [option for option in options if option is not type(None)]
        if len(others) != 1:
            raise ValueError(f"unsupported union {hint}")
        return decode(others[0], data)
    if origin is tuple:
        return _decode_tuple(hint, data)
    supertype = getattr(hint, "__supertype__", None)
    if supertype is not None:  # a NewType such as Pseudonym
        return hint(decode(supertype, data))
    if isinstance(hint, type):
        return _decode_type(hint, data)
    raise ValueError(f"unsupported type {hint}")


def _decode_tuple(hint: Any, data: object) -> tuple[Any, ...]:
    if not isinstance(data, list):
        raise ValueError(f"expected a list, found {type(data).__name__}")
    args = typing.get_args(hint)
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(decode(args[0], item) for item in data)
    if len(args) != len(data):
        raise ValueError(f"expected {len(args)} items, found {len(data)}")
    return tuple(decode(arg, item) for arg, item in zip(args, data, strict=True))


def _decode_type(hint: type, data: object) -> Any:
    if dataclasses.is_dataclass(hint):
        return _decode_dataclass(hint, data)
    if issubclass(hint, Enum):
        try:
            return hint(data)
        except ValueError as error:
            raise ValueError(f"{data!r} is not a {hint.__name__}") from error
    if hint is datetime:
        if not isinstance(data, str):
            raise ValueError("expected a time")
        moment = datetime.fromisoformat(data)
        if moment.utcoffset() is None:
            raise ValueError("times must carry their offset")
        return moment
    if hint is bool:
        if not isinstance(data, bool):
            raise ValueError("expected true or false")
        return data
    if hint is int:
        if not isinstance(data, int) or isinstance(data, bool):
            raise ValueError("expected a whole number")
        return data
    if hint is str:
        if not isinstance(data, str):
            raise ValueError("expected a string")
        return data
    raise ValueError(f"unsupported type {hint.__name__}")


def _decode_dataclass(cls: type, data: object) -> Any:
    if not isinstance(data, dict):
        raise ValueError(f"expected an object for {cls.__name__}")
    hints = _hints(cls)
    unknown = set(data) - set(hints)
    if unknown:
        raise ValueError(f"unknown field(s) for {cls.__name__}: {sorted(unknown)}")
    values = {name: decode(hints[name], value) for name, value in data.items()}
    try:
        return cls(**values)
    except TypeError as error:  # a required field is missing
        raise ValueError(str(error)) from error


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in typing.get_type_hints(cls).items() if k in names}
