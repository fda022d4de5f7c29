"""deploy: plan, apply, confirm, drift check and Logto's test send, over real HTTP against a Logto stand-in
(tests/logto_server.py) that checks configs with the SMTP connector's real guard."""

from __future__ import annotations

import json
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
    assert [w[0] for w in logto.writes] == ["POST", "PUT"]  # the first deploy's only
    result = deploy(cli, logto, project, "--dry-run", "--set", "port=587")
    assert "= auth.pass: unchanged (secret)" in result.stdout


# pull


def test_pull_round_trip_gives_back_the_live_config(
    cli: CliRunner, logto: FakeLogto, project: Path, tmp_path: Path
) -> None:
    deploy(cli, logto, project)
    logto.smtp_config["templates"][0]["content"] = "Line one\n${not a var} {% raw %} {{ code }}\n"  # type: ignore[index]
    logto.add_template(
        "de", "SignIn", {"subject": "Anmeldecode", "content": "Code: {{code}}", "contentType": "text/plain"}
    )
    out = tmp_path / "pulled"
    env = {
        "LOGTO_ENDPOINT": logto.url,
        "LOGTO_M2M_APP_ID": logto.app_id,
        "LOGTO_M2M_APP_SECRET": logto.app_secret,
    }
    result = cli("pull", str(out), env=env)
    assert "SMTP_PASS  (auth.pass)" in result.stdout
    assert PASS not in result.stdout + result.stderr
    assert PASS not in "".join(p.read_text() for p in out.rglob("*") if p.is_file())
    assert "${SMTP_PASS}" in (out / "smtp-connector.yaml").read_text()
    built = cli(
        "build", str(out), "--env", "prod", "-o", str(tmp_path / "prod.json"), env={"SMTP_PASS": PASS}
    )
    assert json.loads((tmp_path / "prod.json").read_text()) == logto.smtp_config, built
    store = json.loads((tmp_path / "prod.email-templates.json").read_text())["templates"]
    assert {(t["languageTag"], t["templateType"]): t["details"] for t in store} == logto.template_map()
    # The pulled project deploys back with no change at all.
    before = len(logto.writes)
    again = cli("deploy", str(out), "--env", "prod", "--check", env={**env, "SMTP_PASS": PASS})
    assert "no changes" in again.stdout
    assert len(logto.writes) == before


def test_pull_never_overwrites(cli: CliRunner, logto: FakeLogto, project: Path, tmp_path: Path) -> None:
    deploy(cli, logto, project)
    out = tmp_path / "pulled"
    (out / "environments").mkdir(parents=True)
    (out / "environments" / "prod.yaml").write_text("# mine\n")
    env = {
        "LOGTO_ENDPOINT": logto.url,
        "LOGTO_M2M_APP_ID": logto.app_id,
        "LOGTO_M2M_APP_SECRET": logto.app_secret,
    }
    result = cli("pull", str(out), env=env, expect=1)
    assert "never overwrites" in result.stderr and "prod.yaml" in result.stderr
    assert (out / "environments" / "prod.yaml").read_text() == "# mine\n"
    assert not (out / "smtp-connector.yaml").exists()


# Drift, pruning, --all


def test_check_exits_1_on_drift_and_shows_it(cli: CliRunner, logto: FakeLogto, project: Path) -> None:
    deploy(cli, logto, project)
    logto.smtp_config["port"] = 465  # type: ignore[index]
    writes = len(logto.writes)
    result = deploy(cli, logto, project, "--check", expect=1)
    assert "~ port: 465 -> 2525" in result.stdout
    assert "drift" in result.stderr
    assert len(logto.writes) == writes
    deploy(cli, logto, project)
    deploy(cli, logto, project, "--check")


