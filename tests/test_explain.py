"""explain: each final value with the file:line:column of the layer that set it, never a secret value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import ROOT, CliRunner
from .projects import write_project

ACME = "examples/acme"


def test_values_from_every_layer(cli: CliRunner) -> None:
    out = cli("explain", ACME, "--env", "staging", "--set", "port=2525", cwd=ROOT).stdout
    blocks = out.split("\n")
    assert blocks[:2] == [
        'provider = "sendgrid"',
        "  set at examples/acme/smtp-connector.yaml:8:11 (project)",
    ]
    assert (
        'host = "smtp.sendgrid.net"\n  set at provider sendgrid (providers/sendgrid.yaml:5)\n' in out
    )  # provider
    assert (
        'fromEmail = "\\"Acme (staging)\\" <no-reply@staging.acme.example>"\n'
        "  set at examples/acme/environments/staging.yaml:3:12 (environment staging)\n"
        '  overrides "Acme <no-reply@acme.example>" at examples/acme/smtp-connector.yaml:10:12 (project)\n'
        '  overrides "<no-reply@your-verified-domain.com>" at provider sendgrid (providers/sendgrid.yaml:16)\n'
    ) in out
    assert (
        "port = 2525\n"
        "  set at --set:1:6 (--set)\n"
        "  overrides 587 at provider sendgrid (providers/sendgrid.yaml:7)\n"
    ) in out
    assert "connectionTimeout = 10000\n  set at examples/acme/smtp-connector.yaml:13:20 (project)\n" in out


def test_one_key_and_its_children(cli: CliRunner) -> None:
    out = cli("explain", ACME, "--env", "staging", "templates.SignIn.subject", cwd=ROOT).stdout
    assert out == (
        'templates[SignIn].subject = {jinja: "[staging] Your {{ brand }} sign-in code"}\n'
        "  set at examples/acme/environments/staging.yaml:10:14 (environment staging)\n"
        '  overrides {jinja: "Your {{ brand }} sign-in code"} at examples/acme/smtp-connector.yaml:34:14 (project)\n'
    )
    auth = cli("explain", ACME, "auth", "--env", "prod", cwd=ROOT).stdout
    assert auth.splitlines()[::2] == [
        'auth.user = "apikey"',
        "auth.pass = (62 characters)",
    ]
    assert cli("explain", ACME, "templates[Generic]", "--env", "dev", cwd=ROOT).stdout.startswith(
        'templates[Generic].usageType = "Generic"\n'
    )


def test_a_removed_key(cli: CliRunner) -> None:
    out = cli("explain", ACME, "--env", "dev", "replyTo", cwd=ROOT).stdout
    assert out == (
        "replyTo (removed)\n"
        "  removed at examples/acme/environments/dev.yaml:7:10 (environment dev)\n"
        '  overrides "Acme Support <support@acme.example>" at examples/acme/smtp-connector.yaml:11:10 (project)\n'
    )


def test_an_unknown_key_suggests_one(cli: CliRunner) -> None:
    result = cli("explain", ACME, "--env", "prod", "hots", cwd=ROOT, expect=1)
    assert (
        result.stderr
        == "smtp-connector: error: no key `hots` in the config of environment prod; did you mean `host`?\n"
    )


def test_without_env_it_explains_the_base(cli: CliRunner) -> None:
    out = cli("explain", ACME, "replyTo", cwd=ROOT).stdout
    assert out.startswith('replyTo = "Acme Support <support@acme.example>"\n')


def test_a_key_alone_means_the_project_here(cli: CliRunner) -> None:
    out = cli("explain", "port", "--env", "dev", cwd=ROOT / ACME).stdout
    # Shipped files outside the current folder are shown by their full path.
    assert out == "port = 2525\n  set at provider dev-sink (providers/dev-sink.yaml:6)\n"


NOT_A_PROJECT = "{name}:1:1: error SC507 {name} is not an smtp-connector project: it {what} (hint: "


@pytest.mark.parametrize("given", ["nonexist", "nonexist/", "email/prod", "email.yaml", "Email.JSON"])
def test_a_mistyped_project_is_named_as_given(cli: CliRunner, tmp_path: Path, given: str) -> None:
    # Outside a project any lone name that no key starts with is the project; written as a path, it is one
    # in a project too (which would otherwise read it as a KEY).
    write_project(tmp_path / "email", {"environments/prod.yaml": ""})
    for cwd in (tmp_path, tmp_path / "email") if given != "nonexist" else (tmp_path,):
        result = cli("explain", "--env", "prod", given, cwd=cwd, expect=1)
        assert result.stdout == ""
        name = given.rstrip("/")
        assert result.stderr.startswith(NOT_A_PROJECT.format(name=name, what="does not exist")), result.stderr


def test_a_lone_key_is_a_key_of_the_project_here(cli: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path, {"environments/prod.yaml": ""})
    out = cli("explain", "--env", "prod", "auth.user", cwd=tmp_path).stdout
    assert out == 'auth.user = "apikey"\n  set at provider sendgrid (providers/sendgrid.yaml:12)\n'
    assert cli("explain", "templates[SignIn].subject", cwd=tmp_path).stdout.startswith(
        'templates[SignIn].subject = "Sign in"\n'
    )
    # In a project, a lone name that is no path is a KEY, even one no config has.
    result = cli("explain", "--env", "prod", "nonexist", cwd=tmp_path, expect=1)
    assert result.stderr == "smtp-connector: error: no key `nonexist` in the config of environment prod\n"
    # Outside one, a key the config could have: the current folder is the project that lacks it.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for key in ("auth.user", "templates[SignIn]", "provider"):
        result = cli("explain", key, cwd=elsewhere, expect=1)
        assert result.stderr.startswith(NOT_A_PROJECT.format(name=".", what="has no smtp-connector.yaml"))


SECRETS_FILE = """\
auth:
  pass: ${SMTP_PASS:-default-secret-value}
