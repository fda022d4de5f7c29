"""Connecting through ``proxy`` as Logto's nodemailer does: HTTP CONNECT over http:// or https://.

nodemailer opens the proxy connection (TLS without a certificate check for https://, since the SMTP
server's own certificate is what is verified), sends ``CONNECT host:port`` with ``Host`` and, for a URL
with credentials, ``Proxy-Authorization: Basic``, and takes any 2xx reply. SOCKS URLs need a module that
Logto does not load, so Logto fails every send with "Socks module not loaded"; other schemes with
"Unknown proxy configuration". Those are refused here with the same reason (lint SC312).
"""

from __future__ import annotations

import base64
import socket
import ssl
from urllib.parse import unquote, urlsplit

from connector.errors import InputError
from connector.logto import proxy_problem

_MAX_REPLY = 64 * 1024


def check_proxy(url: str) -> None:
    """Refuse a proxy URL that Logto's send fails on, with nodemailer's reason."""
    problem = proxy_problem(url)
    if problem is not None:
        raise InputError(f"`proxy`: {problem}", hint="use an http:// or https:// proxy, or remove `proxy`")


def connect_through(
    url: str, host: str, port: int, timeout: float, source: tuple[str, int] | None
) -> socket.socket:
    """A socket to ``host:port`` tunnelled through the HTTP proxy at ``url`` (a refusal is an OSError)."""
    check_proxy(url)
    parts = urlsplit(url)
    secure = parts.scheme.lower() == "https"
    proxy_port = parts.port or (443 if secure else 80)
    sock = socket.create_connection((parts.hostname or "", proxy_port), timeout, source)
    try:
        if secure:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # as nodemailer: the SMTP server's certificate is checked
            sock = context.wrap_socket(sock, server_hostname=parts.hostname)
        headers = [f"Host: {host}:{port}", "Connection: close"]
        if parts.username is not None or parts.password is not None:
            # nodemailer sends the URL's user:pass with percent-escapes decoded (Node's url.parse).
            userinfo = unquote(parts.netloc.rpartition("@")[0])
            headers.append("Proxy-Authorization: Basic " + base64.b64encode(userinfo.encode()).decode())
        request = f"CONNECT {host}:{port} HTTP/1.1\r\n" + "\r\n".join(headers) + "\r\n\r\n"
        sock.sendall(request.encode("latin-1"))
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = sock.recv(1)  # byte by byte: what follows the reply belongs to the SMTP server
            if not chunk or len(reply) > _MAX_REPLY:
                raise ConnectionError("the proxy closed the connection before answering CONNECT")
            reply += chunk
        status = reply.split(b"\r\n", 1)[0].decode("latin-1")
        fields = status.split()
        if len(fields) < 2 or not fields[0].startswith("HTTP/") or not fields[1].startswith("2"):
            raise ConnectionRefusedError(f"the proxy refused CONNECT {host}:{port}: {status or 'no reply'}")
    except BaseException:
        sock.close()
        raise
    return sock
