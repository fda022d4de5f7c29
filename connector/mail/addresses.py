"""Addresses in header values (fromEmail, replyTo, sendFrom, the recipient): one reading for the lint (SC405)
and the runtime, which takes the envelope address from it.

A value is a list of mailboxes split at commas outside quotes and angle brackets; a mailbox is
``Name <address@domain>`` or a bare ``address@domain``. A comma in an unquoted display name makes two
mailboxes (``Acme, Inc. <a@acme.example>``), which is why the lint asks to quote it and why the runtime
counts two addresses there.
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
    """The mailboxes of ``value``, split at commas outside quotes and angle brackets, each stripped."""
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
        if re.search(r"[,;]", name) and not name.strip().startswith('"'):
            return UNQUOTED_COMMA
    return None


def single_address(value: str) -> tuple[int, str | None]:
    """How many mailboxes ``value`` holds, and the address when it holds exactly one well-formed one."""
    simple = SIMPLE_ADDRESS.fullmatch(value)
    if simple:
        return 1, simple.group(1) or simple.group(2)
    parts = [part for part in split_addresses(value) if part]
    if len(parts) != 1 or address_problem(value, False) is not None:
        return len(parts), None  # `a@b,` is one mailbox, and still not an address (as the lint says)
    return 1, mailbox(value.strip())[1].strip()
