"""Real SMTP servers for tests: aiosmtpd on 127.0.0.1 with trustme certificates and real AUTH.

``smtp_server(tls="implicit"|"starttls"|None, users={...}, tokens={...}, script=Script(...))`` starts a
server on a free port and stops it after the test (``context=`` serves another certificate). A ``Script`` makes the server misbehave on cue
(a 451 on DATA, a 550 on RCPT, a connection dropped in DATA). ``silent_server`` accepts connections and
never greets. ``raw_server(handler)`` gives each connection to a function of the test. ``token_endpoint`` is a local OAuth2 token endpoint. ``ConnectProxy`` is an HTTP CONNECT
proxy on 127.0.0.1 (or an https:// one, given a server context) that can map host names to addresses.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import select
import socket
import ssl
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

Config = dict[str, Any]


def logto_config(port: int, **changes: Any) -> Config:
    """A complete config Logto accepts, pointing at 127.0.0.1:``port``; ``changes`` override top-level keys."""
    templates = [
        {
            "usageType": "SignIn",
            "contentType": "text/html",
            "subject": "Sign-in code {{ code }}",
            "content": "<p>Your code is <b>{{code}}</b> for {{application.name}}.</p>",
        },
        {
            "usageType": "Register",
            "contentType": "text/plain",
            "subject": "Welcome",
            "content": "Code: {{code}}",
        },
        {
            "usageType": "ForgotPassword",
            "contentType": "text/plain",
            "subject": "Reset",
            "content": "{{code}}",
        },
        {
            "usageType": "Generic",
            "contentType": "text/plain",
            "subject": "Code {{code}}",
            "content": "{{code}}",
        },
    ]
    config: Config = {
        "host": "127.0.0.1",
        "port": port,
        "auth": {"type": "login"},
        "fromEmail": "Acme <no-reply@acme.test>",
        "templates": templates,
    }
    config.update(changes)
    return config


def write_config(path: Path, config: Config) -> Path:
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return path


@dataclass
class Script:
    """How the server answers, message by message (each list is consumed from the front)."""

    data_replies: list[str | None] = field(default_factory=list)  # None = the normal 250
    rcpt_replies: list[str | None] = field(default_factory=list)
    drop_in_data: int = 0  # close the connection after reading DATA this many times (before replying)
    data_delay: float = 0.0  # seconds to wait before each reply to DATA (a pace: a batch that takes a while)
    # No reply to DATA at all, until the client gives up and hangs up (a server slower than any
    # socketTimeout), rather than a sleep that a starved client could outlast.
    hold_data: bool = False


class Handler:
    """Records what arrives; follows a Script; knows XOAUTH2 with a set of valid tokens."""

    def __init__(self, script: Script, tokens: set[str]) -> None:
        self.script = script
        self.tokens = tokens
        self.messages: list[Envelope] = []
        self.encrypted: list[bool] = []
        self.sessions: list[tuple[str, str | None]] = []  # (peer address, EHLO name) per message
        self.dropped: list[Envelope] = []
        self.logins: list[tuple[str, str]] = []
        self.mail_from: list[str] = []  # every MAIL FROM the server saw (doctor's tests assert none)

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        self.mail_from.append(address)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.script.rcpt_replies:
            reply = self.script.rcpt_replies.pop(0)
            if reply is not None:
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.script.hold_data:
            await asyncio.Event().wait()  # cancelled by aiosmtpd when the client hangs up
        if self.script.data_delay:
            await asyncio.sleep(self.script.data_delay)
        if self.script.drop_in_data > 0:
            self.script.drop_in_data -= 1
            self.dropped.append(envelope)
            assert server.transport is not None
            server.transport.close()
            return "250 never seen"
        if self.script.data_replies:
            reply = self.script.data_replies.pop(0)
            if reply is not None:
                return reply
        self.messages.append(envelope)
        assert server.transport is not None
        self.encrypted.append(server.transport.get_extra_info("ssl_object") is not None)
        self.sessions.append((session.peer[0], session.host_name))
        return "250 2.0.0 Accepted"

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        blob = args[1] if len(args) > 1 else ""
        text = base64.b64decode(blob).decode() if blob else ""
        fields = dict(part.split("=", 1) for part in text.split("\x01") if "=" in part)
        token = fields.get("auth", "").removeprefix("Bearer ")
        if token in self.tokens:
            self.logins.append(("XOAUTH2", fields.get("user", "")))
            return AuthResult(success=True, handled=False, auth_data=fields.get("user"))
        error = json.dumps({"status": "401", "schemes": "Bearer", "scope": "https://mail.google.com/"})
        await server.challenge_auth(error)  # the client answers with an empty line
        return AuthResult(success=False, handled=False)


class _NoAuthHandler(Handler):
    """A server that offers no AUTH at all (aiosmtpd always writes an AUTH line, empty or not)."""

    async def handle_EHLO(
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        return [line for line in responses if not line.startswith("250-AUTH")]


class _Controller(Controller):
    """aiosmtpd's Controller on port 0: learn the bound port before the readiness probe."""

    def factory(self) -> SMTP:
        with warnings.catch_warnings():  # tests that need AUTH without TLS (loopback) ask for it on purpose
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
            return super().factory()

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class Server:
    controller: Controller
    handler: Handler

    @property
    def port(self) -> int:
        return int(self.controller.port)

    @property
    def messages(self) -> list[Envelope]:
        return self.handler.messages


