"""Finding the config projects under a folder (``lint .`` at a repository root, init's CI workflow).

A project is a folder holding ``smtp-connector.yaml`` (or ``.yml``). The walk skips hidden folders (``.git``,
``.venv``), the folders other tools fill (``node_modules``, ``__pycache__``) and symlinks, does not look
inside a project (a project's own folders are not projects), and visits at most :data:`MAX_FOLDERS` folders
so a huge tree cannot stall a commit.
"""

from __future__ import annotations

import os
from pathlib import Path

from connector.errors import InputError
from connector.source.files import project_files_in
from connector.source.variables import references
from connector.source.walk import strings

MAX_FOLDERS = 20_000
_SKIPPED = frozenset({"node_modules", "__pycache__", "site-packages", "venv"})


def projects_under(folder: Path) -> list[Path]:
    """The project folders at or under ``folder``, sorted, each as ``folder / relative``."""
    found: list[Path] = []
    pending = [folder]
    visited = 0
    while pending and visited < MAX_FOLDERS:
        current = pending.pop()
        visited += 1
        if project_files_in(current):
            found.append(current)
            continue
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.name in _SKIPPED:
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(current / entry.name)
            except OSError:
                continue
    return sorted(found)


def secrets_of(folder: Path) -> tuple[str, ...]:
    """The ``${VAR}`` names a project's build needs (no ``:-`` default), in the order its files name them
    (provider overlays, the project file, then each environment); () when it does not load."""
    # start-up: project composition loads only when a project is linted
    from connector.project.layout import load_project

    try:
        project = load_project(folder)
    except InputError:
        return ()
    names: dict[str, None] = {}
    for document in project.files.values():
        for _, text in strings(document.data):
            for ref in references(text):
                if ref.op != ":-":
                    names.setdefault(ref.name, None)
    return tuple(names)
