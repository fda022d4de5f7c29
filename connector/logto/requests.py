"""The requests deploy sends to Logto's Management API, and the size Logto takes (lint and deploy read it).

Logto parses every JSON body with koa-body's defaults (``koaGuard`` in packages/core/src/middleware/
koa-guard.ts calls ``koaBody()``), whose ``jsonLimit`` is ``1mb``: 1,048,576 bytes as the ``bytes`` package
reads it, counted on the body as sent (UTF-8). A larger body is refused by raw-body with an HTTP error
that Logto's error handler (packages/core/src/middleware/koa-error-handler.ts) passes over, so Koa answers
its default: ``404 Not Found`` with the plain-text body ``Not Found``, not 413 (measured on Logto 1.42).

The email-template store (``PUT /api/email-templates``) takes many templates in one body, so deploy sends
them in as many requests as it takes (:func:`pack`); the connector config is one body
(``POST /api/connectors``, ``PATCH /api/connectors/{id}``, the test send), so it must fit whole.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from connector.logto import SMTP_CONNECTOR_ID

MAX_JSON_BODY = 1024 * 1024  # koa-body's jsonLimit default, "1mb"
# The wrapper of a template PUT with no entry, and what each entry after the first adds (json.dumps's ", ").
_PUT_WRAPPER = len(b'{"templates": []}')
_SEPARATOR = len(b", ")


def encode(body: Any) -> bytes:
    """A request body exactly as deploy sends it: JSON, non-ASCII as UTF-8 (or, when the text holds a lone
    surrogate, which UTF-8 cannot carry, as \\u escapes: JSON that Logto reads as the same string)."""
    try:
        return json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(body).encode("ascii")


def connector_body(config: Mapping[str, Any]) -> dict[str, Any]:
    """The body of ``POST /api/connectors``, the largest request that carries the whole config."""
    return {"connectorId": SMTP_CONNECTOR_ID, "config": dict(config)}


def connector_request_size(config: Mapping[str, Any]) -> int:
    """The bytes of the largest request that carries ``config`` (a create; an update is a little smaller)."""
    return len(encode(connector_body(config)))


def store_entry(language: str, template: Mapping[str, Any]) -> dict[str, Any]:
    """One entry of ``PUT /api/email-templates`` from a template (``usageType``, ``subject``, ...): the
    details Logto's store keeps (``contentType``, ``replyTo`` and ``sendFrom`` only when set)."""
    details = {key: template[key] for key in ("subject", "content") if key in template}
    for key in ("contentType", "replyTo", "sendFrom"):
        if template.get(key) is not None:
            details[key] = template[key]
    return {"languageTag": language, "templateType": template.get("usageType"), "details": details}


def entry_size(entry: Mapping[str, Any]) -> int:
    """The bytes one store entry adds to a template PUT."""
    return len(encode(entry))


def put_size(sizes: Sequence[int]) -> int:
    """The bytes of one template PUT holding entries of these sizes."""
    return _PUT_WRAPPER + sum(sizes) + _SEPARATOR * max(0, len(sizes) - 1)


def pack(sizes: Sequence[int], limit: int = MAX_JSON_BODY) -> list[range]:
    """The entries (by index, in order) of each template PUT: as many as fit in ``limit`` bytes, then the
    next request. An entry too large to fit alone gets a request of its own (Logto refuses it: check
    ``put_size([size])`` first)."""
    batches: list[range] = []
    start, used = 0, _PUT_WRAPPER
    for i, size in enumerate(sizes):
        extra = size + (_SEPARATOR if i > start else 0)
        if i > start and used + extra > limit:
            batches.append(range(start, i))
            start, used, extra = i, _PUT_WRAPPER, size
        used += extra
    if start < len(sizes):
        batches.append(range(start, len(sizes)))
    return batches


def size_text(size: int) -> str:
    """``1,048,577 bytes`` for a message."""
    return f"{size:,} bytes"
