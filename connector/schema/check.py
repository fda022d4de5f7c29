"""Check data against a published JSON Schema, reporting findings at source positions.

The schemas are generated from the models; this evaluator covers exactly the keywords they use (a test
fails if a generated schema uses any other) and is held to ``jsonschema`` on them by property tests with
the boundaries written out (a bool is not an integer, 587.0 is, null, huge numbers). It exists because
the lint hook runs on every commit: importing jsonschema or pydantic costs more than the whole rest of a
cold lint run, and jsonschema-rs costs a cold lint a third more (benchmarks/RESULTS.md).

There is one judge: each keyword is compiled once into a yes/no test. Valid data (most files) is settled
by those tests alone; the findings for invalid data are written by walking the keywords whose test
failed, so a finding is never produced for data the tests accept, nor missed for data they refuse.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from connector.diagnostics.consequences import UNSUPPORTED
from connector.diagnostics.describe import got, show
from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.paths import KeyPath, dotted
from connector.diagnostics.suggest import did_you_mean
from connector.logto import (
    AUTH_FORMS,
    LOGIN_TYPES,
    OAUTH2_TYPES,
    unknown_key_consequence,
    wrong_value_consequence,
)
from connector.logto.usage_types import REQUIRED_HINT, missing_usage_types_message

Locate = Callable[..., Location]
Test = Callable[[Any], bool]

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


@dataclass(frozen=True)
class _Where:
    """Where findings go while explaining: source positions, and the auth/template form being explained."""

    locate: Locate
    form: str = ""

    def finding(
        self,
        path: KeyPath,
        rule: str,
        message: str,
        hint: str,
        *,
        key: bool = False,
        kind: str = "",
        key_path: KeyPath | None = None,
    ) -> Finding:
        """A finding placed at ``path`` (about ``key_path`` when that differs: a missing key's own path)."""
        about = path if key_path is None else key_path
        return Finding.at(self.locate(path, key=key), rule, message, hint, "error", key_path=about, kind=kind)

    @property
    def form_note(self) -> str:
        return f" ({self.form} form)" if self.form else ""


Explain = Callable[[Any, KeyPath, _Where, list[Finding]], None]


@dataclass(frozen=True)
class _Keyword:
    test: Test
    explain: Explain
    # A wrong type or value says it all: the node's later keywords are not explained.
    final: bool = False


class _Node:
    """One schema node, compiled: ``ok`` is the only judge; ``explain`` says why ``ok`` said no."""

    __slots__ = ("done", "keywords", "name", "ok", "props", "schema", "type_ok")

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema  # held, so that the id() this node is cached under stays unique
        self.keywords: list[_Keyword] = []
        self.ok: Test = _always
        self.type_ok: Test | None = None
        self.props: dict[str, _Node] = {}
        self.name = ""  # the $defs name this node refers to, if any
        self.done = False

    def test(self) -> Test:
        """``ok`` to call from a parent's test; a node still being compiled (a $ref cycle) late-bound."""
        return self.ok if self.done else lambda d: self.ok(d)

    def explain(self, data: Any, path: KeyPath, at: _Where, out: list[Finding]) -> None:
        for keyword in self.keywords:
            if not keyword.test(data):
                keyword.explain(data, path, at, out)
                if keyword.final:
                    return


class SchemaChecker:
    """Evaluate one schema over data; ``locate(path, key=...)`` maps data paths to source positions."""

    def __init__(self, schema: dict[str, Any], forms: dict[str, str] | None = None) -> None:
        self.root = schema
        # Names for anyOf branches that are whole forms (the $defs title), used in messages.
        self.forms = forms or {}
        self._nodes: dict[int, _Node] = {}

    def check(self, data: Any, locate: Locate) -> list[Finding]:
        """Every finding for ``data`` against the whole schema; none when it is valid."""
        return self.errors(self.root, data, locate)

    def errors(self, schema: dict[str, Any], data: Any, locate: Locate | None = None) -> list[Finding]:
        """Every finding for ``data`` against ``schema`` (a node of this checker's schema); none when valid."""
        node = self._node(schema)
        if node.ok(data):  # most files are valid: settled without building a message
            return []
        out: list[Finding] = []
        at = _Where(locate or _nowhere)
        node.explain(data, (), at, out)
        if not out:  # every failing keyword explains itself; this keeps "invalid" from ever passing silently
            out.append(
                at.finding(
                    (), "SC202", "the config does not match the schema", "see the schema", kind="wrong-type"
                )
            )
        return out

    # Compiling: each schema node becomes a _Node once (lookups and $refs resolved up front).

    def _node(self, schema: dict[str, Any]) -> _Node:
        node = self._nodes.get(id(schema))
        if node is None:
            node = self._nodes[id(schema)] = _Node(schema)
            self._compile(node, schema)
        return node

    def _compile(self, node: _Node, schema: dict[str, Any]) -> None:
        schema, node.name = self._resolve(schema)
        add = node.keywords.append
        if "anyOf" in schema:
            add(self._any_of(schema["anyOf"]))
        if "type" in schema:
            node.type_ok = _type_test(schema["type"])
            add(_Keyword(node.type_ok, _explain_type(schema["type"]), final=True))
        if "const" in schema or "enum" in schema:
            add(_value_keyword(schema))
        if {"properties", "required", "additionalProperties"} & schema.keys():
            node.props = {name: self._node(sub) for name, sub in schema.get("properties", {}).items()}
            add(self._object(schema, node.props))
        if {"items", "minItems", "maxItems"} & schema.keys():
            add(self._array(schema))
        if "contains" in schema:
            add(self._contains(schema["contains"]))
        if "allOf" in schema:
            add(self._all_of(schema["allOf"]))
        if {"minLength", "maxLength", "pattern"} & schema.keys():
            add(_string_keyword(schema))
        if {"minimum", "maximum"} & schema.keys():
            add(_number_keyword(schema))
        node.ok = _every([k.test for k in node.keywords])
        node.done = True

    def _resolve(self, schema: dict[str, Any]) -> tuple[dict[str, Any], str]:
        ref = schema.get("$ref")
        if ref is None:
            return schema, ""
        name = ref.rsplit("/", 1)[-1]
        target: dict[str, Any] = self.root["$defs"][name]
        extra = {k: v for k, v in schema.items() if k != "$ref"}
        return ({**target, **extra} if extra else target), name

    def _any_of(self, branches: list[dict[str, Any]]) -> _Keyword:
        nodes = [self._node(branch) for branch in branches]
        tests = [n.test() for n in nodes]

        def test(d: Any) -> bool:
            for branch in tests:  # noqa: SIM110 - a plain loop: this is the hot path
                if branch(d):
                    return True
            return False

        def explain(d: Any, path: KeyPath, at: _Where, out: list[Finding]) -> None:
            # Nullable fields are anyOf [X, null]: report against X, as the author meant a value.
            real = [n for n in nodes if n.schema.get("type") != "null"] or nodes
            best = min(real, key=lambda n: self._distance(n, d))
            best.explain(d, path, _Where(at.locate, self.forms.get(best.name, at.form)), out)

        return _Keyword(test, explain)

    def _distance(self, branch: _Node, data: Any) -> tuple[int, int, int]:
        # Prefer the branch whose type matches, then whose `type` tag accepts the data's, then fewest errors.
        mismatch = int(branch.type_ok is not None and not branch.type_ok(data))
        tag = 0
        if isinstance(data, dict) and "type" in data:
            tag_node = branch.props.get("type")
            tag = int(tag_node is None or not tag_node.ok(data["type"]))
        errors: list[Finding] = []
        branch.explain(data, (), _Where(_nowhere), errors)
        return mismatch, tag, len(errors)

    def _object(self, schema: dict[str, Any], props: dict[str, _Node]) -> _Keyword:
        tests = {name: node.test() for name, node in props.items()}
        extra = schema.get("additionalProperties", True)
        extra_node = self._node(extra) if isinstance(extra, dict) else None
        extra_ok = extra_node.test() if extra_node is not None else _always
        required = tuple(schema.get("required", ()))

        def test(d: Any) -> bool:
            if type(d) is not dict:
                return True
            for name in required:
                if name not in d:
                    return False
            for name, value in d.items():
                prop = tests.get(name)
                if prop is not None:
                    if not prop(value):
                        return False
                elif extra is False or not extra_ok(value):
                    return False
            return True

        def explain(d: dict[str, Any], path: KeyPath, at: _Where, out: list[Finding]) -> None:
            where = f" in {dotted(path)}" if path else ""
            unknown = 0
            for name in required:
                if name not in d:
                    out.append(at.finding(path, "SC203", f"missing required key `{name}`{where}{at.form_note}",
                                          f"add `{name}:`", key=bool(path), key_path=(*path, name)))  # fmt: skip
            for name, value in d.items():
                child = (*path, name)
                prop = props.get(name)
                if prop is not None:
                    if not prop.ok(value):
                        prop.explain(value, child, at, out)
                elif extra is False:
                    unknown += 1
                    login = at.form == AUTH_FORMS["login"][0] and d.get("type") in LOGIN_TYPES
                    then = unknown_key_consequence(
                        child, login_auth=login, oauth2_auth=d.get("type") in OAUTH2_TYPES
                    )
                    suggestion = None
                    if then == UNSUPPORTED:  # no typo: nodemailer reads it (`dnsTtl` is not `dnsTimeout`)
                        hint = "remove it: smtp-connector cannot build, send or test it"
                    else:
                        # A typo comes alone; past a few unknown keys, suggestions cost time and help no one.
                        suggestion = did_you_mean(name, props) if unknown <= _MAX_SUGGESTIONS else None
                        hint = f"rename it to `{suggestion}`" if suggestion else known_hint(list(props))
                    message = f"unknown key `{name}`{where}{at.form_note}: {then}" + (
                        f"; did you mean `{suggestion}`?" if suggestion else ""
                    )
                    out.append(at.finding(child, "SC201", message, hint, key=True))
                elif extra_node is not None and not extra_node.ok(value):
                    extra_node.explain(value, child, at, out)

        return _Keyword(test, explain)

    def _array(self, schema: dict[str, Any]) -> _Keyword:
        items = self._node(schema["items"]) if "items" in schema else None
        least, most = schema.get("minItems", 0), schema.get("maxItems")

        def test(d: Any) -> bool:
            if type(d) is not list:
                return True
            if len(d) < least or (most is not None and len(d) > most):
                return False
            if items is not None:
                ok = items.ok
                for item in d:
                    if not ok(item):
                        return False
            return True

        def explain(d: list[Any], path: KeyPath, at: _Where, out: list[Finding]) -> None:
            if items is not None:
                for i, item in enumerate(d):
                    if not items.ok(item):
                        items.explain(item, (*path, i), at, out)
            for word, ok in (("minItems", len(d) >= least), ("maxItems", most is None or len(d) <= most)):
                if not ok:
                    out.append(at.finding(path, "SC202", f"{dotted(path)}: the list has {len(d)} items "
                                          f"({word} {schema[word]}); {_then(path, 'value')}", "add or remove items",
                                          kind="item-count"))  # fmt: skip

        return _Keyword(test, explain)

    def _contains(self, schema: dict[str, Any]) -> _Keyword:
        wanted = self._node(schema)

        def test(d: Any) -> bool:
            return type(d) is not list or any(wanted.ok(item) for item in d)

        def explain(d: Any, path: KeyPath, at: _Where, out: list[Finding]) -> None:
            out.append(_lacking(path, at, [_usage_type(wanted.schema)]))

        return _Keyword(test, explain)

    def _all_of(self, subs: list[dict[str, Any]]) -> _Keyword:
        nodes = [self._node(sub) for sub in subs]
        test = _every([n.test() for n in nodes])

        def explain(d: Any, path: KeyPath, at: _Where, out: list[Finding]) -> None:
            failing = [n for n in nodes if not n.ok(d)]
            # The required usage types are one `contains` each: one finding names all that are missing.
            lacking = [n for n in failing if set(n.schema) == {"contains"}]
            for n in failing:
                if n not in lacking:
                    n.explain(d, path, at, out)
            if lacking:
                out.append(_lacking(path, at, [_usage_type(n.schema["contains"]) for n in lacking]))

        return _Keyword(test, explain)


def _lacking(path: KeyPath, at: _Where, names: list[str]) -> Finding:
    return at.finding(path, "SC204", missing_usage_types_message(names), REQUIRED_HINT, key=True)


def _usage_type(schema: dict[str, Any]) -> str:
    return str(schema.get("properties", {}).get("usageType", {}).get("const", "?"))


def _value_keyword(schema: dict[str, Any]) -> _Keyword:
    options = [schema["const"]] if "const" in schema else list(schema["enum"])

    def test(d: Any) -> bool:
        for option in options:  # noqa: SIM110 - a plain loop: this is the hot path
            if json_equal(d, option):
                return True
        return False

    def explain(d: Any, path: KeyPath, at: _Where, out: list[Finding]) -> None:
        listed = _or_list([str(o) for o in options])
        out.append(at.finding(path, "SC202", f"{dotted(path)}: {show(d)} is not one of {listed}; {_then(path, 'value')}",
                              f"use one of {listed}", kind="not-allowed"))  # fmt: skip

    return _Keyword(test, explain, final=True)


def _string_keyword(schema: dict[str, Any]) -> _Keyword:
    shortest, longest = schema.get("minLength", 0), schema.get("maxLength")
    pattern = re.compile(schema["pattern"]) if "pattern" in schema else None

    def test(d: Any) -> bool:
        return type(d) is not str or (
            len(d) >= shortest
            and (longest is None or len(d) <= longest)
            and (pattern is None or pattern.search(d) is not None)
        )

    def explain(d: str, path: KeyPath, at: _Where, out: list[Finding]) -> None:
        if len(d) < shortest:
            out.append(
                at.finding(
                    path,
                    "SC202",
                    f"{dotted(path)}: must not be empty; {_then(path, 'value')}",
                    "write a value",
                    kind="empty",
                )
            )
        if longest is not None and len(d) > longest:
            out.append(
                at.finding(
                    path,
                    "SC202",
                    f"{dotted(path)}: longer than {longest} characters; {_then(path, 'value')}",
                    "shorten it",
                    kind="too-long",
                )
            )
        if pattern is not None and pattern.search(d) is None:
            out.append(at.finding(path, "SC202", f"{dotted(path)}: {show(d)} does not match the expected form; {_then(path, 'value')}",
                                  schema.get("description", "see the schema"), kind="no-match"))  # fmt: skip

    return _Keyword(test, explain)


def _number_keyword(schema: dict[str, Any]) -> _Keyword:
    low, high = schema.get("minimum"), schema.get("maximum")

    # As JSON Schema words it: a number fails `minimum` when it is less than it (so NaN never fails).
    def test(d: Any) -> bool:
        return type(d) not in (int, float) or not (
            (low is not None and d < low) or (high is not None and d > high)
        )

    def explain(d: float, path: KeyPath, at: _Where, out: list[Finding]) -> None:
        for op, bound, fails in (("at least", low, low is not None and d < low),
                                 ("at most", high, high is not None and d > high)):  # fmt: skip
            if fails:
                out.append(at.finding(path, "SC202", f"{dotted(path)}: {show(d)} must be {op} {bound}; {_then(path, 'range')}",
                                      f"use a value {op} {bound}", kind="out-of-range"))  # fmt: skip

    return _Keyword(test, explain)


def _nowhere(path: KeyPath, *, key: bool = False) -> Location:
    return Location("", 1, 1)


def _always(data: Any) -> bool:
    return True


def _every(tests: list[Test]) -> Test:
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


def _type_test(kind: str | list[str]) -> Test:
    kinds = [kind] if isinstance(kind, str) else kind
    # Exact types: bool is a subclass of int, but true is not a number in JSON.
    exact = frozenset(t for k in kinds for t in _PY_TYPES[k])
    if "integer" in kinds and float not in exact:
        # JSON Schema (and JavaScript) read 587.0 as the integer 587.
        return lambda d: type(d) in exact or (type(d) is float and d.is_integer())
    return lambda d: type(d) in exact


def json_equal(a: Any, b: Any) -> bool:
    """Equality as JSON Schema's `const` and `enum` mean it: true is not 1, but 1.0 is 1."""
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if type(a) in (int, float) and type(b) in (int, float):
        return bool(a == b)
    return type(a) is type(b) and bool(a == b)


def _explain_type(kind: str | list[str]) -> Explain:
    want = _TYPE_WORDS.get(kind if isinstance(kind, str) else kind[0], str(kind))

    def explain(d: Any, path: KeyPath, at: _Where, out: list[Finding]) -> None:
        name = dotted(path)
        found = "wrong-type"
        # An integral check is not the guard's (z.number() takes 587.5): only nodemailer meets it.
        then = _then(path, "range" if kind == "integer" and type(d) in (int, float) else "type")
        if kind == "integer" and isinstance(d, str) and d.strip().isdigit():
            message, hint = (
                f"{name}: expected an integer, got {got(d)}; {then}",
                f"write {d.strip()} without quotes",
            )
        elif kind == "boolean" and isinstance(d, str):
            message = f"{name}: expected true or false, got {got(d)}; {then}"
            hint = "write true or false without quotes"
        elif d is None:
            message = f"{name}: null is refused by Logto's guard when the config is saved"
            hint = "leave the key out to use the default"
            found = "null"
        else:
            message, hint = f"{name}: expected {want}, got {got(d)}; {then}", f"write {want}"
        out.append(at.finding(path, "SC202", message, hint, kind=found))

    return explain


def _then(path: KeyPath, kind: str) -> str:
    return wrong_value_consequence(path, kind=kind)


def _or_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def known_hint(known: list[str]) -> str:
    return (
        f"known keys here: {', '.join(known)}"
        if known and len(known) <= 12
        else "remove it, or check the spelling"
    )
