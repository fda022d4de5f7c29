"""Which Logto tenant to deploy to, and with which machine-to-machine app: flags, the ``logto`` section of
an environment file, or the ``LOGTO_*`` environment variables (in that order).

Kept free of heavy imports: lint reads :func:`endpoint_problem` to check the section in source files.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.redact import register_secret
from connector.errors import InputError

SECTION = "logto"  # the source-file key; never part of the built connector config
# The section's keys and the environment variable each falls back to.
ENV_VARS = {
    "endpoint": "LOGTO_ENDPOINT",
    "resource": "LOGTO_API_RESOURCE",
    "appId": "LOGTO_M2M_APP_ID",
    "appSecret": "LOGTO_M2M_APP_SECRET",
}
CA_FILE_VAR = "LOGTO_CA_FILE"
# The Management API's resource indicator on a self-hosted Logto; Logto Cloud's is per tenant.
SELF_HOSTED_RESOURCE = "https://default.logto.app/api"
_CLOUD_SUFFIX = ".logto.app"


@dataclass(frozen=True)
class Setting:
    """One value and where it came from, as a person would look for it: ``LOGTO_M2M_APP_SECRET``,
    ``--endpoint``, or ``${PROD_LOGTO_SECRET} at environments/prod.yaml:6:14``."""

    value: str
    source: str


@dataclass(frozen=True)
class Target:
    """A Logto tenant and the credentials of an M2M app with Management API access."""

    endpoint: Setting
    resource: Setting
    app_id: Setting
    app_secret: Setting
    ca_file: str | None = None

    @property
    def base_url(self) -> str:
        return self.endpoint.value.rstrip("/")

    def credentials_hint(self) -> str:
        """Where to look when Logto refuses the app: the places the id and secret came from, not values."""
        return f"check {self.app_id.source} and {self.app_secret.source}"


def endpoint_problem(url: str) -> str | None:
    """Why ``url`` cannot be a Logto endpoint, or None. Plain ``http://`` is allowed on loopback only:
    the app secret and every config secret cross this connection."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return f"`{url}` is not a URL"
    if parts.scheme not in ("http", "https") or not host:
        return f"`{url}` is not an http(s) URL such as https://auth.example.com"
    if parts.query or parts.fragment:
        return f"`{url}` has a query or fragment; give the endpoint only, such as https://auth.example.com"
    if parts.scheme == "http" and not is_loopback(host):
        return (
            f"`{url}` is plain http: the app secret and the connector's secrets would cross the network "
            "unencrypted (http is allowed on loopback only)"
        )
    return None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def default_resource(endpoint: str) -> str:
    """Logto Cloud's ``https://TENANT.logto.app/api`` for a cloud endpoint, else the self-hosted one."""
    host = urlsplit(endpoint).hostname or ""
    if host.endswith(_CLOUD_SUFFIX) and host.count(".") == 2:
        return f"https://{host}/api"
    return SELF_HOSTED_RESOURCE


def resolve_target(
    *,
    flags: Mapping[str, str | None],
    environ: Mapping[str, str],
    section: Mapping[str, Any] | None = None,
    locate: Callable[[str], Location] | None = None,
    ca_file: str | None = None,
) -> Target:
    """The target from ``flags`` (endpoint, resource, appId) > the ``logto`` section > ``LOGTO_*`` variables.

    ``section`` is the environment's merged ``logto`` mapping with its ``${VAR}`` references unresolved;
    ``locate`` gives the source position of one of its keys. Every problem is a finding naming the
    variable or file to fix; no value is ever part of a message.
    """
    from connector.project import variables

    findings: list[Finding] = []
    problems: list[str] = []
    handled: set[str] = set()  # written in the section: its problems are reported there
    values: dict[str, Setting] = {}
    for key, var in ENV_VARS.items():
        flag = flags.get(key)
        if flag:
            values[key] = Setting(flag, f"--{_flag_name(key)}")
            continue
        written = (section or {}).get(key)
        if isinstance(written, str) and written and locate is not None:
            handled.add(key)
            where = locate(key)
            refs = variables.references(written)
            if key == "appSecret" and not refs:
                findings.append(_literal_secret(where))
                continue
            value, found = variables.resolve(written, environ, where, f"{SECTION}.{key}", (SECTION, key))
            findings.extend(found)
            source = " and ".join(f"${{{ref.name}}}" for ref in refs) or f"{SECTION}.{key}"
            if not found:
                if not value:
                    findings.append(
                        Finding.at(
                            where,
                            "SC502",
                            f"{SECTION}.{key} is empty",
                            f"set {source} to a value",
                            key_path=(SECTION, key),
                        )
                    )
                else:
                    values[key] = Setting(value, f"{source} ({SECTION}.{key} at {where})")
            continue
        value = environ.get(var, "")
        if value:
            values[key] = Setting(value, var)
    endpoint = values.get("endpoint")
    if endpoint is not None:
        problem = endpoint_problem(endpoint.value)
        if problem:
            problems.append(f"{problem} (from {endpoint.source})")
    if "resource" not in values and endpoint is not None:
        values["resource"] = Setting(default_resource(endpoint.value), "the default for this endpoint")
    for key, var in ENV_VARS.items():
        if key not in values and key not in handled:
            if key == "resource" and endpoint is None:
                continue  # reported as the missing endpoint
            hint = f"set {var}" + (f" or pass --{_flag_name(key)}" if key != "appSecret" else "")
            problems.append(
                f"no Logto {_what(key)}: {var} is not set ({hint}, or name it in the environment "
                f"file's `{SECTION}:` section)"
            )
    if findings or problems:
        where = Location("smtp-connector")
        raise InputError(
            "\n".join(problems),
            findings=[*findings, *(_problem(where, p) for p in problems)] if findings else (),
        )
    register_secret(values["appSecret"].value)
    return Target(
        values["endpoint"],
        values["resource"],
        values["appId"],
        values["appSecret"],
        ca_file or environ.get(CA_FILE_VAR) or None,
    )


def _flag_name(key: str) -> str:
    return {"appId": "app-id", "appSecret": "app-secret"}.get(key, key)


def _what(key: str) -> str:
    return {
        "endpoint": "endpoint",
        "resource": "API resource",
        "appId": "M2M app id",
        "appSecret": "M2M app secret",
    }[key]


def _problem(where: Location, message: str) -> Finding:
    return Finding.at(where, "SC704", message)


def _literal_secret(where: Location) -> Finding:
    return Finding.at(
        where,
        "SC701",
        f"`{SECTION}.appSecret` is written literally; the M2M app secret must not be committed",
        "write `appSecret: ${LOGTO_M2M_APP_SECRET}` (or another variable) and set it in your CI's "
        "secret store",
    )


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
