from __future__ import annotations

import json
from pathlib import Path

import pytest

from connector.authoring.locales import check_language_tag, email_templates_body, render_body
from connector.diagnostics.findings import Location
from connector.diagnostics.paths import dotted
from connector.schema.models import StoreTemplate, Template

WHERE = Location("email/smtp-connector.yaml", 12, 7)


def template(usage_type: str, **extra: str) -> Template:
    return Template.model_validate(
        {"usageType": usage_type, "contentType": "text/html", "subject": f"{usage_type} {{{{code}}}}",
         "content": "<p>{{ code }}</p>", **extra}
    )  # fmt: skip


def test_body_is_logtos_put_email_templates_shape() -> None:
    variants = {
        "fr": [template("SignIn", replyTo="aide@acme.example", sendFrom=""), template("Register")],
        "pt-BR": [template("OrganizationInvitation", sendFrom="Acme <no-reply@acme.example>")],
    }
    assert email_templates_body(variants) == {
        "templates": [
            {
                "languageTag": "fr",
                "templateType": "SignIn",
                "details": {
                    "subject": "SignIn {{code}}",
                    "content": "<p>{{ code }}</p>",
                    "contentType": "text/html",
                    "replyTo": "aide@acme.example",
                },
            },
            {
                "languageTag": "fr",
                "templateType": "Register",
                "details": {
                    "subject": "Register {{code}}",
                    "content": "<p>{{ code }}</p>",
                    "contentType": "text/html",
                },
            },
            {
                "languageTag": "pt-BR",
                "templateType": "OrganizationInvitation",
                "details": {
                    "subject": "OrganizationInvitation {{code}}",
                    "content": "<p>{{ code }}</p>",
                    "contentType": "text/html",
                    "sendFrom": "Acme <no-reply@acme.example>",
                },
            },
        ]
    }


def test_a_store_template_keeps_what_the_store_keeps() -> None:
    # The store has no clean step: "" stays, and a missing contentType stays missing (a connector
    # Template's "" is dropped above, as Logto's save drops it).
    stored = StoreTemplate.model_validate(
        {"usageType": "Generic", "subject": "S", "content": "C", "replyTo": "", "sendFrom": ""}
    )
    assert email_templates_body({"fr": [stored]})["templates"][0]["details"] == {
        "subject": "S",
        "content": "C",
        "replyTo": "",
        "sendFrom": "",
    }
    none = StoreTemplate.model_validate({"usageType": "Generic", "subject": "S", "content": "C"})
    assert email_templates_body({"fr": [none]})["templates"][0]["details"] == {"subject": "S", "content": "C"}


def test_render_body_keeps_non_ascii_and_ends_with_a_newline() -> None:
    body = email_templates_body({"fr": [template("SignIn", replyTo="équipe@acme.example")]})
    text = render_body(body)
    assert text.endswith("}\n") and "équipe" in text
    assert json.loads(text) == body


def test_a_usage_type_twice_in_one_language_is_a_bug() -> None:
    with pytest.raises(ValueError, match="two SignIn templates for language fr"):
        email_templates_body({"fr": [template("SignIn"), template("SignIn")]})


@pytest.mark.parametrize("tag", ["en", "fr", "pt-BR", "zh-Hant-TW", "es-419", "gsw"])
def test_good_language_tags(tag: str) -> None:
    assert check_language_tag(tag, WHERE) == []


@pytest.mark.parametrize(
    ("tag", "message", "hint"),
    [
        ("pt_BR", "`pt_BR` is not a language tag", "write `pt-BR`: language tags use -, not _"),
        ("French", "`French` is not a language tag",
         "use a language tag such as en, fr or pt-BR, as Logto's sign-in experience lists them"),
        ("en-US-x-private-1", "`en-US-x-private-1` is not a language tag (Logto allows at most 16 characters)",
         "use a language tag such as en, fr or pt-BR, as Logto's sign-in experience lists them"),
        ("", "an empty language tag",
         "use a language tag such as en, fr or pt-BR, as Logto's sign-in experience lists them"),
    ],
)  # fmt: skip
def test_bad_language_tags(tag: str, message: str, hint: str) -> None:
    [finding] = check_language_tag(tag, WHERE)
    assert (finding.rule, finding.line, finding.column, finding.message, finding.hint) == (
        "SC610",
        12,
        7,
        message,
        hint,
    )


@pytest.mark.parametrize(
    ("variant", "key"),
    [
        # Written in the variant: its own key under locales.
        ("      fr:\n        subject: Votre code <host>\n", "templates[0].locales.fr.subject"),
        ("      fr:\n        content: {file: fr.txt}\n", "templates[0].locales.fr.content"),
    ],
)
def test_a_language_variants_finding_names_the_key_where_it_is_written(
    tmp_path: Path, variant: str, key: str
) -> None:
    """Lint's key path of a variant's finding is where the project writes it (what `--format json`, SARIF
    and doctor report), not the variant's own ``templates[0]``."""
    from connector.lint import lint_paths

    from .projects import write_project

    root = write_project(
        tmp_path / "p",
        {
            "environments/prod.yaml": "templates:\n  - usageType: SignIn\n    locales:\n" + variant,
            "fr.txt": "Votre code <host> : {{code}}",
        },
    )
    # The variant's own finding (its message names the language); the layer's may say it too.
    found = [f for f in lint_paths([str(root)]).findings if f.rule == "SC401" and "(fr)" in f.message]
    assert [dotted(f.key_path) for f in found] == [key]
