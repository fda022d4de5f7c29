"""Facts about Logto and nodemailer that the lint, the build and the runtime all read, kept free of heavy
imports (the lint hook reads them). tests/test_logto_facts.py holds them to Logto's own code.

Sources: ``@logto/connector-smtp`` 1.5.4 (its guard and ``buildMailOptions``; pinned in tests/logto-peer, where
the tests run it), nodemailer's defaults, and Logto's email-template docs.

The facts that need code of their own live next to it, each in one place:

- header values (names, line ends): :mod:`connector.logto.headers`;
- how nodemailer reads an address (lint SC405 and SC411, the headers and the envelope):
  :mod:`connector.logto.addresses`;
- placeholders, filled as Logto fills them: :mod:`connector.logto.placeholders`, and a whole template
  (the sender and reply-to fallbacks): :func:`connector.mail.message.fill_template`;
- ``${VAR}`` references (this tool's, resolved before Logto sees the config): :mod:`connector.source.variables`;
- ``<...>`` example values left in place (provider overlays, SC401, SC403): :mod:`connector.logto.examples`.

This tool's own names are not Logto's and live elsewhere: a project's file names and deploy's ``logto:``
section in :mod:`connector.source.files`, the wording of what a wrong value leads to in
:mod:`connector.diagnostics.consequences`.
"""

from __future__ import annotations

from typing import Any

from connector.diagnostics.consequences import BUILD_REFUSES, IGNORED, SAVE_REFUSED, SEND_FAILS, UNSUPPORTED

# The SMTP connector's factory id (`connectorId` in Logto's Management API; metadata.id in the package).
SMTP_CONNECTOR_ID = "simple-mail-transfer-protocol"

REQUIRED_USAGE_TYPES = ("Register", "SignIn", "ForgotPassword", "Generic")
# The usage types Logto sends today; anything else silently falls back to Generic at send time.
USAGE_TYPES = (
    "SignIn",
    "Register",
    "ForgotPassword",
    "OrganizationInvitation",
    "Generic",
    "UserPermissionValidation",
    "BindNewIdentifier",
    "MfaVerification",
    "BindMfa",
)
# Every type but the invitation carries a one-time code.
VERIFICATION_TYPES = tuple(kind for kind in USAGE_TYPES if kind != "OrganizationInvitation")
LOGIN_TYPES = ("login", "Login", "LOGIN")
# Keys whose values are credentials wherever they appear (auth, dkim, tls): never printed, redacted.
# customParams: nodemailer adds them to the OAuth2 token request's form (a `client_assertion`, say); Logto's
# OAuth2 forms let keys they do not declare through to nodemailer (tests/test_secret_fields.py).
SECRET_KEYS = frozenset((
    "pass", "clientSecret", "refreshToken", "accessToken", "privateKey", "passphrase", "key", "pfx",
    "customParams",
))  # fmt: skip
# Keys that are credentials only inside another: nodemailer sends auth.customHeaders to the OAuth2 token
# endpoint (an `Authorization` header), while the top-level customHeaders go into every message. For each
# such parent key, every key that is a credential in the mapping under it.
_SECRET_KEYS_UNDER: dict[str, frozenset[str]] = {"auth": SECRET_KEYS | {"customHeaders"}}
# Top-level keys holding a URL whose user part may carry a password: nodemailer connects through `proxy`,
# and takes the user and password of `url` (``smtps://user:pass@host``) for auth.
CREDENTIAL_URL_KEYS = ("proxy", "url")


def secret_keys_in(parent: object) -> frozenset[str]:
    """The keys that are credentials inside a mapping held under the key ``parent``."""
    return _SECRET_KEYS_UNDER.get(parent, SECRET_KEYS) if isinstance(parent, str) else SECRET_KEYS


