"""A known secret in the environment never shows in any output, log or written file but the built config.

Every command runs against a project made with `init` (provider sendgrid, whose auth.pass is
``${SMTP_PASS}``), with failures on purpose: a wrong password against a real server, lint findings about
a literal secret, and internal errors forced under ``--debug``. Then every file left in the folder is
read: only the built configs may hold the secret.
"""

from __future__ import annotations

import contextlib
import io
import itertools
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


def test_a_literal_nested_under_a_credential_is_reported_by_its_path_alone(
    cli: CliRunner, tmp_path: Path
) -> None:
    """SC403 looks inside a list or mapping under a credential key (tls.key's `{pem, passphrase}`, the
    token request's customParams); the value is named by its path, in every format, never shown."""
    config = tmp_path / "final.yaml"
    config.write_text("host: smtp.example.com\nport: 465\nauth: {user: u, pass: '${SMTP_PASS}'}\n"
                      "fromEmail: a@example.com\ntls:\n  key:\n    - {pem: NestedPemQz7, passphrase: 99887766}\n"
                      "  pfx: ['${SMTP_TLS_PFX}']\n")  # fmt: skip
    for fmt in FORMATS:
        out = cli("lint", str(config), "--format", fmt, expect=1).stdout
        assert "NestedPemQz7" not in out and "99887766" not in out, out
    text = cli("lint", str(config), expect=1).stdout
    assert f"{config}:7:13: error SC403 `tls.key[0].pem` is a secret written literally in this file" in text
    assert "(hint: write `pem: ${SMTP_TLS_KEY_PEM}` and set SMTP_TLS_KEY_PEM" in text
    assert f"{config}:7:39: error SC403 `tls.key[0].passphrase`" in text
    assert "tls.pfx" not in text  # a reference inside a list is the committed form


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


# Every credential field (tests/test_secret_fields.py derives them from Logto's guard and nodemailer), each
# with the auth form it belongs to. A value there is never printed, by any command, whether the field is
# one we read (lint SC403 names it by its key) or one Logto passes on to nodemailer that we refuse (SC201),
# and whether it is a string or a wrong type (a number: SC202).
_AUTH_FORMS: dict[str, dict[str, Any]] = {
    "login": {"user": "relay", "pass": "pw-not-the-canary"},
    "token": {"type": "oauth2", "user": "mailer@acme.example", "accessToken": "token-not-the-canary"},
    "service": {"user": "mailer@acme.example", "serviceClient": "svc-1", "privateKey": "key-not-the-canary"},
}
_DKIM = {"domainName": "acme.example", "keySelector": "mail", "privateKey": "dkim-not-the-canary"}
SECRET_FIELDS: list[tuple[str, tuple[str | int, ...]]] = [
    ("login", ("auth", "pass")),
    ("token", ("auth", "clientSecret")),
    ("token", ("auth", "refreshToken")),
    ("token", ("auth", "accessToken")),
    ("token", ("auth", "customParams", "client_assertion")),
    ("token", ("auth", "customHeaders", "Authorization")),
    ("service", ("auth", "privateKey")),
    ("service", ("auth", "privateKey", "key")),
    ("service", ("auth", "privateKey", "passphrase")),
    ("login", ("dkim", "privateKey")),
    ("login", ("tls", "key")),
    ("login", ("tls", "key", 0, "pem")),
    ("login", ("tls", "passphrase")),
    ("login", ("tls", "pfx")),
    ("login", ("proxy",)),
    ("login", ("url",)),
]


