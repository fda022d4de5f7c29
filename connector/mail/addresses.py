"""Addresses in header values (fromEmail, replyTo, sendFrom, the recipient): one reading for the lint (SC405)
and the runtime, which takes the envelope address from it.

A value is a list of mailboxes split at commas outside quotes and angle brackets; a mailbox is
``Name <address@domain>`` or a bare ``address@domain``. As nodemailer's address parser (which reads them in
Logto) does, text without an address before a named mailbox is part of its name: ``Acme, Inc.
<a@acme.example>`` is one mailbox named ``Acme, Inc.``, sent as ``"Acme, Inc." <a@acme.example>``.
"""

from __future__ import annotations

import re

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_ADDR_SPEC = rf"{_ATEXT}(?:\.{_ATEXT})*@{_ATEXT}(?:\.{_ATEXT})*"
# `a@b.c` or `Display Name <a@b.c>` in its plainest form: the address is plain to see, no parser needed.
SIMPLE_ADDRESS = re.compile(rf"({_ADDR_SPEC})|{_ATEXT}(?: {_ATEXT})* <({_ADDR_SPEC})>")
# What the lint and the runtime take for an address: one @, no space, no specials around it.
ADDRESS = re.compile(r"[^\s@<>(),;:\"\[\]]+@[^\s@<>(),;:\"\[\]]+")

UNQUOTED_COMMA = (
    "has an unquoted comma in its display name, which makes it two addresses",
    "quote the name: '\"Acme, Inc.\" <noreply@example.com>'",
)


def split_addresses(value: str) -> list[str]:
    """The mailboxes of ``value``, split at commas outside quotes and angle brackets, each stripped; a part
    with no address joins the named mailbox after it (``Acme, Inc. <a@acme.example>``), as in nodemailer."""
    joined: list[str] = []
    pending: list[str] = []  # name-only parts waiting for a named mailbox
    for part in _split(value):
        if _name_only(part):
            pending.append(part)
            continue
        if pending and mailbox(part)[0].strip():
            part = ", ".join([*pending, part])
        else:
            joined.extend(pending)
        pending = []
        joined.append(part)
    return [*joined, *pending]


def _name_only(part: str) -> bool:
    return bool(part) and "@" not in part and "<" not in part and ">" not in part


def _split(value: str) -> list[str]:
    parts, current, quoted, angle = [], "", False, False
    for char in value:
        if char == '"':
            quoted = not quoted
        elif char in "<>":
            angle = char == "<"
        if char == "," and not quoted and not angle:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [*parts, current.strip()]


def mailbox(part: str) -> tuple[str, str]:
    """``Name <address>`` as (name, address), a bare ``address`` as ("", address); else ("", "").

    Split by hand, not by a regular expression: a lazy name followed by ``\\s*`` backtracks over every
    run of spaces, quadratic in a long value (the lint hook reads whatever is committed).
    """
    if part.count("<") == 1 and part.count(">") == 1 and part.endswith(">"):
        name, _, angle = part[:-1].partition("<")
        return name.rstrip(), angle
    if part and "<" not in part and ">" not in part and not any(c.isspace() for c in part):
        return "", part
    return "", ""


def address_problem(value: str, many: bool) -> tuple[str, str] | None:
    """What is wrong with ``value`` as one mailbox (``many``: as a list of them): (problem, hint), or None."""
    parts = split_addresses(value) if many else [value.strip()]
    for index, part in enumerate(parts):
        if "@" not in part and index + 1 < len(parts):
            return UNQUOTED_COMMA
        name, address = mailbox(part)
        if not ADDRESS.fullmatch(address.strip()):
            shown = part if len(part) <= 40 else part[:37] + "..."
            return (
                f'is not an email address: "{shown}"',
                "write `Name <address@domain>` or a bare `address@domain`",
            )
        if name.rstrip().endswith((",", ";")):
            return (
                UNQUOTED_COMMA  # `Acme, <a@acme.example>`: nodemailer reads a name-only mailbox, then another
            )
    return None


def header_mailbox(value: str) -> str:
    """One mailbox as nodemailer writes it in a header: a name with specials quoted, the domain in punycode.

    ``value`` is known to hold exactly one well-formed mailbox (see :func:`single_address`).
    """
    if SIMPLE_ADDRESS.fullmatch(value) and value.isascii():
        return value
    parts = [part for part in split_addresses(value) if part]
    name, address = mailbox(parts[0]) if len(parts) == 1 else ("", value)
    address = ascii_address(address.strip())
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1].replace('\\"', '"')
    if not name:
        return address
    if re.fullmatch(rf"{_ATEXT}(?: {_ATEXT})*", name) or not name.isascii():
        return f"{name} <{address}>"
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}" <{address}>'


def ascii_address(address: str) -> str:
    """``address`` with an internationalized domain in punycode, as nodemailer sends it (header and envelope)."""
    local, at, domain = address.rpartition("@")
    if not at or domain.isascii():
        return address
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return address  # not a domain IDNA can encode: the server refuses it, as it would Logto's


def single_address(value: str) -> tuple[int, str | None]:
    """How many mailboxes ``value`` holds, and the address when it holds exactly one well-formed one."""
    simple = SIMPLE_ADDRESS.fullmatch(value)
    if simple:
        return 1, simple.group(1) or simple.group(2)
    parts = [part for part in split_addresses(value) if part]
    if len(parts) != 1 or address_problem(value, False) is not None:
        return len(parts), None  # `a@b,` is one mailbox, and still not an address (as the lint says)
    return 1, mailbox(value.strip())[1].strip()
