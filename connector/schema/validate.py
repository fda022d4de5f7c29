"""Validate data against the models, turning pydantic's errors into findings at source positions."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import TYPE_CHECKING, Any

from connector.diagnostics.describe import got
from connector.diagnostics.describe import show as _show
from connector.diagnostics.findings import Finding, Located, Location
from connector.diagnostics.paths import KeyPath
from connector.diagnostics.paths import dotted as _dotted
from connector.diagnostics.suggest import did_you_mean
from connector.logto import AUTH_FORMS
from connector.logto.usage_types import REQUIRED_HINT
from connector.resources import schema_path
from connector.schema.check import checker_for
from connector.schema.check import known_hint as _known_hint

if TYPE_CHECKING:
    # pydantic is imported only when a model is built: the lint hook's cold start stays fast.
    from pydantic import BaseModel, ValidationError

    from connector.schema.models import ConnectorConfig


@dataclasses.dataclass(frozen=True)
class Part:
    """Data located through another source: a part of it at ``prefix``, or a copy of it (Logto's cleaned form)."""

    data: dict[str, Any]
    source: Located
    prefix: KeyPath = ()

    def locate(self, path: KeyPath, *, key: bool = False) -> Location:
        return self.source.locate((*self.prefix, *path), key=key)


FORMS = {model: label for label, model in AUTH_FORMS.values()}  # by the schema's $defs name


def check_config(source: Located) -> list[Finding]:
    """Schema findings for a final config, from the published schema (fast: no pydantic import)."""

    return checker_for(schema_path(), tuple(FORMS.items())).check(source.data, source.locate)


def validate_config(source: Located) -> tuple[ConnectorConfig | None, list[Finding]]:
    """Validate a final connector config; the frozen model on success, else findings at the source lines."""
    findings = check_config(source)
    if findings:
        return None, findings
    # start-up: pydantic loads only when a config is validated
    from pydantic import ValidationError

    from connector.schema.models import ConnectorConfig

    try:
        return ConnectorConfig.model_validate(source.data), []
    except ValidationError as e:
        # Only reached if the published schema and the models disagree (a bug the tests guard against).
        return None, errors_to_findings(e, source, ConnectorConfig)


def errors_to_findings(error: ValidationError, source: Located, model: type[BaseModel]) -> list[Finding]:
    findings = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        path = _data_path(loc, source.data)
        kind = item["type"]
        if kind == "none_required":
            continue  # the absent branch of an optional key (a written null is refused as null_refused)
        name = _dotted(path)
        if kind == "extra_forbidden":
            key = str(path[-1]) if path else "?"
            where = f" in {_dotted(path[:-1])}" if len(path) > 1 else ""
            form = _form_name(loc)
            known = keys_at(model, loc[:-1])
            suggestion = did_you_mean(key, known)
            message = f"unknown key `{key}`{where}{form}" + (
                f"; did you mean `{suggestion}`?" if suggestion else ""
            )
            hint = f"rename it to `{suggestion}`" if suggestion else _known_hint(known)
            findings.append(Finding.at(source.locate(path, key=True), "SC201", message, hint, key_path=path))
        elif kind == "missing":
            missing = str(loc[-1])
            parent = path
            where = f" in {_dotted(parent)}" if parent else ""
            findings.append(
                Finding.at(
                    source.locate(parent, key=bool(parent)),
                    "SC203",
                    f"missing required key `{missing}`{where}{_form_name(loc)}",
                    f"add `{missing}:`",
                    key_path=(*parent, missing),
                )
            )
        elif kind == "value_error" and path == ("templates",):
            findings.append(
                Finding.at(
                    source.locate(path, key=True),
                    "SC204",
                    str(item["msg"]).removeprefix("Value error, "),
                    REQUIRED_HINT,
                    key_path=path,
                )
            )
        else:
            message, hint, found = _describe(kind, item, _value_at(source.data, path))
            findings.append(
                Finding.at(
                    source.locate(path), "SC202", f"{name}: {message}", hint, key_path=path, kind=found
                )
            )
    return _dedupe_union_noise(findings)


def _dedupe_union_noise(findings: list[Finding]) -> list[Finding]:
    # A value that fails every branch of `str | list[str]` gets one error per branch; keep the first.
    # Only type errors: two missing keys of one mapping share its position and are both worth saying.
    seen: set[tuple[str, int, int, str]] = set()
    out = []
    for f in findings:
        key = (f.file, f.line, f.column, f.rule)
        if f.rule != "SC202" or key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _data_path(loc: tuple[Any, ...], data: Any) -> KeyPath:
    """pydantic locations include union branch labels; keep only the steps that index the data."""
    path: list[str | int] = []
    node = data
    for step in loc:
        if (isinstance(node, dict) and step in node) or (
            isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        ):
            path.append(step)
            node = node[step]
        elif (
            isinstance(node, dict) and step == loc[-1] and isinstance(step, str) and step not in _UNION_LABELS
        ):
            break  # a missing key: the error belongs to the mapping that lacks it
    return tuple(path)


_UNION_LABELS = {*AUTH_FORMS, "str", "list[str]", "PrivateKey"}
_FORMS = {tag: label for tag, (label, _) in AUTH_FORMS.items()}  # by the models' tag


def _form_name(loc: tuple[Any, ...]) -> str:
    for step in loc:
        if step in _FORMS:
            return f" ({_FORMS[step]} form)"
    return ""


def _value_at(data: Any, path: KeyPath) -> Any:
    for step in path:
        data = data[step]
    return data


_TYPE_NAMES = {
    "int_type": "an integer",
    "string_type": "a string",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "float_type": "a number",
}


def _describe(kind: str, item: Any, value: Any) -> tuple[str, str, str]:
    """The message, the hint and the finding's kind for one pydantic error."""
    shown = _show(value)
    if kind in _TYPE_NAMES:
        want = _TYPE_NAMES[kind]
        if kind == "int_type" and isinstance(value, str) and value.strip().isdigit():
            return (
                f"expected an integer, got {got(value)}",
                f"write {value.strip()} without quotes",
                "wrong-type",
            )
        if kind == "bool_type" and isinstance(value, str):
            return (
                f"expected true or false, got {got(value)}",
                "write true or false without quotes",
                "wrong-type",
            )
        return f"expected {want}, got {got(value)}", f"write {want}", "wrong-type"
    if kind == "literal_error":
        expected = str(item.get("ctx", {}).get("expected", "")).replace("'", "")
        return f"{shown} is not one of {expected}", f"use one of {expected}", "not-allowed"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        ctx = item.get("ctx", {})
        bound = next(iter(ctx.values()), "")
        op = {
            "greater_than_equal": "at least",
            "less_than_equal": "at most",
            "greater_than": "more than",
            "less_than": "less than",
        }[kind]
        return f"{shown} must be {op} {bound}", f"use a value {op} {bound}", "out-of-range"
    if kind == "union_tag_invalid":
        return f"{shown} is not a valid form", "see the schema for the accepted forms", "not-allowed"
    found = "null" if kind == "null_refused" else "wrong-type"
    return str(item.get("msg", "invalid value")), "see the schema for the accepted values", found


def keys_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The keys a mapping at pydantic location ``loc`` may hold, for did-you-mean."""
    annotation: Any = model
    for step in loc:
        annotation = _step(annotation, step)
        if annotation is None:
            return []
    target = _unwrap_model(annotation)
    if target is None:
        return []
    return [f.alias or name for name, f in target.model_fields.items()]


def _step(annotation: Any, step: Any) -> Any:
    annotation = _strip(annotation)
    model = _unwrap_model(annotation)
    if model is not None and isinstance(step, str) and step not in _UNION_LABELS:
        for name, field in model.model_fields.items():
            if step in (name, field.alias):
                return field.annotation
        return None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin in (list, tuple) and isinstance(step, int):
        return args[0] if args else None
    if origin is dict:
        return args[1] if len(args) == 2 else None
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            meta = getattr(arg, "__metadata__", ())
            if any(getattr(m, "tag", None) == step for m in meta):
                return arg
        members = [a for a in args if a is not type(None)]
        return _step(members[0], step) if len(members) == 1 else None
    return None


def _strip(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _unwrap_model(annotation: Any) -> type[BaseModel] | None:
    # start-up: pydantic loads only when a config is validated
    from pydantic import BaseModel

    annotation = _strip(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        models = [_unwrap_model(a) for a in typing.get_args(annotation) if a is not type(None)]
        found = [m for m in models if m is not None]
        return found[0] if len(found) == 1 else None
    return None
