"""Check data against a published JSON Schema, reporting findings at source positions.

The schemas are generated from the models; this evaluator covers exactly the keywords they use (a test
fails if a generated schema uses any other) and agrees with ``jsonschema`` on them (tested with hypothesis
against both jsonschema and the pydantic models). It exists because the lint hook runs on every commit:
importing jsonschema or pydantic costs more than the whole rest of a cold lint run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from connector.findings import Finding, Location
from connector.suggest import did_you_mean

KeyPath = tuple[str | int, ...]
Locate = Callable[..., Location]

SUPPORTED = frozenset(
    {
        "$schema", "$id", "$defs", "$ref", "title", "description", "examples", "default", "type",
        "properties", "additionalProperties", "required", "enum", "const", "anyOf", "allOf", "contains",
        "items", "minimum", "maximum", "minLength", "maxLength", "pattern", "minItems", "maxItems",
    }
)  # fmt: skip
_TYPE_WORDS = {
    "object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
    "number": "a number", "boolean": "true or false", "null": "null",
}  # fmt: skip


@cache
def load_schema(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


class SchemaChecker:
    """Evaluate one schema over data; ``locate(path, key=...)`` maps data paths to source positions."""

    def __init__(self, schema: dict[str, Any], forms: dict[str, str] | None = None) -> None:
        self.root = schema
        # Names for anyOf branches that are whole forms (the $defs title), used in messages.
        self.forms = forms or {}

    def check(self, data: Any, locate: Locate) -> list[Finding]:
        out: list[Finding] = []
        self._node(self.root, data, (), locate, out)
        return out

    def valid(self, schema: dict[str, Any], data: Any) -> bool:
        return not self._errors(schema, data)

    def _errors(self, schema: dict[str, Any], data: Any) -> list[Finding]:
        out: list[Finding] = []
        self._node(schema, data, (), _nowhere, out)
        return out

    def _resolve(self, schema: dict[str, Any]) -> tuple[dict[str, Any], str]:
        ref = schema.get("$ref")
        if ref is None:
            return schema, ""
        name = ref.rsplit("/", 1)[-1]
        target: dict[str, Any] = self.root["$defs"][name]
        extra = {k: v for k, v in schema.items() if k != "$ref"}
        return ({**target, **extra} if extra else target), name

    def _node(
        self, schema: dict[str, Any], data: Any, path: KeyPath, locate: Locate, out: list[Finding]
    ) -> None:
        schema, _ = self._resolve(schema)
        if "anyOf" in schema:
            self._any_of(schema["anyOf"], data, path, locate, out)
        kind = schema.get("type")
        if kind is not None and not _is_type(data, kind):
            out.append(_type_finding(kind, data, path, locate))
            return
        if ("const" in schema and data != schema["const"]) or (
            "enum" in schema and not _in_enum(data, schema["enum"])
        ):
            options = [schema["const"]] if "const" in schema else schema["enum"]
            listed = _or_list([str(o) for o in options])
            out.append(_finding(locate(path), "SC202", f"{_dotted(path)}: {_show(data)} is not one of {listed}",
                                f"use one of {listed}"))  # fmt: skip
            return
        if isinstance(data, dict):
            self._object(schema, data, path, locate, out)
        elif isinstance(data, list):
            self._array(schema, data, path, locate, out)
        elif isinstance(data, str):
            self._string(schema, data, path, locate, out)
        elif isinstance(data, (int, float)) and not isinstance(data, bool):
            for word, op, fails in (("minimum", "at least", data < schema.get("minimum", data)),
                                    ("maximum", "at most", data > schema.get("maximum", data))):  # fmt: skip
                if word in schema and fails:
                    bound = schema[word]
                    out.append(_finding(locate(path), "SC202", f"{_dotted(path)}: {_show(data)} must be {op} {bound}",
                                        f"use a value {op} {bound}"))  # fmt: skip

    def _any_of(
        self, branches: list[dict[str, Any]], data: Any, path: KeyPath, locate: Locate, out: list[Finding]
    ) -> None:
        results = []
        for branch in branches:
            errors = self._errors(branch, data)
            if not errors:
                return
            results.append((branch, errors))
        # Nullable fields are anyOf [X, null]: report against X, as the author meant a value.
        real = [(b, e) for b, e in results if b.get("type") != "null"]
        best, _ = min(real or results, key=lambda pair: self._distance(pair[0], data, len(pair[1])))
        resolved, name = self._resolve(best)
        form = self.forms.get(name, "")
        found: list[Finding] = []
        self._node(resolved, data, path, locate, found)
        for f in found:
            if form and f.rule in ("SC201", "SC203") and " form)" not in f.message:
                text, sep, rest = f.message.partition(";")
                f = Finding(
                    f.file, f.line, f.column, f.rule, f.severity, f"{text} ({form} form){sep}{rest}", f.hint
                )
            out.append(f)

    def _distance(self, branch: dict[str, Any], data: Any, errors: int) -> tuple[int, int, int]:
        # Prefer the branch whose type matches, then whose `type` tag accepts the data's, then fewest errors.
        resolved, _ = self._resolve(branch)
        kind = resolved.get("type")
        mismatch = int(kind is not None and not _is_type(data, kind))
        tag = 0
        if isinstance(data, dict) and "type" in data:
            tag_schema = resolved.get("properties", {}).get("type")
            tag = int(tag_schema is None or not self.valid(tag_schema, data["type"]))
        return mismatch, tag, errors

    def _object(
        self, schema: dict[str, Any], data: dict[str, Any], path: KeyPath, locate: Locate, out: list[Finding]
    ) -> None:
        props: dict[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        where = f" in {_dotted(path)}" if path else ""
        for key in schema.get("required", ()):
            if key not in data:
                out.append(_finding(locate(path, key=bool(path)), "SC203", f"missing required key `{key}`{where}",
                                    f"add `{key}:`"))  # fmt: skip
        for key, value in data.items():
            child = (*path, key)
            if key in props:
                self._node(props[key], value, child, locate, out)
            elif extra is False:
                suggestion = did_you_mean(key, props)
                message = f"unknown key `{key}`{where}" + (
                    f"; did you mean `{suggestion}`?" if suggestion else ""
                )
                hint = f"rename it to `{suggestion}`" if suggestion else _known_hint(list(props))
                out.append(_finding(locate(child, key=True), "SC201", message, hint))
            elif isinstance(extra, dict):
                self._node(extra, value, child, locate, out)

    def _array(
        self, schema: dict[str, Any], data: list[Any], path: KeyPath, locate: Locate, out: list[Finding]
    ) -> None:
        if "items" in schema:
            for i, item in enumerate(data):
                self._node(schema["items"], item, (*path, i), locate, out)
        for word, ok in (("minItems", len(data) >= schema.get("minItems", 0)),
                         ("maxItems", len(data) <= schema.get("maxItems", len(data)))):  # fmt: skip
            if not ok:
                out.append(_finding(locate(path), "SC202", f"{_dotted(path)}: the list has {len(data)} items "
                                    f"({word} {schema[word]})", "add or remove items"))  # fmt: skip
        missing = [
            sub["contains"] for sub in schema.get("allOf", ()) if "contains" in sub
            and not any(self.valid(sub["contains"], item) for item in data)
        ]  # fmt: skip
        if missing:
            names = [m.get("properties", {}).get("usageType", {}).get("const", "?") for m in missing]
            out.append(_finding(locate(path, key=True), "SC204",
                                f"templates lack the usage types Logto requires: {', '.join(names)}",
                                "add a template for each; Logto rejects the whole config otherwise"))  # fmt: skip

    def _string(
        self, schema: dict[str, Any], data: str, path: KeyPath, locate: Locate, out: list[Finding]
    ) -> None:
        if len(data) < schema.get("minLength", 0):
            out.append(
                _finding(locate(path), "SC202", f"{_dotted(path)}: must not be empty", "write a value")
            )
        if len(data) > schema.get("maxLength", len(data)):
            out.append(_finding(locate(path), "SC202", f"{_dotted(path)}: longer than {schema['maxLength']} characters",
                                "shorten it"))  # fmt: skip
        if "pattern" in schema and not _pattern(schema["pattern"]).search(data):
            out.append(_finding(locate(path), "SC202", f"{_dotted(path)}: {_show(data)} does not match the expected form",
                                schema.get("description", "see the schema")))  # fmt: skip


@cache
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


def _nowhere(path: KeyPath, *, key: bool = False) -> Location:
    return Location("", 1, 1)


def _finding(where: Location, rule: str, message: str, hint: str) -> Finding:
    return Finding(where.file, where.line, where.column, rule, "error", message, hint)


def _is_type(data: Any, kind: str | list[str]) -> bool:
    if isinstance(kind, list):
        return any(_is_type(data, k) for k in kind)
    if kind == "integer":
        # Stricter than JSON Schema (which takes 465.0): the models reject floats, and the output stays integral.
        return isinstance(data, int) and not isinstance(data, bool)
    if kind == "number":
        return isinstance(data, (int, float)) and not isinstance(data, bool)
    return isinstance(
        data, {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}[kind]
    )


def _in_enum(data: Any, options: list[Any]) -> bool:
    return any(data == o and type(data) is type(o) for o in options)


def _type_finding(kind: str | list[str], data: Any, path: KeyPath, locate: Locate) -> Finding:
    want = _TYPE_WORDS.get(kind if isinstance(kind, str) else kind[0], str(kind))
    name = _dotted(path)
    if kind == "integer" and isinstance(data, str) and data.strip().isdigit():
        return _finding(locate(path), "SC202", f'{name}: expected an integer, got the string "{data}"',
                        f"write {data.strip()} without quotes")  # fmt: skip
    if kind == "boolean" and isinstance(data, str):
        return _finding(locate(path), "SC202", f"{name}: expected true or false, got the string {_show(data)}",
                        "write true or false without quotes")  # fmt: skip
    got = f"{_kind(data)} {_show(data)}".rstrip()
    return _finding(locate(path), "SC202", f"{name}: expected {want}, got {got}", f"write {want}")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "the string", list: "a list",
            dict: "a mapping"}.get(type(value), "a value")  # fmt: skip


def _show(value: Any) -> str:
    # Collections and long strings are not echoed: they may hold a secret, and they do not fit a line.
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 40 else f'"{value[:37]}..."'
    if isinstance(value, (dict, list)) or value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _or_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _dotted(path: KeyPath) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "the config"


def _known_hint(known: list[str]) -> str:
    return (
        f"known keys here: {', '.join(known)}"
        if known and len(known) <= 12
        else "remove it, or check the spelling"
    )
