"""smtp-connector: Logto SMTP connector config as code.

The public API is imported lazily, so the command line (and the pre-commit hook) start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "ConnectorConfig": "connector.models",
    "Template": "connector.models",
    "Finding": "connector.findings",
    "Location": "connector.findings",
    "Document": "connector.loader",
    "load": "connector.loader",
    "validate_config": "connector.validate",
    "lint_paths": "connector.lint",
    "generate_schema": "connector.schema",
    "TemplateRenderer": "connector.authoring",
    "email_templates_body": "connector.locales",
    "ConnectorError": "connector.errors",
    "InputError": "connector.errors",
    "UsageError": "connector.errors",
    "Project": "connector.project",
    "Composed": "connector.project",
    "Origin": "connector.project",
    "load_project": "connector.project",
    "compose": "connector.project",
    "build_config": "connector.project",
}

__all__ = ["__version__", *_LAZY]

if TYPE_CHECKING:
    from connector.authoring import TemplateRenderer
    from connector.errors import ConnectorError, InputError, UsageError
    from connector.findings import Finding, Location
    from connector.lint import lint_paths
    from connector.loader import Document, load
    from connector.locales import email_templates_body
    from connector.models import ConnectorConfig, Template
    from connector.project import Composed, Origin, Project, build_config, compose, load_project
    from connector.schema import generate_schema
    from connector.validate import validate_config


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'connector' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
