"""Errors raised to the command line carry their hint as a field, printed once by the boundary."""

from __future__ import annotations

import ast
import io
import socket
from pathlib import Path
from typing import Any

import pytest

from connector.cli.main import build_parser, print_error
from connector.diagnostics.redact import register_secret
from connector.errors import ConnectorError, DeliveryError, InputError
from connector.logto.loopback import is_loopback
from connector.mail.transport import sink_hint
from connector.sink import DEFAULT_HOST, DEFAULT_PORT

from .conftest import ROOT, CliRunner
from .smtp_fixtures import logto_config, write_config

# The one place that writes "(hint: ...)": a finding's line, and ConnectorError.describe through it.
FORMATTERS = {"connector/diagnostics/findings.py", "connector/diagnostics/reporters.py"}


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string literal, f-string pieces included, with its line."""
    return [
        (n.lineno, n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def test_no_hint_is_written_into_an_error_text() -> None:
    found = []
    for path in sorted((ROOT / "connector").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name in FORMATTERS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                node.value.value = ""  # docstrings may talk about the format
        found += [f"{name}:{line}" for line, text in _strings(tree) if "(hint:" in text or "(hint: " in text]
    assert found == []


def test_the_check_above_sees_a_hint_in_an_f_string() -> None:
    tree = ast.parse('raise InputError(f"{x}: bad (hint: {y})")')
    assert any("(hint:" in text for _, text in _strings(tree))


def test_describe_puts_the_hint_after_the_message() -> None:
    assert ConnectorError("it broke", hint="fix it").describe() == "it broke (hint: fix it)"
    assert ConnectorError("it broke").describe() == "it broke"
    error = DeliveryError("host:25: refused", hint="check host", code=554, fatal=True)
    assert (str(error), error.hint, error.code, error.fatal) == ("host:25: refused", "check host", 554, True)
    assert InputError("bad", hint="h").hint == "h"


def test_the_boundary_prints_the_hint_redacted() -> None:
    register_secret("hunter2-secret")
    stream = io.StringIO()
    print_error(InputError("login as hunter2-secret failed", hint="is hunter2-secret right?"), stream)
    assert stream.getvalue() == "smtp-connector: error: login as ******** failed (hint: is ******** right?)\n"


def test_the_sink_command_defaults_are_the_sinks() -> None:
    args = build_parser().parse_args(["sink"])
    assert (args.host, args.port) == (DEFAULT_HOST, DEFAULT_PORT)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("localhost", True),
        ("LOCALHOST.", True),
        ("mail.localhost", True),
        ("127.0.0.1", True),
        ("127.255.255.254", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("128.0.0.1", False),
        ("126.255.255.255", False),
        ("::2", False),
        ("0.0.0.0", False),
        ("localhost.example.com", False),
        ("notlocalhost", False),
        ("smtp.example.com", False),
    ],
)
def test_loopback_hosts(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


def test_the_sink_hint_names_the_port_only_when_it_is_not_the_default() -> None:
    assert sink_hint("127.0.0.1", DEFAULT_PORT).count("`smtp-connector sink`") == 1
    assert "`smtp-connector sink --port 2526`" in sink_hint("localhost", 2526)
    assert "`smtp-connector sink --host ::1 --port 25`" in sink_hint("::1", 25)


def _refused_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port: int = probe.getsockname()[1]
    probe.close()  # nothing listens there now: a connection is refused
    return port


def _send(cli: CliRunner, tmp_path: Path, config: dict[str, Any]) -> str:
    path = write_config(tmp_path / "config.json", config)
    result = cli("send", str(path), "--type", "SignIn", "--to", "bob@example.com", "--code", "1", expect=1)
    return result.stderr.splitlines()[0]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_refused_loopback_port_suggests_the_sink(cli: CliRunner, tmp_path: Path, host: str) -> None:
    port = _refused_port()
    line = _send(cli, tmp_path, {**logto_config(port), "host": host})
    assert line == (
        f"smtp-connector: error: {host}:{port}: cannot connect (Connection refused) (hint: nothing listens on "
        f"this port; to test locally, start `smtp-connector sink --port {port}` and send again)"
    )


def test_a_refused_port_through_a_proxy_does_not_suggest_the_sink(cli: CliRunner, tmp_path: Path) -> None:
    proxy = _refused_port()
    line = _send(cli, tmp_path, {**logto_config(_refused_port()), "proxy": f"http://127.0.0.1:{proxy}"})
    assert "smtp-connector sink" not in line
