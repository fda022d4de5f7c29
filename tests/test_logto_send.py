"""Differential sending: the same config and payload through Logto's connector and through ``send``.

Both deliver to one capture server (aiosmtpd on 127.0.0.1); the two messages are parsed alike and From, To,
Reply-To, Subject, the body, the X- headers and the envelope must be equal. Configs are generated (seeded)
from the values where the two used to differ: display names with commas, internationalized domains,
non-ASCII subjects with trailing spaces, HTML tags in subjects, long subjects, customHeaders naming the
message's own headers, list values, non-ASCII bodies.
"""

from __future__ import annotations

import email
import email.policy
import json
import random
import re
from email.message import EmailMessage
from typing import Any

import pytest

from connector.errors import InputError
from connector.mail.send import Job, RetryPolicy, send_all
from connector.schema.models import ConnectorConfig

from . import logto_peer
from .smtp_fixtures import ConnectProxy, ServerFactory, logto_config

FROMS = [
    "no-reply@acme.test",
    "Acme <no-reply@acme.test>",
    "Acme, Inc. <no-reply@acme.test>",
    '"Acme, Inc." <no-reply@acme.test>',
    "Smith, Bob, Jr <bob@acme.test>",
    "Acmé Support <no-reply@acme.test>",
    "no-reply@bücher.test",
    "Bücher <no-reply@bücher.test>",
    "Acme.Support <no-reply@acme.test>",
]
REPLY_TOS = [None, "help@acme.test", "Help Desk <help@acme.test>", "Acme, Inc. <help@acme.test>",
             "a@acme.test, Bob <b@acme.test>", "hilfe@bücher.test"]  # fmt: skip
SUBJECTS = [
    "Your code {{code}}",
    "Your <b>code</b> {{code}}",
    "Héllo wörld {{code}}   ",
    "Ünïcödé  spaces  inside {{code}}",
    "  leading spaces {{code}}",
    "A long subject line that goes on and on well past the seventy-eight character fold {{code}}",
    "Votre code de vérification pour {{application.name}} est {{code}} — merci de votre confiance",
    "=?utf-8?q?not_encoded?= {{code}}",
    "{{code}}",
]
BODIES = [
    ("text/plain", "Your code is {{code}}."),
    ("text/plain", "Grüße, {{application.name}}!\nCode: {{code}}\n"),
    ("text/html", "<p>Your code is <b>{{code}}</b> for {{application.name}}.</p>"),
    ("text/html", "<p>日本語のコード {{code}}</p>\n"),
    ("text/plain", "line one\nline two with trailing space \n\n{{code}}"),
]
HEADERS: list[dict[str, Any]] = [
    {},
    {"X-Env": "prod"},
    {"X-Tags": ["a", "b"], "X-Env": "dev"},
    {"X-Note": "Grüße"},
    {"Subject": "custom subject", "X-Env": "prod"},
    {"From": "evil@evil.test", "To": "victim@evil.test"},
    {"Reply-To": "custom-reply@acme.test"},
    {"Message-ID": "<fixed-id@acme.test>"},
    {"List-Unsubscribe": "<mailto:unsubscribe@acme.test>"},
]
PAYLOADS: list[dict[str, Any]] = [
    {"code": "123456", "application": {"name": "Acme App"}},
    {"code": 123456, "application": {"name": "Acmé"}},
    {"code": 1.5e300, "application": {}},
    {"code": 2**60, "locale": "fr"},
    {"code": "<script>x</script>", "application": {"name": "A & B"}},
]
COUNT = 120


def cases(count: int, seed: int = 12) -> list[tuple[dict[str, Any], dict[str, Any], str]]:
    r = random.Random(seed)
    out = []
    for _ in range(count):
        content_type, content = r.choice(BODIES)
        template = {"usageType": "SignIn", "contentType": content_type, "subject": r.choice(SUBJECTS)}
        template["content"] = content
        changes: dict[str, Any] = {"fromEmail": r.choice(FROMS)}
        reply_to = r.choice(REPLY_TOS)
        if reply_to is not None:
            changes["replyTo"] = reply_to
        headers = r.choice(HEADERS)
        if headers:
            changes["customHeaders"] = headers
        to = r.choice(["bob@example.test", "Bob <bob@example.test>", "bob@bücher.test"])
        out.append((changes, {"template": template}, to))
    return out


