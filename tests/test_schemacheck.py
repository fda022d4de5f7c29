"""The schema evaluator agrees with jsonschema (and the pydantic models) on the published schemas.

The boundaries are written out as examples, not left to chance: a bool is not an integer (Python says it
is), 587.0 is one (JSON Schema and JavaScript say so), null, and numbers beyond 64 bits.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from connector.schema.check import SUPPORTED, SchemaChecker
from connector.schema.models import ConnectorConfig
from connector.schema.validate import FORMS, check_config, errors_to_findings
from connector.source.loader import loads

from .test_models import BAD, GOOD

ROOT = Path(__file__).resolve().parent.parent
SCHEMA: dict[str, Any] = json.loads((ROOT / "schema" / "smtp-connector.schema.json").read_text())
REFERENCE = jsonschema.Draft202012Validator(SCHEMA)
CHECKER = SchemaChecker(SCHEMA, FORMS)
MINIMAL: dict[str, Any] = json.loads((ROOT / "tests/data/final/good/minimal.json").read_text())


def _keywords(node: Any, in_properties: bool = False) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if not in_properties and key not in ("$defs",):
                found.add(key)
            found |= _keywords(value, in_properties=key in ("properties", "$defs") and not in_properties)
    elif isinstance(node, list):
        for item in node:
            found |= _keywords(item)
    return found


def test_published_schemas_use_only_supported_keywords() -> None:
    for path in sorted((ROOT / "schema").glob("*.json")):
        unsupported = _keywords(json.loads(path.read_text())) - SUPPORTED - {"$defs"}
        assert not unsupported, f"{path.name} uses {unsupported}: teach connector/schema/check.py first"


def _models_accept(data: Any) -> bool:
    try:
        ConnectorConfig.model_validate(data)
    except ValidationError:
        return False
    return True


def _nowhere(path: tuple[str | int, ...], *, key: bool = False) -> Any:
    from connector.diagnostics.findings import Location

    return Location("x", 1, 1)


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 70000), st.text(max_size=6),
    st.sampled_from(["login", "oauth2", "text/plain", "text/html", "SignIn", "Generic", "TLSv1.2", "465"]),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(
        ["user", "pass", "type", "clientId", "privateKey", "serviceClient", "key", "passphrase", "usageType",
         "contentType", "subject", "content", "minVersion", "rejectUnauthorized", "ca", "x"]), inner, max_size=4)),
    max_leaves=8,
)  # fmt: skip
KEYS = [*SCHEMA["properties"], "hots", "requireTls"]


@st.composite
def configs(draw: st.DrawFn) -> Any:
    data = copy.deepcopy(MINIMAL)
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["set", "drop", "auth", "template", "tls"]))
        if action == "set":
            data[draw(st.sampled_from(KEYS))] = draw(values)
        elif action == "drop" and data:
            data.pop(draw(st.sampled_from(sorted(data))))
        elif action == "auth":
            data["auth"] = draw(values)
        elif action == "template" and isinstance(data.get("templates"), list) and data["templates"]:
            i = draw(st.integers(0, len(data["templates"]) - 1))
            data["templates"][i] = draw(st.one_of(values, st.fixed_dictionaries(
                {"usageType": st.sampled_from(["SignIn", "Register", "Generic", "X"]),
                 "contentType": st.sampled_from(["text/plain", "text/html", "x"]), "subject": scalars,
                 "content": st.text(max_size=5)})))  # fmt: skip
        elif action == "tls":
            data["tls"] = draw(st.dictionaries(st.sampled_from(["rejectUnauthorized", "minVersion", "ca", "ciphers",
                                                                "ecdhCurve"]), values, max_size=3))  # fmt: skip
    return data


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_evaluator_agrees_with_jsonschema_and_models(data: Any) -> None:
    ours = not CHECKER.check(data, _nowhere)
    assert ours == REFERENCE.is_valid(data)
    assert ours == _models_accept(data)


SOURCE_SCHEMA: dict[str, Any] = json.loads(
    (ROOT / "schema" / "smtp-connector.source.schema.json").read_text()
)
SCHEMAS = {
    "final": (SCHEMA, REFERENCE, CHECKER, MINIMAL),
    "source": (
        SOURCE_SCHEMA,
        jsonschema.Draft202012Validator(SOURCE_SCHEMA),
        SchemaChecker(SOURCE_SCHEMA),
        {},
    ),
}
FIELDS = sorted({*SCHEMA["properties"], *SOURCE_SCHEMA["properties"]})
HUGE = 10**30  # past every fixed-width integer: Python's ints, jsonschema's and ours have no limit
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False),
    st.integers(-70000, 70000).map(float), st.text(max_size=4), st.sampled_from(["465", "true", "", "TLSv1.2"]),
)  # fmt: skip
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=2), st.dictionaries(st.text(max_size=3), inner, max_size=2)
    ),
    max_leaves=4,
)


@settings(max_examples=600, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.sampled_from(sorted(SCHEMAS)), field=st.sampled_from(FIELDS), value=json_values)
@example(which="final", field="port", value=True)
@example(which="final", field="port", value=False)
@example(which="final", field="port", value=1)
@example(which="final", field="port", value=587.0)
@example(which="final", field="port", value=587.5)
@example(which="final", field="port", value="587")
@example(which="final", field="port", value=None)
@example(which="final", field="port", value=65535.0)
@example(which="final", field="port", value=65536)
@example(which="final", field="port", value=0.0)
@example(which="final", field="port", value=-0.0)
@example(which="final", field="connectionTimeout", value=HUGE)
@example(which="final", field="connectionTimeout", value=-HUGE)
@example(which="final", field="connectionTimeout", value=float(HUGE))
@example(which="final", field="connectionTimeout", value=1e308)
@example(which="final", field="connectionTimeout", value=float("inf"))
@example(which="final", field="connectionTimeout", value=False)
@example(which="final", field="connectionTimeout", value=None)
@example(which="final", field="maxConnections", value=True)
@example(which="final", field="secure", value=1)
@example(which="final", field="secure", value=0)
@example(which="final", field="secure", value=None)
@example(which="final", field="host", value=None)
@example(which="final", field="tls", value={"rejectUnauthorized": 0})
@example(which="final", field="auth", value={"type": "oauth2", "user": "a", "expires": 1.0})
@example(which="final", field="auth", value={"type": "oauth2", "user": "a", "expires": True})
@example(which="source", field="port", value=True)
@example(which="source", field="port", value=587.0)
@example(which="source", field="port", value=None)
@example(which="source", field="rateLimit", value=HUGE)
def test_every_field_agrees_with_jsonschema_at_the_boundaries(which: str, field: str, value: Any) -> None:
    schema, reference, checker, base = SCHEMAS[which]
    data = {**base, field: value}
    findings = checker.check(data, _nowhere)
    assert (not findings) == reference.is_valid(data), findings
    assert checker.errors(schema, data, _nowhere) == findings


def test_evaluator_and_model_errors_point_at_the_same_places() -> None:
    for path in [*BAD, *GOOD]:
        doc = loads(path.read_bytes(), path.name, json_syntax=True).document
        assert doc is not None
        fast = {(f.line, f.column, f.rule) for f in check_config(doc)}
        try:
            ConnectorConfig.model_validate(doc.data)
            slow: set[tuple[int, int, str]] = set()
        except ValidationError as e:
            slow = {(f.line, f.column, f.rule) for f in errors_to_findings(e, doc, ConnectorConfig)}
        assert fast == slow, path.name
