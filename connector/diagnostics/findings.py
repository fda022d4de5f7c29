"""Findings: what loaders, validation, merge and lint rules report, as data until the very end."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the catalog (every rule's severity) is read only when a finding is made
    from connector.diagnostics.catalog import Severity


def with_hint(text: str, hint: str) -> str:
    """``text (hint: hint)``, or ``text`` alone: how a finding or an error shows its hint on one line."""
    return f"{text} (hint: {hint})" if hint else text


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a source file; ``line`` and ``column`` are 1-based."""

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem, at the place in a source file that caused it."""

    file: str
    line: int
    column: int
    rule: str
    severity: Severity
    message: str
    hint: str = ""
    suppressed: bool = False

    @classmethod
    def at(
        cls, where: Location, rule: str, message: str, hint: str = "", severity: Severity | None = None
    ) -> Finding:
        """A finding at ``where``; the severity defaults to the rule's own."""
        from connector.diagnostics.catalog import severity_of

        return cls(where.file, where.line, where.column, rule, severity or severity_of(rule), message, hint)

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.column)

    def format(self) -> str:
        """The compiler-style line: ``path:line:col: error SC104 message (hint: ...)``."""
        return with_hint(
            f"{self.file}:{self.line}:{self.column}: {self.severity} {self.rule} {self.message}", self.hint
        )

    def as_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }
        if self.suppressed:
            data["suppressed"] = True
        return data

    def suppress(self) -> Finding:
        return replace(self, suppressed=True)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Stable reading order: by file, then position, then rule; exact duplicates dropped."""
    unique = dict.fromkeys(findings)
    return sorted(unique, key=lambda f: (f.file, f.line, f.column, f.rule, f.message))


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == "error" and not f.suppressed for f in findings)
