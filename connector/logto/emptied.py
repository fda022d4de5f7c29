"""A required value Logto's save deletes (SC402): the one finding, whichever command meets it (lint, build,
deploy, render, send).

Logto's clean-deep step (:func:`connector.logto.clean_deep`) removes empty strings, nulls, ``{}`` and ``[]``
when it saves a config, and the guard accepts it; once stored, a required key it removed is missing, so
every send fails (docs/logto-compat.md). ``build``, ``deploy``, ``render`` and ``send`` validate the cleaned
config; a required key it misses that the clean removed is reported here, at the empty value, instead of
as a plain missing key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.paths import KeyPath, dotted
from connector.logto import REQUIRED_KEYS, TEMPLATE_REQUIRED_FIELDS
from connector.logto.usage_types import template_label

RULE = "SC402"
_MISSING = "missing-key"  # the validator's kind for a required key that is absent


def emptied_finding(path: KeyPath, where: Location, data: Any = None) -> Finding:
    """SC402 for the required value at ``path``, empty where ``where`` says, which Logto's save deletes; a
    template's field is named by the template's label when ``data`` (the config as written) holds it."""
    templates = data.get("templates") if isinstance(data, dict) else None
    if (
        len(path) == 3
        and path[0] == "templates"
        and isinstance(path[1], int)
        and isinstance(templates, list)
        and 0 <= path[1] < len(templates)
        and isinstance(templates[path[1]], dict)
    ):
        name = f"template {template_label(templates[path[1]], path[1])} has an empty `{path[-1]}`"
        hint = f"write the {path[-1]}"
    else:
        name = f"`{dotted(path)}` is empty"
        hint = (
            "fill in user and pass; a relay without credentials needs `auth: {type: login}` and must not "
            "advertise AUTH"
            if path == ("auth",)
            else f"give {dotted(path)} a value"
        )
    return Finding.at(
        where,
        RULE,
        f"{name}: Logto deletes empty values when it saves a config, and every send of the saved config then "
        f"fails because `{path[-1]}` is required",
        hint,
        key_path=path,
    )


def empty_required(data: dict[str, Any]) -> list[KeyPath]:
    """The required values of a config as written that are empty (``""``, ``[]``), which Logto's save deletes:
    what the lint reports before any build (a build sees them through :func:`emptied_findings`)."""
    found: list[KeyPath] = [(key,) for key in REQUIRED_KEYS if data.get(key) in ("", [])]
    templates = data.get("templates")
    for index, template in enumerate(templates if isinstance(templates, list) else ()):
        if isinstance(template, dict):
            found.extend(("templates", index, f) for f in TEMPLATE_REQUIRED_FIELDS if template.get(f) == "")
    return found


def emptied_findings(
    findings: Iterable[Finding],
    removed: Iterable[KeyPath],
    where: Callable[[KeyPath], Location],
    data: Any = None,
) -> list[Finding]:
    """``findings`` of the cleaned config, each missing key that the clean removed made SC402 at ``where``.

    ``removed`` is what :func:`connector.logto.clean_deep` removed; a missing key it did not remove (never
    written) stays as the validator said it. The decision is on the key path, never on a message. ``data``
    (the config as written) names templates by usage type.
    """
    emptied = {path for path in removed if path and not isinstance(path[-1], int)}
    return [
        emptied_finding(f.key_path, where(f.key_path), data)
        if f.kind == _MISSING and f.key_path in emptied
        else f
        for f in findings
    ]
