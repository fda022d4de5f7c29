"""${VAR} references: the forms, the errors, and that resolved values show up nowhere but the built file."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.build.outputs import build_config
from connector.diagnostics.findings import Location
from connector.diagnostics.redact import REDACTED, redact
from connector.errors import InputError
from connector.project.layout import compose, load_project
from connector.source.variables import Reference, check, parse, references, resolve

from .conftest import CliRunner
from .projects import write_project

HERE = Location("f.yaml", 3, 9)
SECRET = "hunter2-very-secret"


@pytest.mark.parametrize(
    ("text", "environ", "expected"),
    [
        ("${A}", {"A": "x1"}, "x1"),
        ("pre ${A} post", {"A": "x1"}, "pre x1 post"),
        ("${A}${B}", {"A": "1", "B": "2"}, "12"),
        ("${A:-fallback}", {}, "fallback"),
        ("${A:-fallback}", {"A": ""}, "fallback"),
        ("${A:-fallback}", {"A": "set"}, "set"),
        ("${A:-}", {}, ""),
        ("${A:?needed}", {"A": "v"}, "v"),
        ("${A}", {"A": ""}, ""),
        ("$${A}", {}, "${A}"),
        ("cost: $5 and $x", {}, "cost: $5 and $x"),
    ],
)
def test_reference_forms(text: str, environ: dict[str, str], expected: str) -> None:
    assert resolve(text, environ, HERE, "auth.pass") == (expected, [])


def test_an_unset_variable_names_itself_and_the_key() -> None:
    _, findings = resolve("${SMTP_PASS}", {}, HERE, "auth.pass")
    assert [f.format() for f in findings] == [
        "f.yaml:3:9: error SC502 environment variable SMTP_PASS is not set (auth.pass asks for it) (hint: set "
        "SMTP_PASS in the environment that runs the build, or give a default: ${SMTP_PASS:-...})"
    ]


@pytest.mark.parametrize(("environ", "state"), [({}, "not set"), ({"SMTP_PASS": ""}, "empty")])
def test_the_message_of_a_required_variable(environ: dict[str, str], state: str) -> None:
    _, findings = resolve("${SMTP_PASS:?the SendGrid API key}", environ, HERE, "auth.pass")
    assert [f.format() for f in findings] == [
        f"f.yaml:3:9: error SC502 environment variable SMTP_PASS is {state}: the SendGrid API key "
        "(hint: set SMTP_PASS in the environment that runs the build)"
    ]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("${SMTP_PASS", "${SMTP_PASS"), ("${1A}", "${1A}"), ("${A B}", "${A B}"), ("${A:-${B}}", "${A:-${B}")],
)
def test_malformed_references(text: str, fragment: str) -> None:
    expected = [
        f"f.yaml:3:9: error SC503 `{fragment}` in auth.pass is not a valid variable reference (hint: write "
        "${NAME}, ${NAME:-default} or ${NAME:?message}; write $${ for a literal ${)"
    ]
    assert [f.format() for f in check(text, HERE, "auth.pass")] == expected
    assert [f.format() for f in resolve(text, {"A": "a", "B": "b"}, HERE, "auth.pass")[1]] == expected


def test_parse_and_references() -> None:
    parts, problem = parse("a ${X:-d} $${ b")
    assert problem is None
    assert parts == ["a ", Reference("X", ":-", "d", "${X:-d}"), " ${ b"]
    assert parse("${A") == ([], "${A")
    assert [r.name for r in references("${A}${B:?m}")] == ["A", "B"]


def test_resolved_values_are_registered_as_secrets() -> None:
    resolve("${TOKEN}", {"TOKEN": SECRET}, HERE, "auth.pass")
    assert redact(f"leaked {SECRET}") == f"leaked {REDACTED}"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(tmp_path, {"environments/prod.yaml": "auth:\n  pass: ${SMTP_PASS:?the API key}\n"})


def test_a_missing_variable_in_a_build_names_the_file_and_line(project: Path) -> None:
    with pytest.raises(InputError) as e:
        build_config(project, "prod", environ={})
    assert [f.format() for f in e.value.findings] == [
        f"{project}/environments/prod.yaml:2:9: error SC502 environment variable SMTP_PASS is not set: the API key "
        "(hint: set SMTP_PASS in the environment that runs the build)"
    ]


def test_lint_mode_keeps_references_and_needs_no_secret(project: Path) -> None:
    composed = compose(load_project(project), "prod", resolve=False, environ={})
    assert composed.data["auth"]["pass"] == "${SMTP_PASS:?the API key}"
    assert not composed.resolved


def test_variables_are_resolved_in_build_time_variables_too(tmp_path: Path) -> None:
    write_project(tmp_path, {"environments/prod.yaml": "variables:\n  brand: ${BRAND:-Acme}\n  n: 1\n"})
    composed = compose(load_project(tmp_path), "prod", environ={"SMTP_PASS": "k-1234"})
    assert composed.variables == {"brand": "Acme", "n": 1}
    assert composed.locate(("variables", "brand")).line == 2


def test_the_secret_is_in_the_built_file_only(cli: CliRunner, project: Path, tmp_path: Path) -> None:
    out = tmp_path / "prod.json"
    result = cli("build", str(project), "--env", "prod", "-o", str(out), env={"SMTP_PASS": SECRET})
    assert SECRET in out.read_text()
    assert SECRET not in result.stdout + result.stderr
    explained = cli("explain", str(project), "--env", "prod", env={"SMTP_PASS": SECRET})
    assert SECRET not in explained.stdout + explained.stderr
    assert 'auth.pass = "${SMTP_PASS:?the API key}"' in explained.stdout


def test_a_failing_build_does_not_print_the_secrets_it_resolved(cli: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path, {"environments/prod.yaml": "name: ${SMTP_PASS}\nreplyTo: ${REPLY_TO}\n"})
    result = cli("build", str(tmp_path), "--env", "prod", expect=1, env={"SMTP_PASS": SECRET})
    assert SECRET not in result.stdout + result.stderr
    assert "environment variable REPLY_TO is not set (replyTo asks for it)" in result.stderr


def test_a_literal_secret_is_masked_by_explain(cli: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path, {"environments/prod.yaml": "auth:\n  pass: plain-text-password\n"})
    result = cli("explain", str(tmp_path), "--env", "prod", "auth.pass")
    assert result.stdout == (
        f'auth.pass = "{REDACTED}"\n'
        f"  set at {tmp_path}/environments/prod.yaml:2:9 (environment prod)\n"
        # A value too long for the line is shown by its size, as deploy's plan shows it (describe.one_line).
        "  overrides (62 characters) at provider sendgrid (providers/sendgrid.yaml:14)\n"
    )
