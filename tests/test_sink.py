from __future__ import annotations

import io
import json
import os
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP

from connector import sink as sink_module
from connector.sink import (
    MAX_CONNECTIONS,
    MAX_DEPTH,
    MAX_PARTS,
    MAX_SIZE,
    SUBJECT_SHOWN,
    TEXT_LIMIT,
    Received,
    Sink,
    describe,
    extract_code,
    shown,
)

from .conftest import ROOT, CliRunner, interruptible
from .smtp_fixtures import logto_config, write_config


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[Sink]:
    with Sink(port=0, directory=tmp_path / "mail", max_size=4096) as running:
        yield running


class Talk:
    """A raw SMTP conversation, to test what smtplib would never send."""

    def __init__(self, port: int, timeout: float = 5) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
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
    sent = b"Subject: Your code 123456\r\n\r\n.leading dot\r\n..two dots\r\nbody\r\n"
    assert received.read() == sent and received.size == len(sent)
    assert (received.subject, received.code) == ("Your code 123456", "123456")
    assert received.path is not None and received.path.read_bytes() == (
        b"Return-Path: <from@acme.test>\r\nDelivered-To: a@example.com\r\nDelivered-To: b@example.com\r\n"
        + sent
    )
    assert [p.suffix for p in received.path.parent.iterdir() if p.name != ".gitignore"] == [
        ".eml"
    ]  # no temporary files left


def test_the_protocol_is_aiosmtpds_and_strict(sink: Sink) -> None:
    talk = Talk(sink.port)
    try:
        assert talk.greeting == "220 smtp-connector-sink ESMTP smtp-connector sink"
        assert talk.say("MAIL FROM:<a@x.test>").startswith("503 ")  # EHLO first
        assert talk.say("EHLO").startswith("501 ")
        assert talk.say("EHLO me") == (
            "250-smtp-connector-sink\n250-SIZE 4096\n250-8BITMIME\n250-SMTPUTF8\n250 HELP"
        )
        assert talk.say("AUTH PLAIN AGEAYg==").startswith("538 ")  # no AUTH offered, none accepted
        assert talk.say("STARTTLS") == "454 TLS not available"
        assert talk.say("FROB").startswith("500 ")
        assert talk.say("RCPT TO:<b@x.test>").startswith("503 ")  # MAIL first
        assert talk.say("DATA").startswith("503 ")  # RCPT first
        assert talk.say("MAIL FROM:<a@x.test> SIZE=4097").startswith("552 ")
        assert talk.say("MAIL FROM:<a@x.test> XFOO=1").startswith("555 ")
        assert talk.say("MAIL FROM:<a@x.test> SIZE=4096 BODY=8BITMIME") == "250 OK"
        assert talk.say("MAIL FROM:<a@x.test>").startswith("503 ")  # nested
        assert talk.say("RCPT TO:<>") == "501 5.1.3 Error: a recipient cannot be empty"
        assert talk.say("RCPT TO:<b@x.test>") == "250 OK"
        assert talk.say("NOOP") == "250 OK"
        assert talk.say("RSET") == "250 OK"
        assert talk.say("DATA").startswith("503 ")  # RSET forgot the recipient
        assert talk.say("X" * 3000) == "500 Command line too long"
        assert talk.say("QUIT") == "221 Bye"
    finally:
        talk.close()
    assert list(sink.messages) == [] and sink.count == 0


def test_at_most_100_recipients(sink: Sink) -> None:
    with smtplib.SMTP("127.0.0.1", sink.port) as client:
        client.ehlo("me")
        client.mail("a@x.test")
        assert [client.rcpt(f"r{i}@x.test")[0] for i in range(101)] == [250] * 100 + [452]


def test_the_null_sender_is_stored_as_such(sink: Sink) -> None:
    with smtplib.SMTP("127.0.0.1", sink.port) as client:
        client.sendmail("<>", ["b@x.test"], b"Subject: bounce\r\n\r\nx\r\n")
    [received] = sink.messages
    assert received.sender == "" and received.summary().startswith("<> -> b@x.test | subject 'bounce'")
    assert received.path is not None and received.path.read_bytes().startswith(b"Return-Path: <>\r\n")


