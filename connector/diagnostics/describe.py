"""How a value is described in a message: its JSON kind, and the value itself when it is safe to echo.

The one home of this wording, so that a loader, the schema checker and the template sandbox say the same
thing about the same value, and of a value shown on one line of a listing (deploy's plan, ``explain``).
"""

from __future__ import annotations

import json
from typing import Any

from connector.diagnostics.printable import printable

LINE_WIDTH = 60  # a value longer than this on a listing's line (a template body) is shown by its size

_KINDS: dict[type, str] = {
    bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list", dict: "a mapping",
}  # fmt: skip


def kind_of(value: Any) -> str:
    """``a string``, ``a number``, ``a boolean``, ``a list``, ``a mapping``, ``null``, else ``a value``."""
    if value is None:
        return "null"
    return _KINDS.get(type(value), "a value")


def show(value: Any) -> str:
    """The value as written in a message; empty for collections and null."""
    # Collections and long strings are not echoed: they may hold a secret, and they do not fit a line.
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 40 else f'"{value[:37]}..."'
    if isinstance(value, (dict, list)) or value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)


def got(value: Any) -> str:
    """What a finding says it found: ``the string "587"``, ``a number 5``, ``a list``, ``null``."""
    if isinstance(value, str):
        return f"the string {show(value)}"
    return f"{kind_of(value)} {show(value)}".rstrip()


def one_line(value: Any, width: int = LINE_WIDTH) -> str:
    """A value on one line of a listing: its JSON, made printable; when longer than ``width`` or of several
    lines, its size (``(1480 characters)``, ``(95 characters of JSON)``)."""
    text = json.dumps(value, ensure_ascii=False)
    if len(text) <= width and "\\n" not in text:
        return printable(text)
    if isinstance(value, str):
        return f"({len(value)} characters)"
    return f"({len(text)} characters of JSON)"