def test_live_only_templates_are_kept_unless_pruned(cli: CliRunner, logto: FakeLogto, project: Path) -> None:
    deploy(cli, logto, project)
    logto.add_template("de", "SignIn", {"subject": "Code", "content": "{{code}}"})
    result = deploy(cli, logto, project, "--check")
    assert (
        "de SignIn is in Logto but not in the project (kept; --prune-templates deletes it)" in result.stdout
    )
    result = deploy(cli, logto, project, "--check", "--prune-templates", expect=1)
    assert "- de SignIn" in result.stdout
    deploy(cli, logto, project, "--prune-templates")
    assert ("de", "SignIn") not in logto.template_map()
    assert [w for w in logto.writes if w[0] == "DELETE"] == [
        ("DELETE", f"/api/email-templates/{w[1].rsplit('/', 1)[1]}") for w in logto.writes if w[0] == "DELETE"
    ]
    assert sum(1 for w in logto.writes if w[0] == "DELETE") == 1


def test_changed_store_template_is_put_again(cli: CliRunner, logto: FakeLogto, project: Path) -> None:
    deploy(cli, logto, project)
    logto.template_map()[("fr", "SignIn")]["subject"] = "changé dans la console"
    result = deploy(cli, logto, project)
    assert "~ fr SignIn (subject)" in result.stdout
    assert logto.template_map()[("fr", "SignIn")]["subject"] == "Code de connexion"


def test_creating_the_connector_says_which_email_connector_logto_replaces(
    cli: CliRunner, logto: FakeLogto, project: Path
) -> None:
    logto.add_connector("sendgrid-email-service", {"apiKey": "x"})
    result = deploy(cli, logto, project, "--dry-run")
    assert "creating it removes `sendgrid-email-service`" in result.stdout
    assert logto.writes == []


def test_all_deploys_each_environment_to_its_own_tenant(cli: CliRunner, project: Path) -> None:
    from .logto_server import start

    prod, staging = FakeLogto(), FakeLogto(app_id="staging-app")
    servers = [start(prod), start(staging)]
    try:
        (project / "environments" / "staging.yaml").write_text(
            PROD.replace("TEST_LOGTO_ENDPOINT", "STAGING_URL")
            .replace("PROD_", "STAGING_")
            .replace("10000", "5000")
        )
        env = {
            **env_for(prod),
            "STAGING_URL": staging.url,
            "STAGING_LOGTO_APP_ID": staging.app_id,
            "STAGING_LOGTO_APP_SECRET": staging.app_secret,
        }
        result = cli("deploy", str(project), "--all", env=env)
        assert "skipped (no `logto:` endpoint): dev" in result.stderr
        assert prod.smtp_config is not None and prod.smtp_config["connectionTimeout"] == 10000
        assert staging.smtp_config is not None and staging.smtp_config["connectionTimeout"] == 5000
        staging.smtp_config["port"] = 1
        result = cli("deploy", str(project), "--all", "--check", env=env, expect=1)
        assert "1 of 2 environments differ from the project: staging" in result.stderr
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


# Failures


def test_wrong_app_secret_names_the_variable_not_the_value(
    cli: CliRunner, logto: FakeLogto, project: Path
) -> None:
    result = deploy(cli, logto, project, expect=1, PROD_LOGTO_APP_SECRET="wrong-secret-value-1")
    assert "invalid_client" in result.stderr
    assert "${PROD_LOGTO_APP_SECRET}" in result.stderr and "${PROD_LOGTO_APP_ID}" in result.stderr
    assert "environments/prod.yaml:4:" in result.stderr
    assert "wrong-secret-value-1" not in result.stdout + result.stderr
    assert logto.writes == []


