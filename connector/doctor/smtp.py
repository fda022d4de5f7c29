"""The SMTP part of doctor: one session with the configured server, opened by the runtime's own
connection code (``mail.transport``) step by step, as nodemailer would open it, and closed with QUIT after
AUTH. No MAIL FROM is ever sent.
"""

from __future__ import annotations

import re
import socket
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeGuard

from connector.doctor import Check
from connector.errors import DeliveryError, InputError
from connector.logto import implicit_tls
from connector.mail.oauth2 import TokenSource
from connector.mail.transport import DEFAULT_SOCKET_TIMEOUT, Connection, Session, ehlo_name
from connector.schema.models import ConnectorConfig, LoginAuth

EXPIRY_WARNING_DAYS = 14
_MODERN_TLS = ("TLSv1.2", "TLSv1.3")
_LOGIN_MECHANISMS = ("PLAIN", "LOGIN", "CRAM-MD5")  # what nodemailer logs in with, given a user and pass
_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
_X509_EXPIRED, _X509_NOT_YET_VALID = 10, 9
_X509_NAME_MISMATCH = (62, 64)  # OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH


@dataclass(frozen=True)
class Credentials:
    """Where the login's secrets come from: ``${VAR}`` names by config key, and those not set."""

    variables: dict[str, tuple[str, ...]]
    missing: tuple[str, ...]

    def source(self, key: str) -> str:
        names = self.variables.get(key, ())
        return f"{key} (from {', '.join(names)})" if names else key


