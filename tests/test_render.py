from __future__ import annotations

import email
import email.policy
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from connector.errors import InputError
from connector.mail.message import build_message, choose_template, fill_message
from connector.schema.models import ConnectorConfig, Template

from .conftest import CliRunner
from .smtp_fixtures import logto_config, write_config

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def config(**changes: Any) -> ConnectorConfig:
    return ConnectorConfig.model_validate(logto_config(2525, **changes))


def parse(raw: bytes) -> email.message.EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def body(message: email.message.EmailMessage) -> str:
    content = message.get_content()
    assert isinstance(content, str)
    return content.replace("\r\n", "\n")


def test_template_choice_own_then_generic_then_logtos_error() -> None:
    cfg = config()
    assert choose_template(cfg, "SignIn").usageType == "SignIn"
    assert choose_template(cfg, "MfaVerification").usageType == "Generic"
    assert choose_template(cfg, "Signin").usageType == "Generic"  # the typo Logto silently accepts
    no_generic = ConnectorConfig.model_construct(
        templates=[Template.model_validate(cfg.templates[0].model_dump())]
    )
    with pytest.raises(InputError) as raised:
        choose_template(no_generic, "Register")
    assert str(raised.value) == "Template not found for type: Register"


def test_the_first_template_of_a_type_wins_as_in_logto() -> None:
    templates = logto_config(1)["templates"]
    extra = {"usageType": "SignIn", "contentType": "text/plain", "subject": "second", "content": "x"}
    cfg = config(templates=[*templates, extra])
    assert fill_message(cfg, "SignIn", {"code": "1"}).subject == "Sign-in code 1"


def test_render_fills_subject_content_sendfrom_and_replyto_but_not_the_config_values() -> None:
    templates = logto_config(1)["templates"]
    templates[0] |= {
        "sendFrom": "{{application.name}} <no-reply@acme.test>",
        "replyTo": "help+{{code}}@acme.test",
    }
    cfg = config(templates=templates, replyTo="{{code}}@acme.test", fromEmail="{{code}} <a@acme.test>")
    rendered = fill_message(cfg, "SignIn", {"code": "42", "application": {"name": "Shop"}})
    assert (rendered.sender, rendered.reply_to) == ("Shop <no-reply@acme.test>", "help+42@acme.test")
    assert rendered.subject == "Sign-in code 42"
    assert rendered.body == "<p>Your code is <b>42</b> for Shop.</p>"
    generic = fill_message(cfg, "Generic", {"code": "42"})
    assert (generic.sender, generic.reply_to) == ("{{code}} <a@acme.test>", "{{code}}@acme.test")


def test_empty_sendfrom_and_replyto_fall_back_to_the_config() -> None:
    templates = logto_config(1)["templates"]
    templates[0] |= {"sendFrom": "", "replyTo": ""}
    rendered = fill_message(config(templates=templates, replyTo="r@acme.test"), "SignIn", {"code": "1"})
    assert (rendered.sender, rendered.reply_to) == ("Acme <no-reply@acme.test>", "r@acme.test")


def test_message_headers_and_html_body() -> None:
    cfg = config(customHeaders={"X-Env": "dev", "X-Tag": ["a", "b"], "X-Raw": "{{code}}"})
    message = build_message(
        cfg, fill_message(cfg, "SignIn", {"code": "123456"}), "Bob <bob@example.com>", now=NOW
    )
    parsed = parse(message.as_bytes())
    assert parsed["From"] == "Acme <no-reply@acme.test>"
    assert parsed["To"] == "Bob <bob@example.com>"
    assert parsed["Subject"] == "Sign-in code 123456"
    assert parsed["Date"] == "Wed, 01 May 2024 12:00:00 +0000"
    assert parsed["Message-ID"].endswith("@acme.test>")
    assert parsed["Reply-To"] is None
    assert parsed.get_all("X-Tag") == ["a", "b"]
    assert parsed["X-Raw"] == "{{code}}"  # customHeaders are not rendered
    assert not parsed.is_multipart()  # never text and HTML together
    assert parsed.get_content_type() == "text/html"
    assert body(parsed) == "<p>Your code is <b>123456</b> for {{application.name}}.</p>\n"
    assert b"\r\n" in message.as_bytes()