def test_messages_over_the_size_cap_are_refused(sink: Sink) -> None:
    talk = Talk(sink.port)
    try:
        talk.say("HELO me")
        talk.say("MAIL FROM:<a@x.test>")
        talk.say("RCPT TO:<b@x.test>")
        assert talk.say("DATA").startswith("354 ")
        big = ("x" * 100 + "\r\n") * 50
        assert talk.say(big + ".").startswith("552 ")
        # The session goes on after a refusal.
        talk.say("MAIL FROM:<a@x.test>")
        talk.say("RCPT TO:<b@x.test>")
        talk.say("DATA")
        assert talk.say("Subject: small\r\n\r\nok\r\n.").startswith("250 2.0.0 OK: queued as ")
        # Exactly at the cap is accepted; one byte more is not.
        for size, reply in ((4096, "250 "), (4097, "552 ")):
            talk.say("MAIL FROM:<a@x.test>")
            talk.say("RCPT TO:<b@x.test>")
            talk.say("DATA")
            head = "Subject: at\r\n\r\n"
            lines, rest = divmod(size - len(head), 100)
            body = head + ("y" * 98 + "\r\n") * lines + "y" * (rest - 2) + "\r\n"
            assert len(body) == size
            assert talk.say(body + ".").startswith(reply)
    finally:
        talk.close()
    assert [m.subject for m in sink.messages] == ["small", "at"]


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
    assert list(sink.messages) == []
    assert [p.name for p in (sink.directory or Path()).iterdir()] == [".gitignore"]  # no message file


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
        interruptible("sink", "--port", str(port), "--dir", str(tmp_path / "mail")),
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


# Issue 13: bounded, linear, and safe to print ---------------------------------------------------


def test_sink_port_out_of_range_is_a_usage_error(cli: CliRunner, tmp_path: Path) -> None:
    for argv in (["--port", "99999"], ["--port", "65536"], ["--port", "-1"], ["--port", "x"],
                 ["--max-size", "0"], ["--max-connections", "0"]):  # fmt: skip
        result = cli("sink", *argv, "--dir", str(tmp_path / "m"), expect=2)
        assert "usage: smtp-connector sink" in result.stderr
    assert "is not a port number (0 to 65535" in cli("sink", "--port", "99999", expect=2).stderr
    assert not (tmp_path / "m").exists()


def test_the_commands_documented_defaults_are_the_sinks() -> None:
    from connector.cli.main import build_parser

    text = build_parser().parse_args(["sink"]).__dict__
    assert text["max_size"] is None and text["max_connections"] is None  # so connector.sink decides
    assert Sink().max_size == MAX_SIZE == 10485760 and Sink().max_connections == MAX_CONNECTIONS == 20


def test_envelope_addresses_with_control_characters_are_refused(sink: Sink) -> None:
    """A bare CR, an escape sequence or bytes that are not UTF-8 never reach a file or the terminal."""
    talk = Talk(sink.port)
    try:
        talk.say("EHLO me")
        for address in ('"\x1b]0;pwned\x07"@x.test', "a\rb@x.test", '"a\x1b[2J"@x.test', "a\x00@x.test"):
            assert talk.say(f"MAIL FROM:<{address}>") == "553 5.1.3 Error: control characters in the address"
        talk.sock.sendall(b"MAIL FROM:<\xff@x.test>\r\n")
        assert talk.reply() == "553 5.1.3 Error: control characters in the address"
        assert talk.say("MAIL FROM:<a@x.test>") == "250 OK"
        assert talk.say('RCPT TO:<"a\rb"@x.test>') == "553 5.1.3 Error: control characters in the address"
        assert talk.say("RCPT TO:<b@x.test>") == "250 OK"
        talk.say("DATA")
        assert talk.say("Subject: ok\r\n\r\nx\r\n.").startswith("250 ")
    finally:
        talk.close()
    [received] = sink.messages
    assert received.path is not None
    assert received.path.read_bytes().startswith(
        b"Return-Path: <a@x.test>\r\nDelivered-To: b@x.test\r\nSubject"
    )


def test_the_summary_line_escapes_what_would_drive_a_terminal() -> None:
    received = Received(
        '"\x1b]0;pwned\x07"@x.test', ("a\x1b[2J@x.test", "\u202eb@x.test"), None, 1, "hi\x1b[2J", None
    )
    line = received.summary()
    assert line == (
        "\"\\x1b]0;pwned\\x07\"@x.test -> a\\x1b[2J@x.test, \\u202eb@x.test | subject 'hi\\x1b[2J' | no code"
    )
    assert line.isprintable()
    assert shown("é \u2028 \udcff") == "é \\u2028 \\udcff"


