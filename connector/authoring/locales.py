"""Localised templates for Logto's email-template store, managed through its Management API.

Logto keeps translated templates outside the connector config. ``PUT /api/email-templates`` creates or
replaces them by (languageTag, templateType); the body is ``{"templates": [{"languageTag", "templateType",
"details": {"subject", "content", "contentType"?, "replyTo"?, "sendFrom"?}}]}`` and a languageTag has 1 to
16 characters (https://openapi.logto.io/operation/operation-replaceemailtemplates). When sending, Logto
takes the template for (type, the user's language tag, matched exactly), then (type, the sign-in
experience's fallback language), then (Generic, fallback language), and only then the connector config's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.paths import KeyPath

if TYPE_CHECKING:  # lint checks language tags without loading pydantic
    from connector.schema.models import StoreTemplate, Template

MAX_TAG = 16  # Logto's limit on languageTag
_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")


def check_language_tag(tag: str, where: Location, path: KeyPath = ()) -> list[Finding]:
    """A finding unless ``tag`` (at ``path``) is a BCP 47 style tag Logto stores (``en``, ``pt-BR``,
    ``zh-Hant-TW``)."""
    if _TAG.fullmatch(tag) and len(tag) <= MAX_TAG:
        return []
    fixed = tag.replace("_", "-")
    hint = (
        f"write `{fixed}`: language tags use -, not _"
        if fixed != tag and _TAG.fullmatch(fixed)
        else "use a language tag such as en, fr or pt-BR, as Logto's sign-in experience lists them"
    )
    too_long = f" (Logto allows at most {MAX_TAG} characters)" if len(tag) > MAX_TAG else ""
    message = f"`{tag}` is not a language tag{too_long}" if tag else "an empty language tag"
    return [Finding.at(where, "SC610", message, hint, key_path=path)]


def email_templates_body(variants: Mapping[str, Sequence[StoreTemplate | Template]]) -> dict[str, Any]:
    """The JSON body of ``PUT /api/email-templates``: one entry per language tag and usage type.

    ``variants`` maps a language tag to its rendered templates, in the order to write them. Optional
    fields that are None are left out, and so is a connector :class:`Template`'s empty replyTo or sendFrom
    (as Logto's save drops it); a :class:`StoreTemplate`'s ``""`` is kept, as the store keeps it.
    """
    entries: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for tag, templates in variants.items():
        for template in templates:
            key = (tag, template.usageType)
            if key in seen:
                raise ValueError(f"two {template.usageType} templates for language {tag}")
            seen.add(key)
            details: dict[str, Any] = {"subject": template.subject, "content": template.content}
            for field in ("contentType", "replyTo", "sendFrom"):
                value = getattr(template, field)
                if value or (value == "" and template.keeps_empty):
                    details[field] = value
            entries.append({"languageTag": tag, "templateType": template.usageType, "details": details})
    return {"templates": entries}


def render_body(body: Mapping[str, Any]) -> str:
    """The file's text: indented JSON with a final newline, non-ASCII kept as written."""
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
