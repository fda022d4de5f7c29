"""Columns of a batch line's top-level keys and values (connector/mail/json_lines.py): the scan that steps
over each member without decoding it, held to lines built here with every member's place recorded as it
is written, and to json.loads (which keys, the last of duplicates winning). Columns count characters,
1-based, as tests/test_batch_bounds.py defines them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector.mail import json_lines


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"a": "x\\"y", "to": 1}', (15, 21)),  # an escaped quote inside a string value
        ('{"a": "x\\\\", "to": 1}', (14, 20)),  # a string value ending in an escaped backslash
        ('{"a": "\\u0022", "to": 1}', (17, 23)),  # a quote written as \u0022
        ('{"t\\"o": 0, "to": 1}', (13, 19)),  # a key holding an escaped quote is another key
        ('{"a": -1.5e+10, "b": true, "c": null, "d": false, "to": 0}', (51, 57)),  # scalars
        ('{"a": [], "b": {}, "to": 0}', (20, 26)),  # empty containers
        ('{"a": ["]", "}", {"x": "]"}], "to": 0}', (31, 37)),  # brackets inside nested strings
        ('{"a": {"b": [{"to": 2}]}, "to": 0}', (27, 33)),  # "to" nested deeper is not top-level
        ('\t{\r"a"\t:\r1\t,\r"to"\t:\r0\t}', (14, 21)),  # JSON's four whitespace characters
        ('{"é": "😀", "to": "ü"}', (12, 18)),  # non-ASCII before: characters, not bytes
        ('{"\\ud800": "\\udfff", "to": 0}', (22, 28)),  # lone surrogates, escaped, in a key and a value
        ('{"to": 0, "t\\u006f": 1, "to": 2}', (25, 31)),  # duplicates, one spelled with an escape: last wins
        ('{"to": {"to": 0}, "to": [1]}', (19, 25)),  # duplicates whose values are containers: last wins
    ],
)
def test_a_top_level_member_is_placed_at_its_boundaries(line: str, expected: tuple[int, int]) -> None:
    assert json_lines.top_level(line)["to"] == expected
    assert json_lines.top_level(line).keys() == json.loads(line).keys()
    place = json_lines.Place("b.jsonl", 1, line)
    assert (place.column(("to",), True), place.column(("to",), False)) == expected
    assert json_lines.only_place(line, "to") in (None, expected)


@pytest.mark.parametrize("line", ["{}", " { } ", '{"a": 1}', '{"a": {"to": 1}}', '{"a": "\\"to\\": 1"}'])
def test_a_key_not_at_the_top_level_has_no_place(line: str) -> None:
    assert "to" not in json_lines.top_level(line)
    assert json_lines.only_place(line, "to") is None


def test_the_only_place_stops_at_the_key_unless_a_later_one_could_spell_it() -> None:
    """Found without reading on when no backslash and no literal "to" follow its value; else None (and
    the caller reads every key): each of the three conditions at its boundary."""
    assert json_lines.only_place('{"to": 1, "a": "b"}', "to") == (2, 8)
    assert json_lines.only_place('{"to": 1, "a": "\\n"}', "to") is None  # a backslash after the value
    assert json_lines.only_place('{"to": 1, "a": "\\"to\\""}', "to") is None  # a literal "to" after it
    assert json_lines.only_place('{"a": "\\n", "to": 1}', "to") == (13, 19)  # a backslash before: fine
    assert json_lines.only_place('{"to": "\\n"}', "to") is None  # in its own value: after its start


# Keys drawn from a few, so that duplicates are common; written plain, as JSON escapes them, or with every
# character as a \u escape (a duplicate the text does not show).
_KEYS = st.sampled_from(["to", "type", "t", "", '"', "\\", "é", "😀", "\ud800", "to\x00", "}", "],"])
_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
_VALUES = st.recursive(
    _SCALARS | st.text(max_size=4) | _KEYS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3),
    max_leaves=8,
)
_SPACE = st.text(alphabet=" \t\r\n", max_size=2)


def _written_key(key: str, how: int) -> str:
    if how == 0:
        return json.dumps(key, ensure_ascii=False)
    if how == 1:
        return json.dumps(key)
    units = key.encode("utf-16-be", "surrogatepass")  # a non-BMP character as its two halves
    return '"' + "".join(f"\\u{units[i]:02x}{units[i + 1]:02x}" for i in range(0, len(units), 2)) + '"'


@st.composite
def _objects(draw: Any) -> tuple[str, list[tuple[str, int, int]]]:
    """A JSON object's text and, for each member in order, its key and the 1-based columns of its key
    and value, recorded while the text is written."""
    text = draw(_SPACE) + "{" + draw(_SPACE)
    members = []
    for index in range(draw(st.integers(0, 5))):
        if index:
            text += draw(_SPACE) + "," + draw(_SPACE)
        key = draw(_KEYS)
        key_column = len(text) + 1
        text += _written_key(key, draw(st.integers(0, 2))) + draw(_SPACE) + ":" + draw(_SPACE)
        value_column = len(text) + 1
        separators = draw(st.sampled_from([(",", ":"), (", ", ": "), (" ,\t", "\r:\n")]))
        text += json.dumps(draw(_VALUES), ensure_ascii=draw(st.booleans()), separators=separators)
        members.append((key, key_column, value_column))
    return text + draw(_SPACE) + "}" + draw(_SPACE), members


@settings(max_examples=400, deadline=None)
@given(_objects(), _KEYS)
def test_columns_match_the_places_each_member_was_written_at(
    built: tuple[str, list[tuple[str, int, int]]], wanted: str
) -> None:
    text, members = built
    expected = {key: (key_column, value_column) for key, key_column, value_column in members}  # last wins
    assert json.loads(text).keys() == expected.keys()
    assert json_lines.top_level(text) == expected
    first = next(((k, v) for key, k, v in members if key == wanted), None)
    only = json_lines.only_place(text, wanted)
    if first is None:
        assert only is None
    else:
        rest = text[first[1] - 1 :]  # from the first value's start
        provable = "\\" not in rest and json.dumps(wanted, ensure_ascii=False) not in rest
        assert only == (first if provable else None)
        if provable:
            assert only == expected[wanted]  # the first place is the last one
    place = json_lines.Place("b.jsonl", 1, text)
    for key, (key_column, value_column) in expected.items():
        assert place.column((key,), True) == key_column
        assert place.column((key,), False) == value_column
