"""Which values of a config are credentials (:func:`connector.logto.is_secret_path`), and the password
nodemailer reads from a ``proxy`` or ``url`` URL. tests/test_secret_fields.py holds them to every field of
Logto's guard and every option nodemailer reads where the guard lets undeclared keys through."""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from typing import Any

from connector.diagnostics.paths import KeyPath
from connector.diagnostics.redact import register_secret_texts
from connector.logto import CREDENTIAL_URL_KEYS, SECRET_KEYS, secret_keys_in

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
    # Not declared by Logto's OAuth2 forms, which pass them on to nodemailer's token request.
    ("auth", "customParams"): "SMTP_OAUTH2_PARAMS",
    ("auth", "customHeaders"): "SMTP_OAUTH2_HEADERS",
}
# `scheme://user:password@host`: the password of a proxy or connection URL (SC403 reports it written
# literally).
_URL_PASSWORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/@:]*:([^/@]+)@")


def url_password(url: str) -> str | None:
    """The password written in a URL's user part, if any (it may be a ``${VAR}`` reference)."""
    match = _URL_PASSWORD.match(url)
    return match.group(1) if match else None


def at_secret_paths(value: Any, secret: bool = False) -> list[Any]:
    """The leaf values of ``value`` under a credential key (:func:`connector.logto.secret_keys_in`: a key of
    :data:`connector.logto.SECRET_KEYS`, or ``auth.customHeaders``; all, with ``secret``), in document order."""
    if not isinstance(value, (dict, list)):
        return [value] if secret else []
    found: list[Any] = []
    # The open containers' iterators, each with whether it is under a secret key and the keys that are
    # credentials in it; not recursive: a deep document cannot exhaust the stack here, and a leaf costs no
    # push and pop.
    stack: list[tuple[Iterator[tuple[Any, Any]], bool, frozenset[str]]] = [
        (iter(value.items()) if isinstance(value, dict) else enumerate(value), secret, SECRET_KEYS)
    ]
    while stack:
        items, inside, keys = stack[-1]
        for key, item in items:
            if isinstance(item, dict):
                stack.append((iter(item.items()), inside or key in keys, secret_keys_in(key)))
                break
            if isinstance(item, list):
                stack.append((enumerate(item), inside or key in keys, SECRET_KEYS))
                break
            if inside or key in keys:
                found.append(item)
        else:
            stack.pop()
    return found


def secret_leaves(data: dict[str, Any]) -> Iterator[tuple[KeyPath, Any]]:
    """Each leaf value (not a mapping or a list) under a credential key of ``data`` with its key path, in
    document order: ``auth.pass``, and also ``tls.key[0].pem`` or ``auth.customParams.client_assertion``
    (:func:`connector.logto.is_secret_path` says which paths are credentials; this walk agrees with it)."""
    # The open containers' iterators, each with its path, whether it is under a secret key and the keys
    # that are credentials in it; not recursive, so a deep document cannot exhaust the stack.
    stack: list[tuple[KeyPath, Iterator[tuple[Any, Any]], bool, frozenset[str]]] = [
        ((), iter(data.items()), False, SECRET_KEYS)
    ]
    while stack:
        where, items, inside, keys = stack[-1]
        for key, item in items:
            secret = inside or key in keys
            if isinstance(item, dict):
                stack.append(((*where, key), iter(item.items()), secret, secret_keys_in(key)))
                break
            if isinstance(item, list):
                stack.append(((*where, key), enumerate(item), secret, SECRET_KEYS))
                break
            if secret:
                yield (*where, key), item
        else:
            stack.pop()


def secret_variable(path: KeyPath) -> str:
    """The environment variable suggested for the secret at ``path`` (list indexes aside): the one
    :data:`SECRETS` names, else ``SMTP_`` and the path in capitals (``tls.key.pem``: ``SMTP_TLS_KEY_PEM``)."""
    keys = tuple(step for step in path if isinstance(step, str))
    known = SECRETS.get(keys)
    if known is not None:
        return known
    return "SMTP_" + re.sub(r"[^A-Za-z0-9]+", "_", _CAMEL.sub("_", ".".join(keys))).upper()


_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def url_secrets(key: str, url: str) -> list[str]:
    """The secrets written in the URL at ``key``, as written (each may be a ``${VAR}`` reference): the password
    of its user part, and for ``url`` each query parameter nodemailer makes a TLS credential of
    (``?tls.passphrase=...``: its parseConnectionUrl puts ``tls.*`` parameters in the tls options), both as
    written and decoded."""
    password = url_password(url)
    found = [] if password is None else [password]
    if key != "url" or "?" not in url:
        return found
    for pair in url.partition("?")[2].partition("#")[0].split("&"):
        name, _, value = pair.partition("=")
        name = urllib.parse.unquote_plus(name)
        if value and name.startswith("tls.") and name[4:] in SECRET_KEYS:
            found += dict.fromkeys((value, urllib.parse.unquote_plus(value)))
    return found


def credential_urls(config: Any) -> list[tuple[str, str, str]]:
    """Each secret in a top-level URL of ``config`` (:data:`connector.logto.CREDENTIAL_URL_KEYS`,
    :func:`url_secrets`): its key, the URL and the secret as written (it may be a ``${VAR}`` reference)."""
    if not isinstance(config, dict):
        return []
    found = []
    for key in CREDENTIAL_URL_KEYS:
        url = config.get(key)
        if isinstance(url, str):
            found += [(key, url, secret) for secret in url_secrets(key, url)]
    return found


def register_resolved_secrets(config: Any) -> None:
    """Register every credential of a config whose values are resolved (built, or read from Logto): each
    value under a credential key whole, and the password of a ``proxy`` or ``url`` URL with the URL. Values as
    written in a source, where a ``${VAR}`` is no secret, are registered by the loader
    (:func:`connector.source.secret_values.register_written_secrets`)."""
    texts = [
        str(item)  # `pass: 12345678` is a wrong type, and still a secret
        for item in at_secret_paths(config)
        if isinstance(item, (str, int, float)) and not isinstance(item, bool)
    ]
    for _, url, password in credential_urls(config):
        texts += [password, url]
    register_secret_texts(texts)
