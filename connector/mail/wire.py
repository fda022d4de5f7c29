"""A message's bytes, byte for byte what the ``email`` package writes, without its cost when it can.

The ``email`` package parses every header value into a tree and folds it again on output, about a
millisecond per message: as long as a loopback SMTP round trip. For the common case (short ASCII header
values in their plain form) that round trip changes nothing, so the bytes are joined directly; anything
else (non-ASCII, long, quoted, encoded-word-looking, or a header the package treats specially) goes
through :class:`email.message.EmailMessage`. A property test holds the two paths equal.
"""

from __future__ import annotations

import email.contentmanager
import re
from collections.abc import Callable
from typing import Any

from connector.mail.addresses import SIMPLE_ADDRESS
from connector.mail.message import POLICY, Draft, draft_to_message, to_bytes

# The function EmailMessage.set_content uses to pick 7bit, quoted-printable or base64 and encode the
# body; a Python without it gets the slow path every time.
_encode_text: Callable[..., tuple[str, str]] | None = getattr(email.contentmanager, "_encode_text", None)

_UNSTRUCTURED = re.compile(r"[!-~]+(?: [!-~]+)*")
_ADDRESS_HEADERS = frozenset(("From", "To", "Reply-To"))
_PLAIN_AS_IS = frozenset(("Date", "Message-ID"))  # made here, already in the form the package writes
_MAX_LINE = 78
# Header names the package parses specially (Subject, Sender, Content-Type, ...): customHeaders with
# these names take the slow path, which also refuses a second Subject.
_REGISTRY: Any = getattr(POLICY.header_factory, "registry", None)
_SPECIAL = frozenset(_REGISTRY) if isinstance(_REGISTRY, dict) else None
_NEWLINE = re.compile(r"\r\n|\r|\n")  # how the generator splits a body into lines


def message_bytes(parts: Draft) -> bytes:
    """The message as the ``email`` package (policy SMTP, 7-bit) would write it."""
    fast = _fast(parts)
    return fast if fast is not None else to_bytes(draft_to_message(parts))


def _fast(parts: Draft) -> bytes | None:
    if _encode_text is None or _SPECIAL is None:
        return None
    lines = []
    for name, value in parts.headers:
        if name in _PLAIN_AS_IS:
            simple = value.isascii() and len(name) + 2 + len(value) <= _MAX_LINE
        elif name in _ADDRESS_HEADERS:
            simple = _short(name, value) and SIMPLE_ADDRESS.fullmatch(value) is not None
        else:
            simple = _plain_text(name, value)
        if not simple:
            return None
        lines.append(f"{name}: {value}")
    for name, value in parts.custom:
        if name.lower() in _SPECIAL or not _plain_text(name, value):
            return None
    cte, payload = _encode_text(parts.body, "utf-8", None, POLICY)
    lines.append(f'Content-Type: text/{parts.subtype}; charset="utf-8"')
    lines.append(f"Content-Transfer-Encoding: {cte}")
    lines.append("MIME-Version: 1.0")
    lines.extend(f"{name}: {value}" for name, value in parts.custom)
    head = "\r\n".join(lines) + "\r\n\r\n"
    return (head + "\r\n".join(_NEWLINE.split(payload)) if payload else head).encode("ascii")


def _short(name: str, value: str) -> bool:
    return len(name) + 2 + len(value) <= _MAX_LINE


def _plain_text(name: str, value: str) -> bool:
    return _short(name, value) and "=?" not in value and _UNSTRUCTURED.fullmatch(value) is not None
