"""``@lazy_dataclass`` gives exactly what ``@dataclass`` gives, made on first use (issue 18,
item 4): the same methods and errors, whichever way the class is first reached; and every
dataclass in the bot can be made (a mistake in one's fields would otherwise wait for the first
member to reach it)."""

from __future__ import annotations

import dataclasses
import importlib
import re
import sys
import threading
from dataclasses import FrozenInstanceError, dataclass, field
from pathlib import Path

import pytest

import bot
from bot.core.lazy_dataclasses import lazy_dataclass, made, waiting


def test_a_frozen_one_is_made_by_its_first_instance_and_behaves_as_a_dataclass() -> None:
    @lazy_dataclass(frozen=True)
    class Share:
        who: str
        minutes: int = 3
        tags: tuple[str, ...] = ()

    @dataclass(frozen=True)
    class Eager:
        who: str
        minutes: int = 3
        tags: tuple[str, ...] = ()

    assert Share in waiting()
    one, same, other = Share("a"), Share("a", 3), Share("b", tags=("x",))
    assert Share not in waiting()
    assert one == same
    assert one != other
    assert hash(one) == hash(same)
    assert repr(other).endswith("Share(who='b', minutes=3, tags=('x',))")
    with pytest.raises(FrozenInstanceError):
        one.who = "c"  # type: ignore[misc]
    with pytest.raises(TypeError):
        Share()  # type: ignore[call-arg]
    assert dataclasses.replace(one, minutes=5) == Share("a", 5)
    assert [f.name for f in dataclasses.fields(Share)] == [
        f.name for f in dataclasses.fields(Eager)
    ]
    for name in ("__init__", "__eq__", "__hash__", "__repr__", "__setattr__", "__delattr__"):
        assert name in Share.__dict__, name
        ours = Share.__dict__[name]
        theirs = Eager.__dict__[name]
        assert (ours is None) == (theirs is None), name
    assert Share.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert Share.__match_args__ == Eager.__match_args__


def test_looking_at_the_class_makes_it_before_any_instance() -> None:
    @lazy_dataclass(frozen=True)
    class A:
        x: int

    @lazy_dataclass(frozen=True)
    class B:
        x: int

    @lazy_dataclass
    class C:
        x: int
        y: list[int] = field(default_factory=list)

    assert dataclasses.is_dataclass(A)
    assert A not in waiting()
    assert [f.name for f in dataclasses.fields(C)] == ["x", "y"]
    assert C not in waiting()
    assert C(1) == C(1, [])
    assert C(1).y is not C(1).y

    def which(value: object) -> str:
        match value:  # positional patterns read __match_args__ from the class
            case B(7):
                return "seven"
            case B(x):
                return f"other {x}"
        return "none"

    made(B)
    assert which(B(7)) == "seven"
    assert which(B(2)) == "other 2"


def test_a_positional_pattern_can_be_the_first_use() -> None:
    @lazy_dataclass(frozen=True)
    class Hand:
        who: str

    instance = object.__new__(Hand)  # no __init__ ran: the class is still waiting
    object.__setattr__(instance, "who", "a")
    assert Hand in waiting()
    found = None
    match instance:
        case Hand(who):
            found = who
    assert found == "a"
    assert Hand not in waiting()


def test_subclasses_make_their_bases_first() -> None:
    @lazy_dataclass(frozen=True)
    class Base:
        x: int

    @lazy_dataclass(frozen=True)
    class Child(Base):
        y: int = 0

    class Plain(Base):  # no decorator: inherits Base's fields and __init__
        pass

    assert Child(1, 2) == Child(1, 2)
    assert Child(1).y == 0
    assert Base not in waiting()
    assert Child not in waiting()
    assert [f.name for f in dataclasses.fields(Child)] == ["x", "y"]

    @lazy_dataclass(frozen=True)
    class Other:
        x: int

    class PlainOther(Other):
        pass

    assert PlainOther(3).x == 3
    assert Other not in waiting()


def test_what_cannot_wait_is_made_at_once() -> None:
    @lazy_dataclass(frozen=True, slots=True)
    class Slotted:
        x: int

    @lazy_dataclass(frozen=True)
    class OwnInit:
        x: int

        def __init__(self, x: str) -> None:
            object.__setattr__(self, "x", int(x))

    assert Slotted not in waiting()
    assert OwnInit not in waiting()
    assert Slotted.__slots__ == ("x",)
    assert OwnInit("4").x == 4


