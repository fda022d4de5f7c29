"""render, send and preview fill a template with one function (mail/message.fill_template), held to Logto's.

Logto's connector (tests/logto-peer) builds the mail options; ours must give the same sender, reply-to,
subject and body, the fallbacks to fromEmail and replyTo included.
"""

from __future__ import annotations

from typing import Any

import pytest

from connector.logto.addresses import header
from connector.mail.message import fill_message
from connector.preview import PreviewSet, preview_message, sample_payload
from connector.schema.models import ConnectorConfig

from .logto_peer import mail_options

FROM = "Acme <no-reply@acme.example>"
REPLY = "help@acme.example"
REQUIRED = ("SignIn", "Register", "ForgotPassword", "Generic")


def _config(template: dict[str, Any], *, reply_to: str | None = REPLY) -> dict[str, Any]:
    templates = [
        {"usageType": kind, "contentType": "text/plain", "subject": f"{kind} {{{{code}}}}", "content": "c"}
        for kind in REQUIRED
        if kind != template["usageType"]
    ]
    config: dict[str, Any] = {
        "host": "smtp.acme.example",
        "port": 587,
        "auth": {"user": "u", "pass": "p"},
        "fromEmail": FROM,
        "templates": [template, *templates],
    }
    if reply_to is not None:
        config["replyTo"] = reply_to
    return config


def _template(usage_type: str, **fields: str) -> dict[str, Any]:
    base = {
        "usageType": usage_type,
        "contentType": "text/html",
        "subject": "S {{code}}",
        "content": "<p>{{code}}</p>",
    }
    return {**base, **fields}


# (template fields, usage type sent, payload): every way the sender and reply-to can come about.
CASES: list[tuple[dict[str, str], str, dict[str, Any]]] = [
    ({}, "SignIn", {"code": "1"}),  # no sendFrom/replyTo: the config's
    ({"sendFrom": "", "replyTo": ""}, "SignIn", {"code": "1"}),  # empty: the config's
    ({"sendFrom": "Shop <s@acme.example>", "replyTo": "r@acme.example"}, "SignIn", {"code": "1"}),
    # Filled to nothing: Logto sends from the empty string, it does not fall back.
    ({"sendFrom": "{{user.nickname}}", "replyTo": "{{user.nickname}}"}, "Generic", {"code": "1", "user": {}}),
    ({"sendFrom": "{{user.nickname}}"}, "Generic", {"code": "1", "user": {"nickname": None}}),
    # A root the payload lacks: left as written.
    ({"sendFrom": "{{user.nickname}}"}, "Generic", {"code": "1"}),
    (
        {"sendFrom": "{{ application.name }} <s@acme.example>"},
        "SignIn",
        {"code": "1", "application": {"name": "Shop"}},
    ),
    # A usage type without a template of its own: Generic's, filled with that type's payload.
    (
        {"sendFrom": "{{user.name}} via Acme <s@acme.example>"},
        "Generic",
        {"code": "1", "user": {"name": "Ada"}},
    ),
    ({"sendFrom": " "}, "SignIn", {"code": "1"}),  # a space is not empty
]


@pytest.mark.parametrize(("fields", "sent", "payload"), CASES)
@pytest.mark.parametrize("reply_to", [REPLY, None])
def test_fill_message_is_what_logto_builds(
    fields: dict[str, str], sent: str, payload: dict[str, Any], reply_to: str | None
) -> None:
    config = _config(_template(sent, **fields), reply_to=reply_to)
    for usage_type in (sent, "BindNewIdentifier") if sent == "Generic" else (sent,):
        logto = mail_options(config, usage_type, payload)
        ours = fill_message(ConnectorConfig.model_validate(config), usage_type, payload)
        assert (ours.sender, ours.reply_to, ours.subject, ours.body) == (
            logto["from"],
            logto["replyTo"],
            logto["subject"],
            logto["html"],
        )


@pytest.mark.parametrize(("fields", "sent", "payload"), CASES)
def test_preview_fills_as_render_does(fields: dict[str, str], sent: str, payload: dict[str, Any]) -> None:
    config = ConnectorConfig.model_validate(_config(_template(sent, **fields)))
    template = config.templates[0]
    where = PreviewSet("dev", "en", config.templates, config.fromEmail, config.replyTo)
    shown = preview_message(template, where)
    filled = fill_message(config, sent, sample_payload(sent, "en"))
    # The mailboxes as nodemailer writes them, as render shows them (text with no address as written).
    assert (shown.sender, shown.reply_to, shown.subject, shown.body) == (
        header(filled.sender) or filled.sender,
        (header(filled.reply_to) or filled.reply_to) if filled.reply_to else filled.reply_to,
        filled.subject,
        filled.body,
    )


def test_preview_shows_the_empty_sender_logto_sends() -> None:
    # The case that differed: render gave an empty sender, preview showed fromEmail.
    config = ConnectorConfig.model_validate(
        _config(_template("UserPermissionValidation", sendFrom="{{user.nickname}}"))
    )
    where = PreviewSet("dev", "en", config.templates, config.fromEmail, config.replyTo)
    template = config.template_for("UserPermissionValidation")
    assert template is not None
    assert preview_message(template, where).sender == ""
    payload = sample_payload("UserPermissionValidation", "en")
    assert fill_message(config, "UserPermissionValidation", payload).sender == ""
    assert mail_options(config.to_logto(), "UserPermissionValidation", payload)["from"] == ""