def test_missing_variables_are_named(cli: CliRunner, logto: FakeLogto, project: Path, tmp_path: Path) -> None:
    env = env_for(logto)
    del env["PROD_LOGTO_APP_SECRET"]
    result = cli("deploy", str(project), "--env", "prod", env=env, expect=1)
    assert (
        "environment variable PROD_LOGTO_APP_SECRET is not set (logto.appSecret asks for it)" in result.stderr
    )
    # Without a section: the LOGTO_* variables.
    result = cli(
        "pull", str(tmp_path / "p"), env={"LOGTO_ENDPOINT": logto.url, "LOGTO_M2M_APP_ID": "x"}, expect=1
    )
    assert "no Logto M2M app secret: LOGTO_M2M_APP_SECRET is not set" in result.stderr
    result = cli(
        "pull",
        str(tmp_path / "p"),
        env={"LOGTO_ENDPOINT": logto.url, "LOGTO_M2M_APP_ID": "x", "LOGTO_M2M_APP_SECRET": "nope-nope"},
        expect=1,
    )
    # Logto answers an unknown app id 400 invalid_client (a known one with a wrong secret, 401): named as such.
    assert (
        "(400 invalid_client: client is invalid); Logto has no application with this app id" in result.stderr
    )
    assert (
        "check LOGTO_M2M_APP_ID (the App ID" in result.stderr and "LOGTO_M2M_APP_SECRET" not in result.stderr
    )
    assert "nope-nope" not in result.stderr


def test_unknown_resource_is_explained(cli: CliRunner, logto: FakeLogto, project: Path) -> None:
    result = deploy(cli, logto, project, "--resource", "https://tenant.logto.app/api", expect=1)
    assert "invalid_target" in result.stderr
    assert "`https://tenant.logto.app/api` (from --resource)" in result.stderr


def test_plain_http_is_refused_except_on_loopback(cli: CliRunner, logto: FakeLogto, project: Path) -> None:
    result = deploy(cli, logto, project, "--endpoint", "http://logto.example.com", expect=1)
    assert "plain http" in result.stderr and "(from --endpoint)" in result.stderr
    assert logto.requests == []
    deploy(cli, logto, project, "--endpoint", logto.url.replace("127.0.0.1", "localhost"), "--dry-run")


def test_logto_refusal_shows_its_code_message_and_issues(logto: FakeLogto) -> None:
    """The connector's real guard refuses a null; the client shows Logto's code, message and zod issues."""
    from connector.deploy.client import LogtoError, ManagementClient
    from connector.deploy.target import Setting, Target

    entry = logto.add_connector(SMTP_ID, {"host": "h", "port": 25, "fromEmail": "a@b.c", "templates": []})
    target = Target(
        Setting(logto.url, "LOGTO_ENDPOINT"),
        Setting(logto.resource, "LOGTO_API_RESOURCE"),
        Setting(logto.app_id, "LOGTO_M2M_APP_ID"),
        Setting(logto.app_secret, "LOGTO_M2M_APP_SECRET"),
    )
    with ManagementClient(target) as client, pytest.raises(LogtoError) as caught:
        client.write("PATCH", f"/api/connectors/{entry}", {"config": {"host": "h", "port": None}})
    text = str(caught.value)
    assert caught.value.status == 400 and caught.value.code == "connector.invalid_config"
    assert "400 connector.invalid_config: The connector's config is invalid." in text
    assert "\n  port: " in text and "\n  fromEmail: Required" in text
    with ManagementClient(target) as client, pytest.raises(LogtoError) as caught:
        client.write("POST", "/api/connectors", {"connectorId": "no-such-connector", "config": {}})
    assert str(caught.value) == (
        "Logto refused POST /api/connectors: 422 connector.not_found_with_connector_id: "
        "Can not find connector with given standard connector id."
    )


def test_partial_apply_says_what_was_applied_and_a_rerun_converges(
    cli: CliRunner, logto: FakeLogto, project: Path
) -> None:
    refusal = {"code": "guard.invalid_input", "message": "The request body is invalid."}
    logto.fault("PUT", "/api/email-templates", status=400, body=refusal)
    result = deploy(cli, logto, project, expect=1)
    assert f"applied: created connector {SMTP_ID}" in result.stderr
    assert "not applied: put 2 email templates (fr SignIn, fr Generic)" in result.stderr
    assert (
        "Logto refused PUT /api/email-templates: 400 guard.invalid_input: The request body is invalid."
        in (result.stderr)
    )
    assert "run the deploy again" in result.stderr
    assert logto.smtp_config is not None and logto.template_map() == {}
    result = deploy(cli, logto, project)
    assert "no changes" in result.stdout.splitlines()[0]  # the connector is there already
    assert [w[0] for w in logto.writes] == ["POST", "PUT", "PUT"]
    assert "no changes" in deploy(cli, logto, project).stdout


