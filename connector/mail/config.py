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
from connector.logto.credentials import register_resolved_secrets
from connector.mail.locales import Languages
from connector.schema.models import ConnectorConfig, Template
from connector.source.files import project_files_in
from connector.source.loader import load


def load_runtime(
    target: str, *, env: str | None = None, overrides: Sequence[str] = (), secrets: bool = True
) -> tuple[ConnectorConfig, Languages]:
    """:func:`load_runtime_config`, and the other languages Logto's email-template store would hold: a
    project's ``locales`` (in its ``language``), or the ENV.email-templates.json next to a built file."""
    path = Path(target)
    if path.is_dir() and env:
        from connector.build.outputs import build  # start-up: a project's build loads only for a project

        built = build(path, env, overrides=overrides, secrets=secrets)
        register_resolved_secrets(built.config.to_logto())
        return built.config, Languages.from_variants(built.language, built.variants)
    config = load_runtime_config(target, env=env, overrides=overrides, secrets=secrets)
    return config, _store_beside(path)


def _store_beside(path: Path) -> Languages:
    """The email-template store ``build`` writes next to a config file (``prod.json``:
    ``prod.email-templates.json``), if there is one; its fallback language is Logto's default, en."""
    from connector.build.outputs import templates_path  # start-up: as above, only for a built file

    beside = templates_path(path)
    if not beside.is_file():
        return Languages()
    loaded = load(beside)
    if loaded.document is None:
        raise InputError(findings=loaded.findings)
    from pydantic import ValidationError  # start-up: pydantic loads only when a store file exists

    store: dict[tuple[str, str], Template] = {}
    entries = loaded.document.data.get("templates")
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        details = entry.get("details") if isinstance(entry, dict) else None
        tag = entry.get("languageTag") if isinstance(entry, dict) else None
        kind = entry.get("templateType") if isinstance(entry, dict) else None
        try:
            if not (isinstance(tag, str) and isinstance(kind, str) and isinstance(details, dict)):
                raise ValueError
            store[tag, kind] = Template.model_validate({**details, "usageType": kind})
        except (ValidationError, ValueError):
            where = loaded.document.locate(("templates", i))
            raise InputError(
                f"{where}: not an entry of Logto's email-template API (languageTag, templateType, and "
                "details with subject, content and contentType)",
                hint=f"build it again with the config next to it, or move {beside.name} away",
            ) from None
    return Languages(store=store)


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
