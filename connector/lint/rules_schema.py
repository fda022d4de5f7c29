"""SC201-SC203: the config's shape, checked against the published schemas at source positions.

A whole config is checked against the final schema (what Logto accepts); a source layer on its own against
the source schema (every key optional, ``provider``, ``variables``, ``language``, ``locales``, and template
fields as a string, ``{text: PATH}``, ``{file: PATH}`` or ``{jinja: TEXT}``).
"""

from __future__ import annotations

from collections.abc import Iterator

from connector.diagnostics.findings import Finding
from connector.lint.base import TEXT_MODES, WHOLE_MODES, Context, is_reference, rule
from connector.logto.usage_types import lacking_usage_types, missing_usage_types
from connector.project.sources import source_checker
from connector.schema.validate import check_config


@rule("SC201", "SC202", "SC203", modes=TEXT_MODES)
def schema(ctx: Context) -> Iterator[Finding]:
    if ctx.complete:
        findings = check_config(ctx.source)
    else:
        data = {k: v for k, v in ctx.data.items() if k != "$schema"}
        findings = source_checker().check(data, ctx.source.locate)
    references = set() if ctx.resolved else {ctx.at(path) for path, text in ctx.strings if is_reference(text)}
    for finding in findings:
        if finding.rule == "SC204":
            continue  # the usage-types rule reports it, also when other template errors hide it
        if finding.rule == "SC202" and finding.location in references:
            continue  # `port: ${SMTP_PORT}` gets its type when the reference is resolved
        yield finding


@rule("SC204", modes=WHOLE_MODES)
def required_usage_types(ctx: Context) -> Iterator[Finding]:
    templates = ctx.data.get("templates")
    if not isinstance(templates, list) or not templates:
        return  # missing or empty: the schema rule or SC402 says so
    missing = missing_usage_types(t.get("usageType") for _, t in ctx.templates())
    if missing:
        yield lacking_usage_types(missing, ctx.at(("templates",), key=True))
