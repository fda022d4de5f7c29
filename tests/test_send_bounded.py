"""Servers that misbehave on purpose (raw sockets on 127.0.0.1): a send stays bounded in memory and time.

A reply that never ends, a greeting trickled a byte at a time, an AUTH challenge that is not base64: each
fails the send with one line saying why, never a traceback, a hang or an exit 3.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.logto.loopback import plain_http_problem
from connector.mail.transport import MAX_REPLY_LINES

from .conftest import CliRunner
from .smtp_fixtures import Certificates, ConnectionHandler, ServerFactory, logto_config, write_config


def _until_the_client_hangs_up(conn: socket.socket) -> None:
    """Keep the connection open (what the client sends is read and dropped) until the client closes it."""
    conn.settimeout(120)  # a bound for a client that never does; the test then fails on its own assertion
    while conn.recv(65536):
        pass


def send(cli: CliRunner, tmp_path: Path, port: int, **changes: object) -> str:
    path = write_config(tmp_path / "logto.json", logto_config(port, **changes))
    result = cli(
        "send", str(path), "--attempts", "1", "--type", "SignIn", "--to", "bob@example.com", "--code", "1",
        expect=1,
    )  # fmt: skip
    return result.stderr


def test_a_greeting_that_never_ends(
    cli: CliRunner, tmp_path: Path, raw_server: Callable[[ConnectionHandler], int]
) -> None:
    sent = []

    def endless(conn: socket.socket) -> None:
        line = b"220-" + b"x" * 60 + b"\r\n"
        while True:
            conn.sendall(line * 100)
            sent.append(len(line) * 100)

    port = raw_server(endless)
    err = send(cli, tmp_path, port)
    assert f"127.0.0.1:{port}: the server's reply runs past {MAX_REPLY_LINES} lines or 64 KiB" in err
    assert sum(sent) < 64 * 1024 * 1024  # stopped reading early, not at the end of memory


def test_a_reply_line_longer_than_smtp_allows(
    cli: CliRunner, tmp_path: Path, raw_server: Callable[[ConnectionHandler], int]
) -> None:
    def long_line(conn: socket.socket) -> None:
        conn.sendall(b"220 " + b"x" * 100_000)
        _until_the_client_hangs_up(conn)

    err = send(cli, tmp_path, raw_server(long_line))
    assert "the server sent a line longer than 8192 bytes" in err


def test_exactly_the_line_cap_is_a_reply(
    cli: CliRunner, tmp_path: Path, raw_server: Callable[[ConnectionHandler], int]
) -> None:
    def many(conn: socket.socket) -> None:
        conn.sendall(b"220-x\r\n" * (MAX_REPLY_LINES - 1) + b"554 no service\r\n")
        _until_the_client_hangs_up(conn)

    err = send(cli, tmp_path, raw_server(many))
    assert "the server refused the connection: 554" in err  # read whole, then refused as a reply


def test_a_greeting_trickled_a_byte_at_a_time_ends_at_the_greeting_timeout(
    cli: CliRunner, tmp_path: Path, raw_server: Callable[[ConnectionHandler], int]
) -> None:
    bytes_sent = []

    def trickle(conn: socket.socket) -> None:
        for byte in b"220 slow.test ESMTP at one byte every 1.5 seconds\r\n":
            conn.sendall(bytes([byte]))
            bytes_sent.append(byte)
            time.sleep(1.5)

    err = send(cli, tmp_path, raw_server(trickle), greetingTimeout=2000)
    assert "the server did not greet within 2000 ms (greetingTimeout)" in err
    assert len(bytes_sent) < 10  # one deadline for the whole greeting, not 2 s for each byte


def test_an_auth_challenge_that_is_not_base64(
    cli: CliRunner, tmp_path: Path, raw_server: Callable[[ConnectionHandler], int]
) -> None:
    def bad_challenge(conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        conn.sendall(b"220 auth.test ESMTP\r\n")
        while line := reader.readline():
            if line.upper().startswith((b"EHLO", b"HELO")):
                conn.sendall(b"250-auth.test\r\n250 AUTH LOGIN\r\n")
            elif line.upper().startswith(b"AUTH"):
                conn.sendall(b"334 abc\r\n")
            else:
                conn.sendall(b"250 ok\r\n")

    auth = {"type": "login", "user": "mailer", "pass": "a-password"}
    err = send(cli, tmp_path, raw_server(bad_challenge), auth=auth, authMethod="LOGIN")
    assert "the server's AUTH LOGIN challenge is not base64: 334 abc" in err
    assert "a-password" not in err


def test_an_oauth2_refresh_over_plain_http_is_refused(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, certificates: Certificates
) -> None:
    server = smtp_server(tls="starttls", tokens={"fresh-access-token"})
    auth = {
        "user": "mailer@acme.test",
        "clientId": "client",
        "clientSecret": "client-secret-value",
        "refreshToken": "refresh-token-value",
        "accessUrl": "http://oauth.example.com/token",
    }
    config = logto_config(server.port, tls={"ca": certificates.ca_pem}, auth=auth)
    err = send(cli, tmp_path, server.port, **{k: v for k, v in config.items() if k != "port"})
    assert (
        "refusing to refresh the OAuth2 token: auth.accessUrl http://oauth.example.com/token is plain http"
        in err
    )
    assert "client-secret-value" not in err and "refresh-token-value" not in err
    assert server.handler.logins == []


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("http://oauth.example.com/token", True),
        ("HTTP://10.0.0.1/token", True),
        ("https://oauth.example.com/token", False),
        ("http://127.0.0.1:8080/token", False),
        ("http://localhost/token", False),
        ("http://[::1]/token", False),
    ],
)
def test_which_token_urls_are_plain_http(url: str, refused: bool) -> None:
    assert (plain_http_problem(url) is not None) is refused


def test_a_non_ascii_recipient_without_smtputf8_fails_alone(
    cli: CliRunner, tmp_path: Path, raw_server: Callable[[ConnectionHandler], int]
) -> None:
    received: list[bytes] = []

    def plain_smtp(conn: socket.socket) -> None:  # a server that does not offer SMTPUTF8
        reader = conn.makefile("rb")
        conn.sendall(b"220 plain.test ESMTP\r\n")
        while line := reader.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                conn.sendall(b"250-plain.test\r\n250 8BITMIME\r\n")
            elif verb == b"DATA":
                conn.sendall(b"354 go on\r\n")
                body = b"".join(iter(lambda: reader.readline(), b".\r\n"))
                received.append(body)
                conn.sendall(b"250 2.0.0 queued\r\n")
            elif verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:
                conn.sendall(b"250 ok\r\n")

    lines = [
        {"to": to, "type": "SignIn", "payload": {"code": "1"}}
        for to in ("a@example.com", "josé@example.com", "b@example.com")
    ]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    path = write_config(tmp_path / "logto.json", logto_config(raw_server(plain_smtp)))
    result = cli("send", str(path), "--batch", str(batch), "--attempts", "1", expect=1)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["status"] for r in rows] == ["sent", "failed", "sent"]
    assert "does not offer SMTPUTF8" in json.dumps(rows[1], ensure_ascii=False) + result.stderr
    again = [json.loads(line) for line in (tmp_path / "batch.failed.jsonl").read_text().splitlines()]
    assert again == [lines[1]]
    assert len(received) == 2


def test_ctrl_c_during_a_batch_keeps_every_unsent_message(
    tmp_path: Path, raw_server: Callable[[ConnectionHandler], int]
) -> None:
    import os
    import signal
    import subprocess

    from .conftest import ROOT, interruptible

    in_data = threading.Event()

    def holds_the_second_message(conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        conn.sendall(b"220 stall.test ESMTP\r\n")
        messages = 0
        while line := reader.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                conn.sendall(b"250 stall.test\r\n")
            elif verb == b"DATA":
                messages += 1
                if messages == 2:  # no reply until the client, interrupted, hangs up
                    in_data.set()
                    reader.read()
                    return
                conn.sendall(b"354 go on\r\n")
                for _ in iter(lambda: reader.readline(), b".\r\n"):
                    pass
                conn.sendall(b"250 queued\r\n")
            else:
                conn.sendall(b"250 ok\r\n")

    lines = [{"to": f"u{i}@example.com", "type": "SignIn", "payload": {"code": "1"}} for i in range(4)]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(json.dumps(line) + "\n" for line in lines))
    path = write_config(tmp_path / "logto.json", logto_config(raw_server(holds_the_second_message)))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        interruptible("send", str(path), "--batch", str(batch)),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())
        assert first["status"] == "sent"
        assert in_data.wait(60)  # the second message is in DATA, waiting for the server's reply
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, err
    again = [json.loads(line) for line in (tmp_path / "batch.failed.jsonl").read_text().splitlines()]
    assert again == lines[1:]
    assert "interrupted: 1 of 4 sent, 3 not sent; to send them: --batch" in err


@pytest.mark.parametrize("count", [1, 3])
def test_a_server_dropping_every_message_at_data_loses_none(
    cli: CliRunner, tmp_path: Path, raw_server: Callable[[ConnectionHandler], int], count: int
) -> None:
    def drops_at_data(conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        conn.sendall(b"220 drop.test ESMTP\r\n")
        while line := reader.readline():
            if line[:4].upper() == b"DATA":
                conn.sendall(b"354 go on\r\n")
                reader.readline()
                return  # hang up mid-DATA
            conn.sendall(b"250 drop.test\r\n" if line[:4].upper() == b"EHLO" else b"250 ok\r\n")

    lines = [{"to": f"u{i}@example.com", "type": "SignIn", "payload": {"code": "1"}} for i in range(count)]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(json.dumps(line) + "\n" for line in lines))
    failed = tmp_path / "again.jsonl"
    path = write_config(tmp_path / "logto.json", logto_config(raw_server(drops_at_data)))
    result = cli("send", str(path), "--batch", str(batch), "--failed", str(failed), "--attempts", "2",
                 "--backoff", "0.001", expect=1)  # fmt: skip
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["to"] for r in rows] == [line["to"] for line in lines]  # exactly one result each, in order
    assert [r["status"] for r in rows] == ["failed"] * count
    assert [json.loads(line) for line in failed.read_text().splitlines()] == lines


def _scripted(received: list[bytes]) -> ConnectionHandler:
    """A server whose answer depends on the recipient: ok-* accepted, t4-* 451 at RCPT, p5-* 554 after
    DATA, dr-* dropped mid-DATA."""

    def serve(conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        conn.sendall(b"220 script.test ESMTP\r\n")
        kind = b""
        while line := reader.readline():
            verb = line[:4].upper()
            if verb == b"EHLO":
                conn.sendall(b"250 script.test\r\n")
            elif verb == b"RCPT":
                kind = line.split(b"<", 1)[1][:2]
                conn.sendall(b"451 4.3.0 later\r\n" if kind == b"t4" else b"250 ok\r\n")
            elif verb == b"DATA":
                conn.sendall(b"354 go on\r\n")
                if kind == b"dr":
                    reader.readline()
                    return
                body = b"".join(iter(lambda: reader.readline(), b".\r\n"))
                if kind == b"p5":
                    conn.sendall(b"554 5.6.0 refused\r\n")
                else:
                    received.append(body)
                    conn.sendall(b"250 queued\r\n")
            elif verb == b"QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:
                conn.sendall(b"250 ok\r\n")

    return serve


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.sampled_from(["ok", "t4", "p5", "dr"]), min_size=1, max_size=6))
def test_every_message_gets_one_result_and_every_unsent_one_is_kept(
    cli: CliRunner,
    tmp_path_factory: pytest.TempPathFactory,
    raw_server: Callable[[ConnectionHandler], int],
    kinds: list[str],
) -> None:
    tmp_path = tmp_path_factory.mktemp("batch")
    received: list[bytes] = []
    lines = [
        {"to": f"{kind}-{i}@example.com", "type": "SignIn", "payload": {"code": "1"}}
        for i, kind in enumerate(kinds)
    ]
    batch = tmp_path / "batch.jsonl"
    batch.write_text("".join(json.dumps(line) + "\n" for line in lines))
    path = write_config(tmp_path / "logto.json", logto_config(raw_server(_scripted(received))))
    result = cli(
        "send", str(path), "--batch", str(batch), "--attempts", "2", "--backoff", "0.001", expect=None
    )
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["to"] for r in rows] == [line["to"] for line in lines]
    assert [r["status"] for r in rows] == ["sent" if k == "ok" else "failed" for k in kinds]
    assert len(received) == kinds.count("ok")
    failed_file = tmp_path / "batch.failed.jsonl"
    kept = [json.loads(line) for line in failed_file.read_text().splitlines()] if failed_file.exists() else []
    assert kept == [line for line, kind in zip(lines, kinds, strict=True) if kind != "ok"]
    assert result.code == (0 if set(kinds) == {"ok"} else 1)
