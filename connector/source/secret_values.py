"""Secrets as written in a source: registered for redaction the moment they are read, and their literal parts.

Every :class:`~connector.source.loader.Document` (a file, the ``--set`` layer) registers the values at its
secret paths (:func:`connector.logto.is_secret_path`) when it is made, before any finding about it can be
printed; so a secret is hidden whatever rule quotes it, in whatever format (lint rules only report). Numbers
count too: a password written ``12345678`` is still a password. The ``${VAR}`` references in a secret are
not secret (they name a variable); the text around them and a ``${VAR:-default}``'s default are
(:func:`secret_parts`, which ``explain`` masks by too). A secret that is all example values
(``<password>``, :mod:`connector.logto.examples`) holds no secret, and SC401 quotes it. Two secrets sit
outside those keys: the password in a ``proxy`` or ``url`` URL, and a source file's ``logto.appSecret``
(docs/deploy.md).

Values once resolved (a built config, what Logto holds) are registered whole by
:func:`connector.logto.credentials.register_resolved_secrets`: a ``${`` in them is part of the secret.
"""

from __future__ import annotations

from typing import Any

from connector.diagnostics.redact import register_secret_texts
from connector.logto.credentials import at_secret_paths, credential_urls
from connector.logto.examples import only_examples
from connector.source.files import LOGTO_SECTION
from connector.source.variables import Reference, parse

# The M2M app secret of a source file's `logto:` section (connector.deploy.target reads it).
_APP_SECRET = (LOGTO_SECTION, "appSecret")


def register_written_secrets(data: Any, secret: bool = False) -> None:
    """Register the literal parts of every value in source ``data`` at a secret path (all of it, with
    ``secret``), of the password of a ``proxy`` or ``url`` URL and of ``logto.appSecret``."""
    texts: list[str] = []
    for value in at_secret_paths(data, secret):
        texts.extend(_secret_texts(value))
    if isinstance(data, dict) and not secret:
        for _, url, password in credential_urls(data):
            literal = _secret_texts(password)
            texts += literal
            if literal == [password]:  # written out whole: the URL that holds it is hidden whole too
                texts.append(url)
        section = data.get(_APP_SECRET[0])
        if isinstance(section, dict):
            texts.extend(_secret_texts(section.get(_APP_SECRET[1])))
    register_secret_texts(texts)


def register_written_secret(value: Any) -> None:
    """Register one value written where a secret goes (``--set auth.pass=...``): its literal parts."""
    register_secret_texts(_secret_texts(value))


def _secret_texts(value: Any) -> list[str]:
    if isinstance(value, str):
        if "<" in value and only_examples(value):
            return []
        return [value] if "${" not in value else secret_literals(value)  # most secrets: no reference
    if isinstance(value, bool) or value is None:
        return []
    return [str(value)] if isinstance(value, (int, float)) else []


def secret_literals(value: str) -> list[str]:
    """The parts of a secret string written literally: all of it, less its ``${VAR}`` references."""
    return [text for text, literal in secret_parts(value) if literal]


def secret_parts(value: str) -> list[tuple[str, bool]]:
    """A secret string cut into the text a reader may see (False: a reference, less a default) and the text
    written literally (True): ``${SMTP_PASS:-Real}`` is ``${SMTP_PASS:-`` , ``Real``, ``}``. A malformed
    ``${`` makes it all literal (the build refuses it: nothing in it is a reference)."""
    if "${" not in value:
        return [(value, True)] if value else []
    parts, problem = parse(value)
    if problem is not None:
        return [(value, True)]
    out: list[tuple[str, bool]] = []
    for part in parts:
        if not isinstance(part, Reference):
            out.append((part, True))
        elif part.op == ":-" and part.argument:
            out += [(f"${{{part.name}:-", False), (part.argument, True), ("}", False)]
        else:
            out.append((part.text, False))
    return out
