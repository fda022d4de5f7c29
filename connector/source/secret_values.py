"""Values at secret paths are registered for redaction the moment they are read.

Every :class:`~connector.source.loader.Document` (a file, the ``--set`` layer) registers the values at its
secret paths (:func:`connector.logto.is_secret_path`) when it is made, before any finding about it can be
printed; so a secret is hidden whatever rule quotes it, in whatever format (lint rules only report). Numbers
count too: a password written ``12345678`` is still a password. The ``${VAR}`` references in a secret are
not secret (they name a variable); the text around them and a ``${VAR:-default}``'s default are. Two
secrets sit outside those keys: the password in a ``proxy`` URL, and a source file's ``logto.appSecret``
(docs/deploy.md).
"""

from __future__ import annotations

import re
from typing import Any

from connector.diagnostics.redact import register_secret_texts
from connector.logto.credentials import at_secret_paths

# `<password>` or `<<api-key>>`: an example value left to fill in, which SC401 quotes to say so.
_PLACEHOLDER = re.compile(r"\s*(?:<[^<>]*>|<<[^<>]*>>)\s*")
# `scheme://user:password@host`: the password of a proxy URL (SC403 reports it written literally).
_PROXY_PASSWORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/@:]*:([^/@]+)@")
# The M2M app secret of a source file's `logto:` section (connector.deploy.target reads it).
_APP_SECRET = ("logto", "appSecret")


def proxy_password(url: str) -> str | None:
    """The password written in a proxy URL's user part, if any (it may be a ``${VAR}`` reference)."""
    match = _PROXY_PASSWORD.match(url)
    return match.group(1) if match else None


def register_secret_values(data: Any, secret: bool = False) -> None:
    """Register every value in ``data`` that sits at a secret path (or all of it, with ``secret``)."""
    texts: list[str] = []
    for value in at_secret_paths(data, secret):
        texts.extend(_secret_texts(value))
    if isinstance(data, dict) and not secret:
        proxy = data.get("proxy")
        password = proxy_password(proxy) if isinstance(proxy, str) else None
        if isinstance(proxy, str) and password is not None:
            literal = _secret_texts(password)
            texts += literal
            if literal == [password]:  # written out whole: the URL that holds it is hidden whole too
                texts.append(proxy)
        section = data.get(_APP_SECRET[0])
        if isinstance(section, dict):
            texts.extend(_secret_texts(section.get(_APP_SECRET[1])))
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
    from connector.source.variables import Reference, parse

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