def _with_value(base: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """``base`` with ``value`` at ``path`` (the containers on the way made as needed)."""
    data = json.loads(json.dumps(base))
    if path == ("auth", "privateKey", "key") or path == ("auth", "privateKey", "passphrase"):
        data["auth"]["privateKey"] = {"key": "key-not-the-canary", "passphrase": "phrase-not-the-canary"}
    here: Any = data
    for step, following in itertools.pairwise(path):
        if isinstance(step, int):
            while len(here) <= step:
                here.append({})
            here = here[step]
        else:
            here = here.setdefault(step, [] if isinstance(following, int) else {})
    here[path[-1]] = value
    return data


def _field_values(path: tuple[str | int, ...]) -> list[tuple[Any, set[str]]]:
    """Each value to write at ``path``, with the texts of it that must not be printed."""
    canary = 'Qx9"fld\\é%Canary-' + "-".join(str(step) for step in path)
    if path in (("proxy",), ("url",)):
        password = "Pr0xyCanary-" + path[0]
        scheme = "http" if path == ("proxy",) else "smtps"
        values = [(f"{scheme}://relay:{password}@127.0.0.1:9", {password})]
        if path == ("url",):  # nodemailer reads `tls.*` query parameters as TLS options
            values.append((f"smtps://127.0.0.1:9?tls.passphrase={password}-q", {password + "-q"}))
        return values
    return [(canary, set(forms(canary))), (987654321, literal_forms("987654321"))]


@pytest.mark.parametrize(
    ("form", "path"), SECRET_FIELDS, ids=[".".join(map(str, p)) for _, p in SECRET_FIELDS]
)
def test_no_command_prints_any_secret_field(
    cli: CliRunner, tmp_path: Path, project: Path, form: str, path: tuple[str | int, ...]
) -> None:
    base = {
        "host": "127.0.0.1",
        "port": 9,  # discard: nothing listens, so send and doctor fail to connect
        "requireTLS": False,
        "auth": _AUTH_FORMS[form],
        "fromEmail": "a@acme.example",
        "templates": [
            {"usageType": kind, "contentType": "text/plain", "subject": "Code", "content": "Code {{code}}"}
            for kind in ("Register", "SignIn", "ForgotPassword", "Generic")
        ],
    }
    if path[0] == "dkim":
        base["dkim"] = _DKIM
    message = ("--type", "Generic", "--to", "a@example.com", "--code", "123456")
    for value, hidden in _field_values(path):
        run = FreshRuns(cli)
        final = tmp_path / "final.json"
        final.write_text(json.dumps(_with_value(base, path, value)))
        layer = _with_value({"auth": {**dict.fromkeys(["pass", "user"]), **_AUTH_FORMS[form]}}, path, value)
        (project / "environments" / "prod.yaml").write_text(json.dumps(layer))
        for fmt in FORMATS:
            run("lint", str(final), "--format", fmt, expect=1)
            run("lint", "--built", str(final), "--format", fmt, expect=None)
            run("lint", str(project), "--format", fmt, expect=1)
        for fmt in ("text", "json", "github"):
            run(
                "doctor",
                str(final),
                "--only",
                "smtp,templates",
                "--format",
                fmt,
                "--timeout",
                "2",
                expect=None,
            )
        run("doctor", str(project), "--env", "prod", "--only", "templates", expect=None)
        run("explain", str(project), "--env", "prod", expect=None)
        run("explain", str(project), "--env", "prod", "--format", "json", expect=None)
        run("explain", str(project), "--env", "prod", ".".join(map(str, path)), expect=None)
        run("build", str(project), "--env", "prod", "-o", str(tmp_path / "out.json"), expect=None)
        run("render", str(final), "--type", "Generic", "--code", "1", expect=None)
        run("send", str(final), *message, "--attempts", "1", expect=None)
        run("send", str(final), *message, "--dry-run", str(tmp_path / "dry"), expect=None)
        run("send", str(project), "--env", "prod", *message, "--attempts", "1", expect=None)
        assert any(" SC" in r.stdout for _, r in run), "no finding at all: the test would prove nothing"
        for args, result in run:
            for text in hidden:
                assert text not in result.stdout + result.stderr, f"{args} printed {text!r}:\n{result}"


def test_credentials_logto_passes_on_are_never_printed_by_deploy_or_pull(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, logto: FakeLogto
) -> None:
    """Logto's OAuth2 forms and its top level let keys they do not declare through to nodemailer, which reads
    credentials there: the token request's customParams and customHeaders, the password of a `url`. Ours
    refuse them, so only Logto can hold them: a plan that removes them, a check, a pull never show them."""
    from .test_deploy import make_project

    secrets = {
        "assertion": "eyJhbGciOiJSUzI1NiJ9.Assertion-Canary.Sig",
        "header": "Bearer Header-Canary-7f",
        "url": "Url-Canary-Password",
    }
    logto.add_connector(
        "simple-mail-transfer-protocol",
        {
            "host": "smtp.example.com",
            "port": 587,
            "url": f"smtps://relay:{secrets['url']}@smtp.example.com:465",
            "auth": {
                "type": "oauth2",
                "user": "mailer@acme.example",
                "accessToken": "live-access-token",
                "customParams": {"client_assertion": secrets["assertion"]},
                "customHeaders": {"Authorization": secrets["header"]},
            },
            "fromEmail": "a@acme.example",
            "templates": [],
        },
    )
    for key, value in {
        "SMTP_PASS": "project-password",
        "TEST_LOGTO_ENDPOINT": logto.url,
        "PROD_LOGTO_APP_ID": logto.app_id,
        "PROD_LOGTO_APP_SECRET": logto.app_secret,
        "LOGTO_ENDPOINT": logto.url,
        "LOGTO_M2M_APP_ID": logto.app_id,
        "LOGTO_M2M_APP_SECRET": logto.app_secret,
    }.items():
        monkeypatch.setenv(key, value)
    project = make_project(tmp_path / "mail")
    run = FreshRuns(cli)
    deploy = ("deploy", str(project), "--env", "prod")
    dry = run(*deploy, "--dry-run", expect=0)
    assert "auth.customParams.client_assertion" in dry.stdout and "- url" in dry.stdout, dry
    run(*deploy, "--check", expect=1)
    pulled = tmp_path / "pulled"
    run("pull", str(pulled), expect=None)  # refused: our build refuses these keys (SC201)
    for args, result in run:
        for value in secrets.values():
            for form in forms(value):
                assert form not in result.stdout + result.stderr, f"{args} printed {form!r}:\n{result}"
    for path in sorted(p for p in pulled.rglob("*") if p.is_file()):
        text = path.read_text()
        assert [v for v in secrets.values() if v in text] == [], f"{path}:\n{text}"
