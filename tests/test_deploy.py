"""deploy: plan, apply, confirm, drift check and Logto's test send, over real HTTP against a Logto stand-in
(tests/logto_server.py) that checks configs with the SMTP connector's real guard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import CliRunner
from .logto_server import SMTP_ID, FakeLogto

PASS = "s3cret-Pa55word!"

PROJECT = """\
host: 127.0.0.1
port: 2525
auth:
  user: mailer
  pass: ${SMTP_PASS}
fromEmail: Acme <no-reply@acme.test>
language: en
templates:
  - usageType: SignIn
    contentType: text/plain
    subject: Sign-in code
    content: "Your code is {{code}}."
    locales:
      fr:
        subject: Code de connexion
        content: "Votre code est {{code}}."
  - usageType: Register
    contentType: text/plain
    subject: Welcome
    content: "Code: {{code}}"
  - usageType: ForgotPassword
    contentType: text/plain
    subject: Reset
    content: "Code: {{code}}"
  - usageType: Generic
    contentType: text/plain
    subject: Your code
    content: "Code: {{code}}"
    locales:
      fr:
        subject: Votre code
        content: "Code : {{code}}"
"""

PROD = """\
logto:
  endpoint: ${TEST_LOGTO_ENDPOINT}
  appId: ${PROD_LOGTO_APP_ID}
  appSecret: ${PROD_LOGTO_APP_SECRET}
connectionTimeout: 10000
"""


def make_project(root: Path, prod: str = PROD, project: str = PROJECT) -> Path:
    (root / "environments").mkdir(parents=True)
    (root / "smtp-connector.yaml").write_text(project)
    (root / "environments" / "prod.yaml").write_text(prod)
    (root / "environments" / "dev.yaml").write_text("port: 2526\n")
    return root


def env_for(fake: FakeLogto, **extra: str) -> dict[str, str]:
    return {
        "SMTP_PASS": PASS,
        "TEST_LOGTO_ENDPOINT": fake.url,
        "PROD_LOGTO_APP_ID": fake.app_id,
        "PROD_LOGTO_APP_SECRET": fake.app_secret,
        **extra,
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "mail")


def deploy(
    cli: CliRunner, fake: FakeLogto, project: Path, *args: str, expect: int | None = 0, **env: str
) -> Any:
    return cli("deploy", str(project), "--env", "prod", *args, expect=expect, env=env_for(fake, **env))


def test_first_deploy_creates_connector_and_templates(
    cli: CliRunner, logto: FakeLogto, project: Path
) -> None:
    result = deploy(cli, logto, project)
    assert f"connector {SMTP_ID}: create" in result.stdout
    assert "+ fr SignIn" in result.stdout and "+ fr Generic" in result.stdout
    config = logto.smtp_config
    assert config is not None and config["auth"] == {"user": "mailer", "pass": PASS}
    assert config["connectionTimeout"] == 10000
    assert "logto" not in config
    assert logto.template_map()[("fr", "SignIn")] == {
        "subject": "Code de connexion",
        "content": "Votre code est {{code}}.",
        "contentType": "text/plain",
    }
    assert "deployed" in result.stderr
    assert PASS not in result.stdout + result.stderr
    assert logto.app_secret not in result.stdout + result.stderr


def test_second_deploy_says_no_changes_and_sends_no_write(
    cli: CliRunner, logto: FakeLogto, project: Path
) -> None:
    deploy(cli, logto, project)
    before = len(logto.requests)
    result = deploy(cli, logto, project)
    assert "no changes" in result.stdout
    assert [r for r in logto.requests[before:] if r[0] != "GET" and r[1] != "/oidc/token"] == []
    deploy(cli, logto, project, "--check")


def test_plan_shows_keys_and_hides_secrets(cli: CliRunner, logto: FakeLogto, project: Path) -> None:
    deploy(cli, logto, project)
    result = deploy(cli, logto, project, "--dry-run", "--set", "port=587", SMTP_PASS="another-Secret-9")
    assert "~ port: 2525 -> 587" in result.stdout
    assert "~ auth.pass: changed (secret)" in result.stdout
    assert "another-Secret-9" not in result.stdout + result.stderr
    assert logto.smtp_config is not None and logto.smtp_config["port"] == 2525  # dry run: nothing applied
    result = deploy(cli, logto, project, "--dry-run", "--set", "port=587")
    assert "= auth.pass: unchanged (secret)" in result.stdout
