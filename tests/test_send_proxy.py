"""Sending through a `proxy`: the SMTP server's address and the SMTP session's own TLS decide whether
credentials may go out, never the proxy hop; an https:// proxy's certificate is verified; and setting up
the tunnel has one deadline (connectionTimeout) and a bounded answer.

Every proxy here is a real CONNECT proxy on loopback (tests/smtp_fixtures.py::ConnectProxy) in front of a
real aiosmtpd server, and maps the host names of the configs below to 127.0.0.1 as its resolver would.
"""

from __future__ import annotations

import select
import socket
import ssl
from pathlib import Path
from typing import Any

import pytest
import trustme

from connector.mail.proxy import MAX_ANSWER
from connector.mail.send import Job, send_all
from connector.schema.models import ConnectorConfig

from .conftest import CliResult, CliRunner
from .smtp_fixtures import (
    Certificates,
    ConnectProxy,
    ServerFactory,
    logto_config,
    outside_address,
    write_config,
)

PASSWORD = "tunnel-vision-4417"
AUTH = {"type": "login", "user": "relay-user", "pass": PASSWORD}


def send(cli: CliRunner, tmp_path: Path, config: dict[str, Any], expect: int = 0) -> CliResult:
    path = write_config(tmp_path / "logto.json", config)
    args = ("--attempts", "1", "--type", "SignIn", "--to", "bob@example.com", "--code", "5")
    return cli("send", str(path), *args, expect=expect)


@pytest.mark.parametrize("host", ["smtp.relay.example", "198.51.100.25"])
def test_no_credentials_in_clear_to_a_remote_server_through_a_loopback_proxy(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, host: str
) -> None:
    server = smtp_server(users={"relay-user": PASSWORD}, auth_require_tls=False)  # no STARTTLS, AUTH offered
    with ConnectProxy(hosts={host: "127.0.0.1"}) as proxy:
        result = send(cli, tmp_path, logto_config(server.port, host=host, proxy=proxy.url(), auth=AUTH), 1)
    assert result.stderr.splitlines()[0] == (
        f"smtp-connector: error: {host}:{server.port}: refusing to send credentials over an unencrypted "
        "connection (a proxy does not encrypt the SMTP session) (hint: use secure: true on port 465, or a "
        "server that offers STARTTLS, and do not set ignoreTLS)"
    )
    assert proxy.requests[0].startswith(f"CONNECT {host}:{server.port} ")  # the session went through it
    assert b"EHLO" in proxy.relayed.upper() and b"AUTH" not in proxy.relayed.upper()
    assert server.handler.logins == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_server_on_this_machine_through_a_proxy_on_this_machine_may_get_them(
    smtp_server: ServerFactory, host: str
) -> None:
    server = smtp_server(users={"relay-user": PASSWORD}, auth_require_tls=False)
    with ConnectProxy(hosts={"localhost": "127.0.0.1"}) as proxy:
        config = ConnectorConfig.model_validate(
            logto_config(server.port, host=host, proxy=proxy.url(), auth=AUTH)
        )
        assert send_all(config, [Job("bob@example.com", "SignIn", {"code": "5"})]).ok
    assert server.handler.logins == [("PLAIN", "relay-user")]
    assert server.handler.encrypted == [False]


