"""doctor's SMTP part against real servers on 127.0.0.1: aiosmtpd in each TLS mode, trustme certificates
(valid, expired, expiring, for another name), real AUTH. Every server counts MAIL FROM: doctor sends none."""

from __future__ import annotations

import base64
import datetime
import json
import os
import re
import select
import shutil
import socket
import ssl
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import trustme

from connector.doctor.smtp import ehlo_name_problem, tls_version_problem

from .conftest import CliResult, CliRunner
from .smtp_fixtures import Certificates, ConnectProxy, Server, ServerFactory, logto_config, write_config
from .test_doctor_dns import rsa_key

PASSWORD = "correct horse battery staple"
ENV = {"DOCTOR_SMTP_PASS": PASSWORD}


def doctor(
    cli: CliRunner, tmp_path: Path, config: dict[str, Any], *args: str, expect: int = 0, env: Any = None
) -> dict[str, dict[str, str]]:
    """Run ``doctor --only smtp --format json``; the checks by id."""
    path = write_config(tmp_path / "logto.json", config)
    result = cli(
        "doctor",
        str(path),
        "--only",
        "smtp",
        "--format",
        "json",
        *args,
        expect=expect,
        env=ENV if env is None else env,
    )
    assert PASSWORD not in result.stdout + result.stderr
    found = json.loads(result.stdout)["checks"]
    ids = [c["id"] for c in found]
    assert len(ids) == len(set(ids)), ids  # one verdict per check
    return {c["id"]: c for c in found}


def starttls_config(server: Server, certificates: Certificates, **changes: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "secure": False,
        "requireTLS": True,
        "tls": {"ca": certificates.ca_pem},
        "auth": {"user": "mailer", "pass": "${DOCTOR_SMTP_PASS}"},
    }
    return logto_config(server.port, **{**settings, **changes})


def context_for(ca: trustme.CA, *names: str, **dates: datetime.datetime) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names, **dates).configure_cert(context)
    return context


def statuses(checks: dict[str, dict[str, str]]) -> dict[str, str]:
    return {id: c["status"] for id, c in checks.items()}


def test_a_good_starttls_server_passes_every_check_and_sees_no_mail_from(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, certificates: Certificates
) -> None:
    server = smtp_server(tls="starttls", users={"mailer": PASSWORD})
    checks = doctor(cli, tmp_path, starttls_config(server, certificates, name="doctor.example.com"))
    assert statuses(checks) == {
        "config.examples": "pass",
        "config.secrets": "pass",
        "smtp.connect": "pass",
        "smtp.tls-mode": "pass",
        "smtp.ehlo-name": "pass",
        "smtp.starttls": "pass",
        "smtp.certificate": "pass",
        "smtp.certificate-expiry": "pass",
        "smtp.tls-version": "pass",
        "smtp.size": "pass",
        "smtp.smtputf8": "pass",
        "smtp.auth-mechanisms": "pass",
        "smtp.encryption": "pass",
        "smtp.login": "pass",
    }
    assert checks["config.secrets"]["message"] == "set: DOCTOR_SMTP_PASS"
    assert server.handler.logins == [("PLAIN", "mailer")]
    assert server.handler.mail_from == []
    assert server.messages == []


def test_implicit_tls_server_passes(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, certificates: Certificates
) -> None:
    server = smtp_server(tls="implicit", users={"mailer": PASSWORD})
    config = starttls_config(server, certificates, secure=True)
    del config["requireTLS"]
    checks = doctor(cli, tmp_path, config)
    assert checks["smtp.tls-mode"]["status"] == "pass"
    assert checks["smtp.starttls"]["status"] == "pass"
    assert checks["smtp.login"]["status"] == "pass"
    assert server.handler.mail_from == []


def test_secure_false_on_an_implicit_tls_port_fails_with_the_exact_fix(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, certificates: Certificates
) -> None:
    server = smtp_server(tls="implicit", users={"mailer": PASSWORD})
    # The client waits for a greeting the server never sends (it waits for TLS): bounded by greetingTimeout.
    config = starttls_config(server, certificates, greetingTimeout=500)
    checks = doctor(cli, tmp_path, config, expect=1)
    assert checks["smtp.tls-mode"]["status"] == "fail"
    assert checks["smtp.tls-mode"]["hint"] == "set `secure: true`"
    assert checks["smtp.tls-mode"]["key"] == "secure"
    assert checks["smtp.connect"]["status"] == "pass"
    assert checks["smtp.login"]["status"] == "skip"
    assert server.handler.logins == [] and server.handler.mail_from == []


