"""Findings: what loaders, validation, merge and lint rules report, as data until the very end."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from connector.diagnostics.catalog import RULES, severity_of
from connector.diagnostics.paths import KeyPath, dotted

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


# Finer kinds than a rule's own name, for rules that cover several cases a later stage tells apart (each
# documented in docs/lint.md, "What a finding holds"). Every other finding's kind is its rule's name; an
# SC202 finding about a value of another JSON type keeps its rule's, `wrong-type`.
FINER_KINDS = frozenset(
    {
        "null",  # SC202: null, which Logto's guard refuses
        "not-allowed",  # SC202: not one of the allowed values (enum, const)
        "empty",  # SC202: an empty string where a value is required
        "too-long",  # SC202: a string longer than allowed
        "no-match",  # SC202: a string not in the expected form (pattern)
        "out-of-range",  # SC202: a number below the minimum or above the maximum
        "item-count",  # SC202: a list with too few or too many items
    }
)


class Located(Protocol):
    """Data that knows where each of its values came from (a loaded file, or a merged project)."""

    @property
    def data(self) -> dict[str, Any]: ...
    def locate(self, path: KeyPath, *, key: bool = False) -> Location: ...


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem, at the place in a source file that caused it.

    Everything a later stage decides on is a field, never read back from ``message`` (text for people):

    - ``key_path``: where in the config the problem is, as data (``("auth", "pass")``); for a missing key,
      the path the key would have; ``()`` when the problem is not about a key (a YAML syntax error).
    - ``kind``: what the problem is, machine-readable: the rule's name from the catalog (``unknown-key``,
      ``missing-key``, ``syntax-error``...) or, for a rule covering several cases, one of
      :data:`FINER_KINDS`.
    - ``excerpt``: the text the finding is about as written (a placeholder such as ``{{cod}}``), for a
      stage that must find it again in a file the config was built from; empty when there is none.

    They take no part in equality: two findings that read the same at the same place are one.
    """

    file: str
    line: int
    column: int
    rule: str
    severity: Severity
    message: str
    hint: str = ""
    suppressed: bool = False
    key_path: KeyPath = field(default=(), compare=False)
    kind: str = field(default="", compare=False)
    excerpt: str = field(default="", compare=False)

    @classmethod
    def at(
        cls,
        where: Location,
        rule: str,
        message: str,
        hint: str = "",
        severity: Severity | None = None,
        *,
        key_path: KeyPath = (),
        kind: str = "",
        excerpt: str = "",
    ) -> Finding:
        """A finding at ``where``; the severity defaults to the rule's own, the kind to the rule's name."""
        return cls.placed(
            where.file, where.line, where.column, rule, message, hint, severity,
            key_path=key_path, kind=kind, excerpt=excerpt,
        )  # fmt: skip

    @classmethod
    def placed(
        cls,
        file: str,
        line: int,
        column: int,
        rule: str,
        message: str,
        hint: str = "",
        severity: Severity | None = None,
        *,
        key_path: KeyPath = (),
        kind: str = "",
        excerpt: str = "",
    ) -> Finding:
        """:meth:`at` for a caller that has the place as numbers (a batch line's 100,000 findings), without
        a :class:`Location` made and read for each."""
        known = RULES.get(rule)  # one look-up for both defaults
        if not kind:
            kind = known.title if known is not None else ""
        if not severity:
            severity = known.severity if known is not None else severity_of(rule)
        return cls(file, line, column, rule, severity, message, hint, False, key_path, kind, excerpt)

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
            "kind": self.kind,
            "key": dotted(self.key_path) if self.key_path else "",
            "keyPath": list(self.key_path),
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
