"""The published JSON Schema of source files (project, environment, provider overlay), generated, never edited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from connector.logto import AUTH_FORMS
from connector.resources import schema_path

SCHEMA_ID = "urn:smtp-connector:schema:source:v1"
FILE_NAME = "smtp-connector.source.schema.json"
# The $defs names of the auth forms, so findings say which form the author meant.
FORMS = {
    **{f"{model}Source": label for label, model in AUTH_FORMS.values()},
    "TextSource": "{text: PATH}",
    "FileSource": "{file: PATH}",
    "JinjaSource": "{jinja: TEXT}",
}


def generate_source_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one source file, from the partial models."""
    # Imported here: the schema module loads pydantic, and projects are loaded (for lint) without it.
    # start-up: pydantic loads only when a config is validated
    from connector.schema.generate import DIALECT, _tidy
    from connector.schema.source_models import SOURCE_DESCRIPTION, source_model

    raw = source_model().model_json_schema(by_alias=True, mode="validation")
    body = _any_of(_tidy(raw))
    head = {
        "$schema": DIALECT,
        "$id": SCHEMA_ID,
        "title": "smtp-connector source file",
        "description": SOURCE_DESCRIPTION + " Generated from the models of smtp-connector; do not edit.",
    }
    return {**head, **{k: v for k, v in body.items() if k not in ("title", "description")}}


def _any_of(node: Any) -> Any:
    # Logto's guard is a zod union: a value matching several auth forms is fine (anyOf, not oneOf).
    if isinstance(node, list):
        return [_any_of(item) for item in node]
    if isinstance(node, dict):
        return {("anyOf" if key == "oneOf" else key): _any_of(value) for key, value in node.items()}
    return node


def source_schema_path() -> Path:
    """The committed (or shipped) source schema file."""
    return schema_path(FILE_NAME)