def test_a_loopback_server_behind_a_proxy_elsewhere_gets_no_credentials_in_clear(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    address = outside_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address")
    server = smtp_server(users={"relay-user": PASSWORD}, auth_require_tls=False)
    with ConnectProxy(bind=address) as proxy:
        config = logto_config(server.port, proxy=f"http://{address}:{proxy.port}", auth=AUTH)
        result = send(cli, tmp_path, config, 1)
    assert "refusing to send credentials over an unencrypted connection" in result.stderr
    assert b"AUTH" not in proxy.relayed.upper()


# --- https:// proxies -----------------------------------------------------------------------------------


def _proxy_context(ca: trustme.CA, *names: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    return context


@pytest.mark.parametrize("tls", ["starttls", "implicit"])
def test_the_smtp_sessions_own_tls_runs_inside_an_https_proxys(
    smtp_server: ServerFactory, certificates: Certificates, tls: str
) -> None:
    server = smtp_server(tls=tls, users={"relay-user": PASSWORD})  # AUTH only over TLS
    with ConnectProxy(context=_proxy_context(certificates.ca, "127.0.0.1")) as proxy:
        raw = logto_config(
            server.port,
            host="localhost",
            secure=tls == "implicit",
            proxy=proxy.url("proxy-user:proxy-pass"),
            auth=AUTH,
            tls={"ca": certificates.ca_pem},
        )
        outcome = send_all(ConnectorConfig.model_validate(raw), [Job("bob@example.com", "SignIn", {})])
    assert outcome.ok, outcome.results
    assert server.handler.encrypted == [True]
    assert server.handler.logins == [("PLAIN", "relay-user")]
    assert PASSWORD.encode() not in proxy.relayed  # the proxy saw TLS records only


@pytest.mark.parametrize(
    ("issuer", "names", "why"),
    [
        ("another CA", ("127.0.0.1",), "(unable to get local issuer certificate)"),
        ("the config's CA", ("proxy.elsewhere.example",), "(IP address mismatch"),
    ],
)
def test_an_https_proxy_with_a_certificate_not_trusted_is_refused_before_anything_is_sent(
    cli: CliRunner,
    tmp_path: Path,
    smtp_server: ServerFactory,
    certificates: Certificates,
    issuer: str,
    names: tuple[str, ...],
    why: str,
) -> None:
    server = smtp_server(tls="starttls", users={"relay-user": PASSWORD})
    ca = trustme.CA() if issuer == "another CA" else certificates.ca
    with ConnectProxy(context=_proxy_context(ca, *names)) as proxy:
        config = logto_config(
            server.port, proxy=proxy.url("proxy-user:proxy-pass"), auth=AUTH, tls={"ca": certificates.ca_pem}
        )
        result = send(cli, tmp_path, config, 1)
    first = result.stderr.splitlines()[0]
    assert first.startswith(
        f"smtp-connector: error: 127.0.0.1:{server.port}: the proxy 127.0.0.1:{proxy.port}'s certificate is "
        "not trusted ("
    )
    assert why in first
    assert "proxy-pass" not in result.stderr
    assert proxy.requests == []  # no CONNECT, so no Proxy-Authorization and nothing to the server
    assert server.messages == []


def test_reject_unauthorized_false_turns_the_proxys_check_off_too_with_the_warning(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    server = smtp_server(tls="starttls", users={"relay-user": PASSWORD})
    with ConnectProxy(context=_proxy_context(trustme.CA(), "proxy.elsewhere.example")) as proxy:
        config = logto_config(server.port, proxy=proxy.url(), auth=AUTH, tls={"rejectUnauthorized": False})
        result = send(cli, tmp_path, config)
    assert result.stderr.splitlines()[0] == (
        "smtp-connector: warning: tls.rejectUnauthorized is false: the server's and the proxy's certificates "
        "are not checked, so anyone on the way can read the mail and the credentials"
    )
    assert server.handler.encrypted == [True]


# --- one deadline, a bounded answer -------------------------------------------------------------------


def trickle(head: bytes, then: bytes = b"\r\n", pace: float = 0.1, count: int = 100) -> Any:
    """A proxy answer: ``head``, then a header's bytes one every ``pace`` seconds (waiting for the client
    to hang up, if it does, in between), then ``then``. Slower than any deadline below in all."""

    def answer(client: socket.socket) -> bool:
        client.sendall(head)
        for _ in range(count):
            readable, _, _ = select.select([client], [], [], pace)
            if readable and not client.recv(1):
                return False  # the client gave up
            client.sendall(b"x")
        client.sendall(then)
        return True

    return answer


def test_a_proxy_trickling_its_answer_ends_at_the_connection_timeout(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    server = smtp_server()
    with ConnectProxy(
        answer=trickle(b"HTTP/1.1 200 Connection established\r\nX-Pad: ", b"\r\n\r\n")
    ) as proxy:
        config = logto_config(server.port, proxy=proxy.url(), connectionTimeout=400, socketTimeout=400)
        result = send(cli, tmp_path, config, 1)
    assert result.stderr.splitlines()[0] == (
        f"smtp-connector: error: 127.0.0.1:{server.port}: the proxy 127.0.0.1:{proxy.port} did not set up the "
        "connection within 400 ms (connectionTimeout)"
    )
    assert server.messages == []


@pytest.mark.parametrize("size", [MAX_ANSWER, MAX_ANSWER + 1])
def test_the_proxys_answer_is_capped(smtp_server: ServerFactory, size: int) -> None:
    server = smtp_server()
    head = b"HTTP/1.1 200 Connection established\r\nX-Pad: "
    pad = b"p" * (size - len(head) - 4)

    def answer(client: socket.socket) -> bool:
        client.sendall(head + pad + b"\r\n\r\n")
        return True

    with ConnectProxy(answer=answer) as proxy:
        raw = logto_config(server.port, proxy=proxy.url())
        outcome = send_all(ConnectorConfig.model_validate(raw), [Job("bob@example.com", "SignIn", {})])
    if size <= MAX_ANSWER:
        assert outcome.ok, outcome.results
    else:
        assert outcome.fatal is not None
        assert str(outcome.fatal) == (
            f"127.0.0.1:{server.port}: proxy 127.0.0.1:{proxy.port}: the proxy's answer to CONNECT runs past "
            "16 KiB"
        )
        assert server.messages == []
