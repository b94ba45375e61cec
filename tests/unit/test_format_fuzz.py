"""Whatever a file contains, loading it ends in a plan or a FormatError — never anything else.

Mutations start from the shipped formats (valid, and using most of the language): delete a key,
replace a value with another type, insert junk, truncate the text, flip bytes, or feed random
bytes. Each result must load or raise FormatError whose problems all have a line and column
inside the file.

Each test tries 200 mutants locally, a few thousand in CI (``CI`` set); a larger run by hand:
``FUZZ_EXAMPLES=100000 pytest tests/unit/test_format_fuzz.py``.
"""

from __future__ import annotations

import copy
import os
import re
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.formats import FormatError, builtin_formats, load_format

SOURCES = {name: path.read_bytes() for name, path in builtin_formats().items()}
DATA = {name: yaml.safe_load(text) for name, text in SOURCES.items()}
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or (600 if os.environ.get("CI") else 200))
FUZZ = settings(
    max_examples=EXAMPLES,
    database=None,  # nothing written into the repository
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

JUNK_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["3m", "end - 10m", ":50", "untimed", "${__import__}", "{0.__class__}", ""]),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3),
)


def _loads_or_fails_cleanly(source: str | bytes) -> None:
    try:
        load_format(source, filename="fuzz.yaml")
    except FormatError as error:
        problems = error.problems
    else:
        return
    assert problems
    text = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
    # YAML breaks lines at \r\n, \r, \n and (PyYAML, YAML 1.1) NEL, LS and PS, as editors do.
    lines = len(re.split("\r\n|[\r\n\x85\u2028\u2029]", text))
    for problem in problems:
        assert 1 <= problem.line <= lines, (problem, lines)
        assert problem.column >= 1
        assert str(problem).startswith("fuzz.yaml:")


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        data = data[key]
    return data


@st.composite
def mutated_documents(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(sorted(DATA)))
    data = copy.deepcopy(DATA[name])
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        action = draw(st.sampled_from(["delete", "replace", "insert"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = draw(JUNK_VALUES)
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = draw(JUNK_VALUES)
        else:
            parent.insert(path[-1], draw(JUNK_VALUES))
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@FUZZ
@given(mutated_documents())
def test_mutated_formats_load_or_fail_cleanly(text: str) -> None:
    _loads_or_fails_cleanly(text)


@FUZZ
@given(st.sampled_from(sorted(SOURCES)), st.data())
def test_truncated_and_corrupted_bytes_fail_cleanly(name: str, data: st.DataObject) -> None:
    source = bytearray(SOURCES[name])
    cut = data.draw(st.integers(min_value=0, max_value=len(source)))
    source = source[:cut]
    for _ in range(data.draw(st.integers(min_value=0, max_value=4))):
        if source:
            position = data.draw(st.integers(min_value=0, max_value=len(source) - 1))
            source[position] = data.draw(st.integers(min_value=0, max_value=255))
    _loads_or_fails_cleanly(bytes(source))


@FUZZ
@given(st.binary(max_size=2000))
def test_random_bytes_fail_cleanly(source: bytes) -> None:
    _loads_or_fails_cleanly(source)


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("-:[]{}&*!|>'\"# \n\tab1${}%@`,?")), max_size=300))
def test_yaml_punctuation_soup_fails_cleanly(source: str) -> None:
    _loads_or_fails_cleanly(source)


@settings(FUZZ, max_examples=min(EXAMPLES, 100))  # each mutant is large: fewer, still varied
@given(
    st.integers(min_value=20, max_value=2000),
    st.sampled_from(["[", "{a: ", "- ", "[a, "]),
    st.sampled_from(["say", "sections", "roles"]),
)
def test_deep_nesting_fails_cleanly_and_quickly(depth: int, opener: str, key: str) -> None:
    _loads_or_fails_cleanly(f"format: 1\nname: Deep\n{key}: " + opener * depth + "\n")
