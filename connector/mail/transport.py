"""One SMTP connection opened the way nodemailer opens it for Logto: TLS, STARTTLS, timeouts, AUTH.

Every failure becomes a :class:`DeliveryError` of one line with the server's reply; never a traceback
and never a secret. Timeouts are nodemailer's: ``connectionTimeout`` for the TCP connect (and the
implicit TLS handshake), ``greetingTimeout`` until the 220 greeting, ``socketTimeout`` for every later read.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import smtplib
import socket
import ssl
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from connector.diagnostics.redact import register_base64
from connector.errors import DeliveryError, InputError
from connector.logto import DEFAULT_TIMEOUTS, TIMEOUT_KEYS, implicit_tls
from connector.logto.loopback import is_loopback
from connector.logto.timers import timer_problem
from connector.mail.oauth2 import TokenSource
from connector.mail.proxy import ProxyAnswer, check_proxy, connect_through, proxy_address
from connector.mail.tls import server_name, start_tls, tls_context, trust_context
from connector.schema.models import ConnectorConfig, LoginAuth

DEFAULT_CONNECTION_TIMEOUT = DEFAULT_TIMEOUTS["connectionTimeout"]  # milliseconds, nodemailer's defaults
DEFAULT_GREETING_TIMEOUT = DEFAULT_TIMEOUTS["greetingTimeout"]
DEFAULT_SOCKET_TIMEOUT = DEFAULT_TIMEOUTS["socketTimeout"]
_LOGIN_MECHANISMS = ("PLAIN", "LOGIN", "CRAM-MD5")
_MAX_CHALLENGES = 5  # smtplib's own limit
# A reply is a few lines (an EHLO reply lists a dozen extensions; RFC 5321 allows 512 bytes a line). These
# caps stop a server that streams `220-...` lines forever from filling memory; smtplib has none.
MAX_REPLY_LINES = 100
MAX_REPLY_BYTES = 64 * 1024
_MAX_LINE = 8192  # smtplib's own limit for one line


class BadReply(smtplib.SMTPException):
    """The server's reply cannot be a real one (too long, too many lines, an AUTH challenge not base64)."""


@dataclass(frozen=True)
class Reply:
    code: int
    text: str

    def __str__(self) -> str:
        return f"{self.code} {self.text}".rstrip()


def ehlo_name(config: ConnectorConfig) -> str:
    """``name``, else nodemailer's default: the host name if it is fully qualified, else [127.0.0.1].

    nodemailer drops line breaks from ``name`` and writes it as UTF-8 like every command (a lone UTF-16
    surrogate, which a JavaScript string may hold, becomes U+FFFD); a server may refuse a non-ASCII name
    (lint SC404), and its reply is the error.
    """
    if config.name:
        name = re.sub(r"[\r\n]+", "", config.name)
        return name.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    host = socket.gethostname()
    if "." not in host:
        return "[127.0.0.1]"
    return f"[{host}]" if host.replace(".", "").isdigit() else host


