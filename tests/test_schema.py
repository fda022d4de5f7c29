from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from connector.resources import schema_path
from connector.schema import generate as schema

from .test_models import BAD, GOOD

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ROOT / "schema" / schema.FILE_NAME


@pytest.fixture(scope="module")
def published() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PUBLISHED.read_text())
    return data


def test_committed_schema_is_not_stale() -> None:
    fresh = schema.schema_text(schema.generate_schema())
    assert PUBLISHED.read_text() == fresh, (
        "schema/smtp-connector.schema.json is stale: run `python -m connector schema --generate > "
        "schema/smtp-connector.schema.json` and commit it"
    )


def test_schema_is_valid_draft_2020_12(published: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(published)
    assert published["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert published["$id"] and published["title"]


def _properties(node: Any, path: str = "") -> list[tuple[str, Any]]:
    found = []
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            found.append((f"{path}.{name}", prop))
        for key, value in node.items():
            if key != "allOf":  # the `contains` checks of required usage types, not property definitions
                found.extend(_properties(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found.extend(_properties(item, f"{path}[{i}]"))
    return found


def test_every_property_has_a_description(published: dict[str, Any]) -> None:
    missing = [path for path, prop in _properties(published) if "description" not in prop]
    assert not missing


def test_usage_type_rule_is_in_the_schema(published: dict[str, Any]) -> None:
    consts = [
        c["contains"]["properties"]["usageType"]["const"]
        for c in published["properties"]["templates"]["allOf"]
    ]
    assert consts == ["Register", "SignIn", "ForgotPassword", "Generic"]


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.stem)
def test_schema_accepts_what_the_models_accept(path: Path, published: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(published).validate(json.loads(path.read_text()))


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_schema_rejects_what_the_models_reject(path: Path, published: dict[str, Any]) -> None:
    errors = list(jsonschema.Draft202012Validator(published).iter_errors(json.loads(path.read_text())))
    assert errors


def test_shipped_schema_is_found_through_resources() -> None:
    assert schema_path().read_text() == PUBLISHED.read_text()
