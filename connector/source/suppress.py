"""Suppressing findings by rule id: inline comments, and a project-level list in .smtp-connector-lint.yaml.

Suppressed findings are kept (marked ``suppressed``) so that JSON and SARIF can show them; they never
fail a run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from connector.diagnostics.catalog import RULES
from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.suggest import did_you_mean
from connector.source.loader import MAX_BYTES, load, read_capped

CONFIG_NAME = ".smtp-connector-lint.yaml"
_COMMENT = re.compile(r"(?:^|\s)#\s*smtp-connector:\s*disable=([^#\r\n]*)")
_ID = re.compile(r"[^\s,]+")


@dataclass(frozen=True)
class LintConfig:
    """The project-level settings: rule ids disabled for every file linted under the config's folder."""

    disable: frozenset[str] = frozenset()


def _comment_ids(line: str) -> Iterator[tuple[str, int]]:
    """Each rule id named in a suppression comment on ``line``, with its 1-based column."""
    for comment in _COMMENT.finditer(line):
        for match in _ID.finditer(comment.group(1)):
            yield match.group(0).upper(), comment.start(1) + match.start() + 1


class Suppressor:
    """Applies inline comments and a :class:`LintConfig`; reads each file's lines at most once."""

    def __init__(self, texts: dict[str, str]) -> None:
        self._texts = texts
        self._lines: dict[str, list[str]] = {}
        # Many findings share a line (minified JSON has one): read each line's comments once.
        self._inline: dict[tuple[str, int], set[str]] = {}

    def lines(self, file: str) -> list[str]:
        if file not in self._lines:
            text = self._texts.get(file)
            if text is None:
                try:  # never blocks on a FIFO, never reads more than a source file may hold
                    text = read_capped(file, MAX_BYTES).decode("utf-8", errors="replace")
                except OSError:
                    text = ""
            self._lines[file] = text.splitlines()
        return self._lines[file]

    def inline(self, file: str, line: int) -> set[str]:
        """Ids disabled for ``line``: a comment at its end, or on the comment-only lines right above it."""
        key = (file, line)
        if key not in self._inline:
            self._inline[key] = self._read_inline(file, line)
        return self._inline[key]

    def _read_inline(self, file: str, line: int) -> set[str]:
        lines = self.lines(file)
        if not 1 <= line <= len(lines):
            return set()
        ids = {rule for rule, _ in _comment_ids(lines[line - 1])}
        above = line - 2
        while above >= 0 and lines[above].lstrip().startswith("#"):
            ids.update(rule for rule, _ in _comment_ids(lines[above]))
            above -= 1
        return ids

    def apply(
        self, findings: Iterable[Finding], config: LintConfig, kinds: dict[Finding, str]
    ) -> list[Finding]:
        """The findings with suppressed ones marked; ``kinds`` records SARIF's inSource or external."""
        result = []
        for finding in findings:
            if finding.rule in self.inline(finding.file, finding.line):
                finding = finding.suppress()
                kinds[finding] = "inSource"
            elif finding.rule in config.disable:
                finding = finding.suppress()
                kinds[finding] = "external"
            result.append(finding)
        return result


def check_comments(file: str, text: str) -> list[Finding]:
    """Warn about suppression comments that name no known rule (they would silently do nothing)."""
    findings: list[Finding] = []
    if "smtp-connector:" not in text:
        return findings
    for number, line in enumerate(text.splitlines(), 1):
        for rule, column in _comment_ids(line):
            if rule not in RULES:
                findings.append(_unknown_rule(Location(file, number, column), rule, "suppression comment"))
    return findings


def _unknown_rule(where: Location, rule: str, place: str) -> Finding:
    guess = did_you_mean(rule, RULES, cutoff=0.8)
    return Finding.at(
        where,
        "SC407",
        f"`{rule}` in this {place} is not a rule id" + (f"; did you mean `{guess}`?" if guess else ""),
        "rule ids look like SC104; docs/lint.md lists them all",
    )


class ConfigFinder:
    """Finds the .smtp-connector-lint.yaml that governs a folder: there, or in a parent up to the repo root."""

    def __init__(self) -> None:
        self._by_dir: dict[Path, LintConfig] = {}
        self._given: dict[Path, LintConfig] = {}  # by the folder as given, before resolving it
        self.findings: list[Finding] = []

    def for_dir(self, folder: Path) -> LintConfig:
        # Files named in one run share a handful of folders: resolving each file's folder again (a system
        # call per part of the path) cost more than linting some of them.
        config = self._given.get(folder)
        if config is None:
            config = self._given[folder] = self._resolved(folder.resolve())
        return config

    def _resolved(self, folder: Path) -> LintConfig:
        if folder not in self._by_dir:
            candidate = folder / CONFIG_NAME
            if candidate.is_file():
                config, findings = read_config(candidate, str(_shown(candidate)))
                self.findings += findings
            elif (folder / ".git").exists() or folder.parent == folder:
                config = LintConfig()
            else:
                config = self._resolved(folder.parent)
            self._by_dir[folder] = config
        return self._by_dir[folder]


def _shown(path: Path) -> Path:
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def read_config(path: Path, display: str) -> tuple[LintConfig, list[Finding]]:
    """Read a lint config: ``disable: [SC303, ...]``. Problems are warnings; the rest still applies."""

    result = load(path, display=display)
    findings = list(result.findings)
    if result.document is None:
        return LintConfig(), findings
    document = result.document
    for key in document.data:
        if key != "disable":
            guess = did_you_mean(key, ["disable"])
            findings.append(
                Finding.at(
                    document.locate((key,), key=True),
                    "SC407",
                    f"unknown key `{key}` in the lint config"
                    + (f"; did you mean `{guess}`?" if guess else ""),
                    "the lint config has one key: `disable: [SC303, ...]`",
                )
            )
    ids = document.data.get("disable", [])
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        findings.append(
            Finding.at(
                document.locate(("disable",)),
                "SC407",
                "`disable` must be a list of rule ids",
                "write `disable: [SC303, SC309]`",
            )
        )
        return LintConfig(), findings
    for index, rule in enumerate(ids):
        if rule.upper() not in RULES:
            findings.append(_unknown_rule(document.locate(("disable", index)), rule, "lint config"))
    return LintConfig(frozenset(i.upper() for i in ids)), findings
