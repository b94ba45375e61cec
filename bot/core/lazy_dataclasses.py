"""``@lazy_dataclass``: ``dataclasses.dataclass``, with the class's methods written on first use.

The bot defines close to 300 frozen dataclasses (effects, refusals, states, events), and on
CPython 3.11 ``@dataclass`` compiles each one's methods from source when the module is
imported: about 0.4 ms a class, close to half of what ``python -m bot run`` spends importing
the bot (issue 18, item 4). Most of those classes describe things that happen rarely (a
refusal, a business meeting's election, a concern withdrawn), so a running bot may never build
most of them.

``@lazy_dataclass(...)`` takes exactly ``dataclass``'s options and gives exactly a dataclass,
but runs ``dataclass`` on the class the first time it is needed rather than at import:

- the first instance made (``__init__``), or
- the first look at what makes it a dataclass: ``dataclasses.fields``, ``is_dataclass``,
  ``replace`` (all read ``__dataclass_fields__``), ``__dataclass_params__`` or
  ``__match_args__`` (a ``case Record(x, y)`` pattern), on the class or a subclass.

Until then the class has no instances, so nothing can tell the difference; after, it *is* the
class ``dataclass`` would have made (same ``__init__``, ``__eq__``, ``__hash__``, ``__repr__``,
frozen ``__setattr__``). A class that can't wait is made at once, as ``dataclass`` would:
``slots=True`` (slots change the class itself, so they must be made before anyone holds it),
``init=False``, or a class that writes its own ``__init__``. A mistake in a dataclass's fields
shows on first use rather than at import; ``tests/unit/test_lazy_dataclasses.py`` builds every
dataclass in the bot, so such a mistake still fails the tests.

Type checkers see ``dataclasses.dataclass`` itself."""

from __future__ import annotations

import dataclasses
import threading
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

__all__ = ["lazy_dataclass", "made", "waiting"]

# Re-entrant: making a class makes its lazy bases first. A lock at all because formats are
# compiled and pictures drawn on worker threads (``bot/runtime/formats.py``, ``bot.pictures``),
# which may be the first to use a class, or use it while the event loop's thread makes it.
_making = threading.RLock()
_waiting: set[type] = set()

# What dataclass() writes on a class that someone may read on the class before any instance.
_LOOKED_AT = ("__dataclass_fields__", "__dataclass_params__", "__match_args__")
# The stand-ins a waiting class holds until it is made.
_STAND_INS = ("__init__", *_LOOKED_AT)
# What each class has of its own (its instances' __dict__ and weak references).
_OWN = ("__dict__", "__weakref__")


def _make(cls: type, options: dict[str, Any]) -> None:
    """Run ``dataclass`` for ``cls`` (once; the first caller wins, others find it done).

    ``dataclass`` runs on a twin of the class (the same bases and body, without the stand-ins),
    and what it wrote is then moved onto ``cls``, the stand-ins replaced last: until then any
    other thread reaching ``cls`` meets a stand-in and waits here, never a half-made class. If
    ``dataclass`` refuses the class, nothing of ``cls`` has changed: it still waits, and every
    use raises the same error."""
    with _making:
        if cls not in _waiting:
            return
        body = {k: v for k, v in cls.__dict__.items() if k not in (*_STAND_INS, *_OWN)}
        twin = type(cls)(cls.__name__, cls.__bases__, dict(body))
        twin.__qualname__ = cls.__qualname__
        dataclasses.dataclass(twin, **options)
        made = {k: v for k, v in twin.__dict__.items() if k not in _OWN}
        for name in body.keys() - made.keys():  # e.g. a default_factory field's class attribute
            delattr(cls, name)
        for name, value in made.items():
            if name not in _STAND_INS and (name not in body or body[name] is not value):
                setattr(cls, name, _rebound(value, twin, cls))
        for name in _STAND_INS:
            if name in made:
                setattr(cls, name, _rebound(made[name], twin, cls))
            else:  # (no __match_args__ with match_args=False)
                delattr(cls, name)
        _waiting.discard(cls)


def _rebound(value: Any, twin: type, cls: type) -> Any:
    """``value``, with the twin class in its closure (a frozen ``__setattr__`` checks whose
    instance it is given) replaced by ``cls``."""
    if not isinstance(value, types.FunctionType) or not value.__closure__:
        return value
    cells = tuple(
        types.CellType(cls) if cell.cell_contents is twin else cell for cell in value.__closure__
    )
    if cells == value.__closure__:
        return value
    again = types.FunctionType(
        value.__code__, value.__globals__, value.__name__, value.__defaults__, cells
    )
    again.__kwdefaults__ = value.__kwdefaults__
    again.__dict__.update(value.__dict__)
    again.__qualname__ = value.__qualname__
    again.__annotations__ = value.__annotations__
    return again


class _OnFirstLook:
    """A class attribute that makes its dataclass when it is read, then reads the real one."""

    def __init__(self, owner: type, name: str, options: dict[str, Any]) -> None:
        self.owner, self.name, self.options = owner, name, options

    def __get__(self, instance: object, cls: type | None = None) -> Any:
        _make(self.owner, self.options)
        # The real attribute now sits where this stood (on the class, or on the one it
        # inherits it from); read it as the caller would have.
        return getattr(cls if instance is None else instance, self.name)


def _first_init(owner: type, options: dict[str, Any]) -> Callable[..., None]:
    def __init__(self: object, *args: Any, **kwargs: Any) -> None:
        _make(owner, options)
        owner.__init__(self, *args, **kwargs)  # type: ignore[misc]  # the made __init__

    __init__.__qualname__ = f"{owner.__qualname__}.__init__"
    return __init__


def _lazy(cls: type, **options: Any) -> type:
    if (
        options.get("slots")
        or not options.get("init", True)
        or any(name in cls.__dict__ for name in _STAND_INS)
    ):
        return dataclasses.dataclass(cls, **options)
    with _making:
        _waiting.add(cls)
        cls.__init__ = _first_init(cls, options)  # type: ignore[misc]
        for name in _LOOKED_AT:
            setattr(cls, name, _OnFirstLook(cls, name, options))
    return cls


def _lazy_dataclass(cls: type | None = None, /, **options: Any) -> Any:
    if cls is None:
        return lambda c: _lazy(c, **options)
    return _lazy(cls, **options)


def waiting() -> frozenset[type]:
    """The lazy dataclasses not made yet (for tests and start-up figures)."""
    with _making:
        return frozenset(_waiting)


def made(cls: type) -> type:
    """Make ``cls`` now if it is a lazy dataclass still waiting; returns it."""
    if cls in waiting():
        getattr(cls, "__dataclass_fields__")  # noqa: B009 - makes it (its lazy bases first)
    return cls


if TYPE_CHECKING:
    from dataclasses import dataclass as lazy_dataclass
else:
    lazy_dataclass = _lazy_dataclass