def test_text_body_non_ascii_is_seven_bit_clean() -> None:
    templates = logto_config(1)["templates"]
    templates[1]["content"] = "Código: {{code}} — ¡hola!"
    cfg = config(templates=templates)
    raw = build_message(
        cfg, fill_message(cfg, "Register", {"code": "7"}), "a@example.com", now=NOW
    ).as_bytes()
    assert raw.isascii()
    parsed = parse(raw)
    assert parsed.get_content_type() == "text/plain"
    assert body(parsed) == "Código: 7 — ¡hola!\n"


def test_empty_custom_headers_add_nothing() -> None:
    cfg = config(customHeaders={})
    raw = build_message(cfg, fill_message(cfg, "Generic", {"code": "1"}), "a@example.com", now=NOW).as_bytes()
    names = [line.split(b":")[0] for line in raw.split(b"\r\n\r\n")[0].split(b"\r\n")]
    assert names == [
        b"From",
        b"To",
        b"Subject",
        b"Date",
        b"Message-ID",
        b"Content-Type",
        b"Content-Transfer-Encoding",
        b"MIME-Version",
    ]


@pytest.mark.parametrize(
    ("changes", "payload", "to", "message"),
    [
        (
            {},
            {"code": "1\r\nBcc: victim@example.com"},
            "a@example.com",
            "the subject of the SignIn template after rendering contains a line break (CR or LF), which would "
            "break the message headers (hint: keep header values on one line; check the placeholders' values too)",
        ),
        (
            {"customHeaders": {"X-A": "ok\nX-B: injected"}},
            {"code": "1"},
            "a@example.com",
            "customHeaders.X-A contains a line break (CR or LF), which would break the message headers "
            "(hint: keep header values on one line; check the placeholders' values too)",
        ),
        (
            {"customHeaders": {"Bad Name": "x"}},
            {"code": "1"},
            "a@example.com",
            "customHeaders: 'Bad Name' is not a valid header name (hint: use printable ASCII letters, digits "
            "and dashes, without spaces or a colon)",
        ),
        (
            {"replyTo": "a@x.test\r\nBcc: b@x.test"},
            {"code": "1"},
            "a@example.com",
            "Reply-To (the template's replyTo or the config's) contains a line break (CR or LF), which would "
            "break the message headers (hint: keep header values on one line; check the placeholders' values too)",
        ),
        (
            {},
            {"code": "1"},
            "a@example.com, b@example.com",
            "the recipient holds 2 addresses: 'a@example.com, b@example.com' (hint: give exactly one address, "
            "like a@example.com)",
        ),
        (
            {},
            {"code": "1"},
            "a@example.com\nBcc: b@example.com",
            "the recipient contains a line break (CR or LF), which would break the message headers (hint: keep "
            "header values on one line; check the placeholders' values too)",
        ),
        (
            {"fromEmail": "not an address"},
            {"code": "1"},
            "a@example.com",
            'the From address (sendFrom or fromEmail) is not an email address: "not an address": Logto sends a '
            "From header with no address, a message receivers refuse (hint: write `Name <address@domain>` or a "
            "bare `address@domain`)",
        ),
    ],
)
def test_header_breaking_values_are_refused(
    changes: dict[str, Any], payload: dict[str, Any], to: str, message: str
) -> None:
    cfg = config(**changes)
    with pytest.raises(InputError) as raised:
        build_message(cfg, fill_message(cfg, "SignIn", payload), to)
    assert raised.value.describe() == message


# --- the render command ---------------------------------------------------------------------------


