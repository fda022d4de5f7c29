from __future__ import annotations

import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from connector.sink import Sink, extract_code

from .conftest import ROOT, CliRunner
from .smtp_fixtures import logto_config, write_config


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[Sink]:
    with Sink(port=0, directory=tmp_path / "mail", max_size=4096) as running:
        yield running


class Talk:
    """A raw SMTP conversation, to test what smtplib would never send."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.file = self.sock.makefile("rb")
        self.greeting = self.reply()

    def reply(self) -> str:
        lines = []
        while True:
            line = self.file.readline().decode()
            lines.append(line.rstrip("\r\n"))
            if len(line) < 4 or line[3] != "-":
                return "\n".join(lines)

    def say(self, text: str) -> str:
        self.sock.sendall(text.encode() + b"\r\n")
        return self.reply()

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def test_the_sink_stores_what_smtplib_sends(sink: Sink) -> None:
    with smtplib.SMTP("127.0.0.1", sink.port) as client:
        code, features = client.ehlo("tester")
        assert code == 250 and b"AUTH" not in features and b"STARTTLS" not in features
        refused = client.sendmail(
            "from@acme.test",
            ["a@example.com", "b@example.com"],
            b"Subject: Your code 123456\r\n\r\n.leading dot\r\n..two dots\r\nbody\r\n",
        )
    assert refused == {}
    [received] = sink.messages
    assert (received.sender, received.recipients) == ("from@acme.test", ("a@example.com", "b@example.com"))
    assert received.data == b"Subject: Your code 123456\r\n\r\n.leading dot\r\n..two dots\r\nbody\r\n"
    assert (received.subject, received.code) == ("Your code 123456", "123456")
    assert received.path is not None and received.path.read_bytes() == (
        b"Return-Path: <from@acme.test>\r\nDelivered-To: a@example.com\r\nDelivered-To: b@example.com\r\n"
        + received.data
    )
    assert [p.suffix for p in received.path.parent.iterdir()] == [".eml"]  # no temporary files left


def test_the_protocol_is_strict(sink: Sink) -> None:
    talk = Talk(sink.port)
    try:
        assert talk.greeting == "220 smtp-connector-sink ESMTP smtp-connector sink"
        assert talk.say("MAIL FROM:<a@x.test>") == "503 5.5.1 Send EHLO or HELO first"
        assert talk.say("EHLO") == "501 5.5.4 Syntax: EHLO hostname"
        assert talk.say("EHLO me") == (
            "250-smtp-connector-sink greets me\n250-SIZE 4096\n250-8BITMIME\n250 SMTPUTF8"
        )
        assert talk.say("AUTH PLAIN AGEAYg==") == "502 5.5.1 AUTH not implemented"
        assert talk.say("STARTTLS") == "502 5.5.1 STARTTLS not implemented"
        assert talk.say("FROB") == "500 5.5.2 Command not recognized"
        assert talk.say("RCPT TO:<b@x.test>") == "503 5.5.1 Need MAIL command"
        assert talk.say("DATA") == "503 5.5.1 Need RCPT command"
        assert talk.say("MAIL FROM:a@x.test") == "501 5.5.4 Syntax: MAIL FROM:<address>"
        assert talk.say("MAIL FROM:<a@x.test> SIZE=5000") == "552 5.3.4 Message too big (limit 4096 bytes)"
        assert talk.say("MAIL FROM:<a@x.test> XFOO=1") == "555 5.5.4 Unsupported parameter XFOO"
        assert talk.say("MAIL FROM:<a@x.test> BODY=8BITMIME") == "250 2.1.0 OK"
        assert talk.say("MAIL FROM:<a@x.test>") == "503 5.5.1 Nested MAIL command"
        assert talk.say("RCPT TO:<>") == "501 5.5.4 Syntax: RCPT TO:<address>"
        assert talk.say("RCPT TO:<b@x.test>") == "250 2.1.5 OK"
        assert talk.say("NOOP") == "250 2.0.0 OK"
        assert talk.say("RSET") == "250 2.0.0 OK"
        assert talk.say("DATA") == "503 5.5.1 Need RCPT command"
        assert talk.say("X" * 3000) == "500 5.5.2 Line too long"
        assert talk.say("QUIT") == "221 2.0.0 Bye"
    finally:
        talk.close()
    assert sink.messages == []


def test_messages_over_the_size_cap_are_refused(sink: Sink) -> None:
    talk = Talk(sink.port)
    try:
        talk.say("HELO me")
        talk.say("MAIL FROM:<a@x.test>")
        talk.say("RCPT TO:<b@x.test>")
        assert talk.say("DATA").startswith("354 ")
        big = ("x" * 100 + "\r\n") * 50
        assert talk.say(big + ".") == "552 5.3.4 Message too big (limit 4096 bytes)"
        # The session goes on after a refusal.
        talk.say("MAIL FROM:<a@x.test>")
        talk.say("RCPT TO:<b@x.test>")
        talk.say("DATA")
        assert talk.say("Subject: small\r\n\r\nok\r\n.").startswith("250 2.0.0 OK: queued as ")
    finally:
        talk.close()
    assert [m.subject for m in sink.messages] == ["small"]


def test_a_client_that_drops_mid_data_stores_nothing(sink: Sink) -> None:
    talk = Talk(sink.port)
    talk.say("HELO me")
    talk.say("MAIL FROM:<a@x.test>")
    talk.say("RCPT TO:<b@x.test>")
    talk.say("DATA")
    talk.sock.sendall(b"Subject: half\r\n\r\npartial")
    talk.close()
    with smtplib.SMTP("127.0.0.1", sink.port) as client:  # the sink is still serving
        assert client.noop()[0] == 250
    assert sink.messages == []


@pytest.mark.parametrize(
    ("subject", "body", "code"),
    [
        ("Your code 123456", "", "123456"),
        ("Welcome", '<p style="color:#333333">Code: <b>654321</b> &#8203; 2024</p>', "654321"),
        ("Welcome", "Code 4321 in 2024", "4321"),
        ("Welcome", "no code here 12", None),
        ("Order 12345678", "", "12345678"),
    ],
)
def test_extract_code(subject: str, body: str, code: str | None) -> None:
    assert extract_code(subject, body) == code


def test_send_to_the_sink_end_to_end_through_the_cli(cli: CliRunner, tmp_path: Path, sink: Sink) -> None:
    path = write_config(tmp_path / "logto.json", logto_config(1))
    result = cli(
        "send",
        str(path),
        "--set",
        f"port={sink.port}",
        "--type",
        "SignIn",
        "--to",
        "dev@example.com",
        "--code",
        "987654",
    )
    assert json.loads(result.stdout)["status"] == "sent"
    [received] = sink.messages
    assert (received.recipients, received.subject, received.code) == (
        ("dev@example.com",),
        "Sign-in code 987654",
        "987654",
    )
    assert received.path is not None and received.path.exists()


def test_the_sink_command_serves_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "connector", "sink", "--port", str(port), "--dir", str(tmp_path / "mail")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert proc.stderr is not None
        banner = proc.stderr.readline()
        assert banner == (
            f"smtp-connector sink: listening on 127.0.0.1:{port}, storing messages in {tmp_path / 'mail'} "
            "(Ctrl-C to stop)\n"
        )
        config = write_config(tmp_path / "logto.json", logto_config(port))
        sent = subprocess.run(
            [
                sys.executable,
                "-m",
                "connector",
                "send",
                str(config),
                "--type",
                "Register",
                "--to",
                "x@example.com",
                "--code",
                "135790",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert sent.returncode == 0, sent.stderr
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    [line] = out.splitlines()
    assert line.startswith("no-reply@acme.test -> x@example.com | subject 'Welcome' | code 135790 | ")
    assert err == "smtp-connector sink: stopped after 1 message(s)\n"
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1


def test_the_sink_command_reports_a_busy_port(cli: CliRunner, sink: Sink, tmp_path: Path) -> None:
    result = cli("sink", "--port", str(sink.port), "--dir", str(tmp_path / "m"), expect=1)
    assert result.stderr == (
        f"smtp-connector: error: cannot listen on 127.0.0.1:{sink.port}: Address already in use "
        "(hint: pick another --port)\n"
    )
