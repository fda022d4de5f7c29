"""The shipped provider overlays: each one starts a project that builds once its <...> values are filled in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from connector.project.providers import provider_info
from connector.resources import shipped_names
from connector.scaffold import init_project
from connector.schema.models import ConnectorConfig

from .conftest import ROOT, CliRunner
from .projects import PLACEHOLDER, fill_in

NAMES = shipped_names()
FINAL_SCHEMA = json.loads((ROOT / "schema" / "smtp-connector.schema.json").read_text())
SOURCE_SCHEMA = json.loads((ROOT / "schema" / "smtp-connector.source.schema.json").read_text())


def test_at_least_twelve_providers_including_the_required_ones() -> None:
    assert len(NAMES) >= 12
    required = {"gmail", "gmail-starttls", "sendgrid", "aliyun-directmail", "amazon-ses", "mailgun-us",
                "mailgun-eu", "postmark", "microsoft-365", "zoho", "brevo", "mailjet", "dev-sink"}  # fmt: skip
    assert required <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_overlay_is_documented_and_valid(name: str) -> None:
    path = ROOT / "providers" / f"{name}.yaml"
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=../schema/smtp-connector.source.schema.json\n")
    info = provider_info(name)
    assert info.title and info.title[0].isupper()
    data = info.document.data
    jsonschema.Draft202012Validator(SOURCE_SCHEMA).validate(data)
    assert isinstance(data["host"], str) and isinstance(data["port"], int)
    if name != "dev-sink":
        assert info.docs, "link the provider's SMTP documentation in a comment"
        assert [v.name for v in info.variables] == ["SMTP_PASS"], "the secret comes from the environment"
        assert all(f.comment for f in info.fill_ins), "say where to find each value"
    # Implicit TLS exactly on 465; every STARTTLS provider insists on it.
    if data["port"] == 465:
        assert data["secure"] is True and "requireTLS" not in data
    elif name != "dev-sink":
        assert data["secure"] is False and data["requireTLS"] is True


def test_the_facts_the_seed_guide_and_readme_give() -> None:
    gmail, starttls = provider_info("gmail").document.data, provider_info("gmail-starttls").document.data
    assert (gmail["host"], gmail["port"], gmail["secure"]) == ("smtp.gmail.com", 465, True)
    assert (starttls["host"], starttls["port"], starttls["secure"], starttls["requireTLS"]) == (
        "smtp.gmail.com", 587, False, True,
    )  # fmt: skip
    assert provider_info("sendgrid").document.data["auth"]["user"] == "apikey"
    assert provider_info("aliyun-directmail").document.data["host"] == "smtpdm.aliyun.com"
    assert provider_info("amazon-ses").document.data["host"] == "email-smtp.<region>.amazonaws.com"
    assert provider_info("mailgun-eu").document.data["host"] == "smtp.eu.mailgun.org"
    sink = provider_info("dev-sink").document.data
    assert sink == {
        "host": "127.0.0.1",
        "port": 2525,
        "secure": False,
        "ignoreTLS": True,
        "auth": {"type": "login"},
    }
    # `auth: {}` is stripped on save; `{type: login}` works only where AUTH is not advertised.
    comment = " ".join(line.lstrip("# ") for line in provider_info("dev-sink").text.splitlines())
    assert "deletes an empty one" in comment and '"Missing credentials"' in comment
    assert "The development sink does not advertise AUTH" in comment


@pytest.mark.parametrize("name", NAMES)
def test_a_project_from_each_provider_builds_once_filled_in(
    name: str, tmp_path: Path, cli: CliRunner
) -> None:
    project = tmp_path / "email"
    init_project(project, name)
    fill_in(project)
    secrets = {v.name: f"secret-for-{name}" for v in provider_info(name).variables}
    out = tmp_path / "out"
    cli("build", str(project), "--all", "--out-dir", str(out), env=secrets)
    built = sorted(out.glob("*.json"))
    assert [p.name for p in built] == ["dev.json", "prod.json"]
    for path in built:
        data: dict[str, Any] = json.loads(path.read_text())
        jsonschema.Draft202012Validator(FINAL_SCHEMA).validate(data)
        ConnectorConfig.model_validate(data)
        assert not PLACEHOLDER.search(json.dumps(data))
    prod = json.loads((out / "prod.json").read_text())
    assert prod["host"] == provider_info(name).document.data["host"].replace("<region>", "us-east-1")
    if secrets:
        assert prod["auth"]["pass"] == f"secret-for-{name}"


def test_providers_lists_what_to_fill_in(cli: CliRunner) -> None:
    out = cli("providers").stdout
    for name in NAMES:
        assert f"\n{name}: " in f"\n{out}"
    assert (
        "sendgrid: SendGrid (Twilio) SMTP relay with an API key, STARTTLS on port 587.\n"
        "  server   smtp.sendgrid.net:587 (STARTTLS)\n"
        "  fill in  fromEmail = <no-reply@your-verified-domain.com>\n"
        "  secrets  ${SMTP_PASS}\n"
    ) in out
    assert "dev-sink: " in out and "  nothing to fill in\n" in out


def test_one_provider_in_detail(cli: CliRunner) -> None:
    out = cli("providers", "amazon-ses").stdout
    assert out.splitlines()[:3] == [
        "amazon-ses: Amazon SES SMTP interface, STARTTLS on port 587.",
        "  server:  email-smtp.<region>.amazonaws.com:587 (STARTTLS)",
        "  docs:    https://docs.aws.amazon.com/ses/latest/dg/smtp-connect.html",
    ]
    assert "  secret:  ${SMTP_PASS} for auth.pass  (the Amazon SES SMTP password)" in out
    assert "did you mean `gmail`?" in cli("providers", "gmial", expect=2).stderr


def test_providers_as_json(cli: CliRunner) -> None:
    items = json.loads(cli("providers", "--format", "json").stdout)
    assert [i["name"] for i in items] == list(NAMES)
    ses = next(i for i in items if i["name"] == "amazon-ses")
    assert [f["key"] for f in ses["fillIn"]] == ["host", "auth.user", "fromEmail"]
    assert ses["secrets"] == [
        {"name": "SMTP_PASS", "key": "auth.pass", "message": "the Amazon SES SMTP password"}
    ]