def _config(port: int, changes: dict[str, Any], template: dict[str, Any]) -> dict[str, Any]:
    config = logto_config(port, **changes)
    config["templates"] = [template, *config["templates"][1:]]
    return config


def _view(raw: bytes, mail_from: str, rcpt_tos: list[str]) -> dict[str, Any]:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    headers: dict[str, Any] = {}
    for name in ("From", "To", "Reply-To", "Subject"):
        values = msg.get_all(name) or []
        headers[name] = [str(v) for v in values]
    headers["X-"] = sorted((k, str(v)) for k, v in msg.items() if k.lower().startswith(("x-", "list-")))
    message_id = str(msg.get("Message-ID", ""))
    part = msg.get_body(("html", "plain"))
    assert part is not None
    return {
        **headers,
        "fixed-id": message_id if "fixed" in message_id else None,
        # nodemailer's generated one: random hex, 8-4-4-4-12, at the sender's domain; ours the same.
        "id-shape": None if "fixed" in message_id else re.sub(r"[0-9a-f]", "h", message_id.partition("@")[0]),
        "id-domain": message_id.partition("@")[2],
        "type": part.get_content_type(),
        # nodemailer sends the body as it is; the email package ends it with a line end.
        "body": part.get_content().replace("\r\n", "\n").rstrip("\n"),
        "envelope": (mail_from, sorted(rcpt_tos)),
    }


def test_logto_and_send_deliver_the_same_message(smtp_server: ServerFactory) -> None:
    logto_peer.require()
    server = smtp_server()
    r = random.Random(7)
    differences = []
    compared = 0
    for changes, extra, to in cases(COUNT):
        payload = r.choice(PAYLOADS)
        config = _config(server.port, changes, extra["template"])
        before = len(server.messages)
        theirs = logto_peer.send(config, to, "SignIn", json.loads(json.dumps(payload)))
        assert theirs["ok"], (changes, to, theirs)
        try:
            model = ConnectorConfig.model_validate(config)
            outcome = send_all(model, [Job(to, "SignIn", payload)], retry=RetryPolicy(attempts=1))
        except InputError as e:
            differences.append((changes, to, f"send refused: {e}"))
            continue
        assert outcome.ok, (changes, to, outcome.results)
        logto_msg, our_msg = server.messages[before : before + 2]
        a = _view(logto_msg.original_content, logto_msg.mail_from, logto_msg.rcpt_tos)
        b = _view(our_msg.original_content, our_msg.mail_from, our_msg.rcpt_tos)
        compared += 1
        if a != b:
            differences.append((changes, to, {k: (a[k], b[k]) for k in a if a[k] != b[k]}))
    assert differences == []
    assert compared == COUNT


def test_a_custom_message_id_and_a_custom_subject_are_handled_as_nodemailer_does(
    smtp_server: ServerFactory,
) -> None:
    server = smtp_server()
    headers = {"Subject": "ignored", "message-id": "<fixed@acme.test>", "X-A": ["1", "2"]}
    config = ConnectorConfig.model_validate(logto_config(server.port, customHeaders=headers))
    assert send_all(config, [Job("bob@example.test", "Generic", {"code": "7"})]).ok
    msg = email.message_from_bytes(server.messages[0].original_content, policy=email.policy.default)
    assert msg.get_all("Subject") == ["Code 7"]
    assert msg.get_all("Message-ID") == ["<fixed@acme.test>"]
    assert msg.get_all("X-A") == ["1", "2"]


def test_a_non_ascii_subject_keeps_its_trailing_spaces_inside_the_encoded_word(
    smtp_server: ServerFactory,
) -> None:
    server = smtp_server()
    template = {
        "usageType": "SignIn",
        "contentType": "text/plain",
        "subject": "Héllo {{code}}  ",
        "content": "x",
    }
    config = ConnectorConfig.model_validate(_config(server.port, {}, template))
    assert send_all(config, [Job("bob@example.test", "SignIn", {"code": "7"})]).ok
    raw = server.messages[0].original_content
    line = next(line for line in raw.split(b"\r\n") if line.startswith(b"Subject:"))
    assert line == b"Subject: =?utf-8?q?H=C3=A9llo_7__?="


