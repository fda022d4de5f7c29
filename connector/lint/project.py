"""Linting a config project: every source layer, and every environment's composed result.

Composition is connector.project's (``load_project``, ``compose``); it is imported only when a project is
linted, so linting single files never depends on it.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from connector.errors import InputError, UsageError
from connector.findings import Finding
from connector.lint.engine import SOURCE_SUFFIXES, Linter, lint_source
from connector.suggest import did_you_mean


def project_module() -> ModuleType | None:
    """connector.project when this installation has it (it composes projects), else None."""
    try:
        return importlib.import_module("connector.project")
    except ImportError:
        return None


def require_project_module(what: str) -> ModuleType:
    module = project_module()
    if module is None:
        raise UsageError(f"{what}: linting a project folder needs connector.project, which is not installed")
    return module


def affected_environments(project: Any, changed: Iterable[Path]) -> set[str] | None:
    """The environments a change to ``changed`` can alter; None means all of them.

    A change to environments/<env>.yaml affects <env>; any other project file (the project file, a
    template, a partial) affects every environment.
    """
    root = Path(project.root).resolve()
    names = set(project.environments)
    envs: set[str] = set()
    for path in changed:
        try:
            relative = path.resolve().relative_to(root)
        except ValueError:
            continue
        parts = relative.parts
        if len(parts) == 2 and parts[0] == "environments" and relative.stem in names:
            envs.add(relative.stem)
        else:
            return None
    return envs


def lint_project(
    linter: Linter,
    root: Path,
    *,
    env: str | None = None,
    changed: Iterable[Path] | None = None,
) -> None:
    """Lint a project into ``linter``: its layers (or only ``changed`` ones) and the environments they affect."""
    module = require_project_module(str(root))
    config = linter.configs.for_dir(root)
    try:
        project = module.load_project(root)
    except InputError as e:
        linter.add(e.findings or [_failure(root, e)], config)
        linter.result.linted.append(str(root))
        return
    environments = tuple(project.environments)
    if env is not None and env not in environments:
        guess = did_you_mean(env, environments)
        known = ", ".join(environments) or "none"
        raise UsageError(
            f"{root}: no environment `{env}`"
            + (f"; did you mean `{guess}`?" if guess else f" (environments: {known})")
        )
    changed_files = None if changed is None else [Path(p) for p in changed]
    targets: Iterable[str | None]
    if env is not None:
        targets = [env]
    elif (
        changed_files is not None and (affected := affected_environments(project, changed_files)) is not None
    ):
        targets = sorted(affected)
    else:
        targets = environments or [None]
    layers = changed_files if changed_files is not None else [Path(f) for f in project.files]
    for layer in layers:
        if layer.suffix.lower() in SOURCE_SUFFIXES:
            linter.lint_file(layer, str(layer), mode="project-layer")
    for name in targets:
        try:
            composed = module.compose(project, name, resolve=False)
        except InputError as e:
            linter.add(e.findings or [_failure(root, e)], config)
            continue
        linter.add(lint_source(composed, "composed"), config)
    linter.result.linted.append(str(root))


def _failure(root: Path, error: InputError) -> Finding:
    from connector.findings import Location

    return Finding.at(Location(str(root)), "SC001", str(error), "fix the project so that it composes")
