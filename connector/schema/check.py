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

from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.suggest import did_you_mean

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


@cache
def checker_for(path: Path, forms: tuple[tuple[str, str], ...] = ()) -> SchemaChecker:
    """One checker per schema file, so its compiled tests are reused for every file checked."""
    return SchemaChecker(load_schema(path), dict(forms))


# Did-you-mean suggestions per object, at most (each one compares the key with every known key).
_MAX_SUGGESTIONS = 20


class SchemaChecker:
    """Evaluate one schema over data; ``locate(path, key=...)`` maps data paths to source positions."""

    def __init__(self, schema: dict[str, Any], forms: dict[str, str] | None = None) -> None:
        self.root = schema
        # Names for anyOf branches that are whole forms (the $defs title), used in messages.
        self.forms = forms or {}
        self._tests: dict[int, Callable[[Any], bool]] = {}

    def check(self, data: Any, locate: Locate) -> list[Finding]:
        # Most files are valid: a yes/no pass that builds no messages settles them.
        if self.valid(self.root, data):
            return []
        return self.errors(self.root, data, locate)

    def errors(self, schema: dict[str, Any], data: Any, locate: Locate | None = None) -> list[Finding]:
        """Every finding for ``data`` against ``schema`` (the slow, wordy path)."""
        out: list[Finding] = []
        self._node(schema, data, (), locate or _nowhere, out)
        return out

    def valid(self, schema: dict[str, Any], data: Any) -> bool:
        """Whether ``data`` has no finding against ``schema``; same answer as ``not errors(...)``, faster."""
        return self._compiled(schema)(data)

    def _compiled(self, schema: dict[str, Any]) -> Callable[[Any], bool]:
        # Each schema node becomes a closure once (lookups and $refs resolved up front), reused per file.
        key = id(schema)
        test = self._tests.get(key)
        if test is None:
            cell: list[Callable[[Any], bool]] = []
            self._tests[key] = lambda data: cell[0](data)  # a $ref cycle calls through the cell
            test = self._tests[key] = self._compile(schema)
            cell.append(test)
        return test

    def _compile(self, schema: dict[str, Any]) -> Callable[[Any], bool]:
        schema, _ = self._resolve(schema)
        tests: list[Callable[[Any], bool]] = []
        if "anyOf" in schema:
            branches = [self._compiled(branch) for branch in schema["anyOf"]]
            tests.append(lambda d: any(branch(d) for branch in branches))
        if "type" in schema:
            tests.append(_type_test(schema["type"]))
        if "const" in schema:
            const = schema["const"]
            tests.append(lambda d: d == const)
        if "enum" in schema:
            options = schema["enum"]
            tests.append(lambda d: _in_enum(d, options))
        by_type: dict[type, Callable[[Any], bool]] = {}
        if {"properties", "required", "additionalProperties"} & schema.keys():
            by_type[dict] = self._object_test(schema)
        if {"items", "minItems", "maxItems", "allOf"} & schema.keys():
            by_type[list] = self._array_test(schema)
        if {"minLength", "maxLength", "pattern"} & schema.keys():
            shortest, longest = schema.get("minLength", 0), schema.get("maxLength")
            pattern = _pattern(schema["pattern"]) if "pattern" in schema else None
            by_type[str] = lambda d: (
                len(d) >= shortest
                and (longest is None or len(d) <= longest)
                and (pattern is None or pattern.search(d) is not None)
            )
        if {"minimum", "maximum"} & schema.keys():
            low, high = schema.get("minimum"), schema.get("maximum")
            by_type[int] = by_type[float] = lambda d: (
                (low is None or d >= low) and (high is None or d <= high)
            )
        if by_type:
            tests.append(lambda d: by_type.get(type(d), _always)(d))
        return _all_of(tests)

    def _object_test(self, schema: dict[str, Any]) -> Callable[[Any], bool]:
        props = {name: self._compiled(sub) for name, sub in schema.get("properties", {}).items()}
        extra = schema.get("additionalProperties", True)
        extra_test = self._compiled(extra) if isinstance(extra, dict) else None
        required = tuple(schema.get("required", ()))

        def object_ok(d: dict[str, Any]) -> bool:
            for name in required:
                if name not in d:
                    return False
            for name, value in d.items():
                prop = props.get(name)
                if prop is not None:
                    if not prop(value):
                        return False
                elif extra is False or (extra_test is not None and not extra_test(value)):
                    return False
            return True

        return object_ok

    def _array_test(self, schema: dict[str, Any]) -> Callable[[Any], bool]:
        items = self._compiled(schema["items"]) if "items" in schema else None
        least, most = schema.get("minItems", 0), schema.get("maxItems")
        contains = [self._compiled(sub["contains"]) for sub in schema.get("allOf", ()) if "contains" in sub]

        def array_ok(d: list[Any]) -> bool:
            if len(d) < least or (most is not None and len(d) > most):
                return False
            if items is not None:
                for item in d:
                    if not items(item):
                        return False
            return all(any(test(item) for item in d) for test in contains)

        return array_ok

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
            out.append(_finding(locate(path), "SC202", f"{dotted(path)}: {show(data)} is not one of {listed}",
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
                    out.append(_finding(locate(path), "SC202", f"{dotted(path)}: {show(data)} must be {op} {bound}",
                                        f"use a value {op} {bound}"))  # fmt: skip

    def _any_of(
        self, branches: list[dict[str, Any]], data: Any, path: KeyPath, locate: Locate, out: list[Finding]
    ) -> None:
        if any(self.valid(branch, data) for branch in branches):
            return
        results = [(branch, self._errors(branch, data)) for branch in branches]
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
        where = f" in {dotted(path)}" if path else ""
        unknown = 0
        for key in schema.get("required", ()):
            if key not in data:
                out.append(_finding(locate(path, key=bool(path)), "SC203", f"missing required key `{key}`{where}",
                                    f"add `{key}:`"))  # fmt: skip
        for key, value in data.items():
            child = (*path, key)
            if key in props:
                self._node(props[key], value, child, locate, out)
            elif extra is False:
                unknown += 1
                # A typo comes alone; past a few unknown keys, suggestions cost time and help no one.
                suggestion = did_you_mean(key, props) if unknown <= _MAX_SUGGESTIONS else None
                message = f"unknown key `{key}`{where}" + (
                    f"; did you mean `{suggestion}`?" if suggestion else ""
                )
                hint = f"rename it to `{suggestion}`" if suggestion else known_hint(list(props))
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
                out.append(_finding(locate(path), "SC202", f"{dotted(path)}: the list has {len(data)} items "
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
            out.append(_finding(locate(path), "SC202", f"{dotted(path)}: must not be empty", "write a value"))
        if len(data) > schema.get("maxLength", len(data)):
            out.append(_finding(locate(path), "SC202", f"{dotted(path)}: longer than {schema['maxLength']} characters",
                                "shorten it"))  # fmt: skip
        if "pattern" in schema and not _pattern(schema["pattern"]).search(data):
            out.append(_finding(locate(path), "SC202", f"{dotted(path)}: {show(data)} does not match the expected form",
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
        # As JSON Schema and JavaScript: 465.0 is the integer 465 (the models emit it as 465).
        return (isinstance(data, int) and not isinstance(data, bool)) or (
            isinstance(data, float) and data.is_integer()
        )
    if kind == "number":
        return isinstance(data, (int, float)) and not isinstance(data, bool)
    return isinstance(
        data, {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}[kind]
    )


def _always(data: Any) -> bool:
    return True


def _all_of(tests: list[Callable[[Any], bool]]) -> Callable[[Any], bool]:
    if not tests:
        return _always
    if len(tests) == 1:
        return tests[0]

    def every(d: Any) -> bool:
        # A plain loop: all() over a generator costs a third more on this hot path.
        for test in tests:  # noqa: SIM110
            if not test(d):
                return False
        return True

    return every


_PY_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,), "null": (type(None),),
    "integer": (int,), "number": (int, float),
}  # fmt: skip


def _type_test(kind: str | list[str]) -> Callable[[Any], bool]:
    kinds = [kind] if isinstance(kind, str) else kind
    # Exact types: bool is a subclass of int, but true is not a number in JSON.
    exact = frozenset(t for k in kinds for t in _PY_TYPES[k])
    if "integer" in kinds and float not in exact:
        return lambda d: type(d) in exact or (type(d) is float and d.is_integer())
    return lambda d: type(d) in exact


def _in_enum(data: Any, options: list[Any]) -> bool:
    return any(data == o and type(data) is type(o) for o in options)


def _type_finding(kind: str | list[str], data: Any, path: KeyPath, locate: Locate) -> Finding:
    want = _TYPE_WORDS.get(kind if isinstance(kind, str) else kind[0], str(kind))
    name = dotted(path)
    if kind == "integer" and isinstance(data, str) and data.strip().isdigit():
        return _finding(locate(path), "SC202", f'{name}: expected an integer, got the string "{data}"',
                        f"write {data.strip()} without quotes")  # fmt: skip
    if kind == "boolean" and isinstance(data, str):
        return _finding(locate(path), "SC202", f"{name}: expected true or false, got the string {show(data)}",
                        "write true or false without quotes")  # fmt: skip
    if data is None:
        return _finding(locate(path), "SC202", f"{name}: null is refused by Logto's guard when the config is saved",
                        "leave the key out to use the default")  # fmt: skip
    got = f"{kind_of(data)} {show(data)}".rstrip()
    return _finding(locate(path), "SC202", f"{name}: expected {want}, got {got}", f"write {want}")


def kind_of(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "the string", list: "a list",
            dict: "a mapping"}.get(type(value), "a value")  # fmt: skip


def show(value: Any) -> str:
    # Collections and long strings are not echoed: they may hold a secret, and they do not fit a line.
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 40 else f'"{value[:37]}..."'
    if isinstance(value, (dict, list)) or value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _or_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def dotted(path: KeyPath) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "the config"


def known_hint(known: list[str]) -> str:
    return (
        f"known keys here: {', '.join(known)}"
        if known and len(known) <= 12
        else "remove it, or check the spelling"
    )
