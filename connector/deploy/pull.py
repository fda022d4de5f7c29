"""A project made from what Logto holds: the connector config, its templates as files, and the
email-template store as ``locales``; every secret becomes a ``${VAR}`` reference.

Building the pulled project with those variables set gives back exactly the live config:
:func:`pull_project` checks that by building it before anything is written.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from connector.deploy.plan import Desired, Live, make_plan
from connector.deploy.target import SECTION, Target
from connector.errors import InputError
from connector.logto import SECRET_KEYS

ENV_SECRET = "${LOGTO_M2M_APP_SECRET}"
ENV_APP_ID = "${LOGTO_M2M_APP_ID}"
_RAW_UNSAFE = re.compile(r"\{%-?\s*endraw|[\r\ue000\ue001]")
_KEBAB = re.compile(r"(?<!^)(?=[A-Z])")


@dataclass
class Pulled:
    """The files of a pulled project (relative path -> text), the variables it needs (name -> the key
    whose value it holds), and what could not be carried over."""

    files: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict, repr=False)  # name -> live value (never printed)
    skipped: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)


def pull_project(live: Live, target: Target, *, env: str, language: str) -> Pulled:
    """The project for ``live``; InputError when Logto holds no SMTP connector."""
    from connector.lint.rules_secrets import SECRETS

    config = live.config
    if config is None:
        raise InputError(
            f"Logto at {target.base_url} has no SMTP connector to pull "
            f"(GET /api/connectors lists none with connectorId simple-mail-transfer-protocol)"
        )
    pulled = Pulled()
    known = {".".join(str(s) for s in path): name for path, name in SECRETS.items()}
    named: dict[tuple[str, str], str] = {}  # (base name, value): its variable
    suffixes: dict[str, int] = {}  # base name: the next suffix to try

    def secret_ref(path: str, value: Any) -> str:
        base = known.get(path) or "SMTP_" + re.sub(r"[^A-Za-z0-9]+", "_", _KEBAB.sub("_", path)).upper()
        text = str(value)
        name = named.get((base, text))
        if name is None:
            # Go on from the last suffix given: probing from _2 for each value was quadratic (8,000: 14 s).
            name, n = base, suffixes.get(base, 2)
            while name in pulled.variables:
                name, n = f"{base}_{n}", n + 1
            named[base, text], suffixes[base] = name, n
        pulled.variables[name] = path
        pulled.values[name] = text
        return "${" + name + "}"

    def convert(value: Any, path: str, secret: bool) -> Any:
        if isinstance(value, dict):
            return {
                k: convert(v, f"{path}.{k}" if path else k, secret or k in SECRET_KEYS)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [convert(v, path, secret) for v in value]
        if secret and isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return secret_ref(path, value)
        if path == "proxy" and isinstance(value, str) and "@" in value:
            return _proxy_ref(pulled, value)
        return _literal(value)

    body: dict[str, Any] = {"language": language}
    templates = config.get("templates")
    for key, value in config.items():
        if key != "templates":
            body[key] = convert(value, key, key in SECRET_KEYS)
    if isinstance(templates, list):
        body["templates"] = _templates(templates, live, language, pulled)
    pulled.files["smtp-connector.yaml"] = (
        f"# Pulled from Logto at {target.base_url} by `smtp-connector pull`.\n"
        "# Secrets are ${VAR} references: set them in the environment that builds or deploys.\n" + _dump(body)
    )
    section = {
        "endpoint": _literal(target.endpoint.value),
        "resource": _literal(target.resource.value),
        "appId": ENV_APP_ID,
        "appSecret": ENV_SECRET,
    }
    pulled.files[f"environments/{env}.yaml"] = (
        f"# The Logto tenant `smtp-connector deploy --env {env}` sends this project to.\n"
        + _dump({SECTION: section})
    )
    pulled.differences = _round_trip(pulled, live, env)
    return pulled


def write_pulled(pulled: Pulled, folder: Path) -> list[Path]:
    """Write every file, or none when one exists already (a pull never overwrites)."""
    from connector.atomic import write_bytes

    paths = [folder / name for name in pulled.files]
    existing = [str(p) for p in paths if p.exists() or p.is_symlink()]
    if existing:
        raise InputError(
            f"pull never overwrites a file, and {len(existing)} already exist: {', '.join(existing[:5])}"
            + (" ..." if len(existing) > 5 else "")
            + "; pull into a new folder"
        )
    for path, text in zip(paths, pulled.files.values(), strict=True):
        write_bytes(path, text.encode("utf-8"), durable=False)
    return paths


def _templates(items: list[Any], live: Live, language: str, pulled: Pulled) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    by_type: dict[str, dict[str, Any]] = {}
    for item in items:
        if not isinstance(item, dict):
            continue
        template: dict[str, Any] = {}
        kind = str(item.get("usageType"))
        for key, value in item.items():
            if key == "content" and isinstance(value, str):
                template[key] = _content(value, language, kind, item.get("contentType"), pulled)
            else:
                template[key] = _literal(value)
        out.append(template)
        by_type.setdefault(kind, template)
    for entry in sorted(
        live.templates, key=lambda t: (str(t.get("languageTag")), str(t.get("templateType")))
    ):
        tag, kind = str(entry.get("languageTag")), str(entry.get("templateType"))
        details = entry.get("details")
        base = by_type.get(kind)
        name = f"{tag} {kind}"
        if tag == language:
            pulled.skipped.append(
                f"{name}: a store template in the project's language `{language}` (pull with --language "
                "set to your sign-in experience's fallback language)"
            )
            continue
        if base is None or not isinstance(details, dict):
            pulled.skipped.append(f"{name}: the connector config has no {kind} template to attach it to")
            continue
        variant: dict[str, Any] = {}
        for key in ("contentType", "subject", "content", "replyTo", "sendFrom"):
            value = details.get(key)
            inherited = base.get(key)
            if key == "content" and isinstance(value, str):
                variant[key] = _content(value, tag, kind, details.get("contentType"), pulled)
            elif value is not None and (key in ("subject",) or value != inherited):
                variant[key] = _literal(value)
            elif value is None and key in ("replyTo", "sendFrom") and inherited:
                variant[key] = ""  # the store entry has none: do not inherit the template's
        base.setdefault("locales", {})[tag] = variant
    return out


def _content(text: str, tag: str, kind: str, content_type: Any, pulled: Pulled) -> Any:
    """Template text in a file when Jinja2 copies it exactly (a raw block), else inline (taken literally)."""
    if _RAW_UNSAFE.search(text):
        return _literal(text)
    suffix = "html" if content_type == "text/html" else "txt"
    path = f"templates/{tag}/{_KEBAB.sub('-', kind).lower()}.{suffix}.j2"
    # Jinja2 drops one final newline of a file; the one after endraw is that one.
    pulled.files[path] = "{% raw %}" + text + "{% endraw %}\n"
    return {"file": path}


def _literal(value: Any) -> Any:
    """A string as a source file takes it literally: ``${`` is written ``$${``."""
    if isinstance(value, str):
        return value.replace("${", "$${")
    if isinstance(value, dict):
        return {k: _literal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_literal(v) for v in value]
    return value


def _proxy_ref(pulled: Pulled, value: str) -> str:
    pulled.variables["SMTP_PROXY"] = "proxy"
    pulled.values["SMTP_PROXY"] = value
    return "${SMTP_PROXY}"


def _dump(data: Mapping[str, Any]) -> str:
    text: str = yaml.safe_dump(
        dict(data), sort_keys=False, allow_unicode=True, default_flow_style=False, width=2**31 - 1
    )
    return text


def _round_trip(pulled: Pulled, live: Live, env: str) -> list[str]:
    """Build the pulled project with its variables; what differs from Logto (nothing, normally)."""
    from connector.build.outputs import build_environments
    from connector.project.layout import load_project

    with tempfile.TemporaryDirectory(prefix="smtp-connector-pull-") as tmp:
        root = Path(tmp)
        for name, text in pulled.files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        try:
            built = build_environments(load_project(root), [env], environ=pulled.values)[env]
        except InputError as e:
            return [f.message for f in e.findings] or [e.describe()]
    skipped = {tuple(s.split(":", 1)[0].split(" ", 1)) for s in pulled.skipped}
    store = tuple(t for t in live.templates if (t.get("languageTag"), t.get("templateType")) not in skipped)
    plan = make_plan(Desired.from_built(built), Live(live.connector, (), store), prune=True)
    return plan.lines() if plan.changes else []
