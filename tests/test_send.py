"""Sending over real SMTP: aiosmtpd on 127.0.0.1, trustme certificates, real AUTH."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import sys
from pathlib import Path
from typing import Any

import pytest

from connector.mail.send import Job, RetryPolicy, send_all
from connector.schema.models import ConnectorConfig

from .conftest import CliResult, CliRunner
from .smtp_fixtures import (
    Certificates,
    Script,
    ServerFactory,
    TokenEndpoint,
    logto_config,
    outside_address,
    write_config,
)

FAST = ("--attempts", "3", "--backoff", "0.001")
PASSWORD = "correct horse battery staple"


def send(cli: CliRunner, tmp_path: Path, config: dict[str, Any], *args: str, expect: int = 0) -> CliResult:
    path = write_config(tmp_path / "logto.json", config)
    return cli("send", str(path), *FAST, *args, expect=expect)


def results(result: CliResult) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def one(cli: CliRunner, tmp_path: Path, config: dict[str, Any], expect: int = 0) -> CliResult:
    return send(
        cli,
        tmp_path,
        config,
        "--type",
        "SignIn",
        "--to",
        "bob@example.com",
        "--code",
        "123456",
        expect=expect,
    )


def test_implicit_tls_with_a_trusted_ca_and_login(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, certificates: Certificates
) -> None:
    server = smtp_server(tls="implicit", users={"mailer": PASSWORD})
    config = logto_config(
        server.port, secure=True, tls={"ca": certificates.ca_pem}, auth={"user": "mailer", "pass": PASSWORD}
    )
    result = one(cli, tmp_path, config)
    assert results(result) == [
        {
            "to": "bob@example.com",
            "type": "SignIn",
            "status": "sent",
            "code": 250,
            "reply": "2.0.0 Accepted",
            "attempts": 1,
        }
    ]
    assert server.handler.logins == [("PLAIN", "mailer")]
    assert server.handler.encrypted == [True]
    [envelope] = server.messages
    assert (envelope.mail_from, envelope.rcpt_tos) == ("no-reply@acme.test", ["bob@example.com"])
    message = email.message_from_bytes(envelope.original_content or b"", policy=email.policy.default)
    assert message["Subject"] == "Sign-in code 123456"
    assert result.stderr == "smtp-connector: 1 of 1 sent\n"


def test_port_465_without_secure_means_implicit_tls_as_in_nodemailer(
    smtp_server: ServerFactory, certificates: Certificates
) -> None:
    # Nothing listens on 465 here; what matters is that the client speaks TLS first and fails on the
    # certificate of a plain server rather than waiting for a greeting.
    server = smtp_server(tls="implicit", users={"mailer": PASSWORD})
    from connector.logto import implicit_tls

    base = logto_config(server.port)
    for changes, implicit in [
        ({"port": 465}, True),
        ({"port": 465, "secure": False}, False),
        ({"port": 587}, False),
    ]:
        config = ConnectorConfig.model_validate(base | changes)
        assert implicit_tls(config.secure, config.port) is implicit


def test_starttls_when_offered(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, certificates: Certificates
) -> None:
    server = smtp_server(tls="starttls", users={"mailer": PASSWORD})
    config = logto_config(
        server.port, tls={"ca": [certificates.ca_pem]}, auth={"user": "mailer", "pass": PASSWORD}
    )
    one(cli, tmp_path, config)
    assert server.handler.encrypted == [True]
    assert server.handler.logins == [("PLAIN", "mailer")]


def test_auth_method_forces_login(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, certificates: Certificates
) -> None:
    server = smtp_server(tls="starttls", users={"mailer": PASSWORD})
    config = logto_config(
        server.port,
        tls={"ca": certificates.ca_pem},
        auth={"user": "mailer", "pass": PASSWORD},
        authMethod="login",
    )
    one(cli, tmp_path, config)
    assert server.handler.logins == [("LOGIN", "mailer")]


def test_require_tls_without_starttls_fails(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    server = smtp_server()
    result = one(cli, tmp_path, logto_config(server.port, requireTLS=True), expect=1)
    assert result.stderr.splitlines()[0] == (
        f"smtp-connector: error: 127.0.0.1:{server.port}: requireTLS is set but the server does not offer "
        "STARTTLS (hint: use secure: true on the server's implicit-TLS port, usually 465)"
    )
    assert results(result)[0]["status"] == "failed"
    assert server.messages == []


def test_ignore_tls_skips_starttls(cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory) -> None:
    server = smtp_server(tls="starttls")
    one(cli, tmp_path, logto_config(server.port, ignoreTLS=True))
    assert server.handler.encrypted == [False]


@pytest.mark.parametrize("tls_ca", [None, "other"])
def test_an_untrusted_certificate_is_refused(
    cli: CliRunner,
    tmp_path: Path,
    smtp_server: ServerFactory,
    other_ca_pem: str,
    tls_ca: str | None,
) -> None:
    server = smtp_server(tls="implicit", users={"mailer": PASSWORD})
    config = logto_config(server.port, secure=True, auth={"user": "mailer", "pass": PASSWORD})
    if tls_ca:
        config["tls"] = {"ca": other_ca_pem}
    result = one(cli, tmp_path, config, expect=1)
    assert result.stderr.splitlines()[0] == (
        f"smtp-connector: error: 127.0.0.1:{server.port}: the server's certificate is not trusted "
        "(unable to get local issuer certificate) (hint: add the CA that signed it to tls.ca, set "
        "tls.servername to the name on the certificate, or, for a test server only, tls.rejectUnauthorized: false)"
    )
    assert server.messages == []


def test_a_certificate_for_another_name_is_refused_unless_servername_matches(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, certificates: Certificates
) -> None:
    server = smtp_server(tls="implicit")
    config = logto_config(
        server.port, secure=True, tls={"ca": certificates.ca_pem, "servername": "mail.acme.test"}
    )
    result = one(cli, tmp_path, config, expect=1)
    assert "the server's certificate is not trusted (Hostname mismatch" in result.stderr
    config["tls"]["servername"] = "localhost"
    one(cli, tmp_path, config)
    assert len(server.messages) == 1


def test_reject_unauthorized_false_sends_with_a_warning(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    server = smtp_server(tls="implicit")
    result = one(cli, tmp_path, logto_config(server.port, secure=True, tls={"rejectUnauthorized": False}))
    assert result.stderr.splitlines()[0] == (
        "smtp-connector: warning: tls.rejectUnauthorized is false: the server's certificate is not checked, "
        "so anyone on the way can read the mail and the credentials"
    )
    assert len(server.messages) == 1


def test_the_library_does_not_print_the_warning(
    smtp_server: ServerFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    # The warning is data (tls_warnings); only the command line prints it.
    from connector.mail.tls import tls_warnings

    server = smtp_server(tls="implicit")
    config = ConnectorConfig.model_validate(
        logto_config(server.port, secure=True, tls={"rejectUnauthorized": False})
    )
    outcome = send_all(config, [Job("bob@example.com", "SignIn", {"code": "1"})])
    assert outcome.ok and len(server.messages) == 1
    assert capsys.readouterr() == ("", "")
    assert tls_warnings(config) == [
        "tls.rejectUnauthorized is false: the server's certificate is not checked, so anyone on the way "
        "can read the mail and the credentials"
    ]
    assert tls_warnings(config.model_copy(update={"tls": None})) == []


def test_secure_on_a_plain_port_explains_the_wrong_version_number(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    server = smtp_server()
    result = one(cli, tmp_path, logto_config(server.port, secure=True), expect=1)
    assert (
        "the TLS handshake failed: WRONG_VERSION_NUMBER (hint: this port speaks plain SMTP first; set "
        in (result.stderr)
    )


def test_wrong_password_fails_once_without_printing_it(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, certificates: Certificates
) -> None:
    server = smtp_server(tls="starttls", users={"mailer": PASSWORD})
    wrong = "wrong-but-secret-password"
    config = logto_config(
        server.port, tls={"ca": certificates.ca_pem}, auth={"user": "mailer", "pass": wrong}
    )
    result = send(
        cli,
        tmp_path,
        config,
        "--type",
        "SignIn",
        "--to",
        "a@example.com",
        "--to",
        "b@example.com",
        "--code",
        "1",
        expect=1,
    )
    assert result.stderr.splitlines() == [
        f"smtp-connector: error: 127.0.0.1:{server.port}: authentication (PLAIN) failed: 535 5.7.8 "
        "Authentication credentials invalid (hint: check auth.user and the credentials)",
        "smtp-connector: 0 of 2 sent, 2 failed",
    ]
    assert [(r["status"], r["code"], r["attempts"]) for r in results(result)] == [
        ("failed", 535, 1),
        ("failed", None, 0),
    ]
    assert wrong not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_missing_credentials_when_the_server_offers_auth(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    server = smtp_server(users={"mailer": PASSWORD}, auth_require_tls=False)
    result = one(cli, tmp_path, logto_config(server.port), expect=1)
    assert result.stderr.splitlines()[0] == (
        f"smtp-connector: error: 127.0.0.1:{server.port}: the server offers AUTH (LOGIN PLAIN XOAUTH2) but auth has no "
        'user and pass; Logto fails here too, with "Missing credentials" (hint: set auth.user and auth.pass, '
        "or relay through a server that does not advertise AUTH)"
    )


def test_a_password_over_plain_text_is_fine_on_loopback(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    server = smtp_server(users={"mailer": PASSWORD}, auth_require_tls=False)
    one(cli, tmp_path, logto_config(server.port, auth={"user": "mailer", "pass": PASSWORD}))
    assert server.handler.encrypted == [False]


def test_a_password_over_plain_text_to_another_host_is_refused(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    address = outside_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address")
    server = smtp_server(users={"mailer": PASSWORD}, auth_require_tls=False, host=address)
    config = logto_config(server.port, host=address, auth={"user": "mailer", "pass": PASSWORD})
    result = one(cli, tmp_path, config, expect=1)
    assert result.stderr.splitlines()[0] == (
        f"smtp-connector: error: {address}:{server.port}: refusing to send credentials over an unencrypted "
        "connection (hint: use secure: true on port 465, or a server that offers STARTTLS, and do not set ignoreTLS)"
    )
    assert server.handler.logins == []


# --- XOAUTH2 ----------------------------------------------------------------------------------------


def test_xoauth2_with_an_access_token(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, certificates: Certificates
) -> None:
    server = smtp_server(tls="starttls", tokens={"token-abc"})
    auth = {"type": "OAuth2", "user": "mailer@acme.test", "accessToken": "token-abc"}
    one(cli, tmp_path, logto_config(server.port, tls={"ca": certificates.ca_pem}, auth=auth))
    assert server.handler.logins == [("XOAUTH2", "mailer@acme.test")]


def test_xoauth2_refreshes_an_expired_token(
    cli: CliRunner,
    tmp_path: Path,
    smtp_server: ServerFactory,
    certificates: Certificates,
    token_endpoint: TokenEndpoint,
) -> None:
    server = smtp_server(tls="starttls", tokens={"fresh-access-token"})
    auth = {
        "type": "OAuth2",
        "user": "mailer@acme.test",
        "clientId": "client-id",
        "clientSecret": "client-secret-value",
        "refreshToken": "refresh-token-value",
        "accessToken": "stale-token-value",
        "expires": 1000,
        "accessUrl": token_endpoint.url,
    }
    result = one(cli, tmp_path, logto_config(server.port, tls={"ca": certificates.ca_pem}, auth=auth))
    assert token_endpoint.requests == [
        {
            "client_id": "client-id",
            "client_secret": "client-secret-value",
            "refresh_token": "refresh-token-value",
            "grant_type": "refresh_token",
        }
    ]
    assert server.handler.logins == [("XOAUTH2", "mailer@acme.test")]
    for secret in ("client-secret-value", "refresh-token-value", "fresh-access-token"):
        assert secret not in result.stdout + result.stderr


def test_xoauth2_renews_once_when_the_server_refuses_the_token(
    cli: CliRunner,
    tmp_path: Path,
    smtp_server: ServerFactory,
    certificates: Certificates,
    token_endpoint: TokenEndpoint,
) -> None:
    server = smtp_server(tls="starttls", tokens={"fresh-access-token"})
    auth = {
        "user": "mailer@acme.test",
        "refreshToken": "refresh-token-value",
        "accessToken": "revoked-token",
        "accessUrl": token_endpoint.url,
    }
    one(cli, tmp_path, logto_config(server.port, tls={"ca": certificates.ca_pem}, auth=auth))
    assert len(token_endpoint.requests) == 1
    assert server.handler.logins == [("XOAUTH2", "mailer@acme.test")]


def test_xoauth2_refresh_refused_by_the_endpoint(
    cli: CliRunner,
    tmp_path: Path,
    smtp_server: ServerFactory,
    certificates: Certificates,
    token_endpoint: TokenEndpoint,
) -> None:
    server = smtp_server(tls="starttls", tokens={"x"})
    token_endpoint.status, token_endpoint.answer = (
        400,
        {"error": "invalid_grant", "error_description": "Bad Request"},
    )
    auth = {
        "user": "mailer@acme.test",
        "refreshToken": "refresh-token-value",
        "accessUrl": token_endpoint.url,
    }
    result = one(
        cli, tmp_path, logto_config(server.port, tls={"ca": certificates.ca_pem}, auth=auth), expect=1
    )
    assert result.stderr.splitlines()[0] == (
        f"smtp-connector: error: the OAuth2 token endpoint {token_endpoint.url} refused to renew the access "
        "token: HTTP 400 invalid_grant: Bad Request (hint: check auth.clientId, auth.clientSecret and "
        "auth.refreshToken)"
    )


def test_oauth2_service_key_without_pyjwt_gives_the_install_hint(
    cli: CliRunner,
    tmp_path: Path,
    smtp_server: ServerFactory,
    certificates: Certificates,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "jwt", None)  # as if PyJWT were not installed
    server = smtp_server(tls="starttls", tokens={"x"})
    auth = {"user": "mailer@acme.test", "serviceClient": "1234", "privateKey": "-----BEGIN PRIVATE KEY-----"}
    result = one(
        cli, tmp_path, logto_config(server.port, tls={"ca": certificates.ca_pem}, auth=auth), expect=1
    )
    assert result.stderr.splitlines()[0] == (
        "smtp-connector: error: the OAuth2 service-key form (auth.privateKey) needs PyJWT, which is not "
        "installed (hint: pip install 'smtp-connector[oauth2]')"
    )


# --- replies, retries, drops, timeouts --------------------------------------------------------------


def test_a_451_is_retried_then_sent(cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory) -> None:
    server = smtp_server(script=Script(data_replies=["451 4.3.0 Try again later"]))
    result = one(cli, tmp_path, logto_config(server.port))
    assert [(r["status"], r["code"], r["attempts"]) for r in results(result)] == [("sent", 250, 2)]
    assert len(server.messages) == 1


def test_retry_waits_double_up_to_the_cap(smtp_server: ServerFactory) -> None:
    # A real server answers 451 five times; the waits between tries double from backoff and stop at the cap.
    server = smtp_server(script=Script(data_replies=["451 4.3.0 Try again later"] * 5))
    slept: list[float] = []
    config = ConnectorConfig.model_validate(logto_config(server.port))
    retry = RetryPolicy(attempts=6, backoff=1.5, max_delay=6.0)
    outcome = send_all(
        config, [Job("bob@example.com", "SignIn", {"code": "1"})], retry=retry, sleep=slept.append
    )
    assert [(r.status, r.attempts) for r in outcome.results] == [("sent", 6)]
    assert slept == [1.5, 3.0, 6.0, 6.0, 6.0]  # 12 and 24 capped at 6; the cap itself is reached exactly


@pytest.mark.parametrize(
    ("attempt", "delay"), [(1, 1.0), (2, 2.0), (5, 16.0), (6, 30.0), (7, 30.0), (100, 30.0)]
)
def test_the_default_retry_delay_is_capped_at_30_seconds(attempt: int, delay: float) -> None:
    assert RetryPolicy().delay(attempt) == delay


def test_a_550_is_not_retried(cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory) -> None:
    server = smtp_server(script=Script(rcpt_replies=["550 5.1.1 No such user"]))
    result = one(cli, tmp_path, logto_config(server.port), expect=1)
    assert results(result) == [
        {
            "to": "bob@example.com",
            "type": "SignIn",
            "status": "failed",
            "code": 550,
            "reply": "5.1.1 No such user",
            "attempts": 1,
        }
    ]
    assert server.messages == []


def test_4xx_retries_are_bounded(cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory) -> None:
    server = smtp_server(script=Script(data_replies=["452 4.3.1 Full"] * 5))
    result = one(cli, tmp_path, logto_config(server.port), expect=1)
    assert [(r["status"], r["code"], r["reply"], r["attempts"]) for r in results(result)] == [
        ("failed", 452, "4.3.1 Full", 3)
    ]


def test_a_connection_dropped_in_data_is_sent_again(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    server = smtp_server(script=Script(drop_in_data=1))
    result = one(cli, tmp_path, logto_config(server.port))
    assert [(r["status"], r["attempts"]) for r in results(result)] == [("sent", 2)]
    # At least once: the server had the whole message when the connection dropped, and got it again.
    assert len(server.handler.dropped) == 1 and len(server.messages) == 1


def test_a_server_that_never_greets_hits_the_greeting_timeout(
    cli: CliRunner, tmp_path: Path, silent_server: int
) -> None:
    result = one(cli, tmp_path, logto_config(silent_server, greetingTimeout=200), expect=1)
    assert result.stderr.splitlines()[0] == (
        f"smtp-connector: error: 127.0.0.1:{silent_server}: the server did not greet within 200 ms "
        "(greetingTimeout) (hint: check host and port; a port that expects TLS from the first byte needs "
        "secure: true)"
    )


def test_nothing_listening(cli: CliRunner, tmp_path: Path, silent_server: int) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    result = one(cli, tmp_path, logto_config(port), expect=1)
    assert result.stderr.splitlines()[0] == (
        f"smtp-connector: error: 127.0.0.1:{port}: cannot connect (Connection refused) (hint: nothing listens "
        f"on this port; to test locally, start `smtp-connector sink --port {port}` and send again)"
    )


def test_one_connection_is_reused_across_a_batch(smtp_server: ServerFactory) -> None:
    server = smtp_server()
    sessions: list[object] = []
    original = server.handler.handle_DATA

    async def spy(srv: Any, session: Any, envelope: Any) -> str:
        sessions.append(session)
        return await original(srv, session, envelope)

    server.handler.handle_DATA = spy  # type: ignore[method-assign]
    config = ConnectorConfig.model_validate(logto_config(server.port))
    jobs = [Job(f"user{i}@example.com", "SignIn", {"code": str(i)}) for i in range(5)]
    outcome = send_all(config, jobs, retry=RetryPolicy(backoff=0.001))
    assert outcome.ok and outcome.counts == {"sent": 5, "failed": 0, "written": 0}
    assert len({id(s) for s in sessions}) == 1


# --- batches and dry runs ---------------------------------------------------------------------------


def test_batch_accounting_and_the_resend_file(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    server = smtp_server(
        script=Script(rcpt_replies=[None, "550 5.1.1 No such user", None, None, "553 5.1.3 Bad address"])
    )
    batch = tmp_path / "batch.jsonl"
    lines = [
        {"to": f"user{i}@example.com", "type": "SignIn", "payload": {"code": f"00000{i}"}} for i in range(5)
    ]
    lines.append({"to": "user5@example.com", "type": "Register", "payload": {"code": "5", "locale": "en"}})
    batch.write_text("".join(json.dumps(line) + "\n" for line in lines) + "\n")
    result = send(cli, tmp_path, logto_config(server.port), "--batch", str(batch), expect=1)
    rows = results(result)
    statuses = [r["status"] for r in rows]
    assert statuses == ["sent", "failed", "sent", "sent", "failed", "sent"]
    assert statuses.count("sent") + statuses.count("failed") == len(lines)
    failed_file = tmp_path / "batch.failed.jsonl"
    assert [json.loads(line) for line in failed_file.read_text().splitlines()] == [lines[1], lines[4]]
    assert result.stderr == (
        f"smtp-connector: 4 of 6 sent, 2 failed; to send them again: --batch {failed_file}\n"
    )
    assert len(server.messages) == 4
    # The resend file is a batch file: sending it again delivers the rest.
    again = send(
        cli,
        tmp_path,
        logto_config(server.port),
        "--batch",
        str(failed_file),
        "--failed",
        str(tmp_path / "f2"),
    )
    assert [r["status"] for r in results(again)] == ["sent", "sent"]


def test_batch_file_mistakes_are_reported_before_anything_is_sent(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    server = smtp_server()
    batch = tmp_path / "batch.jsonl"
    batch.write_text('{"to": "a@example.com", "type": "SignIn"}\n{"to": "b@example.com", "typ": "SignIn"}\n')
    result = send(cli, tmp_path, logto_config(server.port), "--batch", str(batch), expect=1)
    assert result.stderr == (
        f"{batch}:2:25: error SC201 unknown key `typ`; did you mean `type`? (hint: the keys are to, type and payload)\n"
        f"smtp-connector: {batch}: 1 of 2 messages would fail; nothing was sent\n"
    )
    assert server.messages == []


def test_dry_run_writes_one_eml_per_recipient(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    config = logto_config(1, customHeaders={"X-Env": "test"})
    result = send(
        cli,
        tmp_path,
        config,
        "--type",
        "SignIn",
        "--to",
        "a@example.com",
        "--to",
        "Bob <b@example.com>",
        "--payload",
        '{"code": "246810", "application": {"name": "Shop"}}',
        "--dry-run",
        str(out),
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "0001-SignIn-a@example.com.eml",
        "0002-SignIn-Bob_b@example.com.eml",
    ]
    rows = results(result)
    assert [(r["status"], Path(r["file"]).name) for r in rows] == [
        ("written", "0001-SignIn-a@example.com.eml"),
        ("written", "0002-SignIn-Bob_b@example.com.eml"),
    ]
    raw = (out / "0002-SignIn-Bob_b@example.com.eml").read_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert (message["From"], message["To"], message["Subject"], message["X-Env"]) == (
        "Acme <no-reply@acme.test>",
        "Bob <b@example.com>",
        "Sign-in code 246810",
        "test",
    )
    assert message.get_content_type() == "text/html"
    assert "<b>246810</b> for Shop." in message.get_content()
    assert result.stderr == "smtp-connector: 2 of 2 written\n"


def test_send_usage_errors(cli: CliRunner, tmp_path: Path) -> None:
    path = write_config(tmp_path / "logto.json", logto_config(1))
    assert "give --type and --to (or --batch FILE)" in cli("send", str(path), "--code", "1", expect=2).stderr
    result = cli("send", str(path), "--batch", "b.jsonl", "--to", "a@example.com", expect=2)
    assert "--batch takes recipients, types and payloads from the file" in result.stderr
    (tmp_path / "smtp-connector.yaml").write_text("provider: dev-sink\n")
    result = cli("send", str(tmp_path), "--type", "SignIn", "--to", "a@example.com", "--code", "1", expect=2)
    assert f"{tmp_path} is a project folder: add --env ENV to say which environment to build" in result.stderr


def test_socket_timeout_applies_after_the_greeting(
    cli: CliRunner, tmp_path: Path, mute_after_greeting: int
) -> None:
    config = logto_config(mute_after_greeting, socketTimeout=100, greetingTimeout=5000)
    result = send(
        cli,
        tmp_path,
        config,
        "--type",
        "SignIn",
        "--to",
        "a@example.com",
        "--code",
        "1",
        "--attempts",
        "2",
        expect=1,
    )
    assert results(result) == [
        {
            "to": "a@example.com",
            "type": "SignIn",
            "status": "failed",
            "code": None,
            "reply": f"127.0.0.1:{mute_after_greeting}: no reply within 100 ms (socketTimeout) while opening the "
            "session",
            "attempts": 2,
        }
    ]


def test_ehlo_name_and_local_address(cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory) -> None:
    server = smtp_server()
    one(cli, tmp_path, logto_config(server.port, name="mailer.acme.test", localAddress="127.0.0.2"))
    assert server.handler.sessions == [("127.0.0.2", "mailer.acme.test")]
