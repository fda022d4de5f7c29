"""Config values that become message headers, checked before anything is rendered or sent.

A line break in a header value ends the header early and lets the rest of the value add headers of its
own (``Bcc:``): header injection. The email package splits lines on more than CR and LF (``str.splitlines``:
VT, FF, the file/group/record separators, NEL, U+2028, U+2029), so all of those count. The same check
serves the lint (SC406, SC408) and ``render``/``send``, which refuse such a config at its source position
before the first message is built.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from typing import Any

from connector.diagnostics.findings import Finding, Located
from connector.diagnostics.paths import KeyPath
from connector.diagnostics.printable import printable
from connector.logto.usage_types import template_label


def message_id(sender: str) -> str:
    """A Message-ID as nodemailer makes one (mime-node's ``_generateMessageId``): random hex shaped like
    a UUID (8-4-4-4-12) at the envelope sender's domain, ``localhost`` without one. Always the same
    length for one sender, so the size of a message is known before it is sent (doctor's ``smtp.size``)."""
    random = "-".join(secrets.token_hex(size) for size in (4, 2, 2, 2, 6))
    return f"<{random}@{sender.rpartition('@')[2] or 'localhost'}>"


# Every character str.splitlines() splits on, so every one the email package would treat as a line end.
LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
HEADER_NAME = re.compile(r"[!-9;-~]+")  # printable ASCII without the colon (RFC 5322 ftext)
# Keys of a template that become headers (subject, and the addresses that override the config's).
TEMPLATE_HEADERS = ("subject", "sendFrom", "replyTo")
_ONE_LINE_HINT = (
    "put the value on one line (in YAML, a `|` or `>` block scalar ends with a line break: use a plain or "
    "quoted string)"
)


def line_break(value: str) -> str | None:
    """How ``value`` would break a header line (``a line break`` or ``a line separator (U+2028)``), or None."""
    found = _LINE_BREAK.search(value)  # one scan in C: values reach the 1 MiB file cap
    if found is None:
        return None
    char = found.group()
    return "a line break" if char in "\r\n" else f"a line separator (U+{ord(char):04X})"


_LINE_BREAK = re.compile(f"[{re.escape(LINE_BREAKS)}]")


def header_findings(source: Located) -> list[Finding]:
    """SC406 for customHeaders (bad names, values with a line break), SC408 for the other header values."""
    return list(_custom_headers(source)) + list(_header_values(source))


def _custom_headers(source: Located) -> Iterator[Finding]:
    headers = source.data.get("customHeaders")
    if not isinstance(headers, dict):
        return
    for name, value in headers.items():
        path: KeyPath = ("customHeaders", name)
        if not isinstance(name, str) or not HEADER_NAME.fullmatch(name):
            yield Finding.at(
                source.locate(path, key=True),
                "SC406",
                f"customHeaders: `{printable(str(name))}` is not a valid header name "
                "(spaces, colons, line breaks and non-ASCII break the message)",
                "use letters, digits and hyphens, e.g. X-Mailer",
                key_path=path,
            )
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            broken = line_break(item) if isinstance(item, str) else None
            if broken:
                where = (*path, index) if isinstance(value, list) else path
                yield Finding.at(
                    source.locate(where),
                    "SC406",
                    f"customHeaders: the value of `{printable(str(name))}` has {broken}, which ends the header "
                    "early and lets the rest inject headers",
                    _ONE_LINE_HINT,
                    key_path=where,
                )


def header_paths(data: dict[str, Any]) -> Iterator[tuple[KeyPath, str, str]]:
    """Each header value of the config but customHeaders: (path, what to call it, value)."""
    for key in ("fromEmail", "replyTo"):
        value = data.get(key)
        if isinstance(value, str):
            yield (key,), f"`{key}`", value
    templates = data.get("templates")
    if not isinstance(templates, list):
        return
    for index, template in enumerate(templates):
        if not isinstance(template, dict):
            continue
        name = template_label(template, index)
        for key in TEMPLATE_HEADERS:
            value = template.get(key)
            if isinstance(value, str):
                yield ("templates", index, key), f"template {name} {key}", value


def _header_values(source: Located) -> Iterator[Finding]:
    for path, what, value in header_paths(source.data):
        broken = line_break(value)
        if broken:
            yield Finding.at(
                source.locate(path),
                "SC408",
                f"{what} has {broken}, which ends the header early and lets the rest inject headers",
                _ONE_LINE_HINT,
                key_path=path,
                # The break itself: where a template file holds it (a subject in a {text:} file).
                excerpt=next(c for c in value if c in LINE_BREAKS),
            )
