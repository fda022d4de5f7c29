"""Connecting through ``proxy`` as Logto's nodemailer does: HTTP CONNECT over http:// or https://.

nodemailer opens the proxy connection, sends ``CONNECT host:port`` with ``Host`` and, for a URL with
credentials, ``Proxy-Authorization: Basic``, and takes any 2xx reply. SOCKS URLs need a module that
Logto does not load, so Logto fails every send with "Socks module not loaded"; other schemes with
"Unknown proxy configuration". Those are refused here with the same reason (lint SC312).

Two deliberate differences (docs/logto-compat.md): an https:// proxy's certificate is verified like the
SMTP server's (nodemailer accepts any), and the whole exchange, from the TCP connect to the end of the
proxy's answer, has one deadline, ``connectionTimeout`` (nodemailer waits up to 30 s of silence, and
without end for a proxy that trickles), and an answer of at most :data:`MAX_ANSWER` bytes.
"""

from __future__ import annotations

import base64
import socket
import ssl
import time
from urllib.parse import unquote, urlsplit

from connector.diagnostics.printable import printable
from connector.diagnostics.redact import register_base64
from connector.errors import InputError
from connector.logto import proxy_problem

MAX_ANSWER = 16 * 1024  # a CONNECT answer is a status line and a few headers; Node's own cap is 16 KiB


class ProxyAnswer(ConnectionError):
    """The proxy's answer to CONNECT: a refusal, or not an HTTP answer at all."""


def check_proxy(url: str) -> None:
    """Refuse a proxy URL that Logto's send fails on, with nodemailer's reason."""
    problem = proxy_problem(url)
    if problem is not None:
        raise InputError(f"`proxy`: {problem}", hint="use an http:// or https:// proxy, or remove `proxy`")


def proxy_address(url: str) -> str:
    """``host:port`` of the proxy, for messages (the URL itself may hold a password)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"[{host}]:{_port(url)}" if ":" in host else f"{host}:{_port(url)}"


def _port(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or (443 if parts.scheme.lower() == "https" else 80)


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the proxy did not set up the connection in time")
    return left


def connect_through(
    url: str,
    host: str,
    port: int,
    *,
    deadline: float,
    source: tuple[str, int] | None,
    context: ssl.SSLContext,
) -> socket.socket:
    """A socket to ``host:port`` tunnelled through the HTTP proxy at ``url``, set up before ``deadline``
    (``time.monotonic()``); an https:// proxy's certificate is checked with ``context``. A refusal, a
    timeout or an untrusted certificate is an OSError."""
    check_proxy(url)
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname or "", _port(url)), _left(deadline), source)
    try:
        if parts.scheme.lower() == "https":
            sock.settimeout(_left(deadline))  # CPython's handshake takes the timeout as its deadline
            sock = context.wrap_socket(sock, server_hostname=parts.hostname)
        headers = [f"Host: {host}:{port}", "Connection: close"]
        if parts.username is not None or parts.password is not None:
            # nodemailer sends the URL's user:pass with percent-escapes decoded (Node's url.parse).
            userinfo = unquote(parts.netloc.rpartition("@")[0])
            register_base64(userinfo)  # a proxy that echoes the request in its refusal must not show it
            headers.append("Proxy-Authorization: Basic " + base64.b64encode(userinfo.encode()).decode())
        request = f"CONNECT {host}:{port} HTTP/1.1\r\n" + "\r\n".join(headers) + "\r\n\r\n"
        sock.settimeout(_left(deadline))
        sock.sendall(request.encode("latin-1"))
        answer = bytearray()
        while not answer.endswith(b"\r\n\r\n"):
            if len(answer) >= MAX_ANSWER:
                raise ProxyAnswer(f"the proxy's answer to CONNECT runs past {MAX_ANSWER // 1024} KiB")
            sock.settimeout(_left(deadline))
            chunk = sock.recv(1)  # byte by byte: what follows the answer belongs to the SMTP server
            if not chunk:
                raise ProxyAnswer("the proxy closed the connection before answering CONNECT")
            answer += chunk
        status = printable(bytes(answer).split(b"\r\n", 1)[0].decode("latin-1"))
        fields = status.split()
        if len(fields) < 2 or not fields[0].startswith("HTTP/") or not fields[1].startswith("2"):
            raise ProxyAnswer(f"the proxy refused CONNECT {host}:{port}: {status or 'no reply'}")
    except BaseException:
        sock.close()
        raise
    return sock
