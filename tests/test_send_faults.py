"""The SMTP fault matrix: servers on 127.0.0.1 that refuse, stall, drop or present bad certificates.

tests/test_send.py covers the plain cases (refused connection, no greeting, requireTLS without STARTTLS,
an untrusted CA, a wrong host name, 535, 451 and 550, one drop mid-DATA, a silent server after the
greeting); this file adds the rest, and batches where every fault must leave every message accounted
for: sent + failed = total, and each failed one in the resend file.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import trustme

from .conftest import CliResult, CliRunner
from .smtp_fixtures import Certificates, Script, ServerFactory, logto_config, write_config

FAST = ("--attempts", "3", "--backoff", "0.001")
PASSWORD = "correct horse battery staple"
# Wording changed between OpenSSL 1.1 ("self signed") and 3 ("self-signed").
SELF_SIGNED = ("self-signed certificate", "self signed certificate")


def send_one(cli: CliRunner, tmp_path: Path, config: dict[str, Any], *args: str, expect: int) -> CliResult:
    path = write_config(tmp_path / "logto.json", config)
    return cli(
        "send", str(path), *FAST, "--type", "SignIn", "--to", "bob@example.com", "--code", "1", *args,
        expect=expect,
    )  # fmt: skip


def rows(result: CliResult) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def batch_of(tmp_path: Path, count: int) -> tuple[Path, list[dict[str, Any]]]:
    lines = [
        {"to": f"user{i}@example.com", "type": "SignIn", "payload": {"code": f"{i:06d}"}}
        for i in range(count)
    ]
    path = tmp_path / "batch.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path, lines


def send_batch(cli: CliRunner, tmp_path: Path, config: dict[str, Any], count: int, *args: str) -> Accounting:
    batch, lines = batch_of(tmp_path, count)
    path = write_config(tmp_path / "logto.json", config)
    result = cli("send", str(path), *FAST, "--batch", str(batch), *args, expect=None)
    return Accounting(result, lines, tmp_path / "batch.failed.jsonl")


class Accounting:
    """A batch's outcome, checked the same way for every fault: nothing is lost."""

    def __init__(self, result: CliResult, lines: list[dict[str, Any]], failed_file: Path) -> None:
        self.result, self.lines, self.failed_file = result, lines, failed_file
        self.rows = rows(result)
        self.statuses = [r["status"] for r in self.rows]
        sent, failed = self.statuses.count("sent"), self.statuses.count("failed")
        assert [r["to"] for r in self.rows] == [line["to"] for line in lines], (
            "one result per message, in order"
        )
        assert sent + failed == len(lines)
        assert result.code == (0 if failed == 0 else 1)
        summary = f"smtp-connector: {sent} of {len(lines)} sent"
        if failed:
            again = [json.loads(x) for x in failed_file.read_text().splitlines()]
            assert again == [line for line, s in zip(lines, self.statuses, strict=True) if s == "failed"]
            summary += f", {failed} failed; to send them again: --batch {failed_file}"
        else:
            assert not failed_file.exists()
        assert result.stderr.splitlines()[-1] == summary
        assert "Traceback" not in result.stderr


# --- servers that misbehave before SMTP starts -----------------------------------------------------


@pytest.fixture
def greeting_server() -> Iterator[Callable[[bytes], int]]:
    """``greeting_server(b"421 ...")``: a port whose server says that one line to every connection, then hangs up."""
    listeners: list[socket.socket] = []

    def start(line: bytes) -> int:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listeners.append(listener)

        def serve() -> None:
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                with conn:
                    conn.sendall(line + b"\r\n")

        threading.Thread(target=serve, daemon=True).start()
        return int(listener.getsockname()[1])

    yield start
    for listener in listeners:
        listener.close()


def test_421_at_the_greeting_is_retried_then_reported(
    cli: CliRunner, tmp_path: Path, greeting_server: Callable[[bytes], int]
) -> None:
    port = greeting_server(b"421 4.3.2 Too busy, try again later")
    result = send_one(cli, tmp_path, logto_config(port), expect=1)
    assert rows(result) == [
        {
            "to": "bob@example.com",
            "type": "SignIn",
            "status": "failed",
            "code": 421,
            "reply": "4.3.2 Too busy, try again later",
            "attempts": 3,
        }
    ]
    assert result.stderr == "smtp-connector: 0 of 1 sent, 1 failed\n"


