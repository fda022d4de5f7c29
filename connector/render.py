"""A message exactly as Logto's SMTP connector builds it (SPEC §3): template, placeholders, headers.

Logto picks the template of the usage type (else Generic), fills placeholders in the subject, content,
and the template's replyTo and sendFrom, puts the content in the text or the HTML body (never both), and
adds customHeaders as they are. The message itself is built with the standard library's ``email``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from email.policy import SMTP as _SMTP_POLICY
from email.utils import format_datetime, getaddresses, make_msgid
from typing import Any

from connector.errors import InputError
from connector.models import ConnectorConfig, Template
from connector.placeholders import fill_placeholders

# CRLF line ends, and a 7-bit clean message: non-ASCII bodies go out quoted-printable or base64, so the
# message is correct even through a server that does not offer 8BITMIME.
POLICY = _SMTP_POLICY.clone(cte_type="7bit")
_HEADER_NAME = re.compile(r"[!-9;-~]+")  # printable ASCII without the colon (RFC 5322 ftext)


@dataclass(frozen=True)
class Rendered:
    """The parts of one message after placeholders were filled."""

    usage_type: str
    template: Template
    sender: str
    reply_to: str | None
    subject: str
    body: str

    @property
    def content_type(self) -> str:
        return self.template.contentType


def choose_template(config: ConnectorConfig, usage_type: str) -> Template:
    """The template Logto uses for ``usage_type``: its own, else Generic, else Logto's error."""
    template = config.template_for(usage_type)
    if template is None:
        raise InputError(f"Template not found for type: {usage_type}")
    return template


def render(config: ConnectorConfig, usage_type: str, payload: Mapping[str, Any]) -> Rendered:
    """Fill the chosen template with ``payload`` as Logto does; nothing is escaped."""
    template = choose_template(config, usage_type)
    # Logto tests truthiness: an empty sendFrom or replyTo falls back to the config's value.
    sender = fill_placeholders(template.sendFrom, payload) if template.sendFrom else config.fromEmail
    reply_to = fill_placeholders(template.replyTo, payload) if template.replyTo else config.replyTo
    return Rendered(
        usage_type=usage_type,
        template=template,
        sender=sender,
        reply_to=reply_to,
        subject=fill_placeholders(template.subject, payload),
        body=fill_placeholders(template.content, payload),
    )


def build_message(
    config: ConnectorConfig,
    rendered: Rendered,
    to: str | None,
    *,
    now: datetime | None = None,
) -> EmailMessage:
    """The whole message: From, To, Reply-To, Subject, Date, Message-ID, the body, customHeaders."""
    _check_line("the From address (sendFrom or fromEmail)", rendered.sender)
    sender_address = envelope_address(rendered.sender, "the From address (sendFrom or fromEmail)")
    msg = EmailMessage(policy=POLICY)
    msg["From"] = rendered.sender
    if to is not None:
        envelope_address(to, "the recipient")
        msg["To"] = to
    if rendered.reply_to:
        _check_line("Reply-To (the template's replyTo or the config's)", rendered.reply_to)
        msg["Reply-To"] = rendered.reply_to
    _check_line(
        f"the subject of the {rendered.template.usageType} template after rendering", rendered.subject
    )
    msg["Subject"] = rendered.subject
    msg["Date"] = format_datetime(now or datetime.now(timezone.utc))
    msg["Message-ID"] = make_msgid(domain=sender_address.rpartition("@")[2] or "localhost")
    subtype = "plain" if rendered.content_type == "text/plain" else "html"
    msg.set_content(rendered.body, subtype=subtype, charset="utf-8")
    for name, value in (config.customHeaders or {}).items():
        _add_custom_header(msg, name, value)
    return msg


def envelope_address(text: str, what: str) -> str:
    """The one bare address in ``text`` (``Name <a@b>`` or ``a@b``); anything else is refused."""
    _check_line(what, text)
    found = [addr for _, addr in getaddresses([text]) if addr]
    if len(found) != 1:
        count = "no address" if not found else f"{len(found)} addresses"
        raise InputError(
            f"{what} holds {count}: {text!r} (hint: give exactly one address, like a@example.com)"
        )
    if "@" not in found[0]:
        raise InputError(f"{what} is not an email address: {text!r} (hint: write it like a@example.com)")
    return found[0]


def _add_custom_header(msg: EmailMessage, name: str, value: str | list[str]) -> None:
    if not _HEADER_NAME.fullmatch(name):
        raise InputError(
            f"customHeaders: {name!r} is not a valid header name "
            "(hint: use printable ASCII letters, digits and dashes, without spaces or a colon)"
        )
    for item in [value] if isinstance(value, str) else value:
        _check_line(f"customHeaders.{name}", item)
        try:
            msg[name] = item
        except ValueError as e:  # e.g. a second Subject: the email package allows only one
            raise InputError(f"customHeaders.{name}: {e} (hint: remove it from customHeaders)") from e


def _check_line(what: str, value: str) -> None:
    if "\r" in value or "\n" in value:
        raise InputError(
            f"{what} contains a line break (CR or LF), which would break the message headers "
            "(hint: keep header values on one line; check the placeholders' values too)"
        )
