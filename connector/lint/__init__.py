"""Lint Logto SMTP connector configs, project source files and whole projects.

``lint_paths`` is the library entry point behind ``smtp-connector lint`` and the pre-commit hook.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from connector.errors import UsageError
from connector.lint.engine import (
    Linter,
    LintResult,
    enclosing_project,
    lint_source,
    project_root_of,
)
from connector.project.discover import projects_under
from connector.project.layout import not_a_project
from connector.source.files import SOURCE_SUFFIXES, TEMPLATES_SUFFIX, project_files_in

__all__ = ["LintResult", "lint_build", "lint_paths", "lint_source"]


def lint_paths(
    paths: Sequence[str],
    *,
    env: str | None = None,
    skip_unrelated: bool = False,
    built: bool = False,
    hook: bool = False,
    deleted: Sequence[str] = (),
) -> LintResult:
    """Lint files and project folders; with no path, the project in the current folder.

    A file that belongs to a project (its project file, environments/<env>.yaml, a template) relints
    the environments it affects. ``skip_unrelated`` skips files that do not look like SMTP connector
    configs (the pre-commit hook's mode); otherwise a file that is not a project source is linted as a
    final config. ``built`` lints the files as built configs (secrets resolved, as deployed): everything
    Logto would refuse or send broken, but not the literal-secret check (SC403) meant for committed files.
    A folder that is not a project lints the projects under it.

    ``hook`` (the pre-commit hook): ``paths`` are the changed files (none given is none changed), and
    ``deleted`` the files deleted or renamed away; a change anywhere in a project's folder relints that
    project, and a file outside every project is linted only when it is surely a Logto config.
    """
    linter = Linter(skip_unrelated=skip_unrelated, built=built, hook=hook)
    projects: dict[Path, list[Path] | None] = {}  # root -> changed files, or None for the whole project
    given = list(paths) or ([] if hook else ["."])
    not_projects = False  # a folder given held no project: that finding says more than "--env needs one"
    for name in deleted:
        root = enclosing_project(Path(name))
        if root is not None and project_files_in(root):
            projects[root] = None  # what used the file is not known any more: the whole project
    for name in given:
        path = Path(name)
        if path.is_dir() and built:
            raise UsageError(f"--built lints built config files, and {name} is a folder")
        if not path.exists() and not path.is_symlink() and not any(p.is_file() for p in path.parents):
            linter.missing(path, name)
            continue
        if path.is_dir():
            if path.suffix.lower() in SOURCE_SUFFIXES and not _is_project(path):
                linter.lint_file(path, name)  # a folder named like a file: the loader says what it is
                continue
            if not _is_project(path):
                found = projects_under(path)
                if found:
                    for root in found:
                        projects[root] = None
                    continue
                if skip_unrelated or hook:
                    linter.result.skipped.append(name)
                    continue
                # A path that holds no project is wrong input, as a missing one is (SC001): exit 1, as
                # build says it (docs/cli.md, "Exit codes").
                linter.result.findings.append(not_a_project(path, name, nor_under=True))
                not_projects = True
                continue
            projects[path] = None
            continue
        root = enclosing_project(path) if path.is_file() else None
        if root is not None and not path.is_absolute() and root.is_absolute():
            root = Path(os.path.relpath(root))  # found resolved: shown relative, as the file was given
        if root is not None and _part_of(path, root) and not built:
            changed = projects.setdefault(root, [])
            if changed is not None:
                changed.append(path)
        elif root is not None and not built and (output := _built_output(path, root)) is not None:
            _lint_output(linter, path, name, root, output)
        else:
            linter.lint_file(path, name)
    if env is not None and not projects and not not_projects:
        raise UsageError("--env applies to a config project, and none was given")
    if projects:
        # start-up: project composition and rendering load only when a project is linted
        from connector.lint.project import lint_project

        for root, changed in projects.items():
            lint_project(linter, root, env=env, changed=changed)
    return linter.finish()


def _built_output(path: Path, root: Path) -> str | None:
    """The environment of ``root`` that ``path`` was built from, when it is named as ``build --out-dir``
    names its files (``ENV.json``, ``ENV.email-templates.json``), else None."""
    # start-up: project composition loads only when a project is linted
    from connector.project.layout import environments_in

    name = path.name
    if name.endswith(TEMPLATES_SUFFIX):
        return None  # checked as the email-template body it is, on its own
    if path.suffix.lower() != ".json":
        return None
    stem = name[: -len(".json")]
    return stem if stem in environments_in(root) else None


def _lint_output(linter: Linter, path: Path, name: str, root: Path, env: str) -> None:
    """A built config of ``env``: linted as a final config, keeping the suppressions its sources hold."""
    # start-up: project composition and rendering load only when a project is linted
    from connector.lint.project import source_suppressions

    linter.lint_file(path, name, waived=source_suppressions(root, env))


def lint_build(root: Path, env: str | None) -> LintResult:
    """What ``build`` checks before it writes: lint's rules on one environment of a project (None: all)."""
    # start-up: project composition and rendering load only when a project is linted
    from connector.lint.project import lint_project

    linter = Linter()
    lint_project(linter, root, env=env, layers=False)
    return linter.finish()


def _is_project(path: Path) -> bool:
    return bool(project_files_in(path))


def _part_of(path: Path, root: Path) -> bool:
    """Source files and templates are part of a project; a built JSON in its build folder is not."""

    if project_root_of(path) is not None:
        return True
    relative = path.resolve().relative_to(root.resolve())
    # Any file that is neither YAML nor JSON may be a template some environment renders ({file: ...} can
    # name one anywhere in the folder): relinting tells, and relints nothing when none renders it.
    return relative.parts[0] == "templates" or path.suffix.lower() not in SOURCE_SUFFIXES