def test_render_command_prints_subject_and_body(cli: CliRunner, tmp_path: Path) -> None:
    path = write_config(tmp_path / "logto.json", logto_config(2525))
    payload = json.dumps({"code": "654321", "application": {"name": "Shop"}})
    result = cli("render", str(path), "--type", "SignIn", "--payload", payload)
    assert result.stdout == (
        "From: Acme <no-reply@acme.test>\n"
        "Subject: Sign-in code 654321\n"
        "Content-Type: text/html\n"
        "\n"
        "<p>Your code is <b>654321</b> for Shop.</p>\n"
    )


def test_render_command_writes_the_eml(cli: CliRunner, tmp_path: Path) -> None:
    path = write_config(tmp_path / "logto.json", logto_config(2525))
    out = tmp_path / "out.eml"
    cli(
        "render",
        str(path),
        "--type",
        "Register",
        "--code",
        "111222",
        "--to",
        "a@example.com",
        "--eml",
        str(out),
    )
    parsed = parse(out.read_bytes())
    assert (parsed["To"], parsed["Subject"], body(parsed)) == ("a@example.com", "Welcome", "Code: 111222\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["logto.json", "out.eml"]  # no temporary file left


def test_render_command_yaml_config_and_set(cli: CliRunner, tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "logto.yaml"
    path.write_text(yaml.safe_dump(logto_config(2525)), encoding="utf-8")
    result = cli(
        "render",
        str(path),
        "--type",
        "Generic",
        "--code",
        "9",
        "--set",
        "templates.Generic.subject=Hi {{code}}",
    )
    assert "Subject: Hi 9\n" in result.stdout


def test_render_command_template_not_found_and_bad_payload(cli: CliRunner, tmp_path: Path) -> None:
    path = write_config(tmp_path / "logto.json", logto_config(2525))
    result = cli("render", str(path), "--type", "SignIn", "--payload", "[1]", expect=1)
    assert result.stderr == '--payload: the payload must be a JSON object, like {"code": "123456"}\n'.join(
        ["smtp-connector: error: ", ""]
    )
    # No payload: the sample one preview fills (issue #22: render no longer requires --code).
    result = cli("render", str(path), "--type", "SignIn")
    assert "123456" in result.stdout


def test_render_command_points_at_the_file_for_invalid_configs(cli: CliRunner, tmp_path: Path) -> None:
    path = write_config(tmp_path / "logto.json", logto_config(2525))
    result = cli("render", str(path), "--type", "SignIn", "--code", "1", "--set", 'port="465"', expect=1)
    assert result.stderr.startswith(
        '--set:1:6: error SC202 port: expected an integer, got the string "465"; Logto refuses to save this config'
    )
    result = cli("render", str(path), "--type", "SignIn", "--code", "1", "--set", "hots=x", expect=1)
    assert (
        "error SC201 unknown key `hots`: Logto saves it, and nodemailer ignores it: the setting does nothing; did you mean `host`?"
        in result.stderr
    )
    result = cli("render", str(path), "--type", "SignIn", "--code", "1", "--set", "nope", expect=2)
    assert "--set 'nope': expected KEY.PATH=VALUE (hint: e.g. --set port=2525" in result.stderr


def test_render_a_project_folder_with_env_and_set(cli: CliRunner, tmp_path: Path) -> None:
    cli("init", str(tmp_path / "p"), "--provider", "sendgrid")
    result = cli(
        "render", str(tmp_path / "p"), "--env", "dev", "--type", "SignIn", "--code", "482913",
        "--set", "templates.SignIn.subject=[dev] {{code}}",
    )  # fmt: skip
    assert "Subject: [dev] 482913\n" in result.stdout
    assert "482913" in result.stdout.split("\n\n", 1)[1]
    result = cli("render", str(tmp_path / "p"), "--type", "SignIn", "--code", "1", expect=2)
    assert "is a project folder: add --env ENV" in result.stderr
