"""The JSON reader: a small recursive-descent parser that records positions; scalars go through json."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from connector.diagnostics.paths import KeyPath
from connector.source.document import MAX_DEPTH, Abort, Builder, Document, LoadResult
from connector.source.positions import Positions


def load_json(name: str, text: str) -> LoadResult:
    """Read JSON text. Well-formed files take the json module's C parser; their positions are worked out
    only if a finding asks for one (most files have none). Anything unusual takes the positional parser,
    which words the refusal."""
    data = _fast(text)
    if isinstance(data, dict):
        positions = _Positions(name, text)
        return LoadResult(Document(name, data, _Table(positions, "values"), _Table(positions, "keys")))
    return JsonLoader(name, text).run()


class _Duplicate(Exception):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Duplicate
    return result


def _refuse(constant: str) -> Any:
    raise ValueError(constant)


def _fast(text: str) -> Any:
    # Deep nesting is refused with a position by the slow parser; a config has a few dozen brackets.
    if text.count("{") + text.count("[") > MAX_DEPTH:
        return None
    try:
        return json.loads(text, object_pairs_hook=_pairs, parse_constant=_refuse)
    except (ValueError, _Duplicate, RecursionError):
        return None


class _Positions:
    """The position tables of a JSON text the C parser read, worked out on first use."""

    def __init__(self, name: str, text: str) -> None:
        self.name, self.text = name, text
        self.tables: dict[str, dict[KeyPath, int]] | None = None
        self.lines: Positions | None = None

    def table(self, which: str) -> dict[KeyPath, int]:
        """The offset of each value (``values``) or key (``keys``)."""
        if self.tables is None:
            values, keys = offsets(self.text)
            self.tables = {"values": values, "keys": keys}
        return self.tables[which]

    def position(self, offset: int) -> tuple[int, int]:
        if self.lines is None:
            self.lines = Positions(self.text)
        return self.lines(offset)


class _Table(Mapping[KeyPath, tuple[int, int]]):
    def __init__(self, positions: _Positions, which: str) -> None:
        self.positions, self.which = positions, which

    def __getitem__(self, path: KeyPath) -> tuple[int, int]:
        return self.positions.position(self.positions.table(self.which)[path])

    def __iter__(self) -> Iterator[KeyPath]:
        return iter(self.positions.table(self.which))

    def __len__(self) -> int:
        return len(self.positions.table(self.which))


# A token of well-formed JSON: a string, a bracket or a bare scalar (number, true, false, null); the `:`,
# `,` and whitespace between tokens match nothing and are stepped over.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]]|[^ \t\n\r{}\[\]:,"]+', re.S)


def offsets(text: str) -> tuple[dict[KeyPath, int], dict[KeyPath, int]]:
    """The offset of every value and of every key of ``text``, well-formed JSON with no duplicate key (the
    C parser read it), by key path: the positions :class:`JsonLoader` records, from one tokenizing pass in
    C and a few steps per token (the recursive reader costs a call and a scalar decode per value)."""
    values: dict[KeyPath, int] = {}
    keys: dict[KeyPath, int] = {}
    stack: list[tuple[KeyPath | None, bool, int, str | None]] = []
    # The container open: its path (None outside any), whether it is an object, the index of its next item
    # (a list), the key whose value comes next (an object; None: a key comes next).
    here: KeyPath | None = None
    in_object, index, key = False, 0, None
    for match in _TOKEN.finditer(text):
        token, start = match.group(), match.start()
        first = token[0]
        if first == "}" or first == "]":
            here, in_object, index, key = stack.pop()
            continue
        if here is None:
            path: KeyPath = ()
        elif in_object:
            if key is None:
                key = json.loads(token) if "\\" in token else token[1:-1]
                child: KeyPath = (*here, key)
                keys[child] = start
                continue
            path, key = (*here, key), None
        else:
            path, index = (*here, index), index + 1
        values[path] = start
        if first == "{" or first == "[":
            stack.append((here, in_object, index, key))
            here, in_object, index, key = path, first == "{", 0, None
    return values, keys


_WS = re.compile(r"[ \t\n\r]*")


class JsonLoader(Builder):
    """A small recursive-descent JSON reader that records positions; scalars go through the json module."""

    def __init__(self, name: str, text: str) -> None:
        super().__init__(name)
        self.text = text
        self.pos = Positions(text)
        self.decoder = json.JSONDecoder()

    def run(self) -> LoadResult:
        try:
            start = _WS.match(self.text, 0).end()  # type: ignore[union-attr]
            if start == len(self.text):
                return self.finish(None)
            data, end = self.value(start, (), 0)
            end = _WS.match(self.text, end).end()  # type: ignore[union-attr]
            if end != len(self.text):
                raise _JsonError("extra data after the JSON value", end)
        except _JsonError as e:
            self.report(
                "SC004",
                f"JSON syntax error: {e.message}",
                "check commas, quotes and brackets around here",
                *self.pos(e.offset),
            )
            return LoadResult(None, tuple(self.findings))
        except Abort:
            return LoadResult(None, tuple(self.findings))
        return self.finish(data, *self.pos(start))

    def value(self, i: int, path: KeyPath, depth: int) -> tuple[Any, int]:
        self.values[path] = self.pos(i)
        if depth > MAX_DEPTH:
            self.report(
                "SC012", f"nested deeper than {MAX_DEPTH} levels", "flatten the structure", *self.pos(i)
            )
            raise Abort
        text = self.text
        ch = text[i : i + 1]
        if ch == "{":
            result: dict[str, Any] = {}
            seen: dict[str, tuple[int, int]] = {}
            i = self._skip(i + 1)
            if text[i : i + 1] == "}":
                return result, i + 1
            while True:
                if text[i : i + 1] != '"':
                    raise _JsonError(self._why_not(i, "expected a key in double quotes"), i)
                key_at = self.pos(i)
                key, i = self._scalar(i)
                i = self._skip(i)
                if text[i : i + 1] != ":":
                    raise _JsonError("expected `:` after the key", i)
                child = (*path, key)
                if key in seen:
                    self.report(
                        "SC005",
                        f"duplicate key `{key}` (first set at line {seen[key][0]}, column {seen[key][1]})",
                        "keep one of them; JSON readers disagree on which wins",
                        *key_at,
                    )
                    _, i = self.value(self._skip(i + 1), (*path, f"\0dup{i}"), depth + 1)
                else:
                    seen[key] = key_at
                    self.keys[child] = key_at
                    result[key], i = self.value(self._skip(i + 1), child, depth + 1)
                i = self._skip(i)
                if text[i : i + 1] == ",":
                    i = self._skip(i + 1)
                    continue
                if text[i : i + 1] == "}":
                    return result, i + 1
                raise _JsonError("expected `,` or `}`", i)
        if ch == "[":
            items: list[Any] = []
            i = self._skip(i + 1)
            if text[i : i + 1] == "]":
                return items, i + 1
            while True:
                item, i = self.value(i, (*path, len(items)), depth + 1)
                items.append(item)
                i = self._skip(i)
                if text[i : i + 1] == ",":
                    i = self._skip(i + 1)
                    continue
                if text[i : i + 1] == "]":
                    return items, i + 1
                raise _JsonError("expected `,` or `]`", i)
        return self._scalar(i)

    def _why_not(self, i: int, default: str) -> str:
        ahead = self.text[i : i + 2]
        if ahead[:1] in ("}", "]") and self.text[:i].rstrip().endswith(","):
            return "a trailing comma is not allowed in JSON"
        if ahead in ("//", "/*"):
            return "JSON has no comments"
        if ahead[:1] == "'":
            return "JSON strings and keys need double quotes"
        return default

    def _skip(self, i: int) -> int:
        return _WS.match(self.text, i).end()  # type: ignore[union-attr]

    def _scalar(self, i: int) -> tuple[Any, int]:
        try:
            value, end = self.decoder.raw_decode(self.text, i)
        except json.JSONDecodeError as e:
            message = e.msg.lower() if e.pos != i else self._why_not(i, "expected a value")
            raise _JsonError(message, e.pos) from e
        except ValueError:  # Python's limit on int digits (CVE-2020-10735): no config needs such a number
            raise _JsonError("a number with more than 4,300 digits", i) from None
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            raise _JsonError("NaN and Infinity are not JSON", i)
        return value, end


class _JsonError(Exception):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
