"""Issue 14, the CI path: a typo or an unfilled value never gives a green exit."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import CliRunner
from .projects import write_project
from .smtp_fixtures import ServerFactory, logto_config


def test_lint_of_a_path_that_does_not_exist_is_sc001_with_did_you_mean(
    cli: CliRunner, tmp_path: Path
) -> None:
    write_project(tmp_path / "email", {})
    result = cli("lint", "emial", cwd=tmp_path, expect=1)
    assert result.stdout == (
        "emial:1:1: error SC001 no such file or folder: nothing here to lint (hint: did you mean `email`?)\n"
    )
    far = cli("lint", str(tmp_path / "zzz"), expect=1)
    assert "error SC001 no such file or folder" in far.stdout and "(hint: check the path)" in far.stdout


def test_a_missing_path_is_an_error_in_hook_mode_too(cli: CliRunner, tmp_path: Path) -> None:
    result = cli("lint", "--skip-unrelated", str(tmp_path / "gone.yaml"), expect=1)
    assert "error SC001" in result.stdout


def test_a_named_path_with_no_config_is_an_error_except_in_hook_mode(cli: CliRunner, tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# hello\n")
    result = cli("lint", str(readme), expect=1)
    assert f"{readme}:1:1: error SC013 is not an SMTP connector config" in result.stdout
    assert "nothing to lint" not in result.stderr
    hook = cli("lint", "--skip-unrelated", str(readme), expect=0)
    assert hook.stdout == "" and "nothing to lint" in hook.stderr
    folder = tmp_path / "empty"
    folder.mkdir()
    assert "is not a config project" in cli("lint", str(folder), expect=2).stderr
    assert cli("lint", "--skip-unrelated", str(folder), expect=0).stdout == ""


def test_one_good_path_and_one_typo_still_fails(cli: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path / "email", {})
    result = cli("lint", "email", "emial", cwd=tmp_path, expect=1)
    assert "emial:1:1: error SC001" in result.stdout


# --- ${VAR} in render and send, and what needs a secret -------------------------------------------------


def _sendgrid_project(root: Path) -> Path:
    # The shipped sendgrid overlay asks for ${SMTP_PASS:?...}; the project itself holds no secret.
    return write_project(root, {"environments/prod.yaml": "port: 587\n"})


def test_render_and_dry_run_need_no_secret(cli: CliRunner, tmp_path: Path, monkeypatch: object) -> None:
    project = _sendgrid_project(tmp_path / "p")
    import os

    assert "SMTP_PASS" not in os.environ
    result = cli("render", str(project), "--env", "prod", "--type", "SignIn", "--code", "42")
    assert "Your code: 42" in result.stdout
    out = tmp_path / "out"
    dry = cli(
        "send", str(project), "--env", "prod", "--type", "SignIn", "--code", "1",
        "--to", "a@example.com", "--dry-run", str(out),
    )  # fmt: skip
    assert len(list(out.glob("*.eml"))) == 1, str(dry)
    # Sending for real does need it, with build's error at the line that asks for it.
    real = cli(
        "send", str(project), "--env", "prod", "--type", "SignIn", "--code", "1", "--to", "a@example.com",
        expect=1,
    )  # fmt: skip
    assert "SC502 environment variable SMTP_PASS is not set" in real.stderr


def test_preview_and_explain_need_no_secret(cli: CliRunner, tmp_path: Path) -> None:
    project = _sendgrid_project(tmp_path / "p")
    cli("preview", str(project), "--env", "prod", "--out", str(tmp_path / "gallery"))
    assert "auth.pass" in cli("explain", str(project), "--env", "prod", "auth").stdout


def test_render_a_config_file_resolves_references_like_build(cli: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "logto.yaml"
    config.write_text(
        "host: smtp.example.com\nport: 587\nauth:\n  user: apikey\n  pass: ${SMTP_PASS}\n"
        "fromEmail: ${FROM:-Acme <no-reply@acme.example>}\n" + _templates()
    )
    result = cli("render", str(config), "--type", "SignIn", "--code", "7")
    assert result.stdout.startswith("From: Acme <no-reply@acme.example>\n")
    # A value from the environment is shown nowhere but in the message itself (as build writes it only
    # into the built file).
    eml = tmp_path / "m.eml"
    cli(
        "render",
        str(config),
        "--type",
        "SignIn",
        "--code",
        "7",
        "--eml",
        str(eml),
        env={"FROM": "x@acme.example"},
    )
    assert "From: x@acme.example\n" in eml.read_text().replace("\r\n", "\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text(config.read_text().replace("${FROM:-", "${FROM-"))
    result = cli("render", str(bad), "--type", "SignIn", "--code", "7", expect=1)
    assert f"{bad}:6:12: error SC503 `${{FROM-Acme <no-reply@acme.example>}}` in fromEmail" in result.stderr


def test_send_a_config_file_sends_the_resolved_password(
    cli: CliRunner, tmp_path: Path, smtp_server: ServerFactory
) -> None:
    server = smtp_server(users={"mailer": "s3cret-from-env"}, auth_require_tls=False)
    config = tmp_path / "logto.json"
    config.write_text(json.dumps(logto_config(server.port, auth={"user": "mailer", "pass": "${SMTP_PASS}"})))
    args = ("send", str(config), "--type", "SignIn", "--code", "1", "--to", "bob@example.com")
    missing = cli(*args, expect=1)
    assert (
        f"{config}:" in missing.stderr and "SC502 environment variable SMTP_PASS is not set" in missing.stderr
    )
    assert server.messages == []
    result = cli(*args, env={"SMTP_PASS": "s3cret-from-env"})
    assert server.handler.logins == [("PLAIN", "mailer")], str(result)
    assert "s3cret-from-env" not in result.stdout + result.stderr


def _templates() -> str:
    from .projects import TEMPLATES

    return TEMPLATES


def test_type_that_logto_does_not_send_is_a_usage_error(cli: CliRunner, tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {"environments/dev.yaml": "provider: dev-sink\n"})
    result = cli("render", str(project), "--env", "dev", "--type", "Signin", "--code", "1", expect=2)
    assert "--type Signin: Logto never sends this usage type" in result.stderr
    assert "did you mean `SignIn`?" in result.stderr
    result = cli(
        "send", str(project), "--env", "dev", "--type", "Signin", "--code", "1", "--to", "a@example.com",
        "--dry-run", str(tmp_path / "out"), expect=2,
    )  # fmt: skip
    assert "did you mean `SignIn`?" in result.stderr and not (tmp_path / "out").exists()
    batch = tmp_path / "b.jsonl"
    batch.write_text(
        '{"to": "a@example.com", "type": "SignIn"}\n{"to": "b@example.com", "type": "Regster"}\n'
    )
    result = cli(
        "send",
        str(project),
        "--env",
        "dev",
        "--batch",
        str(batch),
        "--dry-run",
        str(tmp_path / "o"),
        expect=1,
    )
    assert f'{batch}:2: Logto never sends the usage type "Regster"' in result.stderr
    assert 'did you mean "Register"?' in result.stderr
