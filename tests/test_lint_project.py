"""Linting config projects: every layer, and each environment as composed and rendered, at the line that set
a value; the pre-commit hook's changed files relint the environments they affect."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from connector.errors import UsageError
from connector.lint import lint_paths
from connector.lint.project import affected_environments, changed_templates

from .conftest import ROOT, CliRunner
from .projects import write_project

BASE = """host: smtp.example.com
port: 587
auth:
  user: mailer@example.com
  pass: ${SMTP_PASS}
fromEmail: noreply@example.com
templates:
  - {usageType: SignIn, contentType: text/plain, subject: Code, content: "{{code}}"}
  - {usageType: Register, contentType: text/plain, subject: Code, content: "{{code}}"}
  - {usageType: ForgotPassword, contentType: text/plain, subject: Code, content: "{{code}}"}
  - {usageType: Generic, contentType: text/plain, subject: Code, content: "{{code}}"}
"""
# dev has a warning of its own, prod an error and a template file (with an include): what a lint
# reports shows which environments it linted.
DEV = "host: 127.0.0.1\nport: 2525\nconnectionTimeout: 30\n"
PROD = """port: 465
secure: false
variables: {brand: Acme}
templates:
  - usageType: SignIn
    contentType: text/html
    content: {file: templates/sign-in.html.j2}
