"""The Management API client against hostile servers and environments (issue 19): every answer bounded in
size and time, loopback never through a proxy, bad input from the server or the environment a clear error
(never exit 3 or a hang), the server's text shown printable, and an endpoint with a password refused.

The servers are real HTTP servers on 127.0.0.1 (tests/hostile_http.py) that write their answers byte by byte.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import secrets
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from connector.deploy.apply import apply_plan
from connector.deploy.client import MAX_ANSWER, MAX_CA_FILE, MAX_CONTAINERS, LogtoError, ManagementClient
from connector.deploy.plan import Desired, Live, make_plan
from connector.deploy.target import Setting, Target, proxy_for
from connector.source.document import MAX_DEPTH

from .conftest import CliResult, CliRunner, run_subprocess
from .hostile_http import (
    HostileServer,
    RecordingProxy,
    chunked_answer,
    gzip_answer,
    hostile,
    json_answer,
    recording_proxy,
    token_answer,
    trickle_answer,
)
from .logto_server import FakeLogto
from .test_deploy import PASS, make_project

__all__ = ["hostile", "recording_proxy"]  # fixtures

MIB = 1024 * 1024
SMTP_ID = "simple-mail-transfer-protocol"
SECRET = "m2m-" + secrets.token_hex(10)
# Everything a terminal or a GitHub Actions runner would act on, as Logto's answers could carry it.
HOSTILE = (
    "\x1b]0;owned\x07\x1b[2J",
    "two\r\nlines",
    "::error file=a.yaml,line=1::forged",
    "   ::warning::indented",
    "text ##[error]legacy command",
    "\u202egnp.exe",
    "\u2066isolate\u2069 and \u200fmark",
    "\x9b31mC1",
    "sep\u2028arator\x85",
)


def pull(
    cli: CliRunner,
    endpoint: str,
    folder: Path,
    *args: str,
    expect: int | None = 1,
    timeout: float = 30,
    **env: str,
) -> CliResult:
    """``pull FOLDER`` from ``endpoint``; the deadline stays generous unless a test is about it, so that a
    loaded machine never turns a token exchange into a timeout."""
    environ = {"LOGTO_ENDPOINT": endpoint, "LOGTO_M2M_APP_ID": "deployer", "LOGTO_M2M_APP_SECRET": SECRET}
    return cli("pull", str(folder), "--timeout", f"{timeout:g}", *args, expect=expect, env=environ | env)


def target_for(url: str) -> Target:
    return Target(
        Setting(url, "LOGTO_ENDPOINT"),
        Setting("https://default.logto.app/api", "LOGTO_API_RESOURCE"),
        Setting("deployer", "LOGTO_M2M_APP_ID"),
        Setting(SECRET, "LOGTO_M2M_APP_SECRET"),
    )


# 1. Every answer is bounded: in decoded size, and in time for the whole exchange.


@pytest.mark.parametrize(
    ("answer", "timeout", "said"),
    [
        # 40 MiB of JSON that gzip makes 40 KB: refused at the cap, not inflated whole.
        (gzip_answer(b"[" + b" " * (40 * MIB) + b"]"), 30, "larger than 4 MiB once decoded"),
        # A chunked body that never ends (the server stops at 300 MiB so a client without a cap ends too).
        (chunked_answer(300 * MIB), 30, "larger than 4 MiB once decoded"),
        # A plain answer over the cap, with its length announced.
        (json_answer(None, text=b"[" + b" " * (5 * MIB) + b"]"), 30, "larger than 4 MiB once decoded"),
        # A byte every 0.2 s (a minute for the body, 15 s for the headers): each read succeeds long before
        # the read timeout; the deadline of the whole request ends it.
        (trickle_answer(b"[" + b" " * 300 + b"]", 0.2), 2, "within 2 s (connecting, sending and reading"),
        (trickle_answer(b"[]", 0.2, headers_too=True), 2, "within 2 s (connecting, sending and reading"),
    ],
    ids=["gzip-bomb", "endless-chunked", "over-the-cap", "trickled-body", "trickled-headers"],
)
def test_an_unbounded_answer_is_stopped(
    cli: CliRunner, hostile: HostileServer, tmp_path: Path, answer: Any, timeout: float, said: str
) -> None:
    hostile.answers["/api/connectors"] = answer
    result = pull(cli, hostile.url, tmp_path / "pulled", timeout=timeout)
    assert said in result.stderr and "GET /api/connectors" in result.stderr
    # The error and its hint, nothing else: no asyncio warning about the answer left half read.
    assert result.stderr.startswith("smtp-connector: error: "), result.stderr
    assert "Task" not in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "pulled").exists()


def test_an_answer_of_exactly_the_cap_is_read_and_one_byte_more_is_not(hostile: HostileServer) -> None:
    at_cap = b"[" + b" " * (MAX_ANSWER - 2) + b"]"
    hostile.answers["/api/at-cap"] = json_answer(None, text=at_cap)
    hostile.answers["/api/gzip-at-cap"] = gzip_answer(at_cap)
    hostile.answers["/api/over"] = json_answer(None, text=at_cap + b" ")
    hostile.answers["/api/gzip-over"] = gzip_answer(at_cap + b" ")
    with ManagementClient(target_for(hostile.url), attempts=1) as client:
        assert client.get("/api/at-cap") == []
        assert client.get("/api/gzip-at-cap") == []
        for path in ("/api/over", "/api/gzip-over"):
            with pytest.raises(LogtoError, match="larger than 4 MiB once decoded"):
                client.get(path)


def _encoded(encoding: str, body: bytes) -> Any:
    def write(out: Any, stop: Any) -> bool:
        out.write(
            f"HTTP/1.1 200 OK\r\nContent-Encoding: {encoding}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        )
        out.write(body)
        return True

    return write


def test_gzip_and_deflate_are_decoded_and_a_broken_one_is_an_error(hostile: HostileServer) -> None:
    answer = json.dumps({"ok": ["é" * 1000]}).encode()
    hostile.answers["/api/gzip"] = _encoded("gzip", gzip.compress(answer))
    hostile.answers["/api/deflate"] = _encoded("deflate", zlib.compress(answer))
    hostile.answers["/api/empty"] = _encoded("gzip", b"")
    hostile.answers["/api/truncated"] = _encoded("gzip", gzip.compress(answer)[:-12])
    hostile.answers["/api/garbage"] = _encoded("gzip", b"not gzip at all")
    with ManagementClient(target_for(hostile.url), attempts=1) as client:
        assert client.get("/api/gzip") == client.get("/api/deflate") == {"ok": ["é" * 1000]}
        assert client.get("/api/empty") is None
        for path in ("/api/truncated", "/api/garbage"):
            with pytest.raises(LogtoError, match=f"GET {path} could not be decoded as gzip"):
                client.get(path)
    assert hostile.seen[-1].headers["accept-encoding"] == "gzip, deflate"


def test_the_shape_of_json_is_bounded_at_its_caps(hostile: HostileServer) -> None:
    brackets_in_strings = json.dumps(["[{" * 200_000]).encode()  # brackets in strings are not counted
    hostile.answers["/api/deep"] = json_answer(None, text=b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
    hostile.answers["/api/deeper"] = json_answer(None, text=b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1))
    many = b",".join([b"{}"] * (MAX_CONTAINERS - 1))
    hostile.answers["/api/many"] = json_answer(None, text=b"[" + many + b"]")
    hostile.answers["/api/more"] = json_answer(None, text=b"[" + many + b",[]]")
    hostile.answers["/api/strings"] = json_answer(None, text=brackets_in_strings)
    with ManagementClient(target_for(hostile.url), attempts=1) as client:
        assert len(client.get("/api/many")) == MAX_CONTAINERS - 1
        assert client.get("/api/strings") == ["[{" * 200_000]
        assert str(client.get("/api/deep")).count("[") == MAX_DEPTH
        with pytest.raises(LogtoError, match=f"nested more than {MAX_DEPTH} levels deep"):
            client.get("/api/deeper")
        with pytest.raises(LogtoError, match="more than 100,000 objects and arrays"):
            client.get("/api/more")


def test_an_encoding_the_client_does_not_decode_is_refused_before_reading(hostile: HostileServer) -> None:
    def stacked(out: Any, stop: Any) -> bool:
        out.write(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip, gzip\r\nContent-Length: 2\r\n\r\n[]")
        return False

    hostile.answers["/api/x"] = stacked
    with (
        ManagementClient(target_for(hostile.url), attempts=1) as client,
        pytest.raises(LogtoError, match="Content-Encoding `gzip, gzip`, which this client does not decode"),
    ):
        client.get("/api/x")


# 2. Loopback is never reached through a proxy: plain http to it is allowed only because it stays local.


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"])
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_never_goes_through_a_proxy(
    cli: CliRunner,
    hostile: HostileServer,
    recording_proxy: RecordingProxy,
    tmp_path: Path,
    variable: str,
    host: str,
) -> None:
    hostile.answers["*"] = json_answer([])
    endpoint = hostile.url.replace("127.0.0.1", host)
    result = pull(cli, endpoint, tmp_path / "p", **{variable: recording_proxy.url})
    assert "has no SMTP connector to pull" in result.stderr  # the whole exchange happened, directly
    assert recording_proxy.received == []
    token = next(s for s in hostile.seen if s.path == "/oidc/token")
    assert token.headers["authorization"].startswith("Basic ")


def test_a_remote_endpoint_goes_through_its_proxy_in_a_tunnel(
    cli: CliRunner, recording_proxy: RecordingProxy, tmp_path: Path
) -> None:
    result = pull(cli, "https://logto.example.test", tmp_path / "p", HTTPS_PROXY=recording_proxy.url)
    assert "cannot reach Logto" in result.stderr
    assert recording_proxy.received[0].startswith(b"CONNECT logto.example.test:443 ")
    assert b"authorization" not in b"".join(recording_proxy.received).lower()


@pytest.mark.parametrize(
    ("endpoint", "environ", "expected"),
    [
        ("https://auth.example.com", {"HTTPS_PROXY": "http://p:1"}, ("http://p:1", "HTTPS_PROXY")),
        ("https://auth.example.com", {"HTTPS_PROXY": "p:3128"}, ("http://p:3128", "HTTPS_PROXY")),
        (
            "https://auth.example.com",
            {"https_proxy": "http://a:1", "HTTPS_PROXY": "http://b:1"},
            ("http://a:1", "https_proxy"),
        ),
        (
            "https://auth.example.com",
            {"ALL_PROXY": "http://a:1", "HTTPS_PROXY": "http://b:1"},
            ("http://b:1", "HTTPS_PROXY"),
        ),
        ("https://auth.example.com", {"ALL_PROXY": "http://a:1"}, ("http://a:1", "ALL_PROXY")),
        ("https://auth.example.com", {"HTTP_PROXY": "http://a:1"}, None),
        ("https://auth.example.com", {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "example.com"}, None),
        (
            "https://auth.example.com",
            {"HTTPS_PROXY": "http://p:1", "no_proxy": " other.org, .example.com"},
            None,
        ),
        ("https://auth.example.com", {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "auth.example.com:443"}, None),
        ("https://auth.example.com", {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "*"}, None),
        (
            "https://auth.example.com",
            {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "ample.com"},
            ("http://p:1", "HTTPS_PROXY"),
        ),
        (
            "https://auth.example.com",
            {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "a.auth.example.com"},
            ("http://p:1", "HTTPS_PROXY"),
        ),
        ("https://127.0.0.1:8443", {"HTTPS_PROXY": "http://p:1"}, None),
        ("https://127.5.0.9", {"ALL_PROXY": "http://p:1"}, None),
        ("https://[::1]:8443", {"HTTPS_PROXY": "http://p:1"}, None),
        ("http://localhost:3001", {"HTTP_PROXY": "http://p:1"}, None),
    ],
)
def test_which_proxy_applies(
    endpoint: str, environ: dict[str, str], expected: tuple[str, str] | None
) -> None:
    found = proxy_for(endpoint, environ)
    assert (found.value, found.source) == expected if found else expected is None


# 3. Bad input from the server is a clear error (or, where harmless, accepted), never exit 3.


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


SERVER_CASES = {
    "json-200000-deep": (
        {"*": json_answer(None, text=b"[" * 200_000 + b"]" * 200_000)},
        "more than 100,000 objects and arrays",
    ),
    "json-1000-deep": (
        {"*": json_answer(None, text=b"[" * 1000 + b"]" * 1000)},
        "nested more than 64 levels",
    ),
    "not-utf-8": ({"*": json_answer(None, text='["caf\u00e9"]'.encode("latin-1"))}, "but not JSON"),
    "config-900-deep": (
        {"*": json_answer([{"id": "c1", "connectorId": SMTP_ID, "type": "Email", "config": _nested(900)}])},
        "nested more than 64 levels deep",
    ),
    "non-ascii-token": ({"/oidc/token": token_answer("tök-€n-\u200b")}, "without a usable access_token"),
    "token-with-a-line-break": ({"/oidc/token": token_answer("abc\r\nX-Injected: 1")}, "usable access_token"),
    "zod-path-with-null": (
        {
            "*": json_answer(
                {
                    "code": "guard.invalid_input",
                    "message": "Request body is invalid.",
                    "data": {
                        "issues": [{"path": ["templates", None, 2, True], "message": "Expected object"}]
                    },
                },
                400,
            )
        },
        "templates[null][2].true: Expected object",
    ),
    "not-json-error-body": ({"*": json_answer(None, 500, text=b"{oops")}, "with 500"),
}


@pytest.mark.parametrize("case", SERVER_CASES, ids=list(SERVER_CASES))
def test_bad_answers_are_clear_errors(
    cli: CliRunner, hostile: HostileServer, tmp_path: Path, case: str
) -> None:
    answers, said = SERVER_CASES[case]
    hostile.answers.update(answers)
    result = pull(cli, hostile.url, tmp_path / "p")
    assert said in result.stderr
    assert "\u20ac" not in result.stderr and "X-Injected" not in result.stderr  # a bad token is never shown


@pytest.mark.parametrize("expires_in", [10**400, -5, 0, 2.5, True, "3600"])
def test_any_expires_in_is_harmless(
    cli: CliRunner, hostile: HostileServer, tmp_path: Path, expires_in: Any
) -> None:
    token = secrets.token_urlsafe(16)
    hostile.answers["/oidc/token"] = token_answer(token, expires_in=expires_in)
    hostile.answers["*"] = json_answer([])
    result = pull(cli, hostile.url, tmp_path / "p")
    assert "has no SMTP connector to pull" in result.stderr
    reads = [s for s in hostile.seen if s.path.startswith("/api/")]
    assert reads and all(s.headers["authorization"] == f"Bearer {token}" for s in reads)


def _fifo(tmp_path: Path) -> str:
    path = tmp_path / "fifo.pem"
    os.mkfifo(path)
    return str(path)


def _big(tmp_path: Path) -> str:
    path = tmp_path / "big.pem"
    path.write_bytes(b"#" * (MAX_CA_FILE + 1))
    return str(path)


def _empty(tmp_path: Path) -> str:
    path = tmp_path / "empty.pem"
    path.write_text("# no certificate here\n")
    return str(path)


REMOTE = "https://logto.example.test"
ENV_CASES: dict[str, tuple[Any, list[str], str]] = {
    # (environment (or a function of tmp_path giving one), extra arguments, what the error names)
    "SSL_CERT_FILE-missing": (lambda t: {"SSL_CERT_FILE": str(t / "none.pem")}, [], "from SSL_CERT_FILE"),
    "SSL_CERT_FILE-folder": (lambda t: {"SSL_CERT_FILE": str(t)}, [], "from SSL_CERT_FILE"),
    "SSL_CERT_FILE-dev-null": (
        lambda t: {"SSL_CERT_FILE": os.devnull},
        [],
        "a FIFO, socket or device; from SSL_CERT_FILE",
    ),
    "SSL_CERT_FILE-fifo": (
        lambda t: {"SSL_CERT_FILE": _fifo(t)},
        [],
        "a FIFO, socket or device; from SSL_CERT_FILE",
    ),
    "SSL_CERT_FILE-over-cap": (
        lambda t: {"SSL_CERT_FILE": _big(t)},
        [],
        "larger than 4 MiB; from SSL_CERT_FILE",
    ),
    "SSL_CERT_FILE-no-certificate": (lambda t: {"SSL_CERT_FILE": _empty(t)}, [], "no PEM certificate in it"),
    "SSL_CERT_DIR-a-file": (
        lambda t: {"SSL_CERT_DIR": os.devnull, "SSL_CERT_FILE": ""},
        [],
        "SSL_CERT_DIR names",
    ),
    "LOGTO_CA_FILE-fifo": (
        lambda t: {"LOGTO_CA_FILE": _fifo(t)},
        [],
        "a FIFO, socket or device; from LOGTO_CA_FILE",
    ),
    "ca-file-fifo": (lambda t: {}, ["--ca-file", "FIFO"], "a FIFO, socket or device; from --ca-file"),
    "ALL_PROXY-socks5": ({"ALL_PROXY": "socks5://127.0.0.1:1080"}, [], "ALL_PROXY is a socks5:// proxy"),
    "HTTPS_PROXY-ftp": ({"HTTPS_PROXY": "ftp://proxy.internal:21"}, [], "HTTPS_PROXY is a ftp:// proxy"),
    "HTTPS_PROXY-colons": ({"HTTPS_PROXY": ":::"}, [], "HTTPS_PROXY is not a proxy URL"),
    "HTTPS_PROXY-newline": (
        {"HTTPS_PROXY": "http://proxy.internal:3128\n"},
        [],
        "HTTPS_PROXY holds a space, a line break",
    ),
    "endpoint-newline": (
        {"LOGTO_ENDPOINT": REMOTE + "\n"},
        [],
        "control character; remove it (from LOGTO_ENDPOINT)",
    ),
    "endpoint-flag-tab": (
        {},
        ["--endpoint", REMOTE + "\t"],
        "control character; remove it (from --endpoint)",
    ),
}


@pytest.mark.parametrize("case", ENV_CASES, ids=list(ENV_CASES))
def test_bad_environment_is_a_clear_error(tmp_path: Path, case: str) -> None:
    """In a real process, so that a FIFO that is opened and waited on fails the test instead of hanging it."""
    environ, args, said = ENV_CASES[case]
    env = {"LOGTO_ENDPOINT": REMOTE, "LOGTO_M2M_APP_ID": "deployer", "LOGTO_M2M_APP_SECRET": SECRET}
    env |= environ(tmp_path) if callable(environ) else environ
    args = [_fifo(tmp_path) if a == "FIFO" else a for a in args]
    result = run_subprocess("pull", str(tmp_path / "p"), *args, expect=None, env=env, timeout=30)
    assert result.code in (1, 2), result
    assert "Traceback" not in result.stderr
    assert said in result.stderr, result
    assert "proxy.internal" not in result.stderr  # a proxy's value may hold its password: never shown
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "ALL_PROXY"])
def test_a_bad_proxy_variable_for_another_scheme_is_not_used(
    cli: CliRunner, hostile: HostileServer, tmp_path: Path, variable: str
) -> None:
    hostile.answers["*"] = json_answer([])
    result = pull(cli, hostile.url, tmp_path / "p", **{variable: "ftp://:::"})
    assert "has no SMTP connector to pull" in result.stderr  # loopback: served directly, no proxy read


# 4. Text from the server is shown printable: no terminal control, no CI runner command, one line each.


def _inert(text: str) -> list[str]:
    """The lines of ``text`` a terminal or a GitHub Actions runner would act on."""
    bad = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|##\\[")
    return [line for line in text.split("\n") if bad.search(line) or line.lstrip().startswith("::")]


def _hostile_config() -> dict[str, Any]:
    return {
        "host": HOSTILE[0],
        "port": 25,
        "fromEmail": HOSTILE[2],
        "customHeaders": {text: text for text in HOSTILE},
        **{text: 1 for text in HOSTILE},
    }


def test_the_plan_shows_the_servers_text_printable(
    cli: CliRunner, hostile: HostileServer, tmp_path: Path
) -> None:
    hostile.answers["/api/connectors"] = json_answer(
        [{"id": HOSTILE[1], "connectorId": SMTP_ID, "type": "Email", "config": _hostile_config()}]
    )
    hostile.answers["/api/email-templates"] = json_answer(
        [
            {"id": f"t{i}", "languageTag": text, "templateType": HOSTILE[-1 - i], "details": {text: text}}
            for i, text in enumerate(HOSTILE)
        ]
    )
    project = make_project(tmp_path / "mail")
    env = {
        "SMTP_PASS": PASS,
        "TEST_LOGTO_ENDPOINT": hostile.url,
        "PROD_LOGTO_APP_ID": "deployer",
        "PROD_LOGTO_APP_SECRET": SECRET,
    }
    result = cli("deploy", str(project), "--env", "prod", "--check", env=env, expect=1)
    assert "customHeaders" in result.stdout and "\\x1b]0;owned" in result.stdout  # shown, escaped
    assert _inert(result.stdout) == [] and _inert(result.stderr) == []
    assert "\r" not in result.stdout + result.stderr


def test_logtos_error_message_and_details_are_shown_printable(
    cli: CliRunner, hostile: HostileServer, tmp_path: Path
) -> None:
    hostile.answers["*"] = json_answer(
        {"code": HOSTILE[3], "message": HOSTILE[0] + HOSTILE[1], "details": "\n".join(HOSTILE)}, 400
    )
    hostile.answers["/oidc/token"] = json_answer({"error": HOSTILE[2], "error_description": HOSTILE[4]}, 400)
    refused = pull(cli, hostile.url, tmp_path / "p")
    assert "refused the token request" in refused.stderr and "forged" in refused.stderr
    hostile.answers["/oidc/token"] = token_answer()
    result = pull(cli, hostile.url, tmp_path / "p")
    assert "Logto refused GET /api/connectors: 400" in result.stderr and "legacy command" in result.stderr
    for text in (refused.stderr, result.stderr):
        assert _inert(text) == []
        assert "\r" not in text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain é 中 🙂 text", "plain é 中 🙂 text"),
        ("a\x1b[31mb", "a\\x1b[31mb"),
        ("a\r\nb\tc", "a\\r\\nb\\tc"),
        ("\x7f\x80\x9b\x9f\xa0", "\\x7f\\x80\\x9b\\x9f\xa0"),
        (
            "\u202eevil\u202c \u2066x\u2069 \u200e\u200f\u061c",
            "\\u202eevil\\u202c \\u2066x\\u2069 \\u200e\\u200f\\u061c",
        ),
        ("\u2028\u2029\x85", "\\u2028\\u2029\\x85"),
        ("::error::x", "\\x3a:error::x"),
        ("  ::warning::x", "  \\x3a:warning::x"),
        ("key::value", "key::value"),
        (": :x", ": :x"),
        ("say ##[error]x and ##[group]y", "say ##\\x5berror]x and ##\\x5bgroup]y"),
        ("#[x] ## [y]", "#[x] ## [y]"),
    ],
)
def test_printable(text: str, shown: str) -> None:
    from connector.diagnostics.printable import printable

    assert printable(text) == shown
    assert printable(shown) == shown  # escaping twice changes nothing


# 5. An endpoint carrying a user name and password is a usage error that never shows the password.


@pytest.mark.parametrize("how", ["LOGTO_ENDPOINT", "--endpoint", "section"])
def test_an_endpoint_with_a_password_is_refused_unseen(
    cli: CliRunner, hostile: HostileServer, tmp_path: Path, how: str
) -> None:
    password = "pw-" + secrets.token_hex(8)
    endpoint = hostile.url.replace("http://", f"http://admin:{password}@")
    out = tmp_path / "pulled"
    if how == "section":
        project = make_project(tmp_path / "mail")
        env = {
            "SMTP_PASS": PASS,
            "TEST_LOGTO_ENDPOINT": endpoint,
            "PROD_LOGTO_APP_ID": "a",
            "PROD_LOGTO_APP_SECRET": SECRET,
        }
        result = cli("deploy", str(project), "--env", "prod", "--dry-run", env=env, expect=2)
        assert "${TEST_LOGTO_ENDPOINT}" in result.stderr
    else:
        args = ["--endpoint", endpoint] if how == "--endpoint" else []
        result = pull(
            cli,
            hostile.url if args else endpoint,
            out,
            *args,
            expect=2,
            **({} if args else {"LOGTO_ENDPOINT": endpoint}),
        )
        assert how in result.stderr
    assert "holds a user name or password" in result.stderr
    assert password not in result.stdout + result.stderr
    assert hostile.seen == []
    assert not out.exists()
    written = [p.read_text() for p in tmp_path.rglob("*") if p.is_file()]
    assert not any(password in text for text in written)


def test_lint_never_quotes_an_endpoints_password(cli: CliRunner, tmp_path: Path) -> None:
    password = "pw-" + secrets.token_hex(8)
    prod = f"logto:\n  endpoint: https://admin:{password}@auth.example.com\n  appId: a\n  appSecret: ${{S}}\n"
    project = make_project(tmp_path / "mail", prod=prod)
    for fmt in ("text", "json", "github", "sarif"):
        result = cli("lint", str(project), "--format", fmt, expect=1)
        assert "SC702" in result.stdout + result.stderr
        assert password not in result.stdout + result.stderr


def test_the_docs_state_the_bounds() -> None:
    from .conftest import ROOT

    text = (ROOT / "docs" / "deploy.md").read_text()
    assert f"{MAX_ANSWER // MIB} MiB" in text and "whole answer" in text


# An id in Logto's answer is the server's text too: the write it names goes to that entry's route only.


@pytest.mark.parametrize(
    ("entry_id", "segment"),
    [
        ("3d6vvc2a8wmxlfzg9jbmc", "3d6vvc2a8wmxlfzg9jbmc"),  # Logto's own ids are sent as they are
        ("..", "%2E%2E"),
        (".", "%2E"),
        ("../../api/users/u1", "%2E%2E%2F%2E%2E%2Fapi%2Fusers%2Fu1"),
        ("a/b", "a%2Fb"),
        ("x?y=1#z", "x%3Fy%3D1%23z"),
        ("%2e%2e", "%252e%252e"),
        ("id with space", "id%20with%20space"),
    ],
)
def test_an_id_from_logto_stays_one_path_segment_of_its_write(
    hostile: HostileServer, entry_id: str, segment: str
) -> None:
    hostile.answers["*"] = json_answer({})
    stored = {
        "host": "smtp.mailhost.example",
        "port": 587,
        "fromEmail": "a@mailhost.example",
        "templates": [],
    }
    details = {"subject": "S", "content": "C"}
    live = Live(
        {"id": entry_id, "connectorId": SMTP_ID, "config": stored},
        (),
        ({"id": entry_id, "languageTag": "it", "templateType": "Generic", "details": details},),
    )
    desired = Desired(dict(stored, port=2525), ())
    with ManagementClient(target_for(hostile.url), attempts=1) as client:
        apply_plan(client, make_plan(desired, live, prune=True), desired)
    writes = [(s.method, s.path) for s in hostile.seen if s.method in ("PATCH", "DELETE")]
    assert writes == [("PATCH", f"/api/connectors/{segment}"), ("DELETE", f"/api/email-templates/{segment}")]
    assert unquote(segment) == entry_id


def test_an_answer_over_the_cap_from_logto_ends_with_the_error_alone(
    logto: FakeLogto, tmp_path: Path
) -> None:
    """The stand-in keeps the connection alive after the token: the refused answer's readers must still be
    closed on the client's own loop, or asyncio prints "Task was destroyed" after the error (a real process:
    what is left to the garbage collector at exit shows only there)."""
    text = "x" * (MAX_ANSWER // 4)
    templates = [
        {"usageType": t, "contentType": "text/html", "subject": "s", "content": text}
        for t in ("SignIn", "Register", "ForgotPassword", "Generic", "Generic")
    ]
    logto.add_connector(SMTP_ID, {"host": "smtp.example.com", "port": 587, "fromEmail": "a@example.com",
                                  "templates": templates})  # fmt: skip
    environ = {
        "LOGTO_ENDPOINT": logto.url,
        "LOGTO_M2M_APP_ID": logto.app_id,
        "LOGTO_M2M_APP_SECRET": logto.app_secret,
    }
    result = run_subprocess("pull", str(tmp_path / "pulled"), expect=1, env=environ)
    assert result.stderr.startswith("smtp-connector: error: Logto's answer to GET /api/connectors is larger")
    assert "Task" not in result.stderr
    assert not (tmp_path / "pulled").exists()