@dataclass
class Certificates:
    ca: trustme.CA
    server_context: ssl.SSLContext

    @property
    def ca_pem(self) -> str:
        return self.ca.cert_pem.bytes().decode()


@pytest.fixture(scope="session")
def certificates() -> Certificates:
    """A test CA and a server certificate for localhost and 127.0.0.1 signed by it."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    return Certificates(ca, context)


@pytest.fixture(scope="session")
def other_ca_pem() -> str:
    """A CA that did not sign the server's certificate."""
    return trustme.CA().cert_pem.bytes().decode()


ServerFactory = Callable[..., Server]


@pytest.fixture
def smtp_server(certificates: Certificates) -> Iterator[ServerFactory]:
    """Start aiosmtpd servers: ``smtp_server(tls="starttls", users={"u": "p"}, tokens={"t"}, script=...)``
    (``smtputf8=True`` offers SMTPUTF8 and reads commands as UTF-8, ``smtputf8=False`` does not offer it;
    ``size=N`` advertises SIZE N; ``offer_auth=False`` leaves AUTH out of the EHLO reply)."""
    started: list[Controller] = []

    def start(
        *,
        tls: str | None = None,
        users: dict[str, str] | None = None,
        tokens: set[str] | None = None,
        script: Script | None = None,
        auth_require_tls: bool = True,
        host: str = "127.0.0.1",
        context: ssl.SSLContext | None = None,
        smtputf8: bool | None = None,
        size: int | None = None,
        offer_auth: bool = True,
    ) -> Server:
        handler = (Handler if offer_auth else _NoAuthHandler)(script or Script(), tokens or set())
        kwargs: dict[str, Any] = {"hostname": host, "port": 0, "ready_timeout": 10}
        if smtputf8 is not None:  # True: aiosmtpd reads commands as UTF-8 (else a non-ASCII one gets 500)
            kwargs["enable_SMTPUTF8"] = smtputf8
        if size is not None:  # advertised as SIZE (0: no limit)
            kwargs["data_size_limit"] = size
        if tls == "implicit":
            kwargs["ssl_context"] = context or certificates.server_context
        elif tls == "starttls":
            kwargs["tls_context"] = context or certificates.server_context
        if users is not None or tokens:
            accounts = users or {}

            def authenticator(
                server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
            ) -> AuthResult:
                if isinstance(data, LoginPassword):
                    user, password = data.login.decode(), data.password.decode()
                    if accounts.get(user) == password:
                        handler.logins.append((mechanism, user))
                        return AuthResult(success=True)
                return AuthResult(success=False, handled=False)

            # aiosmtpd counts only STARTTLS as TLS for AUTH; an implicit-TLS session is encrypted all along.
            require_tls = auth_require_tls and tls != "implicit"
            kwargs.update(authenticator=authenticator, auth_required=True, auth_require_tls=require_tls)
        controller = _Controller(handler, **kwargs)
        controller.start()
        started.append(controller)
        return Server(controller, handler)

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts TCP connections (into the backlog) and never says a word."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield int(sock.getsockname()[1])
    sock.close()


ConnectionHandler = Callable[[socket.socket], None]


@pytest.fixture
def raw_server() -> Iterator[Callable[[ConnectionHandler], int]]:
    """``raw_server(handler)``: a port whose every connection is given to ``handler`` in a thread."""
    listeners: list[socket.socket] = []
    stop = threading.Event()

    def start(handler: ConnectionHandler) -> int:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listeners.append(listener)

        def serve() -> None:
            while not stop.is_set():
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                threading.Thread(target=_run, args=(handler, conn), daemon=True).start()

        threading.Thread(target=serve, daemon=True).start()
        return int(listener.getsockname()[1])

    yield start
    stop.set()
    for listener in listeners:
        listener.close()


def _run(handler: ConnectionHandler, conn: socket.socket) -> None:
    with conn, contextlib.suppress(OSError):  # the client went away: what the test wants
        handler(conn)


