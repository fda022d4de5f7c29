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
    "hun%ter2-Canary",  # a percent sign: GitHub annotations escape it as %25
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
    from connector.cli.main import print_error
    from connector.diagnostics.redact import register_secret

    secret = 'Odd"Canary\\é-7x'
    register_secret(secret)

    stream = io.StringIO()
    print_error(InputError(f"value {secret!r} in {json.dumps(secret)} and {secret}"), stream)
    assert stream.getvalue() == "smtp-connector: error: value '********' in \"********\" and ********\n"


# Secrets written literally at a secret path, in the forms that make some rule quote them: YAML 1.1
# numbers (SC008 quotes the text, and its hint the decimal), a plain number (SC202 "got a number"), and
# a percent sign (GitHub annotations escape it). Each is hidden whatever rule fires, in every format.
LITERALS = ["0987654321", "1_234_567_890", "0x1F2E3D4C", "12345678", "0o17777777", "hun%ter2x"]


def literal_forms(literal: str) -> set[str]:
    """The literal and what a message could make of it: without separators or leading zeros, in decimal."""
    found = {literal, literal.replace("_", ""), literal.replace("_", "").lstrip("0"), quote_percent(literal)}
    with contextlib.suppress(ValueError):
        found.add(str(int(literal.replace("_", ""), 0)))
    with contextlib.suppress(ValueError):
        found.add(str(int(literal.replace("_", ""), 10)))
    return {form for form in found if len(form) >= 4}


def quote_percent(text: str) -> str:
    return text.replace("%", "%25")


class FreshRuns(Runs):
    """Each command as in its own process: nothing registered by an earlier one hides what a later one shows."""

    def __call__(self, *args: str, expect: int | None) -> CliResult:
        from connector.diagnostics.redact import forget_secrets

        forget_secrets()
        return super().__call__(*args, expect=expect)


@pytest.mark.parametrize("literal", LITERALS)
def test_a_literal_secret_is_never_quoted(
    cli: CliRunner, tmp_path: Path, project: Path, literal: str
) -> None:
    run = FreshRuns(cli)
    final = tmp_path / "final.yaml"
    final.write_text(f"host: smtp.example.com\nport: 587\nauth:\n  user: u\n  pass: {literal}\n"
                     "fromEmail: a@example.com\ntemplates:\n  - usageType: Generic\n    contentType: text/plain\n"
                     "    subject: Code\n    content: 'Code {{code}}'\n")  # fmt: skip
    env = project / "environments" / "prod.yaml"
    env.write_text(f"auth:\n  pass: {literal}\n")
    message = ("--type", "Generic", "--to", "a@example.com", "--code", "123456")
    for fmt in FORMATS:
        run("lint", str(final), "--format", fmt, expect=1)
        run("lint", str(project), "--format", fmt, expect=1)
    run("explain", str(project), "--env", "prod", expect=None)
    run("explain", str(project), "--env", "prod", "auth.pass", expect=None)
    run("explain", str(project), "--env", "prod", "--format", "json", expect=None)
    run("build", str(project), "--env", "prod", "-o", str(tmp_path / "out.json"), expect=None)
    run("render", str(final), "--type", "Generic", "--code", "1", expect=1)
    run("send", str(final), *message, "--dry-run", str(tmp_path / "dry"), expect=1)
    env.write_text("{}\n")
    sets = ("--set", f"auth.pass={literal}")
    run("build", str(project), "--env", "prod", *sets, "-o", str(tmp_path / "out.json"), expect=None)
    run("build", str(project), "--env", "prod", "--set", f"auth.pass='{literal}", expect=None)  # unclosed
    run("render", str(project), "--env", "prod", *sets, *message[:2], "--code", "1", expect=None)
    run(
        "send",
        str(project),
        "--env",
        "prod",
        *sets,
        *message,
        "--dry-run",
        str(tmp_path / "dry"),
        expect=None,
    )
    for args, result in run:
        for form in literal_forms(literal):
            assert form not in result.stdout + result.stderr, f"{args} printed {form!r}:\n{result}"


def test_a_literal_default_in_a_reference_is_a_literal_secret(cli: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "final.yaml"
    config.write_text("host: smtp.example.com\nport: 587\nauth:\n  user: u\n  pass: ${SMTP_PASS:-RealLiteralPw99}\n"
                      "fromEmail: a@example.com\n")  # fmt: skip
    for fmt in FORMATS:
        out = cli("lint", str(config), "--format", fmt, expect=1).stdout
        assert "SC403" in out and "RealLiteralPw99" not in out
    text = cli("lint", str(config), expect=1).stdout
    assert f"{config}:5:9: error SC403 `auth.pass` has a secret written literally as the default" in text


@pytest.mark.parametrize(
    ("value", "secret"),
    [
        ("${SMTP_PASS}", False),
        ("${SMTP_PASS:-}", False),
        ("${SMTP_PASS:?set it}", False),
        ("${SMTP_PASS:-Pw1234}", True),
        ("pre${SMTP_PASS}", False),  # text around a reference: hidden in output, not reported
        ("<your-api-key>", False),  # an example value to fill in (SC401 names it)
    ],
)
def test_what_of_a_secret_is_literal(cli: CliRunner, tmp_path: Path, value: str, secret: bool) -> None:
    config = tmp_path / "final.yaml"
    config.write_text(f"host: smtp.example.com\nport: 587\nauth:\n  user: u\n  pass: '{value}'\n"
                      "fromEmail: a@example.com\n")  # fmt: skip
    out = cli("lint", str(config), expect=None).stdout
    assert (" SC403 " in out) is secret, out


def test_github_annotations_redact_before_escaping() -> None:
    from connector.diagnostics.findings import Finding
    from connector.diagnostics.redact import register_secret
    from connector.diagnostics.reporters import write_github

    register_secret("hun%ter2")
    stream = io.StringIO()
    write_github([Finding("c.json", 1, 1, "SC202", "error", "got hun%ter2", "not hun%ter2\nreally")], stream)
    assert "hun" not in stream.getvalue()
    assert stream.getvalue().endswith("::got ********%0Ahint: not ********%0Areally\n")


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
