"""A message's bytes, byte for byte what the ``email`` package writes, without its cost when it can.

The ``email`` package parses every header value into a tree and folds it again on output, about a
millisecond per message: as long as a loopback SMTP round trip. For the common case (short ASCII header
values in their plain form) that round trip changes nothing, so the bytes are joined directly; anything
else (non-ASCII, long, quoted, encoded-word-looking, or a header the package treats specially) goes
through :class:`email.message.EmailMessage`. A property test holds the two paths equal.
"""

from __future__ import annotations

import email.contentmanager
import email.policy
import functools
import re
from email.headerregistry import HeaderRegistry, UnstructuredHeader
from email.message import MIMEPart

from connector.logto.addresses import SIMPLE_ADDRESS
from connector.mail.message import POLICY, Draft, draft_to_message, to_bytes

# The body is encoded by EmailMessage.set_content itself (7bit, quoted-printable or base64, by the package's
# own rules), on a part whose policy has ours' line length, line ends and 7-bit rule but stores its three
# headers as plain strings (compat32): the header parsing, not the encoding, is what costs.
_BODY_POLICY = email.policy.compat32.clone(
    linesep=POLICY.linesep, max_line_length=POLICY.max_line_length, cte_type=POLICY.cte_type
)

_UNSTRUCTURED = re.compile(r"[!-~]+(?: [!-~]+)*")
_ADDRESS_HEADERS = frozenset(("From", "To", "Reply-To"))
_PLAIN_AS_IS = frozenset(("Date", "Message-ID"))  # made here, already in the form the package writes
_MAX_LINE = 78
# The package's default header registry (what policy SMTP uses), asked which class parses a header name.
_REGISTRY = HeaderRegistry()
_NEWLINE = re.compile(r"\r\n|\r|\n")  # how the generator splits a body into lines


def message_bytes(parts: Draft) -> bytes:
    """The message as the ``email`` package (policy SMTP, 7-bit) would write it."""
    fast = _fast(parts)
    return fast if fast is not None else to_bytes(draft_to_message(parts))


def _fast(parts: Draft) -> bytes | None:
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
        if _special(name.lower()) or not _plain_text(name, value):
            return None
    cte, payload = _encoded_body(parts.body, parts.subtype)
    lines.append(f'Content-Type: text/{parts.subtype}; charset="utf-8"')
    lines.append(f"Content-Transfer-Encoding: {cte}")
    lines.append("MIME-Version: 1.0")
    lines.extend(f"{name}: {value}" for name, value in parts.custom)
    head = "\r\n".join(lines) + "\r\n\r\n"
    return (head + "\r\n".join(_NEWLINE.split(payload)) if payload else head).encode("ascii")


def _encoded_body(body: str, subtype: str) -> tuple[str, str]:
    """The Content-Transfer-Encoding and the encoded body, as ``EmailMessage.set_content`` makes them."""
    part = MIMEPart(policy=_BODY_POLICY)
    part.set_content(
        body, subtype=subtype, charset="utf-8", content_manager=email.contentmanager.raw_data_manager
    )
    return str(part["Content-Transfer-Encoding"]), str(part.get_payload())


@functools.lru_cache(maxsize=256)
def _special(name: str) -> bool:
    """Whether the package parses a header of this name specially (Subject, Sender, Content-Type, ...):
    customHeaders with such names take the slow path, which also refuses a second Subject."""
    return _REGISTRY[name].__bases__[0] is not UnstructuredHeader


def _short(name: str, value: str) -> bool:
    return len(name) + 2 + len(value) <= _MAX_LINE


def _plain_text(name: str, value: str) -> bool:
    return _short(name, value) and "=?" not in value and _UNSTRUCTURED.fullmatch(value) is not None
