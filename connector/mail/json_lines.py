"""Batch files as JSON Lines: read a line at a time under caps, decoded as Logto's JSON.parse decodes, and
the column of any key or value in a line, worked out only when a finding needs it."""

from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import Iterator
from typing import Any

from connector.diagnostics.findings import Finding
from connector.diagnostics.paths import KeyPath
from connector.errors import InputError
from connector.source.json_reader import JsonLoader
from connector.source.loader import open_regular, read_capped

# A batch of a million messages fits; /dev/zero, or a FIFO no one writes to, does not hold the send.
MAX_BATCH_BYTES = 256 * 1024 * 1024
# A message's line is small (a code, a link, a few user fields); a longer one is refused before it is
# parsed, so one line never costs more than the lint's 1 MiB file.
MAX_LINE_BYTES = 1024 * 1024
TOO_LONG = f"the line is over the {MAX_LINE_BYTES // (1024 * 1024)} MiB limit for one message"


def read_text_input(path: str | os.PathLike[str], max_bytes: int) -> str:
    """A UTF-8 file given on the command line, read without blocking on a FIFO and without reading past
    ``max_bytes`` (a device such as /dev/zero never ends). OSError, UnicodeDecodeError or ValueError."""
    raw = read_capped(path, max_bytes)
    if len(raw) > max_bytes:
        raise ValueError(f"over the {max_bytes // (1024 * 1024)} MiB limit")
    return raw.decode("utf-8-sig")


def parse_json(text: str, where: str, hint: str) -> Any:
    """JSON as Logto's JSON.parse reads it: no NaN or Infinity; a number too long for Python, or nesting
    too deep, is refused with ``where`` rather than crashing."""
    try:
        return json.loads(text, parse_constant=_not_json)
    except RecursionError:
        raise InputError(f"{where}: not valid JSON (nested too deeply)", hint=hint) from None
    except ValueError as e:
        why = str(e)
        if "digits" in why:  # Python's limit on int digits (CVE-2020-10735), not a JSON rule
            why = "a number with more than 4,300 digits"
        raise InputError(f"{where}: not valid JSON ({why})", hint=hint) from None


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")  # as JSON.parse refuses it


DECODER = json.JSONDecoder(parse_constant=_not_json)  # one for every line of a batch


def read_lines(name: str, path: str | os.PathLike[str]) -> Iterator[tuple[int, str | None]]:
    """(number, text) of each line that is not blank, read a line at a time; None for a line over
    :data:`MAX_LINE_BYTES` (skipped, not read into memory). JSON Lines ends lines at \\n only:
    str.splitlines() would also split inside a string at U+2028 or NEL."""
    try:
        fh = open_regular(path)
    except FileNotFoundError as e:
        raise InputError(f"{name}: no such batch file", hint="check the path") from e
    except OSError as e:
        raise InputError(f"{name}: cannot read the batch file: {e.strerror or e}") from e
    read = 0
    with fh:
        for number in itertools.count(1):
            try:
                # The line, its \r\n, and one byte more: enough to know whether it is over the cap.
                raw = fh.readline(MAX_LINE_BYTES + 3)
            except OSError as e:
                raise InputError(f"{name}: cannot read the batch file: {e.strerror or e}") from e
            if not raw:
                return
            read += len(raw)
            ended = raw.endswith(b"\n")
            content = raw[: -2 if raw.endswith(b"\r\n") else -1] if ended else raw
            long = len(content) > MAX_LINE_BYTES
            while long and not ended and read <= MAX_BATCH_BYTES:  # the rest of it, read and dropped
                raw = fh.readline(64 * 1024)
                read += len(raw)
                ended = not raw or raw.endswith(b"\n")
            if read > MAX_BATCH_BYTES:
                raise InputError(
                    f"{name}: cannot read the batch file: over the {MAX_BATCH_BYTES // (1024 * 1024)} MiB limit"
                )
            if long:
                yield number, None
                continue
            try:
                text = content.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as e:
                raise InputError(
                    f"{name}:{number}: cannot read the batch file: not UTF-8 text ({e.reason} at byte "
                    f"{e.start + 1} of the line)",
                    hint="save the file as UTF-8",
                ) from None
            if text and not text.isspace():  # what str.strip() removes, without a copy of the line
                yield number, text


