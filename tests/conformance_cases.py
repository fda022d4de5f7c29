"""Seeded generator of connector configs for the differential tests against Logto's own guard.

Each case starts from a valid config of one auth form and applies one to three mutations drawn from the
kinds of input that tell Logto's guard and this tool's lint apart: null in optional fields (top level,
auth, tls, templates), wrong types, numbers as strings, integral floats, huge and negative numbers, unknown
keys at every level, auth forms and their mixtures, tls and customHeaders shapes, usage-type typos, empty
values (which Logto's save strips), and a UTF-8 byte-order mark before the JSON text.
"""

from __future__ import annotations

import contextlib
import copy
import json
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

USAGE = ("SignIn", "Register", "ForgotPassword", "Generic")

TOP_OPTIONAL = {
    "replyTo": "help@example.com",
    "name": "mail.example.com",
    "localAddress": "127.0.0.1",
    "servername": "smtp.example.com",
    "logger": False,
    "debug": False,
    "disableFileAccess": True,
    "disableUrlAccess": True,
    "secure": False,
    "ignoreTLS": False,
    "requireTLS": True,
    "connectionTimeout": 10000,
    "greetingTimeout": 10000,
    "socketTimeout": 10000,
    "dnsTimeout": 10000,
    "tls": {"rejectUnauthorized": True},
    "customHeaders": {"X-Env": "prod"},
}
NUMBER_KEYS = ("port", "connectionTimeout", "greetingTimeout", "socketTimeout", "dnsTimeout")
BOOL_KEYS = ("logger", "debug", "disableFileAccess", "disableUrlAccess", "secure", "ignoreTLS", "requireTLS")
STRING_KEYS = ("host", "fromEmail", "replyTo", "name", "localAddress", "servername")


def _template(usage: str, content_type: str = "text/plain") -> dict[str, Any]:
    return {
        "usageType": usage,
        "contentType": content_type,
        "subject": f"{usage} code {{{{code}}}}",
        "content": f"Your code is {{{{code}}}} ({usage}).",
    }


def base(form: str) -> dict[str, Any]:
    auth: dict[str, Any]
    if form == "login":
        auth = {"type": "login", "user": "apikey", "pass": "s3cret-value"}
    elif form == "service":
        auth = {
            "type": "oauth2",
            "user": "mailer@example.com",
            "privateKey": "-----BEGIN PRIVATE KEY-----\nMII\n-----END PRIVATE KEY-----",
            "serviceClient": "1234567890",
        }
    else:
        auth = {
            "type": "OAuth2",
            "user": "mailer@example.com",
            "clientId": "client",
            "clientSecret": "client-secret",
            "refreshToken": "refresh-token",
            "accessUrl": "https://oauth2.example.com/token",
            "expires": 1700000000000,
        }
    return {
        "host": "smtp.example.com",
        "port": 587,
        "auth": auth,
        "fromEmail": "Acme <noreply@example.com>",
        "templates": [_template(u) for u in USAGE],
    }


@dataclass
class Case:
    label: str
    config: Any
    bom: bool = False

    def text(self) -> str:
        """The JSON text Logto would receive (one line), with the byte-order mark if the case has one."""
        limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
        if limit:
            sys.set_int_max_str_digits(0)
        try:
            body = json.dumps(self.config, ensure_ascii=True)
        finally:
            if limit:
                sys.set_int_max_str_digits(limit)
        return ("\ufeff" if self.bom else "") + body


Mutation = Callable[[random.Random, dict[str, Any]], str]


def _null_top(r: random.Random, c: dict[str, Any]) -> str:
    key = r.choice([*TOP_OPTIONAL, "auth", "templates", "host", "port", "fromEmail"])
    c[key] = None
    return f"null {key}"


def _null_auth(r: random.Random, c: dict[str, Any]) -> str:
    key = r.choice([*c["auth"], "type", "clientId", "expires", "user", "pass"])
    c["auth"][key] = None
    return f"null auth.{key}"


def _null_tls(r: random.Random, c: dict[str, Any]) -> str:
    key = r.choice(["rejectUnauthorized", "servername", "ca", "minVersion", "ciphers", "custom"])
    c["tls"] = {"rejectUnauthorized": True, key: None}
    return f"null tls.{key}"


def _null_template(r: random.Random, c: dict[str, Any]) -> str:
    t = r.choice(c["templates"])
    key = r.choice(["replyTo", "sendFrom", "subject", "content", "usageType", "contentType"])
    t[key] = None
    return f"null template.{key}"


