"""From a composed or loaded config to the final one: drop empty values as Logto's save does, validate.

Logto deletes empty strings, nulls, empty objects and empty lists, recursively, when it saves a config
(docs/projects.md, "Building"). The build does the same, so the built file is exactly what Logto stores; when that removal
leaves a required key missing (``auth: {}``), the finding points at the empty value in the source
(:mod:`connector.logto.emptied`, SC402, the same for a built file that ``render`` or ``send`` reads).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from connector.diagnostics.findings import Finding, Located, Location
from connector.diagnostics.paths import KeyPath
from connector.logto import clean_deep
from connector.logto.emptied import emptied_findings
from connector.logto.headers import header_findings
from connector.logto.timers import timer_findings
from connector.schema.validate import Part, validate_config

if TYPE_CHECKING:
    from connector.schema.models import ConnectorConfig


def finalize(
    source: Located, where: Callable[[KeyPath], Location] | None = None
) -> tuple[ConnectorConfig | None, list[Finding]]:
    """What Logto holds once it saved ``source``: empty values stripped, then validated, headers checked.

    A required key the strip removed is SC402 at ``where(path)`` (default: the empty value); a header value
    with a line break (SC406/SC408) or a timeout Node clamps (SC311) is refused: Logto would hand it to
    nodemailer as is.
    """

    data, removed = clean_deep(source.data)
    stripped = Part(data, source)
    config, findings = validate_config(stripped)
    if config is None:
        if removed:
            findings = emptied_findings(findings, removed, where or source.locate, source.data)
        return None, findings
    # Nor a timeout Node clamps to 1 ms, which fails every send (SC311): `--set` can bring one in.
    broken = [f for f in [*header_findings(stripped), *timer_findings(stripped)] if f.severity == "error"]
    if broken:
        return None, broken
    return config, findings


def config_text(config: ConnectorConfig) -> str:
    """The file Logto accepts: the models' key order, 2-space indent, a final newline."""
    data, _ = clean_deep(config.to_logto())
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
