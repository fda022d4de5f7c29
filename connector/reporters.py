"""Print findings for people and machines. The only place findings become text."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from typing import TextIO

from connector.findings import Finding, sort_findings
from connector.redact import redact

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
    for f in sort_findings(findings):
        if f.suppressed:
            continue
        if color:
            line = (
                f"{_BOLD}{f.file}:{f.line}:{f.column}:{_RESET} {_COLORS[f.severity]}{f.severity}{_RESET} "
                f"{_DIM}{f.rule}{_RESET} {f.message}" + (f" {_DIM}(hint: {f.hint}){_RESET}" if f.hint else "")
            )
        else:
            line = f.format()
        stream.write(redact(line) + "\n")


def write_json(findings: Iterable[Finding], stream: TextIO) -> None:
    """One JSON array of finding objects (SPEC §8), suppressed ones marked rather than dropped."""
    items = [f.as_dict() for f in sort_findings(findings)]
    stream.write(redact(json.dumps(items, indent=2, ensure_ascii=False)) + "\n")
