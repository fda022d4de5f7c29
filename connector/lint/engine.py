"""Lint inputs: read each file once, decide what it is, run the rules for that kind, apply suppressions."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

from connector.diagnostics.findings import Finding, Location, has_errors, sort_findings
from connector.diagnostics.paths import KeyPath
from connector.diagnostics.suggest import did_you_mean
from connector.lint.base import ONE_FILE, Context, Mode, Provenance, Source
from connector.lint.templates_body import check_templates_body
from connector.logto import CONFIG_KEYS
from connector.source.files import (
    ENVIRONMENTS_DIR,
    LOGTO_SECTION,
    PROJECT_FILES,
    SOURCE_SUFFIXES,
    TEMPLATES_SUFFIX,
    YAML_SUFFIXES,
    project_files_in,
)
from connector.source.loader import MAX_BYTES, LoadResult, load, loads, read_capped
from connector.source.suppress import (
    CONFIG_NAME,
    ConfigFinder,
    LintConfig,
    Suppressor,
    check_comments,
    read_config,
)

# Text that marks a file as ours even when it does not load (for files that are not named like ours).
_MARKERS = ("fromEmail", "usageType", "smtp-connector.schema")

Kind = Literal["final", "layer", "lint-config", "email-templates"]


@dataclass
class LintResult:
    """Every finding (suppressed ones marked), and what was linted or skipped as not ours."""

    findings: list[Finding] = field(default_factory=list)
    suppressions: dict[Finding, str] = field(default_factory=dict)  # SARIF kind: inSource or external
    linted: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    files: set[str] = field(default_factory=set)  # every file checked (absolute), for the summary
    environments: int = 0  # environments composed and checked, for the summary

    @property
    def failed(self) -> bool:
        return has_errors(self.findings)


def lint_source(source: Source, mode: Mode, provenance: Provenance = ONE_FILE) -> list[Finding]:
    """Run the rules for ``mode`` over one loaded or composed config (anything with .data and .locate)."""
    # start-up: the rule modules load only when a config is linted (an unrelated file needs none)
    from connector.lint.registry import rules_for

    context = Context(source, mode, provenance)
    findings: list[Finding] = []
    for lint_rule in rules_for(mode):
        findings.extend(lint_rule(context))
    return findings


def project_root_of(path: Path) -> Path | None:
    """The project folder of a source file named like one: smtp-connector.yaml or environments/<env>.yaml."""
    if path.name in PROJECT_FILES:
        return path.parent
    if path.suffix not in YAML_SUFFIXES:
        return None
    if path.parent.name == ENVIRONMENTS_DIR:
        root = path.parent.parent
        return root if project_files_in(root) else None
    if path.parent.name not in ("", ".."):
        return None  # in a folder of another name: not an environment file
    # Named from inside the folder (`cd environments && smtp-connector lint prod.yaml`, `x/../prod.yaml`):
    # the folder it is in, written out, decides; the root is named from here (`..`).
    parent = Path(os.path.normpath(path.absolute().parent))
    if parent.name == ENVIRONMENTS_DIR and project_files_in(parent.parent):
        return Path(os.path.relpath(parent.parent))
    return None


def enclosing_project(path: Path) -> Path | None:
    """The nearest folder above ``path`` holding a project file, up to the repository root."""
    named = project_root_of(path)
    if named is not None:
        return named
    return _project_above_given(path.parent.absolute())


@cache
def _project_above_given(folder: Path) -> Path | None:
    # Cached by the absolute folder too: resolving it is a system call per part of the path, per file.
    return _project_above(folder.resolve())


@cache
def _project_above(folder: Path) -> Path | None:
    # Cached per folder: the hook lints hundreds of files that share a handful of folders.
    if project_files_in(folder):
        return folder
    if (folder / ".git").exists() or folder.parent == folder:
        return None
    return _project_above(folder.parent)


class Linter:
    """One lint run: the files it read (once each), its findings, and the lint configs it found."""

    def __init__(self, *, skip_unrelated: bool = False, built: bool = False, hook: bool = False) -> None:
        # The hook is given every YAML and JSON file of a repository: it skips those that are not ours.
        # A person naming a file wants it linted, whatever it looks like (as a final config).
        self.skip_unrelated = skip_unrelated or hook
        # The hook (`lint --hook`) lints a file outside every project only when it is surely a Logto config:
        # another tool's `fromEmail:` or `templates:` must not block an unrelated commit.
        self.strict = hook
        self.final_mode: Mode = "built" if built else "final"
        self.result = LintResult()
        self.texts: dict[str, str] = {}
        self.configs = ConfigFinder()
        self.suppressor = Suppressor(self.texts)

    def finish(self) -> LintResult:
        if not self.skip_unrelated:
            # A person (or a CI step) named these: a path with nothing to lint in it is a mistake, not a pass.
            self.result.findings += [_not_a_config(name) for name in self.result.skipped]
        self.result.findings = sort_findings([*self.result.findings, *self.configs.findings])
        return self.result

    def missing(self, path: Path, display: str) -> None:
        """A named path that does not exist: SC001, with the nearest name in its folder."""
        folder = path.parent
        try:
            names = [p.name for p in folder.iterdir()] if folder.is_dir() else []
        except OSError:
            names = []
        guess = did_you_mean(path.name, names)
        hint = (
            f"did you mean `{folder / guess if str(folder) != '.' else guess}`?"
            if guess
            else "check the path"
        )
        self.result.findings.append(
            Finding.at(Location(display), "SC001", "no such file or folder: nothing here to lint", hint)
        )

    def add(
        self,
        findings: Iterable[Finding],
        config: LintConfig,
        waived: frozenset[tuple[str, KeyPath]] = frozenset(),
    ) -> None:
        """Keep ``findings``, suppressed ones marked; ``waived``: (rule, key path) pairs suppressed where the
        file came from (a built config keeps the suppressions of the project it was built from)."""
        marked = self.suppressor.apply(findings, config, self.result.suppressions)
        for index, finding in enumerate(marked):
            if not finding.suppressed and (finding.rule, finding.key_path) in waived:
                marked[index] = finding.suppress()
                self.result.suppressions[marked[index]] = "external"
        self.result.findings.extend(marked)

    def read(self, path: Path, display: str, *, layer: bool = False) -> tuple[str | None, LoadResult]:
        """The text and the loaded file; ``layer``: a source layer, where nothing written is an empty layer."""
        try:
            raw = read_capped(path, MAX_BYTES)
        except OSError:
            return None, load(path, display=display)  # the loader words the refusal
        if len(raw) > MAX_BYTES:
            return None, load(path, display=display)
        text = raw.decode("utf-8", errors="replace")
        self.texts[display] = text
        return text, loads(raw, display, json_syntax=path.suffix.lower() == ".json", layer=layer)

    def lint_file(
        self,
        path: Path,
        display: str,
        mode: Mode | None = None,
        *,
        waived: frozenset[tuple[str, KeyPath]] = frozenset(),
    ) -> None:
        """Lint one file as what it looks like (or as ``mode``); files that are not ours are skipped.

        ``waived``: findings suppressed in the sources the file was built from (:meth:`add`)."""
        if mode is None and path.suffix.lower() not in SOURCE_SUFFIXES:
            self.result.skipped.append(display)  # a template of a project that is not composed here
            return
        layer = mode in ("layer", "project-layer") or project_root_of(path) is not None
        text, loaded = self.read(path, display, layer=layer)
        config = self.configs.for_dir(path.parent)
        document = loaded.document
        kind: Kind | None
        if document is None:
            ours = (
                text is None
                or mode is not None
                or _named_like_ours(path)
                or (not self.strict and any(m in text for m in _MARKERS))
                or (self.strict and _schema_marked(text))
            )
            kind = "final" if ours or not self.skip_unrelated else None
        else:
            kind = (
                "layer"
                if mode in ("layer", "project-layer")
                else classify(path, document.data, text or "", strict=self.strict)
            )
        if kind is None and not self.skip_unrelated:
            kind = "final"
        if kind is None:
            self.result.skipped.append(display)
            return
        self.result.linted.append(display)
        self.result.files.add(os.path.abspath(path))
        findings = list(loaded.findings)
        if text is not None:
            findings += check_comments(display, text)
        if document is not None and kind == "lint-config":
            findings += read_config(path, display)[1]
        elif document is not None and kind == "email-templates":
            shape, languages = check_templates_body(document)
            findings += shape
            for entries, tag in languages:
                findings += lint_source(entries, "variant", Provenance(language=tag))
        elif document is not None:
            findings += lint_source(document, mode or ("layer" if kind == "layer" else self.final_mode))
        self.add(findings, config, waived)


def _not_a_config(display: str) -> Finding:
    return Finding.at(
        Location(display),
        "SC013",
        "is not an SMTP connector config (nor a project folder or a template), so nothing in it was linted",
        "name a project folder, a source file or a final config; the pre-commit hook passes --skip-unrelated",
    )


def _named_like_ours(path: Path) -> bool:
    return (
        path.name in (*PROJECT_FILES, CONFIG_NAME)
        or path.name.endswith(TEMPLATES_SUFFIX)
        or project_root_of(path) is not None
    )


def _schema_marked(text: str) -> bool:
    """Whether the file's first lines name the smtp-connector schema (``# yaml-language-server: $schema=``)."""
    return "$schema" in text and "smtp-connector" in "\n".join(
        line for line in text.splitlines()[:5] if "$schema" in line
    )


