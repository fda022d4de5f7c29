"""connector/logto/__init__.py holds each Logto and nodemailer fact once; here they are held to Logto's own code."""

from __future__ import annotations

import json
import re
import subprocess
import typing
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from connector import logto
from connector.schema import models

from .conftest import ROOT
from .logto_peer import PEER_DIR, require


def _node(script: str) -> typing.Any:
    require()
    out = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        cwd=PEER_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(out.stdout)


def test_usage_types_are_logtos() -> None:
    sent = _node(
        "import { TemplateType } from '@logto/connector-kit';"
        "console.log(JSON.stringify(Object.values(TemplateType)));"
    )
    assert list(logto.USAGE_TYPES) == sent
    assert set(logto.PAYLOAD_ROOTS) == set(sent)


def test_default_timeouts_are_nodemailers() -> None:
    # The nodemailer Logto's connector loads, and the constants its SMTP connection falls back to.
    path = _node(
        "import { createRequire } from 'node:module';"
        "const require = createRequire(import.meta.resolve('@logto/connector-smtp'));"
        "console.log(JSON.stringify(require.resolve('nodemailer/lib/smtp-connection')));"
    )
    source = Path(path).read_text(encoding="utf-8")
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
    assert [logto.implicit_tls(secure, port) for secure, port in cases] == _node(script)


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