def test_reads_are_retried_on_5xx_and_timeouts(cli: CliRunner, logto: FakeLogto, project: Path) -> None:
    logto.fault("GET", "/api/connectors", status=503, times=2)
    logto.fault("GET", "/api/email-templates", delay=60)  # no answer until the client gives up
    deploy(cli, logto, project, "--dry-run", "--timeout", "0.5")
    gets = [r for r in logto.requests if r[0] == "GET"]
    assert gets.count(("GET", "/api/connectors")) == 3
    assert gets.count(("GET", "/api/email-templates")) == 2


def test_reads_give_up_after_three_attempts(cli: CliRunner, logto: FakeLogto, project: Path) -> None:
    logto.fault("GET", "/api/connectors", status=502, times=5, body={"code": "x", "message": "bad gateway"})
    result = deploy(cli, logto, project, expect=1)
    assert "Logto refused GET /api/connectors: 502 x: bad gateway" in result.stderr
    assert logto.requests.count(("GET", "/api/connectors")) == 3


def test_writes_are_not_retried(cli: CliRunner, logto: FakeLogto, project: Path) -> None:
    logto.fault("POST", "/api/connectors", status=503)
    result = deploy(cli, logto, project, expect=1)
    assert "applied: nothing" in result.stderr and "503" in result.stderr
    assert logto.writes == [("POST", "/api/connectors")]
    logto.fault("POST", "/api/connectors", delay=60)  # applied, but no answer until the client gives up
    result = deploy(cli, logto, project, "--timeout", "0.5", expect=1)
    assert "may or may not have been applied" in result.stderr
    assert logto.writes == [("POST", "/api/connectors")] * 2
    # It was applied after all: the next deploy reads that and converges.
    deploy(cli, logto, project)
    assert "no changes" in deploy(cli, logto, project).stdout


def test_api_refusing_the_token_points_at_the_access_role(
    cli: CliRunner, logto: FakeLogto, project: Path
) -> None:
    body = {"code": "auth.forbidden", "message": "Forbidden. Please check your user roles and permissions."}
    logto.fault("GET", "/api/connectors", status=403, body=body)
    result = deploy(cli, logto, project, expect=1)
    assert "403 auth.forbidden" in result.stderr and "Management API access role" in result.stderr
    assert logto.requests.count(("GET", "/api/connectors")) == 1


# TLS


def test_tls_is_verified_and_a_private_ca_can_be_trusted(
    cli: CliRunner, project: Path, tmp_path: Path, certificates: Any
) -> None:
    from .logto_server import start

    fake = FakeLogto()
    server = start(fake, context=certificates.server_context)
    try:
        result = deploy(cli, fake, project, "--dry-run", expect=1, SSL_CERT_FILE="")
        assert "TLS certificate is not trusted" in result.stderr and "--ca-file" in result.stderr
        assert fake.requests == []
        missing = deploy(cli, fake, project, "--ca-file", str(tmp_path / "none.pem"), expect=1)
        assert f"cannot use the CA file {tmp_path / 'none.pem'}" in missing.stderr
        ca = tmp_path / "ca.pem"
        ca.write_text(certificates.ca_pem)
        deploy(cli, fake, project, "--ca-file", str(ca))
        assert fake.smtp_config is not None
        assert "no changes" in deploy(cli, fake, project, LOGTO_CA_FILE=str(ca)).stdout
    finally:
        server.shutdown()
        server.server_close()


# Logto's test send