def test_a_long_subject_is_cut_in_the_summary() -> None:
    at = Received("a@x", ("b@x",), None, 1, "s" * SUBJECT_SHOWN, None).summary()
    over = Received("a@x", ("b@x",), None, 1, "s" * (SUBJECT_SHOWN + 1), None).summary()
    assert f"subject '{'s' * SUBJECT_SHOWN}' |" in at and f"subject '{'s' * SUBJECT_SHOWN}…' |" in over


def test_the_sink_forgets_each_message_once_stored(tmp_path: Path) -> None:
    """The messages are in their files; the sink keeps only the last `keep` summaries, never the bytes."""
    with Sink(port=0, directory=tmp_path, keep=2) as sink:
        with smtplib.SMTP("127.0.0.1", sink.port) as client:
            for i in range(3):
                client.sendmail("a@x.test", ["b@x.test"], f"Subject: m{i}\r\n\r\n{'x' * 900}\r\n".encode())
        assert [m.subject for m in sink.messages] == ["m1", "m2"] and sink.count == 3
        assert not any(isinstance(value, (bytes, bytearray)) for value in vars(sink.messages[0]).values())
        assert sink.messages[0].read().startswith(b"Subject: m1\r\n")
    with Sink(port=0, directory=tmp_path / "none", keep=0) as sink:  # what `smtp-connector sink` runs
        with smtplib.SMTP("127.0.0.1", sink.port) as client:
            client.sendmail("a@x.test", ["b@x.test"], b"Subject: m\r\n\r\nx\r\n")
        assert list(sink.messages) == [] and sink.count == 1
    assert len(list((tmp_path / "none").glob("*.eml"))) == 1


def test_beyond_the_connection_limit_clients_get_421(tmp_path: Path) -> None:
    with Sink(port=0, directory=tmp_path, max_connections=2) as sink:
        first, second = Talk(sink.port), Talk(sink.port)
        assert first.greeting.startswith("220 ") and second.greeting.startswith("220 ")
        third = Talk(sink.port)
        assert third.greeting == "421 4.7.0 smtp-connector-sink busy: too many connections, try again later"
        assert third.file.read() == b""  # and hung up
        third.close()
        assert first.say("QUIT") == "221 Bye"
        first.close()
        for _ in range(100):  # the sink sees the hang-up a moment later
            again = Talk(sink.port)
            if again.greeting.startswith("220 "):
                break
            again.close()
        assert again.greeting.startswith("220 ") and again.say("NOOP") == "250 OK"
        again.close()
        second.close()


