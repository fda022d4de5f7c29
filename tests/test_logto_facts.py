"""connector/logto/__init__.py holds each Logto and nodemailer fact once; here they are held to Logto's own code."""

from __future__ import annotations

import json
import re
import typing

from hypothesis import given, settings
from hypothesis import strategies as st

from connector import logto
from connector.schema import models

from .conftest import ROOT
from .logto_peer import NODEMAILER_TRANSPORT_SOURCES, node, nodemailer_dir, options_read


def test_usage_types_are_logtos() -> None:
    sent = node(
        "import { TemplateType } from '@logto/connector-kit';"
        "console.log(JSON.stringify(Object.values(TemplateType)));"
    )
    assert list(logto.USAGE_TYPES) == sent
    assert set(logto.PAYLOAD_ROOTS) == set(sent)


def test_default_timeouts_are_nodemailers() -> None:
    # The nodemailer Logto's connector loads, and the constants its SMTP connection falls back to.
    source = (nodemailer_dir() / "lib" / "smtp-connection" / "index.js").read_text(encoding="utf-8")
    constants = {
        name: eval(expr, {}) for name, expr in re.findall(r"const (\w+_TIMEOUT) = ([\d\s*]+);", source)
    }
    assert {
        "connectionTimeout": constants["CONNECTION_TIMEOUT"],
        "greetingTimeout": constants["GREETING_TIMEOUT"],
        "socketTimeout": constants["SOCKET_TIMEOUT"],
        "dnsTimeout": constants["DNS_TIMEOUT"],
    } == logto.DEFAULT_TIMEOUTS


def test_the_auth_forms_name_the_models_and_the_published_schema() -> None:
    union = typing.get_args(typing.get_args(models.Auth)[0])
    tags = {typing.get_args(member)[1].tag: typing.get_args(member)[0].__name__ for member in union}
    assert tags == {tag: model for tag, (_, model) in logto.AUTH_FORMS.items()}
    schema = json.loads((ROOT / "schema" / "smtp-connector.schema.json").read_text())
    assert {model for _, model in logto.AUTH_FORMS.values()} <= set(schema["$defs"])


def test_template_text_fields_are_the_models_text_fields() -> None:
    fields = models.Template.model_fields
    assert set(logto.TEMPLATE_TEXT_FIELDS) <= set(fields)
    assert set(fields) - set(logto.TEMPLATE_TEXT_FIELDS) == {"usageType", "contentType"}


def _valid_config() -> dict[str, typing.Any]:
    templates = [
        {"usageType": kind, "contentType": "text/plain", "subject": "Code", "content": "{{code}}"}
        for kind in logto.REQUIRED_USAGE_TYPES
    ]
    return {
        "host": "smtp.example.com",
        "port": 587,
        "auth": {"user": "u", "pass": "p"},
        "fromEmail": "a@example.com",
        "replyTo": "r@example.com",
        "templates": templates,
    }


def test_required_keys_are_what_logtos_guard_requires() -> None:
    from .logto_peer import accepted, guard

    config = _valid_config()
    assert accepted(guard(config))
    for key in config:
        without = {k: v for k, v in config.items() if k != key}
        assert accepted(guard(without)) == (key not in logto.REQUIRED_KEYS), key
    for field in [*config["templates"][0], "replyTo", "sendFrom"]:
        first = {k: v for k, v in config["templates"][0].items() if k != field}
        changed = {**config, "templates": [first, *config["templates"][1:]]}
        assert accepted(guard(changed)) == (field not in logto.TEMPLATE_REQUIRED_FIELDS), field


_SCALARS = st.none() | st.booleans() | st.integers(-2, 2) | st.sampled_from(["", " ", "a", "0"])
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["host", "auth", "templates", "x"]), _VALUES, max_size=4))
def test_clean_deep_is_logtos(config: dict[str, typing.Any]) -> None:
    from .logto_peer import guard

    kept, removed = logto.clean_deep(config)
    assert kept == guard(config)["cleaned"]
    for path in removed:  # each removed path was there, and is gone
        value: typing.Any = config
        for step in path:
            value = value[step]
        assert value in (None, "", {}, []) or logto.clean_deep(value)[0] in ({}, [])


def test_clean_deep_reports_the_outermost_removal() -> None:
    config = {"auth": {"user": "", "pass": None}, "host": "h", "templates": [{}, {"a": "x"}, []]}
    assert logto.clean_deep(config) == (
        {"host": "h", "templates": [{"a": "x"}]},
        [("auth",), ("templates", 0), ("templates", 2)],
    )


def test_implicit_tls_is_nodemailers() -> None:
    cases = [(secure, port) for secure in (True, False, None) for port in (465, 587, 25, 2525)]
    script = (
        "import { createRequire } from 'node:module';"
        "const require = createRequire(import.meta.resolve('@logto/connector-smtp'));"
        "const SMTPConnection = require('nodemailer/lib/smtp-connection');"
        f"const cases = {json.dumps(cases)};"
        "console.log(JSON.stringify(cases.map(([secure, port]) => {"
        "  const options = secure === null ? { port } : { port, secure };"
        "  return new SMTPConnection(options).secureConnection; })));"
    )
    assert [logto.implicit_tls(secure, port) for secure, port in cases] == node(script)