def _optional_value(r: random.Random, c: dict[str, Any]) -> str:
    key = r.choice(list(TOP_OPTIONAL))
    c[key] = copy.deepcopy(TOP_OPTIONAL[key])
    return f"set {key}"


_WRONG = ["x", "", "587", "true", 0, 1, -1, 1.5, True, False, [], ["a"], {}, {"a": 1}]


def _wrong_type(r: random.Random, c: dict[str, Any]) -> str:
    key = r.choice([*NUMBER_KEYS, *BOOL_KEYS, *STRING_KEYS, "auth", "templates", "tls", "customHeaders"])
    value = r.choice(_WRONG)
    c[key] = copy.deepcopy(value)
    return f"{key}={value!r}"


def _number_as_string(r: random.Random, c: dict[str, Any]) -> str:
    key = r.choice(NUMBER_KEYS)
    c[key] = r.choice(["587", "1000", " 25", "0x19", "1e3"])
    return f"{key} as string"


def _integral_float(r: random.Random, c: dict[str, Any]) -> str:
    key = r.choice([*NUMBER_KEYS, "expires"])
    value = r.choice([587.0, 25.0, 465.0, 1000.0, 0.0, 1e3, 2.5, 65535.0, 65536.0])
    if key == "expires":
        c["auth"] = base("token")["auth"]
        c["auth"]["expires"] = value
    else:
        c[key] = value
    return f"{key}={value!r}"


def _extreme_number(r: random.Random, c: dict[str, Any]) -> str:
    key = r.choice([*NUMBER_KEYS, "expires"])
    value = r.choice(
        [0, -1, -587, 65535, 65536, 2**31 - 1, 2**31, 2**32, 2**53, 2**53 + 1, 10**13, 10**30, 10**400, 1e308]
    )
    if key == "expires":
        c["auth"] = base("token")["auth"]
        c["auth"]["expires"] = value
    else:
        c[key] = value
    return f"{key}={value if not isinstance(value, int) or value < 10**20 else 'huge'}"


def _unknown_key(r: random.Random, c: dict[str, Any]) -> str:
    where = r.choice(["top", "auth", "tls", "template", "dkim", "privateKey"])
    key = r.choice(["hots", "extra", "password", "Host", "usagetype", "passs"])
    if where == "top":
        c[key] = "x"
    elif where == "auth":
        c["auth"][key] = "x"
    elif where == "tls":
        c["tls"] = {key: "x"}
    elif where == "template":
        r.choice(c["templates"])[key] = "x"
    elif where == "dkim":
        c["dkim"] = {"domainName": "example.com", "keySelector": "s1", "privateKey": "k", key: "x"}
    else:
        c["auth"] = base("service")["auth"]
        c["auth"]["privateKey"] = {"key": "k", "passphrase": "p", key: "x"}
    return f"unknown {where}.{key}"


def _auth_shape(r: random.Random, c: dict[str, Any]) -> str:
    shapes: list[Any] = [
        {},
        {"user": "u"},
        {"pass": "p"},
        {"type": "login"},
        {"type": "LOGIN", "user": "u", "pass": "p"},
        {"type": "Login", "user": "u", "pass": "p", "clientId": "c"},
        {"type": "oauth2", "user": "u", "pass": "p"},
        {"type": "oauth2"},
        {"type": "OAUTH2", "user": "u"},
        {"type": "oauth2", "user": "u", "accessToken": "t"},
        {"user": "u", "accessToken": "t"},
        {"user": "u", "privateKey": "k"},
        {"user": "u", "privateKey": "k", "serviceClient": "c"},
        {"user": "u", "privateKey": {"key": "k"}, "serviceClient": "c"},
        {"user": "u", "privateKey": {"key": "k", "passphrase": "p"}, "serviceClient": "c"},
        {"type": "login", "user": "u", "privateKey": "k", "serviceClient": "c"},
        {"type": "xoauth2", "user": "u", "pass": "p"},
        {"type": "oauth2", "user": "u", "clientId": "c", "clientSecret": "s", "refreshToken": "r"},
        {"user": "u", "expires": "soon", "accessToken": "t"},
        {"user": "u", "pass": 12345678},
        {"user": "", "pass": ""},
        {"user": "u", "pass": "p", "extra": None},
        "user:pass",
        ["u", "p"],
        {"type": "oauth2", "user": "u", "privateKey": "k", "serviceClient": "c", "accessToken": "t"},
    ]
    c["auth"] = copy.deepcopy(r.choice(shapes))
    return f"auth={c['auth']!r}"


