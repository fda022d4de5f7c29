"""The config Logto will hold: compose, resolve ``${VAR}``, clean as Logto's save does, validate, gate.

The one pipeline every command that makes such a config goes through: ``build`` and ``deploy``
(:func:`build_gated`: lint's rules first, then every environment built), ``render`` and ``send``
(:func:`project_config` for a project folder, :func:`file_config` for a built file). The steps themselves
live in their stages: :func:`connector.project.layout.compose` (layers and ``${VAR}``),
:mod:`connector.build.templating`, :func:`connector.build.finalize.finalize` (Logto's clean, validation,
SC402). Commands call these and print what they return.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from connector.build.finalize import finalize
from connector.build.outputs import build_config, build_environments
from connector.diagnostics.findings import Finding, Located, has_errors, sort_findings
from connector.diagnostics.paths import dotted
from connector.errors import InputError
from connector.logto.credentials import register_resolved_secrets
from connector.project.layers import Composed, State
from connector.project.overrides import parse_overrides
from connector.schema.validate import check_config, validate_config
from connector.source.loader import load
from connector.source.variables import resolve_tree

if TYPE_CHECKING:
    from connector.build.outputs import Built
    from connector.project.layout import Project
    from connector.schema.models import ConnectorConfig


class Checked(Protocol):
    """What the gate's rules report: every finding, suppressed ones marked."""

    @property
    def findings(self) -> Sequence[Finding]: ...


# The gate's rules: lint's, on one environment of the project at a root (None: every environment). The
# command passes ``connector.lint.lint_build`` in: lint sits above build (it renders projects as build does).
Rules = Callable[[Path, str | None], Checked]


@dataclass(frozen=True)
class Gate:
    """A passed gate: the findings it showed (not to be shown again) and the warnings new to the command."""

    shown: frozenset[Finding]
    warnings: tuple[Finding, ...]


def gate(project: Project, env: str | None, rules: Rules) -> Gate:
    """The build is a gate: lint's rules (and its suppression comments) on what it builds (env None: all).

    An error raises InputError, so nothing is written or deployed; the findings the project's loading
    already reported are left out (the command showed them).
    """
    result = rules(project.root, env)
    shown = frozenset(f for f in result.findings if not f.suppressed)
    fresh = sort_findings(f for f in shown if f not in project.findings)
    if has_errors(result.findings):
        raise InputError(findings=fresh)
    return Gate(shown, tuple(fresh))


def build_gated(
    project: Project,
    envs: Sequence[str | None],
    rules: Rules,
    show: Callable[[Iterable[Finding]], None],
    *,
    every: bool = False,
    overrides: Sequence[str] = (),
    resolve: bool = True,
    before_secrets: Callable[[], None] | None = None,
) -> dict[str | None, Built]:
    """Gate, then build ``envs`` all or nothing (``build``, ``deploy``); ``every`` gates every environment.

    ``show`` is handed the warnings as they come (the gate's, then each environment's that the gate did
    not already show), so they are printed before a later error stops the command. ``before_secrets`` runs
    after the gate, before the build that reads secrets (deploy: which Logto tenant, asked first).
    """

    passed = gate(project, None if every else envs[0], rules)
    show(passed.warnings)
    if before_secrets is not None:
        before_secrets()
    built = build_environments(project, envs, overrides=overrides, resolve=resolve)
    for item in built.values():
        show([f for f in item.warnings if f not in passed.shown])
    return built


def project_config(
    root: str | os.PathLike[str], env: str, *, overrides: Sequence[str] = (), secrets: bool = True
) -> ConnectorConfig:
    """A project's environment built as ``build`` builds it (``render``, ``send``), its secrets registered."""

    config = build_config(root, env, overrides=overrides, secrets=secrets)
    register_resolved_secrets(config.to_logto())
    return config


def file_config(
    path: Path,
    *,
    overrides: Sequence[str] = (),
    secrets: bool = True,
    environ: Mapping[str, str] | None = None,
) -> ConnectorConfig:
    """A built config file as Logto holds it once saved (``render``, ``send``).

    ``--set`` is the highest layer, as in ``build``; ``${VAR}`` references are resolved as ``build``
    resolves them (``secrets=False``: those in credential keys stay as written). Findings at file:line:col
    (or --set:N:C) become an :class:`InputError`.
    """

    loaded = load(path)
    if loaded.document is None or has_errors(loaded.findings):
        raise InputError(findings=loaded.findings)
    document = loaded.document
    source: Located = document
    if overrides:
        state = State()
        state.apply(document, "file", root=True)
        state.apply(parse_overrides(overrides), "override")
        composed = Composed(state.data, {}, None, None, state)
        composed.data = _resolved(composed, secrets, environ)
        source = composed
    else:
        source = dataclasses.replace(document, data=_resolved(document, secrets, environ))
    register_resolved_secrets(source.data)
    # A file may hold a null, which Logto's guard refuses on save (a composed project holds none: a null
    # removes its key), so the file is checked as written (the schema alone: fast) before it is validated
    # as Logto keeps it.
    refused = check_config(source)
    if refused:
        raise InputError(findings=refused)
    config, findings = finalize(source)
    if config is None:
        raise InputError(findings=findings)
    return config


def _resolved(source: Located, secrets: bool, environ: Mapping[str, str] | None) -> dict[str, Any]:
    """The data of ``source`` with its ``${VAR}`` references resolved from the environment, as ``build`` does."""

    values = os.environ if environ is None else environ
    data, findings = resolve_tree(source.data, (), source.locate, dotted, values, secrets=secrets)
    if findings:
        # A typo (`password:` for `pass:`) is the thing to fix first: say it before the missing variable.
        config, problems = validate_config(source)
        raise InputError(findings=[*(problems if config is None else ()), *findings])
    result: dict[str, Any] = data
    return result
