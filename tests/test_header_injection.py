"""Header injection is refused: in the config (at lint time, and by render/send before the first message)
and in what arrives at send time (payload values, recipients, batch lines).

tests/test_render.py checks the renderer's own refusals message by message; here each way in is tried
end to end, and the server must never see an injected header.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connector.mail.batch import read_batch, write_jobs
from connector.mail.send import Job

from .conftest import CliRunner
from .smtp_fixtures import ServerFactory, logto_config, write_config

INJECTED = "\r\nBcc: victim@example.com"


def _template(config: dict[str, Any], **changes: str) -> dict[str, Any]:
    config["templates"][0].update(changes)  # the SignIn template
    return config


# Config values with a line break: (change, rule, JSON path of the value, message)
CONFIG_CASES = [
    (
        lambda c: _template(c, subject="Code {{code}}" + INJECTED),
        "SC408",
        'template "SignIn" subject has a line break',
    ),
    (
        lambda c: _template(c, sendFrom="Acme <a@acme.test>" + INJECTED),
        "SC408",
        'template "SignIn" sendFrom has a line break',
    ),
    (
        lambda c: _template(c, replyTo="{{user.email}}" + INJECTED),
        "SC408",
        'template "SignIn" replyTo has a line break',
    ),
    (lambda c: c | {"replyTo": "help@acme.test" + INJECTED}, "SC408", "`replyTo` has a line break"),
    (
        lambda c: c | {"fromEmail": "a@acme.test\nBcc: victim@example.com"},
        "SC408",
        "`fromEmail` has a line break",
    ),
    (
        lambda c: c | {"customHeaders": {"X-Campaign": "spring" + INJECTED}},
        "SC406",
        "customHeaders: the value of `X-Campaign` has a line break",
    ),
    (
        lambda c: c | {"customHeaders": {"X-Tags": ["ok", "two\u2028Bcc: victim@example.com"]}},
        "SC406",
        "customHeaders: the value of `X-Tags` has a line separator (U+2028)",
    ),
    (
        lambda c: c | {"customHeaders": {"Bcc: victim@example.com\r\nX-A": "x"}},
        "SC406",
        "customHeaders: `Bcc: victim@example.com\\r\\nX-A` is not a valid header name",
    ),
]


@pytest.mark.parametrize(("change", "rule", "message"), CONFIG_CASES)
def test_a_line_break_in_a_config_header_is_refused_at_lint_render_and_send(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, change: Any, rule: str, message: str
) -> None:
    server = smtp_server()
    path = write_config(tmp_path / "logto.json", change(logto_config(server.port)))
    lint = cli("lint", str(path), expect=1)
    [finding] = [line for line in lint.stdout.splitlines() if f" error {rule} " in line]
    assert f"{path}:" in finding and f" error {rule} {message}" in finding
    position = finding.split(" error ")[0]  # path:line:col:
    for args in (
        ("render", str(path), "--type", "SignIn", "--code", "1"),
        ("send", str(path), "--type", "SignIn", "--to", "bob@example.com", "--code", "1"),
    ):
        result = cli(*args, expect=1)
        assert result.stderr.splitlines()[0].startswith(f"{position} error {rule} {message}")
        assert result.stdout == ""
    assert server.messages == []


def test_several_addresses_in_one_sender_are_refused(cli: CliRunner, tmp_path: Path) -> None:
    config = _template(logto_config(2525), sendFrom="a@acme.test, victim@example.com")
    path = write_config(tmp_path / "logto.json", config)
    lint = cli("lint", str(path), expect=1)
    assert 'error SC405 template "SignIn" sendFrom holds 2 addresses as nodemailer reads it' in lint.stdout
    result = cli("render", str(path), "--type", "SignIn", "--code", "1", expect=1)
    assert result.stderr == (
        "smtp-connector: error: the From address (sendFrom or fromEmail) holds 2 addresses as nodemailer reads "
        "it: Logto sends all of them in From, a message receivers such as Gmail refuse (RFC 5322 asks for a "
        "Sender header then) (hint: give one address; quote a name that has a comma or a semicolon: "
        "'\"Acme, Inc.\" <a@acme.example>')\n"
    )


def test_a_reply_to_list_is_allowed_but_not_a_line_break(cli: CliRunner, tmp_path: Path) -> None:
    # RFC 5322 lets Reply-To hold several addresses, and Logto passes them on: only line breaks inject.
    path = write_config(
        tmp_path / "logto.json", logto_config(2525, replyTo="help@acme.test, sales@acme.test")
    )
    result = cli("render", str(path), "--type", "SignIn", "--code", "1")
    assert "Reply-To: help@acme.test, sales@acme.test\n" in result.stdout


# --- at send time: payload values and recipients ----------------------------------------------------

SEND_CASES = [
    ({"code": "123456" + INJECTED}, "bob@example.com", "the subject of the SignIn template after rendering contains a line break"),
    ({"code": "1", "application": {"name": "Shop" + INJECTED}}, "bob@example.com", "the From address (sendFrom or fromEmail) contains a line break"),
    ({"code": "1", "application": {"name": "Shop <evil@example.com>, Evil"}}, "bob@example.com", "the From address (sendFrom or fromEmail) holds 2 addresses"),
    ({"code": "1"}, "bob@example.com" + INJECTED, "the recipient contains a line break"),
    ({"code": "1"}, "bob@example.com, victim@example.com", "the recipient holds 2 addresses"),
    ({"code": "1"}, "bob@example.com\u0085Bcc: victim@example.com", "the recipient contains the line separator U+0085"),
]  # fmt: skip


def _sending_config(port: int) -> dict[str, Any]:
    return _template(logto_config(port), sendFrom="{{application.name}} <no-reply@acme.test>")


@pytest.mark.parametrize(("payload", "to", "message"), SEND_CASES)
def test_injection_through_the_payload_or_the_recipient_is_refused(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory, payload: dict[str, Any], to: str, message: str
) -> None:
    server = smtp_server()
    path = write_config(tmp_path / "logto.json", _sending_config(server.port))
    args = ("--type", "SignIn", "--to", to, "--payload", json.dumps(payload))
    rendered = cli("render", str(path), *args, expect=1)
    assert rendered.stderr.startswith(f"smtp-connector: error: {message}")
    result = cli("send", str(path), *args, expect=1)
    [row] = [json.loads(line) for line in result.stdout.splitlines()]
    assert (row["status"], row["attempts"]) == ("failed", 0)
    assert row["reply"].startswith(message)
    assert server.messages == []


def test_a_batch_with_injected_lines_is_refused_whole_before_connecting(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    server = smtp_server()
    path = write_config(tmp_path / "logto.json", _sending_config(server.port))
    lines = [
        {"to": "a@example.com", "type": "SignIn", "payload": {"code": "1", "application": {"name": "Shop"}}},
        {"to": "b@example.com" + INJECTED, "type": "SignIn", "payload": {"code": "2"}},
        {"to": "c@example.com", "type": "SignIn", "payload": {"code": "3" + INJECTED}},
        {"to": "d@example.com", "type": "SignIn", "payload": {"code": "4", "application": {"name": "Shop"}}},
        {"to": "e@example.com", "type": "SignIn", "payload": {"code": "5\u2028Bcc: victim@example.com"}},
    ]
    batch = tmp_path / "batch.jsonl"
    texts = [json.dumps(line, ensure_ascii=False) for line in lines]  # U+2028 raw
    batch.write_text("".join(text + "\n" for text in texts))
    result = cli("send", str(path), "--batch", str(batch), "--attempts", "1", expect=1)

    def column(number: int, key: str) -> int:
        return texts[number - 1].index(f'"{key}": ') + len(key) + 5

    # Every injected line is found before connecting (recipient or a payload value filled into the
    # subject), each at its file:line:col; nothing is sent and there is nothing to resend.
    assert result.stdout == ""
    assert f"{batch}:2:{column(2, 'to')}: error SC408 " in result.stderr
    assert f"{batch}:3:{column(3, 'payload')}: error SC408 " in result.stderr
    assert f"{batch}:5:{column(5, 'payload')}: error SC408 " in result.stderr
    assert f"{batch}: 3 of 5 messages would fail; nothing was sent" in result.stderr
    assert server.messages == [] and not (tmp_path / "batch.failed.jsonl").exists()
    # A batch file reads back whole, U+2028 and all (str.splitlines would cut that line in two).
    again = tmp_path / "again.jsonl"
    write_jobs(again, [Job(line["to"], line["type"], line["payload"]) for line in lines[2:]])
    with read_batch(again) as reread:
        assert reread.findings == ()
        assert [job.as_json() for job in reread.jobs()] == lines[2:]


def test_build_refuses_a_subject_with_a_line_break(cli: CliRunner, tmp_path: Path) -> None:
    project = tmp_path / "p"
    cli("init", str(project), "--provider", "dev-sink")
    env = project / "environments" / "dev.yaml"
    env.write_text(
        env.read_text() + 'templates:\n  - usageType: SignIn\n    subject: "Your code\\nBcc: x@example.com"\n'
    )
    result = cli("build", str(project), "--env", "dev", expect=1)
    assert f"{env}:" in result.stderr and " SC408 " in result.stderr
    assert result.stdout == ""
