"""Print findings for people and machines. The only place findings become text."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

from connector import __version__
from connector.diagnostics.catalog import RULES
from connector.diagnostics.findings import Finding, sort_findings
from connector.diagnostics.paths import dotted
from connector.diagnostics.printable import printable, printable_json
from connector.diagnostics.redact import redact

_COLORS = {"error": "\033[31m", "warning": "\033[33m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def use_color(stream: TextIO, choice: str = "auto") -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty() and os.environ.get("TERM") != "dumb"


def write_text(findings: Iterable[Finding], stream: TextIO, *, color: bool = False) -> None:
    """Compiler-style lines: ``path:line:col: error SC104 message (hint: ...)``."""
    lines = []
    # File names and hints repeat from finding to finding (a batch's 100,000 findings name one file and a
    # few hints): each is made printable once.
    seen: dict[str, str] = {}
    for f in sort_findings(findings):
        if f.suppressed:
            continue
        # A value quoted in a message (a key with a line break, an escape sequence) must not start a
        # line of its own or drive the terminal: one finding, one line.
        file, hint = seen.get(f.file), seen.get(f.hint)
        if file is None:
            file = seen[f.file] = printable(f.file)
        if hint is None:
            hint = seen[f.hint] = printable(f.hint)
        shown = file, printable(f.message), hint
        if shown != (f.file, f.message, f.hint):
            f = replace(f, file=shown[0], message=shown[1], hint=shown[2])
        if color:
            line = (
                f"{_BOLD}{f.file}:{f.line}:{f.column}:{_RESET} {_COLORS[f.severity]}{f.severity}{_RESET} "
                f"{_DIM}{f.rule}{_RESET} {f.message}" + (f" {_DIM}(hint: {f.hint}){_RESET}" if f.hint else "")
            )
        else:
            line = f.format()
        lines.append(redact(line) + "\n")
    stream.write("".join(lines))  # one write: a write per line costs more than the lint of a big file


def write_json(findings: Iterable[Finding], stream: TextIO) -> None:
    """One JSON array of finding objects (docs/lint.md), suppressed ones marked rather than dropped."""
    items = [f.as_dict() for f in sort_findings(findings)]
    stream.write(printable_json(redact(json.dumps(items, indent=2, ensure_ascii=False))) + "\n")


def escape_data(text: str) -> str:
    """Text in a GitHub Actions workflow command's message: %, CR and LF escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: also : and , escaped."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def from_root(file: str, root: Path | None) -> str:
    """``file`` relative to ``root`` (the repository's root, absolute), as GitHub names files whatever
    folder the tool ran in; unchanged outside ``root`` or without one."""
    if root is None or not file:
        return file
    try:
        return Path(os.path.abspath(file)).relative_to(root).as_posix()
    except ValueError:
        return file


def write_github(findings: Iterable[Finding], stream: TextIO, *, root: Path | None = None) -> None:
    """GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per finding, each file
    named from ``root`` (the repository's root), where GitHub looks for it."""

    for f in sort_findings(findings):
        if f.suppressed:
            continue
        rule = RULES.get(f.rule)
        title = f"{f.rule} {rule.title}" if rule else f.rule
        # Redacted before escaping: escaping changes a secret's text (`%` becomes `%25`), and the
        # escaped form would no longer be recognised.
        message = redact(f"{f.message}\nhint: {f.hint}" if f.hint else f.message)
        properties = ",".join(
            f"{key}={escape_property(redact(str(value)))}"
            for key, value in (
                ("file", from_root(f.file, root)),
                ("line", f.line),
                ("col", f.column),
                ("title", title),
            )
        )
        stream.write(f"::{f.severity} {properties}::{escape_data(message)}\n")


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def write_sarif(
    findings: Iterable[Finding],
    stream: TextIO,
    *,
    suppressions: Mapping[Finding, str] | None = None,
    root: Path | None = None,
) -> None:
    """A SARIF 2.1.0 log with one run; suppressed findings carry a suppression (inSource or external).
    Files are named from ``root`` (the repository's root; default: the current folder), its SRCROOT."""

    ordered = sorted(RULES)
    index = {rule_id: i for i, rule_id in enumerate(ordered)}
    results = []
    for f in sort_findings(findings):
        result: dict[str, object] = {
            "ruleId": f.rule,
            "level": f.severity,
            "message": {"text": f"{f.message} (hint: {f.hint})" if f.hint else f.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _artifact(from_root(f.file, root)),
                        "region": {"startLine": f.line, "startColumn": f.column},
                    }
                }
            ],
        }
        if f.rule in index:
            result["ruleIndex"] = index[f.rule]
        properties: dict[str, object] = {"kind": f.kind} if f.kind else {}
        if f.key_path:
            properties.update(key=dotted(f.key_path), keyPath=list(f.key_path))
        if properties:
            result["properties"] = properties
        if f.suppressed:
            result["suppressions"] = [{"kind": (suppressions or {}).get(f, "inSource")}]
        results.append(result)
    rules = [
        {
            "id": rule_id,
            "name": RULES[rule_id].title,
            "shortDescription": {"text": RULES[rule_id].help},
            "help": {"text": RULES[rule_id].help},
            "defaultConfiguration": {"level": RULES[rule_id].severity},
        }
        for rule_id in ordered
    ]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "smtp-connector", "version": __version__, "rules": rules}},
                "originalUriBaseIds": {"SRCROOT": {"uri": (root or Path.cwd()).as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    stream.write(printable_json(redact(json.dumps(log, indent=2, ensure_ascii=False))) + "\n")


def _artifact(file: str) -> dict[str, str]:
    path = Path(file)
    if path.is_absolute():
        return {"uri": path.as_uri()}
    return {"uri": quote(path.as_posix()), "uriBaseId": "SRCROOT"}


def summary(findings: Iterable[Finding]) -> str:
    """``2 errors, 1 warning (1 suppressed)``, or the empty string when there is nothing to say."""
    items = list(findings)
    shown = [f for f in items if not f.suppressed]
    errors = sum(f.severity == "error" for f in shown)
    warnings = len(shown) - errors
    hidden = len(items) - len(shown)
    if not items:
        return ""
    parts = [f"{errors} error{'s' * (errors != 1)}", f"{warnings} warning{'s' * (warnings != 1)}"]
    return ", ".join(parts) + (f" ({hidden} suppressed)" if hidden else "")
