"""The EHLO name (`name`) goes out as nodemailer sends it, whatever it holds: UTF-8, line breaks dropped.

A server that refuses a non-ASCII name (Gmail answers 501) fails the send with its reply and exit 1;
lint warns first (SC404). One that accepts it gets the message.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from connector.mail.send import Job, RetryPolicy, send_all
from connector.schema.models import ConnectorConfig

from . import logto_peer
from .conftest import CliRunner
from .smtp_fixtures import ConnectionHandler, ServerFactory, logto_config, write_config

REFUSAL = b"501 5.5.4 HELO/EHLO argument is not a valid domain name"


def _said(line: bytes) -> tuple[bytes, bytes]:
    """A command line as (verb, argument): verbs are case-insensitive (smtplib writes ``ehlo``)."""
    assert line.endswith(b"\r\n")
    verb, _, argument = line[:-2].partition(b" ")
    return verb.upper(), argument


def refusing(commands: list[bytes]) -> ConnectionHandler:
    """A server that refuses a greeting command with a non-ASCII argument, recording each command line."""

    def serve(conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        conn.sendall(b"220 picky.test ESMTP\r\n")
        while line := reader.readline(4096):
            commands.append(line)
            if line.upper().startswith((b"EHLO", b"HELO")):
                conn.sendall((REFUSAL if not line.isascii() else b"250 picky.test") + b"\r\n")
            elif line.upper().startswith(b"QUIT"):
                conn.sendall(b"221 bye\r\n")
                return
            else:
                conn.sendall(b"250 ok\r\n")

    return serve


@pytest.mark.parametrize("name", ["relais-ü.example", "邮件.例子.test"])
def test_a_server_refusing_a_non_ascii_name_fails_the_send_with_its_reply(
    cli: CliRunner, tmp_path: Path, raw_server: Callable[[ConnectionHandler], int], name: str
) -> None:
    commands: list[bytes] = []
    port = raw_server(refusing(commands))
    path = write_config(tmp_path / "logto.json", logto_config(port, name=name))
    result = cli("send", str(path), "--type", "SignIn", "--to", "bob@example.com", "--code", "1", expect=1)
    assert result.stderr.splitlines()[0] == (
        f"smtp-connector: error: 127.0.0.1:{port}: the server refused EHLO and HELO: {REFUSAL.decode()}"
    )
    assert [_said(c) for c in commands[:2]] == [(b"EHLO", name.encode()), (b"HELO", name.encode())]
    assert json.loads(result.stdout)["code"] == 501


def test_a_server_accepting_a_non_ascii_name_gets_the_message(smtp_server: ServerFactory) -> None:
    server = smtp_server(smtputf8=True)
    config = ConnectorConfig.model_validate(logto_config(server.port, name="pöstchen.bücher.example"))
    assert send_all(config, [Job("bob@example.com", "SignIn", {"code": "7"})]).ok
    assert server.handler.sessions == [("127.0.0.1", "pöstchen.bücher.example")]


@pytest.mark.parametrize(
    "name",
    [
        "relais-ü.example",  # UTF-8, as every command
        "a\ud800b.example",  # a lone surrogate, which a JavaScript string can hold: U+FFFD
        "mx\r\nRSET\r\n.example",  # line breaks dropped, so nothing can be added to the session
        "mx.example",  # ASCII: as it is
    ],
)
def test_the_name_goes_out_byte_for_byte_as_logto_sends_it(
    raw_server: Callable[[ConnectionHandler], int], name: str
) -> None:
    theirs: list[bytes] = []
    ours: list[bytes] = []
    raw = logto_config(raw_server(refusing(theirs)), name=name)
    answer = logto_peer.send(raw, "bob@example.com", "SignIn", {"code": "1"})
    raw["port"] = raw_server(refusing(ours))
    outcome = send_all(
        ConnectorConfig.model_validate(raw), [Job("bob@example.com", "SignIn", {"code": "1"})],
        retry=RetryPolicy(attempts=1),
    )  # fmt: skip
    verb, argument = _said(theirs[0])
    assert (verb, argument) == _said(ours[0])
    assert verb == b"EHLO" and b"\r" not in argument and b"\n" not in argument
    if not name.isascii():
        assert not answer["ok"] and outcome.fatal is not None and outcome.fatal.code == 501
        assert [_said(c) for c in ours[:2]] == [_said(c) for c in theirs[:2]]  # EHLO, then HELO