class _Client(smtplib.SMTP):
    """smtplib with one deadline to connect (through the proxy, if any) and our own implicit TLS context.

    Only smtplib's public methods are overridden (``connect``, ``getreply``, ``send``, ``auth``,
    ``auth_login``): replies are read from ``sock`` here, so smtplib's ``file`` is never made.
    """

    def __init__(
        self, name: str, connect_timeout: float, source: tuple[str, int] | None, proxy: str | None = None
    ) -> None:
        super().__init__(local_hostname=name, source_address=source)
        self.connect_timeout = connect_timeout
        self.proxy = proxy
        self.proxy_context: ssl.SSLContext | None = None
        self.implicit: ssl.SSLContext | None = None
        self.server_name: str | None = None
        self.encrypted = False  # the SMTP session's own TLS; never the TLS link to an https:// proxy
        self.stage = "connect"
        self.deadline: float | None = None
        # With ``whole_replies``: each reply must end within this many seconds of its command, however
        # slowly its bytes come (doctor's promise of a bounded wait); None: socketTimeout per read, as
        # nodemailer's idle timer.
        self.reply_timeout: float | None = None
        self.challenges = 0  # AUTH rounds so far (334 replies answered)
        self._buffer = bytearray()

    def send(self, s: Any) -> None:
        """Commands go out as UTF-8, as nodemailer writes them (smtplib's ASCII raised on a non-ASCII name)."""
        super().send(s.encode("utf-8") if isinstance(s, str) else s)
        if self.reply_timeout is not None:
            self.deadline = time.monotonic() + self.reply_timeout

    def connect(
        self, host: str = "localhost", port: int = 0, source_address: Any = None
    ) -> tuple[int, bytes]:
        """smtplib's ``connect`` with the socket from :meth:`open_socket`, then the greeting.

        smtplib's own hook for the socket, ``_get_socket``, is private; ``connect`` is public and small, so
        it is written out here (without its ``host:port`` spelling, which this module never passes).
        """
        if source_address:
            self.source_address = source_address
        port = port or self.default_port
        sys.audit("smtplib.connect", self, host, port)
        self.sock = self.open_socket(host, port, self.timeout)
        return self.getreply()

    def open_socket(self, host: str, port: int, greeting_timeout: float) -> socket.socket:
        """The connection to ``host:port``: TCP, through the proxy if any, then implicit TLS if set, all
        within ``connect_timeout`` (nodemailer's connectionTimeout); then the greeting's deadline starts."""
        deadline = time.monotonic() + self.connect_timeout
        source = cast(tuple[str, int] | None, self.source_address)
        if self.proxy is not None:
            self.stage = "proxy"
            context = self.proxy_context or ssl.create_default_context()
            sock = connect_through(self.proxy, host, port, deadline=deadline, source=source, context=context)
        else:
            self.stage = "connect"
            sock = socket.create_connection((host, port), self.connect_timeout, source)
        try:
            if self.implicit is not None:
                self.stage = "tls"
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("no time left for the TLS handshake")
                sock = start_tls(sock, self.implicit, self.server_name, left)
                self.encrypted = True
            sock.settimeout(greeting_timeout)
        except BaseException:
            sock.close()
            raise
        self.stage = "greeting"
        # nodemailer's greetingTimeout is one timer for the whole greeting, not a limit per read: a server
        # trickling a byte at a time must not hold the send.
        self.deadline = time.monotonic() + greeting_timeout
        return sock

    def getreply(self) -> tuple[int, bytes]:
        """smtplib's reply reading, bounded: at most MAX_REPLY_LINES lines and MAX_REPLY_BYTES bytes, and
        before ``deadline`` (the greeting's, or with ``reply_timeout`` the command's), however slowly the
        bytes come."""
        try:
            return self._reply()
        finally:
            if self.reply_timeout is not None:
                self.deadline = None  # the next command sets its own
                if self.sock is not None:
                    self.sock.settimeout(self.reply_timeout)  # the STARTTLS handshake's, for one

    def _reply(self) -> tuple[int, bytes]:
        lines: list[bytes] = []
        size = 0
        while True:
            line = self._readline()
            size += len(line)
            if len(lines) >= MAX_REPLY_LINES or size > MAX_REPLY_BYTES:
                self.close()
                raise BadReply(
                    f"the server's reply runs past {MAX_REPLY_LINES} lines or {MAX_REPLY_BYTES // 1024} KiB; "
                    "no SMTP server sends that"
                )
            code, more, text = line[:3], line[3:4], line[4:].strip(b" \t\r\n")
            lines.append(text)
            if not code.isdigit():
                return -1, b"\n".join(lines)
            if more != b"-":
                return int(code), b"\n".join(lines)

    def close(self) -> None:
        self._buffer.clear()
        super().close()

    def _readline(self) -> bytes:
        buffer = self._buffer
        while True:
            end = buffer.find(b"\n")
            if end >= 0:
                line = bytes(buffer[: end + 1])
                del buffer[: end + 1]
                return line
            if len(buffer) > _MAX_LINE:
                self.close()
                raise BadReply(f"the server sent a line longer than {_MAX_LINE} bytes")
            if self.sock is None:
                raise smtplib.SMTPServerDisconnected("please run connect() first")
            try:
                if self.deadline is not None:
                    left = self.deadline - time.monotonic()
                    if left <= 0:
                        raise TimeoutError("the reply did not end in time")
                    self.sock.settimeout(left)
                chunk = self.sock.recv(4096)
            except OSError as e:
                self.close()
                raise smtplib.SMTPServerDisconnected(f"Connection unexpectedly closed: {e}") from e
            if not chunk:
                self.close()
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            buffer += chunk

    def auth(
        self, mechanism: str, authobject: Callable[..., str | None], *, initial_response_ok: bool = True
    ) -> tuple[int, bytes]:
        """smtplib's AUTH exchange, but with credentials sent as UTF-8, as nodemailer sends them.

        smtplib encodes them as ASCII, so a password with a non-ASCII letter raised UnicodeEncodeError.
        """
        mechanism = mechanism.upper()
        initial = authobject() if initial_response_ok else None
        # auth_login reads the count to tell the user prompt from the password prompt.
        if initial is not None:
            code, resp = self.docmd("AUTH", f"{mechanism} {_b64(initial)}")
            self.challenges = 1
        else:
            code, resp = self.docmd("AUTH", mechanism)
            self.challenges = 0
        while code == 334:
            self.challenges += 1
            if self.challenges > _MAX_CHALLENGES:
                raise smtplib.SMTPException(f"the server's AUTH {mechanism} never ends: {code} {resp!r}")
            try:
                challenge = base64.b64decode(resp, validate=True)
            except binascii.Error:
                raise BadReply(
                    f"the server's AUTH {mechanism} challenge is not base64: {code} {_text(resp)}"
                ) from None
            answer = authobject(challenge) or ""
            code, resp = self.docmd(_b64(answer))
        if code in (235, 503):
            return code, resp
        raise smtplib.SMTPAuthenticationError(code, resp)

    def auth_login(self, challenge: Any = None) -> Any:
        """The user name first, then the password (smtplib's own counts its rounds in a private field)."""
        return self.user if challenge is None or self.challenges < 2 else self.password

    def auth_cram_md5(self, challenge: Any = None) -> Any:
        if challenge is None:
            return None
        digest = hmac.HMAC(str(self.password).encode("utf-8"), challenge, "md5").hexdigest()
        return f"{self.user} {digest}"


