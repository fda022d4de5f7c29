"""Checks on Logto's usage types that several stages share: one Logto never sends (SC101, with a
did-you-mean), the ones a config must have (SC204), and how a message names a template.

Lint, build, ``--set``, ``--type``, batches and deploy (through the build) call these, so the same bad
value gets the same finding (rule, wording, hint) whichever command meets it (tests/test_shared_checks.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.paths import KeyPath
from connector.diagnostics.printable import printable
from connector.diagnostics.suggest import did_you_mean
from connector.logto import REQUIRED_USAGE_TYPES, USAGE_TYPES

_FALLS_BACK = "Logto would silently use the Generic template instead"
# A template with `locales` is also sent to Logto's email-template API, whose templateType is an enum.
_API_REFUSES = (
    "; with `locales`, Logto's email-template API takes only its own usage types, so uploading the other "
    "languages (ENV.email-templates.json) would be refused"
)
REQUIRED_HINT = "add a template for each; Logto rejects the whole config otherwise"


def usage_type_problem(kind: str, *, languages: bool = False) -> tuple[str, str] | None:
    """SC101's message and hint for a usage type Logto never sends, or None for one it sends.

    ``languages``: the template has other languages (``locales``), which Logto's API then refuses."""
    if kind in USAGE_TYPES:
        return None
    guess = did_you_mean(kind, USAGE_TYPES)
    message = (
        f"usageType `{printable(kind)}` is not one Logto sends"
        + (f"; did you mean `{guess}`?" if guess else "")
        + f" ({_FALLS_BACK}{_API_REFUSES if languages else ''})"
    )
    return message, f"write `{guess}`" if guess else f"use one of {', '.join(USAGE_TYPES)}"


def unknown_usage_type(
    kind: str, where: Location, key_path: KeyPath = (), *, languages: bool = False
) -> Finding | None:
    """SC101 at ``where`` for a usage type Logto never sends, or None for one it sends."""
    problem = usage_type_problem(kind, languages=languages)
    if problem is None:
        return None
    return Finding.at(where, "SC101", *problem, key_path=key_path)


def missing_usage_types(kinds: Iterable[object]) -> list[str]:
    """The usage types Logto requires that ``kinds`` (the templates' usageType values) lack, in order; a
    value that is not text (a list, a mapping: the schema's to report) counts as none."""
    present = {kind for kind in kinds if isinstance(kind, str)}
    return [kind for kind in REQUIRED_USAGE_TYPES if kind not in present]


def missing_usage_types_message(missing: Sequence[str]) -> str:
    """SC204's message for the usage types a config lacks."""
    return f"templates lack the usage types Logto requires: {', '.join(missing)}"


def lacking_usage_types(
    missing: Sequence[str], where: Location, key_path: KeyPath = ("templates",)
) -> Finding:
    """SC204 at ``where`` (the ``templates`` key) for the required usage types a config lacks."""
    return Finding.at(where, "SC204", missing_usage_types_message(missing), REQUIRED_HINT, key_path=key_path)


def template_label(template: Mapping[str, Any], index: int) -> str:
    """How messages name a template: its usage type in quotes (``"SignIn"``), else its place (``#2``)."""
    kind = template.get("usageType")
    if kind in USAGE_TYPES:  # printable already: most labels, and rules name each template they check
        return f'"{kind}"'
    return f'"{printable(kind)}"' if isinstance(kind, str) and kind else f"#{index + 1}"
