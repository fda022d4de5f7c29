"""What the YAML and JSON readers produce: a :class:`Document` (data plus the position of every key and
value) and the bookkeeping they share. :mod:`connector.source.loader` picks the reader and re-exports these."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connector.diagnostics.describe import kind_of
from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.paths import KeyPath as KeyPath

MAX_NODES = 100_000  # expanded through aliases; a real connector config has a few hundred
MAX_DEPTH = 64


@dataclass(frozen=True)
class Document:
    """A loaded file: its data and where each key and value stands in it."""

    file: str
    data: dict[str, Any]
    values: Mapping[KeyPath, tuple[int, int]] = field(default_factory=dict, repr=False)
    keys: Mapping[KeyPath, tuple[int, int]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # Before any finding about this document can be printed (connector/source/secret_values.py).
        from connector.source.secret_values import register_written_secrets

        register_written_secrets(self.data)

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
        doc = Document(self.name, data, self.values, self.keys)
        return LoadResult(doc, tuple(self.findings))


class Abort(Exception):
    pass
