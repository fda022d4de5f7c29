"""Build the final Logto JSON of one or more environments, all or nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from connector.atomic import write_atomic
from connector.errors import InputError
from connector.finalize import finalize, render
from connector.findings import Finding
from connector.project import Project, compose


def build_texts(
    project: Project,
    envs: Iterable[str | None],
    *,
    overrides: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
) -> dict[str | None, str]:
    """The JSON text of each environment; InputError with every environment's findings if any fails."""
    texts: dict[str | None, str] = {}
    findings: list[Finding] = []
    for env in envs:
        try:
            composed = compose(project, env, overrides=overrides, environ=environ)
        except InputError as e:
            findings.extend(e.findings)
            if not e.findings:
                raise
            continue
        config, found = finalize(composed)
        if config is None:
            findings.extend(found)
        else:
            texts[env] = render(config)
    if findings:
        raise InputError(findings=findings)
    return texts


def write_outputs(outputs: Mapping[Path, str]) -> None:
    """Write every file only once all of them are built, each atomically and readable by you only."""
    for path, text in outputs.items():
        write_atomic(path, text, private=True)
