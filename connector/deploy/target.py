"""Which Logto tenant to deploy to, and with which machine-to-machine app: flags, the ``logto`` section of
an environment file, or the ``LOGTO_*`` environment variables (in that order).

What an endpoint may be lives in :mod:`connector.logto.loopback` (lint reads it too).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.printable import printable
from connector.diagnostics.redact import register_secret
from connector.errors import InputError, UsageError
from connector.logto.loopback import USERINFO_PROBLEM, endpoint_problem, has_userinfo, is_loopback
from connector.source import variables
from connector.source.files import LOGTO_SECTION

# The section's keys and the environment variable each falls back to.
ENV_VARS = {
    "endpoint": "LOGTO_ENDPOINT",
    "resource": "LOGTO_API_RESOURCE",
    "appId": "LOGTO_M2M_APP_ID",
    "appSecret": "LOGTO_M2M_APP_SECRET",
}
CA_FILE_VAR = "LOGTO_CA_FILE"
# Where the CA bundle comes from when neither --ca-file nor LOGTO_CA_FILE is given (as httpx and OpenSSL
# read them); otherwise certifi's roots.
CA_ENV_FILE, CA_ENV_DIR = "SSL_CERT_FILE", "SSL_CERT_DIR"
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
    ca_source: str = "--ca-file"  # the option or variable ca_file came from
    ca_dir: Setting | None = None  # SSL_CERT_DIR, when no CA file is named
    proxy: Setting | None = None  # the proxy variable that applies to the endpoint (never for loopback)

    @property
    def base_url(self) -> str:
        return self.endpoint.value.rstrip("/")

    def credentials_hint(self) -> str:
        """Where to look when Logto refuses the app: the places the id and secret came from, not values."""
        return f"check {self.app_id.source} and {self.app_secret.source}"


# The proxy variables, in the order they apply (lower case first, as urllib and curl read them).
_PROXY_NAMES = ("{scheme}_proxy", "{SCHEME}_PROXY", "all_proxy", "ALL_PROXY")


def proxy_for(endpoint: str, environ: Mapping[str, str]) -> Setting | None:
    """The proxy variable that applies to ``endpoint``, or None. Loopback never goes through a proxy (its
    plain http is allowed only because it never leaves the machine), nor does a host ``NO_PROXY`` names."""
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    if is_loopback(host):
        return None
    for pattern in _PROXY_NAMES:
        name = pattern.format(scheme=parts.scheme, SCHEME=parts.scheme.upper())
        value = environ.get(name)
        if value:
            break
    else:
        return None
    no_proxy = environ.get("no_proxy") or environ.get("NO_PROXY") or ""
    if _bypassed(host, no_proxy):
        return None
    # A bare host:port is an http proxy, as curl and httpx read it.
    return Setting(value if "://" in value else f"http://{value}", name)


def _bypassed(host: str, no_proxy: str) -> bool:
    """Whether ``NO_PROXY`` names ``host``, as curl reads it: ``*``, or a host or domain suffix per entry
    (``example.com`` and ``.example.com`` both match example.com and its subdomains)."""
    for entry in no_proxy.split(","):
        name = entry.strip().lower().lstrip(".")
        if name == "*":
            return True
        if name.startswith("["):  # [v6]:port
            name = name[1:].split("]")[0]
        elif name.count(":") == 1:  # host:port (a bare IPv6 address has several colons)
            name = name.split(":")[0]
        if name and (host == name or host.endswith(f".{name}")):
            return True
    return False


def api_proxy_problem(url: str) -> str | None:
    """Why ``url`` cannot carry the Management API calls, or None; the value is never quoted (it may hold
    the proxy's password)."""
    if any(not c.isprintable() or c.isspace() for c in url):
        return "holds a space, a line break or another control character"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return "is not a proxy URL such as http://proxy.example:3128"
    if parts.scheme not in ("http", "https"):
        return (
            f"is a {printable(parts.scheme)}:// proxy; deploy and pull go through http:// or https:// proxies "
            "only (set NO_PROXY to Logto's host to go direct)"
        )
    if not parts.hostname:
        return "is not a proxy URL such as http://proxy.example:3128"
    return None


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
    missing_at: Location | None = None,
) -> Target:
    """The target from ``flags`` (endpoint, resource, appId) > the ``logto`` section > ``LOGTO_*`` variables.

    ``section`` is the environment's merged ``logto`` mapping with its ``${VAR}`` references unresolved;
    ``locate`` gives the source position of one of its keys, ``missing_at`` where a missing one would be
    written (the environment file). Every problem is a finding (SC704 for a missing or unusable setting)
    naming the variable or file to fix; no value is ever part of a message.
    """

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
            value, found = variables.resolve(
                written, environ, where, f"{LOGTO_SECTION}.{key}", (LOGTO_SECTION, key)
            )
            findings.extend(found)
            source = " and ".join(f"${{{ref.name}}}" for ref in refs) or f"{LOGTO_SECTION}.{key}"
            if not found:
                if not value:
                    findings.append(
                        Finding.at(
                            where,
                            "SC502",
                            f"{LOGTO_SECTION}.{key} is empty",
                            f"set {source} to a value",
                            key_path=(LOGTO_SECTION, key),
                        )
                    )
                else:
                    values[key] = Setting(value, f"{source} ({LOGTO_SECTION}.{key} at {where})")
            continue
        value = environ.get(var, "")
        if value:
            values[key] = Setting(value, var)
    endpoint = values.get("endpoint")
    if endpoint is not None:
        if has_userinfo(endpoint.value):
            raise UsageError(f"the Logto endpoint from {endpoint.source} {USERINFO_PROBLEM}")
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
                f"file's `{LOGTO_SECTION}:` section)"
            )
    if findings or problems:
        # A missing setting is SC704 at the file that would name it; without one (pull), plain lines.
        where = missing_at or Location("smtp-connector")
        raise InputError(
            "\n".join(problems),
            findings=[*findings, *(_problem(where, p) for p in problems)] if findings or missing_at else (),
        )
    proxy = proxy_for(values["endpoint"].value, environ)
    if proxy is not None:
        problem = api_proxy_problem(proxy.value)
        if problem:
            raise InputError(f"{proxy.source} {problem}", hint=f"fix or unset {proxy.source}")
        secret = urlsplit(proxy.value).password
        if secret:
            register_secret(secret)
    register_secret(values["appSecret"].value)
    ca_source = "--ca-file" if ca_file else CA_FILE_VAR if environ.get(CA_FILE_VAR) else CA_ENV_FILE
    ca_dir = environ.get(CA_ENV_DIR)
    return Target(
        values["endpoint"],
        values["resource"],
        values["appId"],
        values["appSecret"],
        ca_file or environ.get(CA_FILE_VAR) or environ.get(CA_ENV_FILE) or None,
        ca_source,
        Setting(ca_dir, CA_ENV_DIR) if ca_dir else None,
        proxy,
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
        f"`{LOGTO_SECTION}.appSecret` is written literally; the M2M app secret must not be committed",
        "write `appSecret: ${LOGTO_M2M_APP_SECRET}` (or another variable) and set it in your CI's "
        "secret store",
    )
