"""Doctor results as text: a checklist, JSON, or GitHub Actions annotations (docs/doctor.md).

Every line is redacted (no secret value) and made printable (a server's reply cannot drive a terminal or
start a workflow command) here, where the results become text; in JSON, by JSON's own escapes.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from connector.diagnostics.findings import Location
from connector.diagnostics.printable import printable, printable_json
from connector.diagnostics.redact import redact
from connector.diagnostics.reporters import escape_data, escape_property, from_root
from connector.doctor import Check, counts

_MARKS = {"pass": "pass", "warn": "WARN", "fail": "FAIL", "skip": "skip"}
_COLORS = {"pass": "\033[32m", "warn": "\033[33m", "fail": "\033[31m", "skip": "\033[2m"}
_RESET = "\033[0m"


def _shown(check: Check) -> Check:
    where = check.where
    return replace(
        check,
        message=printable(redact(check.message)),
        hint=printable(redact(check.hint)),
        key=printable(check.key),
        environment=printable(check.environment),
        where=Location(printable(where.file), where.line, where.column) if where else None,
    )


def tally_line(checks: list[Check]) -> str:
    """``12 checks: 9 passed, 1 warning, 1 failed, 1 skipped``."""
    n = counts(checks)
    return (
        f"{len(checks)} check{'s' * (len(checks) != 1)}: {n['pass']} passed, {n['warn']} "
        f"warning{'s' * (n['warn'] != 1)}, {n['fail']} failed, {n['skip']} skipped"
    )


def as_text(checks: list[Check], *, color: bool = False) -> str:
    """One line per check: ``FAIL smtp.tls-mode  what was found (fix: ...; key: secure)``, then the summary."""
    width = max((len(c.id) for c in checks), default=0)
    grouped = len({c.environment for c in checks}) > 1  # --all: a heading before each environment's
    lines = []
    heading = None
    for check in map(_shown, checks):
        if grouped and check.environment != heading:
            heading = check.environment
            lines.append(f"environment {heading}:")
        mark = _MARKS[check.status]
        if color:
            mark = f"{_COLORS[check.status]}{mark}{_RESET}"
        fix = "; ".join(
            part
            for part in (
                f"fix: {check.hint}" if check.hint else "",
                f"key: {check.key}" + (f" at {check.where}" if check.where else "") if check.key else "",
            )
            if part
        )
        lines.append(f"{mark} {check.id:<{width}}  {check.message}" + (f" ({fix})" if fix else ""))
    lines.append(tally_line(checks))
    return "\n".join(lines) + "\n"


def as_json(checks: list[Check]) -> str:
    """``{"checks": [{"id", "status", "message", "hint", "key", "environment"}], "summary": {...}}``."""
    data = {"checks": [_redacted(c).as_dict() for c in checks], "summary": counts(checks)}
    # The same text as the other formats, escaped as JSON does it (a server's reply stays as it said it).
    return printable_json(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"


def _redacted(check: Check) -> Check:
    return replace(check, message=redact(check.message), hint=redact(check.hint))


def as_github(checks: list[Check], *, root: Path | None = None) -> str:
    """A ``::error`` annotation per failed check and ``::warning`` per warning, on the line of the project
    file that sets the check's key when there is one (named from ``root``, the repository's root, where
    GitHub looks for it); passes and skips as plain lines (printable: none of them can be read as a
    workflow command), then the summary."""
    lines = []
    for check in map(_shown, checks):
        if check.status in ("fail", "warn"):
            level = "error" if check.status == "fail" else "warning"
            text = check.message + (f"\nfix: {check.hint}" if check.hint else "")
            where = f"{check.environment}: " if check.environment else ""
            title = f"doctor {where}{check.id}" + (f" ({check.key})" if check.key else "")
            place = (
                f"file={escape_property(from_root(check.where.file, root))},line={check.where.line},"
                f"col={check.where.column},"
                if check.where
                else ""
            )
            lines.append(f"::{level} {place}title={escape_property(title)}::{escape_data(text)}")
        else:
            where = f"{check.environment}: " if check.environment else ""
            lines.append(f"{_MARKS[check.status]} {where}{check.id}  {check.message}")
    lines.append(tally_line(checks))
    return "\n".join(lines) + "\n"