def test_required_usage_types_and_auth_types_are_the_guards() -> None:
    from .logto_peer import accepted, guard

    config = _valid_config()
    for kind in logto.REQUIRED_USAGE_TYPES:
        templates = [t for t in config["templates"] if t["usageType"] != kind]
        assert not accepted(guard({**config, "templates": templates})), kind
    extra = {"usageType": "MfaVerification", "contentType": "text/plain", "subject": "s", "content": "c"}
    assert accepted(guard({**config, "templates": [*config["templates"], extra]}))
    for kind in logto.LOGIN_TYPES:
        assert accepted(guard({**config, "auth": {"type": kind, "user": "u", "pass": "p"}})), kind
    for kind in logto.OAUTH2_TYPES:
        auth = {"type": kind, "user": "u", "accessToken": "t"}
        assert accepted(guard({**config, "auth": auth})), kind
    assert not accepted(guard({**config, "auth": {"type": "plain", "user": "u", "pass": "p"}}))


# Where nodemailer reads the top level of the config Logto hands it: createTransport, the SMTP transport and
# connection, the mailer (dkim, proxy) and the pool.
_TOP_SOURCES = ("lib/nodemailer.js", *NODEMAILER_TRANSPORT_SOURCES)


def _get_auth_reads() -> tuple[set[str], set[str]]:
    """What SMTPTransport.getAuth reads of `auth` (``authData.NAME``): with an OAuth2 type, and without."""
    source = (nodemailer_dir() / "lib" / "smtp-transport" / "index.js").read_text(encoding="utf-8")
    body = source[source.index("getAuth(authOpts) {") :]
    body = body[: body.index("\n    }\n")]  # the method ends at its own indentation
    oauth2, _, login = body.partition("default:")
    assert login, "getAuth has no default (login) branch any more"
    switch = set(re.findall(r"authData\.(\w+)\)?\s*\|\|\s*''\)\.toString", oauth2))
    assert switch == {"type"}, switch  # both branches are chosen by auth.type
    return set(re.findall(r"authData\.(\w+)", oauth2)), set(re.findall(r"authData\.(\w+)", login)) | switch


def test_the_options_nodemailer_reads_are_nodemailers() -> None:
    """SC201 calls a key ignored only when nodemailer reads no such option where it stands."""
    # createTransport reads `transporter.url` (the config itself), not `options.url`.
    assert options_read(*_TOP_SOURCES) | {"url"} == logto.NODEMAILER_OPTIONS[""]
    oauth2, login = _get_auth_reads()
    assert options_read("lib/xoauth2/index.js") | oauth2 == logto.NODEMAILER_OPTIONS["auth"]
    assert login == logto.NODEMAILER_LOGIN_AUTH
    assert options_read("lib/dkim/index.js") == logto.NODEMAILER_OPTIONS["dkim"]


def test_what_nodemailer_reads_is_not_called_ignored() -> None:
    for where, names in logto.NODEMAILER_OPTIONS.items():
        for name in names:
            path = (*where.split("."), name) if where else (name,)
            assert logto.nodemailer_reads(path, oauth2_auth=True), path
    assert logto.nodemailer_reads(("auth", "method")) and not logto.nodemailer_reads(("auth", "customParams"))
    assert not logto.nodemailer_reads(("auth", "method"), oauth2_auth=True)
    assert not logto.nodemailer_reads(("tls", "auth", "user"))  # an object nodemailer does not read so
    assert not logto.nodemailer_reads(("hots",)) and not logto.nodemailer_reads(())
    assert not logto.nodemailer_reads(("templates", 0))


def test_a_url_replaces_the_connection_options() -> None:
    """SC318's claim, against the peer: given a `url`, createTransport takes the connection from it alone
    and every connection option of the config is dropped, Logto's own keys aside."""
    config = {
        "host": "config-host.example", "port": 2525, "secure": False, "requireTLS": True,
        "auth": {"user": "config-user", "pass": "config-pass"}, "tls": {"servername": "config.example"},
        "dkim": {"domainName": "example.com", "keySelector": "s", "privateKey": "k"},
        "proxy": "http://proxy.example:3128", "name": "config-name", "connectionTimeout": 1234,
        "url": "smtps://url-user:url-pass@url-host.example:465",
    }  # fmt: skip
    script = (
        "import { createRequire } from 'node:module';"
        "const require = createRequire(import.meta.resolve('@logto/connector-smtp'));"
        "const nodemailer = require('nodemailer');"
        f"const transporter = nodemailer.createTransport({json.dumps(config)});"
        "console.log(JSON.stringify({transport: transporter.transporter.options, "
        "mailer: transporter.options}));"
    )
    found = node(script)
    transport, mailer = found["transport"], found["mailer"]
    assert (transport["host"], transport["port"], transport["secure"]) == ("url-host.example", 465, True)
    assert transport["auth"] == {"user": "url-user", "pass": "url-pass"}
    for key in config.keys() - {"host", "port", "secure", "auth", "url"}:
        assert key not in transport and key not in mailer, key
