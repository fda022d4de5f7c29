from __future__ import annotations

import math
import re
import string
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connector import fill_placeholders
from connector.errors import InputError
from connector.logto.placeholders import find_placeholders, js_number, js_string

PAYLOAD: dict[str, Any] = {
    "code": "123456",
    "link": "https://example.com/invite?a=1&b=2",
    "application": {"name": "Acme <App>", "tags": ["a", None, "c"], "owner": None},
    "list": [10, [1, 2], {"x": 1}, None, True],
    "n": 42,
    "f": 0.5,
    "flag": False,
    "nothing": None,
}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("Code {{code}}", "Code 123456"),
        ("Code {{ code }}", "Code 123456"),
        ("Code {{\tcode\n}}", "Code 123456"),
        ("{{code}}{{code}}", "123456123456"),
        ("{{{code}}}", "{123456}"),
        ("{{ application.name }}", "Acme <App>"),  # nothing is escaped, HTML included
        ("{{application.tags}}", "a,,c"),
        ("{{application.tags.2}}", "c"),
        ("{{application.tags.02}}", ""),  # not a canonical array index
        ("{{application.tags.length}}", "3"),
        ("{{application.owner}}", ""),
        ("{{application.missing}}", ""),
        ("{{application.name.length}}", ""),  # strings are not walked into
        ("{{application}}", "[object Object]"),
        ("{{list}}", "10,1,2,[object Object],,true"),
        ("{{n}} {{f}} {{flag}} [{{nothing}}]", "42 0.5 false []"),
        ("{{unknown}} {{ unknown.x }}", "{{unknown}} {{ unknown.x }}"),  # root not in the payload: kept
        ("{{.code}}", "{{.code}}"),  # empty root
        ("{{code.}}", ""),  # root present; "123456"[""] is not walked
        ("{{ code }", "{{ code }"),
        ("{{co de}}", "{{co de}}"),
        ("{{code-x}}", "{{code-x}}"),
        ("{{café}}", "{{café}}"),  # \\w is ASCII only in JavaScript
        ("{{toString}}", "function toString() { [native code] }"),  # JavaScript's `in` sees inherited names
        ("{{constructor}}", "function Object() { [native code] }"),
        ("{{list.constructor}}", "function Array() { [native code] }"),
        ("{{list.map}}", "function map() { [native code] }"),
        ("{{toString.name}}", ""),  # functions are not objects to the walk
        ("{{__proto__}}", "[object Object]"),
        ("{{__proto__.__proto__}}", ""),
        ("{{list.__proto__}}", ""),  # Array.prototype prints as an empty array
        ("{{hasOwnProperty.x}}", ""),
        ("{{valueOf}}", "function valueOf() { [native code] }"),
        ("{{ length }}", "{{ length }}"),  # not an Object.prototype name
    ],
)
def test_fill_placeholders(template: str, expected: str) -> None:
    assert fill_placeholders(template, PAYLOAD) == expected


@pytest.mark.parametrize(
    ("space", "is_js_space"),
    [
        ("\ufeff", True),
        ("\u00a0", True),
        ("\u2003", True),
        ("\u3000", True),
        ("\u2028", True),
        ("\v", True),
        ("\u001c", False),
        ("\u001f", False),
        ("\u0085", False),
        ("\u180e", False),
        ("\u200b", False),
    ],
)
def test_whitespace_inside_braces_is_javascripts(space: str, is_js_space: bool) -> None:
    template = "{{" + space + "code" + space + "}}"
    assert fill_placeholders(template, {"code": "1"}) == ("1" if is_js_space else template)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (-0.0, "0"),
        (5.0, "5"),
        (-7, "-7"),
        (1.5, "1.5"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (123e-20, "1.23e-18"),
        (1e-7, "1e-7"),
        (0.000001, "0.000001"),
        (2**53 + 1, "9007199254740992"),  # JavaScript numbers are doubles
        (10**21, "1e+21"),
        (5e-324, "5e-324"),
        (float("inf"), "Infinity"),
        (float("nan"), "NaN"),
        (None, ""),
        ([], ""),
        ([None, 1, [2, [3]]], ",1,2,3"),
        ({}, "[object Object]"),
        ("text", "text"),
    ],
)
def test_js_string(value: Any, text: str) -> None:
    assert js_string(value) == text


