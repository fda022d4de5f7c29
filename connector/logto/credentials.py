"""Which values of a config are credentials, as Logto marks them (:data:`connector.logto.SECRET_KEYS`), and
the password nodemailer reads from a proxy URL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from connector.diagnostics.paths import KeyPath
from connector.diagnostics.redact import register_secret_texts
from connector.logto import SECRET_KEYS

# Where secrets live, and the variable name suggested for each.
SECRETS: dict[KeyPath, str] = {
    ("auth", "pass"): "SMTP_PASS",
    ("auth", "clientSecret"): "SMTP_CLIENT_SECRET",
    ("auth", "refreshToken"): "SMTP_REFRESH_TOKEN",
    ("auth", "accessToken"): "SMTP_ACCESS_TOKEN",
    ("auth", "privateKey"): "SMTP_PRIVATE_KEY",
    ("auth", "privateKey", "key"): "SMTP_PRIVATE_KEY",
    ("auth", "privateKey", "passphrase"): "SMTP_KEY_PASSPHRASE",
    ("dkim", "privateKey"): "DKIM_PRIVATE_KEY",
    ("tls", "key"): "SMTP_TLS_KEY",
    ("tls", "passphrase"): "SMTP_TLS_PASSPHRASE",
    ("tls", "pfx"): "SMTP_TLS_PFX",
}
# `scheme://user:password@host`: the password of a proxy URL (SC403 reports it written literally).
_PROXY_PASSWORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/@:]*:([^/@]+)@")


def proxy_password(url: str) -> str | None:
    """The password written in a proxy URL's user part, if any (it may be a ``${VAR}`` reference)."""
    match = _PROXY_PASSWORD.match(url)
    return match.group(1) if match else None


def at_secret_paths(value: Any, secret: bool = False) -> list[Any]:
    """The leaf values of ``value`` under a key of :data:`connector.logto.SECRET_KEYS` (all, with ``secret``),
    in document order."""
    if not isinstance(value, (dict, list)):
        return [value] if secret else []
    found: list[Any] = []
    # The open containers' iterators, each with whether it is under a secret key; not recursive: a deep
    # document cannot exhaust the stack here, and a leaf costs no push and pop.
    stack: list[tuple[Iterator[tuple[Any, Any]], bool]] = [
        (iter(value.items()) if isinstance(value, dict) else enumerate(value), secret)
    ]
    while stack:
        items, inside = stack[-1]
        for key, item in items:
            if isinstance(item, dict):
                stack.append((iter(item.items()), inside or key in SECRET_KEYS))
                break
            if isinstance(item, list):
                stack.append((enumerate(item), inside or key in SECRET_KEYS))
                break
            if inside or key in SECRET_KEYS:
                found.append(item)
        else:
            stack.pop()
    return found


def register_resolved_secrets(config: Any) -> None:
    """Register every credential of a config whose values are resolved (built, or read from Logto): each
    value under a key of :data:`connector.logto.SECRET_KEYS` whole, and a proxy URL's password. Values as
    written in a source, where a ``${VAR}`` is no secret, are registered by the loader
    (:func:`connector.source.secret_values.register_written_secrets`)."""
    texts = [
        str(item)  # `pass: 12345678` is a wrong type, and still a secret
        for item in at_secret_paths(config)
        if isinstance(item, (str, int, float)) and not isinstance(item, bool)
    ]
    proxy = config.get("proxy") if isinstance(config, dict) else None
    password = proxy_password(proxy) if isinstance(proxy, str) else None
    if isinstance(proxy, str) and password is not None:
        texts += [password, proxy]
    register_secret_texts(texts)
