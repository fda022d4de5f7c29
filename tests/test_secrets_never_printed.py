"""A known secret in the environment never shows in any output, log or written file but the built config.

Every command runs against a project made with `init` (provider sendgrid, whose auth.pass is
``${SMTP_PASS}``), with failures on purpose: a wrong password against a real server, lint findings about
a literal secret, and internal errors forced under ``--debug``. Then every file left in the folder is
read: only the built configs may hold the secret.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connector.errors import InputError

from .conftest import CliResult, CliRunner
from .logto_server import FakeLogto
from .smtp_fixtures import ServerFactory

CANARIES = [
    "S3cr3t-Canary-9f2",
    'Odd"Canary\\é-7x',  # a quote, a backslash and a non-ASCII letter: written differently in JSON and repr
]
FORMATS = ("text", "json", "github", "sarif")


def forms(secret: str) -> list[str]:
    """The secret as printed text may show it: as is, escaped in JSON (both ways) or in a Python repr."""
    return sorted(
        {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1], repr(secret)[1:-1]}
    )


@pytest.fixture
def project(cli: CliRunner, tmp_path: Path) -> Path:
    root = tmp_path / "email"
    cli("init", str(root), "--provider", "sendgrid")
    base = root / "smtp-connector.yaml"
    base.write_text(
        base.read_text().replace("<no-reply@your-verified-domain.com>", "Acme <no-reply@acme.example>")
    )
    return root


class Runs:
    def __init__(self, cli: CliRunner) -> None:
        self.cli = cli
        self.results: list[tuple[tuple[str, ...], CliResult]] = []

    def __call__(self, *args: str, expect: int | None) -> CliResult:
        result = self.cli(*args, expect=expect)
        self.results.append((args, result))
        return result

    def debug(self, *args: str) -> CliResult:
        """Run with --debug, where a traceback is expected (the cli fixture refuses one)."""
        from connector.cli.main import main

        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--debug", *args])
        result = CliResult(code, out.getvalue(), err.getvalue())
        assert code == 3, str(result)
        self.results.append((("--debug", *args), result))
        return result

    def __iter__(self) -> Iterator[tuple[tuple[str, ...], CliResult]]:
        return iter(self.results)


@pytest.mark.parametrize("secret", CANARIES)
def test_no_command_prints_the_secret(
    cli: CliRunner,
    tmp_path: Path,
    project: Path,
    smtp_server: ServerFactory,
    monkeypatch: pytest.MonkeyPatch,
    secret: str,
) -> None:
    monkeypatch.setenv("SMTP_PASS", secret)
    out = tmp_path / "out"
    built = out / "prod.json"
    run = Runs(cli)
    server = smtp_server(users={"apikey": "the-right-api-key"}, auth_require_tls=False)
    local = ("--set", "host=127.0.0.1", "--set", f"port={server.port}", "--set", "requireTLS=false")
    message = ("--type", "SignIn", "--to", "a@example.com", "--code", "123456", "--attempts", "1")

    run("build", str(project), "--env", "prod", "-o", str(built), expect=0)
    run("build", str(project), "--all", "--out-dir", str(out / "all"), expect=0)
    run("explain", str(project), "--env", "prod", expect=0)
    run("explain", str(project), "--env", "prod", "auth.pass", expect=0)
    for fmt in FORMATS:
        run("lint", str(project), "--format", fmt, expect=0)
        run("lint", str(built), "--format", fmt, expect=1)  # SC403: a literal secret, named by its key
        run("lint", "--built", str(built), "--format", fmt, expect=0)  # as deployed: Logto accepts it
    run("render", str(project), "--env", "prod", "--type", "SignIn", "--code", "1", expect=0)
    run("render", str(built), "--type", "SignIn", "--code", "1", "--eml", str(out / "signin.eml"), expect=0)
    run("send", str(project), "--env", "prod", *local, *message, expect=1)  # 535: wrong password
    run("send", str(built), *local, *message, expect=1)
    batch = tmp_path / "batch.jsonl"
    batch.write_text('{"to": "a@example.com", "type": "SignIn", "payload": {"code": "1"}}\n' * 2)
    run("send", str(built), *local, "--batch", str(batch), "--attempts", "1", expect=1)
    run("send", str(project), "--env", "prod", *message, "--dry-run", str(out / "dry"), expect=0)
    run("preview", str(project), "--out", str(out / "preview"), expect=None)
    assert server.handler.logins == [] and server.messages == []
    assert (tmp_path / "batch.failed.jsonl").exists()

    # Internal errors under --debug: the traceback carries the secret in its message, and must not show it.
    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"forced failure near {secret}")

    with monkeypatch.context() as m:
        m.setattr("connector.mail.message.build_message", boom)
        result = run.debug("render", str(project), "--env", "prod", "--type", "SignIn", "--code", "1")
        assert "RuntimeError: forced failure near ********" in result.stderr
    with monkeypatch.context() as m:
        m.setattr("connector.mail.transport.Connection.open", boom)
        result = run.debug("send", str(built), *local, *message)
        assert "RuntimeError: forced failure near ********" in result.stderr

    for args, result in run:
        for form in forms(secret):
            assert form not in result.stdout + result.stderr, f"{args} printed the secret"
        assert "Traceback" not in result.stderr or "--debug" in args
    allowed = {built, out / "all" / "prod.json"}
    assert all(path.is_file() for path in allowed)
    for path in sorted(p for p in tmp_path.rglob("*") if p.is_file()):
        data = path.read_bytes()
        leaked = [form for form in forms(secret) if form.encode() in data]
        if path in allowed:
            assert leaked, f"{path} should hold the resolved secret"
        else:
            assert leaked == [], f"{path} holds the secret"


def test_a_secret_in_an_error_message_is_redacted_in_every_form() -> None:
    from connector.cli.main import _print_error
    from connector.diagnostics.redact import register_secret

    secret = 'Odd"Canary\\é-7x'
    register_secret(secret)

    stream = io.StringIO()
    _print_error(InputError(f"value {secret!r} in {json.dumps(secret)} and {secret}"), stream)
    assert stream.getvalue() == "smtp-connector: error: value '********' in \"********\" and ********\n"


@pytest.mark.parametrize("secret", CANARIES)
def test_deploy_and_pull_never_print_a_secret(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, logto: FakeLogto, secret: str
) -> None:
    """The SMTP password and the M2M app secret, through plans, drift, refusals, pull and internal errors."""
    from .test_deploy import make_project

    project = make_project(tmp_path / "mail")
    app_secret = secret[::-1] + "-app"
    logto.app_secret = app_secret
    for key, value in {
        "SMTP_PASS": secret,
        "TEST_LOGTO_ENDPOINT": logto.url,
        "PROD_LOGTO_APP_ID": logto.app_id,
        "PROD_LOGTO_APP_SECRET": app_secret,
        "LOGTO_ENDPOINT": logto.url,
        "LOGTO_M2M_APP_ID": logto.app_id,
        "LOGTO_M2M_APP_SECRET": app_secret,
    }.items():
        monkeypatch.setenv(key, value)
    run = Runs(cli)
    deploy = ("deploy", str(project), "--env", "prod")
    run(*deploy, "--dry-run", expect=0)
    run(*deploy, expect=0)
    run(*deploy, "--check", expect=0)
    logto.smtp_config["auth"]["pass"] = secret + "-drifted"  # type: ignore[index]
    run(*deploy, "--check", expect=1)  # a changed secret: shown as changed, never as a value
    echo = {"code": "connector.general", "message": f"Error occurred in connector: login {secret} refused"}
    logto.fault("PATCH", "/api/connectors/", status=400, body=echo)
    run(*deploy, expect=1)  # Logto's error echoes the password
    run(*deploy, expect=0)
    run("pull", str(tmp_path / "pulled"), expect=0)
    monkeypatch.setenv("PROD_LOGTO_APP_SECRET", secret + "-wrong")
    run(*deploy, expect=1)
    monkeypatch.setenv("PROD_LOGTO_APP_SECRET", app_secret)

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"forced failure near {secret} and {app_secret}")

    with monkeypatch.context() as m:
        m.setattr("connector.deploy.plan.make_plan", boom)
        result = run.debug(*deploy)
        assert "RuntimeError: forced failure near ******** and ********" in result.stderr

    assert ("PATCH" in {m for m, _ in logto.writes}) and logto.smtp_config["auth"]["pass"] == secret  # type: ignore[index]
    for args, result in run:
        for value in (secret, app_secret, secret + "-wrong", secret + "-drifted"):
            for form in forms(value):
                assert form not in result.stdout + result.stderr, f"{args} printed a secret"
    for path in sorted(p for p in (tmp_path / "pulled").rglob("*") if p.is_file()):
        data = path.read_bytes()
        assert [f for v in (secret, app_secret) for f in forms(v) if f.encode() in data] == [], path
