"""Logto's runtime placeholders (``{{code}}``, ``{{ application.name }}``), filled exactly as Logto does.

Logto (connector-kit) replaces every match of the JavaScript regex ``/{{\\s*([\\w.]+)\\s*}}/g``: when the
first dotted segment is a key of the payload (JavaScript's ``in``, so inherited Object.prototype names
count too), the match becomes ``String(value ?? '')``; otherwise it stays as written. Walking the path
stops at anything that is not an object (a string, a number, null), giving the empty string.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from connector.errors import InputError

# JavaScript's \s (ECMAScript WhiteSpace + LineTerminator), which differs from Python's: U+FEFF and U+00A0
# are in it, U+001C..U+001F and U+0085 are not. \w is ASCII only in JavaScript without the u flag.
JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
PLACEHOLDER = re.compile(rf"{{{{[{JS_SPACE}]*([A-Za-z0-9_.]+)[{JS_SPACE}]*}}}}")

# Names every JavaScript object inherits from Object.prototype: `"toString" in payload` is true.
_OBJECT_METHODS = frozenset((
    "constructor", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString", "toString",
    "valueOf", "__defineGetter__", "__defineSetter__", "__lookupGetter__", "__lookupSetter__",
))  # fmt: skip
# Array.prototype's methods (Node 20+), reachable as `{{list.map}}`.
_ARRAY_METHODS = frozenset((
    "at", "concat", "copyWithin", "entries", "every", "fill", "filter", "find", "findIndex", "findLast",
    "findLastIndex", "flat", "flatMap", "forEach", "includes", "indexOf", "join", "keys", "lastIndexOf",
    "map", "pop", "push", "reduce", "reduceRight", "reverse", "shift", "slice", "some", "sort", "splice",
    "toReversed", "toSorted", "toSpliced", "unshift", "values", "with",
))  # fmt: skip
_PROTO = "__proto__"


class _JsFunction:
    """A built-in function, as ``String()`` prints it."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __str__(self) -> str:
        return f"function {self.name}() {{ [native code] }}"


class _Prototype:
    """Object.prototype (``array=False``) or Array.prototype, reached through ``__proto__``."""

    def __init__(self, array: bool) -> None:
        self.array = array


@dataclass(frozen=True, slots=True)
class Placeholder:
    """One ``{{ path }}`` occurrence: its text, the dotted path, and where it starts in the string."""

    text: str
    path: str
    start: int

    @property
    def root(self) -> str:
        return self.path.split(".", 1)[0]


def find_placeholders(text: str) -> Iterator[Placeholder]:
    """Every placeholder Logto would look at, in order."""
    for match in PLACEHOLDER.finditer(text):
        yield Placeholder(match.group(0), match.group(1), match.start())


def fill_placeholders(text: str, payload: Mapping[str, Any]) -> str:
    """Replace placeholders in ``text`` with values from ``payload`` exactly as Logto does."""

    def replace(match: re.Match[str]) -> str:
        path = match.group(1)
        root = path.split(".", 1)[0]
        if not root or not _js_in(root, payload):
            return match.group(0)
        return js_string(_get_value(payload, path))

    return PLACEHOLDER.sub(replace, text)


def _js_in(key: str, obj: Mapping[str, Any]) -> bool:
    return key in obj or key in _OBJECT_METHODS or key == _PROTO


def _get_value(obj: Any, path: str) -> Any:
    current: Any = obj
    for part in path.split("."):
        # JavaScript: `!current || typeof current !== 'object'` ends the walk with undefined.
        if not isinstance(current, (Mapping, list, _Prototype)):
            return None
        current = _member(current, part)
    return current


def _member(obj: Any, part: str) -> Any:
    """``obj[part]``: own properties first, then the prototype chain."""
    if isinstance(obj, Mapping):
        if part in obj:
            return obj[part]
        return _inherited(part, array=False)
    if isinstance(obj, list):
        if part == "length":
            return len(obj)
        index = _index(part)
        if index is not None:
            return obj[index] if index < len(obj) else None
        return _inherited(part, array=True)
    if obj.array:  # Array.prototype is itself an empty array
        if part == "length":
            return 0
        return _inherited(part, array=True, proto=_Prototype(array=False))
    return _inherited(part, array=False, proto=None)


_SELF: Any = object()


def _inherited(part: str, *, array: bool, proto: Any = _SELF) -> Any:
    if part == _PROTO:
        return _Prototype(array) if proto is _SELF else proto
    if part == "constructor":
        return _JsFunction("Array" if array else "Object")
    if (array and part in _ARRAY_METHODS) or part in _OBJECT_METHODS:
        return _JsFunction(part)
    return None


def _index(part: str) -> int | None:
    # Array indices are canonical decimal strings: "1" is an index, "01" is not.
    if part.isascii() and part.isdigit() and (part == "0" or not part.startswith("0")):
        return int(part)
    return None


def js_string(value: Any) -> str:
    """``String(value ?? '')`` as JavaScript prints it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return js_number(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ",".join("" if item is None else js_string(item) for item in value)
    if isinstance(value, _JsFunction):
        return str(value)
    if isinstance(value, _Prototype) and value.array:
        return ""
    if isinstance(value, Mapping) and "toString" in value:
        # An own `toString` that is data, not a function: JavaScript's String() throws, so Logto's send fails.
        raise InputError(
            "Cannot convert object to primitive value: a payload object has its own `toString` key, "
            "and Logto fails to send this message too"
        )
    return "[object Object]"


def js_number(value: float) -> str:
    """Number.prototype.toString(): shortest round-trip digits, exponent only below 1e-6 or from 1e21."""
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) <= 2**53:
            return str(value)
        try:
            value = float(value)  # JavaScript numbers are doubles: 2**53 + 1 prints as 9007199254740992
        except OverflowError:  # it rounds past the largest double: JavaScript reads Infinity
            value = math.inf if value > 0 else -math.inf
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits, exponent = _shortest(abs(value))
    n = exponent + 1  # position of the decimal point relative to the digits, as in the spec
    k = len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{sign}{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"


def _shortest(value: float) -> tuple[str, int]:
    """The shortest digits that round-trip (Python's repr agrees with JavaScript) and the exponent."""
    text = repr(value)
    if "e" in text:
        mantissa, _, exp = text.partition("e")
        digits = mantissa.replace(".", "")
        return digits.rstrip("0") or "0", int(exp)
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    if whole != "0":
        return (whole + frac).rstrip("0") or "0", len(whole) - 1
    stripped = frac.lstrip("0")
    return stripped, -(len(frac) - len(stripped)) - 1
