"""Placeholder filling (numeric extremes) and the email-template API file, against Logto's own code."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest

from connector.authoring.locales import email_templates_body
from connector.build.outputs import build
from connector.errors import InputError
from connector.logto import USAGE_TYPES
from connector.logto.placeholders import fill_placeholders
from connector.schema.models import Template

from . import logto_peer
from .projects import PROJECT, write_project

NUMBERS = [
    "0", "-0", "1", "-1", "0.1", "1e21", "1e-7", "123456789012345678901", "9007199254740993", "1.5e300",
    "1e308", "1.7976931348623157e308", "1e309", "-1e400", "1e400", "2e-324", "5e-324",
    "179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207"
    "096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764"
    "475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177"
    "904174497791",  # 2**1024 - 2**970: rounds to Infinity
    "1" + "0" * 400, "-" + "9" * 400, "1" + "0" * 5000,  # more than 4,300 digits
]  # fmt: skip


def _python_payload(text: str) -> Any:
    limit = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    if limit:
        sys.set_int_max_str_digits(0)  # the payload reader's limit is its own business (send --payload)
    try:
        return json.loads(text)
    finally:
        if limit:
            sys.set_int_max_str_digits(limit)


def test_numbers_fill_as_logto_fills_them_even_beyond_the_float_range() -> None:
    cases = [
        ("{{code}} {{a.b}} {{list}}", f'{{"code": {n}, "a": {{"b": {n}}}, "list": [{n}, {n}]}}')
        for n in NUMBERS
    ]
    answers = logto_peer.fill_many(cases)
    for (template, payload), answer in zip(cases, answers, strict=True):
        assert answer["ok"], answer
        assert fill_placeholders(template, _python_payload(payload)) == answer["text"], payload[:60]
    assert answers[NUMBERS.index("1e400")]["text"].startswith("Infinity ")


def test_generated_payloads_fill_alike() -> None:
    r = random.Random(12)
    keys = ["code", "a", "a.b", "a.b.c", "list", "list.0", "list.length", "x", "toString", "constructor"]
    values = [
        *NUMBERS[:12],
        '"s"',
        '""',
        "null",
        "true",
        "[]",
        "{}",
        '{"b": 1}',
        '[1, "a", null]',
        '{"c": [2]}',
    ]
    cases = []
    for _ in range(2000):
        template = " ".join("{{" + " " * r.randrange(2) + r.choice(keys) + "}}" for _ in range(3))
        payload = (
            "{"
            + ", ".join(f'"{k}": {r.choice(values)}' for k in r.sample(["code", "a", "list", "x"], 3))
            + "}"
        )
        cases.append((template, payload))
    for (template, payload), answer in zip(cases, logto_peer.fill_many(cases), strict=True):
        assert answer["ok"], answer
        assert fill_placeholders(template, json.loads(payload)) == answer["text"], (template, payload)


def _template(usage: str, **extra: Any) -> Template:
    fields = {
        "usageType": usage,
        "contentType": "text/html",
        "subject": "S {{code}}",
        "content": "<p>{{code}}</p>",
    }
    return Template.model_validate({**fields, **extra})


@pytest.mark.parametrize("usage", USAGE_TYPES)
def test_the_email_templates_file_is_what_logtos_api_accepts(usage: str) -> None:
    variants = {
        "fr": [
            _template(usage),
            _template("Generic", replyTo="aide@acme.example", sendFrom="Acme <a@acme.example>"),
        ],
        "pt-BR": [_template(usage, contentType="text/plain", replyTo="")],
    }
    if usage == "Generic":
        variants["fr"] = variants["fr"][:1]
    body = email_templates_body(variants)
    assert logto_peer.email_templates(body) == {"ok": True, "issues": []}


def test_logtos_api_refuses_what_the_build_never_writes() -> None:
    assert not logto_peer.email_templates({"templates": []})["ok"]
    body = email_templates_body({"fr": [_template("SignIn")]})
    body["templates"][0]["templateType"] = "Signin"
    assert not logto_peer.email_templates(body)["ok"]


def test_the_build_refuses_variants_logtos_api_would_refuse(tmp_path: Path) -> None:
    extra = (
        "  - usageType: Welcome\n    contentType: text/plain\n    subject: Welcome\n    content: Hello\n"
        "    locales:\n      fr: {subject: Bienvenue, content: Bonjour}\n"
    )
    project = write_project(
        tmp_path / "email",
        {
            "smtp-connector.yaml": PROJECT + extra,
            "environments/prod.yaml": "host: smtp.acme.example\n",
        },
    )
    with pytest.raises(InputError) as caught:
        build(project, "prod", environ={"SMTP_PASS": "x"})
    [finding] = caught.value.findings
    assert (finding.rule, finding.line) == ("SC101", PROJECT.count("\n") + 1)
    assert finding.message.startswith(
        "usageType `Welcome` is not one Logto sends"
    )  # lint's SC101, word for word