def is_secret_path(path: tuple[str | int, ...]) -> bool:
    """Whether the value at ``path`` is a credential: some key on the way is one (``auth.privateKey.key``,
    ``auth.customHeaders.Authorization``)."""
    return any(
        isinstance(step, str) and step in secret_keys_in(parent)
        for parent, step in zip((None, *path), path, strict=False)
    )


def clean_deep(value: Any) -> tuple[Any, list[tuple[str | int, ...]]]:
    """What Logto stores when it saves a config: its clean-deep step (3.4.0, defaults) removes empty strings,
    nulls, {} and [], recursively, so a mapping left empty goes too. Also the paths removed (outermost only).
    """
    removed: list[tuple[str | int, ...]] = []
    return _clean(value, (), removed), removed


def _clean(value: Any, path: tuple[str | int, ...], removed: list[tuple[str | int, ...]]) -> Any:
    # One pass, no call per leaf: a 1 MiB list of secrets is 148,000 leaves, and a key path is built only
    # for what is removed.
    if isinstance(value, dict):
        kept: dict[Any, Any] = {}
        for key, item in value.items():
            if isinstance(item, (dict, list)):
                mark = len(removed)
                item = _clean(item, (*path, key), removed)
                if not item:
                    del removed[mark:]  # the inner removals are part of this one
                    removed.append((*path, key))
                    continue
            elif item is None or item == "":
                removed.append((*path, key))
                continue
            kept[key] = item
        return kept
    if isinstance(value, list):
        out: list[Any] = []
        for index, item in enumerate(value):
            if isinstance(item, (dict, list)):
                mark = len(removed)
                item = _clean(item, (*path, index), removed)
                if not item:
                    del removed[mark:]
                    removed.append((*path, index))
                    continue
            elif item is None or item == "":
                removed.append((*path, index))
                continue
            out.append(item)
        return out
    return value


def implicit_tls(secure: object, port: object) -> bool:
    """TLS from the first byte: ``secure``, or nodemailer's default of port 465 when secure is absent."""
    return secure is True or (secure is None and port == 465)


# The final config's top-level keys: the guard's and the nodemailer options Logto passes on (a test keeps
# this equal to the models' fields; the lint hook reads it without importing them).
CONFIG_KEYS = frozenset((
    "host", "port", "auth", "fromEmail", "replyTo", "templates", "secure", "requireTLS", "ignoreTLS",
    "opportunisticTLS", "tls", "servername", "name", "localAddress", "connectionTimeout", "greetingTimeout",
    "socketTimeout", "dnsTimeout", "customHeaders", "logger", "debug", "disableFileAccess", "disableUrlAccess",
    "pool", "maxConnections", "maxMessages", "rateDelta", "rateLimit", "dkim", "authMethod", "forceAuth",
    "proxy", "transactionLog", "service",
))  # fmt: skip
OAUTH2_TYPES = ("oauth2", "OAuth2", "OAUTH2")
# The auth forms of Logto's guard (a zod union: a value may fit more than one), by the tag our models give
# each: (its name in messages, the name of its model and of its definition in the published schema).
AUTH_FORMS = {
    "login": ("login", "LoginAuth"),
    "oauth2-service": ("OAuth2 service-key", "OAuth2ServiceAuth"),
    "oauth2-token": ("OAuth2 token", "OAuth2TokenAuth"),
}

# What becomes of a value the published schema refuses (docs/logto-compat.md, "Where we are stricter"):
# Logto's guard (zod, @logto/connector-smtp 1.5.4) checks the type of every key it names, the values of
# its enums (a template's contentType, auth.type) and the keys of the login auth form (a strict object);
# it lets `tls` through unchecked, checks no number's range, and lets unknown keys through elsewhere,
# where nodemailer then ignores them.
_GUARD_ENUMS = frozenset({"contentType", "type"})
# The top-level keys the guard names (the other CONFIG_KEYS reach nodemailer unchecked); a test holds the
# list to Logto's guard by giving each key a value of the wrong type.
GUARD_KEYS = frozenset((
    "host", "port", "auth", "fromEmail", "replyTo", "templates", "name", "localAddress", "connectionTimeout",
    "greetingTimeout", "socketTimeout", "dnsTimeout", "secure", "servername", "ignoreTLS", "requireTLS",
    "customHeaders", "logger", "debug", "disableFileAccess", "disableUrlAccess", "tls",
))  # fmt: skip


