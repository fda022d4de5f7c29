"""A language variant's `omit` and `empty` (docs/templates.md, "Languages"): what Logto's email-template store
keeps (no clean step: contentType optional, replyTo/sendFrom "" kept), built exactly, and sent, rendered and
previewed as Logto's buildMailOptions sends it (no contentType: HTML; "": the config's address)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connector.build.outputs import build
from connector.errors import InputError
from connector.lint import lint_paths
from connector.mail.message import fill_template
from connector.preview import preview_message, preview_sets
from connector.schema.models import StoreTemplate

from .conftest import ROOT, CliRunner
from .projects import write_project

BASE = """\
provider: sendgrid
fromEmail: Acme <no-reply@acme.example>
replyTo: Help <help@acme.example>
templates:
  - {usageType: SignIn, contentType: text/plain, subject: Code, content: "{{code}}"}
  - {usageType: Register, contentType: text/plain, subject: Code, content: "{{code}}"}
  - {usageType: ForgotPassword, contentType: text/plain, subject: Code, content: "{{code}}"}
  - usageType: Generic
    contentType: text/plain
    subject: Code
    content: "{{code}}"
    replyTo: Support <support@acme.example>
    sendFrom: Acme Team <team@acme.example>
    locales:
      fr:
        subject: Code
        content: "Code : {{code}}"