def is_logto_config(data: dict[str, object]) -> bool:
    """Whether ``data`` is surely a Logto email connector config: a non-empty ``templates`` list whose every
    entry has a ``usageType`` (no other tool's config has that)."""
    templates = data.get("templates")
    return (
        isinstance(templates, list)
        and bool(templates)
        and all(isinstance(t, dict) and "usageType" in t for t in templates)
    )


def is_templates_body(data: dict[str, object]) -> bool:
    """Whether ``data`` reads as a body of Logto's email-template API (as ``build`` writes for ``locales``)
    rather than a connector config: only ``templates``, whose entries have ``templateType``, not ``usageType``."""
    templates = data.get("templates")
    if data.keys() != {"templates"} or not isinstance(templates, list) or not templates:
        return False
    first = templates[0]
    return isinstance(first, dict) and "templateType" in first and "usageType" not in first


def classify(path: Path, data: dict[str, object], text: str, *, strict: bool = False) -> Kind | None:
    """What a loaded file is: a final config, a project source layer, the lint config, an email-templates
    body, or not ours (None). ``strict`` (the hook, for files outside every project): a final config only
    when the schema line names ours or its templates have usage types."""
    if path.name == CONFIG_NAME:
        return "lint-config"
    if project_root_of(path) is not None:
        return "layer"
    if path.name.endswith(TEMPLATES_SUFFIX) or is_templates_body(data):
        return "email-templates"
    keys = data.keys()
    marked = _schema_marked(text)
    if keys & {"provider", "variables", LOGTO_SECTION} and (keys & CONFIG_KEYS or marked):
        return "layer"
    if marked or is_logto_config(data):
        return "final"
    if keys & {"fromEmail", "templates"} and not strict:
        return "final"
    return None