def guard_checks_type(path: tuple[str | int, ...]) -> bool:
    """Whether Logto's guard checks the type of the value at ``path`` (else only nodemailer meets it)."""
    if not path or path[0] not in GUARD_KEYS or (path[0] == "tls" and len(path) > 1):
        return False  # `tls` must be an object, and the guard takes any object there
    if path[0] == "templates":  # the guard's template object names these four; other keys pass unchecked
        return len(path) < 3 or path[2] in TEMPLATE_REQUIRED_FIELDS
    return True


def wrong_value_consequence(path: tuple[str | int, ...], *, kind: str) -> str:
    """What a wrong value at ``path`` leads to: ``kind`` is "type", "value" (enum, form) or "range"."""
    if _project_only(path):
        return BUILD_REFUSES
    if kind == "type" and guard_checks_type(path):
        return SAVE_REFUSED
    if kind == "value" and guard_checks_type(path) and path[-1] in _GUARD_ENUMS:
        return SAVE_REFUSED
    return SEND_FAILS


# The options nodemailer (8.0.x, as Logto's connector loads it) reads in each object where Logto's guard
# lets undeclared keys through, keyed by the object's dotted path; tests/test_logto_facts.py reads them out
# of the peer's nodemailer. Our schema declares only some: an unknown key of ours that is one of these is
# no typo that "does nothing" (SC201 says nodemailer acts on it).
# createTransport, SMTPTransport, SMTPConnection, the mailer (dkim, proxy) and the pool. `url` replaces the
# whole config (createTransport parses it alone): SC318. `pool`, `sendmail`, `streamTransport`,
# `jsonTransport` and `SES` make createTransport pick another transport.
_NODEMAILER_TOP = frozenset((
    "SES", "jsonTransport", "pool", "sendmail", "streamTransport", "allowInternalNetworkInterfaces", "attachDataUrls", "auth", "authMethod", "component", "connection",
    "connectionTimeout", "customAuth", "debug", "direct", "disableFileAccess", "disableUrlAccess", "dkim",
    "dnsTimeout", "dnsTtl", "forceAuth", "getSocket", "greetingTimeout", "host", "ignoreTLS", "lmtp",
    "localAddress", "logger", "maxConnections", "maxMessages", "maxRequeues", "name", "opportunisticTLS",
    "port", "proxy", "rateDelta", "rateLimit", "requireTLS", "secure", "secured", "service", "servername",
    "socket", "socketTimeout", "tls", "transactionLog", "url",
))  # fmt: skip
# With an OAuth2 type: SMTPTransport.getAuth (type, service, user) and XOAuth2's options.
_NODEMAILER_OAUTH2 = frozenset((
    "accessToken", "accessUrl", "clientId", "clientSecret", "component", "customHeaders", "customParams",
    "expires", "privateKey", "provisionCallback", "refreshToken", "scope", "service", "serviceClient",
    "serviceRequestTimeout", "timeout", "tls", "type", "user",
))  # fmt: skip
# DKIM's options: `keys` ([{domainName, keySelector, privateKey}]) replaces the single key.
_NODEMAILER_DKIM = frozenset((
    "cacheDir", "cacheTreshold", "domainName", "hashAlgo", "headerFieldNames", "keySelector", "keys",
    "privateKey", "skipFields",
))  # fmt: skip
NODEMAILER_OPTIONS: dict[str, frozenset[str]] = {
    "": _NODEMAILER_TOP,
    "auth": _NODEMAILER_OAUTH2,
    "dkim": _NODEMAILER_DKIM,
}
# What SMTPTransport.getAuth reads of an `auth` without an OAuth2 type (nodemailer then logs in).
NODEMAILER_LOGIN_AUTH = frozenset(("method", "options", "pass", "type", "user"))