def ehlo_name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid ASCII EHLO argument (RFC 5321: a domain or an address literal), or None."""
    if not name.isascii():
        return "is not ASCII; servers such as Gmail answer `501 HELO/EHLO argument invalid`"
    if name.startswith("[") and name.endswith("]"):
        inner = name[1:-1]
        # start-up: imported when this runs, so other commands start fast
        import ipaddress

        try:
            ipaddress.ip_address(inner.removeprefix("IPv6:"))
        except ValueError:
            return "is not a valid address literal"
        version = ipaddress.ip_address(inner.removeprefix("IPv6:")).version
        return None if (version == 6) == inner.startswith("IPv6:") else "is not a valid address literal"
    domain = name.removesuffix(".")
    if not domain or len(domain) > 253 or not all(_LABEL.fullmatch(label) for label in domain.split(".")):
        return "is not a valid host name (letters, digits and dashes in dot-separated labels)"
    return None


def tls_version_problem(version: str | None) -> str | None:
    return None if version in _MODERN_TLS else f"{version or 'an unknown TLS version'} is older than TLS 1.2"


def with_timeout(config: ConnectorConfig, seconds: float | None) -> ConnectorConfig:
    """``config`` with every connection timeout set to ``seconds`` (``--timeout``), or as it is."""
    if seconds is None:
        return config
    ms = max(1, round(seconds * 1000))
    return config.model_copy(
        update={"connectionTimeout": ms, "greetingTimeout": ms, "socketTimeout": ms, "dnsTimeout": ms}
    )


def smtp_checks(
    config: ConnectorConfig,
    credentials: Credentials,
    *,
    largest_message: int | None,
    now: float | None = None,
) -> list[Check]:
    """Every SMTP check, in order; ``config`` holds the resolved secrets unless ``credentials.missing``."""
    return _Run(config, credentials, largest_message, time.time() if now is None else now).checks()


class _Run:
    def __init__(
        self, config: ConnectorConfig, credentials: Credentials, largest: int | None, now: float
    ) -> None:
        self.config = config
        self.credentials = credentials
        self.largest = largest
        self.now = now
        self.found: list[Check] = []
        self.where = (
            f"[{config.host}]:{config.port}" if ":" in config.host else f"{config.host}:{config.port}"
        )

    def add(self, id: str, status: Any, message: str, hint: str = "", key: str = "") -> None:
        self.found.append(Check(id, status, message, hint, key))

    def skip_rest(self, reason: str, ids: Sequence[str]) -> None:
        done = {c.id for c in self.found}
        for id in ids:
            if id not in done:
                self.add(id, "skip", reason)

    def checks(self) -> list[Check]:
        config = self.config
        # The OAuth2 token request waits as long as the SMTP replies (--timeout), not the runtime's 30 s.
        tokens = (
            None
            if isinstance(config.auth, LoginAuth)
            else TokenSource(config.auth, timeout=(config.socketTimeout or DEFAULT_SOCKET_TIMEOUT) / 1000)
        )
        connection = Connection(config, tokens=tokens, whole_replies=True)
        try:
            self._session(connection)
        finally:
            connection.close()  # QUIT
        return self.found

    def _ehlo_name(self, refused: InputError | None) -> None:
        name = ehlo_name(self.config)
        problem = ehlo_name_problem(name)
        if problem is None and refused is not None and not _replied(refused):
            # No reply at all (a timeout, a reply no server sends, the connection dropped): not the name's fault.
            self.add(
                "smtp.ehlo-name",
                "fail",
                f"the server did not answer EHLO {name}: {_said(refused)}",
                refused.hint or "check host and port: the server at the other end does not speak SMTP",
                "host",
            )
        elif problem is None and refused is not None:
            self.add(
                "smtp.ehlo-name",
                "fail",
                f"the server refused EHLO {name}: {_said(refused)}",
                "set `name` to this machine's fully qualified host name",
                "name",
            )
        elif problem is None:
            self.add("smtp.ehlo-name", "pass", f"EHLO {name}")
        else:
            self.add(
                "smtp.ehlo-name",
                "fail",
                f"the EHLO name {name!r} {problem}",
                "set `name` to this machine's fully qualified ASCII host name",
                "name",
            )

    def _session(self, connection: Connection) -> None:
        config = self.config
        implicit = implicit_tls(config.secure, config.port)
        rest = (
            "smtp.tls-mode", "smtp.starttls", "smtp.certificate", "smtp.certificate-expiry",
            "smtp.tls-version", "smtp.encryption", "smtp.auth-mechanisms", "smtp.login", "smtp.size",
            "smtp.smtputf8",
        )  # fmt: skip
        try:
            connection.greet()
        except InputError as e:
            self._ehlo_name(None)
            if not self._greet_failed(e, implicit):
                self.skip_rest("not tried: no SMTP session", rest)
            else:
                self.skip_rest(
                    "not tried: the certificate failed, so nodemailer would not go on either", rest
                )
            return
        mode = "implicit TLS (secure: true)" if implicit else "plain SMTP first (secure: false)"
        self.add("smtp.connect", "pass", f"{self.where} greeted; {mode}")
        self.add("smtp.tls-mode", "pass", f"the port speaks {mode}")
        try:
            connection.hello()
        except InputError as e:
            self._ehlo_name(e)
            self.skip_rest("not tried: the server refused EHLO", rest)
            return
        self._ehlo_name(None)
        try:
            session = connection.session()
            assert session is not None
            self._starttls_offer(session, implicit)
            if not implicit and not config.ignoreTLS and "starttls" in session.features:
                connection.upgrade()
                session = connection.session()
                assert session is not None
        except InputError as e:
            if self._certificate_failed(e):
                self.skip_rest(
                    "not tried: the certificate failed, so nodemailer would not go on either", rest
                )
            else:
                # The offer was judged above; the upgrade that failed is the verdict (one line per check).
                self.found = [c for c in self.found if c.id != "smtp.starttls"]
                self.add("smtp.starttls", "fail", _said(e), e.hint, "requireTLS")
                self.skip_rest("not tried: the session ended", rest)
            return
        self._tls(session)
        self._capabilities(session)
        self._login(connection, session)

    def _greet_failed(self, e: InputError, implicit: bool) -> bool:
        """Report why there is no session; True when a certificate failed (the rest is then moot)."""
        if self._certificate_failed(e):
            self.add("smtp.connect", "pass", f"{self.where} answered with TLS")
            self.add("smtp.tls-mode", "pass", "the port speaks implicit TLS (secure: true)")
            return True
        if _replied(e):
            self.add("smtp.connect", "fail", _said(e), e.hint, "host")
            return False
        cause = e.__cause__
        if isinstance(cause, socket.gaierror) and cause.errno in _NO_DNS_HERE:
            # No answer at all (no network, no resolver), unlike a name that does not exist: a skip.
            self.add(
                "smtp.connect",
                "skip",
                f"{self.where}: the host name cannot be looked up here ({cause.strerror}), so the SMTP part "
                "cannot run",
                "run doctor where the network reaches the server",
            )
            return False
        # No greeting: the other TLS mode may be the one the port speaks (the most common mistake).
        if _speaks(self.config, secure=not implicit):
            self.add("smtp.connect", "pass", f"{self.where} is reachable")
            if implicit:
                self.add(
                    "smtp.tls-mode",
                    "fail",
                    f"{self.where} speaks plain SMTP first (it upgrades with STARTTLS), but the config "
                    "starts TLS at once: every send fails with a TLS error such as 'wrong version number'",
                    "set `secure: false` with `requireTLS: true`",
                    "secure",
                )
            else:
                self.add(
                    "smtp.tls-mode",
                    "fail",
                    f"{self.where} expects TLS from the first byte, but the config waits for a plain "
                    "greeting: every send times out",
                    "set `secure: true`",
                    "secure",
                )
            return False
        self.add("smtp.connect", "fail", _said(e), e.hint, "host")
        return False

    def _certificate_failed(self, e: InputError) -> bool:
        cause = e.__cause__
        if not isinstance(cause, ssl.SSLCertVerificationError):
            return False
        code = cause.verify_code
        why = cause.verify_message
        if code in _X509_NAME_MISMATCH:
            self.add(
                "smtp.certificate",
                "fail",
                f"the certificate does not name {self.config.host} ({why}); nodemailer refuses the connection",
                "connect to the name on the certificate, or set `tls.servername` to it",
                "tls.servername",
            )
        elif code in (_X509_EXPIRED, _X509_NOT_YET_VALID):
            self.add("smtp.certificate", "fail", f"the certificate is not valid now ({why})", "", "")
            self.add(
                "smtp.certificate-expiry",
                "fail",
                f"the server's certificate {'has expired' if code == _X509_EXPIRED else 'is not valid yet'}: "
                "nodemailer refuses the connection",
                "renew the server's certificate (or ask the provider)",
            )
        else:
            self.add(
                "smtp.certificate",
                "fail",
                f"the certificate is not trusted ({why}); nodemailer refuses the connection",
                "add the CA that signed it to `tls.ca`",
                "tls.ca",
            )
        self.add("smtp.login", "skip", "not tried: credentials are never sent after a certificate failure")
        return True

    def _starttls_offer(self, session: Session, implicit: bool) -> None:
        config = self.config
        offered = "starttls" in session.features
        if implicit:
            self.add("smtp.starttls", "pass", "not needed: the session is encrypted from the first byte")
        elif config.ignoreTLS:
            self.add(
                "smtp.starttls",
                "warn",
                "ignoreTLS is set: the session stays unencrypted"
                + (" although STARTTLS is offered" if offered else ""),
                "remove `ignoreTLS`",
                "ignoreTLS",
            )
        elif not offered:
            self.add(
                "smtp.starttls",
                "fail" if config.requireTLS else "warn",
                "the server does not offer STARTTLS"
                + (
                    ": requireTLS makes every send fail"
                    if config.requireTLS
                    else ": mail crosses unencrypted"
                ),
                "use `secure: true` on the server's implicit-TLS port (usually 465)",
                "secure",
            )
        elif not config.requireTLS:
            self.add(
                "smtp.starttls",
                "warn",
                "STARTTLS is offered and used, but without requireTLS a network that strips it leaves "
                "mail and credentials unencrypted without a word",
                "set `requireTLS: true`",
                "requireTLS",
            )
        else:
            self.add("smtp.starttls", "pass", "STARTTLS offered and required")

    def _tls(self, session: Session) -> None:
        config = self.config
        if not session.encrypted:
            for id in ("smtp.certificate", "smtp.certificate-expiry", "smtp.tls-version"):
                self.add(id, "skip", "the session is not encrypted")
            return
        if session.certificate is None:
            self.add(
                "smtp.certificate",
                "warn",
                "the certificate is not checked (tls.rejectUnauthorized: false): anyone on the way can "
                "read the mail and the credentials",
                "remove `tls.rejectUnauthorized: false`; add the server's CA to `tls.ca` instead",
                "tls.rejectUnauthorized",
            )
            self.add("smtp.certificate-expiry", "skip", "the certificate is not verified")
        else:
            name = (config.tls.servername if config.tls else None) or config.servername or config.host
            self.add("smtp.certificate", "pass", f"verified, and it names {name}")
            self._expiry(session.certificate)
        problem = tls_version_problem(session.tls_version)
        if problem is None:
            self.add("smtp.tls-version", "pass", f"{session.tls_version}")
        else:
            self.add(
                "smtp.tls-version",
                "fail",
                f"the session uses {problem}, which receivers and auditors treat as broken",
                "enable TLS 1.2 or 1.3 on the server; do not lower `tls.minVersion`",
                "tls.minVersion",
            )

    def _expiry(self, certificate: dict[str, Any]) -> None:
        not_after = certificate.get("notAfter")
        if not isinstance(not_after, str):
            self.add("smtp.certificate-expiry", "skip", "the certificate states no end date")
            return
        ends = ssl.cert_time_to_seconds(not_after)
        days = (ends - self.now) / 86400
        when = time.strftime("%Y-%m-%d", time.gmtime(ends))
        if days < EXPIRY_WARNING_DAYS:
            self.add(
                "smtp.certificate-expiry",
                "warn",
                f"the certificate expires on {when}, in {max(days, 0):.0f} days: then every send fails",
                "renew the server's certificate (or ask the provider)",
            )
        else:
            self.add("smtp.certificate-expiry", "pass", f"valid until {when} ({days:.0f} days)")

    def _capabilities(self, session: Session) -> None:
        limit = session.features.get("size", "").strip()
        if not limit.isdigit() or int(limit) == 0:
            self.add("smtp.size", "pass", "the server advertises no size limit")
        elif self.largest is None:
            self.add("smtp.size", "skip", f"SIZE {limit}; the messages could not be built to compare")
        elif self.largest > int(limit):
            self.add(
                "smtp.size",
                "fail",
                f"the largest message is {self.largest} bytes; the server refuses messages over SIZE {limit}",
                "make the templates smaller",
                "templates",
            )
        else:
            self.add("smtp.size", "pass", f"the largest message ({self.largest} bytes) fits SIZE {limit}")
        needing = [a for a in _sender_addresses(self.config) if not a.isascii()]
        if not needing:
            self.add("smtp.smtputf8", "pass", "every sender address is ASCII: not needed")
        elif "smtputf8" in session.features:
            self.add("smtp.smtputf8", "pass", f"offered, for {needing[0]}")
        else:
            self.add(
                "smtp.smtputf8",
                "fail",
                f"{needing[0]} is not ASCII and the server does not offer SMTPUTF8: every send from it fails",
                "use an ASCII address, or a server that offers SMTPUTF8",
                "fromEmail",
            )

    def _login(self, connection: Connection, session: Session) -> None:
        config = self.config
        offered = session.features.get("auth", "").upper().split()
        login = isinstance(config.auth, LoginAuth)
        if not offered and not config.forceAuth:
            self.add(
                "smtp.auth-mechanisms",
                "warn",
                "the server offers no AUTH: nodemailer sends without logging in (auth is not used)",
                "fine for a relay that trusts this network; otherwise use the server's submission port",
                "auth",
            )
            self.add("smtp.encryption", "pass", "no credentials are sent")
            self.add("smtp.login", "skip", "the server offers no AUTH")
            return
        wanted = (
            (
                [(config.authMethod or "").upper().strip()]
                if login and config.authMethod
                else list(_LOGIN_MECHANISMS)
            )
            if login
            else ["XOAUTH2"]
        )
        usable = [m for m in wanted if m in offered]
        if usable or (config.forceAuth and not offered):
            self.add(
                "smtp.auth-mechanisms",
                "pass",
                f"offered: {' '.join(offered) or '(forced)'}; using {(usable or wanted)[0]}",
            )
        else:
            self.add(
                "smtp.auth-mechanisms",
                "fail",
                f"the server offers AUTH {' '.join(offered)}, none of which the config uses ({' or '.join(wanted)})",
                f"set `authMethod` to one of {', '.join(m for m in offered if m in _LOGIN_MECHANISMS) or 'them'}, or leave it out"
                if login
                else "use a user and password (auth.user, auth.pass)",
                "authMethod" if login else "auth",
            )
        if session.encrypted:
            self.add("smtp.encryption", "pass", "credentials go over TLS")
        elif session.local:
            self.add("smtp.encryption", "pass", "the server is this machine: the credentials stay on it")
        else:
            self.add(
                "smtp.encryption",
                "fail",
                "credentials would cross the network unencrypted: Logto's nodemailer sends them in clear "
                "(send refuses to)",
                "use `secure: true`, or STARTTLS without `ignoreTLS`",
                "secure",
            )
        if self.credentials.missing:
            names = ", ".join(self.credentials.missing)
            self.add("smtp.login", "skip", f"not tried: {names} not set")
            return
        if not (session.encrypted or session.local):
            # As send: the password never crosses the network in clear (smtp.encryption says why).
            self.add("smtp.login", "skip", "not tried: the credentials would cross the network unencrypted")
            return
        try:
            connection.login()
        except InputError as e:
            key = "auth.pass" if login else "auth"
            reply = _said(e)
            if _replied(e):
                reply = f"the server answered: {e.code} {e.reply}"
            self.add(
                "smtp.login",
                "fail",
                f"the login was refused; {reply}; the secret came from {self.credentials.source(key)}",
                f"check auth.user and the value of {', '.join(self.credentials.variables.get(key, ())) or key}",
                key,
            )
            return
        user = getattr(config.auth, "user", None) or ""
        self.add("smtp.login", "pass", f"logged in as {user}; QUIT (nothing sent)")


# getaddrinfo's "try again later" and "failed for good" (no DNS answer), as opposed to EAI_NONAME.
_NO_DNS_HERE = frozenset(
    code
    for code in (getattr(socket, "EAI_AGAIN", None), getattr(socket, "EAI_FAIL", None))
    if code is not None
)


def _replied(e: InputError) -> TypeGuard[DeliveryError]:
    """Whether ``e`` carries the server's reply (a refusal), not a timeout or a dropped connection."""
    return isinstance(e, DeliveryError) and e.code is not None


def _said(e: InputError) -> str:
    return str(e)


def _speaks(config: ConnectorConfig, *, secure: bool) -> bool:
    """Whether the port greets (or starts TLS) when connected to with the other ``secure``."""
    probe = Connection(config.model_copy(update={"secure": secure}), whole_replies=True)
    try:
        probe.greet()
    except InputError as e:
        return secure and isinstance(e.__cause__, ssl.SSLCertVerificationError)
    finally:
        probe.abort()
    return True


def _sender_addresses(config: ConnectorConfig) -> list[str]:
    # start-up: imported when this runs, so other commands start fast
    from connector.logto.addresses import envelope_sender

    found = []
    for value in [config.fromEmail, *(t.sendFrom for t in config.templates if t.sendFrom)]:
        if "{{" in value:
            continue  # filled per message: not known until then
        address = envelope_sender(value)
        if address:
            found.append(address)
    return found
