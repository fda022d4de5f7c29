"""SC3xx: how the connection is made, encrypted and authenticated, as nodemailer would do it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from connector.diagnostics.findings import Finding
from connector.lint.base import WHOLE_MODES, Context, is_reference, rule
from connector.logto import CONFIG_KEYS, DEFAULT_TIMEOUTS, LOGIN_TYPES, implicit_tls, proxy_problem
from connector.logto.loopback import is_loopback, plain_http_problem
from connector.resources import shipped_names

_STRIPPED = "Logto deletes empty values when it saves the config"


def _secure(data: dict[str, Any]) -> bool:
    return implicit_tls(data.get("secure"), data.get("port"))


@rule("SC301", modes=WHOLE_MODES)
def empty_auth(ctx: Context) -> Iterator[Finding]:
    auth, kept = ctx.data.get("auth"), ctx.saved_auth
    if not isinstance(auth, dict) or kept is None:
        return
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


@rule("SC302", modes=WHOLE_MODES)
def auth_without_credentials(ctx: Context) -> Iterator[Finding]:
    kept = ctx.saved_auth
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


@rule("SC303", modes=WHOLE_MODES)
def port_and_secure(ctx: Context) -> Iterator[Finding]:
    port, secure = ctx.data.get("port"), ctx.data.get("secure")
    # A conflict belongs where the user completed it: their port under a provider's `secure`, or the reverse.
    at = ctx.newest(("secure",), ("port",))
    if port == 465 and secure is False:
        yield ctx.finding(
            at,
            "SC303",
            "port 465 expects TLS from the first byte, but `secure: false` makes nodemailer wait for a "
            "plain greeting: the connection hangs until it times out",
            _other_provider(ctx, port)
            or (
                # `secure: false` comes from a lower layer (the provider overlay): removing it is not the
                # user's to do, and `null` in their own file is what removes a key when layers merge.
                "write `secure: null` next to your `port: 465` to drop the `secure: false` set below it "
                "(nodemailer then uses TLS on 465), or set `secure: true`"
                if at == ("port",) and ctx.provenance.layers is not None
                else "remove `secure: false` (nodemailer then uses TLS on 465), or set `secure: true`"
            ),
        )
    elif secure is True and port in (25, 587):
        yield ctx.finding(
            at,
            "SC303",
            f"`secure: true` starts TLS at once, but port {port} expects plain SMTP and STARTTLS: "
            'the connection fails with "wrong version number"',
            _other_provider(ctx, port)
            or "set `secure: false` (STARTTLS is used when the server offers it), or use port 465",
        )


def _other_provider(ctx: Context, port: object) -> str | None:
    """With a shipped provider, the shipped overlay made for that port (gmail on 587: gmail-starttls)."""
    name = ctx.provider
    if name is None:
        return None

    if name not in shipped_names():
        return None
    # A final config (what the hook mostly lints) never gets here: for start-up, the overlays' module
    # loads only for a composed environment with a shipped provider (start-up: 3% of a one-file lint)
    from connector.project.providers import alternative

    other = alternative(name, port)
    return f"use `provider: {other}` (port {port}), or remove the port to keep {name}'s" if other else None


@rule("SC304", "SC305", modes=WHOLE_MODES)
def tls_flags(ctx: Context) -> Iterator[Finding]:
    data = ctx.data
    if data.get("requireTLS") is True and data.get("ignoreTLS") is True:
        yield ctx.finding(
            ctx.newest(("ignoreTLS",), ("requireTLS",)),
            "SC304",
            "`requireTLS` and `ignoreTLS` are both true: ignoreTLS wins, so STARTTLS is never used and "
            "the connection is never encrypted",
            "remove `ignoreTLS` to require STARTTLS",
        )
    elif data.get("requireTLS") is True and _secure(data):
        yield ctx.finding(
            ctx.newest(("requireTLS",), ("secure",), ("port",)),
            "SC305",
            "`requireTLS` has no effect: the connection is already TLS from the first byte (`secure`)",
            "remove `requireTLS`",
        )


def _stays_here(data: dict[str, Any]) -> bool:
    """Whether the SMTP session never leaves this machine: a loopback host, and no proxy or a loopback one
    (a proxy resolves ``host`` itself, so ``localhost`` through a remote proxy is the proxy's machine)."""

    host, proxy = data.get("host"), data.get("proxy")
    if not isinstance(host, str) or not is_loopback(host):
        return False
    return not isinstance(proxy, str) or not proxy or is_loopback(urlsplit(proxy).hostname or "")


def _has_credentials(ctx: Context) -> bool:
    auth = ctx.saved_auth
    return auth is not None and bool(auth.keys() - {"type"})


@rule("SC306", modes=WHOLE_MODES)
def auth_in_clear(ctx: Context) -> Iterator[Finding]:
    data = ctx.data
    if not _has_credentials(ctx) or data.get("ignoreTLS") is not True or _secure(data) or _stays_here(data):
        return
    through = ", and the proxy does not encrypt it" if data.get("proxy") else ""
    yield ctx.finding(
        ("ignoreTLS",),
        "SC306",
        "credentials would be sent unencrypted: `ignoreTLS: true` never starts STARTTLS and the "
        f"connection is not `secure`{through}",
        "remove `ignoreTLS` (and set `requireTLS: true`), or use port 465 with TLS",
    )


@rule("SC317", modes=WHOLE_MODES)
def proxy_auth_in_clear(ctx: Context) -> Iterator[Finding]:
    """SC317: through a proxy, credentials protected only by a STARTTLS the proxy can remove.

    A CONNECT proxy relays the SMTP session as it is: it (or anyone between it and the server) can drop
    STARTTLS from the server's reply, and nodemailer then logs in unencrypted. ``ignoreTLS`` is SC306's."""
    data = ctx.data
    proxy = data.get("proxy")
    if not isinstance(proxy, str) or not proxy or (not is_reference(proxy) and proxy_problem(proxy)):
        return  # no proxy, or one that cannot work (SC312)
    if (
        not _has_credentials(ctx)
        or _secure(data)
        or data.get("requireTLS") is True
        or data.get("ignoreTLS") is True
        or _stays_here(data)
    ):
        return
    yield ctx.finding(
        ("proxy",),
        "SC317",
        "credentials through the proxy are encrypted only if the server's reply offers STARTTLS: the proxy "
        "relays the session as it is and can remove it, and Logto's nodemailer then logs in unencrypted "
        "(send refuses)",
        "set `requireTLS: true` (STARTTLS or no login), or `secure: true` on port 465",
    )


@rule("SC307")
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


# What Logto itself reads of its config (buildMailOptions); nodemailer gets the rest, or the URL instead.
_LOGTOS_OWN = ("fromEmail", "replyTo", "templates", "customHeaders")


@rule("SC318")
def url_replaces_config(ctx: Context) -> Iterator[Finding]:
    """SC318: nodemailer's createTransport reads a config with a ``url`` as that URL alone."""
    url = ctx.data.get("url")
    if not isinstance(url, str) or not url:
        return  # Logto's save drops an empty one; another type is SC201's
    dropped = [f"`{k}`" for k in ctx.data if k in CONFIG_KEYS and k not in _LOGTOS_OWN]
    listed = ", ".join(dropped[:-1]) + f" and {dropped[-1]}" if len(dropped) > 1 else "".join(dropped)
    what = f"; this config's {listed} {'are' if len(dropped) > 1 else 'is'} not used" if dropped else ""
    yield ctx.finding(
        ("url",),
        "SC318",
        "`url` makes nodemailer take the connection from this URL alone: host, port, secure and auth come "
        f"from it, and every other connection option of the config (tls, dkim, proxy, name, the timeouts) "
        f"is dropped{what}",
        "remove `url` and set host, port, secure and auth",
        key=True,
    )


@rule("SC308", "SC309", "SC310")
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


@rule("SC316", modes=WHOLE_MODES)
def oauth2_plain_http(ctx: Context) -> Iterator[Finding]:
    """SC316: a token refresh over plain http sends clientSecret and refreshToken unencrypted."""
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