dkim:
  domainName: a.example
  keySelector: s1
  privateKey: '-----BEGIN PRIVATE KEY-----abc'
"""


def test_never_a_secret_value(cli: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path, {"environments/prod.yaml": SECRETS_FILE})
    result = cli("explain", str(tmp_path), "--env", "prod", env={"SMTP_PASS": "resolved-secret-value"})
    text = result.stdout + result.stderr
    for secret in ("resolved-secret-value", "default-secret-value", "BEGIN PRIVATE KEY"):
        assert secret not in text
    assert 'auth.pass = "${SMTP_PASS:-********}"' in result.stdout
    assert 'dkim.privateKey = "********"' in result.stdout


def test_empty_values_are_marked(cli: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path, {"environments/prod.yaml": "tls: {}\n"})
    out = cli("explain", str(tmp_path), "--env", "prod", "tls").stdout
    assert out.splitlines()[0] == "tls = {}  (empty: the build leaves it out, as Logto's save does)"


def test_json_output(cli: CliRunner) -> None:
    items = json.loads(cli("explain", ACME, "--env", "prod", "port", "--format", "json", cwd=ROOT).stdout)
    assert items == [
        {
            "key": "port",
            "value": 587,
            "file": "providers/sendgrid.yaml",
            "line": 7,
            "column": 7,
            "layer": "provider:sendgrid",
            "overrode": [],
        }
    ]


def test_variables_language_and_locales_have_their_provenance(cli: CliRunner) -> None:
    out = cli("explain", ACME, "--env", "dev", "variables.product_url", cwd=ROOT).stdout
    assert out == (
        'variables.product_url = "http://localhost:3000"\n'
        "  set at examples/acme/environments/dev.yaml:10:16 (environment dev)\n"
        '  overrides "https://acme.example" at examples/acme/smtp-connector.yaml:19:16 (project)\n'
    )
    assert cli("explain", ACME, "--env", "dev", "language", cwd=ROOT).stdout == (
        'language = "en"\n  set at examples/acme/smtp-connector.yaml:26:11 (project)\n'
    )
    out = cli("explain", ACME, "--env", "prod", "templates.SignIn.locales.fr", cwd=ROOT).stdout
    assert out == (
        'templates[SignIn].locales.fr.subject = {jinja: "Votre code de connexion {{ brand }}"}\n'
        "  set at examples/acme/smtp-connector.yaml:38:18 (project)\n"
        'templates[SignIn].locales.fr.content = {file: "templates/fr/sign-in.html.j2"}\n'
        "  set at examples/acme/smtp-connector.yaml:39:18 (project)\n"
    )


def test_the_usage_type_a_template_merges_on_stays_where_the_template_began(tmp_path: Path) -> None:
    """Repeating a template's usageType in a higher layer names the template; it sets nothing."""
    from connector.project.layout import compose, load_project

    write_project(
        tmp_path,
        {
            "environments/qa.yaml": "templates:\n  - usageType: Register\n    subject: Welcome aboard\n",
        },
    )
    composed = compose(load_project(tmp_path), "qa", resolve=False, environ={})
    kind = composed.origin(("templates", 1, "usageType"))
    assert (kind.location.file, kind.location.line, kind.layer_name, kind.overrode) == (
        str(tmp_path / "smtp-connector.yaml"), 8, "project", ()
    )  # fmt: skip
    subject = composed.origin(("templates", 1, "subject"))
    assert (subject.location.line, subject.layer_name) == (3, "environment:qa")
    assert [o.location.line for o in subject.overrode] == [10]


def test_json_output_is_printable_and_reads_back_the_same(cli: CliRunner, tmp_path: Path) -> None:
    """A value holding a bidi control, a C1 control or `##[` (which a CI runner acts on) is escaped."""
    from .projects import write_project

    subject = "Sign in \u202e##[group]x\x85"
    root = write_project(
        tmp_path / "p", {"environments/prod.yaml": f"variables: {{s: {json.dumps(subject)}}}\n"}
    )
    out = cli("explain", str(root), "--env", "prod", "variables.s", "--format", "json").stdout
    assert "\u202e" not in out and "##[" not in out and "\x85" not in out
    assert json.loads(out)[0]["value"] == subject
