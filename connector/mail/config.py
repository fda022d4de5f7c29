"""The CONFIG argument of render and send: a built config file, or a project folder with an environment.

Both go through the build's pipeline (:mod:`connector.build.pipeline`), so render and send meet a config
exactly as Logto will hold it, with the same findings as ``build``. ``--set key.path=value`` is the same
highest layer as in ``build`` (connector.project.overrides): one YAML scalar per option, merged by the
usual rules, and a mistake in it is reported at ``--set:N:C``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from connector.build.pipeline import file_config, project_config
from connector.errors import InputError, UsageError
from connector.schema.models import ConnectorConfig
from connector.source.files import project_files_in
from connector.source.loader import load


def load_runtime_config(
    target: str, *, env: str | None = None, overrides: Sequence[str] = (), secrets: bool = True
) -> ConnectorConfig:
    """Load and validate CONFIG; findings (file:line:col, or --set:N:C) become an :class:`InputError`.

    ``--set`` works as in ``build``: the highest layer, merged by the same rules (one template by usage
    type: ``--set templates.SignIn.subject=...``). ``${VAR}`` references are resolved as ``build`` resolves
    them, in a project or in a config file; ``secrets=False`` (render, ``send --dry-run``: nothing connects)
    leaves those in credential keys as written, so no secret is needed."""

    path = Path(target)
    if path.is_dir():
        if not env and not project_files_in(path):
            raise InputError(findings=load(path).findings)  # a folder, where a config file was meant
        if not env:
            raise UsageError(f"{target} is a project folder: add --env ENV to say which environment to build")
        return project_config(path, env, overrides=overrides, secrets=secrets)
    if env:
        raise UsageError(f"--env is for project folders; {target} is a built config file")
    return file_config(path, overrides=overrides, secrets=secrets)