def nodemailer_reads(path: tuple[str | int, ...], *, oauth2_auth: bool = False) -> bool:
    """Whether nodemailer reads the key at ``path`` (an object Logto passes on as saved); ``oauth2_auth``:
    in an ``auth`` whose type is an OAuth2 one."""
    if not path or not isinstance(path[-1], str):
        return False
    parent = path[:-1]
    if parent == ("auth",) and not oauth2_auth:
        return path[-1] in NODEMAILER_LOGIN_AUTH
    options = NODEMAILER_OPTIONS.get(".".join(map(str, parent))) if len(parent) < 2 else None
    return options is not None and path[-1] in options


def unknown_key_consequence(
    path: tuple[str | int, ...], *, login_auth: bool, oauth2_auth: bool = False
) -> str:
    """What an unknown key at ``path`` leads to; ``login_auth``: in an ``auth`` whose type is login;
    ``oauth2_auth``: in one whose type is OAuth2.

    Only that zod object is strict; without a type, Logto's union reads the same keys as its OAuth2 token
    form, which is not, and nodemailer (which sees no type, so logs in) reads only the login keys of it.
    A key of ours nodemailer reads (:data:`NODEMAILER_OPTIONS`) does something we do not support.
    """
    if _project_only(path[:-1]):  # the key itself is unknown: where it stands decides
        return BUILD_REFUSES
    if login_auth and path[:1] == ("auth",):
        return SAVE_REFUSED
    return UNSUPPORTED if nodemailer_reads(path, oauth2_auth=oauth2_auth) else IGNORED


def _project_only(path: tuple[str | int, ...]) -> bool:
    return bool(path) and (path[0] not in CONFIG_KEYS or "locales" in path)


# What Logto's guard requires of a config and of each template (an empty one is deleted on save, then missed).
REQUIRED_KEYS = ("host", "port", "auth", "fromEmail", "templates")
TEMPLATE_REQUIRED_FIELDS = ("usageType", "contentType", "subject", "content")

# The template fields Logto fills placeholders in (buildMailOptions), and that a project may write as a
# string, {text: PATH}, {file: PATH} or {jinja: TEXT}; each is one value when layers merge.
TEMPLATE_TEXT_FIELDS = ("subject", "content", "replyTo", "sendFrom")

# nodemailer's timeouts when the config sets none, in milliseconds (lib/smtp-connection, 8.0.x).
DEFAULT_TIMEOUTS = {
    "connectionTimeout": 120_000,
    "greetingTimeout": 30_000,
    "socketTimeout": 600_000,
    "dnsTimeout": 30_000,
}

# Node clamps a timer of 2^31 ms or more to 1 ms (TimeoutOverflowWarning): nodemailer's connection,
# greeting, socket and DNS timeouts then fire at once and every send fails.
MAX_TIMER_MS = 2**31 - 1
TIMEOUT_KEYS = ("connectionTimeout", "greetingTimeout", "socketTimeout", "dnsTimeout")


def proxy_problem(url: str) -> str | None:
    """Why Logto's nodemailer fails every send through the ``proxy`` URL, or None (http:// and https://
    work: HTTP CONNECT). SOCKS needs a module Logto does not load (lib/mailer/index.js, setupProxy)."""
    scheme = url.partition(":")[0].lower() if ":" in url else ""
    if scheme in ("http", "https"):
        return None
    if scheme in ("socks", "socks4", "socks4a", "socks5"):
        return 'Logto\'s nodemailer has no SOCKS module loaded, so every send fails with "Socks module not loaded"'
    return 'nodemailer knows no such proxy, so every send fails with "Unknown proxy configuration"'