def test_554_at_the_greeting_ends_a_batch(
    cli: CliRunner, tmp_path: Path, greeting_server: Callable[[bytes], int]
) -> None:
    port = greeting_server(b"554 5.7.1 No SMTP service here")
    outcome = send_batch(cli, tmp_path, logto_config(port), 3)
    assert outcome.statuses == ["failed"] * 3
    assert outcome.result.stderr.splitlines()[0] == (
        f"smtp-connector: error: 127.0.0.1:{port}: the server refused the connection: 554 5.7.1 No SMTP service here"
    )
    assert [r["attempts"] for r in outcome.rows] == [1, 0, 0]


def test_a_refused_connection_fails_a_whole_batch_ready_to_resend(cli: CliRunner, tmp_path: Path) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    outcome = send_batch(cli, tmp_path, logto_config(port), 4)
    assert outcome.statuses == ["failed"] * 4
    assert outcome.result.stderr.splitlines()[0] == (
        f"smtp-connector: error: 127.0.0.1:{port}: cannot connect (Connection refused) (hint: nothing listens "
        f"on this port; to test locally, start `smtp-connector sink --port {port}` and send again)"
    )


# --- certificates -------------------------------------------------------------------------------------


def _serving(cert: trustme.LeafCert | trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    if isinstance(cert, trustme.CA):  # a CA's own certificate: issued by itself
        with cert.cert_pem.tempfile() as pem, cert.private_key_pem.tempfile() as key:
            context.load_cert_chain(pem, key)
    else:
        cert.configure_cert(context)
    return context


def _certificate_error(result: CliResult, port: int, reason: str) -> None:
    assert result.stderr.splitlines()[0] == (
        f"smtp-connector: error: 127.0.0.1:{port}: the server's certificate is not trusted ({reason}) (hint: add "
        "the CA that signed it to tls.ca, set tls.servername to the name on the certificate, or, for a test "
        "server only, tls.rejectUnauthorized: false)"
    )


@pytest.mark.parametrize("tls", ["implicit", "starttls"])
def test_an_expired_certificate_is_refused_even_from_a_trusted_ca(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, certificates: Certificates, tls: str
) -> None:
    now = datetime.now(timezone.utc)
    expired = certificates.ca.issue_cert(
        "localhost", "127.0.0.1", not_before=now - timedelta(days=30), not_after=now - timedelta(days=1)
    )
    server = smtp_server(tls=tls, users={"mailer": PASSWORD}, context=_serving(expired))
    config = logto_config(
        server.port,
        secure=tls == "implicit",
        tls={"ca": certificates.ca_pem},
        auth={"user": "mailer", "pass": PASSWORD},
    )
    result = send_one(cli, tmp_path, config, expect=1)
    _certificate_error(result, server.port, "certificate has expired")
    assert server.handler.logins == [] and server.messages == []
    assert PASSWORD not in result.stdout + result.stderr


def test_a_self_signed_certificate_is_refused(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    own = trustme.CA()
    server = smtp_server(tls="implicit", users={"mailer": PASSWORD}, context=_serving(own))
    config = logto_config(server.port, secure=True, auth={"user": "mailer", "pass": PASSWORD})
    result = send_one(cli, tmp_path, config, expect=1)
    line = result.stderr.splitlines()[0]
    assert any(f"the server's certificate is not trusted ({reason})" in line for reason in SELF_SIGNED), line
    assert server.handler.logins == [] and server.messages == []


def test_a_wrong_host_certificate_ends_a_batch_before_any_login(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, certificates: Certificates
) -> None:
    other_host = certificates.ca.issue_cert("mail.other.test")
    server = smtp_server(tls="starttls", users={"mailer": PASSWORD}, context=_serving(other_host))
    config = logto_config(
        server.port, tls={"ca": certificates.ca_pem}, auth={"user": "mailer", "pass": PASSWORD}
    )
    outcome = send_batch(cli, tmp_path, config, 3)
    assert outcome.statuses == ["failed"] * 3
    _certificate_error(
        outcome.result, server.port, "IP address mismatch, certificate is not valid for '127.0.0.1'."
    )
    assert server.handler.logins == []


# --- replies after the greeting ---------------------------------------------------------------------


def test_451_at_rcpt_is_retried_then_sent(cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory) -> None:
    server = smtp_server(script=Script(rcpt_replies=["451 4.7.1 Greylisted, try again"]))
    result = send_one(cli, tmp_path, logto_config(server.port), expect=0)
    assert [(r["status"], r["code"], r["attempts"]) for r in rows(result)] == [("sent", 250, 2)]
    assert len(server.messages) == 1
    assert result.stderr == "smtp-connector: 1 of 1 sent\n"


def test_552_at_data_is_not_retried(cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory) -> None:
    server = smtp_server(script=Script(data_replies=["552 5.3.4 Message size exceeds fixed limit"]))
    result = send_one(cli, tmp_path, logto_config(server.port), expect=1)
    assert rows(result) == [
        {
            "to": "bob@example.com",
            "type": "SignIn",
            "status": "failed",
            "code": 552,
            "reply": "5.3.4 Message size exceeds fixed limit",
            "attempts": 1,
        }
    ]
    assert server.messages == []


def test_535_fails_a_batch_once_and_keeps_every_message(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, certificates: Certificates
) -> None:
    server = smtp_server(tls="starttls", users={"mailer": PASSWORD})
    config = logto_config(
        server.port, tls={"ca": certificates.ca_pem}, auth={"user": "mailer", "pass": "nope-123"}
    )
    outcome = send_batch(cli, tmp_path, config, 3)
    assert [(r["status"], r["code"], r["attempts"]) for r in outcome.rows] == [
        ("failed", 535, 1),
        ("failed", None, 0),
        ("failed", None, 0),
    ]
    assert outcome.result.stderr.splitlines()[0].endswith(
        ": 535 5.7.8 Authentication credentials invalid (hint: check auth.user and the credentials)"
    )


# --- drops and slow servers --------------------------------------------------------------------------


def test_a_server_slower_than_socket_timeout_in_data(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    server = smtp_server(script=Script(hold_data=True))
    config = logto_config(server.port, socketTimeout=150)
    result = send_one(cli, tmp_path, config, "--attempts", "2", expect=1)
    assert rows(result) == [
        {
            "to": "bob@example.com",
            "type": "SignIn",
            "status": "failed",
            "code": None,
            "reply": f"127.0.0.1:{server.port}: no reply within 150 ms (socketTimeout) during DATA",
            "attempts": 2,
        }
    ]


def test_drops_mid_data_in_a_batch_leave_nothing_unaccounted(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    # Message 1 is dropped once (and sent again: at least once), message 2 on every one of its 3 attempts.
    server = smtp_server()
    plan = {"user1@example.com": 1, "user2@example.com": 3}
    original_data = server.handler.handle_DATA

    async def scripted(srv: Any, session: Any, envelope: Any) -> str:
        left = plan.get(envelope.rcpt_tos[0], 0)
        if left:
            plan[envelope.rcpt_tos[0]] = left - 1
            server.handler.script.drop_in_data = 1
        return await original_data(srv, session, envelope)

    server.handler.handle_DATA = scripted  # type: ignore[method-assign]
    outcome = send_batch(cli, tmp_path, logto_config(server.port), 4)
    assert [(r["status"], r["attempts"]) for r in outcome.rows] == [
        ("sent", 1),
        ("sent", 2),
        ("failed", 3),
        ("sent", 1),
    ]
    assert outcome.rows[2]["reply"] == (
        f"127.0.0.1:{server.port}: the server closed the connection during DATA"
    )
    # At least once: the dropped copies reached the server before the drop.
    assert (
        sorted(e.rcpt_tos[0] for e in server.handler.dropped)
        == ["user1@example.com"] + ["user2@example.com"] * 3
    )
    assert [e.rcpt_tos[0] for e in server.messages] == [
        "user0@example.com",
        "user1@example.com",
        "user3@example.com",
    ]


def test_a_server_that_goes_away_mid_batch(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    server = smtp_server()
    original = server.handler.handle_DATA

    async def dying(srv: Any, session: Any, envelope: Any) -> str:
        if envelope.rcpt_tos[0] == "user2@example.com":
            server.controller.server.close()  # no more connections: the reconnect is refused
            srv.transport.close()
            return "250 never seen"
        return await original(srv, session, envelope)

    server.handler.handle_DATA = dying  # type: ignore[method-assign]
    outcome = send_batch(cli, tmp_path, logto_config(server.port), 5)
    assert outcome.statuses == ["sent", "sent", "failed", "failed", "failed"]
    assert outcome.result.stderr.splitlines()[0] == (
        f"smtp-connector: error: 127.0.0.1:{server.port}: cannot connect (Connection refused) (hint: nothing "
        f"listens on this port; to test locally, start `smtp-connector sink --port {server.port}` and send again)"
    )
    assert [e.rcpt_tos[0] for e in server.messages] == ["user0@example.com", "user1@example.com"]


@pytest.mark.parametrize("method", ["plain", "login"])
def test_a_non_ascii_password_is_sent_as_utf8(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, method: str
) -> None:
    # smtplib encodes AUTH as ASCII: this used to end in an internal error (UnicodeEncodeError).
    password = "pässwörd-日本-🔑"
    server = smtp_server(users={"mailer": password}, auth_require_tls=False)
    config = logto_config(server.port, auth={"user": "mailer", "pass": password}, authMethod=method)
    send_one(cli, tmp_path, config, expect=0)
    assert server.handler.logins == [(method.upper(), "mailer")]
