"""SC403: a secret written literally in a file that is committed (a ``${VAR}`` reference is fine)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from connector.diagnostics.findings import Finding
from connector.diagnostics.redact import register_secret
from connector.lint.base import Context, is_reference, rule
from connector.lint.rules_values import unfilled
from connector.source.loader import KeyPath

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
_PROXY_PASSWORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/@:]*:([^/@]+)@")


@rule()
def literal_secrets(ctx: Context) -> Iterator[Finding]:
    for path, variable in SECRETS.items():
        value = _get(ctx.data, path)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)  # `pass: 12345678` is a wrong type and a secret: keep it out of messages
        if not isinstance(value, str) or not value or is_reference(value) or _all_placeholder(value):
            continue
        register_secret(value)
        dotted = ".".join(str(step) for step in path)
        yield ctx.finding(
            path,
            "SC403",
            f"`{dotted}` is a secret written literally in this file; it must not be committed",
            f"write `{path[-1]}: ${{{variable}}}` and set {variable} in the environment "
            "(your CI's secret store)",
        )
    proxy = ctx.data.get("proxy")
    match = _PROXY_PASSWORD.match(proxy) if isinstance(proxy, str) else None
    if match and not is_reference(match.group(1)):
        register_secret(match.group(1))
        register_secret(match.string)
        yield ctx.finding(
            ("proxy",),
            "SC403",
            "`proxy` has a password written literally in its URL; it must not be committed",
            "write the whole URL as ${SMTP_PROXY} and set SMTP_PROXY in the environment",
        )


def _all_placeholder(value: str) -> bool:
    stripped = value.strip()
    return bool(unfilled(stripped)) and stripped.startswith("<") and stripped.endswith(">")


def _get(data: Any, path: KeyPath) -> Any:
    for step in path:
        if not isinstance(data, dict):
            return None
        data = data.get(step)
    return data


@rule(("final",))
def unresolved_references(ctx: Context) -> Iterator[Finding]:
    """SC509: Logto stores and sends a final config as it is; it never reads the environment.

    References in credential keys are the committed form SC403 asks for (``pass: ${SMTP_PASS}``, a
    ``build --keep-refs`` file): render and send resolve them, and they are not reported here.
    """
    from connector.logto import SECRET_KEYS
    from connector.project.layout import dotted
    from connector.project.variables import references

    for path, text in _strings(ctx.data, ()):
        if any(step in SECRET_KEYS for step in path if isinstance(step, str)):
            continue
        found = references(text) if "${" in text else []
        if found:
            first = found[0].text
            yield ctx.finding(
                path,
                "SC509",
                f"`{dotted(path)}` holds the reference `{first}`, which Logto does not resolve: "
                f"it would use the text `{first}` itself as the value",
                "resolve it before Logto sees it: `smtp-connector build` without --keep-refs "
                "(render and send resolve it from the environment)",
            )


def _strings(value: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, i))
