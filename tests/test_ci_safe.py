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
    assert f"{folder}:1:1: error SC507" in cli("lint", str(folder), expect=1).stdout
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
    assert "--type: usageType `Signin` is not one Logto sends" in result.stderr
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
    assert f"{batch}:2:33: error SC101 usageType `Regster` is not one Logto sends" in result.stderr
    assert "did you mean `Register`?" in result.stderr


# --- build is a gate ----------------------------------------------------------------------------------


def test_build_of_a_fresh_init_refuses_the_unfilled_prod_and_writes_nothing(
    cli: CliRunner, tmp_path: Path
) -> None:
    cli("init", str(tmp_path / "email"), "--provider", "sendgrid")
    out = tmp_path / "out"
    result = cli(
        "build", str(tmp_path / "email"), "--all", "--out-dir", str(out), env={"SMTP_PASS": "x"}, expect=1
    )
    assert (
        "error SC401 `fromEmail` still holds the example value `<no-reply@your-verified-domain.com>`"
        in result.stderr
    )
    assert not out.exists()
    # dev, which the sink serves, builds at once.
    assert json.loads(cli("build", str(tmp_path / "email"), "--env", "dev").stdout)["port"] == 2525


def test_build_refuses_port_465_with_secure_false(cli: CliRunner, tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {"environments/prod.yaml": "port: 465\nsecure: false\n"})
    target = tmp_path / "prod.json"
    result = cli("build", str(project), "--env", "prod", "-o", str(target), env={"SMTP_PASS": "x"}, expect=1)
    assert f"{project}/environments/prod.yaml:2:9: error SC303 port 465 expects TLS" in result.stderr
    assert not target.exists()
    # --keep-refs and --check are gated too: nothing Logto would reject is ever written or blessed.
    cli("build", str(project), "--env", "prod", "-o", str(target), "--keep-refs", expect=1)
    assert not target.exists()


def test_build_prints_warnings_and_a_suppression_accepts_a_finding(cli: CliRunner, tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {"environments/prod.yaml": "connectionTimeout: 30\n"})
    result = cli("build", str(project), "--env", "prod", env={"SMTP_PASS": "x"})
    assert f"{project}/environments/prod.yaml:1:20: warning SC307" in result.stderr
    assert json.loads(result.stdout)["connectionTimeout"] == 30
    (project / "environments/prod.yaml").write_text(
        "port: 465\nsecure: false  # smtp-connector: disable=SC303\n"
    )
    result = cli("build", str(project), "--env", "prod", env={"SMTP_PASS": "x"})
    assert json.loads(result.stdout)["port"] == 465 and "SC303" not in result.stderr


# --- findings land on the user's line -----------------------------------------------------------------


def _gmail_project(root: Path) -> Path:
    project = "provider: gmail\nfromEmail: Acme <me@gmail.com>\n" + _templates()
    prod = "auth:\n  user: me@gmail.com\n" + "\n" * 6 + "port: 587\n"
    return write_project(root, {"smtp-connector.yaml": project, "environments/prod.yaml": prod})


def test_a_conflict_with_a_shipped_overlay_is_reported_where_the_user_completed_it(
    cli: CliRunner, tmp_path: Path
) -> None:
    project = _gmail_project(tmp_path / "p")
    result = cli("lint", str(project), expect=1)
    assert result.stdout.startswith(f"{project}/environments/prod.yaml:9:7: error SC303 `secure: true`")
    assert (
        "(hint: use `provider: gmail-starttls` (port 587), or remove the port to keep gmail's)"
        in result.stdout
    )
    assert "site-packages" not in result.stdout and "/providers/" not in result.stdout
    built = cli("build", str(project), "--env", "prod", env={"SMTP_PASS": "x"}, expect=1)
    assert built.stderr.startswith(f"{project}/environments/prod.yaml:9:7: error SC303")


def test_a_missing_variable_of_a_shipped_overlay_is_named_not_by_install_path(
    cli: CliRunner, tmp_path: Path
) -> None:
    project = write_project(tmp_path / "p", {"environments/prod.yaml": "{}\n"})
    result = cli("build", str(project), "--env", "prod", expect=1)
    assert result.stderr.startswith(
        f"{project}/smtp-connector.yaml:1:11: error SC502 environment variable SMTP_PASS is not set: a SendGrid "
        "API key with the Mail Send permission (set by provider sendgrid (providers/sendgrid.yaml:14))"
    )
    shown = cli("explain", str(project), "--env", "prod", "host").stdout
    assert shown == 'host = "smtp.sendgrid.net"\n  set at provider sendgrid (providers/sendgrid.yaml:5)\n'
    data = json.loads(cli("explain", str(project), "--env", "prod", "host", "--format", "json").stdout)
    assert data[0]["file"] == "providers/sendgrid.yaml"


def test_a_suppression_inside_a_shipped_overlay_is_not_reported_to_the_user(
    cli: CliRunner, tmp_path: Path
) -> None:
    cli("init", str(tmp_path / "email"), "--provider", "sendgrid")
    # The only thing to fix in a fresh project is the From address; dev-sink's own SC302 waiver is not news.
    result = cli("lint", str(tmp_path / "email"), expect=1)
    assert result.stderr == "1 error, 0 warnings\n"
    data = json.loads(cli("lint", str(tmp_path / "email"), "--format", "json", expect=1).stdout)
    assert [item["rule"] for item in data] == ["SC401"]
