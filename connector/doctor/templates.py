"""The templates part of doctor (offline): what lint's template rules find in the config as it will be
sent, each language included (SC111 Gmail's clipping size; SC112 to SC115, what readers' clients lose),
as checks at the finding's own file, line and column. Lint is the one home of these rules and their
words; doctor only asks it, so the hook, ``build`` and doctor say the same thing at the same place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.paths import dotted
from connector.doctor import Check
from connector.logto.html_elements import GMAIL_CLIP_BYTES
from connector.schema.models import ConnectorConfig, StoreTemplate, Template

# The lint rules the templates part reports, and the check each is.
RULES = {
    "SC111": "templates.size",
    "SC112": "templates.lint",
    "SC113": "templates.lint",
    "SC114": "templates.lint",
    "SC115": "templates.lint",
}


def template_checks(
    config: ConnectorConfig,
    variants: Mapping[str, Sequence[Template | StoreTemplate]],
    findings: Iterable[Finding],
) -> list[Check]:
    """``findings`` (lint's, on the config and its other languages) as checks: over Gmail's clipping size
    fails, the reader problems are warnings; a waiver in the source (``disable=SC112``) holds here too."""
    checks = [
        Check(
            RULES[f.rule],
            "fail" if RULES[f.rule] == "templates.size" else "warn",
            f.message,
            f.hint,
            dotted(f.key_path) if f.key_path else "",
            where=Location(f.file, f.line, f.column),
        )
        for f in findings
        if f.rule in RULES and not f.suppressed
    ]
    if not any(c.id == "templates.size" for c in checks):
        checks.insert(0, Check("templates.size", "pass", _largest(config, variants)))
    if not any(c.id == "templates.lint" for c in checks):
        checks.append(
            Check(
                "templates.lint", "pass", "no image without alt, http:// link, missing lang or long subject"
            )
        )
    return checks


def _largest(config: ConnectorConfig, variants: Mapping[str, Sequence[Template | StoreTemplate]]) -> str:
    every: list[tuple[str, Template | StoreTemplate]] = [(t.usageType, t) for t in config.templates]
    every += [(f"{t.usageType} ({tag})", t) for tag, items in variants.items() for t in items]
    sizes = [
        (len(t.content.encode("utf-8", "surrogatepass")), name)
        for name, t in every
        if t.contentType != "text/plain"  # a store template without one is sent as HTML
    ]
    if not sizes:
        return "no text/html template"
    size, name = max(sizes)
    return f"the largest HTML template ({name}) is {size / 1024:.1f} KB, under {GMAIL_CLIP_BYTES // 1024} KB"