def test_secure_true_on_a_starttls_port_fails_with_the_exact_fix(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, certificates: Certificates
) -> None:
    server = smtp_server(tls="starttls", users={"mailer": PASSWORD})
    checks = doctor(cli, tmp_path, starttls_config(server, certificates, secure=True), expect=1)
    assert checks["smtp.tls-mode"]["status"] == "fail"
    assert checks["smtp.tls-mode"]["hint"] == "set `secure: false` with `requireTLS: true`"
    assert server.handler.logins == [] and server.handler.mail_from == []


def test_a_server_without_auth_is_a_warning_and_strict_fails_on_it(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, certificates: Certificates
) -> None:
    server = smtp_server(tls="starttls", offer_auth=False)
    config = starttls_config(server, certificates)
    checks = doctor(cli, tmp_path, config)
    assert checks["smtp.auth-mechanisms"]["status"] == "warn"
    assert checks["smtp.login"] == {
        "id": "smtp.login",
        "status": "skip",
        "message": "the server offers no AUTH",
        "hint": "",
        "key": "",
        "environment": None,
        "file": None,
        "line": None,
        "column": None,
    }
    doctor(cli, tmp_path, config, "--strict", expect=1)
    assert server.handler.mail_from == []


def test_a_refused_login_shows_the_servers_reply_and_the_variable_never_the_value(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, certificates: Certificates
) -> None:
    server = smtp_server(tls="starttls", users={"mailer": "another password"})
    checks = doctor(cli, tmp_path, starttls_config(server, certificates), expect=1)
    login = checks["smtp.login"]
    assert login["status"] == "fail"
    assert "535" in login["message"]
    assert "DOCTOR_SMTP_PASS" in login["message"] and "DOCTOR_SMTP_PASS" in login["hint"]
    assert login["key"] == "auth.pass"
    assert server.handler.mail_from == []


