"""``smtp-connector doctor``: go-live checks of a config against its SMTP server, its sender domains' DNS
and its templates (docs/doctor.md).

Every check is data (:class:`Check`: a stable id, a status, what was found, what to change, and the config
key the change goes to) until the command prints it. Nothing is ever sent: the SMTP session ends with QUIT
after AUTH. A part that cannot run is a ``skip`` with the reason; every network wait has a deadline.

This package sits above ``mail`` and ``lint`` (with ``preview`` and ``scaffold``): it drives the runtime's
own connection code (``mail.transport``) and reads the lint's template checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from connector.diagnostics.findings import Location
from connector.diagnostics.paths import KeyPath

Status = Literal["pass", "warn", "fail", "skip"]
STATUSES: tuple[Status, ...] = ("pass", "warn", "fail", "skip")
PARTS = ("smtp", "dns", "templates")


@dataclass(frozen=True)
class CheckInfo:
    """One kind of check: its part, what it proves, what it needs to run, and the usual fix."""

    part: str
    title: str
    needs: str
    fix: str


# Every check id, in the order the checks run. docs/doctor.md has one row per id (a test keeps them equal).
CHECKS: dict[str, CheckInfo] = {
    "config.environment": CheckInfo(
        "config",
        "with --all: the environment sends beyond this machine (one whose host is loopback is left out)",
        "a project folder",
        "check a local sink's environment with -e ENV where the sink runs",
    ),
    "config.examples": CheckInfo(
        "config",
        "no example value (`<...>`, as the providers ship them) is left in the config",
        "the config",
        "replace each with the real value (lint reports them too: SC401)",
    ),
    "config.variables": CheckInfo(
        "config",
        "every `${VAR}` outside the credentials is set (else the keys reading one are checked as written)",
        "the environment doctor runs in",
        "set the variables where doctor runs (CI secrets), as the build job has them",
    ),
    "config.secrets": CheckInfo(
        "smtp",
        "the credentials' environment variables are set",
        "the config",
        "set the variable named, or run doctor where the secret is available",
    ),
    "smtp.connect": CheckInfo(
        "smtp",
        "the server is reachable and greets within greetingTimeout",
        "network to host:port",
        "check host, port and the firewall; a proxy in `proxy`",
    ),
    "smtp.tls-mode": CheckInfo(
        "smtp",
        "the TLS mode matches the port: implicit TLS (`secure: true`) or STARTTLS",
        "network to host:port",
        "`secure: true` on a port that expects TLS from the first byte (465); `secure: false` with "
        "`requireTLS: true` on a STARTTLS port (587, 25)",
    ),
    "smtp.ehlo-name": CheckInfo(
        "smtp",
        "the EHLO name nodemailer sends (`name`, else the host name) is a valid ASCII host name",
        "the config",
        "set `name` to this machine's fully qualified ASCII host name",
    ),
    "smtp.starttls": CheckInfo(
        "smtp",
        "STARTTLS is offered and used (required when `requireTLS` is set)",
        "an SMTP session",
        "use `secure: true` on the implicit-TLS port, or a server that offers STARTTLS",
    ),
    "smtp.certificate": CheckInfo(
        "smtp",
        "the certificate is verified (system CAs or `tls.ca`) and names the host",
        "a TLS session",
        "add the CA to `tls.ca`, or set `tls.servername` to the name on the certificate",
    ),
    "smtp.certificate-expiry": CheckInfo(
        "smtp",
        "the certificate is valid for 14 more days",
        "a verified certificate",
        "renew the server's certificate (or ask the provider)",
    ),
    "smtp.tls-version": CheckInfo(
        "smtp",
        "the session uses TLS 1.2 or newer",
        "a TLS session",
        "enable TLS 1.2 or 1.3 on the server; do not lower `tls.minVersion`",
    ),
    "smtp.encryption": CheckInfo(
        "smtp",
        "credentials never cross the network without TLS (to a server on this machine they may)",
        "an SMTP session",
        "use `secure: true` or STARTTLS, and do not set `ignoreTLS`",
    ),
    "smtp.auth-mechanisms": CheckInfo(
        "smtp",
        "the server offers an AUTH mechanism the config can use (`authMethod`, XOAUTH2 for OAuth2)",
        "an SMTP session",
        "set `authMethod` to one the server offers, or leave it out",
    ),
    "smtp.login": CheckInfo(
        "smtp",
        "the login succeeds (then QUIT: nothing is sent)",
        "the credentials and a trusted session",
        "check `auth.user` and the secret's value",
    ),
    "smtp.size": CheckInfo(
        "smtp",
        "the largest message the templates produce fits the server's SIZE",
        "an SMTP session",
        "make the templates smaller",
    ),
    "smtp.smtputf8": CheckInfo(
        "smtp",
        "SMTPUTF8 is offered when a sender address is not ASCII",
        "an SMTP session",
        "use an ASCII address, or a server that offers SMTPUTF8",
    ),
    "dns.mx": CheckInfo(
        "dns",
        "each sender domain has MX or A records (bounces and replies reach it)",
        "DNS",
        "publish an MX record for the domain",
    ),
    "dns.spf": CheckInfo(
        "dns",
        "one valid SPF record, at most 10 DNS lookups, no `+all`, authorizing the provider",
        "DNS",
        "publish one `v=spf1` TXT record with the provider's include",
    ),
    "dns.dkim": CheckInfo(
        "dns",
        "the provider's DKIM selectors exist; the published key matches the config's `dkim` key",
        "DNS",
        "publish the provider's DKIM records, or the public key of `dkim.privateKey` at the selector",
    ),
    "dns.dmarc": CheckInfo(
        "dns",
        "a DMARC record at `_dmarc.DOMAIN` that parses; no free-mail From through another relay",
        "DNS",
        "publish `v=DMARC1; p=quarantine` (start with p=none); send from your own domain",
    ),
    "templates.size": CheckInfo(
        "templates",
        "each rendered HTML template (per usage type and locale) is under Gmail's clipping size",
        "the config",
        "make the HTML smaller: Gmail clips messages over about 102 KB",
    ),
    "templates.lint": CheckInfo(
        "templates",
        "the template lint rules (img alt, http:// links, lang, subject length) find nothing",
        "the config",
        "see each finding's hint",
    ),
}


@dataclass(frozen=True)
class Check:
    """One result: the check's id, its status, what was found, what to change, and the config key."""

    id: str
    status: Status
    message: str
    hint: str = ""
    key: str = ""
    environment: str = ""  # the project's environment checked ("" for a built config file)
    where: Location | None = None  # where the project's files set ``key`` (none: a default, an overlay)
    # ``key`` as data, when it is not a plain dotted name (``templates[0].subject``); never parsed back.
    key_path: KeyPath = ()

    def __post_init__(self) -> None:
        if self.id not in CHECKS or self.status not in STATUSES:
            raise ValueError(f"unknown check {self.id!r} or status {self.status!r}")

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "id": self.id,
            "status": self.status,
            "message": self.message,
            "hint": self.hint,
            "key": self.key,
            "environment": self.environment or None,
            "file": self.where.file if self.where else None,
            "line": self.where.line if self.where else None,
            "column": self.where.column if self.where else None,
        }


@dataclass(frozen=True)
class Options:
    """What the command line asked for: the parts, a deadline for every wait, the DNS server."""

    parts: tuple[str, ...] = PARTS
    timeout: float | None = None  # seconds; None: the config's own timeouts
    dns_server: str | None = None  # HOST[:PORT]; None: the system's resolver
    environ: dict[str, str] = field(default_factory=dict)


def failed(checks: list[Check], *, strict: bool = False) -> bool:
    """Whether the run fails: a ``fail``, or with ``strict`` a ``warn`` too."""
    bad = {"fail", "warn"} if strict else {"fail"}
    return any(c.status in bad for c in checks)


def counts(checks: list[Check]) -> dict[str, int]:
    return {status: sum(c.status == status for c in checks) for status in STATUSES}