@pytest.mark.parametrize("key", ["connectionTimeout", "greetingTimeout", "socketTimeout", "dnsTimeout"])
def test_a_timeout_node_would_clamp_is_refused_before_connecting(key: str) -> None:
    config = ConnectorConfig.model_validate(logto_config(9, **{key: 10**13}))
    outcome = send_all(config, [Job("bob@example.test", "SignIn", {"code": "1"})])
    assert outcome.fatal is not None
    assert str(outcome.fatal) == (
        f"`{key}` is 2,147,483,648 ms or more: Node clamps such a timer to 1 ms, so the timeout fires at once "
        "and every send fails"
    )  # lint's SC311, word for word
    assert outcome.fatal.hint == "use at most 2,147,483,647 ms (about 24.8 days); the default is nodemailer's"
    fine = ConnectorConfig.model_validate(logto_config(9, **{key: 2**31 - 1}))
    assert "Node clamps" not in str(send_all(fine, [Job("b@example.test", "SignIn", {})]).results[0].reply)


def test_an_http_proxy_is_used_as_nodemailer_uses_it(smtp_server: ServerFactory) -> None:
    server = smtp_server()
    proxy = ConnectProxy()
    try:
        raw = logto_config(server.port, proxy=f"http://user:p%40ss@127.0.0.1:{proxy.port}")
        assert logto_peer.send(raw, "bob@example.test", "Generic", {"code": "1"})["ok"]
        config = ConnectorConfig.model_validate(raw)
        assert send_all(config, [Job("bob@example.test", "Generic", {"code": "1"})]).ok
    finally:
        proxy.close()
    assert len(server.messages) == 2
    theirs, ours = (r.split("\r\n") for r in proxy.requests)
    assert theirs[0] == ours[0] == f"CONNECT 127.0.0.1:{server.port} HTTP/1.1"
    assert sorted(theirs[1:]) == sorted(ours[1:])  # Host, Connection, Proxy-Authorization alike
    assert "Proxy-Authorization: Basic dXNlcjpwQHNz" in ours  # user:p@ss: the URL's escapes decoded


def test_our_send_takes_a_greeting_that_arrives_with_the_proxys_answer(smtp_server: ServerFactory) -> None:
    server = smtp_server()
    proxy = ConnectProxy(coalesce=True)
    try:
        raw = logto_config(server.port, proxy=f"http://127.0.0.1:{proxy.port}")
        assert send_all(ConnectorConfig.model_validate(raw), [Job("bob@example.test", "Generic", {})]).ok
    finally:
        proxy.close()
    assert len(server.messages) == 1


def test_a_proxy_that_refuses_fails_the_send(smtp_server: ServerFactory) -> None:
    server = smtp_server()
    proxy = ConnectProxy(refuse=True)
    try:
        raw = logto_config(server.port, proxy=f"http://127.0.0.1:{proxy.port}")
        theirs = logto_peer.send(raw, "bob@example.test", "Generic", {"code": "1"})
        outcome = send_all(ConnectorConfig.model_validate(raw), [Job("bob@example.test", "Generic", {})])
    finally:
        proxy.close()
    assert not theirs["ok"] and "Invalid response from proxy: 403" in theirs["error"]
    assert outcome.fatal is not None and "403 Forbidden" in str(outcome.fatal)
    assert server.messages == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("socks5://127.0.0.1:1080", "Socks module not loaded"),
        ("ftp://127.0.0.1", "Unknown proxy configuration"),
    ],
)
def test_a_proxy_logto_cannot_use_is_refused_with_logtos_reason(url: str, reason: str) -> None:
    raw = logto_config(9, proxy=url)
    theirs = logto_peer.send(raw, "bob@example.test", "Generic", {"code": "1"})
    assert not theirs["ok"] and reason in theirs["error"]
    outcome = send_all(ConnectorConfig.model_validate(raw), [Job("bob@example.test", "Generic", {})])
    assert outcome.fatal is not None and reason in str(outcome.fatal)


