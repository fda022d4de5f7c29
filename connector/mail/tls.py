"""TLS settings of a config, read as nodemailer reads them: implicit TLS, SNI name, trust, versions.

Also TLS inside TLS: the SMTP session's own TLS through the encrypted link to an ``https://`` proxy.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar, cast

from connector.errors import InputError
from connector.schema.models import ConnectorConfig

_T = TypeVar("_T")

_VERSIONS = {
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1.1": ssl.TLSVersion.TLSv1_1,
    "TLSv1.2": ssl.TLSVersion.TLSv1_2,
    "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}


def server_name(config: ConnectorConfig) -> str:
    """The name sent for SNI and checked against the certificate: tls.servername, servername, host."""
    return (config.tls.servername if config.tls else None) or config.servername or config.host


def tls_warnings(config: ConnectorConfig) -> list[str]:
    """What a connection made with ``config`` would give away, for the caller to show before sending."""
    if config.tls is not None and config.tls.rejectUnauthorized is False:
        which = "the server's certificate is"
        if config.proxy is not None and config.proxy.lower().startswith("https:"):
            which = "the server's and the proxy's certificates are"
        return [
            f"tls.rejectUnauthorized is false: {which} not checked, so anyone on the way can read the mail "
            "and the credentials"
        ]
    return []


def trust_context(config: ConnectorConfig) -> ssl.SSLContext:
    """Certificates verified against the system's CAs and ``tls.ca``; rejectUnauthorized: false turns
    verification off (:func:`tls_warnings` says so). What an ``https://`` proxy is checked with."""
    tls = config.tls
    context = ssl.create_default_context()
    if tls is None:
        return context
    if tls.ca:
        for index, pem in enumerate([tls.ca] if isinstance(tls.ca, str) else tls.ca):
            try:
                context.load_verify_locations(cadata=pem)
            except (ssl.SSLError, ValueError) as e:
                where = "tls.ca" if isinstance(tls.ca, str) else f"tls.ca[{index}]"
                raise InputError(
                    f"{where} is not a PEM certificate",
                    hint="paste the CA certificate, -----BEGIN CERTIFICATE----- included",
                ) from e
    if tls.rejectUnauthorized is False:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # tls_warnings says so; the CLI prints it
    return context


def tls_context(config: ConnectorConfig) -> ssl.SSLContext:
    """The SMTP session's TLS: :func:`trust_context` with ``tls.minVersion``, ``maxVersion`` and ``ciphers``."""
    context = trust_context(config)
    tls = config.tls
    if tls is None:
        return context
    try:
        if tls.minVersion:
            context.minimum_version = _VERSIONS[tls.minVersion]
        if tls.maxVersion:
            context.maximum_version = _VERSIONS[tls.maxVersion]
        if tls.ciphers:
            context.set_ciphers(tls.ciphers)
    except (ssl.SSLError, ValueError) as e:
        raise InputError(
            f"the tls settings cannot be used: {e}",
            hint="check tls.minVersion, tls.maxVersion and tls.ciphers",
        ) from e
    return context


def start_tls(
    sock: socket.socket, context: ssl.SSLContext, server_hostname: str | None, timeout: float | None
) -> socket.socket:
    """TLS over ``sock``, the handshake done within ``timeout`` seconds in all. Over the TLS link to an
    https:// proxy the session's TLS runs inside it (an SSLSocket cannot be wrapped twice)."""
    sock.settimeout(timeout)  # CPython's handshake takes the socket's timeout as its deadline
    if isinstance(sock, ssl.SSLSocket):
        inner = TunnelledTLS(sock, context, server_hostname)
        inner.handshake()
        return cast(socket.socket, inner)
    return context.wrap_socket(sock, server_hostname=server_hostname)


class TunnelledTLS:
    """A TLS session inside another: the stdlib's :class:`ssl.SSLObject` over memory buffers, its records
    carried by ``outer`` (the proxy's TLS link). The socket methods smtplib and the transport use."""

    def __init__(self, outer: ssl.SSLSocket, context: ssl.SSLContext, server_hostname: str | None) -> None:
        self.outer = outer
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.tls = context.wrap_bio(self.incoming, self.outgoing, server_hostname=server_hostname)
        self.timeout = outer.gettimeout()

    def handshake(self) -> None:
        self._run(self.tls.do_handshake)

    def recv(self, size: int) -> bytes:
        try:
            return self._run(partial(self.tls.read, size))
        except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
            return b""  # the server closed the session (cleanly or not): the end, as a socket says it

    def sendall(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[self._run(partial(self.tls.write, view)) :]

    def _run(self, step: Callable[[], _T]) -> _T:
        """Run ``step`` until it needs nothing more from the server; one deadline for all of it, as an
        SSLSocket has (``timeout`` is the whole call's, not each read's)."""
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        while True:
            try:
                result = step()
            except ssl.SSLWantReadError:
                self._flush()
                if deadline is not None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise TimeoutError("timed out") from None
                    self.outer.settimeout(left)
                chunk = self.outer.recv(65536)
                if chunk:
                    self.incoming.write(chunk)
                else:
                    self.incoming.write_eof()
                continue
            self._flush()
            return result

    def _flush(self) -> None:
        data = self.outgoing.read()
        if data:
            self.outer.settimeout(self.timeout)
            self.outer.sendall(data)

    def settimeout(self, timeout: float | None) -> None:
        self.timeout = timeout
        self.outer.settimeout(timeout)

    def gettimeout(self) -> float | None:
        return self.timeout

    def getpeername(self) -> tuple[str, int]:
        return cast(tuple[str, int], self.outer.getpeername())

    def version(self) -> str | None:
        return self.tls.version()

    def getpeercert(self) -> dict[str, Any] | None:
        return self.tls.getpeercert()

    def close(self) -> None:
        self.outer.close()