# nodemailer's default DKIM header fields (RFC 4871 5.5; lib/dkim/sign.js).
DKIM_HEADER_FIELDS = (
    "From:Sender:Reply-To:Subject:Date:Message-ID:To:Cc:MIME-Version:Content-Type:Content-Transfer-Encoding:"
    "Content-ID:Content-Description:Resent-Date:Resent-From:Resent-Sender:Resent-To:Resent-Cc:"
    "Resent-Message-ID:In-Reply-To:References:List-Id:List-Help:List-Unsubscribe:List-Subscribe:List-Post:"
    "List-Owner:List-Archive"
)

# customHeaders against the headers nodemailer writes itself (checked against nodemailer 8 in
# tests/test_logto_send.py): the message's own From, To, Subject and Reply-To (when the message has one)
# win over a custom header of that name, which is dropped; a custom Message-ID, Date or MIME-Version
# replaces the one nodemailer generates; a custom Content-Type or Content-Transfer-Encoding is written next
# to nodemailer's own, so the message has two.
OWN_HEADERS = frozenset({"from", "to", "subject", "reply-to"})
REPLACED_HEADERS = frozenset({"message-id", "date", "mime-version"})
DOUBLED_HEADERS = frozenset({"content-type", "content-transfer-encoding"})

# Sent with every usage type.
COMMON_ROOTS = frozenset({"locale", "uiLocales"})
# The payload roots Logto documents per usage type, optional ones included. MfaVerification and BindMfa
# are not in Logto's table: only `code` is certain for them.
PAYLOAD_ROOTS: dict[str, frozenset[str]] = {
    "SignIn": frozenset({"code", "application", "organization"}),
    "Register": frozenset({"code", "application", "organization"}),
    "ForgotPassword": frozenset({"code", "application", "organization"}),
    "Generic": frozenset({"code"}),
    "OrganizationInvitation": frozenset({"link", "organization", "inviter"}),
    "UserPermissionValidation": frozenset({"code", "user", "application"}),
    "BindNewIdentifier": frozenset({"code", "user", "application"}),
    "MfaVerification": frozenset({"code"}),
    "BindMfa": frozenset({"code"}),
}
# Every root Logto fills at send time: a build-time variable may not take one of these names.
RUNTIME_ROOTS = COMMON_ROOTS.union(*PAYLOAD_ROOTS.values())
# What a template may use (lint SC103): Logto's documented roots, plus `code` in an invitation (which SC105
# accepts in place of a link). The MFA types are not in Logto's table: they get the union of the
# verification payloads, so nothing plausible is reported.
_LENIENT = {
    "OrganizationInvitation": frozenset({"code"}),
    "MfaVerification": PAYLOAD_ROOTS["SignIn"] | PAYLOAD_ROOTS["UserPermissionValidation"],
    "BindMfa": PAYLOAD_ROOTS["SignIn"] | PAYLOAD_ROOTS["UserPermissionValidation"],
}
TEMPLATE_ROOTS = {
    kind: roots | _LENIENT.get(kind, frozenset()) | COMMON_ROOTS for kind, roots in PAYLOAD_ROOTS.items()
}
ALL_TEMPLATE_ROOTS = frozenset().union(*TEMPLATE_ROOTS.values())


# The fields of one entry's `details` in the body of PUT /api/email-templates (Logto's
# emailTemplateDetailsGuard, @logto/connector-kit).
TEMPLATE_DETAILS_REQUIRED = ("subject", "content")
TEMPLATE_DETAILS_OPTIONAL = ("contentType", "replyTo", "sendFrom")


def sent_content_type(content_type: object) -> str:
    """The body a template's content is sent as: Logto's ``buildMailOptions`` sends ``text/plain`` as the
    text body and anything else as HTML (``contentType === 'text/plain' ? 'text' : 'html'``), so a store
    template without ``contentType`` (its guard makes it optional) is sent as HTML."""
    return "text/plain" if content_type == "text/plain" else "text/html"