def test_dkim_signs_as_nodemailer_does_and_the_signature_verifies(smtp_server: ServerFactory) -> None:
    import base64

    import dkim
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    def dns(name: bytes, timeout: int = 5) -> bytes:
        assert name == b"s1._domainkey.xn--bcher-kva.test."
        return record

    server = smtp_server()
    options = {"domainName": "bücher.test", "keySelector": "s1", "privateKey": pem}
    raw_config = logto_config(server.port, dkim=options, customHeaders={"List-Id": "<codes.acme.test>"})
    theirs = logto_peer.send(raw_config, "bob@example.test", "SignIn", {"code": "1", "application": {}})
    assert theirs["ok"], theirs
    config = ConnectorConfig.model_validate(raw_config)
    assert send_all(config, [Job("bob@example.test", "SignIn", {"code": "1", "application": {}})]).ok
    logto_msg, ours = (m.original_content for m in server.messages)
    for raw in (logto_msg, ours):
        assert dkim.verify(raw, dnsfunc=dns), raw[:400]
    signed = [dkim.DKIM(raw) for raw in (logto_msg, ours)]
    for d, raw in zip(signed, (logto_msg, ours), strict=True):
        d.verify(dnsfunc=dns)
        assert raw.startswith(b"DKIM-Signature:")
    tags = [dict(d.signature_fields) for d in signed]
    for name in (b"a", b"c", b"d", b"s"):
        assert tags[0][name] == tags[1][name], name
    assert tags[1][b"c"] == b"relaxed/relaxed" and tags[1][b"d"] == b"xn--bcher-kva.test"
    headers = [{h.strip() for h in t[b"h"].lower().split(b":")} for t in tags]
    assert headers[0] == headers[1]


def test_a_broken_dkim_key_is_refused_where_nodemailer_would_send_unsigned(
    smtp_server: ServerFactory,
) -> None:
    server = smtp_server()
    options = {"domainName": "acme.test", "keySelector": "s1", "privateKey": "not a key"}
    config = ConnectorConfig.model_validate(logto_config(server.port, dkim=options))
    outcome = send_all(config, [Job("bob@example.test", "SignIn", {"code": "1"})])
    assert (
        not outcome.ok and "dkim.privateKey is not a usable PEM RSA private key" in outcome.results[0].reply
    )
    assert server.messages == []


def test_send_refuses_an_empty_auth_as_a_stored_config_would_fail(tmp_path: Any, cli: Any) -> None:
    config = logto_config(9, auth={})
    verdict = logto_peer.guard(config)
    assert verdict["ok"] and not verdict["cleanedOk"]  # Logto saves it, then every send fails its guard
    path = tmp_path / "prod.json"
    path.write_text(json.dumps(config))
    result = cli("send", str(path), "--type", "SignIn", "--to", "a@example.test", "--code", "1", expect=1)
    assert "SC402 `auth` is empty: Logto deletes empty values when it saves a config, and every send" in (
        result.stdout + result.stderr
    )
    assert "Missing credentials" not in result.stdout + result.stderr


def test_dkim_header_choice_follows_header_field_names_and_skip_fields(smtp_server: ServerFactory) -> None:
    import dkim
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    server = smtp_server()
    base = {"domainName": "acme.test", "keySelector": "s1", "privateKey": pem}
    for options, expected in (
        ({"skipFields": "Message-ID:date"}, {b"from", b"to", b"subject", b"mime-version", b"content-type"}),
        ({"headerFieldNames": "From:Subject:X-Missing", "hashAlgo": "sha1"}, {b"from", b"subject"}),
    ):
        config = ConnectorConfig.model_validate(logto_config(server.port, dkim={**base, **options}))
        assert send_all(config, [Job("bob@example.test", "Generic", {"code": "1"})]).ok
        signed = dkim.DKIM(server.messages[-1].original_content)
        signed.verify(dnsfunc=lambda name, timeout=5: b"")  # parses the signature; no key: not verified
        fields = dict(signed.signature_fields)
        names = {h.strip() for h in fields[b"h"].lower().split(b":")}
        assert expected <= names and not names & {b"message-id", b"date", b"x-missing"}
        assert fields[b"a"] == b"rsa-" + options.get("hashAlgo", "sha256").encode()
    refused = ConnectorConfig.model_validate(logto_config(server.port, dkim={**base, "skipFields": "from"}))
    outcome = send_all(refused, [Job("bob@example.test", "Generic", {"code": "1"})])
    assert "would not cover From" in outcome.results[0].reply
