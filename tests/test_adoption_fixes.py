"""Issue #22, items 7 and 8 (the parts about templates, deploy, rules and the runtime's defaults): each as
a new user meets it."""

from __future__ import annotations

import json
from pathlib import Path

from connector.lint import lint_paths
from connector.logto import RUNTIME_ROOTS

from .conftest import CliRunner
from .projects import PROJECT, write_project


def _init(cli: CliRunner, tmp_path: Path, *flags: str) -> Path:
    (tmp_path / ".git").mkdir()
    cli("init", str(tmp_path / "email"), "--provider", "sendgrid", *flags, cwd=tmp_path)
    project = tmp_path / "email"
    text = (project / "smtp-connector.yaml").read_text()
    (project / "smtp-connector.yaml").write_text(
        text.replace("<no-reply@your-verified-domain.com>", "no-reply@acme.example")
    )
    return project


def test_init_html_scaffolds_a_layout_with_variables_that_lints_and_builds(
    cli: CliRunner, tmp_path: Path
) -> None:
    project = _init(cli, tmp_path, "--html")
    layout = (project / "templates" / "layout.html.j2").read_text()
    assert "{% block body %}" in layout and "{{ brand }}" in layout and "{{ colors.primary }}" in layout
    assert (
        (project / "templates" / "sign-in.html.j2")
        .read_text()
        .startswith('{% extends "templates/layout.html.j2" %}')
    )
    assert not [f for f in lint_paths([str(project)]).findings if not f.suppressed]
    built = json.loads(cli("build", str(project), "--env", "dev").stdout)
    sign_in = next(t for t in built["templates"] if t["usageType"] == "SignIn")
    assert sign_in["subject"] == "Example: Your sign-in code" and sign_in["contentType"] == "text/html"
    assert "<strong>{{code}}</strong>" in sign_in["content"] and "Example" in sign_in["content"]
    dev = project / "environments" / "dev.yaml"
    dev.write_text(dev.read_text() + "variables: {brand: Acme (dev)}\n")
    built = json.loads(cli("build", str(project), "--env", "dev").stdout)
    assert built["templates"][0]["subject"] == "Acme (dev): Your sign-in code"


def test_the_generated_comment_names_every_placeholder_logto_fills(cli: CliRunner, tmp_path: Path) -> None:
    text = (_init(cli, tmp_path) / "smtp-connector.yaml").read_text()
    comment = " ".join(line for line in text.splitlines() if line.startswith("#"))
    assert "nothing else in the text is changed" not in comment
    for root in RUNTIME_ROOTS:
        assert root in comment, root


def test_sc106_says_a_build_variable_needs_jinja(tmp_path: Path) -> None:
    text = PROJECT.replace("subject: Reset\n", "subject: Reset your {{ brand }} password\n")
    project = write_project(tmp_path, {"smtp-connector.yaml": text + "variables: {brand: Acme}\n"})
    [finding] = [f for f in lint_paths([str(project)]).findings if f.rule == "SC106"]
    assert "`brand` is a build variable" in finding.message
    assert finding.hint.startswith('write `subject: {jinja: "Reset your {{ brand }} password"}`')
    line = text.splitlines()[finding.line - 1]
    assert line[finding.column - 1 :].startswith("{{ brand }}")


def test_sc303_under_a_providers_secure_false_says_secure_null(tmp_path: Path) -> None:
    project = write_project(
        tmp_path,
        {"smtp-connector.yaml": PROJECT.replace("provider: sendgrid\n", "provider: sendgrid\nport: 465\n")},
    )
    [finding] = [f for f in lint_paths([str(project)]).findings if f.rule == "SC303"]
    assert "`secure: null`" in finding.hint and "remove `secure: false`" not in finding.hint
    # Where the user wrote secure: false themselves, removing it is the fix.
    own = write_project(
        tmp_path / "own",
        {
            "smtp-connector.yaml": PROJECT.replace(
                "provider: sendgrid\n", "provider: sendgrid\nport: 465\nsecure: false\n"
            )
        },
    )
    [finding] = [f for f in lint_paths([str(own)]).findings if f.rule == "SC303"]
    assert finding.hint.startswith("remove `secure: false`")


def test_sc502_offers_no_default_for_a_secret(tmp_path: Path, cli: CliRunner) -> None:
    project = write_project(
        tmp_path,
        {
            "environments/prod.yaml": "auth: {user: apikey, pass: '${SC502_TEST_PASS}'}\nreplyTo: '${SC502_TEST_REPLY}'\n",
        },
    )
    result = cli("build", str(project), "--env", "prod", expect=1)
    lines = result.stderr.splitlines()
    secret = next(line for line in lines if "SC502_TEST_PASS is not set" in line)
    plain = next(line for line in lines if "SC502_TEST_REPLY is not set" in line)
    assert ":-" not in secret and "${SC502_TEST_REPLY:-...}" in plain


def test_deploy_dry_run_asks_for_logto_first_with_sc704(cli: CliRunner, tmp_path: Path) -> None:
    project = _init(cli, tmp_path)
    result = cli("deploy", str(project), "--env", "prod", "--dry-run", env={"SMTP_PASS": ""}, expect=1)
    assert "SMTP_PASS" not in result.stderr
    assert f"{project / 'environments' / 'prod.yaml'}:1:1: error SC704 no Logto" in result.stderr


def test_rules_shows_the_whole_rule_with_an_example_and_takes_names(cli: CliRunner) -> None:
    by_id = cli("rules", "SC303").stdout
    assert by_id == cli("rules", "port-secure-mismatch").stdout
    assert "example (sc303-465-secure-false.yaml):" in by_id
    assert "      3 | secure: false\n" in by_id and "  3:9: error SC303 port 465 expects TLS" in by_id
    [item] = json.loads(cli("rules", "SC303", "--format", "json").stdout)
    assert item["example"]["finding"].startswith("3:9: error SC303")
    assert "did you mean port-secure-mismatch?" in cli("rules", "port-secure", expect=2).stderr
    # A rule with no example file still shows its text.
    assert cli("rules", "SC704").stdout.startswith("SC704  error    logto-target-missing")


def test_a_key_or_type_error_hides_no_other_finding(tmp_path: Path) -> None:
    text = PROJECT.replace("provider: sendgrid\n", "provider: sendgrid\nrequireTls: true\nport: yes\n")
    text = text.replace(
        'subject: Reset\n    content: "Your code: {{code}}"',
        'subject: Reset\n    content: "Your code: {{cod}}"',
    )
    project = write_project(tmp_path, {"smtp-connector.yaml": text})
    rules = {f.rule for f in lint_paths([str(project)]).findings}
    assert {"SC201", "SC008", "SC104", "SC106"} <= rules