@pytest.fixture
def mute_after_greeting() -> Iterator[int]:
    """A server that greets and then never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            conn.sendall(b"220 mute.test ESMTP\r\n")
            held.append(conn)

    threading.Thread(target=serve, daemon=True).start()
    yield int(listener.getsockname()[1])
    listener.close()
    for conn in held:
        conn.close()


@dataclass
class TokenEndpoint:
    url: str
    requests: list[dict[str, str]]
    answer: dict[str, Any]
    status: int = 200


@pytest.fixture
def token_endpoint() -> Iterator[TokenEndpoint]:
    """A local OAuth2 token endpoint that records each form it gets and answers ``answer`` as JSON."""
    endpoint = TokenEndpoint("", [], {"access_token": "fresh-access-token", "expires_in": 3600})

    class Handle(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode())
            endpoint.requests.append({k: v[0] for k, v in form.items()})
            body = json.dumps(endpoint.answer).encode()
            self.send_response(endpoint.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}/token"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield endpoint
    server.shutdown()
    server.server_close()


class ConnectProxy:
    """An HTTP CONNECT proxy on 127.0.0.1 (or ``bind``), recording each request's head and every
    byte it relays to the server (``relayed``).

    ``hosts`` maps a requested host to the address the proxy connects to, as a proxy's own resolver would;
    ``context`` makes it an https:// proxy serving that certificate (``failed_handshakes`` counts clients
    that gave up on it); ``answer(client)`` replaces the ``200`` answer (return False to hang up).
    """

    def __init__(
        self,
        *,
        refuse: bool = False,
        coalesce: bool = False,
        hosts: dict[str, str] | None = None,
        context: ssl.SSLContext | None = None,
        answer: Callable[[socket.socket], bool] | None = None,
        bind: str = "127.0.0.1",
    ) -> None:
        self.refuse = refuse
        self.coalesce = coalesce
        self.hosts = hosts or {}
        self.context = context
        self.answer = answer
        self.requests: list[str] = []
        self.relayed = bytearray()
        self.failed_handshakes = 0
        self.listener = socket.create_server((bind, 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, userinfo: str = "") -> str:
        scheme = "https" if self.context is not None else "http"
        return f"{scheme}://{userinfo + '@' if userinfo else ''}127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        if self.context is not None:
            try:
                client = self.context.wrap_socket(client, server_side=True)
            except (ssl.SSLError, OSError):
                self.failed_handshakes += 1
                client.close()
                return
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(1)
            if not chunk:
                client.close()
                return
            head += chunk
        self.requests.append(head.decode())
        target = head.split(b" ")[1].decode()
        if self.refuse:
            client.sendall(b"HTTP/1.1 403 Forbidden\r\n\r\n")
            client.close()
            return
        if self.answer is not None and not self.answer(client):
            client.close()
            return
        host, _, port = target.rpartition(":")
        upstream = socket.create_connection((self.hosts.get(host, host), int(port)))
        if self.answer is None:
            established = b"HTTP/1.1 200 Connection established\r\n\r\n"
            if self.coalesce:  # the server's greeting in the same segment as the proxy's answer
                client.sendall(established + upstream.recv(65536))
            else:
                client.sendall(established)
                # nodemailer 6 drops bytes that reach it together with the proxy's answer (it unshifts them
                # onto a flowing socket whose 'data' listener it has just removed), so Logto's send would
                # wait for a greeting it already lost; a pause keeps the two apart on a loaded machine. Ours
                # copes either way: test_our_send_takes_a_greeting_that_arrives_with_the_proxys_answer.
                time.sleep(0.3)
        with client, upstream, contextlib.suppress(OSError, ValueError):
            self._relay(client, upstream)

    def _relay(self, client: socket.socket, upstream: socket.socket) -> None:
        """Pipe both ways in one thread (an SSLSocket must not be read and written from two). An end of
        stream is passed on as a half-close, so the other direction still delivers what is in flight (the
        server's 221 after the client's QUIT); a TLS client, which has no half-close, is hung up on."""
        watched = [client, upstream]
        while watched:
            pending = isinstance(client, ssl.SSLSocket) and client in watched and client.pending()
            for src in [client] if pending else select.select(watched, [], [])[0]:
                dst = upstream if src is client else client
                data = src.recv(65536)
                if data:
                    if src is client:
                        self.relayed.extend(data)
                    dst.sendall(data)
                elif isinstance(dst, ssl.SSLSocket):
                    return
                else:
                    dst.shutdown(socket.SHUT_WR)
                    watched.remove(src)

    def close(self) -> None:
        self.listener.close()

    def __enter__(self) -> ConnectProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def outside_address() -> str | None:
    """This machine's own address on its outgoing interface (not loopback), or None: a server bound there
    is still on this machine, but is not loopback to the code under test."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # UDP: no packet is sent; this only picks the outgoing interface
        address = str(probe.getsockname()[0])
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") else address
