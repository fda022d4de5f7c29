"""A recipient's language (issue #22, item 6): render, send and preview take --locale and pick the template
as Logto does (connector/logto/email_templates.py, held to Logto's own connector code and core's lookup
through tests/logto-peer/mail-options.mjs); lint names, per language, the usage types that fall back."""

from __future__ import annotations

import email
import json
from pathlib import Path
from typing import Any

import pytest

from connector.lint import lint_paths
from connector.logto import USAGE_TYPES
from connector.logto.email_templates import pick_template
from connector.mail.locales import Languages, localized
from connector.mail.message import fill_message
from connector.schema.models import ConnectorConfig, Template

from .conftest import CliRunner
from .logto_peer import mail_options
from .projects import write_project
from .test_build_locales import PROJECT

STORE = {("fr", "SignIn"): "fr-signin", ("en", "Register"): "en-register", ("en", "Generic"): "en-generic"}
CONNECTOR = [("SignIn", "c-signin"), ("Generic", "c-generic"), ("SignIn", "c-signin-2")]


@pytest.mark.parametrize(
    ("kind", "locale", "fallback", "store", "expected"),
    [
        ("SignIn", "fr", "en", STORE, ("fr-signin", True, "fr", "SignIn")),  # the user's language
        ("SignIn", "fr-CA", "en", STORE, ("en-generic", True, "en", "Generic")),  # exact tags only
        ("Register", "fr", "en", STORE, ("en-register", True, "en", "Register")),  # the fallback language
        ("Register", None, "en", STORE, ("en-register", True, "en", "Register")),  # no locale given
        ("ForgotPassword", "fr", "en", STORE, ("en-generic", True, "en", "Generic")),  # Generic, fallback
        ("SignIn", "de", "de", STORE, ("c-signin", False, None, "SignIn")),  # the connector's: the first
        ("BindMfa", "de", "de", STORE, ("c-generic", False, None, "Generic")),  # the connector's Generic
        ("SignIn", "", "de", STORE, ("c-signin", False, None, "SignIn")),  # an empty locale: none
    ],
)
def test_the_template_logto_picks(
    kind: str, locale: str | None, fallback: str, store: dict[Any, str], expected: tuple[Any, ...]
) -> None:
    choice = pick_template(kind, locale, fallback, store, CONNECTOR)
    assert choice is not None
    assert (choice.template, choice.store, choice.language, choice.usage_type) == expected


def test_no_template_at_all_is_logtos_error() -> None:
    assert pick_template("SignIn", "fr", "en", {}, [("Register", "x")]) is None


def _template(kind: str, subject: str, content: str = "{{code}}") -> dict[str, Any]:
    return {"usageType": kind, "contentType": "text/plain", "subject": subject, "content": content}


CONFIG = {
    "host": "smtp.example.com",
    "port": 587,
    "auth": {"user": "a", "pass": "b"},
    "fromEmail": "no-reply@acme.example",
    "templates": [
        _template("SignIn", "connector SignIn {{locale}}"),
        _template("Register", "connector Register"),
        _template("ForgotPassword", "connector ForgotPassword"),
        _template("Generic", "connector Generic"),
    ],
}
API_STORE = [
    {"languageTag": "fr", "templateType": "SignIn", "details": {"subject": "fr SignIn", "content": "{{code}}", "contentType": "text/plain"}},
    {"languageTag": "fr", "templateType": "Generic", "details": {"subject": "fr Generic", "content": "{{code}}", "contentType": "text/plain", "replyTo": "fr@acme.example"}},
    {"languageTag": "de", "templateType": "Register", "details": {"subject": "de Register", "content": "{{code}}", "contentType": "text/html"}},
]  # fmt: skip


@pytest.mark.parametrize("fallback", ["en", "fr", "de"])
@pytest.mark.parametrize("locale", [None, "fr", "de", "fr-CA"])
def test_every_usage_type_in_every_language_as_logtos_own_code_sends_it(
    locale: str | None, fallback: str
) -> None:
    config = ConnectorConfig.model_validate(CONFIG)
    store = {
        (e["languageTag"], e["templateType"]): Template.model_validate(
            {**e["details"], "usageType": e["templateType"]}
        )
        for e in API_STORE
    }
    view, _ = localized(config, Languages(fallback, store), locale)
    payload = {"code": "123456", **({"locale": locale} if locale else {})}
    for kind in USAGE_TYPES:
        ours = fill_message(view, kind, payload)
        theirs = mail_options(CONFIG, kind, payload, store=API_STORE, fallback_language=fallback)
        body = theirs["html"] if ours.content_type == "text/html" else theirs["text"]
        assert (ours.subject, ours.body, ours.reply_to) == (theirs["subject"], body, theirs["replyTo"]), kind


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(
        tmp_path / "email",
        {
            "smtp-connector.yaml": PROJECT,
            "environments/dev.yaml": "provider: dev-sink\nvariables: {brand: Acme Dev}\n",
            "templates/fr/sign-in.txt.j2": "Votre code {{ brand }} : {{code}}\n",
        },
    )


