"""What the YAML and JSON readers produce: a :class:`Document` (data plus the position of every key and
value) and the bookkeeping they share. :mod:`connector.source.loader` picks the reader and re-exports these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connector.diagnostics.describe import kind_of
from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.paths import KeyPath
from connector.source import secret_values
from connector.source.positions import position

MAX_NODES = 100_000  # expanded through aliases; a real connector config has a few hundred
MAX_DEPTH = 64


@dataclass(frozen=True)
class Document:
    """A loaded file: its data and where each key and value stands in it."""

    file: str
    data: dict[str, Any]
    values: Mapping[KeyPath, tuple[int, int]] = field(default_factory=dict, repr=False)
    keys: Mapping[KeyPath, tuple[int, int]] = field(default_factory=dict, repr=False)
    # For a string written so that each of its lines stands in the file as it reads (a plain scalar on one
    # line, a quoted one with no escape, a literal `|` block): where each of its lines starts.
    texts: Mapping[KeyPath, tuple[tuple[int, int], ...]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # Before any finding about this document can be printed (connector/source/secret_values.py).
        secret_values.register_written_secrets(self.data)

    def locate(self, path: KeyPath, *, key: bool = False) -> Location:
        """Where the value at ``path`` (or its key) was written; the nearest enclosing place if unknown."""
        table = self.keys if key else self.values
        while True:
            mark = table.get(path) or self.values.get(path)
            if mark is not None:
                return Location(self.file, *mark)
            if not path:
                return Location(self.file, 1, 1)
            path = path[:-1]

    def locate_text(self, path: KeyPath, line: int, column: int) -> Location | None:
        """Where character ``column`` of line ``line`` (1-based) of the string at ``path`` was written, when
        the string's text stands in the file as it reads (see ``texts``); None otherwise."""
        starts = self.texts.get(path)
        if starts is None or not 0 < line <= len(starts):
            return None
        first_line, first_column = starts[line - 1]
        return Location(self.file, first_line, first_column + column - 1)

    def locate_excerpt(self, path: KeyPath, excerpt: str) -> Location | None:
        """Where the string at ``path`` has ``excerpt`` (its first occurrence), if the file holds it as it reads."""
        place = excerpt_place(self.data, path, excerpt)
        return self.locate_text(path, *place) if place is not None else None


def excerpt_place(data: Any, path: KeyPath, excerpt: str) -> tuple[int, int] | None:
    """Line and column, within the string at ``path`` of ``data``, of the first ``excerpt`` in it."""
    for part in path:
        if isinstance(data, dict) and isinstance(part, str):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return None
    offset = data.find(excerpt) if isinstance(data, str) and excerpt else -1
    return position(data, offset) if offset >= 0 else None


@dataclass(frozen=True)
class LoadResult:
    document: Document | None
    findings: tuple[Finding, ...] = ()


class Builder:
    """Shared bookkeeping: position tables and findings."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.values: dict[KeyPath, tuple[int, int]] = {}
        self.keys: dict[KeyPath, tuple[int, int]] = {}
        self.texts: dict[KeyPath, tuple[tuple[int, int], ...]] = {}
        self.findings: list[Finding] = []

    def report(self, rule: str, message: str, hint: str, line: int, column: int) -> None:
        self.findings.append(Finding.at(Location(self.name, line, column), rule, message, hint))

    def finish(self, data: Any, line: int = 1, column: int = 1) -> LoadResult:
        if not isinstance(data, dict):
            what = "empty" if data is None else kind_of(data)
            self.report(
                "SC007",
                f"the top level is {what}, not a mapping",
                "write `key: value` lines at the top level",
                line,
                column,
            )
            return LoadResult(None, tuple(self.findings))
        doc = Document(self.name, data, self.values, self.keys, self.texts)
        return LoadResult(doc, tuple(self.findings))


class Abort(Exception):
    pass