def test_test_to_sends_through_logto_before_applying(
    cli: CliRunner, logto: FakeLogto, project: Path, smtp_server: Any
) -> None:
    smtp = smtp_server(users={"mailer": PASS}, auth_require_tls=False)
    port = ("--set", f"port={smtp.port}")
    result = deploy(cli, logto, project, *port, "--dry-run", "--test-to", "ops@acme.test")
    assert "Logto sent a test message to ops@acme.test" in result.stderr
    assert logto.writes == [("POST", f"/api/connectors/{SMTP_ID}/test")]
    assert len(smtp.messages) == 1 and b"Code: 000000" in smtp.messages[0].content
    deploy(cli, logto, project, *port, "--test-to", "ops@acme.test")
    assert logto.smtp_config is not None and logto.smtp_config["port"] == smtp.port
    assert len(smtp.messages) == 2


def test_failed_test_send_applies_nothing(cli: CliRunner, logto: FakeLogto, project: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    result = deploy(cli, logto, project, "--set", f"port={closed}", "--test-to", "ops@acme.test", expect=1)
    assert "Logto could not send the test message to ops@acme.test, so nothing was applied" in result.stderr
    # As the real server writes it: the connector's error as compact JSON in Logto's message.
    assert (
        f'400 connector.general: Error occurred in connector: {{"message":"connect ECONNREFUSED 127.0.0.1:{closed}"'
        in result.stderr
    )
    assert logto.writes == [("POST", f"/api/connectors/{SMTP_ID}/test")]
    assert logto.smtp_config is None


def test_usage_errors(cli: CliRunner, logto: FakeLogto, project: Path) -> None:
    env = env_for(logto)
    assert "choose an environment" in cli("deploy", str(project), env=env, expect=2).stderr
    assert (
        "email address"
        in cli("deploy", str(project), "-e", "prod", "--test-to", "x", env=env, expect=2).stderr
    )
    cli("deploy", str(project), "-e", "prod", "--check", "--dry-run", env=env, expect=2)
    assert "no environment `prdo`" in cli("deploy", str(project), "-e", "prdo", env=env, expect=2).stderr
    assert logto.requests == []


def test_readme_ci_workflow_lints_checks_and_deploys() -> None:
    """The README's GitHub Actions workflow is valid YAML whose commands this CLI accepts."""
    import re
    import shlex

    import yaml

    from connector.cli.main import build_parser

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("## Deploy from CI", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert block is not None
    workflow = yaml.safe_load(block.group(1))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"pull_request", "push", "schedule"}
    assert workflow["env"]["LOGTO_M2M_APP_SECRET"] == "${{ secrets.LOGTO_M2M_APP_SECRET }}"
    runs = {}
    for name, job in workflow["jobs"].items():
        commands = [
            step["run"] for step in job["steps"] if "run" in step and "smtp-connector " in step["run"]
        ]
        runs[name] = (job["if"], commands)
        for command in commands:
            argv = shlex.split(re.sub(r"\$\{\{[^}]*\}\}", "ops@acme.example", command.split("#")[0]))
            build_parser().parse_args(argv[1:])
    assert runs["lint"][0] == "github.event_name == 'pull_request'" and "lint" in runs["lint"][1][0]
    assert runs["drift"][0] == "github.event_name == 'schedule'" and "--check" in runs["drift"][1][0]
    assert runs["deploy"][0] == "github.event_name == 'push'" and "deploy" in runs["deploy"][1][-1]
    # doctor: DNS and templates in pull requests; all of it (the SMTP login too) before each deploy.
    assert "doctor" in runs["lint"][1][1] and "--only dns,templates" in runs["lint"][1][1]
    assert "doctor" in runs["deploy"][1][0] and "--only" not in runs["deploy"][1][0]


def test_pull_turns_every_secret_into_a_variable(cli: CliRunner, logto: FakeLogto, tmp_path: Path) -> None:
    secrets = {
        "SMTP_CLIENT_SECRET": "oauth-secret-1",
        "SMTP_REFRESH_TOKEN": "refresh-tok-1",
        "DKIM_PRIVATE_KEY": "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n",
        "SMTP_PROXY": "http://u:proxy-pw-1@proxy.acme.test:8080",
    }
    config = {
        "host": "smtp.acme.test",
        "port": 587,
        "auth": {
            "type": "OAuth2",
            "user": "me@acme.test",
            "clientId": "cid",
            "clientSecret": secrets["SMTP_CLIENT_SECRET"],
            "refreshToken": secrets["SMTP_REFRESH_TOKEN"],
        },
        "dkim": {"domainName": "acme.test", "keySelector": "s1", "privateKey": secrets["DKIM_PRIVATE_KEY"]},
        "proxy": secrets["SMTP_PROXY"],
        "fromEmail": "Acme <no-reply@acme.test>",
        "templates": [
            {
                "usageType": t,
                "contentType": "text/html",
                "subject": f"{t} $5 ${{x}}",
                "content": "<p>{{code}}</p>",
            }
            for t in ("SignIn", "Register", "ForgotPassword", "Generic")
        ],
    }
    logto.add_connector(SMTP_ID, config)
    out = tmp_path / "pulled"
    env = {
        "LOGTO_ENDPOINT": logto.url,
        "LOGTO_M2M_APP_ID": logto.app_id,
        "LOGTO_M2M_APP_SECRET": logto.app_secret,
    }
    result = cli("pull", str(out), "-e", "live", env=env)
    for name in secrets:
        assert f"  {name}  (" in result.stdout
    written = "".join(p.read_text() for p in out.rglob("*") if p.is_file())
    for value in ("oauth-secret-1", "refresh-tok-1", "abc", "proxy-pw-1"):
        assert value not in written and value not in result.stdout + result.stderr
    assert (out / "templates" / "en" / "forgot-password.html").is_file()
    cli("build", str(out), "--env", "live", "-o", str(tmp_path / "live.json"), env=secrets)
    assert json.loads((tmp_path / "live.json").read_text()) == config


def test_pull_without_an_smtp_connector(cli: CliRunner, logto: FakeLogto, tmp_path: Path) -> None:
    env = {
        "LOGTO_ENDPOINT": logto.url,
        "LOGTO_M2M_APP_ID": logto.app_id,
        "LOGTO_M2M_APP_SECRET": logto.app_secret,
    }
    result = cli("pull", str(tmp_path / "p"), env=env, expect=1)
    assert "has no SMTP connector to pull" in result.stderr
    assert not (tmp_path / "p").exists()


def test_read_back_that_differs_is_an_error(cli: CliRunner, logto: FakeLogto, project: Path) -> None:
    deploy(cli, logto, project)
    logto.fault("PATCH", "/api/connectors/", status=200, body={})  # answers, but stores nothing
    result = deploy(cli, logto, project, "--set", "port=587", expect=1)
    assert "applied: updated connector" in result.stderr
    assert "but reading back, Logto holds something else than the project built" in result.stderr
    assert "~ port: 2525 -> 587" in result.stderr
    deploy(cli, logto, project, "--set", "port=587")


def test_unreachable_logto_is_retried_then_named(cli: CliRunner, logto: FakeLogto, project: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    result = deploy(cli, logto, project, "--endpoint", closed, expect=1)
    assert f"cannot reach Logto at {closed}" in result.stderr


def test_an_answer_that_is_not_json(cli: CliRunner, logto: FakeLogto, project: Path) -> None:
    logto.fault("GET", "/api/connectors", status=502, times=3)
    result = deploy(cli, logto, project, expect=1)
    assert "Logto answered GET /api/connectors with 502 Bad Gateway" in result.stderr


def test_deploy_has_the_same_gate_as_build(cli: CliRunner, logto: FakeLogto, tmp_path: Path) -> None:
    # A value lint rejects (implicit TLS turned off on 465) blocks the deploy before any request, as it
    # blocks `build`; the finding names the environment file's line.
    project = make_project(tmp_path / "mail", prod=PROD + "port: 465\nsecure: false\n")
    result = deploy(cli, logto, project, expect=1)
    assert "prod.yaml:7:9: error SC303" in result.stderr and "SC303" in result.stderr
    assert logto.requests == []
    assert logto.smtp_config is None
