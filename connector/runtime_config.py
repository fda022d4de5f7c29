"""The CONFIG argument of render and send: a built config file, or a project folder with an environment.

``--set key.path=value`` changes the loaded data before it is validated, so a mistake still points at
the file (``port=abc`` is reported like a wrong port in the file). Values are read as JSON when they
parse (2525, true, "x", [..]) and as plain text otherwise.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from connector.errors import InputError, UsageError
from connector.models import ConnectorConfig
from connector.redact import register_secret

Override = tuple[tuple[str | int, ...], Any]
SECRET_KEYS = frozenset(
    ("pass", "clientSecret", "refreshToken", "accessToken", "privateKey", "passphrase", "key")
)


def parse_overrides(items: Sequence[str]) -> list[Override]:
    """``["port=2525", "templates.0.subject=Hi"]`` as (path, value) pairs; bad syntax is a usage error."""
    parsed: list[Override] = []
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip() or any(not part for part in key.split(".")):
            raise UsageError(f"--set {item!r}: expected key.path=value, like --set port=2525")
        path = tuple(int(part) if part.isdigit() else part for part in key.strip().split("."))
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        parsed.append((path, value))
    return parsed


def apply_overrides(data: dict[str, Any], overrides: Sequence[Override]) -> dict[str, Any]:
    """A copy of ``data`` with each override set; missing mappings on the way are created."""
    result = copy.deepcopy(data)
    for path, value in overrides:
        node: Any = result
        for depth, step in enumerate(path[:-1]):
            nxt = _child(node, step, path[: depth + 1])
            if nxt is None:
                nxt = node[str(step)] = {}
            node = nxt
        last = path[-1]
        if isinstance(node, dict):
            node[str(last)] = value
        elif isinstance(node, list) and isinstance(last, int) and last < len(node):
            node[last] = value
        else:
            raise UsageError(f"--set {_dotted(path)}: there is no such place in the config")
    return result


def _child(node: Any, step: str | int, path: tuple[str | int, ...]) -> Any:
    if isinstance(node, dict):
        return node.get(str(step))
    if isinstance(node, list) and isinstance(step, int) and step < len(node):
        return node[step]
    raise UsageError(f"--set {_dotted(path)}: there is no such place in the config")


def _dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(str(step) for step in path)


def load_runtime_config(
    target: str, *, env: str | None = None, overrides: Sequence[str] = ()
) -> ConnectorConfig:
    """Load and validate CONFIG; findings (file:line:col) become an :class:`InputError`."""
    parsed = parse_overrides(overrides)
    path = Path(target)
    if path.is_dir():
        if not env:
            raise UsageError(f"{target} is a project folder: add --env ENV to say which environment to build")
        project: Any = importlib.import_module("connector.project")
        built = project.build_config(path, env, overrides={_dotted(p): v for p, v in parsed})
        if not isinstance(built, ConnectorConfig):  # pragma: no cover - wired by the project builder
            raise TypeError(f"build_config returned {type(built).__name__}")
        register_secrets(built.to_logto())
        return built
    if env:
        raise UsageError(f"--env is for project folders; {target} is a built config file")
    from connector.findings import has_errors
    from connector.loader import load
    from connector.validate import validate_config

    loaded = load(path)
    if loaded.document is None or has_errors(loaded.findings):
        raise InputError(findings=loaded.findings)
    document = loaded.document
    if parsed:
        document = dataclasses.replace(document, data=apply_overrides(document.data, parsed))
    register_secrets(document.data)
    config, findings = validate_config(document)
    if config is None:
        raise InputError(findings=findings)
    return config


def register_secrets(data: Any, secret: bool = False) -> None:
    """Register every credential value in ``data`` so that no output shows it."""
    if isinstance(data, dict):
        for key, value in data.items():
            register_secrets(value, secret or key in SECRET_KEYS)
    elif isinstance(data, list):
        for item in data:
            register_secrets(item, secret)
    elif secret and isinstance(data, str):
        register_secret(data)