def _tls_shape(r: random.Random, c: dict[str, Any]) -> str:
    shapes: list[Any] = [
        {},
        {"rejectUnauthorized": False},
        {"rejectUnauthorized": "false"},
        {"servername": "smtp.example.com"},
        {"minVersion": "TLSv1.2"},
        {"minVersion": "TLSv1.4"},
        {"ca": ["-----BEGIN CERTIFICATE-----"]},
        {"ca": 1},
        {"ciphers": "HIGH"},
        {"anything": {"nested": True}},
        [],
        ["a"],
        "tls",
        True,
        1,
    ]
    c["tls"] = copy.deepcopy(r.choice(shapes))
    return f"tls={c['tls']!r}"


def _headers_shape(r: random.Random, c: dict[str, Any]) -> str:
    shapes: list[Any] = [
        {},
        {"X-A": "v"},
        {"X-A": ["a", "b"]},
        {"X-A": []},
        {"X-A": 1},
        {"X-A": True},
        {"X-A": [1]},
        {"X-A": ["a", None]},
        {"X-A": {"b": "c"}},
        {"X-A": ""},
        {"List-Unsubscribe": "<mailto:u@example.com>"},
        [],
        "X-A: v",
        1,
    ]
    c["customHeaders"] = copy.deepcopy(r.choice(shapes))
    return f"customHeaders={c['customHeaders']!r}"


def _usage_typo(r: random.Random, c: dict[str, Any]) -> str:
    t = r.choice(c["templates"])
    t["usageType"] = r.choice(["signIn", "Signin", "SIGNIN", "Sign In", "register", "generic", "Foo", ""])
    return f"usageType={t['usageType']!r}"


def _template_shape(r: random.Random, c: dict[str, Any]) -> str:
    choice = r.randrange(8)
    if choice == 0:
        c["templates"].append(_template("OrganizationInvitation", "text/html"))
    elif choice == 1:
        r.choice(c["templates"])["contentType"] = r.choice(["text/html", "html", "text/HTML", 1])
    elif choice == 2:
        c["templates"].pop(r.randrange(len(c["templates"])))
    elif choice == 3:
        c["templates"].append("template")
    elif choice == 4:
        r.choice(c["templates"])["subject"] = r.choice([1, [], "", "x"])
    elif choice == 5:
        c["templates"].append({})
    elif choice == 6:
        r.choice(c["templates"])["content"] = r.choice([None, 0, "", "plain"])
    else:
        c["templates"] = {"SignIn": _template("SignIn")}
    return f"templates#{choice}"


def _empty_value(r: random.Random, c: dict[str, Any]) -> str:
    key = r.choice(["host", "fromEmail", "replyTo", "name", "auth", "tls", "customHeaders", "templates"])
    c[key] = {"auth": {}, "tls": {}, "customHeaders": {}, "templates": []}.get(key, "")
    return f"empty {key}"


def _nodemailer_option(r: random.Random, c: dict[str, Any]) -> str:
    key, values = r.choice(
        [
            (
                "proxy",
                ["http://proxy.example.com:3128", "https://p.example.com", "socks5://127.0.0.1:1080", "", 1],
            ),
            (
                "dkim",
                [
                    {},
                    {"domainName": "example.com", "keySelector": "s1", "privateKey": "k"},
                    {"domainName": 1},
                ],
            ),
            ("pool", [True, "true"]),
            ("maxConnections", [0, 5, 5.0]),
            ("customHeaders", [{"Subject": "s"}, {"Content-Type": "text/html"}, {"message-id": "<a@b>"}]),
        ]
    )
    c[key] = copy.deepcopy(r.choice(values))
    return f"{key}={c[key]!r}"


MUTATIONS: tuple[Mutation, ...] = (
    _nodemailer_option,
    _null_top,
    _null_auth,
    _null_tls,
    _null_template,
    _optional_value,
    _wrong_type,
    _number_as_string,
    _integral_float,
    _extreme_number,
    _unknown_key,
    _auth_shape,
    _tls_shape,
    _headers_shape,
    _usage_typo,
    _template_shape,
    _empty_value,
)


def cases(count: int, seed: int = 12) -> Iterator[Case]:
    """``count`` generated cases; the same seed gives the same cases."""
    r = random.Random(seed)
    forms = ("login", "service", "token")
    for form in forms:
        yield Case(f"{form} base", base(form))
    for _ in range(count - len(forms)):
        config = base(r.choice(forms))
        labels = []
        for _ in range(r.choice((1, 1, 2, 3))):
            # An earlier mutation may have changed the shape this one edits: then it is skipped.
            with contextlib.suppress(KeyError, IndexError, TypeError, AttributeError, ValueError):
                labels.append(r.choice(MUTATIONS)(r, config))
        yield Case("; ".join(labels), config, bom=r.random() < 0.03)
