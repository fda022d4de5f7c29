"""A message exactly as Logto's SMTP connector builds it (docs/runtime.md): template, placeholders, headers.

Logto picks the template of the usage type (else Generic), fills placeholders in the subject, content,
and the template's replyTo and sendFrom, puts the content in the text or the HTML body (never both), and
adds customHeaders as they are. The message itself is built with the standard library's ``email``.
"""

from __future__ import annotations

import email.errors
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP as _SMTP_POLICY
from email.utils import format_datetime
from typing import Any

from connector.errors import InputError
from connector.logto import DOUBLED_HEADERS, OWN_HEADERS, REPLACED_HEADERS, sent_content_type
from connector.logto.addresses import (
    ADDRESS,
    address_problem,
    addresses_of,
    envelope_sender,
    header,
    normalize_address,
    parse_addresses,
    single_address,
)
from connector.logto.headers import HEADER_NAME, LINE_BREAKS
from connector.logto.headers import message_id as nodemailer_message_id
from connector.logto.placeholders import fill_placeholders
from connector.schema.models import ConnectorConfig, StoreTemplate, Template

_SEPARATOR = re.compile(f"[{re.escape(LINE_BREAKS)}]")  # the line ends of headers.py, CR and LF included

# CRLF line ends, and a 7-bit clean message: non-ASCII bodies go out quoted-printable or base64, so the
# message is correct even through a server that does not offer 8BITMIME.
# refold_source "none": the address headers are set as nodemailer writes them (set_raw, folded here); the
# package would otherwise parse a long one again, and read some values otherwise or fail on them.
POLICY = _SMTP_POLICY.clone(cte_type="7bit", refold_source="none")


@dataclass(frozen=True)
class FilledMessage:
    """The parts of one message after placeholders were filled: Logto's mail options, before nodemailer."""

    usage_type: str
    template: Template | StoreTemplate
    sender: str
    reply_to: str | None
    subject: str
    body: str

    @property
    def content_type(self) -> str:
        """``text/plain`` or ``text/html``: how Logto sends the content (a store template without
        contentType is sent as HTML)."""
        return sent_content_type(self.template.contentType)


def choose_template(config: ConnectorConfig, usage_type: str) -> Template:
    """The template Logto uses for ``usage_type``: its own, else Generic, else Logto's error."""
    template = config.template_for(usage_type)
    if template is None:
        raise InputError(f"Template not found for type: {usage_type}")
    return template


def fill_message(config: ConnectorConfig, usage_type: str, payload: Mapping[str, Any]) -> FilledMessage:
    """Fill the template Logto chooses for ``usage_type`` with ``payload`` as Logto does; nothing is escaped."""
    template = choose_template(config, usage_type)
    return fill_template(template, usage_type, payload, from_email=config.fromEmail, reply_to=config.replyTo)


def fill_template(
    template: Template | StoreTemplate,
    usage_type: str,
    payload: Mapping[str, Any],
    *,
    from_email: str,
    reply_to: str | None,
) -> FilledMessage:
    """One template filled as Logto's ``buildMailOptions`` fills it (``render``, ``send`` and ``preview``).

    The sender is the template's sendFrom when it is not empty, filled, else ``from_email`` (the config's
    fromEmail); the same for replyTo. The test is on sendFrom as written, not on what filling leaves, so
    ``sendFrom: "{{user.nickname}}"`` with a user that has no nickname sends from an empty address. A
    store template's ``replyTo: ""`` or ``sendFrom: ""`` is no template value (Logto tests
    ``'replyTo' in template && template.replyTo``), and one without contentType is sent as HTML.
    """
    return FilledMessage(
        usage_type=usage_type,
        template=template,
        sender=fill_placeholders(template.sendFrom, payload) if template.sendFrom else from_email,
        reply_to=fill_placeholders(template.replyTo, payload) if template.replyTo else reply_to,
        subject=fill_placeholders(template.subject, payload),
        body=fill_placeholders(template.content, payload),
    )


@dataclass(frozen=True)
class Draft:
    """A checked message before it is serialised: headers in order, the body, and the envelope."""

    headers: tuple[tuple[str, str], ...]  # From, To, Reply-To, Subject, Date, Message-ID
    subtype: str
    body: str
    custom: tuple[tuple[str, str], ...]  # customHeaders, after the MIME headers
    sender: str  # the envelope addresses
    recipient: str | None


