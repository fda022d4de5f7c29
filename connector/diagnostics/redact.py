"""Keep secret values out of every printed line.

Values resolved from ``${VAR}`` references and credential fields are registered here; every writer that
prints for people (reporters, errors, logs) passes its text through :func:`redact`. A secret is hidden in
the forms it takes in printed text too: escaped inside a JSON string or a Python repr (a password with a
quote, a backslash or a non-ASCII letter is written differently there).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from connector.logto import SECRET_KEYS

REDACTED = "********"

_secrets: set[str] = set()
_forms: list[str] = []  # every form of every secret, longest first


def register_secret(value: str) -> None:
    """Remember ``value`` so that :func:`redact` hides it. Very short values are too common to hide."""
    if len(value) < 4 or value in _secrets:
        return
    _secrets.add(value)
    forms = {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1], repr(value)[1:-1]}
    # Longest first, so a secret that contains another is hidden whole.
    _forms[:] = sorted(set(_forms) | forms, key=len, reverse=True)


def at_secret_paths(value: Any, secret: bool = False) -> Iterator[Any]:
    """The leaf values of ``value`` under a key of :data:`connector.logto.SECRET_KEYS` (all, with ``secret``)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from at_secret_paths(item, secret or key in SECRET_KEYS)
    elif isinstance(value, list):
        for item in value:
            yield from at_secret_paths(item, secret)
    elif secret:
        yield value


def register_secrets(value: Any, secret: bool = False) -> None:
    """Register every credential value in a config (under a key of :data:`connector.logto.SECRET_KEYS`)."""
    for item in at_secret_paths(value, secret):
        if isinstance(item, (str, int, float)) and not isinstance(item, bool):
            register_secret(str(item))  # `pass: 12345678` is a wrong type, and still a secret


def redact(text: str) -> str:
    """Return ``text`` with every registered secret value replaced."""
    for form in _forms:
        if form in text:
            text = text.replace(form, REDACTED)
    return text


def forget_secrets() -> None:
    """Forget every registered value (tests, long-lived processes)."""
    _secrets.clear()
    _forms.clear()
