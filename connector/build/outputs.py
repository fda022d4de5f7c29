"""Build the final Logto JSON of one or more environments (and their other languages), all or nothing.

Per environment: compose the layers, render the template files (:mod:`connector.build.templating`), drop empty
values as Logto's save does, validate. The result is the connector config in the project's ``language``
and, when templates have ``locales``, the body of Logto's ``PUT /api/email-templates`` for the others.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from connector.atomic import write_all
from connector.authoring.locales import email_templates_body, render_body
from connector.build.finalize import config_text, finalize
from connector.build.located import Variant
from connector.build.templating import Authoring
from connector.diagnostics.findings import Finding, has_errors
from connector.errors import InputError
from connector.logto.usage_types import unknown_usage_type
from connector.project.layout import Project, compose, load_project
from connector.schema.validate import Part, errors_to_findings
from connector.source.files import TEMPLATES_SUFFIX

if TYPE_CHECKING:
    from connector.schema.models import ConnectorConfig, StoreTemplate


@dataclass(frozen=True)
class Built:
    """One environment, built: the connector config, its language, and the templates in other languages."""

    env: str | None
    config: ConnectorConfig
    language: str
    variants: Mapping[str, Sequence[StoreTemplate]]  # language tag -> templates as stored, tags sorted
    warnings: tuple[Finding, ...] = ()

    @property
    def text(self) -> str:
        """The connector config file: what Logto stores."""
        return config_text(self.config)

    @property
    def templates_text(self) -> str | None:
        """The ``PUT /api/email-templates`` body for the other languages, or None without variants."""
        if not self.variants:
            return None

        return render_body(email_templates_body(self.variants))


def build_environments(
    project: Project,
    envs: Iterable[str | None],
    *,
    overrides: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
    resolve: bool = True,
    secrets: bool = True,
) -> dict[str | None, Built]:
    """Build each environment; InputError with every environment's findings if any fails.

    ``resolve=False`` keeps ``${VAR}`` references as written (no secret is needed or written);
    ``secrets=False`` keeps only those in credential keys (to render or write messages without a secret).
    """
    authoring = Authoring(project.root)  # one renderer per build: compiled templates are shared
    built: dict[str | None, Built] = {}
    findings: list[Finding] = []
    for env in envs:
        try:
            composed = compose(
                project, env, overrides=overrides, resolve=resolve, secrets=secrets, environ=environ
            )
        except InputError as e:
            findings.extend(e.findings)
            if not e.findings:
                raise
            continue
        authored = authoring.render(composed)
        if has_errors(authored.findings):
            findings.extend(composed.user_facing(authored.findings))
            continue
        config, found = finalize(replace(composed, data=authored.config.data), composed.last_touched)
        variants, variant_findings = _variants(authored.variants)
        if config is None or variant_findings:
            findings.extend(composed.user_facing([*found, *variant_findings]))
            continue
        warnings = tuple(composed.user_facing(authored.findings))
        built[env] = Built(env, config, authored.language, variants, warnings)
    if findings:
        raise InputError(findings=findings)
    return built


def build(
    root: str | os.PathLike[str],
    env: str | None,
    *,
    overrides: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
    resolve: bool = True,
    secrets: bool = True,
) -> Built:
    """Load the project at ``root`` and build one environment."""
    project = load_project(root)
    built = build_environments(
        project, [env], overrides=overrides, environ=environ, resolve=resolve, secrets=secrets
    )
    return built[env]


def build_config(
    root: str | os.PathLike[str],
    env: str | None,
    *,
    overrides: Sequence[str] = (),
    environ: Mapping[str, str] | None = None,
    secrets: bool = True,
) -> ConnectorConfig:
    """Compose, resolve secrets, render template files, drop empty values as Logto's save does, validate.

    The connector config only; :func:`build` gives its language and variants too.
    """
    return build(root, env, overrides=overrides, environ=environ, secrets=secrets).config


def templates_path(config_path: Path) -> Path:
    """Where the other languages go next to a config file: ``prod.json`` -> ``prod.email-templates.json``."""
    return config_path.with_name(config_path.stem + TEMPLATES_SUFFIX)


def write_outputs(outputs: Mapping[Path, str]) -> None:
    """Write every file only once all of them are built, readable by you only, all or nothing: every file
    goes to a temporary file first, and they are renamed only when all are written."""
    # Not fsynced: a build is reproducible from its sources, and an fsync per environment would cost
    # more than building it.
    write_all({path: text.encode("utf-8") for path, text in outputs.items()}, private=True, durable=False)


def _variants(variants: list[Variant]) -> tuple[dict[str, list[StoreTemplate]], list[Finding]]:
    # start-up: pydantic loads only when a config is validated
    from pydantic import ValidationError

    from connector.schema.models import StoreTemplate

    out: dict[str, list[StoreTemplate]] = {}
    findings: list[Finding] = []
    for variant in variants:
        for j, item in enumerate(variant.data["templates"]):
            # Logto's email-template API takes only its own usage types: the upload would be refused.
            kind, at = item.get("usageType"), ("templates", j, "usageType")
            unknown = unknown_usage_type(kind, variant.locate(at), at) if isinstance(kind, str) else None
            if unknown is not None:
                findings.append(unknown)
                continue
            try:
                out.setdefault(variant.language, []).append(StoreTemplate.model_validate(item))
            except ValidationError as e:  # a missing subject or content is reported before this
                findings += [
                    replace(f, key_path=("templates", j, *f.key_path))
                    for f in errors_to_findings(
                        e, Part(variant.data["templates"][j], variant, ("templates", j)), StoreTemplate
                    )
                ]
    return out, findings
