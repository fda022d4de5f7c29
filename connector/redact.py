"""Keep secret values out of every printed line.

Values resolved from ``${VAR}`` references and credential fields are registered here; every writer that
prints for people (reporters, errors, logs) passes its text through :func:`redact`.
"""

from __future__ import annotations

REDACTED = "********"

_secrets: set[str] = set()


def register_secret(value: str) -> None:
    """Remember ``value`` so that :func:`redact` hides it. Very short values are too common to hide."""
    if len(value) >= 4:
        _secrets.add(value)


def redact(text: str) -> str:
    """Return ``text`` with every registered secret value replaced."""
    if not _secrets:
        return text
    # Longest first, so a secret that contains another is hidden whole.
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def forget_secrets() -> None:
    """Forget every registered value (tests, long-lived processes)."""
    _secrets.clear()