def draft(
    config: ConnectorConfig,
    rendered: FilledMessage,
    to: str | None,
    *,
    now: datetime | None = None,
    message_id: str | None = None,
) -> Draft:
    """Check every header value (no line breaks, one address each) and put the message together."""
    # Addresses are written as nodemailer reads and writes them (logto/addresses.py): its parse, a name with
    # specials quoted, the domain lowercased and in punycode, in the header and in the envelope.
    sender = envelope_address(rendered.sender, "the From address (sendFrom or fromEmail)")
    headers = [("From", _address_header("From", rendered.sender))]
    recipient = None
    if to is not None:
        recipient = recipient_address(to)
        headers.append(("To", _address_header("To", to)))
    if rendered.reply_to:
        _check_line("Reply-To (the template's replyTo or the config's)", rendered.reply_to)
        reply_to = _address_header("Reply-To", rendered.reply_to)
        if reply_to:  # nothing with an address in it: nodemailer writes no Reply-To
            headers.append(("Reply-To", reply_to))
    _check_line(
        f"the subject of the {rendered.template.usageType} template after rendering", rendered.subject
    )
    headers.append(("Subject", rendered.subject))
    headers.append(("Date", format_datetime(now or datetime.now(timezone.utc))))
    headers.append(("Message-ID", message_id or nodemailer_message_id(sender)))
    custom: list[tuple[str, str]] = []
    for name, value in (config.customHeaders or {}).items():
        if not HEADER_NAME.fullmatch(name):
            raise InputError(
                f"customHeaders: {name!r} is not a valid header name",
                hint="use printable ASCII letters, digits and dashes, without spaces or a colon",
            )
        items = [value] if isinstance(value, str) else value
        for item in items:
            _check_line(f"customHeaders.{name}", item)
        lowered = name.lower()
        if lowered in DOUBLED_HEADERS:
            raise InputError(
                f"customHeaders: {name} would be sent next to the message's own {name} (nodemailer writes "
                "both), and the message would have two",
                hint="remove it; contentType sets the body's type",
            )
        if lowered in OWN_HEADERS and (lowered != "reply-to" or rendered.reply_to):
            continue  # nodemailer writes the message's own value instead (lint SC409)
        if lowered in OWN_HEADERS or (lowered in REPLACED_HEADERS and lowered != "mime-version"):
            # Reply-To (the message has none), Message-ID, Date: the custom value is the one sent.
            canonical = {"reply-to": "Reply-To", "message-id": "Message-ID", "date": "Date"}[lowered]
            headers = [(n, v) for n, v in headers if n != canonical]
            if items:
                value = _address_header(canonical, items[-1]) if canonical == "Reply-To" else items[-1]
                headers.append((canonical, value))
            continue
        custom.extend((name, item) for item in items)
    subtype = "plain" if rendered.content_type == "text/plain" else "html"
    return Draft(tuple(headers), subtype, rendered.body, tuple(custom), sender, recipient)


def build_message(
    config: ConnectorConfig,
    rendered: FilledMessage,
    to: str | None,
    *,
    now: datetime | None = None,
    message_id: str | None = None,
) -> EmailMessage:
    """The whole message: From, To, Reply-To, Subject, Date, Message-ID, the body, customHeaders."""
    return draft_to_message(draft(config, rendered, to, now=now, message_id=message_id))


def draft_to_message(parts: Draft) -> EmailMessage:
    msg = EmailMessage(policy=POLICY)
    raw_utf8 = False
    for name, value in parts.headers:
        if name in ADDRESS_HEADERS:
            # As nodemailer wrote it, folded at spaces: the email package's own parse would read some of
            # these values otherwise (or fail on them), and the recipient must read what Logto's reads. An
            # address that is not ASCII goes out as UTF-8 bytes, as nodemailer writes it (the package would
            # put an encoded word before the @).
            folded = fold(name, value)
            if not folded.isascii():
                folded, raw_utf8 = folded.encode("utf-8").decode("ascii", "surrogateescape"), True
            msg.set_raw(name, folded)
            continue
        if name == "Subject" and not value.isascii() and (value != value.strip() or "  " in value):
            # The package writes the spaces around encoded words as bare whitespace, which readers fold
            # away; nodemailer encodes them inside the word, so the subject arrives with them.
            encoded = Header(value, "utf-8", header_name=name).encode(linesep="\r\n")
            msg.set_raw(name, encoded)
            continue
        _set(msg, name, value, name)
    msg.set_content(parts.body, subtype=parts.subtype, charset="utf-8")
    for name, value in parts.custom:
        if name.lower() == "mime-version":  # replaces the package's own, as in nodemailer
            del msg["MIME-Version"]
        _set(msg, name, value, f"customHeaders.{name}")
    if raw_utf8:  # the body is encoded already; an 8-bit policy writes those header bytes as they are
        msg.policy = POLICY.clone(cte_type="8bit")
    return msg


