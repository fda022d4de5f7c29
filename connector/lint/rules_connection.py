"""SC3xx: how the connection is made, encrypted and authenticated, as nodemailer would do it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from connector.diagnostics.findings import Finding
from connector.lint.base import WHOLE_MODES, Context, rule
from connector.logto import DEFAULT_TIMEOUTS, LOGIN_TYPES, clean_deep, implicit_tls

_LOOPBACK = ("localhost", "::1", "[::1]")
_STRIPPED = "Logto deletes empty values when it saves the config"


def _secure(data: dict[str, Any]) -> bool:
    return implicit_tls(data.get("secure"), data.get("port"))


@rule(WHOLE_MODES)
def empty_auth(ctx: Context) -> Iterator[Finding]:
    auth = ctx.data.get("auth")
    if not isinstance(auth, dict):
        return
    kept = clean_deep(auth)[0]
    if not kept:
        yield ctx.finding(
            ("auth",),
            "SC301",
            f"`auth` is empty: {_STRIPPED}, so the saved config has no `auth` and Logto rejects it",
            "set auth.user and auth.pass (pass: ${SMTP_PASS})",
            key=True,
        )
        return
    for key in ("user", "pass"):
        if key in auth and auth[key] in ("", None):
            other = "pass" if key == "user" else "user"
            effect = (
                f'auth is left with a {other} but no {key}, and sending fails with "Missing credentials"'
                if other in kept
                else "auth is left without credentials"
            )
            yield ctx.finding(
                ("auth", key),
                "SC301",
                f"`auth.{key}` is empty: {_STRIPPED}, so {effect}",
                f"set auth.{key}" + (" (pass: ${SMTP_PASS})" if key == "pass" else ""),
            )


@rule(WHOLE_MODES)
def auth_without_credentials(ctx: Context) -> Iterator[Finding]:
    auth = ctx.data.get("auth")
    if not isinstance(auth, dict):
        return
    kept = clean_deep(auth)[0]
    if not kept or kept.get("type", "login") not in LOGIN_TYPES or kept.keys() - {"type"}:
        return
    yield ctx.finding(
        ("auth",),
        "SC302",
        "`auth` has no user or pass: nodemailer still logs in whenever the server offers AUTH, and then "
        'fails with "Missing credentials"; this works only with a relay that does not advertise AUTH',
        "set auth.user and auth.pass, unless the relay accepts mail without AUTH",
        key=True,
    )


@rule(WHOLE_MODES)
def port_and_secure(ctx: Context) -> Iterator[Finding]:
    port, secure = ctx.data.get("port"), ctx.data.get("secure")
    if port == 465 and secure is False:
        yield ctx.finding(
            ("secure",),
            "SC303",
            "port 465 expects TLS from the first byte, but `secure: false` makes nodemailer wait for a "
            "plain greeting: the connection hangs until it times out",
            "remove `secure: false` (nodemailer then uses TLS on 465), or set `secure: true`",
        )
    elif secure is True and port in (25, 587):
        yield ctx.finding(
            ("secure",),
            "SC303",
            f"`secure: true` starts TLS at once, but port {port} expects plain SMTP and STARTTLS: "
            'the connection fails with "wrong version number"',
            "set `secure: false` (STARTTLS is used when the server offers it), or use port 465",
        )


@rule(WHOLE_MODES)
def tls_flags(ctx: Context) -> Iterator[Finding]:
    data = ctx.data
    if data.get("requireTLS") is True and data.get("ignoreTLS") is True:
        yield ctx.finding(
            ("ignoreTLS",),
            "SC304",
            "`requireTLS` and `ignoreTLS` are both true: ignoreTLS wins, so STARTTLS is never used and "
            "the connection is never encrypted",
            "remove `ignoreTLS` to require STARTTLS",
        )
    elif data.get("requireTLS") is True and _secure(data):
        yield ctx.finding(
            ("requireTLS",),
            "SC305",
            "`requireTLS` has no effect: the connection is already TLS from the first byte (`secure`)",
            "remove `requireTLS`",
        )


@rule(WHOLE_MODES)
def auth_in_clear(ctx: Context) -> Iterator[Finding]:
    data = ctx.data
    auth = clean_deep(data.get("auth"))[0] if isinstance(data.get("auth"), dict) else {}
    host = data.get("host")
    if (
        not (auth.keys() - {"type"})
        or data.get("ignoreTLS") is not True
        or _secure(data)
        or (isinstance(host, str) and (host in _LOOPBACK or host.startswith("127.")))
    ):
        return
    yield ctx.finding(
        ("ignoreTLS",),
        "SC306",
        "credentials would be sent unencrypted: `ignoreTLS: true` never starts STARTTLS and the "
        "connection is not `secure`",
        "remove `ignoreTLS` (and set `requireTLS: true`), or use port 465 with TLS",
    )


@rule()
def timeouts(ctx: Context) -> Iterator[Finding]:
    for key, default in DEFAULT_TIMEOUTS.items():
        value = ctx.data.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 1000:
            yield ctx.finding(
                (key,),
                "SC307",
                f"`{key}: {value}` is {value} milliseconds; timeouts are in milliseconds "
                f"(the default is {default})",
                f"write {int(value * 1000)} for {value} seconds",
            )


@rule()
def nodemailer_only(ctx: Context) -> Iterator[Finding]:
    service = ctx.data.get("service")
    if service is not None:
        yield ctx.finding(
            ("service",),
            "SC308",
            f"`service: {service}` makes nodemailer replace host, port and secure with its own settings "
            "for that service",
            "remove `service` and set host and port",
            key=True,
        )
    if "pool" in ctx.data:
        yield ctx.finding(
            ("pool",),
            "SC309",
            "`pool` has no effect in Logto, which opens a new connection for every message",
            "remove `pool` (and maxConnections, maxMessages, rateDelta, rateLimit)",
            key=True,
        )
    if ctx.mapping("tls").get("rejectUnauthorized") is False:
        yield ctx.finding(
            ("tls", "rejectUnauthorized"),
            "SC310",
            "`tls.rejectUnauthorized: false` accepts any certificate, so anyone on the network path can "
            "read the mail and the password",
            "remove it; for a private CA, put its certificate in `tls.ca`",
        )


@rule(WHOLE_MODES)
def oauth2_plain_http(ctx: Context) -> Iterator[Finding]:
    """SC316: a token refresh over plain http sends clientSecret and refreshToken unencrypted."""
    from connector.deploy.target import plain_http_problem

    auth = ctx.data.get("auth")
    url = auth.get("accessUrl") if isinstance(auth, dict) else None
    if not isinstance(url, str) or "${" in url:
        return
    if plain_http_problem(url):
        yield ctx.finding(
            ("auth", "accessUrl"),
            "SC316",
            "`auth.accessUrl` is plain http: refreshing the token would send the client secret and the "
            "refresh token unencrypted, and send refuses it",
            "use the provider's https:// token URL (plain http is allowed only to this machine, for tests)",
        )
