"""Values at secret paths are registered for redaction the moment they are read.

Every :class:`~connector.source.loader.Document` (a file, the ``--set`` layer) registers the values at its
secret paths (:func:`connector.logto.is_secret_path`) when it is made, before any finding about it can be
printed; so a secret is hidden whatever rule quotes it, in whatever format. Numbers count too: a password
written ``12345678`` is still a password. The ``${VAR}`` references in a secret are not secret (they name
a variable); the text around them and a ``${VAR:-default}``'s default are.
"""

from __future__ import annotations

import re
from typing import Any

from connector.diagnostics.redact import at_secret_paths, register_secret_texts

# `<password>` or `<<api-key>>`: an example value left to fill in, which SC401 quotes to say so.
_PLACEHOLDER = re.compile(r"\s*(?:<[^<>]*>|<<[^<>]*>>)\s*")


def register_secret_values(data: Any, secret: bool = False) -> None:
    """Register every value in ``data`` that sits at a secret path (or all of it, with ``secret``)."""
    texts: list[str] = []
    for value in at_secret_paths(data, secret):
        texts.extend(_secret_texts(value))
    register_secret_texts(texts)


def register_secret_value(value: Any) -> None:
    """Register one value known to be a secret: its literal text, or its number as printed."""
    register_secret_texts(_secret_texts(value))


def _secret_texts(value: Any) -> list[str]:
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, (int, float)):
        return [str(value)]
    if not isinstance(value, str) or ("<" in value and _PLACEHOLDER.fullmatch(value)):
        return []
    return secret_literals(value)


def secret_literals(value: str) -> list[str]:
    """The parts of a secret string written literally: all of it, less its ``${VAR}`` references."""
    if "${" not in value:
        return [value]
    from connector.project.variables import Reference, parse

    parts, problem = parse(value)
    if problem is not None:
        return [value]
    literals = []
    for part in parts:
        if isinstance(part, Reference):
            if part.op == ":-" and part.argument:
                literals.append(part.argument)
        elif part:
            literals.append(part)
    return literals
