"""Whether a host is this machine, and so whether credentials may cross in clear (send, deploy, lint)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from connector.diagnostics.printable import printable

USERINFO_PROBLEM = (
    "holds a user name or password (`...@` before the host), which would be sent as HTTP Basic "
    "credentials in place of the M2M app's token; give Logto's address only, such as https://auth.example.com"
)


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine: ``localhost`` (and ``*.localhost``), 127.0.0.0/8 or ::1."""
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name.split("%")[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def has_userinfo(url: str) -> bool:
    """Whether ``url`` carries ``user:password@`` (its value is never shown: it may be a password)."""
    try:
        return "@" in urlsplit(url).netloc
    except ValueError:
        return "@" in url  # not a URL at all: do not risk quoting it


def endpoint_problem(url: str) -> str | None:
    """Why ``url`` cannot be a Logto endpoint, or None. Plain ``http://`` is allowed on loopback only:
    the app secret and every config secret cross this connection. A URL with a password is never quoted."""
    if has_userinfo(url):
        return f"the endpoint {USERINFO_PROBLEM}"
    shown = printable(url)
    if any(not c.isprintable() or c.isspace() for c in url):
        # urlsplit drops a trailing newline and tabs silently; httpx does not: a secret stored with one.
        return f"`{shown}` holds a space, a line break or another control character; remove it"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return f"`{shown}` is not a URL"
    if parts.scheme not in ("http", "https") or not host:
        return f"`{shown}` is not an http(s) URL such as https://auth.example.com"
    if parts.query or parts.fragment:
        return f"`{shown}` has a query or fragment; give the endpoint only, such as https://auth.example.com"
    if parts.scheme == "http" and not is_loopback(host):
        return (
            f"`{shown}` is plain http: the app secret and the connector's secrets would cross the network "
            "unencrypted (http is allowed on loopback only)"
        )
    return None


def plain_http_problem(access_url: str) -> str | None:
    """Why the token request to ``access_url`` would leak credentials, or None.

    The refresh sends clientSecret and refreshToken (the service form, a signed assertion) in the request
    body: over plain http anyone on the path reads them. Loopback (a local test endpoint) is allowed.
    """
    parts = urlsplit(access_url)
    if parts.scheme.lower() != "http" or is_loopback(parts.hostname or ""):
        return None
    return (
        f"auth.accessUrl {access_url} is plain http to {parts.hostname}: the client secret and refresh token "
        "would cross the network unencrypted"
    )
