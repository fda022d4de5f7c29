"""From a composed config to the final one: drop empty values as Logto's save does, validate, render.

Logto deletes empty strings, nulls, empty objects and empty lists, recursively, when it saves a config
(docs/projects.md, "Building"). The build does the same, so the built file is exactly what Logto stores; when that removal
leaves a required key missing (``auth: {}``), the finding points at the empty value in the source.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING

from connector.diagnostics.findings import Finding
from connector.diagnostics.paths import KeyPath
from connector.logto import clean_deep
from connector.project.layers import Composed

if TYPE_CHECKING:
    from connector.schema.models import ConnectorConfig


def finalize(composed: Composed) -> tuple[ConnectorConfig | None, list[Finding]]:
    """Strip empty values, then validate; findings for an emptied required key point at the empty value."""
    from connector.schema.validate import validate_config

    data, removed = clean_deep(composed.data)
    stripped = replace(composed, data=data)
    config, findings = validate_config(stripped)
    if config is None and removed:
        findings = _emptied(findings, stripped, removed)
    if config is not None:
        # Logto would hand a subject with a line break to nodemailer as is: refuse to build it (SC406/SC408).
        # Nor a timeout Node clamps to 1 ms, which fails every send (SC311): `--set` can bring one in.
        from connector.logto.headers import header_findings
        from connector.logto.timers import timer_findings

        broken = [f for f in [*header_findings(stripped), *timer_findings(stripped)] if f.severity == "error"]
        if broken:
            return None, broken
    return config, findings


def _emptied(findings: list[Finding], composed: Composed, removed: list[KeyPath]) -> list[Finding]:
    from connector.diagnostics.paths import dotted

    out = list(findings)
    for path in removed:
        name = path[-1]
        if isinstance(name, int):
            continue
        for i, f in enumerate(out):
            if f.kind == "missing-key" and f.key_path == path:
                hint = (
                    "fill in user and pass; a relay without credentials needs `auth: {type: login}` and "
                    "must not advertise AUTH"
                    if path == ("auth",)
                    else f"give {dotted(path)} a value"
                )
                out[i] = Finding.at(
                    composed.last_touched(path),
                    "SC505",
                    f"`{dotted(path)}` is empty: Logto deletes empty values when it saves a config, "
                    f"and then rejects it because `{name}` is required",
                    hint,
                    key_path=path,
                )
    return out


def config_text(config: ConnectorConfig) -> str:
    """The file Logto accepts: the models' key order, 2-space indent, a final newline."""
    data, _ = clean_deep(config.to_logto())
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
