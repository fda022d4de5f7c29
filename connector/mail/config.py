"""The CONFIG argument of render and send: a built config file, or a project folder with an environment.

``--set key.path=value`` is the same highest layer as in ``build`` (connector.project.overrides): one YAML
scalar per option, merged by the usual rules, and a mistake in it is reported at ``--set:N:C``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from connector.diagnostics.findings import Located
from connector.errors import InputError, UsageError
from connector.logto.credentials import register_resolved_secrets
from connector.mail.locales import Languages
from connector.schema.models import ConnectorConfig, Template
from connector.source.files import project_files_in


def load_runtime(
    target: str, *, env: str | None = None, overrides: Sequence[str] = (), secrets: bool = True
) -> tuple[ConnectorConfig, Languages]:
    """:func:`load_runtime_config`, and the other languages Logto's email-template store would hold: a
    project's ``locales`` (in its ``language``), or the ENV.email-templates.json next to a built file."""
    path = Path(target)
    if path.is_dir() and env:
        from connector.build.outputs import build

        built = build(path, env, overrides=overrides, secrets=secrets)
        register_resolved_secrets(built.config.to_logto())
        return built.config, Languages.from_variants(built.language, built.variants)
    config = load_runtime_config(target, env=env, overrides=overrides, secrets=secrets)
    return config, _store_beside(path)


def _store_beside(path: Path) -> Languages:
    """The email-template store ``build`` writes next to a config file (``prod.json``:
    ``prod.email-templates.json``), if there is one; its fallback language is Logto's default, en."""
    from connector.build.outputs import templates_path
    from connector.source.loader import load

    beside = templates_path(path)
    if not beside.is_file():
        return Languages()
    loaded = load(beside)
    if loaded.document is None:
        raise InputError(findings=loaded.findings)
    from pydantic import ValidationError

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
            from connector.source.loader import load

            raise InputError(findings=load(path).findings)  # a folder, where a config file was meant
        if not env:
            raise UsageError(f"{target} is a project folder: add --env ENV to say which environment to build")
        from connector.build.outputs import build_config

        built = build_config(path, env, overrides=overrides, secrets=secrets)
        register_resolved_secrets(built.to_logto())
        return built
    if env:
        raise UsageError(f"--env is for project folders; {target} is a built config file")
    from connector.diagnostics.findings import has_errors
    from connector.schema.validate import validate_config
    from connector.source.loader import load

    loaded = load(path)
    if loaded.document is None or has_errors(loaded.findings):
        raise InputError(findings=loaded.findings)
    document = loaded.document
    source: Located = document
    if overrides:
        from connector.project.layers import Composed, State
        from connector.project.overrides import parse_overrides

        state = State()
        state.apply(loaded.document, "file", root=True)
        state.apply(parse_overrides(overrides), "override")
        source = Composed(state.data, {}, None, None, state)
        source.data = _resolved(source, secrets)
    else:
        source = dataclasses.replace(document, data=_resolved(document, secrets))
    register_resolved_secrets(source.data)
    config, findings = validate_config(source)
    if config is None:
        raise InputError(findings=findings)
    stripped = _stripped_on_save(source)
    if stripped:
        raise InputError(findings=stripped)
    # Refused here, at the line that wrote it, rather than later without a position by the renderer.
    from connector.logto.headers import header_findings
    from connector.logto.timers import timer_findings

    broken = [*header_findings(source), *timer_findings(source)]
    if broken:
        raise InputError(findings=broken)
    return config


def _stripped_on_save(source: Located) -> list[Any]:
    """A config Logto accepts on save but not once stored: an empty value it strips (``auth: {}``) was
    required, so every send of the stored config fails Logto's guard. Findings at the empty values."""
    from connector.logto import clean_deep
    from connector.schema.validate import Part, check_config

    cleaned, removed = clean_deep(source.data)
    if not removed:
        return []
    problems = check_config(Part(cleaned, source))
    if not problems:
        return []
    from connector.diagnostics.findings import Finding
    from connector.diagnostics.paths import dotted

    why = problems[0].message
    return [
        Finding.at(
            source.locate(path),
            "SC505",
            f"`{dotted(path)}` is empty: Logto deletes empty values when it saves the config, and every "
            f"send of the stored config then fails Logto's guard ({why})",
            "fill it in (auth: user and pass), or remove what Logto would delete",
            key_path=path,
        )
        for path in removed
    ]


def _resolved(source: Located, secrets: bool) -> dict[str, Any]:
    """The data of ``source`` with its ``${VAR}`` references resolved from the environment, as ``build`` does."""
    import os

    from connector.diagnostics.paths import dotted
    from connector.source.variables import resolve_tree

    data, findings = resolve_tree(source.data, (), source.locate, dotted, os.environ, secrets=secrets)
    if findings:
        from connector.schema.validate import validate_config

        # A typo (`password:` for `pass:`) is the thing to fix first: say it before the missing variable.
        config, problems = validate_config(source)
        raise InputError(findings=[*(problems if config is None else ()), *findings])
    result: dict[str, Any] = data
    return result