def test_render_takes_a_locale_and_names_the_template_picked(cli: CliRunner, project: Path) -> None:
    result = cli("render", str(project), "--env", "dev", "--type", "SignIn", "--locale", "fr", "--code", "42")
    assert "Subject: Connexion Acme Dev" in result.stdout and "Votre code Acme Dev : 42" in result.stdout
    assert "template: SignIn (fr) from the email-template store" in result.stderr
    # fr-CA is not fr for Logto: the connector's own (en) template.
    result = cli("render", str(project), "--env", "dev", "--type", "SignIn", "--locale", "fr-CA")
    assert "Subject: Acme Dev sign-in" in result.stdout
    assert "template: SignIn (en) from the connector config" in result.stderr
    assert "123456" in result.stdout  # no --code: the sample payload, as preview fills it
    # A type with no fr variant falls back to the connector's.
    result = cli("render", str(project), "--env", "dev", "--type", "Register", "--locale", "fr")
    assert "template: Register (en) from the connector config" in result.stderr
    assert (
        "language tag"
        in cli(
            "render", str(project), "--env", "dev", "--type", "SignIn", "--locale", "fr_FR", expect=2
        ).stderr
    )


def test_render_of_a_built_file_reads_the_languages_beside_it(
    cli: CliRunner, project: Path, tmp_path: Path
) -> None:
    built = tmp_path / "dev.json"
    cli("build", str(project), "--env", "dev", "-o", str(built))
    result = cli("render", str(built), "--type", "SignIn", "--locale", "fr", "--code", "7")
    assert "Votre code Acme Dev : 7" in result.stdout
    (tmp_path / "dev.email-templates.json").write_text('{"templates": [{"languageTag": "fr"}]}')
    result = cli("render", str(built), "--type", "SignIn", "--locale", "fr", expect=1)
    assert "dev.email-templates.json" in result.stderr and "Traceback" not in result.stderr


def test_send_dry_run_is_a_flag_and_takes_a_locale(cli: CliRunner, project: Path) -> None:
    cli(
        "send", str(project), "--env", "dev", "--type", "SignIn", "--to", "ada@example.com",
        "--code", "9", "--locale", "fr", "--dry-run",
    )  # fmt: skip
    [eml] = (project / "out" / "dry-run").iterdir()
    message = email.message_from_bytes(eml.read_bytes())
    assert message["Subject"] == "Connexion Acme Dev"


def test_preview_takes_a_locale_and_defaults_its_folder(cli: CliRunner, project: Path) -> None:
    result = cli("preview", str(project), "--env", "dev", "--locale", "fr")
    page = (project / "out" / "preview" / "index.html").read_text()
    assert str(project / "out" / "preview" / "index.html") in result.stdout
    assert "SignIn (fr) from the email-template store" in page
    assert "Register (en) from the connector config" in page


def test_lint_names_per_language_the_usage_types_that_fall_back(project: Path) -> None:
    found = [f for f in lint_paths([str(project)]).findings if f.rule == "SC614"]
    [finding] = found
    assert finding.severity == "warning" and finding.file.endswith("smtp-connector.yaml")
    assert finding.message.startswith("a `fr` user gets the connector's `en` templates for Register, ")
    assert "SignIn" not in finding.message
    text = (project / "smtp-connector.yaml").read_text().splitlines()
    assert text[finding.line - 1].strip() == "fr:"


def test_a_language_with_every_usage_type_falls_back_nowhere() -> None:
    acme = Path(__file__).resolve().parent.parent / "examples" / "acme"
    assert not [f for f in lint_paths([str(acme)]).findings if f.rule == "SC614"]


def test_build_to_stdout_keeps_working_once_a_locale_exists(cli: CliRunner, project: Path) -> None:
    result = cli("build", str(project), "--env", "dev")
    assert json.loads(result.stdout)["fromEmail"]
    assert (project / "out" / "dev.email-templates.json").is_file()