"""


def _details(tmp_path: Path, variant: str) -> dict[str, Any]:
    root = write_project(
        tmp_path / "p",
        {"smtp-connector.yaml": BASE + variant, "environments/prod.yaml": "auth: {pass: x}\n"},
    )
    built = build(root, "prod")
    [entry] = json.loads(built.templates_text or "")["templates"]
    details: dict[str, Any] = entry["details"]
    return details


BODY = {"subject": "Code", "content": "Code : {{code}}"}


@pytest.mark.parametrize(
    ("variant", "details"),
    [
        # Inherited, as before.
        (
            "",
            {
                "contentType": "text/plain",
                "replyTo": "Support <support@acme.example>",
                "sendFrom": "Acme Team <team@acme.example>",
            },
        ),
        # `replyTo: ""` still means: the store gets none.
        ("        replyTo: ''\n", {"contentType": "text/plain", "sendFrom": "Acme Team <team@acme.example>"}),
        (
            "        omit: [replyTo]\n",
            {"contentType": "text/plain", "sendFrom": "Acme Team <team@acme.example>"},
        ),
        (
            "        omit: [contentType]\n",
            {"replyTo": "Support <support@acme.example>", "sendFrom": "Acme Team <team@acme.example>"},
        ),
        (
            "        empty: [sendFrom]\n",
            {"contentType": "text/plain", "replyTo": "Support <support@acme.example>", "sendFrom": ""},
        ),
        (
            "        empty: [replyTo, sendFrom]\n        replyTo: ''\n",
            {"contentType": "text/plain", "replyTo": "", "sendFrom": ""},
        ),
        ("        omit: [contentType, replyTo, sendFrom]\n", {}),
    ],
    ids=[
        "inherits",
        "replyTo-none",
        "omit-replyTo",
        "omit-contentType",
        "empty-sendFrom",
        "empty-both",
        "omit-all",
    ],
)
def test_the_store_entry_is_what_the_variant_says(
    tmp_path: Path, variant: str, details: dict[str, Any]
) -> None:
    assert _details(tmp_path, variant) == {**BODY, **details}


def test_a_jinja_field_that_renders_empty_stores_none_unless_listed(tmp_path: Path) -> None:
    got = _details(tmp_path, "        replyTo: {jinja: '{{ \"\" }}'}\n")
    assert "replyTo" not in got and got["sendFrom"] == "Acme Team <team@acme.example>"


@pytest.mark.parametrize(
    ("variant", "where"),
    [
        (
            "        omit: [contentType]\n        contentType: text/html\n",
            "`contentType` of the `fr` variant is set and listed in `omit`",
        ),
        (
            "        empty: [sendFrom]\n        sendFrom: a@acme.example\n",
            "`sendFrom` of the `fr` variant is set and listed in `empty`",
        ),
        (
            "        omit: [replyTo]\n        empty: [replyTo]\n",
            "`replyTo` of the `fr` variant is in both `omit` and `empty`",
        ),
    ],
)
def test_a_key_listed_and_set_or_listed_twice_is_refused(tmp_path: Path, variant: str, where: str) -> None:
    with pytest.raises(InputError) as caught:
        _details(tmp_path, variant)
    assert [(f.rule, f.message.split(":")[0]) for f in caught.value.findings] == [("SC613", where)]


@pytest.mark.parametrize(
    ("variant", "message"),
    [
        ("        omit: [subject]\n", '"subject" is not one of contentType, replyTo or sendFrom'),
        ("        empty: [contentType]\n", '"contentType" is not one of replyTo or sendFrom'),
    ],
)
def test_the_source_schema_names_what_may_be_listed(tmp_path: Path, variant: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        _details(tmp_path, variant)
    [finding] = caught.value.findings
    assert (finding.rule, finding.line, finding.column) == ("SC202", 18, 16 if "omit" in variant else 17)
    assert message in finding.message


def test_lint_reports_sc613_where_it_is_written() -> None:
    project = ROOT / "tests" / "data" / "lint" / "projects" / "sc613-variant-stored-keys"
    # SC614 (the usage types de and fr users get in English: this project translates a few) is not this test's.
    found = [f for f in lint_paths([str(project)]).findings if f.rule != "SC614"]
    assert [(f.rule, f.line, f.column, f.key_path) for f in found] == [
        ("SC613", 19, 9, ("templates", 3, "locales", "fr", "contentType")),
        ("SC613", 20, 15, ("templates", 3, "locales", "fr", "omit")),
    ]


def test_lint_checks_a_variant_without_content_type_as_the_html_logto_sends(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "p",
        {
            "smtp-connector.yaml": BASE.replace('"Code : {{code}}"', '"Code : <b>{{code}}"')
            + "        omit: [contentType]\n",
            "environments/prod.yaml": "auth: {pass: x}\n",
        },
    )
    found = [
        (f.rule, f.line, f.message) for f in lint_paths([str(root)]).findings if f.rule.startswith("SC1")
    ]
    assert found == [("SC110", 17, 'template "Generic" (fr) content: `<b>` is never closed')]


# Sent as Logto sends it: one home, fill_template, for render, send and preview.


def _store(**details: Any) -> StoreTemplate:
    return StoreTemplate.model_validate(
        {"usageType": "Generic", "subject": "S", "content": "a\nb {{code}}", **details}
    )


@pytest.mark.parametrize(
    ("details", "content_type", "sender", "reply_to"),
    [
        ({}, "text/html", "Acme <no-reply@acme.example>", "Help <help@acme.example>"),
        (
            {"contentType": "text/plain"},
            "text/plain",
            "Acme <no-reply@acme.example>",
            "Help <help@acme.example>",
        ),
        (
            {"replyTo": "", "sendFrom": ""},
            "text/html",
            "Acme <no-reply@acme.example>",
            "Help <help@acme.example>",
        ),
        (
            {"sendFrom": "", "replyTo": "r@acme.example"},
            "text/html",
            "Acme <no-reply@acme.example>",
            "r@acme.example",
        ),
        ({"sendFrom": "s@acme.example"}, "text/html", "s@acme.example", "Help <help@acme.example>"),
    ],
)
def test_a_store_template_is_filled_as_build_mail_options_fills_it(
    details: dict[str, Any], content_type: str, sender: str, reply_to: str
) -> None:
    filled = fill_template(
        _store(**details),
        "Generic",
        {"code": "1"},
        from_email="Acme <no-reply@acme.example>",
        reply_to="Help <help@acme.example>",
    )
    assert (filled.content_type, filled.sender, filled.reply_to) == (content_type, sender, reply_to)


def test_preview_and_render_show_a_variant_without_content_type_as_html(
    tmp_path: Path, cli: CliRunner
) -> None:
    root = write_project(
        tmp_path / "p",
        {
            "smtp-connector.yaml": BASE + "        omit: [contentType]\n        empty: [replyTo, sendFrom]\n",
            "environments/prod.yaml": "auth: {pass: x}\n",
        },
    )
    built = build(root, "prod")
    [fr] = preview_sets("prod", built.config, language="en", variants=built.variants)[1:]
    message = preview_message(fr.templates[0], fr)
    assert message.content_type == "text/html"
    assert (message.sender, message.reply_to) == ("Acme <no-reply@acme.example>", "Help <help@acme.example>")
    cli("preview", str(root), "--env", "prod", "--out", str(tmp_path / "gallery"))
    pages = "".join(p.read_text() for p in (tmp_path / "gallery").rglob("*.html"))
    assert pages.count('data-content-type="text/html"') == 1  # the fr Generic; every other is text/plain
