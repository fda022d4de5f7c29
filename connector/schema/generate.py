"""The published JSON Schema, generated from the models (never edited by hand)."""

from __future__ import annotations

import json
from typing import Any

from connector.logto import REQUIRED_USAGE_TYPES
from connector.resources import schema_path
from connector.schema.models import ConnectorConfig

SCHEMA_ID = "urn:smtp-connector:schema:config:v1"
FILE_NAME = "smtp-connector.schema.json"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def generate_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the final Logto config, from :class:`ConnectorConfig`."""
    raw = ConnectorConfig.model_json_schema(by_alias=True, mode="validation")
    body = _tidy(raw)
    templates = body["properties"]["templates"]
    templates["allOf"] = [
        {
            "contains": {
                "type": "object",
                "properties": {"usageType": {"const": kind}},
                "required": ["usageType"],
            }
        }
        for kind in REQUIRED_USAGE_TYPES
    ]
    # Logto's guard is a zod union: a value matching several auth forms is fine (anyOf, not oneOf).
    auth = body["properties"]["auth"]
    auth["anyOf"] = auth.pop("oneOf")
    head = {
        "$schema": DIALECT,
        "$id": SCHEMA_ID,
        "title": "Logto SMTP connector config",
        "description": "The JSON that Logto's SMTP connector (@logto/connector-smtp) accepts, as smtp-connector "
        "builds it. Generated from the models of smtp-connector; do not edit.",
    }
    return {**head, **{k: v for k, v in body.items() if k not in ("title", "description")}}


def _tidy(node: Any, in_properties: bool = False) -> Any:
    """Drop pydantic's noise: per-property titles made from field names, and null defaults."""
    if isinstance(node, list):
        return [_tidy(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "default" and value is None:
            continue
        if key == "title" and in_properties:
            continue
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: _tidy(prop, in_properties=True) for name, prop in value.items()}
        else:
            out[key] = _tidy(value, in_properties=in_properties and key in ("anyOf", "items"))
    return out


def schema_text(schema: dict[str, Any]) -> str:
    """The file form: 2-space indent, final newline, keys in generation order."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def published_text() -> str:
    """The committed (or shipped) schema file's text."""
    return schema_path(FILE_NAME).read_text(encoding="utf-8")