def test_an_unset_secret_skips_the_login_and_says_which_variable(
    cli: CliRunner,
    tmp_path: Path,
    smtp_server: ServerFactory,
    certificates: Certificates,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("DOCTOR_SMTP_PASS", raising=False)
    server = smtp_server(tls="starttls", users={"mailer": PASSWORD})
    checks = doctor(cli, tmp_path, starttls_config(server, certificates), env={})
    assert checks["config.secrets"]["status"] == "skip"
    assert checks["config.secrets"]["key"] == "auth.pass"
    assert "DOCTOR_SMTP_PASS" in checks["config.secrets"]["message"]
    assert checks["smtp.login"]["status"] == "skip"
    assert checks["smtp.starttls"]["status"] == "pass"  # the rest of the session still ran
    assert server.handler.logins == []


@pytest.mark.parametrize(
    ("dates", "names", "failing", "key"),
    [
        ({"not_after": datetime.datetime(2020, 1, 1)}, ("127.0.0.1",), "smtp.certificate-expiry", ""),
        ({}, ("mail.other.test",), "smtp.certificate", "tls.servername"),
    ],
    ids=["expired", "another-name"],
)
def test_a_bad_certificate_fails_and_no_credentials_are_sent(
    cli: CliRunner,
    tmp_path: Path,
    smtp_server: ServerFactory,
    certificates: Certificates,
    dates: dict[str, datetime.datetime],
    names: tuple[str, ...],
    failing: str,
    key: str,
) -> None:
    server = smtp_server(
        tls="starttls", users={"mailer": PASSWORD}, context=context_for(certificates.ca, *names, **dates)
    )
    checks = doctor(cli, tmp_path, starttls_config(server, certificates), expect=1)
    assert checks[failing]["status"] == "fail"
    assert checks[failing]["key"] == key
    assert checks["smtp.login"]["status"] == "skip"
    assert "never sent" in checks["smtp.login"]["message"]
    assert server.handler.logins == [] and server.handler.mail_from == []


def test_an_untrusted_certificate_names_tls_ca(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, certificates: Certificates, other_ca_pem: str
) -> None:
    server = smtp_server(tls="implicit", users={"mailer": PASSWORD})
    config = starttls_config(server, certificates, secure=True, tls={"ca": other_ca_pem})
    checks = doctor(cli, tmp_path, config, expect=1)
    assert (checks["smtp.certificate"]["status"], checks["smtp.certificate"]["key"]) == ("fail", "tls.ca")
    assert checks["smtp.tls-mode"]["status"] == "pass"
    assert server.handler.logins == []


@pytest.mark.parametrize(("days", "status"), [(13, "warn"), (16, "pass")])
def test_a_certificate_expiring_within_14_days_is_a_warning(
    cli: CliRunner,
    tmp_path: Path,
    smtp_server: ServerFactory,
    certificates: Certificates,
    days: int,
    status: str,
) -> None:
    ends = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + datetime.timedelta(days=days)
    context = context_for(certificates.ca, "127.0.0.1", not_after=ends)
    server = smtp_server(tls="starttls", users={"mailer": PASSWORD}, context=context)
    checks = doctor(cli, tmp_path, starttls_config(server, certificates))
    assert checks["smtp.certificate-expiry"]["status"] == status


def test_starttls_without_require_tls_is_a_warning(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, certificates: Certificates
) -> None:
    server = smtp_server(tls="starttls", users={"mailer": PASSWORD})
    config = starttls_config(server, certificates)
    del config["requireTLS"]
    checks = doctor(cli, tmp_path, config)
    assert (checks["smtp.starttls"]["status"], checks["smtp.starttls"]["key"]) == ("warn", "requireTLS")


def test_require_tls_without_starttls_fails(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    server = smtp_server(users={"mailer": PASSWORD}, auth_require_tls=False)
    config = logto_config(
        server.port, requireTLS=True, auth={"user": "mailer", "pass": "${DOCTOR_SMTP_PASS}"}
    )
    checks = doctor(cli, tmp_path, config, expect=1)
    assert checks["smtp.starttls"]["status"] == "fail"
    # The server is this machine: the credentials stay on it (send logs in too).
    assert checks["smtp.encryption"]["status"] == "pass"
    assert server.handler.mail_from == []


def test_credentials_to_a_remote_server_in_clear_fail_and_are_not_sent(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    """A server elsewhere (here: a name a loopback proxy resolves), no STARTTLS: nodemailer would send
    the password in clear; doctor fails smtp.encryption and, as send does, never sends it."""
    server = smtp_server(users={"mailer": PASSWORD}, auth_require_tls=False)
    auth = {"user": "mailer", "pass": "${DOCTOR_SMTP_PASS}"}
    with ConnectProxy(hosts={"smtp.relay.example": "127.0.0.1"}) as proxy:
        config = logto_config(server.port, host="smtp.relay.example", proxy=proxy.url(), auth=auth)
        checks = doctor(cli, tmp_path, config, expect=1)
    assert checks["smtp.encryption"]["status"] == "fail"
    assert "in clear" in checks["smtp.encryption"]["message"]
    assert checks["smtp.login"]["status"] == "skip" and server.handler.logins == []
    assert "unencrypted" in checks["smtp.login"]["message"]
    assert b"AUTH" not in proxy.relayed.upper()


def test_a_message_over_the_servers_size_fails(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, certificates: Certificates
) -> None:
    server = smtp_server(tls="starttls", users={"mailer": PASSWORD}, size=300)
    checks = doctor(cli, tmp_path, starttls_config(server, certificates), expect=1)
    assert checks["smtp.size"]["status"] == "fail"
    assert "SIZE 300" in checks["smtp.size"]["message"]


@pytest.mark.parametrize(("offered", "status", "code"), [(False, "fail", 1), (True, "pass", 0)])
def test_a_non_ascii_sender_needs_smtputf8(
    cli: CliRunner,
    tmp_path: Path,
    smtp_server: ServerFactory,
    certificates: Certificates,
    offered: bool,
    status: str,
    code: int,
) -> None:
    server = smtp_server(tls="starttls", users={"mailer": PASSWORD}, smtputf8=offered)
    config = starttls_config(server, certificates, fromEmail="jörg@acme.test")
    checks = doctor(cli, tmp_path, config, expect=code)
    assert checks["smtp.smtputf8"]["status"] == status


def test_an_auth_method_the_server_does_not_offer_fails(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, certificates: Certificates
) -> None:
    server = smtp_server(tls="starttls", users={"mailer": PASSWORD})
    checks = doctor(cli, tmp_path, starttls_config(server, certificates, authMethod="CRAM-MD5"), expect=1)
    assert (checks["smtp.auth-mechanisms"]["status"], checks["smtp.auth-mechanisms"]["key"]) == (
        "fail",
        "authMethod",
    )


def test_nothing_listening_fails_to_connect_and_skips_the_rest(
    cli: CliRunner, tmp_path: Path, unused_port: int
) -> None:
    checks = doctor(cli, tmp_path, logto_config(unused_port), "--timeout", "5", expect=1)
    assert checks["smtp.connect"]["status"] == "fail"
    assert checks["smtp.login"]["status"] == "skip"


def test_a_server_that_never_greets_is_bounded_by_timeout(
    cli: CliRunner, tmp_path: Path, silent_server: int
) -> None:
    checks = doctor(cli, tmp_path, logto_config(silent_server), "--timeout", "0.5", expect=1)
    assert checks["smtp.connect"]["status"] == "fail"
    assert "greet" in checks["smtp.connect"]["message"]


def trickle(reply: bytes, pace: float) -> Callable[[socket.socket], None]:
    """A server that greets, reads EHLO and answers it a byte every ``pace`` seconds (until the client hangs
    up): each read comes well within any socketTimeout, the whole reply long after it."""

    def handle(conn: socket.socket) -> None:
        conn.sendall(b"220 slow.example ESMTP\r\n")
        conn.recv(1024)
        for byte in reply:
            conn.sendall(bytes([byte]))
            if select.select([conn], [], [], pace)[0]:
                return  # the client sent QUIT or hung up: what the test waits for

    return handle


def test_a_server_trickling_its_ehlo_reply_is_bounded_by_timeout_and_not_blamed_on_the_name(
    cli: CliRunner, tmp_path: Path, raw_server: Callable[[Any], int]
) -> None:
    # 40 bytes a tenth of a second apart: 4 s for a reply that must end within 0.5 s of EHLO.
    port = raw_server(trickle(b"250 " + b"x" * 36 + b"\r\n", 0.1))
    config = logto_config(port, name="doctor.example.com")
    checks = doctor(cli, tmp_path, config, "--timeout", "0.5", expect=1)
    assert checks["smtp.ehlo-name"]["status"] == "fail"
    assert "did not answer EHLO" in checks["smtp.ehlo-name"]["message"]
    assert "no reply within 500 ms" in checks["smtp.ehlo-name"]["message"]
    assert checks["smtp.ehlo-name"]["key"] == "host"  # not `name`: the name is fine


def starttls_then_silence(conn: socket.socket) -> None:
    """A server that offers STARTTLS, says 220 to it, then never starts the handshake."""
    lines = conn.makefile("rb")
    conn.sendall(b"220 mute.example ESMTP\r\n")
    lines.readline()
    conn.sendall(b"250-mute.example\r\n250 STARTTLS\r\n")
    lines.readline()
    conn.sendall(b"220 go ahead\r\n")
    select.select([conn], [], [], 30)  # until the client gives up and hangs up


def test_a_starttls_that_never_completes_is_one_fail(
    cli: CliRunner, tmp_path: Path, raw_server: Callable[[Any], int]
) -> None:
    """Offered (a warning without requireTLS), then the upgrade fails: one smtp.starttls, the fail."""
    config = logto_config(raw_server(starttls_then_silence), name="doctor.example.com")
    checks = doctor(cli, tmp_path, config, "--timeout", "0.5", expect=1)
    assert checks["smtp.starttls"]["status"] == "fail"


def auth_echo(mechanism: bytes, heard: list[bytes]) -> Callable[[socket.socket], None]:
    """A server on this machine (so credentials may cross in clear) offering AUTH ``mechanism`` that
    refuses the login, echoing every AUTH line it got back in its reply; it records what it hears."""

    def handle(conn: socket.socket) -> None:
        lines = conn.makefile("rb")
        conn.sendall(b"220 echo.example ESMTP\r\n")
        heard.append(lines.readline())
        conn.sendall(b"250-echo.example\r\n250 AUTH " + mechanism + b"\r\n")
        said = []
        for line in lines:
            heard.append(line)
            if line.upper().startswith(b"QUIT"):
                conn.sendall(b"221 bye\r\n")
                return
            said += line.split()[2:] if line.upper().startswith(b"AUTH") else line.split()
            if mechanism == b"LOGIN" and len(said) < 2:
                conn.sendall(b"334 " + base64.b64encode(b"Password:") + b"\r\n")
            else:
                conn.sendall(b"535 5.7.8 refused: " + b" ".join(said) + b"\r\n")

    return handle


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
@pytest.mark.parametrize("form", ["text", "json", "github"])
def test_a_server_echoing_the_auth_data_back_never_shows_the_password_encoded(
    cli: CliRunner, tmp_path: Path, raw_server: Callable[[Any], int], mechanism: str, form: str
) -> None:
    heard: list[bytes] = []
    port = raw_server(auth_echo(mechanism.encode(), heard))
    config = logto_config(
        port, name="doctor.example.com", auth={"user": "mailer", "pass": "${DOCTOR_SMTP_PASS}"}
    )
    result = cli(
        "doctor", str(write_config(tmp_path / "logto.json", config)), "--only", "smtp", "--format", form,
        expect=1, env=ENV,
    )  # fmt: skip
    sent = {
        "PLAIN": base64.b64encode(f"\0mailer\0{PASSWORD}".encode()),
        "LOGIN": base64.b64encode(PASSWORD.encode()),
    }[mechanism]
    assert any(sent in line for line in heard)  # the server got it, and echoed it
    assert "535 5.7.8 refused: ********" in result.stdout
    assert sent.decode() not in result.stdout + result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    assert not [line for line in heard if line.upper().startswith((b"MAIL", b"RCPT", b"DATA"))]


def slow_token_endpoint(pace: float) -> Callable[[socket.socket], None]:
    """An OAuth2 token endpoint that answers ``slow-token`` ``pace`` seconds after the request, unless the
    client has hung up by then (what a bounded wait does)."""

    def handle(conn: socket.socket) -> None:
        request = conn.makefile("rb")
        length = 0
        while (line := request.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            length = int(value) if name.strip().lower() == b"content-length" else length
        request.read(length)  # the whole request is in: the client now waits for the answer
        if select.select([conn], [], [], pace)[0]:
            return
        body = json.dumps({"access_token": "slow-token", "expires_in": 3600}).encode()
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        conn.sendall(head.encode() + body)

    return handle


def test_the_oauth2_token_request_waits_no_longer_than_timeout(
    cli: CliRunner,
    tmp_path: Path,
    smtp_server: ServerFactory,
    certificates: Certificates,
    raw_server: Callable[[Any], int],
) -> None:
    server = smtp_server(tls="starttls", tokens={"slow-token"})
    endpoint = f"http://127.0.0.1:{raw_server(slow_token_endpoint(5))}/token"  # 10 times --timeout
    auth = {
        "type": "oauth2",
        "user": "mailer@acme.test",
        "clientId": "client",
        "clientSecret": "${DOCTOR_SMTP_PASS}",
        "refreshToken": "refresh",
        "accessUrl": endpoint,
    }
    config = starttls_config(server, certificates, name="doctor.example.com", auth=auth)
    checks = doctor(cli, tmp_path, config, "--timeout", "0.5", expect=1)
    assert checks["smtp.login"]["status"] == "fail"
    assert "cannot reach the OAuth2 token endpoint" in checks["smtp.login"]["message"]
    assert server.handler.logins == [] and server.handler.mail_from == []


def echoing_proxy(conn: socket.socket) -> None:
    """An HTTP proxy that refuses CONNECT, quoting the whole request (its Proxy-Authorization too)."""
    request = conn.recv(65536)
    conn.sendall(b"HTTP/1.1 407 refused: " + request.replace(b"\r\n", b" | ") + b"\r\n\r\n")


@pytest.mark.parametrize("form", ["text", "json", "github"])
def test_a_proxy_echoing_the_request_never_shows_its_credentials(
    cli: CliRunner, tmp_path: Path, raw_server: Callable[[Any], int], form: str
) -> None:
    proxy = f"http://relay:{PASSWORD.replace(' ', '%20')}@127.0.0.1:{raw_server(echoing_proxy)}"
    config = logto_config(2525, host="smtp.acme.test", proxy=proxy)
    result = cli(
        "doctor", str(write_config(tmp_path / "logto.json", config)), "--only", "smtp", "--format", form,
        "--timeout", "5", expect=1,
    )  # fmt: skip
    assert "407 refused: CONNECT smtp.acme.test:2525" in result.stdout  # the reply is shown...
    assert "Proxy-Authorization: Basic ********" in result.stdout  # ...but not what it quotes
    sent = base64.b64encode(f"relay:{PASSWORD}".encode()).decode()
    assert sent not in result.stdout + result.stderr and PASSWORD not in result.stdout + result.stderr


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("mail.example.com", True),
        ("mail.example.com.", True),
        ("localhost", True),
        ("[127.0.0.1]", True),
        ("[IPv6:::1]", True),
        ("[::1]", False),
        ("[IPv6:127.0.0.1]", False),
        ("[300.1.1.1]", False),
        ("höst.example", False),
        ("-bad.example", False),
        ("bad-.example", False),
        ("a" * 63 + ".example", True),
        ("a" * 64 + ".example", False),
        ("under_score.example", False),
        ("two..dots", False),
        ("", False),
    ],
)
def test_ehlo_names(name: str, ok: bool) -> None:
    assert (ehlo_name_problem(name) is None) == ok


def test_a_non_ascii_ehlo_name_fails_before_the_server_is_asked(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, certificates: Certificates
) -> None:
    server = smtp_server(tls="starttls", users={"mailer": PASSWORD}, smtputf8=True)
    checks = doctor(cli, tmp_path, starttls_config(server, certificates, name="höst.example"), expect=1)
    assert (checks["smtp.ehlo-name"]["status"], checks["smtp.ehlo-name"]["key"]) == ("fail", "name")


@pytest.mark.parametrize(
    ("version", "ok"),
    [("TLSv1.3", True), ("TLSv1.2", True), ("TLSv1.1", False), ("TLSv1", False), (None, False)],
)
def test_tls_versions(version: str | None, ok: bool) -> None:
    assert (tls_version_problem(version) is None) == ok


def text_of(result: CliResult) -> str:
    return result.stdout


@pytest.mark.parametrize("signed", [False, True])
def test_the_size_doctor_measures_is_what_the_server_counts(
    cli: CliRunner,
    tmp_path: Path,
    smtp_server: ServerFactory,
    certificates: Certificates,
    signed: bool,
) -> None:
    """The largest message doctor reports (DKIM-signed when the config signs) is the one a real send
    makes: a server whose SIZE is that many bytes takes every usage type; one byte less refuses one."""
    pem, _ = rsa_key()
    dkim = {"dkim": {"domainName": "acme.test", "keySelector": "mail", "privateKey": pem}} if signed else {}
    env = {**ENV}
    measuring = smtp_server(tls="starttls", users={"mailer": PASSWORD}, size=10**7)
    message = doctor(cli, tmp_path, starttls_config(measuring, certificates, **dkim))["smtp.size"]["message"]
    largest = int(re.search(r"\((\d+) bytes\)", message)[1])  # type: ignore[index]
    payload = json.dumps({"code": "123456", "link": "https://example.com/invitation"})
    for limit, fits in ((largest, True), (largest - 1, False)):
        server = smtp_server(tls="starttls", users={"mailer": PASSWORD}, size=limit)
        config = starttls_config(server, certificates, **dkim)
        checks = doctor(cli, tmp_path, config, expect=0 if fits else 1)
        assert checks["smtp.size"]["status"] == ("pass" if fits else "fail")
        path = write_config(tmp_path / "send.json", config)
        codes = [
            cli(
                "send", str(path), "--type", kind, "--to", "someone@example.com", "--payload", payload,
                "--attempts", "1", env=env, expect=None,
            ).code
            for kind in ("SignIn", "Register", "ForgotPassword", "Generic")
        ]  # fmt: skip
        assert (codes == [0, 0, 0, 0]) == fits, codes
        assert len(server.messages) == (4 if fits else 3)


@pytest.mark.skipif(
    shutil.which("unshare") is None or os.geteuid() != 0, reason="needs unshare -n (root): no network at all"
)
def test_with_no_network_the_smtp_part_is_skipped_not_failed(tmp_path: Path) -> None:
    """In a network namespace of its own (only a loopback that is down), no name resolves: the SMTP
    part cannot run, which is a skip with the reason, and doctor exits 0."""
    path = write_config(tmp_path / "logto.json", logto_config(587, host="smtp.sendgrid.net"))
    argv = ["unshare", "-n", sys.executable, "-m", "connector", "doctor", str(path), "--only", "smtp"]
    argv += ["--format", "json", "--timeout", "5"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    result = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120, check=False)
    if result.returncode != 0 and "unshare" in result.stderr:
        pytest.skip(f"unshare -n is not allowed here: {result.stderr.strip()}")
    assert result.returncode == 0, result.stdout + result.stderr
    checks = {c["id"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["smtp.connect"]["status"] == "skip"
    assert "cannot be looked up here" in checks["smtp.connect"]["message"]