ADDRESS_HEADERS = frozenset(("From", "To", "Reply-To"))


def _address_header(name: str, value: str) -> str:
    """The header nodemailer writes for ``value``: ASCII but for an address that is not (written as UTF-8)."""
    return header(value, encoded=True)


ADDRESS_HEADERS = frozenset(("From", "To", "Reply-To"))


def fold(name: str, value: str) -> str:
    """``value`` folded at spaces so that each line of ``name: value`` stays within 78 characters."""
    lines: list[str] = []
    line = ""
    width = len(name) + 2
    for word in value.split(" "):
        if line and width + len(line) + 1 + len(word) > 78:
            lines.append(line)
            line, width = word, 1
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\r\n ".join(lines)


# What the email package raises on header values it cannot handle (some of them are its own bugs).
_EMAIL_FAILURES = (ValueError, IndexError, AttributeError, TypeError, email.errors.MessageError)


def _set(msg: EmailMessage, name: str, value: str, where: str) -> None:
    try:
        msg[name] = value
    except _EMAIL_FAILURES as e:  # e.g. a second Subject, or a Sender that is not an address
        raise InputError(
            f"{where}: the email package refuses {value!r} ({type(e).__name__}: {e})", hint="fix or remove it"
        ) from e


def to_bytes(msg: EmailMessage) -> bytes:
    """The message's bytes; the email package's own failures on odd header values become an InputError."""
    try:
        return msg.as_bytes()
    except _EMAIL_FAILURES as e:
        names = ", ".join(dict.fromkeys(name for name, _ in msg.items()))
        raise InputError(
            f"the email package cannot write this message ({type(e).__name__}: {e})",
            hint=f"check the header values, customHeaders above all; headers: {names}",
        ) from e


def envelope_address(text: str, what: str) -> str:
    """The envelope sender nodemailer takes from a From of ``text``: its first address.

    Refused, with the lint's reason (SC405), when nodemailer finds no address (Logto would send a From
    without one, which receivers refuse) or an address that is not ``local@domain``.
    """
    _check_line(what, text)
    address = envelope_sender(text)
    if address is None or not ADDRESS.fullmatch(address) or len(addresses_of(parse_addresses(text))) > 1:
        problem = address_problem(text, False)
        reason, hint = problem or ("holds no address", "")
        raise InputError(f"{what} {reason}", hint=hint)
    return address


def recipient_address(text: str) -> str:
    """The one address of ``to`` (``Name <a@b>`` or ``a@b``), as nodemailer reads it; anything else is refused."""
    what = "the recipient"
    _check_line(what, text)
    count, address = single_address(text)
    if address is not None:
        return normalize_address(address)
    if count != 1:
        held = "no address" if not count else f"{count} addresses"
        raise InputError(
            f"{what} holds {held}: {text!r}", hint="give exactly one address, like a@example.com"
        )
    raise InputError(f"{what} is not an email address: {text!r}", hint="write it like a@example.com")


def _check_line(what: str, value: str) -> None:
    if "\r" in value or "\n" in value:
        raise InputError(
            f"{what} contains a line break (CR or LF), which would break the message headers",
            hint="keep header values on one line; check the placeholders' values too",
        )
    separator = _SEPARATOR.search(value)  # the lint's list (SC406, SC408)
    if separator is not None:
        char = separator.group()
        raise InputError(
            f"{what} contains the line separator U+{ord(char):04X}, which would break the message headers",
            hint="remove it; check the placeholders' values too",
        )
