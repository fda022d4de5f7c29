"""``--set key.path=value``: the highest layer, written on the command line.

The value is one YAML scalar read by the loader's YAML 1.2 rules (``465`` a number, ``true`` a boolean,
``null`` removes the key, anything else text; quote it to force text: ``--set 'port="465"'``).
``templates.SignIn.subject=...`` (or ``templates[SignIn].subject``) changes one template. Findings point
at ``--set:N:C``, the N-th ``--set`` option and the column in it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from connector.diagnostics.findings import Finding, has_errors
from connector.errors import InputError, UsageError
from connector.logto import is_secret_path
from connector.source.loader import Document, KeyPath, loads
from connector.source.secret_values import register_secret_value
from connector.source.yaml_reader import parse_scalar

SOURCE = "--set"
_BRACKETS = re.compile(r"\[([^\]]*)\]")
_EXAMPLE = "e.g. --set port=2525 or --set templates.SignIn.subject='Your code: {{code}}'"


def parse_overrides(items: Sequence[str]) -> Document:
    """One layer made of the ``--set`` options, in order (a later one wins over an earlier one)."""
    data: dict[str, Any] = {}
    values: dict[KeyPath, tuple[int, int]] = {}
    keys: dict[KeyPath, tuple[int, int]] = {}
    findings: list[Finding] = []
    for line, item in enumerate(items, 1):
        text, sep, raw = item.partition("=")
        path = key_path(text) if sep else None
        if not path:
            raise UsageError(f"--set {item!r}: expected KEY.PATH=VALUE ({_EXAMPLE})")
        column = len(text) + 2
        secret = is_secret_path(path)
        if secret:  # before anything can quote it: an error about this option names the key, not the value
            register_secret_value(raw)
            register_secret_value(raw.strip("'\""))
        value, found = _value(raw, line, column, secret)
        findings.extend(found)
        target = _place(data, path, item)
        for depth in range(1, len(target) + 1):
            keys.setdefault(target[:depth], (line, 1))
            values.setdefault(target[:depth], (line, 1))
        values[target] = (line, column)
        _set(data, target, value)
    if has_errors(findings):
        raise InputError(findings=findings)
    return Document(SOURCE, data, values, keys)


def key_path(text: str) -> tuple[str, ...]:
    """``templates[SignIn].subject`` and ``templates.SignIn.subject`` alike; empty if malformed."""
    parts = tuple(_BRACKETS.sub(r".\1", text.strip()).split("."))
    return () if any(not p for p in parts) else parts


def _value(raw: str, line: int, column: int, secret: bool) -> tuple[Any, tuple[Finding, ...]]:
    if raw[:1] in ("'", '"'):
        result = loads(f"v: {raw}\n", SOURCE)
        if result.document is not None and isinstance(result.document.data.get("v"), str):
            return result.document.data["v"], ()
        raise UsageError(f"--set: the quoted value {raw} is not one YAML string; close the quote")
    return parse_scalar(raw, SOURCE, line, column, secret=secret)


def _place(data: dict[str, Any], path: tuple[str, ...], item: str) -> KeyPath:
    """The path inside this layer's data; a template is found (or added) by its usage type."""
    if path[0] != "templates" or len(path) == 1:
        return path
    if len(path) == 2:
        raise UsageError(
            f"--set {item!r}: set one field of a template (templates.{path[1]}.subject=...); "
            "a single template cannot be removed"
        )
    templates = data.setdefault("templates", [])
    if not isinstance(templates, list):
        templates = data["templates"] = []
    for i, template in enumerate(templates):
        if template.get("usageType") == path[1]:
            return ("templates", i, *path[2:])
    templates.append({"usageType": path[1]})
    return ("templates", len(templates) - 1, *path[2:])


def _set(data: dict[str, Any], path: KeyPath, value: Any) -> None:
    node: Any = data
    for step in path[:-1]:
        child = node[int(step)] if isinstance(node, list) else node.get(step)
        if not isinstance(child, (dict, list)):
            child = {}
            node[step] = child
        node = child
    node[path[-1]] = value