def _b64(text: str) -> str:
    """An AUTH response as sent. Each holds a credential or is derived from one (PLAIN, LOGIN's password,
    XOAUTH2's token): registered, so that a server echoing it in its reply has it redacted."""
    register_base64(text)
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


@dataclass(frozen=True)
class Session:
    """What an open session shows (``doctor`` reads it): the EHLO extensions (lowercase names), whether
    the SMTP session itself is encrypted, its TLS version, the server's certificate as the standard
    library decodes a verified one (None when unverified or in clear), and whether the server is this
    machine (then credentials may cross in clear: :meth:`Connection.login` allows it)."""

    features: dict[str, str]
    encrypted: bool
    tls_version: str | None
    certificate: dict[str, Any] | None
    local: bool = False


class Connection:
    """An SMTP session for one config, opened lazily and reused across messages."""

    def __init__(
        self, config: ConnectorConfig, *, tokens: TokenSource | None = None, whole_replies: bool = False
    ) -> None:
        """``whole_replies``: every reply must end within socketTimeout of its command (doctor), not
        merely each read (nodemailer's idle timer, which a server sending a byte at a time never trips)."""
        self.config = config
        self.whole_replies = whole_replies
        self.where = (
            f"[{config.host}]:{config.port}" if ":" in config.host else f"{config.host}:{config.port}"
        )
        self.tokens = tokens
        self._client: _Client | None = None
        self._context: ssl.SSLContext | None = None

    def tls(self) -> ssl.SSLContext:
        """The TLS context, made once per connection object (its CA certificates are read once)."""
        if self._context is None:
            self._context = tls_context(self.config)
        return self._context

    def _fail(
        self, message: str, reply: Reply | None = None, *, hint: str = "", **kind: bool
    ) -> DeliveryError:
        text = f"{self.where}: {message}" + (f": {reply}" if reply else "")
        return DeliveryError(
            text, hint=hint, code=reply.code if reply else None, reply=reply.text if reply else "", **kind
        )

    def _refused(self, message: str, code: int, text: bytes | str) -> DeliveryError:
        """The server refused the session: a 4xx may pass (retry later), a 5xx ends the batch."""
        return self._fail(message, Reply(code, _text(text)), transient=400 <= code < 500, fatal=code >= 500)

    def open(self) -> None:
        """Connect, read the greeting, say EHLO, upgrade to TLS as configured, and log in."""
        self.greet()
        self.negotiate()
        self.login()

    def greet(self) -> None:
        """Connect (through the proxy, with implicit TLS if set) and read the 220 greeting."""
        self.close()
        config = self.config
        _refuse_what_logto_does_otherwise(config)
        connect_ms = config.connectionTimeout or DEFAULT_CONNECTION_TIMEOUT
        greeting_ms = config.greetingTimeout or DEFAULT_GREETING_TIMEOUT
        source = (config.localAddress, 0) if config.localAddress else None
        client = _Client(ehlo_name(config), connect_ms / 1000, source, config.proxy)
        if config.proxy is not None:
            client.proxy_context = trust_context(config)  # an https:// proxy is verified like the server
        if implicit_tls(config.secure, config.port):
            client.implicit = self.tls()
            client.server_name = server_name(config)
        client.timeout = greeting_ms / 1000
        socket_s = (config.socketTimeout or DEFAULT_SOCKET_TIMEOUT) / 1000
        try:
            code, text = client.connect(config.host, config.port)
        except OSError as e:
            client.close()
            raise self._connect_error(e, client.stage, connect_ms, greeting_ms) from e
        client.deadline = None
        client.reply_timeout = socket_s if self.whole_replies else None
        if code != 220:
            client.close()
            raise self._refused("the server refused the connection", code, text)
        if client.sock is not None:
            client.sock.settimeout(socket_s)
        self._client = client

    def negotiate(self) -> None:
        """EHLO, then STARTTLS as the config says (and EHLO again over TLS); after :meth:`greet`."""
        self.hello()
        self.upgrade()

    def hello(self) -> None:
        """EHLO (HELO if refused); after :meth:`greet`."""
        self._step(self._hello)

    def upgrade(self) -> None:
        """STARTTLS as the config says, then EHLO again over TLS; after :meth:`hello`."""
        self._step(self._starttls)

    def login(self) -> None:
        """AUTH as nodemailer would (only when the server offers it, or forceAuth); after :meth:`negotiate`."""
        self._step(self._login)

    def session(self) -> Session | None:
        """The open session's extensions and TLS state; None before :meth:`greet` or after closing."""
        client = self._client
        if client is None:
            return None
        sock: Any = client.sock
        version = sock.version() if client.encrypted and hasattr(sock, "version") else None
        certificate = sock.getpeercert() if client.encrypted and hasattr(sock, "getpeercert") else None
        return Session(
            dict(client.esmtp_features),
            client.encrypted,
            version,
            certificate or None,
            self._server_is_local(client),
        )

    def _step(self, *steps: Callable[[_Client], None]) -> None:
        client = self._client
        if client is None:
            raise self._fail("not connected", fatal=True)
        try:
            for step in steps:
                step(client)
        except DeliveryError:
            self.close()
            raise
        except smtplib.SMTPResponseException as e:
            self.close()
            raise self._refused("the server refused the session", e.smtp_code, e.smtp_error) from e
        except OSError as e:
            self.close()
            raise self._dropped(e, "while opening the session") from e

    def _connect_error(self, e: OSError, stage: str, connect_ms: int, greeting_ms: int) -> DeliveryError:
        if stage == "proxy":
            return self._proxy_error(e, connect_ms)
        if isinstance(e, BadReply):
            return self._fail(str(e), fatal=True)
        if isinstance(e, ssl.SSLCertVerificationError):
            return self._fail(
                f"the server's certificate is not trusted ({e.verify_message})",
                hint="add the CA that signed it to tls.ca, set tls.servername to the name on the certificate, "
                "or, for a test server only, tls.rejectUnauthorized: false",
                fatal=True,
            )
        if isinstance(e, ssl.SSLError):
            hint = (
                "this port speaks plain SMTP first; set secure: false to use STARTTLS"
                if "WRONG_VERSION_NUMBER" in str(e)
                else ""
            )
            return self._fail(f"the TLS handshake failed: {e.reason or e}", hint=hint, fatal=True)
        if isinstance(e, socket.gaierror):
            return self._fail(f"cannot resolve the host name ({e.strerror})", hint="check host", fatal=True)
        timed_out = isinstance(e, TimeoutError) or isinstance(e.__context__, TimeoutError)
        if stage == "greeting" and timed_out:
            return self._fail(
                f"the server did not greet within {greeting_ms} ms (greetingTimeout)",
                hint="check host and port; a port that expects TLS from the first byte needs secure: true",
                fatal=True,
            )
        if stage == "greeting":
            return self._fail(
                "the server closed the connection before greeting", transient=True, dropped=True
            )
        if timed_out:
            return self._fail(f"no connection within {connect_ms} ms (connectionTimeout)", fatal=True)
        reason = e.strerror or str(e) or type(e).__name__
        hint = "check host and port"
        if (
            isinstance(e, ConnectionRefusedError)
            and self.config.proxy is None
            and is_loopback(self.config.host)
        ):
            hint = sink_hint(self.config.host, self.config.port)
        return self._fail(f"cannot connect ({reason})", hint=hint, fatal=True)

    def _proxy_error(self, e: OSError, connect_ms: int) -> DeliveryError:
        """Setting up the tunnel failed: the proxy is named (host and port only: its URL may hold a password)."""

        assert self.config.proxy is not None
        proxy = proxy_address(self.config.proxy)
        if isinstance(e, ssl.SSLCertVerificationError):
            return self._fail(
                f"the proxy {proxy}'s certificate is not trusted ({e.verify_message})",
                hint="add the CA that signed it to tls.ca, or name the proxy in `proxy` as its certificate does",
                fatal=True,
            )
        if isinstance(e, ssl.SSLError):
            return self._fail(f"the TLS handshake with the proxy {proxy} failed: {e.reason or e}", fatal=True)
        if isinstance(e, socket.gaierror):
            return self._fail(
                f"cannot resolve the proxy's host name ({e.strerror})", hint="check `proxy`", fatal=True
            )
        if isinstance(e, TimeoutError) or isinstance(e.__context__, TimeoutError):
            return self._fail(
                f"the proxy {proxy} did not set up the connection within {connect_ms} ms (connectionTimeout)",
                fatal=True,
            )
        if isinstance(e, ProxyAnswer):
            return self._fail(f"proxy {proxy}: {e}", fatal=True)
        reason = e.strerror or str(e) or type(e).__name__
        return self._fail(f"cannot connect to the proxy {proxy} ({reason})", hint="check `proxy`", fatal=True)

    def _dropped(self, e: OSError, during: str) -> DeliveryError:
        if isinstance(e, BadReply):
            return self._fail(f"{e} {during}", fatal=True)
        timed_out = isinstance(e, TimeoutError) or isinstance(e.__context__, TimeoutError)
        socket_ms = self.config.socketTimeout or DEFAULT_SOCKET_TIMEOUT
        why = (
            f"no reply within {socket_ms} ms (socketTimeout)"
            if timed_out
            else "the server closed the connection"
        )
        return self._fail(f"{why} {during}", transient=True, dropped=True)

    def _hello(self, client: _Client) -> None:
        try:
            client.ehlo_or_helo_if_needed()
        except smtplib.SMTPHeloError as e:
            raise self._refused("the server refused EHLO and HELO", e.smtp_code, e.smtp_error) from e

    def _starttls(self, client: _Client) -> None:
        config = self.config
        if client.encrypted or config.ignoreTLS:
            return
        if not client.has_extn("starttls"):
            if config.requireTLS:
                raise self._fail(
                    "requireTLS is set but the server does not offer STARTTLS",
                    hint="use secure: true on the server's implicit-TLS port, usually 465",
                    fatal=True,
                )
            return
        code, text = client.docmd("STARTTLS")
        if code != 220:
            if config.opportunisticTLS and not config.requireTLS:
                return  # nodemailer: go on unencrypted
            raise self._refused("the server refused STARTTLS", code, text)
        try:
            assert client.sock is not None
            timeout = client.sock.gettimeout()
            client.sock = start_tls(client.sock, self.tls(), server_name(config), timeout)
            client.encrypted = True
        except ssl.SSLError as e:
            raise self._connect_error(e, "tls", 0, 0) from e
        client._buffer.clear()  # nothing the server sent in plain text may count as said over TLS
        client.helo_resp = client.ehlo_resp = None
        client.esmtp_features = {}
        client.does_esmtp = False
        self._hello(client)

    def _login(self, client: _Client) -> None:
        auth = self.config.auth
        if not (client.has_extn("auth") or self.config.forceAuth):
            return  # nodemailer logs in only when the server offers AUTH (or forceAuth)
        offered = client.esmtp_features.get("auth", "").upper().split()
        if isinstance(auth, LoginAuth):
            if not auth.user or not auth.pass_:
                raise self._fail(
                    f"the server offers AUTH ({' '.join(offered) or 'forced'}) but auth has no user and pass; "
                    'Logto fails here too, with "Missing credentials"',
                    hint="set auth.user and auth.pass, or relay through a server that does not advertise AUTH",
                    fatal=True,
                )
            mechanism = self._mechanism(offered)
            self._refuse_plaintext(client)
            client.user, client.password = auth.user, auth.pass_
            self._auth(client, mechanism, getattr(client, "auth_" + mechanism.lower().replace("-", "_")))
            return
        if self.tokens is None:
            self.tokens = TokenSource(auth)
        self._refuse_plaintext(client)
        try:
            self._auth(client, "XOAUTH2", self._xoauth2(self.tokens.token()))
        except DeliveryError:
            if self.tokens.refreshed or not self.tokens.can_refresh:
                raise
            self._auth(client, "XOAUTH2", self._xoauth2(self.tokens.token(renew=True)))

    def _xoauth2(self, token: str) -> Callable[[bytes | None], str]:
        first = f"user={self.tokens.user if self.tokens else ''}\x01auth=Bearer {token}\x01\x01"

        def respond(challenge: bytes | None = None) -> str:
            return first if challenge is None else ""  # an error challenge: answer empty, get the error

        return respond

    def _mechanism(self, offered: list[str]) -> str:
        forced = (self.config.authMethod or "").upper().strip()
        if forced:
            if forced not in _LOGIN_MECHANISMS:
                raise self._fail(
                    f"authMethod {forced} is not supported with a user and password",
                    hint="use PLAIN, LOGIN or CRAM-MD5",
                    fatal=True,
                )
            return forced
        return next((m for m in _LOGIN_MECHANISMS if m in offered), "PLAIN")

    def _auth(self, client: _Client, mechanism: str, respond: Callable[[bytes | None], str]) -> None:
        try:
            client.auth(mechanism, cast(Any, respond))
        except smtplib.SMTPAuthenticationError as e:
            reply = Reply(e.smtp_code, _text(e.smtp_error))
            transient = 400 <= e.smtp_code < 500
            raise self._fail(
                f"authentication ({mechanism}) failed",
                reply,
                hint="" if transient else "check auth.user and the credentials",
                transient=transient,
                fatal=not transient,
            ) from e

    def _refuse_plaintext(self, client: _Client) -> None:
        """Credentials go out in plain text only to an SMTP server on this machine. The SMTP session's own
        TLS counts, never a proxy's; and the server's address decides, never the proxy's."""
        if client.encrypted or self._server_is_local(client):
            return
        through = " (a proxy does not encrypt the SMTP session)" if self.config.proxy is not None else ""
        raise self._fail(
            "refusing to send credentials over an unencrypted connection" + through,
            hint="use secure: true on port 465, or a server that offers STARTTLS, and do not set ignoreTLS",
            fatal=True,
        )

    def _server_is_local(self, client: _Client) -> bool:
        """Whether the SMTP server is this machine. Without a proxy, the address ``host`` resolved to (the
        socket's peer). Through one, the proxy resolves ``host`` (nodemailer hands it the name): only a
        loopback name or address, through a proxy that is itself on this machine, stays here."""
        if client.sock is None or not is_loopback(str(client.sock.getpeername()[0])):
            return False
        return self.config.proxy is None or is_loopback(self.config.host)

    def send(self, sender: str, recipient: str, data: bytes) -> Reply:
        """MAIL, RCPT and DATA for one message; opens the connection first if needed."""
        if self._client is None:
            self.open()
        client = self._client
        assert client is not None
        options = [f"SIZE={len(data)}"] if client.has_extn("size") else []
        if not (sender.isascii() and recipient.isascii()):
            if not client.has_extn("smtputf8"):
                # smtplib would fail to encode the command (exit 3); this message fails alone.
                which = recipient if not recipient.isascii() else sender
                raise self._fail(
                    f"the address <{which}> is not ASCII and the server does not offer SMTPUTF8",
                    hint="use an ASCII address, or a server that supports SMTPUTF8",
                )
            options.append("SMTPUTF8")
        stage = "MAIL FROM"
        text: bytes | str
        try:
            code, text = client.mail(sender, options)
            if code == 250:
                stage = "RCPT TO"
                code, text = client.rcpt(recipient)
            if code in (250, 251):
                stage = "DATA"
                code, text = client.data(data)
        except smtplib.SMTPResponseException as e:  # DATA without 354
            code, text = e.smtp_code, e.smtp_error
        except OSError as e:
            self.close()
            raise self._dropped(e, f"during {stage}") from e
        reply = Reply(code, _text(text))
        if code == 250 and stage == "DATA":
            return reply
        if stage != "DATA":
            self._reset(client)
        target = f" <{recipient}>" if stage == "RCPT TO" else ""
        raise self._fail(f"the server refused {stage}{target}", reply, transient=400 <= code < 500)

    def _reset(self, client: _Client) -> None:
        try:
            client.rset()
        except OSError:
            self.close()

    def abort(self) -> None:
        """Drop the connection without a word (Ctrl-C: a QUIT could wait on the server)."""
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.quit()
        except OSError:
            client.close()


def _text(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return " ".join(text.split())


def sink_hint(host: str, port: int) -> str:
    """The hint for a refused loopback port: nothing listens there, so start the development sink on it."""
    # start-up: aiosmtpd and asyncio load only when the sink runs
    from connector.sink import DEFAULT_PORT  # only on this error path: the sink module loads asyncio

    command = "smtp-connector sink"
    if ":" in host:  # an IPv6 loopback; the sink listens on 127.0.0.1 unless told otherwise
        command += f" --host {host.strip('[]')}"
    if port != DEFAULT_PORT:
        command += f" --port {port}"
    return f"nothing listens on this port; to test locally, start `{command}` and send again"


def _refuse_what_logto_does_otherwise(config: ConnectorConfig) -> None:
    """Stop before connecting where Logto's nodemailer would connect differently (or fail at once)."""

    # A config from a file or project was refused at its line on loading (SC311); this is for one built
    # in code, with the same words.
    for key in TIMEOUT_KEYS:
        problem = timer_problem(key, getattr(config, key))
        if problem is not None:
            raise InputError(problem[0], hint=problem[1])
    if config.proxy is not None:
        check_proxy(config.proxy)
