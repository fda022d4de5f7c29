"""smtp-connector: Logto SMTP connector config as code.

The public API is imported lazily, so the command line (and the pre-commit hook) start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "ConnectorConfig": "connector.schema.models",
    "Template": "connector.schema.models",
    "Finding": "connector.diagnostics.findings",
    "Location": "connector.diagnostics.findings",
    "Document": "connector.source.loader",
    "load": "connector.source.loader",
    "validate_config": "connector.schema.validate",
    "lint_paths": "connector.lint",
    "generate_schema": "connector.schema.generate",
    "TemplateRenderer": "connector.authoring.templates",
    "email_templates_body": "connector.authoring.locales",
    "ConnectorError": "connector.errors",
    "InputError": "connector.errors",
    "UsageError": "connector.errors",
    "Project": "connector.project.layout",
    "Composed": "connector.project.layout",
    "Origin": "connector.project.layout",
    "load_project": "connector.project.layout",
    "compose": "connector.project.layout",
    "build_config": "connector.build.outputs",
    "DeliveryError": "connector.errors",
    "fill_placeholders": "connector.logto.placeholders",
    "fill_message": "connector.mail.message",
    "fill_template": "connector.mail.message",
    "build_message": "connector.mail.message",
    "send_all": "connector.mail.send",
    "Job": "connector.mail.send",
    "Result": "connector.mail.send",
    "RetryPolicy": "connector.mail.send",
    "Sink": "connector.sink",
}

__all__ = ["__version__", *_LAZY]

if TYPE_CHECKING:
    from connector.authoring.locales import email_templates_body
    from connector.authoring.templates import TemplateRenderer
    from connector.build.outputs import build_config
    from connector.diagnostics.findings import Finding, Location
    from connector.errors import ConnectorError, DeliveryError, InputError, UsageError
    from connector.lint import lint_paths
    from connector.logto.placeholders import fill_placeholders
    from connector.mail.message import build_message, fill_message, fill_template
    from connector.mail.send import Job, Result, RetryPolicy, send_all
    from connector.project.layout import Composed, Origin, Project, compose, load_project
    from connector.schema.generate import generate_schema
    from connector.schema.models import ConnectorConfig, Template
    from connector.schema.validate import validate_config
    from connector.sink import Sink
    from connector.source.loader import Document, load


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'connector' has no attribute {name!r}")

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
