from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from connector.logto import REQUIRED_USAGE_TYPES, USAGE_TYPES
from connector.schema.models import (
    ConnectorConfig,
    LoginAuth,
    OAuth2ServiceAuth,
    OAuth2TokenAuth,
)
from connector.schema.validate import validate_config
from connector.source.loader import loads

DATA = Path(__file__).parent / "data" / "final"
GOOD = sorted((DATA / "good").glob("*.json"))
BAD = sorted((DATA / "bad").glob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.stem)
def test_good_configs_are_accepted(path: Path) -> None:
    config = ConnectorConfig.model_validate(_load(path))
    assert config.to_logto() == _load(path) or path.stem != "minimal"


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_configs_are_rejected(path: Path) -> None:
    with pytest.raises(ValidationError):
        ConnectorConfig.model_validate(_load(path))


def test_console_example_has_all_nine_usage_types() -> None:
    config = ConnectorConfig.model_validate(_load(DATA / "good" / "logto-console-example.json"))
    assert {t.usageType for t in config.templates} == set(USAGE_TYPES)


def test_round_trip_keeps_what_was_written() -> None:
    for path in GOOD:
        data = _load(path)
        assert ConnectorConfig.model_validate(data).to_logto() == data, path.name


@pytest.mark.parametrize(
    ("auth", "form"),
    [
        ({"user": "u", "pass": "p"}, LoginAuth),
        ({"user": "u", "pass": "p", "type": "LOGIN"}, LoginAuth),
        ({"type": "login"}, LoginAuth),
        ({"user": "u", "privateKey": "k", "serviceClient": "c"}, OAuth2ServiceAuth),
        (
            {
                "type": "OAUTH2",
                "user": "u",
                "privateKey": {"key": "k", "passphrase": "p"},
                "serviceClient": "c",
            },
            OAuth2ServiceAuth,
        ),
        ({"type": "oauth2", "user": "u"}, OAuth2TokenAuth),
        ({"user": "u", "accessToken": "t", "expires": 1}, OAuth2TokenAuth),
    ],
)
def test_auth_forms(auth: dict[str, Any], form: type) -> None:
    data = _load(DATA / "good" / "minimal.json") | {"auth": auth}
    config = ConnectorConfig.model_validate(data)
    assert type(config.auth) is form
    assert config.to_logto()["auth"] == auth


def test_login_auth_is_strict() -> None:
    data = _load(DATA / "good" / "minimal.json") | {
        "auth": {"user": "u", "pass": "p", "type": "login", "x": 1}
    }
    with pytest.raises(ValidationError):
        ConnectorConfig.model_validate(data)


def test_models_are_frozen() -> None:
    config = ConnectorConfig.model_validate(_load(DATA / "good" / "minimal.json"))
    with pytest.raises(ValidationError):
        config.port = 25  # type: ignore[misc]


def test_template_for_falls_back_to_generic() -> None:
    config = ConnectorConfig.model_validate(_load(DATA / "good" / "minimal.json"))
    assert config.template_for("SignIn") is not None
    assert config.template_for("SignIn").usageType == "SignIn"  # type: ignore[union-attr]
    assert config.template_for("MfaVerification").usageType == "Generic"  # type: ignore[union-attr]


def _findings(text: str) -> list[str]:
    result = loads(text.encode(), "c.yaml")
    assert result.document is not None, result.findings
    config, findings = validate_config(result.document)
    assert config is None
    return [f.format() for f in findings]


BASE = """\
host: smtp.example.com
port: 587
auth:
  user: u
  pass: p
fromEmail: a@example.com
templates:
  - {usageType: Register, contentType: text/plain, subject: s, content: "{{code}}"}
  - {usageType: SignIn, contentType: text/plain, subject: s, content: "{{code}}"}
  - {usageType: ForgotPassword, contentType: text/plain, subject: s, content: "{{code}}"}
  - {usageType: Generic, contentType: text/plain, subject: s, content: "{{code}}"}
"""


def test_message_unknown_key_suggests_the_real_one() -> None:
    assert _findings(BASE + "requireTls: true\n") == [
        "c.yaml:12:1: error SC201 unknown key `requireTls`: Logto saves it, and nodemailer ignores it: the setting does nothing; did you mean `requireTLS`? (hint: rename it to `requireTLS`)"
    ]


def test_message_typo_in_a_nested_key() -> None:
    assert _findings(BASE.replace("  pass: p", "  pas: p")) == [
        "c.yaml:5:3: error SC201 unknown key `pas` in auth (login form): Logto saves it, and nodemailer ignores it: the setting does nothing; did you mean `pass`? (hint: rename it to `pass`)"
    ]


def test_message_port_as_string() -> None:
    assert _findings(BASE.replace("port: 587", 'port: "587"')) == [
        'c.yaml:2:7: error SC202 port: expected an integer, got the string "587"; Logto refuses to save this config (hint: write 587 without quotes)'
    ]


def test_message_port_out_of_range() -> None:
    assert _findings(BASE.replace("port: 587", "port: 70000")) == [
        "c.yaml:2:7: error SC202 port: 70000 must be at most 65535; Logto saves it, and nodemailer fails or misbehaves when it sends (hint: use a value at most 65535)"
    ]


def test_message_missing_required_usage_type() -> None:
    text = BASE.replace(
        '  - {usageType: Generic, contentType: text/plain, subject: s, content: "{{code}}"}\n', ""
    )
    assert _findings(text) == [
        "c.yaml:7:1: error SC204 templates lack the usage types Logto requires: Generic "
        "(hint: add a template for each; Logto rejects the whole config otherwise)"
    ]


def test_message_missing_host() -> None:
    assert _findings(BASE.replace("host: smtp.example.com\n", "")) == [
        "c.yaml:1:1: error SC203 missing required key `host` (hint: add `host:`)"
    ]


def test_message_bad_content_type() -> None:
    assert _findings(
        BASE.replace(
            "{usageType: SignIn, contentType: text/plain", "{usageType: SignIn, contentType: text/md"
        )
    ) == [
        'c.yaml:9:38: error SC202 templates[1].contentType: "text/md" is not one of text/plain or text/html; Logto refuses to save this config '
        "(hint: use one of text/plain or text/html)"
    ]


def test_required_usage_types_constant_matches_logto() -> None:
    assert REQUIRED_USAGE_TYPES == ("Register", "SignIn", "ForgotPassword", "Generic")
