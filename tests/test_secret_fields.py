"""Which fields of the SMTP connector's config hold credentials, derived from Logto's own code.

The fields come from the peer (tests/logto-peer), not from our reading of it: Logto's zod guard is walked
in Node for every field it declares and every object that lets undeclared keys through (its
``sendMessage`` hands nodemailer the config as saved, not as parsed), and the peer's nodemailer sources
are read for the options it takes in each of those objects. Every field found must be classified below;
a field Logto or nodemailer adds fails here until it is, and each one classified a credential must be a
secret path of ours (:func:`connector.logto.is_secret_path`, :data:`connector.logto.credentials.SECRETS`),
or a URL whose password is registered (:data:`connector.logto.CREDENTIAL_URL_KEYS`).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from connector.logto import CREDENTIAL_URL_KEYS, is_secret_path
from connector.logto.credentials import SECRETS, url_secrets

from .logto_peer import NODEMAILER_TRANSPORT_SOURCES, node, options_read

# Every leaf Logto's guard declares ("*": any list index, record key or undeclared key): a credential?
DECLARED: dict[str, bool] = {
    "host": False,
    "port": False,
    "auth.type": False,
    "auth.user": False,
    "auth.pass": True,
    "auth.privateKey": True,  # the service account's PEM key, or {key, passphrase}
    "auth.privateKey.key": True,
    "auth.privateKey.passphrase": True,
    "auth.serviceClient": False,  # the service account's client id, public in its JWT's `iss`
    "auth.clientId": False,
    "auth.clientSecret": True,
    "auth.refreshToken": True,
    "auth.accessToken": True,
    "auth.expires": False,
    "auth.accessUrl": False,
    "fromEmail": False,
    "replyTo": False,
    "templates.*.usageType": False,
    "templates.*.contentType": False,
    "templates.*.subject": False,
    "templates.*.content": False,
    "logger": False,
    "debug": False,
    "disableFileAccess": False,
    "disableUrlAccess": False,
    "name": False,
    "localAddress": False,
    "connectionTimeout": False,
    "greetingTimeout": False,
    "socketTimeout": False,
    "dnsTimeout": False,
    "secure": False,
    "tls.*": False,  # Node's TLS options, any key: its credentials are NODE_TLS below
    "servername": False,
    "ignoreTLS": False,
    "requireTLS": False,
    "customHeaders.*": False,  # headers of every message: the recipient reads them
    "customHeaders.*.*": False,
}
# A field whose name says it is a credential must be classified one (a new `idToken` cannot slip in).
_CREDENTIAL_NAME = re.compile(r"pass|secret|token|key|assertion|pfx|credential|cookie|bearer", re.I)

# The objects of Logto's guard that let undeclared keys through to nodemailer, and the nodemailer sources
# that read options there. The login form is strict: nothing passes it.
OPEN: dict[str, tuple[str, ...]] = {
    "": NODEMAILER_TRANSPORT_SOURCES,
    "auth": ("lib/xoauth2/index.js",),  # the two OAuth2 forms
    "auth.privateKey": (),  # {key, passphrase}: nodemailer reads no more of it
    "templates.*": (),  # Logto's own code reads the template (sendFrom, replyTo), not nodemailer
    "tls": (),  # Node's TLS options: NODE_TLS
}
# What nodemailer reads in each open object: "secret" (a credential), "url" (a URL whose user part may hold
# a password), "object" (an object of options, classified below by its own path) or False.
_PLAIN_TOP = (
    "allowInternalNetworkInterfaces", "attachDataUrls", "authMethod", "component", "connection",
    "connectionTimeout", "customAuth", "debug", "direct", "disableFileAccess", "disableUrlAccess", "dnsTimeout",
    "dnsTtl", "forceAuth", "getSocket", "greetingTimeout", "host", "ignoreTLS", "lmtp", "localAddress", "logger",
    "maxConnections", "maxMessages", "maxRequeues", "name", "opportunisticTLS", "port", "rateDelta", "rateLimit",
    "requireTLS", "secure", "secured", "service", "servername", "socket", "socketTimeout", "transactionLog",
)  # fmt: skip
_PLAIN_AUTH = (
    "user", "clientId", "accessUrl", "expires", "timeout", "serviceClient", "scope", "component",
    "serviceRequestTimeout", "provisionCallback",
)  # fmt: skip
_PLAIN_DKIM = (
    "domainName",
    "keySelector",
    "hashAlgo",
    "headerFieldNames",
    "skipFields",
    "cacheDir",
    "cacheTreshold",
)
NODEMAILER: dict[str, dict[str, str | bool]] = {
    "": {
        **dict.fromkeys(_PLAIN_TOP, False),
        "auth": "object",
        "dkim": "object",
        "tls": "object",
        "proxy": "url",
        "url": "url",  # smtps://user:pass@host: nodemailer takes it instead of the whole config
    },
    "auth": {
        **dict.fromkeys(_PLAIN_AUTH, False),
        "clientSecret": "secret",
        "refreshToken": "secret",
        "accessToken": "secret",
        "privateKey": "secret",
        "customParams": "secret",  # added to the token request's form: a client_assertion, say
        "customHeaders": "secret",  # sent to the token endpoint: an Authorization header, say
        "tls": "object",  # for the token request: Node's TLS options
    },
    "dkim": {
        **dict.fromkeys(_PLAIN_DKIM, False),
        "privateKey": "secret",
        "keys": "object",  # [{domainName, keySelector, privateKey}]
    },
}
# Node's TLS options that hold a credential (tls.createSecureContext: key, pfx and their passphrase); a
# `key` or `pfx` may be a list of {pem | buf, passphrase}, all of it secret.
NODE_TLS = ("key", "pfx", "passphrase")


_WALK = """
import createSmtpConnector from '@logto/connector-smtp';
const connector = await createSmtpConnector({ getConfig: async () => ({}) });
const leaves = [];
const open = [];
const walk = (schema, path) => {
  const def = schema._def;
  switch (def.typeName) {
    case 'ZodOptional': case 'ZodNullable': case 'ZodDefault': return walk(def.innerType, path);
    case 'ZodEffects': return walk(def.schema, path);
    case 'ZodUnion': return def.options.forEach((option) => walk(option, path));
    case 'ZodArray': return walk(def.type, [...path, '*']);
    case 'ZodRecord': return walk(def.valueType, [...path, '*']);
    case 'ZodObject': {
      Object.entries(def.shape()).forEach(([key, value]) => walk(value, [...path, key]));
      const catchall = def.catchall._def.typeName !== 'ZodNever';
      if (catchall) walk(def.catchall, [...path, '*']);
      if (catchall || def.unknownKeys !== 'strict') open.push(path.join('.'));
      return;
    }
    case 'ZodUnknown': case 'ZodAny': return leaves.push(path.join('.'));
    default:
      if (!['ZodString', 'ZodNumber', 'ZodBoolean', 'ZodEnum', 'ZodNativeEnum'].includes(def.typeName)) {
        throw new Error(`unknown zod type ${def.typeName} at ${path.join('.')}`);
      }
      return leaves.push(path.join('.'));
  }
};
walk(connector.configGuard, []);
console.log(JSON.stringify({ leaves: [...new Set(leaves)], open: [...new Set(open)] }));
"""


@pytest.fixture(scope="module")
def peer() -> dict[str, Any]:
    found: dict[str, Any] = node(_WALK)
    return found


def _secret(dotted: str) -> bool:
    path = tuple(dotted.split(".")) if dotted else ()
    return is_secret_path(tuple("x" if step == "*" else step for step in path))


def test_every_field_logtos_guard_declares_is_classified(peer: dict[str, Any]) -> None:
    assert sorted(peer["leaves"]) == sorted(DECLARED)


def test_a_field_named_like_a_credential_is_classified_one() -> None:
    for dotted, secret in DECLARED.items():
        if _CREDENTIAL_NAME.search(dotted.rpartition(".")[2]):
            assert secret, f"{dotted} is named like a credential"


@pytest.mark.parametrize("dotted", sorted(DECLARED))
def test_each_declared_credential_is_a_secret_of_ours(dotted: str) -> None:
    assert _secret(dotted) == DECLARED[dotted], dotted
    if DECLARED[dotted]:
        assert tuple(dotted.split(".")) in SECRETS, f"{dotted} has no variable in SECRETS"


def test_the_objects_that_pass_undeclared_keys_on_are_known(peer: dict[str, Any]) -> None:
    assert sorted(peer["open"]) == sorted(OPEN)


@pytest.mark.parametrize("where", ["", "auth"])
def test_every_option_nodemailer_reads_where_logto_lets_it_through_is_classified(where: str) -> None:
    read = options_read(*OPEN[where])
    # Options of other transports (sendmail, SES, ...) and of a message (not the config) are not ours.
    if where == "":
        read -= {"SES", "jsonTransport", "pool", "sendmail", "streamTransport"}
        read |= {"url"}  # createTransport reads transporter.url, not options.url
    assert sorted(read) == sorted(NODEMAILER[where])


def test_every_dkim_option_nodemailer_reads_is_classified() -> None:
    read = options_read("lib/dkim/index.js")
    assert sorted(read) == sorted(NODEMAILER["dkim"])


@pytest.mark.parametrize(
    "dotted",
    sorted(
        f"{where}.{name}".lstrip(".")
        for where, names in NODEMAILER.items()
        for name, kind in names.items()
        if kind
    ),
)
def test_each_credential_nodemailer_reads_is_a_secret_of_ours(dotted: str) -> None:
    where, _, name = dotted.rpartition(".")
    kind = NODEMAILER[where][name]
    if kind == "url":
        assert where == "" and name in CREDENTIAL_URL_KEYS
    elif kind == "secret":
        assert _secret(dotted) and _secret(f"{dotted}.x"), dotted  # the value, and all inside it
        assert tuple(dotted.split(".")) in SECRETS, f"{dotted} has no variable in SECRETS"
    elif dotted == "dkim.keys":
        assert _secret("dkim.keys.0.privateKey") and not _secret("dkim.keys.0.domainName")
    else:  # Node's TLS options, in the config or for the token request
        assert kind == "object"
        if dotted in ("tls", "auth.tls"):
            for option in NODE_TLS:
                assert _secret(f"{dotted}.{option}") and _secret(f"{dotted}.{option}.0.pem"), option
            assert not _secret(f"{dotted}.ca") and not _secret(f"{dotted}.servername")


def test_the_top_level_custom_headers_are_no_secret() -> None:
    """They go into every message, so the recipient reads them; only the token request's are credentials."""
    assert not _secret("customHeaders.X-Campaign")
    assert _secret("auth.customHeaders.Authorization")


def test_the_secrets_of_a_url() -> None:
    """The password of the user part; for `url`, the `tls.*` query parameters that are credentials, as
    written and decoded; nothing else (an empty one, another option, a proxy's query, which nodemailer
    does not read)."""
    url = "smtps://u:pw12@h:465?tls.servername=h.example&tls.passphrase=a%2Fb+c&tls.key=&x.pfx=k&tls.pfx=p9#f"
    assert url_secrets("url", url) == ["pw12", "a%2Fb+c", "a/b c", "p9"]
    assert url_secrets("url", "smtps://h:465?tls.ca=AAAA") == []
    assert url_secrets("proxy", "http://h:1?tls.passphrase=zz12") == []
    assert url_secrets("proxy", "http://u:pw34@h:1") == ["pw34"]
