"""Example values left to fill in (``<password>``, ``<smtp host>``, ``<<code>>``): one detector for the
shipped provider overlays (what ``providers`` and ``init`` list), and for the lint (SC401, SC403), which
finds them left in a config.

An HTML tag in template content, a mailbox (``Acme <noreply@acme.example>``) and a URL in angle brackets
(``<https://...>``) are not example values, unless they say "your" (``<you@your.domain>``).
"""

from __future__ import annotations

import re

from connector.logto.addresses import ADDRESS
from connector.logto.html_elements import ELEMENTS, VOID

DOUBLE = re.compile(r"<<\s*([A-Za-z0-9_.]+)\s*>>")
_ANGLE = re.compile(r"<([^<>\s][^<>\r\n]{0,199})>")
_TAG = re.compile(r"/?([A-Za-z][A-Za-z0-9-]*)(\s+[^>]*|\s*/)?")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
_YOUR = re.compile(r"(?<![A-Za-z])your", re.I)


def unfilled(text: str, markup: str | None = None) -> list[str]:
    """The ``<...>`` example values left in ``text`` (``<password>``, ``<<code>>``), not tags or mailboxes.

    ``markup`` is the template's contentType when ``text`` is template content, where tags are expected.
    """
    found = [m.group(0) for m in DOUBLE.finditer(text)]
    masked = DOUBLE.sub(lambda m: " " * len(m.group(0)), text)
    lowered = text.lower()
    for match in _ANGLE.finditer(masked):
        inner = match.group(1).strip()
        if not inner or inner[0] in "/!?":
            continue  # an end tag, a comment, a doctype
        tag = _TAG.fullmatch(inner) if markup else None
        if tag:
            name = tag.group(1).lower()
            if tag.group(2) or (
                name in ELEMENTS and (markup == "text/html" or name in VOID or f"</{name}" in lowered)
            ):
                continue
        if _YOUR.search(inner) or not (ADDRESS.fullmatch(inner) or _URL.fullmatch(inner)):
            found.append(match.group(0))
    return found


def all_placeholder(value: str) -> bool:
    """True when the whole of ``value`` is one example value (``<password>``), so it holds no real secret."""
    stripped = value.strip()
    return bool(unfilled(stripped)) and stripped.startswith("<") and stripped.endswith(">")