def test_a_slow_message_never_delays_another_client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Storing runs off the event loop: while one message is being read, others are greeted and stored."""
    release = threading.Event()
    real = sink_module.describe

    storing = threading.Event()

    def slow(data: bytes) -> tuple[str, str | None]:
        if b"Subject: slow" in data:
            storing.set()
            assert release.wait(60)
        return real(data)

    monkeypatch.setattr(sink_module, "describe", slow)
    with Sink(port=0, directory=tmp_path) as sink:
        replies: list[object] = []

        def send_slow() -> None:
            with smtplib.SMTP("127.0.0.1", sink.port) as client:
                replies.append(client.sendmail("a@x.test", ["b@x.test"], b"Subject: slow\r\n\r\n111111\r\n"))

        thread = threading.Thread(target=send_slow)
        thread.start()
        try:
            assert storing.wait(60)  # the slow message is being stored
            with smtplib.SMTP("127.0.0.1", sink.port, timeout=10) as other:
                other.sendmail("c@x.test", ["d@x.test"], b"Subject: fast\r\n\r\n222222\r\n")
            assert [m.code for m in sink.messages] == ["222222"] and replies == []
        finally:
            release.set()
            thread.join(30)
        assert replies == [{}] and [m.code for m in sink.messages] == ["222222", "111111"]


@pytest.mark.parametrize("size", [1, 100_000, 1_000_000])
def test_code_extraction_is_linear_on_unclosed_tags(size: int) -> None:
    # Quadratic before: a 153 KB body of `<` took 21 s; a million would take hours, not a moment.
    assert extract_code("", "<" * size) is None
    assert extract_code("", "<" * size + "123456") == "123456"
    assert extract_code("", "<b>" + "<" * size + "123456") == "123456"
    assert extract_code("", "<" * size + "<b>123456</b> <i id='654321'>") == "123456"
    assert extract_code("", "<p id='123456'>" + "<" * size) is None


def _lines(text: str, width: int = 76, sep: str = "\r\n ") -> str:
    return sep.join(text[i : i + width] for i in range(0, len(text), width))


N = 512 * 1024
ADVERSARIAL = {  # shapes on which the email package's own parser is quadratic or recurses
    "folded subject": "Subject: " + _lines("a " * (N // 2)) + "\r\n\r\n123456\r\n",
    "content-type parameters": "Content-Type: text/plain; "
    + _lines("a=b; " * (N // 5))
    + "\r\n\r\n123456\r\n",
    "nested multiparts": "".join(
        f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n' for i in range(N // 60)
    ),
    "many parts": 'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
    + "--b\r\nContent-Type: image/png\r\n\r\nx\r\n" * (N // 40),
    "many headers": "X-A: b\r\n" * (N // 8) + "\r\n123456\r\n",
    "unclosed <, quoted-printable": "Content-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable"
    "\r\n\r\n" + _lines("<" * N, 75, "=\r\n"),
}


@pytest.mark.parametrize("name", ADVERSARIAL)
def test_describe_reads_adversarial_shapes_in_bounded_work(name: str) -> None:
    subject, code = describe(ADVERSARIAL[name].encode())
    assert code == (
        "123456" if name != "nested multiparts" and "<" not in name and "parts" not in name else None
    )
    if name == "folded subject":
        assert subject.startswith("a a a") and "\r" not in subject


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (b"Subject: =?utf-8?q?Caf=C3=A9_code?=\r\n 123456\r\n\r\nx\r\n", ("Café code 123456", "123456")),
        (b"Subject: hi\n\nLF only 4321\n", ("hi", "4321")),
        (
            b"Content-Type: text/plain; charset=latin-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            b"Caf=E9 =\r\n123456\r\n",
            ("", "123456"),
        ),
        (
            b"Content-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\nPGI+NzY1NDMyPC9iPg==\r\n",
            ("", "765432"),
        ),
        (b"Content-Type: text/plain; charset=x-unknown\r\n\r\n123456\r\n", ("", "123456")),
        (b"Content-Transfer-Encoding: base64\r\n\r\n!!!\r\n", ("", None)),
        (
            b'Content-Type: multipart/alternative; boundary="b"\r\n\r\npreamble 999999\r\n'
            b"--b\r\nContent-Type: text/html\r\n\r\n<p>222222</p>\r\n"
            b"--b\r\nContent-Type: text/plain\r\n\r\nplain 333333\r\n--b--\r\nepilogue 444444\r\n",
            ("", "333333"),  # the plain part first, as get_body(("plain", "html")) would choose
        ),
        (
            b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
            b"--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment\r\n\r\n111111\r\n"
            b"--b\r\nContent-Type: text/html\r\n\r\n<b>222222</b>\r\n--b--\r\n",
            ("", "222222"),  # an attachment is not the body
        ),
    ],
)
def test_describe(message: bytes, expected: tuple[str, str | None]) -> None:
    assert describe(message) == expected


def test_describe_looks_for_the_code_in_the_first_mib_of_text() -> None:
    head = b"Content-Type: text/plain\r\n\r\n"
    assert describe(head + b"x" * (TEXT_LIMIT - 6) + b"123456")[1] == "123456"
    assert describe(head + b"x" * (TEXT_LIMIT - 3) + b"123456")[1] is None  # only "123" is in the first MiB


def test_describe_walks_at_most_max_parts_and_max_depth() -> None:
    def multipart(parts: list[bytes], boundary: str = "b") -> bytes:
        body = b"".join(b"--" + boundary.encode() + b"\r\n" + part + b"\r\n" for part in parts)
        return f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'.encode() + body + b"--b--\r\n"

    text = b"Content-Type: text/plain\r\n\r\n"
    html = [b"Content-Type: text/html\r\n\r\n<p>no code</p>"] * (MAX_PARTS - 1)  # plain text comes first
    assert describe(multipart([*html, text + b"123456"]))[1] == "123456"
    assert describe(multipart([*html, *html[:1], text + b"123456"]))[1] is None
    nested = text + b"654321"
    for depth in range(MAX_DEPTH):
        nested = multipart([nested], f"d{depth}").replace(b"--b--", f"--d{depth}--".encode())
    assert describe(nested)[1] == "654321"
    deeper = multipart([nested], "dx").replace(b"--b--", b"--dx--")
    assert describe(deeper)[1] is None


# Issue 19: the sink's memory is bounded whatever the shape of the messages ------------------------------

# What `smtp-connector sink` may hold at its peak (docs/security.md, "The development sink is bounded").
PEAK_RSS_MB = 160


def _wire(lines: bytes, count: int) -> bytes:
    """``count`` copies of ``lines``, as a client puts them on the wire (dot-stuffed already)."""
    return lines * count


# Shapes that cost the most per byte (a Python object per line, a wide string per character), each at the
# size cap or just over it, with the reply each must get.
WORST_SHAPES: dict[str, tuple[bytes, str]] = {
    "blank lines": (_wire(b"\r\n", MAX_SIZE // 2), "250"),
    "short lines": (_wire(b"7\r\n", MAX_SIZE // 3), "250"),
    "stuffed dots": (_wire(b"..\r\n", MAX_SIZE // 4), "250"),
    "one emoji in plain text": (
        b"Subject: wide\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\xf0\x9f\x99\x82"
        + _wire(b"z" * 98 + b"\r\n", (MAX_SIZE - 80) // 100),
        "250",
    ),
    "one long line": (b"q" * (MAX_SIZE - 2) + b"\r\n", "500"),
    "a byte over the cap": (_wire(b"\r\n", MAX_SIZE // 2) + b"\r\n", "552"),
}


def _deliver(port: int, data: bytes, replies: list[str]) -> None:
    """One client: a whole transaction on a raw socket, waiting for each reply (the 354 before the data)."""
    talk = Talk(port, timeout=120)  # a deadline for a loaded machine, not a measure of speed
    try:
        for command in ("EHLO memory", "MAIL FROM:<a@x.test>", "RCPT TO:<b@x.test>"):
            talk.say(command)
        assert talk.say("DATA").startswith("354 ")
        talk.sock.sendall(data + b".\r\n")
        replies.append(talk.reply())
        talk.say("QUIT")
    finally:
        talk.close()


def _peak_rss_mb(pid: int) -> float:
    """A live process's peak RSS (Linux's VmHWM). Not wait4's ru_maxrss: that starts from the parent's RSS
    when the child was forked, which would measure the test's own memory."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / 1e6
    raise AssertionError(f"no VmHWM in /proc/{pid}/status")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the sink's peak memory in /proc")
