"""``--set key.path=value``: the highest layer, written on the command line.

The value is one YAML scalar read by the loader's YAML 1.2 rules (``465`` a number, ``true`` a boolean,
``null`` removes the key, anything else text; quote it to force text: ``--set 'port="465"'``).
``templates.SignIn.subject=...`` (or ``templates[SignIn].subject``) changes one template, addressed by
its usage type. Findings point at ``--set:N:C``, the N-th ``--set`` option and the column in it; a key
path that names nothing (an unknown usage type, a key under a value that has none) is one of them, checked
against the source schema before any value is placed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from connector.diagnostics.findings import Finding, Location, has_errors
from connector.diagnostics.paths import KeyPath
from connector.errors import InputError, UsageError
from connector.logto import is_secret_path
from connector.logto.usage_types import unknown_usage_type
from connector.project.merge_rules import TEMPLATES
from connector.schema.check import load_schema
from connector.schema.source_generate import source_schema_path
from connector.source.loader import Document, loads
from connector.source.secret_values import register_written_secret
from connector.source.yaml_reader import parse_scalar

SOURCE = "--set"
_BRACKETS = re.compile(r"\[([^\]]*)\]")
_SEGMENT = re.compile(r"[^.\[\]]*(?:\]\.|\]|\.|\[)+")  # one segment of a key path and what ends it
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
        if not sep:
            raise UsageError(f"--set {item!r}: expected KEY.PATH=VALUE", hint=_EXAMPLE)
        if not path:  # the key only: the value may be a secret, and nothing knows yet that it is one
            raise UsageError(
                f"--set {text!r}=...: "
                + ("no key path before `=`" if not text.strip() else "an empty part in the key path"),
                hint=_EXAMPLE,
            )
        column = len(text) + 2
        wrong = _path_problem(path, text, line)
        if wrong is not None:
            findings.append(wrong)
            continue
        secret = is_secret_path(path)
        if secret:  # before anything can quote it: an error about this option names the key, not the value
            register_written_secret(raw)
            register_written_secret(raw.strip("'\""))
        value, found = _value(raw, line, column, secret)
        findings.extend(found)
        target = _place(data, path, item)
        for depth in range(1, len(target) + 1):  # each key at its own column, for a finding about it
            keys.setdefault(target[:depth], (line, _column(text, depth - 1)))
            values.setdefault(target[:depth], (line, _column(text, depth - 1)))
        values[target] = (line, column)
        _set(data, target, value)
    if has_errors(findings):
        raise InputError(findings=findings)
    return Document(SOURCE, data, values, keys)


def key_path(text: str) -> tuple[str, ...]:
    """``templates[SignIn].subject`` and ``templates.SignIn.subject`` alike; empty if malformed."""
    parts = tuple(_BRACKETS.sub(r".\1", text.strip()).split("."))
    return () if any(not p for p in parts) else parts


def _path_problem(path: tuple[str, ...], text: str, line: int) -> Finding | None:
    """Why ``path`` names nothing a config can hold, walked through the source schema; None if it may.

    An unknown key is left to the schema check, which words it with a did-you-mean (SC201) as for files.
    """

    root = load_schema(source_schema_path())
    variants = [root]
    for depth, step in enumerate(path):
        if depth == 1 and path[0] == TEMPLATES:
            # --set names a template by its usage type: one Logto never sends gets lint's SC101.
            unknown = unknown_usage_type(step, Location(SOURCE, line, _column(text, depth)), path[:2])
            if unknown is not None:
                return unknown
            variants = [item for v in variants for item in _flat(v.get("items", {}), root)]
            continue
        objects = [v for v in variants if "object" in _types(v)]
        if not objects:
            held = " or ".join(dict.fromkeys(_HELD[t] for v in variants for t in _types(v) if t in _HELD))
            written = _written(text, depth)
            return Finding.at(
                Location(SOURCE, line, 1),
                "SC202",
                f"`{written}` holds {held or 'a single value'}, so `{text.strip()}` names nothing that can be set",
                f"set `{written}` itself: --set {written}=VALUE",
                key_path=path[:depth],
                kind="wrong-type",
            )
        found: list[dict[str, Any]] = []
        for v in objects:
            child = v.get("properties", {}).get(step)
            extra = v.get("additionalProperties", False)
            if child is None and extra is True:
                return None  # free-form (variables): any key path is fine
            if child is None and isinstance(extra, dict):
                child = extra
            if child is not None:
                found.extend(_flat(child, root))
        if not found:
            return None  # an unknown key: the schema check says so, with a did-you-mean
        variants = found
    return None


_HELD = {
    "string": "text",
    "integer": "a number",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
}


def _types(schema: dict[str, Any]) -> list[str]:
    kind = schema.get("type", [])
    return kind if isinstance(kind, list) else [kind]


def _flat(schema: dict[str, Any], root: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives of ``schema``, with ``$ref`` and ``anyOf`` unfolded (null left out)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _flat(root["$defs"][name], root)
    if "anyOf" in schema:
        return [alt for option in schema["anyOf"] for alt in _flat(option, root)]
    return [] if _types(schema) == ["null"] else [schema]


def _written(text: str, depth: int) -> str:
    """The key path as written (``host[0]`` stays so), before segment ``depth``."""
    key = text.strip()
    return key[: _offset(key, depth)].rstrip(".[")


def _column(text: str, depth: int) -> int:
    """The 1-based column of segment ``depth`` in the key text as given."""
    return len(text) - len(text.lstrip()) + _offset(text.strip(), depth) + 1


def _offset(key: str, depth: int) -> int:
    """Where segment ``depth`` starts in ``key`` (segments part at `.`, `[` and `]`, as in key_path)."""
    offset = 0
    for _ in range(depth):
        match = _SEGMENT.match(key, offset)
        if match is None:
            break
        offset = match.end()
    return offset


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
