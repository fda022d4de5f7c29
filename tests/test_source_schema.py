"""The published schemas are generated, not edited; the source schema covers every shipped YAML file."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from connector.diagnostics.findings import Location
from connector.schema import generate as schema
from connector.schema import source_generate as source_schema
from connector.schema.check import SUPPORTED, SchemaChecker
from connector.source.loader import load

from .conftest import ROOT, CliRunner

SOURCE = ROOT / "schema" / source_schema.FILE_NAME
SHIPPED_YAML = sorted([*ROOT.glob("providers/*.yaml"), *ROOT.glob("examples/**/*.yaml")])


def _nowhere(path: object, *, key: bool = False) -> Location:
    return Location("x.yaml")


@pytest.fixture(scope="module")
def published() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SOURCE.read_text())
    return data


@pytest.mark.parametrize(
    ("path", "generate", "command"),
    [
        (ROOT / "schema" / schema.FILE_NAME, schema.generate_schema, "schema --generate"),
        (SOURCE, source_schema.generate_source_schema, "schema --source --generate"),
    ],
    ids=["final", "source"],
)
def test_committed_schemas_are_not_stale(path: Path, generate: Any, command: str) -> None:
    assert path.read_text() == schema.schema_text(generate()), (
        f"{path.relative_to(ROOT)} is stale: run `python -m connector {command} > {path.relative_to(ROOT)}` "
        "and commit it"
    )


def test_schema_source_prints_the_published_file(cli: CliRunner) -> None:
    assert cli("schema", "--source").stdout == SOURCE.read_text()
    assert cli("schema", "--source", "--generate").stdout == SOURCE.read_text()


def test_the_source_schema_is_valid_and_checkable(published: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(published)
    assert published["$id"] == source_schema.SCHEMA_ID

    def keywords(node: Any, in_properties: bool = False) -> set[str]:
        found: set[str] = set()
        if isinstance(node, dict):
            for key, value in node.items():
                if not in_properties and key != "$defs":
                    found.add(key)
                found |= keywords(value, key in ("properties", "$defs") and not in_properties)
        elif isinstance(node, list):
            for item in node:
                found |= keywords(item)
        return found

    assert keywords(published) <= SUPPORTED


def test_every_key_is_optional_and_nullable_but_usage_type(published: dict[str, Any]) -> None:
    props = published["properties"]
    assert list(props)[:2] == ["provider", "variables"]
    assert "required" not in published
    assert all({"type": "null"} in p["anyOf"] for p in props.values())
    assert published["$defs"]["TemplateSource"]["required"] == ["usageType"]
    assert all("description" in p for p in props.values())


@pytest.mark.parametrize("path", SHIPPED_YAML, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_yaml_names_the_schema_and_follows_it(path: Path, published: dict[str, Any]) -> None:
    first = path.read_text().splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match, "the first line points editors at the schema"
    assert (path.parent / match.group(1)).resolve() == SOURCE
    doc = load(path).document
    assert doc is not None
    jsonschema.Draft202012Validator(published).validate(doc.data)


@pytest.mark.parametrize(
    "data",
    [
        {"hots": "x"},
        {"port": "25"},
        {"auth": {"usr": "me"}},
        {"templates": [{"subject": "no usage type"}]},
        {"templates": [{"usageType": "SignIn", "contentType": "text/markdown"}]},
        {"provider": 3},
        {"tls": {"minVersion": "TLSv9"}},
    ],
)
def test_the_fast_checker_and_jsonschema_both_reject(data: dict[str, Any], published: dict[str, Any]) -> None:
    assert list(jsonschema.Draft202012Validator(published).iter_errors(data))
    assert SchemaChecker(published, source_schema.FORMS).check(data, _nowhere)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"auth": None, "port": None, "provider": None, "variables": {"a": [1, {"b": None}]}},
        {"auth": {"pass": "${SMTP_PASS}"}, "templates": [{"usageType": "SignIn", "subject": None}]},
        {"tls": {"rejectUnauthorized": False, "anything": 1}},
    ],
)
def test_partial_values_and_nulls_are_accepted(data: dict[str, Any], published: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(published).validate(data)
    assert not SchemaChecker(published, source_schema.FORMS).check(data, _nowhere)