class Place:
    """Columns in one line, worked out only when a finding needs one: a top-level key or value by a scan of
    the line's top level (the json module skips each value), anything deeper by the positional reader."""

    def __init__(self, file: str, number: int, text: str) -> None:
        self.file, self.number, self.text = file, number, text
        self.top: dict[str, tuple[int, int]] | None = None  # key -> (column of the key, of its value)
        self.loader: JsonLoader | None = None  # the line read once, for every deeper finding

    def at(self, path: KeyPath, rule: str, message: str, hint: str = "", *, key: bool = False) -> Finding:
        return Finding.placed(self.file, self.number, self.column(path, key), rule, message, hint)

    def column(self, path: KeyPath, key: bool) -> int:
        if not path:
            return len(self.text) - len(self.text.lstrip(" \t")) + 1
        if len(path) == 1 and isinstance(path[0], str):
            mark = only_place(self.text, path[0]) if self.top is None else None
            if mark is None:  # not provably the key's only place: every top-level key, the last one winning
                if self.top is None:
                    self.top = top_level(self.text)
                mark = self.top.get(path[0])
            if mark is not None:
                return mark[0] if key else mark[1]
        loader = self.loader
        if loader is None:  # once per line: reading it per finding made a line of n findings O(n²)
            loader = self.loader = JsonLoader(self.file, self.text)
            loader.run()
        table = loader.keys if key else loader.values
        while path:
            mark = table.get(path) or loader.values.get(path)
            if mark is not None:
                return mark[1]
            path = path[:-1]
        return 1


_WS = "[ \t\n\r]*"  # JSON's whitespace
_OPEN = re.compile(_WS + "{" + _WS)  # from the line's start to its first key
_NEXT = re.compile(_WS + ",?" + _WS)  # from a value's end to the next key (or the `}`)
_STRING_BODY = r'[^"\\]*(?:\\.[^"\\]*)*'  # a valid string's characters as written, escapes included
# One member of a valid JSON object, from its key's quote: the key as written, the colon, and where the value
# starts; a string or a number, true, false or null (valid JSON: no space, comma or bracket in it) is stepped
# over with the comma after it in the same match; an object or array is not (``_member_end``).
_MEMBER = re.compile(
    rf'"(?P<key>{_STRING_BODY})"{_WS}:{_WS}(?P<value>)'
    rf'(?:(?:"{_STRING_BODY}"|[^ \t\n\r,}}\]"{{\[]+){_WS},?{_WS})?',
    re.S,
)


def _key(member: re.Match[str]) -> str:
    """A member's key as json.loads reads it: decoded again only when written with an escape."""
    raw = member["key"]
    return raw if "\\" not in raw else str(DECODER.decode(f'"{raw}"'))


def _member_end(text: str, member: re.Match[str]) -> int:
    """Where the member after ``member`` starts (or the object's `}`): an object or array value is stepped
    over by the json module's C scanner, the fastest way past it."""
    end, value = member.end(), member.start("value")
    if end == value:
        end = _NEXT.match(text, DECODER.raw_decode(text, value)[1]).end()  # type: ignore[union-attr]
    return end


def _members(text: str) -> Iterator[re.Match[str]]:
    """Each top-level member of a JSON object (``text``, known to be valid), in the order written: one
    match per member, nothing decoded but the keys written with an escape and nested values."""
    i = _OPEN.match(text).end()  # type: ignore[union-attr]
    while (member := _MEMBER.match(text, i)) is not None:
        yield member
        i = _member_end(text, member)


def top_level(text: str) -> dict[str, tuple[int, int]]:
    """Where each top-level key of a JSON object (known to be valid) and its value start: 1-based columns.
    The last of a duplicate key wins, as in json.loads."""
    return {_key(m): (m.start() + 1, m.start("value") + 1) for m in _members(text)}


def only_place(text: str, wanted: str) -> tuple[int, int] | None:
    """The columns of top-level key ``wanted`` and of its value when its first place is provably its only
    one, found without reading the keys after it; else None (absent, or maybe written again later).

    A later key equal to ``wanted`` would be a string token after this one: with no backslash in the rest
    of the line, every string there is written as it reads, so ``"wanted"`` would appear literally."""
    i = _OPEN.match(text).end()  # type: ignore[union-attr]
    while (member := _MEMBER.match(text, i)) is not None:  # a loop of its own: the line's first key is cheap
        if _key(member) == wanted:
            value = member.start("value")
            if text.find("\\", value) < 0 and text.find(f'"{wanted}"', value) < 0:
                return member.start() + 1, value + 1
            return None
        i = _member_end(text, member)
    return None