def test_a_mistake_in_the_fields_shows_on_first_use() -> None:
    @lazy_dataclass(frozen=True)
    class Wrong:
        x: int = 0
        y: int  # type: ignore[misc]  # a field without a default after one with

    with pytest.raises(TypeError, match="non-default argument"):
        Wrong()  # type: ignore[call-arg]


def test_threads_making_the_same_one_at_once_all_get_it() -> None:
    @lazy_dataclass(frozen=True)
    class Shared:
        x: int

    got: list[object] = []
    start = threading.Barrier(8)

    def use() -> None:
        start.wait()
        got.append(Shared(1))

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert got == [Shared(1)] * 8


def test_every_dataclass_in_the_bot_can_be_made() -> None:
    root = Path(bot.__file__).parents[1]
    for folder in ("bot", "cogs"):  # every module, in packages or not (bot/adapters has no
        for path in sorted((root / folder).rglob("*.py")):  # __init__.py)
            if path.name != "__main__.py":
                parts = path.relative_to(root).with_suffix("").parts
                importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    for cls in [c for c in waiting() if c.__module__.split(".")[0] in ("bot", "cogs")]:
        made(cls)
        assert dataclasses.is_dataclass(cls), cls
    assert not [c for c in waiting() if c.__module__.split(".")[0] in ("bot", "cogs")]


def test_a_class_dataclass_refuses_stays_refused_at_every_use() -> None:
    @lazy_dataclass(frozen=True)
    class Wrong:
        x: int = 0
        y: int  # type: ignore[misc]  # a field without a default after one with

    for _ in range(2):
        with pytest.raises(TypeError, match="non-default argument"):
            Wrong(1, 2)  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="non-default argument"):
            dataclasses.fields(Wrong)
    assert Wrong in waiting()


def test_a_frozen_ones_subclass_keeps_its_own_attributes_and_not_the_fields() -> None:
    @lazy_dataclass(frozen=True)
    class Frozen:
        x: int

    class Open(Frozen):  # not a dataclass itself: may set what isn't a field
        pass

    one = Open(1)
    one.note = "kept"  # type: ignore[attr-defined]
    assert one.note == "kept"  # type: ignore[attr-defined]
    with pytest.raises(FrozenInstanceError):
        one.x = 2  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        Frozen(1).note = "no"  # type: ignore[attr-defined]


def test_another_thread_never_meets_a_half_made_class() -> None:
    """One thread makes a class while another reaches it a different way (the codec asks
    ``is_dataclass`` first): the other waits for it, never finds it half made. Threads switch
    very often here, to give a gap every chance to show."""
    classes = [
        lazy_dataclass(frozen=True)(
            type(f"Many{n}", (), {"__annotations__": {f"f{i}": "int" for i in range(12)}})
        )
        for n in range(100)
    ]
    values = tuple(range(12))
    errors: list[BaseException] = []

    def use(cls: type, start: threading.Barrier, first: bool) -> None:
        start.wait()
        try:
            if not first:
                assert dataclasses.is_dataclass(cls)
                assert len(dataclasses.fields(cls)) == 12
            assert cls(*values) == cls(*values)
        except BaseException as error:
            errors.append(error)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        for cls in classes:
            start = threading.Barrier(2)
            pair = [threading.Thread(target=use, args=(cls, start, f)) for f in (True, False)]
            for thread in pair:
                thread.start()
            for thread in pair:
                thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []


def test_the_bot_writes_its_dataclasses_with_lazy_dataclass() -> None:
    """A plain ``@dataclass`` would be made at import again: the bot's use ``@lazy_dataclass``
    (which makes those that can't wait at once, as ``dataclass`` does)."""
    root = Path(bot.__file__).parents[1]
    plain = [
        str(path.relative_to(root))
        for folder in ("bot", "cogs")
        for path in sorted((root / folder).rglob("*.py"))
        if path.name != "lazy_dataclasses.py"
        and re.search(
            r"^from dataclasses import .*\bdataclass\b|^\s*@dataclasses\.dataclass",
            path.read_text(encoding="utf-8"),
            re.MULTILINE,
        )
    ]
    assert plain == []