def test_an_own_tostring_key_fails_as_in_javascript() -> None:
    with pytest.raises(InputError, match="Cannot convert object to primitive value"):
        fill_placeholders("{{user}}", {"user": {"toString": "x"}})
    # Reaching the key itself is fine.
    assert fill_placeholders("{{user.toString}}", {"user": {"toString": "x"}}) == "x"


def test_find_placeholders() -> None:
    found = list(find_placeholders("Hi {{ user.name }}, {{code}} {{ bad }"))
    assert [(p.text, p.path, p.root, p.start) for p in found] == [
        ("{{ user.name }}", "user.name", "user", 3),
        ("{{code}}", "code", "code", 20),
    ]


# --- property test against the rules, with an oracle written without the regex ---------------------

JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2005\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
NOT_SPACE = "\u001c\u001d\u001e\u001f\u0085\u180e\u200b"
KEYS = [
    "code",
    "link",
    "user",
    "a",
    "b",
    "0",
    "1",
    "x_1",
]  # no Object.prototype names: unit tests cover those
_WORD_SET = set(string.ascii_letters + string.digits + "_")  # JavaScript's \w without the u flag


def _oracle(text: str, payload: dict[str, Any]) -> str:
    out, i = [], 0
    while i < len(text):
        if text.startswith("{{", i):
            j = i + 2
            while j < len(text) and text[j] in JS_SPACE:
                j += 1
            k = j
            while k < len(text) and (text[k] in _WORD_SET or text[k] == "."):
                k += 1
            m = k
            while m < len(text) and text[m] in JS_SPACE:
                m += 1
            if k > j and text.startswith("}}", m):
                path = text[j:k]
                root = path.split(".")[0]
                if root and root in payload:
                    out.append(_string(_walk(payload, path.split("."))))
                else:
                    out.append(text[i : m + 2])
                i = m + 2
                continue
        out.append(text[i])
        i += 1
    return "".join(out)


def _walk(value: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list):
            ok = part.isdigit() and (part == "0" or not part.startswith("0")) and int(part) < len(value)
            value = len(value) if part == "length" else value[int(part)] if ok else None
        else:
            return None
    return value


def _string(value: Any) -> str:
    if value is None:
        return ""
    if value is True or value is False:
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return js_number(value)  # checked on its own below
    if isinstance(value, list):
        return ",".join(_string(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet="ab{} .é<>", max_size=6),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=3),
    max_leaves=8,
)
payloads = st.dictionaries(st.sampled_from(KEYS), values, max_size=4)
spaces = st.text(alphabet=JS_SPACE + NOT_SPACE, max_size=2)
paths = st.lists(st.sampled_from([*KEYS, "length", "01", "é", ""]), min_size=1, max_size=3).map(".".join)
placeholders = st.builds(
    lambda a, p, b, close: "{{" + a + p + b + close,
    spaces,
    paths,
    spaces,
    st.sampled_from(["}}", "}", "}}}"]),
)
templates = st.lists(st.one_of(placeholders, st.text(alphabet="x {}\n.", max_size=4)), max_size=6).map(
    "".join
)


@settings(max_examples=400, deadline=None)
@given(templates, payloads)
def test_fill_placeholders_follows_the_rules(template: str, payload: dict[str, Any]) -> None:
    assert fill_placeholders(template, payload) == _oracle(template, payload)


@settings(max_examples=400, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_print_as_javascript_does(value: float) -> None:
    text = js_number(value)
    assert float(text) == value or (value == 0 and text == "0")
    assert not text.endswith(".0") and "e+0" not in text and "e-0" not in text
    magnitude = abs(value)
    if magnitude and (magnitude >= 1e21 or magnitude < 1e-6):
        assert re.fullmatch(r"-?\d(\.\d+)?e[+-]\d+", text), text
    else:
        assert "e" not in text
        assert text == "0" or math.isclose(float(text), value)