"""
DEV_FINDING = ("dev.yaml", "SC307", 3, 20)
PROD_FINDING = ("prod.yaml", "SC303", 2, 9)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "email"
    (root / "environments").mkdir(parents=True)
    (root / "templates").mkdir()
    (root / "smtp-connector.yaml").write_text(BASE)
    (root / "environments" / "dev.yaml").write_text(DEV)
    (root / "environments" / "prod.yaml").write_text(PROD)
    (root / "templates" / "sign-in.html.j2").write_text(
        '<p>{{ brand }}: {{ code }}</p>\n{% include "templates/footer.html.j2" %}\n'
    )
    (root / "templates" / "footer.html.j2").write_text("<p>Bye</p>\n")
    (root / "templates" / "unused.html.j2").write_text("<p>{{ nothing }}</p>\n")
    return root


def _found(paths: list[Path], env: str | None = None) -> list[tuple[str, str, int, int]]:
    result = lint_paths([str(p) for p in paths], env=env)
    return [(Path(f.file).name, f.rule, f.line, f.column) for f in result.findings if not f.suppressed]


def test_a_project_folder_lints_every_environment_at_the_layer_that_set_the_value(project: Path) -> None:
    assert _found([project]) == [DEV_FINDING, PROD_FINDING]


def test_env_limits_the_lint_to_one_environment(project: Path) -> None:
    assert _found([project], env="dev") == [DEV_FINDING]
    with pytest.raises(
        UsageError, match=r"no environment `prd` in .* \(it has dev, prod\); did you mean `prod`"
    ):
        lint_paths([str(project)], env="prd")


def test_a_changed_environment_file_relints_that_environment(project: Path) -> None:
    assert _found([project / "environments" / "dev.yaml"]) == [DEV_FINDING]
    assert _found([project / "environments" / "prod.yaml"]) == [PROD_FINDING]


def test_a_changed_project_file_relints_every_environment(project: Path) -> None:
    assert _found([project / "smtp-connector.yaml"]) == [DEV_FINDING, PROD_FINDING]


@pytest.mark.parametrize("changed", ["templates/sign-in.html.j2", "templates/footer.html.j2"])
def test_a_changed_template_relints_the_environments_that_render_it(project: Path, changed: str) -> None:
    assert _found([project / changed]) == [PROD_FINDING]


def test_a_template_no_environment_renders_relints_nothing(project: Path) -> None:
    assert _found([project / "templates" / "unused.html.j2"]) == []


def test_a_template_file_without_the_code_is_reported_at_the_file_reference(project: Path) -> None:
    (project / "templates" / "sign-in.html.j2").write_text("<p>Hello from {{ brand }}</p>\n")
    result = lint_paths([str(project / "templates" / "sign-in.html.j2")])
    found = [f for f in result.findings if f.rule == "SC104"]
    assert [(Path(f.file).name, f.line, f.column, f.message) for f in found] == [
        ("prod.yaml", 7, 21, 'template "SignIn" has no {{code}} placeholder')
    ]


def test_a_placeholder_problem_in_a_template_file_is_reported_in_that_file(project: Path) -> None:
    # (An unknown name such as {{ cod }} is a build variable there: SC602, with "did you mean {{ code }}?")
    (project / "templates" / "footer.html.j2").write_text("<p>Bye</p>\n<p>Join: {{link}}</p>\n")
    result = lint_paths([str(project / "templates" / "footer.html.j2")])
    assert [(Path(f.file).name, f.rule, f.line, f.column) for f in result.findings] == [
        PROD_FINDING,
        ("footer.html.j2", "SC108", 2, 10),
    ]


def test_an_error_in_a_template_file_is_reported_at_its_line_and_column(project: Path) -> None:
    (project / "templates" / "footer.html.j2").write_text("<p>Bye</p>\n<p>{{ brnd }}</p>\n")
    result = lint_paths([str(project)])
    assert [(Path(f.file).name, f.rule, f.line, f.column) for f in result.findings] == [
        DEV_FINDING,
        PROD_FINDING,
        ("footer.html.j2", "SC602", 2, 7),
    ]
    # Nothing else about the field that did not render (no SC104 for its missing text).
    assert not any(f.rule.startswith("SC1") for f in result.findings)


def test_language_variants_are_linted_with_their_language(project: Path) -> None:
    (project / "environments" / "prod.yaml").write_text(
        PROD + "    locales:\n      fr:\n        subject: Code\n        content: Bonjour {{cod}}\n"
    )
    result = lint_paths([str(project / "environments" / "prod.yaml")])
    # SC614 (the usage types a fr user gets in English) is tests/test_locales_runtime.py's.
    assert [(f.rule, f.line, f.message) for f in result.findings if f.rule not in ("SC303", "SC614")] == [
        ("SC104", 11, 'template "SignIn" (fr) has no {{code}} placeholder'),
        (
            "SC106",
            11,
            'template "SignIn" (fr) content: `{{cod}}` is not a placeholder Logto fills; did you mean `{{code}}`?',
        ),
    ]


def test_a_variant_in_the_default_language_is_refused(project: Path) -> None:
    (project / "environments" / "prod.yaml").write_text(
        PROD
        + "    locales:\n      en:\n        subject: Code\n        content: '{{code}}'\n      fr_FR: {}\n"
    )
    result = lint_paths([str(project)])
    assert [(f.rule, f.line, f.column, f.message) for f in result.findings if f.rule.startswith("SC6")] == [
        (
            "SC612",
            9,
            7,
            "a `en` variant, but `en` is the project's language: in Logto's email-template store it would "
            "take precedence over the connector's templates",
        ),
        ("SC610", 12, 7, "`fr_FR` is not a language tag"),
    ]


def test_a_problem_in_the_base_is_reported_once(project: Path) -> None:
    base = project / "smtp-connector.yaml"
    base.write_text(
        BASE.replace("${SMTP_PASS}", "literal-password").replace('content: "{{code}}"}', 'content: "Hi"}', 1)
    )
    (project / "environments" / "prod.yaml").write_text("port: 587\n")
    found = _found([project])
    assert found == [
        DEV_FINDING,
        ("smtp-connector.yaml", "SC403", 5, 9),
        ("smtp-connector.yaml", "SC104", 8, 65),
    ]


def test_a_built_file_inside_the_project_is_linted_on_its_own(project: Path) -> None:
    built = project / "build" / "prod.json"
    built.parent.mkdir()
    built.write_text(
        '{"host": "smtp.example.com", "port": 465, "secure": false, "fromEmail": "a@example.com"}'
    )
    found = _found([built])
    assert ("prod.json", "SC303", 1, 53) in found
    assert DEV_FINDING not in found


def test_a_project_that_does_not_load_is_reported(project: Path) -> None:
    (project / "smtp-connector.yaml").write_text("host: [unclosed\n")
    result = lint_paths([str(project)])
    assert result.failed and any(f.rule == "SC004" for f in result.findings)


def test_the_acme_example_is_clean() -> None:
    result = lint_paths([str(ROOT / "examples" / "acme")])
    assert [f for f in result.findings if not f.suppressed] == []


def test_affected_environments() -> None:
    project = SimpleNamespace(root="email", environments=("dev", "prod"))
    assert affected_environments(project, [Path("email/environments/dev.yaml")]) == {"dev"}
    assert (
        affected_environments(
            project, [Path("email/environments/dev.yaml"), Path("email/smtp-connector.yaml")]
        )
        is None
    )
    # A template affects the environments that render it: only rendering tells which.
    assert affected_environments(project, [Path("email/templates/a.html.j2")]) == set()
    assert changed_templates(project, [Path("email/templates/a.html.j2"), Path("email/x.yaml")]) == {
        "templates/a.html.j2"
    }
    assert affected_environments(project, [Path("elsewhere/x.yaml")]) == set()


def test_a_project_without_template_forms_is_linted_without_pydantic_or_jinja2(tmp_path: Path) -> None:
    (tmp_path / "environments").mkdir()
    (tmp_path / "smtp-connector.yaml").write_text(BASE)
    (tmp_path / "environments" / "dev.yaml").write_text("language: fr\n")
    code = (
        "import sys; from connector.lint import lint_paths; r = lint_paths([sys.argv[1]]); "
        "print(len(r.findings), sorted(m for m in ('pydantic', 'jsonschema', 'jinja2', 'httpx') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout == "0 []\n"


@pytest.mark.parametrize("name", ["prod.yaml", "./prod.yaml", "../environments/prod.yaml"])
def test_an_environment_file_named_from_inside_its_folder_is_a_layer(
    cli: CliRunner, tmp_path: Path, name: str
) -> None:
    """`cd environments && smtp-connector lint prod.yaml` lints the project's prod, not a final config
    (which would miss host, port and templates: the project file and the overlay give them)."""
    root = write_project(tmp_path / "p", {"environments/prod.yaml": "fromEmail: <team@your.domain>\n"})
    result = cli("lint", name, "--format", "json", cwd=root / "environments", expect=1)
    found = [(f["rule"], (root / "environments" / f["file"]).resolve()) for f in json.loads(result.stdout)]
    assert found == [("SC401", (root / "environments" / "prod.yaml").resolve())], result.stdout
