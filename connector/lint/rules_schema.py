"""SC201-SC203: the config's shape, checked by the models (connector.validate) at source positions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from connector.findings import Finding, Location
from connector.lint.base import TEXT_MODES, WHOLE_MODES, Context, is_reference, rule
from connector.loader import KeyPath

# Keys of a project source layer that are the project's, not the connector's (SPEC §4).
PROJECT_KEYS = frozenset({"provider", "variables", "$schema"})


@rule(TEXT_MODES)
def schema(ctx: Context) -> Iterator[Finding]:
    from connector.validate import check_config

    source = ctx.source if ctx.complete else _Layer(ctx)
    findings = check_config(source)
    references = set() if ctx.resolved else set(_references(ctx, ctx.data, ()))
    for finding in findings:
        if finding.rule == "SC204":
            continue  # the usage-types rule reports it, also when other template errors hide it
        if not ctx.complete and finding.rule == "SC203":
            continue  # a layer holds only what it changes
        if finding.rule == "SC202" and finding.location in references:
            continue  # `port: ${SMTP_PORT}` gets its type when the reference is resolved
        yield finding


class _Layer:
    """A source layer without its project-only keys, for checking the keys it does hold."""

    def __init__(self, ctx: Context) -> None:
        self.data = {k: v for k, v in ctx.data.items() if k not in PROJECT_KEYS}
        self.locate = ctx.source.locate


def _references(ctx: Context, value: Any, path: KeyPath) -> Iterator[Location]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _references(ctx, item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _references(ctx, item, (*path, index))
    elif is_reference(value):
        yield ctx.at(path)


@rule(WHOLE_MODES)
def required_usage_types(ctx: Context) -> Iterator[Finding]:
    from connector.logto import REQUIRED_USAGE_TYPES

    templates = ctx.data.get("templates")
    if not isinstance(templates, list) or not templates:
        return  # missing or empty: the schema rule or SC402 says so
    present = {kind for _, t in ctx.templates() if isinstance(kind := t.get("usageType"), str)}
    missing = [kind for kind in REQUIRED_USAGE_TYPES if kind not in present]
    if missing:
        yield ctx.finding(
            ("templates",),
            "SC204",
            f"templates lack the usage types Logto requires: {', '.join(missing)}",
            "add a template for each; Logto rejects the whole config otherwise",
            key=True,
        )
