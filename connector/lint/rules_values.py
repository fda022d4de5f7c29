"""SC4xx: values left unfilled, stripped by Logto on save, or that would break a message."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from connector.diagnostics.findings import Finding
from connector.lint.base import ALL_MODES, JINJA, WHOLE_MODES, Context, is_reference, rule
from connector.lint.html_check import ELEMENTS, VOID
from connector.logto import SECRET_KEYS
from connector.mail.headers import header_findings, line_break
from connector.source.loader import KeyPath

_DOUBLE = re.compile(r"<<\s*([A-Za-z0-9_.]+)\s*>>")
_ANGLE = re.compile(r"<([^<>\s][^<>\r\n]{0,199})>")
_TAG = re.compile(r"/?([A-Za-z][A-Za-z0-9-]*)(\s+[^>]*|\s*/)?")
_ADDRESS = re.compile(r"[^\s@<>(),;:\"\[\]]+@[^\s@<>(),;:\"\[\]]+")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
_YOUR = re.compile(r"(?<![A-Za-z])your", re.I)


def unfilled(text: str, markup: str | None = None) -> list[str]:
    """The ``<...>`` example values left in ``text`` (``<password>``, ``<<code>>``), not tags or mailboxes.

    ``markup`` is the template's contentType when ``text`` is template content, where tags are expected.
    """
    found = [m.group(0) for m in _DOUBLE.finditer(text)]
    masked = _DOUBLE.sub(lambda m: " " * len(m.group(0)), text)
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
        if _YOUR.search(inner) or not (_ADDRESS.fullmatch(inner) or _URL.fullmatch(inner)):
            found.append(match.group(0))
    return found


@rule((*ALL_MODES, "variant"))
def unfilled_values(ctx: Context) -> Iterator[Finding]:
    yield from _walk(ctx, ctx.data, ())


def _walk(ctx: Context, value: Any, path: KeyPath) -> Iterator[Finding]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(ctx, item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(ctx, item, (*path, index))
    elif isinstance(value, str) and "<" in value:
        yield from _check_unfilled(ctx, value, path)


def _check_unfilled(ctx: Context, value: str, path: KeyPath) -> Iterator[Finding]:
    secret = bool(path) and path[-1] in SECRET_KEYS
    markup = None
    if len(path) == 3 and path[0] == "templates" and path[2] == "content":
        template = ctx.data["templates"][path[1]]
        if not ctx.rendered and JINJA.search(value):
            return
        markup = str(template.get("contentType") or "text/html")
    if secret:
        # Part of a real secret must never be echoed: only a value that is all placeholder is one.
        found = unfilled(value) if re.fullmatch(r"<[^<>]*>|<<[^<>]*>>", value.strip()) else []
    else:
        found = unfilled(value, markup)
    for placeholder in found:
        double = _DOUBLE.fullmatch(placeholder)
        if double:
            hint = f"write {{{{{double.group(1)}}}}}: Logto fills double braces, not angle brackets"
        elif secret:
            hint = "write a ${VAR} reference such as ${SMTP_PASS} and set the variable in the environment"
        else:
            hint = f"replace `{placeholder}` with the real value"
        yield ctx.finding(
            path, "SC401", f"{describe(ctx, path)} still holds the example value `{placeholder}`", hint
        )


def describe(ctx: Context, path: KeyPath) -> str:
    """``template "SignIn" subject`` for template fields, else the dotted key in backquotes."""
    if len(path) >= 3 and path[0] == "templates" and isinstance(path[1], int):
        template = ctx.data["templates"][path[1]]
        name = ctx.template_name(template, path[1]) if isinstance(template, dict) else f"#{path[1] + 1}"
        return f"template {name} {'.'.join(str(p) for p in path[2:])}"
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return f"`{text}`"


@rule(WHOLE_MODES)
def stripped_on_save(ctx: Context) -> Iterator[Finding]:
    why = "Logto deletes empty values when it saves the config"
    for key in ("host", "fromEmail", "templates"):
        if ctx.data.get(key) in ("", []):
            yield ctx.finding(
                (key,),
                "SC402",
                f"`{key}` is empty: {why}, and then rejects it because `{key}` is required",
                f"set `{key}`",
            )
    for index, template in ctx.templates():
        for field in ("usageType", "contentType", "subject", "content"):
            if template.get(field) == "":
                yield ctx.finding(
                    ("templates", index, field),
                    "SC402",
                    f"template {ctx.template_name(template, index)} has an empty `{field}`: {why}, "
                    f"and then rejects the template without `{field}`",
                    f"write the {field}",
                )


@rule()
def ehlo_name(ctx: Context) -> Iterator[Finding]:
    name = ctx.data.get("name")
    if isinstance(name, str) and not name.isascii():
        yield ctx.finding(
            ("name",),
            "SC404",
            "`name` (the EHLO name) is not ASCII: servers such as Gmail refuse it "
            "(501 5.5.4 HELO/EHLO argument invalid)",
            "use the sending host's DNS name, e.g. mail.example.com, or remove `name`",
        )


@rule((*ALL_MODES, "variant"))
def addresses(ctx: Context) -> Iterator[Finding]:
    fields: list[tuple[KeyPath, bool]] = [(("fromEmail",), False), (("replyTo",), True)]
    for index, _template in ctx.templates():
        fields += [(("templates", index, "sendFrom"), False), (("templates", index, "replyTo"), True)]
    for path, many in fields:
        value: Any = ctx.data
        for step in path:
            value = value.get(step) if isinstance(value, dict) else ctx.data["templates"][step]
        if not isinstance(value, str) or not value or is_reference(value) or "{{" in value or unfilled(value):
            continue
        if line_break(value):
            continue  # SC408 says what is wrong with it
        problem = _address_problem(value, many)
        if problem:
            yield ctx.finding(path, "SC405", f"{describe(ctx, path)} {problem[0]}", problem[1])


def _address_problem(value: str, many: bool) -> tuple[str, str] | None:
    parts = _split_addresses(value) if many else [value.strip()]
    for index, part in enumerate(parts):
        if "@" not in part and index + 1 < len(parts):
            return _UNQUOTED_COMMA
        name, address = _mailbox(part)
        if not _ADDRESS.fullmatch(address.strip()):
            shown = part if len(part) <= 40 else part[:37] + "..."
            return (
                f'is not an email address: "{shown}"',
                "write `Name <address@domain>` or a bare `address@domain`",
            )
        if re.search(r"[,;]", name) and not name.strip().startswith('"'):
            return _UNQUOTED_COMMA
    return None


def _mailbox(part: str) -> tuple[str, str]:
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


_UNQUOTED_COMMA = (
    "has an unquoted comma in its display name, which makes it two addresses",
    "quote the name: '\"Acme, Inc.\" <noreply@example.com>'",
)


def _split_addresses(value: str) -> list[str]:
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


@rule()
def header_values(ctx: Context) -> Iterator[Finding]:
    """SC406 (customHeaders) and SC408 (subject, addresses): what would break or inject message headers."""
    yield from header_findings(ctx.source)
