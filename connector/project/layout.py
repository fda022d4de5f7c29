"""A config project: smtp-connector.yaml, environments/<name>.yaml and the provider overlays they name.

The file names (``.yml`` too) are :data:`connector.source.files.PROJECT_FILES` and its neighbours, which the lint
and the runtime read as well.

``load_project`` reads and checks every source file once; ``compose`` merges the layers of one
environment (provider < project < environment < ``--set``), resolving ``${VAR}`` from the environment;
:mod:`connector.build.outputs` goes on from there to the final config Logto accepts (``build_config``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from connector.diagnostics.findings import Finding, Location, has_errors
from connector.diagnostics.paths import dotted
from connector.diagnostics.suggest import did_you_mean
from connector.errors import InputError, UsageError
from connector.project.layers import META_KEYS, Composed, Origin, State
from connector.project.overrides import parse_overrides
from connector.project.sources import check_source, load_provider, load_source
from connector.source.files import (
    ENVIRONMENT_NAME,
    ENVIRONMENTS_DIR,
    PROJECT_FILES,
    YAML_SUFFIXES,
    project_files_in,
)
from connector.source.loader import Document
from connector.source.variables import resolve_tree

__all__ = ["Composed", "Origin", "Project", "compose", "load_project"]


@dataclass
class Project:
    """The loaded source files of one project, each checked against the source schema."""

    root: Path
    project_file: Document
    environment_files: dict[str, Document]
    provider_files: dict[str, Document]  # keyed by the `provider:` value as written
    findings: tuple[Finding, ...] = ()  # warnings from loading (errors raise instead)
    _bases: dict[str | None, State] = field(default_factory=dict, repr=False)

    @property
    def environments(self) -> tuple[str, ...]:
        return tuple(sorted(self.environment_files))

    @property
    def provider(self) -> str | None:
        """The provider the project file names (an environment may name another)."""
        value = self.project_file.data.get("provider")
        return value if isinstance(value, str) else None

    @property
    def files(self) -> dict[str, Document]:
        """Every source file by layer name: ``provider:NAME``, ``project``, ``environment:NAME``."""
        layers = {f"provider:{name}": doc for name, doc in self.provider_files.items()}
        layers["project"] = self.project_file
        layers.update({f"environment:{name}": doc for name, doc in sorted(self.environment_files.items())})
        return layers

    def base(self, provider: str | None) -> State:
        """The provider and project layers merged (shared by every environment that uses that provider)."""
        state = self._bases.get(provider)
        if state is None:
            state = State()
            if provider is not None:
                state.apply(self.provider_files[provider], f"provider:{provider}")
            state.apply(self.project_file, "project", root=True)
            self._bases[provider] = state
        return state


def environments_in(folder: Path) -> tuple[str, ...]:
    """The environment names a project folder's environments/ holds, by file name alone (no file is read:
    shell completion asks for them on every key press)."""
    env_dir = folder / ENVIRONMENTS_DIR
    try:
        paths = list(env_dir.iterdir())
    except OSError:
        return ()
    names = {p.stem for p in paths if p.suffix in YAML_SUFFIXES and ENVIRONMENT_NAME.match(p.stem)}
    return tuple(sorted(names))


def not_a_project(folder: Path, display: str | None = None, *, nor_under: bool = False) -> Finding:
    """SC507: ``folder`` (shown as ``display``, as it was given) holds no project file; ``nor_under``: nor
    does any folder under it (lint looks there). Input, not usage: every command says it the same way."""
    name = str(folder) if display is None else display
    what = "does not exist" if not folder.is_dir() else f"has no {PROJECT_FILES[0]}"
    return Finding.at(
        Location(name),
        "SC507",
        f"{name} is not an smtp-connector project: it {what}"
        + (", nor does any folder under it" if nor_under else ""),
        "name the folder that holds smtp-connector.yaml, or create a project with "
        "`smtp-connector init DIR --provider NAME`",
    )


def load_project(root: str | os.PathLike[str], *, tolerant: bool = False) -> Project:
    """Read a project folder (or its smtp-connector.yaml); InputError with findings if a file is wrong.

    ``tolerant`` (lint): a file that reads but breaks the source schema (an unknown key, a wrong type) is
    kept with its findings in ``Project.findings``, so the environments can still be composed and checked:
    one run reports everything it can find. Only a file that cannot be read at all still raises."""
    folder = Path(root)
    if folder.name in PROJECT_FILES and not folder.is_dir():
        folder = folder.parent
    findings: list[Finding] = []
    found = project_files_in(folder)
    if len(found) > 1:
        raise InputError(
            findings=[
                Finding.at(
                    Location(str(found[1])),
                    "SC507",
                    f"{folder} has both {found[0].name} and {found[1].name}: which one is the project file?",
                    "keep one of them",
                )
            ]
        )
    if not found:
        raise InputError(findings=[not_a_project(folder)])
    project_doc = load_source(found[0], findings)
    environments: dict[str, Document] = {}
    env_dir = folder / ENVIRONMENTS_DIR
    if env_dir.is_dir():
        for path in sorted(env_dir.iterdir()):
            if path.suffix not in YAML_SUFFIXES:  # a folder named x.yaml is reported by the loader
                continue
            name = path.stem
            problem = (
                f"`{name}` is not a usable environment name"
                if not ENVIRONMENT_NAME.match(name)
                else f"a second file for environment `{name}`"
                if name in environments
                else ""
            )
            if problem:
                hint = "use letters, digits, `-`, `_` and `.`; one file per environment"
                findings.append(Finding.at(Location(str(path)), "SC508", problem, hint))
                continue
            doc = load_source(path, findings)
            if doc is not None:
                environments[name] = doc
    providers: dict[str, Document] = {}
    for doc in (project_doc, *environments.values()):
        if doc is not None:
            load_provider(doc, folder, providers, findings)
    if project_doc is None or (has_errors(findings) and not (tolerant and _readable(findings))):
        raise InputError(findings=findings)
    return Project(folder, project_doc, environments, providers, tuple(findings))


def _readable(findings: list[Finding]) -> bool:
    """Whether every error is about a value, not about reading a file (a schema error, not a syntax one)."""
    return not any(
        f.severity == "error" and f.rule[2] == "0" and f.rule not in _VALUE_RULES for f in findings
    )


# Loader findings about one value that still reads (YAML 1.1 spellings): the rest of the file is fine.
_VALUE_RULES = frozenset({"SC008", "SC009"})


def compose(
    project: Project,
    env: str | None,
    *,
    overrides: Sequence[str] = (),
    resolve: bool = True,
    secrets: bool = True,
    environ: Mapping[str, str] | None = None,
) -> Composed:
    """The merged config of ``env`` (None: the base, without an environment layer).

    ``resolve=False`` keeps ``${VAR}`` strings as written (lint works without secrets); otherwise they
    are resolved from ``environ`` (default ``os.environ``); ``secrets=False`` leaves references in
    credential keys as written (rendering needs no secret). InputError with findings at source lines.
    """
    env_doc = None
    if env is not None:
        env_doc = project.environment_files.get(env)
        if env_doc is None:
            raise UsageError(unknown_environment(project, env))
    layers: list[tuple[Document, str]] = []
    if env_doc is not None:
        layers.append((env_doc, f"environment:{env}"))
    if overrides:
        override_doc = parse_overrides(overrides)
        findings = check_source(override_doc)
        load_provider(override_doc, project.root, project.provider_files, findings)
        if has_errors(findings):
            raise InputError(findings=findings)
        layers.append((override_doc, "override"))
    provider = project.provider
    for doc, _ in layers:
        if "provider" in doc.data:
            value = doc.data["provider"]
            provider = value if isinstance(value, str) else None
    if provider is not None and provider not in project.provider_files:
        # A provider lint's tolerant load could not read (SC501 says why): there is nothing to compose.
        unknown: list[Finding] = []
        for doc in (project.project_file, *(doc for doc, _ in layers)):
            load_provider(doc, project.root, dict(project.provider_files), unknown)
        raise InputError(findings=[f for f in unknown if f.rule == "SC501"])
    state = project.base(provider).copy()
    for doc, name in layers:
        state.apply(doc, name)
    composed = _composed(state, env)
    findings = _strings(composed, resolve, secrets, os.environ if environ is None else environ)
    if has_errors(findings):
        raise InputError(findings=composed.user_facing(findings))
    return composed


def _composed(state: State, env: str | None) -> Composed:
    data = {key: value for key, value in state.data.items() if key not in META_KEYS}
    variables = state.data.get("variables")
    provider = state.data.get("provider")
    language = state.data.get("language")
    return Composed(
        data,
        variables if isinstance(variables, dict) else {},
        provider if isinstance(provider, str) else None,
        env,
        state,
        language=language if isinstance(language, str) else None,
    )


def _strings(composed: Composed, resolve: bool, secrets: bool, environ: Mapping[str, str]) -> list[Finding]:
    """Resolve (or only check) every ``${...}`` in the config and the variables."""

    composed.data, findings = resolve_tree(
        composed.data, (), composed.locate, dotted, environ, resolve=resolve, secrets=secrets
    )
    composed.variables, more = resolve_tree(
        composed.variables, ("variables",), composed.locate, dotted, environ, resolve=resolve
    )
    composed.resolved = resolve
    return [*findings, *more]


def unknown_environment(project: Project, env: str) -> str:
    names = project.environments
    if not names:
        return f"{project.root} has no environments (add {ENVIRONMENTS_DIR}/{env}.yaml)"
    suggestion = did_you_mean(env, names)
    text = f"no environment `{env}` in {project.root} (it has {', '.join(names)})"
    return text + (f"; did you mean `{suggestion}`?" if suggestion else "")