def test_the_sink_holds_its_peak_memory_whatever_20_clients_send(tmp_path: Path) -> None:
    """20 clients at once (the connection limit), each sending a worst shape at the size cap: the sink's
    peak RSS stays under the documented figure. Before, aiosmtpd kept a Python object per line (a 10 MB
    message of blank lines: 860 MB; 20 of them: 17 GB)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    shapes = list(WORST_SHAPES.values())
    clients = [shapes[i % len(shapes)] for i in range(MAX_CONNECTIONS)]

    proc = subprocess.Popen(
        [sys.executable, "-m", "connector", "sink", "--port", "0", "--dir", str(tmp_path / "mail")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path,
    )  # fmt: skip
    try:
        # A safety net, set before any client connects: a regression fails this test, not the machine.
        import resource  # Unix only, as /proc is Linux only

        cap = 8 * PEAK_RSS_MB * 1024 * 1024
        resource.prlimit(proc.pid, resource.RLIMIT_AS, (cap, cap))
        assert proc.stdout is not None and proc.stderr is not None
        banner = proc.stderr.readline().decode()
        assert banner.startswith("smtp-connector sink: listening on 127.0.0.1:"), banner
        port = int(banner.split(":")[2].split(",")[0])
        replies: list[str] = []
        threads = [threading.Thread(target=_deliver, args=(port, data, replies)) for data, _ in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        stored = [proc.stdout.readline().decode() for code in replies if code.startswith("250 ")]
        peak_mb = _peak_rss_mb(proc.pid)  # every reply is in: the peak is behind us
    finally:
        proc.terminate()
        proc.communicate()
    assert sorted(code[:3] for code in replies) == sorted(code for _, code in clients)
    print(f"peak RSS {peak_mb:.0f} MB")
    assert peak_mb < PEAK_RSS_MB, f"peak RSS {peak_mb:.0f} MB"
    # Every accepted message is stored and summarised as documented, whatever its shape.
    assert (
        len(stored)
        == sum(code == "250" for _, code in clients)
        == len(list((tmp_path / "mail").glob("*.eml")))
    )
    assert all(line.startswith("a@x.test -> b@x.test | subject ") for line in stored)
    assert any(" | subject 'wide' | no code | " in line for line in stored)
    sizes = sorted(p.stat().st_size for p in (tmp_path / "mail").glob("*.eml"))
    trace = len(b"Return-Path: <a@x.test>\r\nDelivered-To: b@x.test\r\n")
    unstuffed = {len(data) - (b"\r\n" + data).count(b"\r\n.") for data, code in clients if code == "250"}
    assert set(sizes) == {trace + size for size in unstuffed}


def _collect(chunks: list[bytes], size_limit: int | None = None) -> tuple[bytes, bytes | None, str | None]:
    """What sink_module._Data makes of a DATA stream read in these pieces: (message, what followed, error)."""
    spool = io.BytesIO()
    data = sink_module._Data(spool, size_limit, SMTP.line_length_limit)
    rest = None
    for chunk in chunks:
        if rest is None:
            rest = data.feed(chunk)
        else:  # after the end: the next commands, as the session passes them on
            rest += chunk
    return spool.getvalue(), rest, data.error


# On the wire: dot-stuffed, with the shapes around which the end marker and the stuffed dots hide.
WIRE = b"..first\r\n\r\n...\r\n.\r\r\n\n.\n.x\r\nbare\rcr\r\n..\r\n\r\n"
SENT = b".first\r\n\r\n..\r\n\r\r\n\n.\n.x\r\nbare\rcr\r\n.\r\n\r\n"


@pytest.mark.parametrize("cut", range(len(WIRE + b".\r\nNOOP\r\n") + 1))
def test_the_message_is_the_same_wherever_the_reads_split_it(cut: int) -> None:
    wire = WIRE + b".\r\nNOOP\r\n"
    assert _collect([wire[:cut], wire[cut:]]) == (SENT, b"NOOP\r\n", None)


def test_the_message_read_a_byte_at_a_time() -> None:
    wire = WIRE + b".\r\n"
    chunks = [wire[i : i + 1] for i in range(len(wire))]
    assert _collect(chunks) == (SENT, b"", None)
    assert _collect([b".\r\n"]) == (b"", b"", None)  # an empty message
    assert _collect([b"\r\n.\r\n"]) == (b"\r\n", b"", None)
    assert _collect([b"a\r\n.\r", b"\nx"]) == (b"a\r\n", b"x", None)


def test_the_line_and_size_limits_are_aiosmtpds() -> None:
    line = SMTP.line_length_limit  # a line's bytes on the wire, its line end and a stuffed dot included
    at = b"l" * (line - 2) + b"\r\n"
    assert _collect([at * 3 + b".\r\n"])[2] is None
    assert _collect([at + b"L" + at + b".\r\n"])[2] == sink_module.TOO_LONG
    assert _collect([b"." + at + b".\r\n"])[2] == sink_module.TOO_LONG  # the stuffed dot counts
    assert _collect([at[:-1], b"L", b"\n.\r\n"])[2] == sink_module.TOO_LONG  # split before its CR LF
    assert _collect([b"x" * 5000, b"\r\n.\r\nQUIT\r\n"])[1:] == (b"QUIT\r\n", sink_module.TOO_LONG)
    assert _collect([b"..\r\n" * 25 + b".\r\n"], size_limit=100) == (b".\r\n" * 25, b"", None)
    assert _collect([b"..\r\n" * 25 + b"\r\n.\r\n"], size_limit=100) == (b"", b"", sink_module.TOO_MUCH)


def test_a_client_that_does_not_wait_for_the_replies_is_served_in_order(sink: Sink) -> None:
    """`nc < session.txt`: every command and the messages at once. What follows DATA waits for its 354."""
    big = b"Subject: big\r\n\r\n" + b"b" * 98 + b"\r\n" * 30  # 3 KB: the sink's cap here is 4 KiB
    session = (
        b"EHLO me\r\nDATA\r\nNOOP\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nDATA x\r\n"
        b"DATA\r\nSubject: one\r\n\r\n..dot\r\n.\r\n"
        b"MAIL FROM:<a@x.test>\r\nRCPT TO:<c@x.test>\r\ndata\r\n" + big + b".\r\nQUIT\r\n"
    )
    with socket.create_connection(("127.0.0.1", sink.port), timeout=30) as sock:
        sock.sendall(session)
        replies = sock.makefile("rb").read().decode().splitlines()
    codes = [line[:3] for line in replies if line[3:4] == " "]
    assert codes == ["220", "250", "503", "250", "250", "250", "501", "354", "250", "250", "250", "354", "250",
                     "221"]  # fmt: skip
    assert [(m.subject, m.recipients) for m in sink.messages] == [
        ("one", ("b@x.test",)),
        ("big", ("c@x.test",)),
    ]
    assert sink.messages[0].read() == b"Subject: one\r\n\r\n.dot\r\n"


def test_a_client_that_sends_its_message_before_the_354_in_large_pieces(sink: Sink) -> None:
    """More than the sink holds back before the 354: it stops reading the client until then."""
    body = b"Subject: held\r\n\r\n" + b"h" * 900 + b"\r\n"
    with Sink(port=0, directory=sink.directory, max_size=sink_module.HOLD * 4) as big:
        message = body * (3 * sink_module.HOLD // len(body))
        head = b"EHLO me\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@x.test>\r\nDATA\r\n"
        with socket.create_connection(("127.0.0.1", big.port), timeout=30) as sock:
            sock.sendall(head + message + b".\r\nQUIT\r\n")
            replies = sock.makefile("rb").read().decode().splitlines()
        assert [line[:3] for line in replies if line[3:4] == " "] == ["220", "250", "250", "250", "354", "250",
                                                                     "221"]  # fmt: skip
        assert [m.size for m in big.messages] == [len(message)]


def test_a_message_that_cannot_be_spooled_is_refused_with_451(tmp_path: Path) -> None:
    """Past SPOOL_MEMORY a message goes to a file in the mail folder: the folder gone, the client hears 451
    (and may try again), the session goes on."""
    folder = tmp_path / "mail"
    with Sink(port=0, directory=folder) as sink:
        talk = Talk(sink.port)
        try:
            for command in ("EHLO me", "MAIL FROM:<a@x.test>", "RCPT TO:<b@x.test>"):
                talk.say(command)
            shutil.rmtree(folder)
            assert talk.say("DATA").startswith("354 ")
            lines = sink_module.SPOOL_MEMORY // 100 + 1
            reply = talk.say("Subject: big\r\n\r\n" + ("s" * 98 + "\r\n") * lines + ".")
            assert reply.startswith(
                "451 4.3.0 Message not stored: cannot spool it: No such file or directory"
            )
            assert talk.say("NOOP") == "250 OK"
            assert talk.say("RCPT TO:<b@x.test>").startswith("503 ")  # the transaction is over
        finally:
            talk.close()
        assert sink.count == 0


def test_data_is_still_listed_in_help(sink: Sink) -> None:
    with smtplib.SMTP("127.0.0.1", sink.port) as client:
        assert b" DATA " in client.help() and client.help("DATA") == b"Syntax: DATA"


def test_a_mail_folder_the_sink_creates_is_ignored_by_git(tmp_path: Path) -> None:
    """`smtp-connector sink` at a repository's root: its mail-sink/ adds nothing to `git status`; a
    folder that was already there is the user's and gets nothing."""
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "PATH": os.environ.get("PATH", "")}
    subprocess.run(["git", "init", "-q"], cwd=repo, env=env, check=True, timeout=60)
    with (
        Sink(port=0, directory=repo / "mail-sink") as running,
        smtplib.SMTP("127.0.0.1", running.port) as client,
    ):
        client.sendmail("a@x.test", ["b@x.test"], "Subject: hi\r\n\r\nYour code is 123456\r\n")
    assert len(list((repo / "mail-sink").glob("*.eml"))) == 1
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert status.stdout == ""
    mine = tmp_path / "mine"
    mine.mkdir()
    with Sink(port=0, directory=mine):
        pass
    assert list(mine.iterdir()) == []
