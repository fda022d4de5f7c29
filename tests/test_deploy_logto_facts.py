"""What a real Logto does with a deploy (issue #21, measured on Logto 1.42), against the stand-in that now
behaves so (tests/logto_server.py): the 1 MB JSON body limit and its plain-text 404, 401 reasons and token
expiry, 400 for an unknown app, stored templates that shadow the project's, two environments on one
tenant."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connector.deploy.apply import apply_plan, oversized
from connector.deploy.client import LogtoError, ManagementClient
from connector.deploy.plan import Desired, make_plan, read_live
from connector.deploy.target import Setting, Target
from connector.errors import InputError
from connector.logto import requests
from connector.logto.requests import MAX_JSON_BODY, encode, pack, put_size

from .conftest import CliRunner
from .logto_server import JSON_LIMIT, SMTP_ID, FakeLogto
from .test_deploy import PASS, PROD, deploy, env_for, make_project


def target(fake: FakeLogto, app_id: str | None = None) -> Target:
    return Target(
        Setting(fake.url, "LOGTO_ENDPOINT"),
        Setting("https://default.logto.app/api", "LOGTO_API_RESOURCE"),
        Setting(app_id or fake.app_id, "LOGTO_M2M_APP_ID"),
        Setting(fake.app_secret, "LOGTO_M2M_APP_SECRET"),
    )


def entry(tag: str, kind: str, size: int) -> dict[str, Any]:
    """A store entry whose PUT entry is exactly ``size`` bytes as sent."""
    base: dict[str, Any] = {
        "languageTag": tag,
        "templateType": kind,
        "details": {"subject": "S", "content": ""},
    }
    pad = size - len(encode(base))
    assert pad >= 0
    base["details"]["content"] = "{{code}}" + "x" * (pad - 8)
    assert len(encode(base)) == size
    return base


# The limit: one fact, the stand-in's and the tool's.


def test_the_limit_is_koa_bodys_default() -> None:
    assert MAX_JSON_BODY == JSON_LIMIT == 1_048_576


@pytest.mark.parametrize("extra", [0, 1])
def test_a_put_is_split_exactly_at_the_limit(extra: int) -> None:
    # Two entries filling one request to the byte, then one byte more: a second request.
    half = (MAX_JSON_BODY - put_size([]) - 2) // 2
    sizes = [half, MAX_JSON_BODY - put_size([]) - 2 - half + extra]
    assert put_size(sizes) == MAX_JSON_BODY + extra
    assert pack(sizes) == ([range(0, 2)] if extra == 0 else [range(0, 1), range(1, 2)])
    body = {"templates": [entry("fr", "SignIn", sizes[0]), entry("fr", "Register", sizes[1])]}
    assert len(encode(body)) == MAX_JSON_BODY + extra  # put_size is the bytes the client sends


def test_pack_keeps_order_and_fills_each_request() -> None:
    assert pack([]) == []
    assert pack([10, 10, 10], limit=put_size([10, 10])) == [range(0, 2), range(2, 3)]
    # An entry too large alone still gets its own request (deploy refuses it before: SC706).
    assert pack([5, MAX_JSON_BODY, 5]) == [range(0, 1), range(1, 2), range(2, 3)]


# The stand-in answers as Logto does; the client explains it.


def test_an_oversized_write_is_a_plain_text_404_explained_by_its_size(logto: FakeLogto) -> None:
    big = {"templates": [entry("fr", "SignIn", MAX_JSON_BODY - put_size([]) + 1)]}
    with ManagementClient(target(logto)) as client, pytest.raises(LogtoError) as caught:
        client.write("PUT", "/api/email-templates", big)
    text = str(caught.value)
    assert caught.value.status == 404
    assert "the request was 1,048,577 bytes, over Logto's limit of 1,048,576 bytes" in text
    assert logto.templates == []
    # At the limit, the same route takes it.
    fits = {"templates": [entry("fr", "SignIn", MAX_JSON_BODY - put_size([]))]}
    with ManagementClient(target(logto)) as client:
        client.write("PUT", "/api/email-templates", fits)
    assert len(logto.templates) == 1


def test_a_small_404_is_not_blamed_on_the_size(logto: FakeLogto) -> None:
    with ManagementClient(target(logto)) as client, pytest.raises(LogtoError) as caught:
        client.write("PUT", "/api/no-such-route", {"x": 1})
    assert str(caught.value) == "Logto answered PUT /api/no-such-route with 404 Not Found"


def test_a_deploy_splits_the_store_into_requests_that_fit(logto: FakeLogto) -> None:
    entries = [entry(tag, "SignIn", 400_000) for tag in ("de", "es", "fr", "it")]
    logto.add_connector(SMTP_ID, {"host": "h"})
    desired = Desired({"host": "h"}, tuple(entries))
    with ManagementClient(target(logto)) as client:
        plan = make_plan(desired, read_live(client))
        assert len(plan.puts) == 4 and not plan.create and not plan.config
        steps = apply_plan(client, plan, desired)
    assert steps == [
        "put 2 email templates (de SignIn, es SignIn)",
        "put 2 email templates (fr SignIn, it SignIn)",
    ]
    assert [w for w in logto.writes] == [("PUT", "/api/email-templates")] * 2
    assert all(len(body) <= MAX_JSON_BODY for body in logto.bodies if body.startswith(b'{"templates"'))
    assert {t["languageTag"] for t in logto.templates} == {"de", "es", "fr", "it"}


def test_a_template_that_cannot_fit_is_refused_before_anything_is_sent(logto: FakeLogto) -> None:
    huge = entry("fr", "SignIn", MAX_JSON_BODY)
    desired = Desired({"host": "h"}, (entry("de", "SignIn", 100), huge))
    with ManagementClient(target(logto)) as client:
        plan = make_plan(desired, read_live(client))
        found = oversized(plan, desired, logto.url)
        assert [(f.rule, f.file) for f in found] == [("SC706", f"{logto.url}/api/email-templates")]
        assert "email template fr SignIn is 1,048,593 bytes" in found[0].message
        with pytest.raises(InputError) as caught:
            apply_plan(client, plan, desired)
    assert [f.rule for f in caught.value.findings] == ["SC706"]
    assert logto.writes == []


def test_a_connector_config_over_the_limit_is_refused_whole() -> None:
    config: dict[str, Any] = {"host": "h", "templates": [{"usageType": "Generic", "content": ""}]}
    room = MAX_JSON_BODY - requests.connector_request_size(config)
    config["templates"][0]["content"] = "x" * room
    assert oversized(None, Desired(config, ()), "https://auth.example") == []
    config["templates"][0]["content"] += "x"
    [finding] = oversized(None, Desired(config, ()), "https://auth.example")
    assert finding.rule == "SC705" and "1,048,577 bytes" in finding.message


def test_lint_and_deploy_stop_a_project_whose_variant_cannot_fit(
    cli: CliRunner, logto: FakeLogto, tmp_path: Path
) -> None:
    project = make_project(tmp_path / "mail")
    # Under the 1 MiB file cap, but JSON escapes each quote and line break: 1.2 MB as sent.
    (project / "fr.txt").write_text("Votre code : {{code}}\n" + '<p class="x">\n' * 70_000)
    text = (project / "smtp-connector.yaml").read_text()
    (project / "smtp-connector.yaml").write_text(
        text.replace('content: "Votre code est {{code}}."', "content: {text: fr.txt}")
    )
    result = cli("lint", str(project), expect=1)
    assert 'smtp-connector.yaml:16:25: error SC706 template "SignIn" (fr) is 1,190,' in result.stdout
    result = deploy(cli, logto, project, expect=1)
    assert "SC706" in result.stderr
    assert logto.writes == []


# 401: the reason, and an expired token renewed once.


def test_an_expired_token_is_renewed_once_and_the_request_sent_again(logto: FakeLogto) -> None:
    with ManagementClient(target(logto)) as client:
        client.get("/api/connectors")
        logto.expire_tokens()
        client.get("/api/connectors")
        logto.expire_tokens()
        # A write too: Logto's bearer check refused it before the route ran.
        client.write("PUT", "/api/email-templates", {"templates": [entry("fr", "SignIn", 200)]})
    assert [r for r in logto.requests] == [
        ("POST", "/oidc/token"),
        ("GET", "/api/connectors"),
        ("GET", "/api/connectors"),  # 401 ERR_JWT_EXPIRED
        ("POST", "/oidc/token"),
        ("GET", "/api/connectors"),
        ("PUT", "/api/email-templates"),  # 401 ERR_JWT_EXPIRED: not applied
        ("POST", "/oidc/token"),
        ("PUT", "/api/email-templates"),
    ]
    assert len(logto.templates) == 1


def test_a_token_that_expires_again_is_not_renewed_twice_and_the_reason_is_shown(logto: FakeLogto) -> None:
    logto.token_lifetime = 0  # every token Logto issues is already expired
    with ManagementClient(target(logto)) as client, pytest.raises(LogtoError) as caught:
        client.get("/api/connectors")
    assert [r[1] for r in logto.requests] == ["/oidc/token", "/api/connectors"] * 2
    text = str(caught.value)
    assert "401 auth.unauthorized" in text
    assert "ERR_JWT_EXPIRED: the access token has expired" in text
    assert "Management API access role" not in text  # not a role problem


def test_a_token_logto_cannot_read_is_not_renewed_and_says_why(logto: FakeLogto) -> None:
    with ManagementClient(target(logto)) as client:
        client.get("/api/connectors")
        logto.tokens.clear()  # the token means nothing to this Logto (another tenant's, say)
        with pytest.raises(LogtoError) as caught:
            client.get("/api/connectors")
    assert "ERR_JWS_INVALID: the access token is not a signed JWT" in str(caught.value)
    assert [r[1] for r in logto.requests].count("/oidc/token") == 1


def test_an_unknown_app_id_is_named_as_such(logto: FakeLogto) -> None:
    with ManagementClient(target(logto, app_id="no-such-app")) as client, pytest.raises(LogtoError) as caught:
        client.get("/api/connectors")
    assert caught.value.status == 400 and caught.value.code == "invalid_client"
    assert "Logto has no application with this app id: check LOGTO_M2M_APP_ID" in caught.value.describe()


# The plan: a create lists its keys; stored templates that shadow the project's are named.


def test_a_create_plan_lists_every_key_and_names_secrets_only(
    cli: CliRunner, logto: FakeLogto, tmp_path: Path
) -> None:
    project = make_project(tmp_path / "mail")
    result = deploy(cli, logto, project, "--dry-run")
    lines = result.stdout.splitlines()
    assert lines[0] == f"connector {SMTP_ID}: create"
    assert '  + host: "127.0.0.1"' in lines and "  + port: 2525" in lines
    assert "  + auth.pass: (secret)" in lines
    assert '  + templates[SignIn].subject: "Sign-in code"' in lines
    assert logto.writes == []


def test_check_warns_about_a_store_template_that_shadows_the_project(
    cli: CliRunner, logto: FakeLogto, tmp_path: Path
) -> None:
    project = make_project(tmp_path / "mail")
    deploy(cli, logto, project)
    logto.add_template(
        "en", "Generic", {"subject": "Old", "content": "{{code}}", "contentType": "text/plain"}
    )
    result = deploy(cli, logto, project, "--check")  # not drift: the project does not manage it
    assert "note: en Generic is in Logto but not in the project (kept;" in result.stdout
    assert (
        "warning: en Generic in Logto's email-template store: in the fallback language `en`, Logto sends it "
        "instead of the project's SignIn, Register, ForgotPassword, Generic templates"
    ) in result.stderr
    deploy(cli, logto, project, "--prune-templates")
    result = deploy(cli, logto, project, "--check")
    assert "warning" not in result.stderr


# --all: two environments on one tenant.


def test_all_refuses_two_environments_that_build_differently_for_one_tenant(
    cli: CliRunner, logto: FakeLogto, tmp_path: Path
) -> None:
    project = make_project(tmp_path / "mail")
    (project / "environments" / "staging.yaml").write_text(PROD.replace("10000", "5000"))
    result = cli("deploy", str(project), "--all", env=env_for(logto), expect=1)
    assert "prod, staging all deploy to the Logto tenant at" in result.stderr
    assert "nothing was sent" in result.stderr
    assert logto.requests == []
    # Building the same thing, they may share it.
    (project / "environments" / "staging.yaml").write_text(PROD)
    cli("deploy", str(project), "--all", env=env_for(logto))
    assert logto.smtp_config is not None


def test_the_stand_in_keeps_empty_strings_and_no_content_type_in_the_store(logto: FakeLogto) -> None:
    stored = {"subject": "S", "content": "{{code}}", "replyTo": "", "sendFrom": ""}
    with ManagementClient(target(logto)) as client:
        client.write(
            "PUT",
            "/api/email-templates",
            {"templates": [{"languageTag": "fr", "templateType": "Generic", "details": stored}]},
        )
        [got] = client.get("/api/email-templates")
    assert got["details"] == stored


def test_the_lint_data_project_reports_sc706_at_the_variant() -> None:
    from connector.lint import lint_paths

    from .conftest import ROOT

    project = ROOT / "tests" / "data" / "lint" / "projects" / "sc706-variant-too-large"
    # SC614 (the types a fr user gets in English: this project translates one) is test_locales_runtime's.
    found = [f for f in lint_paths([str(project)]).findings if f.rule != "SC614"]
    assert [(f.rule, f.line, f.column, f.key_path) for f in found] == [
        ("SC111", 18, 25, ("templates", 0, "locales", "fr", "content")),  # 1.2 MB of HTML: Gmail clips it too
        ("SC706", 18, 25, ("templates", 0, "locales", "fr", "content")),  # where the file writes the variant
    ]


def test_a_lone_surrogate_is_sent_as_an_escape_and_counted_so() -> None:
    # UTF-8 cannot carry it; JSON's \ud83d escape can, and Logto's JSON.parse reads the same string.
    assert encode({"a": "x\ud83d"}) == b'{"a": "x\\ud83d"}'
    assert encode({"a": "é"}) == '{"a": "é"}'.encode()


# pull: the schema line, and a store template the project format cannot say yet is refused before writing.


def pull_env(fake: FakeLogto) -> dict[str, str]:
    return {
        "LOGTO_ENDPOINT": fake.url,
        "LOGTO_M2M_APP_ID": fake.app_id,
        "LOGTO_M2M_APP_SECRET": fake.app_secret,
    }


def test_pulled_yaml_files_name_the_schema(cli: CliRunner, logto: FakeLogto, tmp_path: Path) -> None:
    from connector.resources import SCHEMA_URL

    deploy(cli, logto, make_project(tmp_path / "mail"))
    out = tmp_path / "pulled"
    cli("pull", str(out), env=pull_env(logto))
    for name in ("smtp-connector.yaml", "environments/prod.yaml"):
        first = (out / name).read_text().splitlines()[0]
        assert first == f"# yaml-language-server: $schema={SCHEMA_URL}"
    assert SCHEMA_URL.endswith("/schema/smtp-connector.source.schema.json")


def _round_trip(cli: CliRunner, logto: FakeLogto, tmp_path: Path) -> tuple[Path, dict[Any, Any]]:
    """Pull, build the pulled project, deploy it with --dry-run: what the build gives, checked equal to the
    store, and no change planned."""
    import json

    out = tmp_path / "pulled"
    cli("pull", str(out), env=pull_env(logto))
    cli("build", str(out), "--env", "prod", "-o", str(tmp_path / "prod.json"), env={"SMTP_PASS": PASS})
    assert json.loads((tmp_path / "prod.json").read_text()) == logto.smtp_config
    store = json.loads((tmp_path / "prod.email-templates.json").read_text())["templates"]
    built = {(t["languageTag"], t["templateType"]): t["details"] for t in store}
    assert built == logto.template_map()
    before = len(logto.writes)
    again = cli("deploy", str(out), "--env", "prod", "--dry-run", env={**pull_env(logto), "SMTP_PASS": PASS})
    assert "no changes" in again.stdout and len(logto.writes) == before
    return out, built


def _store(logto: FakeLogto, tag: str, kind: str, details: dict[str, Any]) -> None:
    [entry] = [t for t in logto.templates if (t["languageTag"], t["templateType"]) == (tag, kind)]
    entry["details"] = details  # as Logto's store keeps it: no clean step


@pytest.mark.parametrize(
    ("details", "variant"),
    [
        (
            {"replyTo": "", "sendFrom": ""},
            {"contentType": None, "omit": None, "empty": ["replyTo", "sendFrom"], "replyTo": None},
        ),
        ({"sendFrom": ""}, {"empty": ["sendFrom"], "omit": None, "replyTo": None}),
        ({"replyTo": ""}, {"empty": ["replyTo"], "sendFrom": None}),
        ({"contentType": None}, {"omit": ["contentType"], "empty": None, "contentType": None}),
        ({"contentType": "text/html"}, {"contentType": "text/html", "omit": None}),
        ({"contentType": None, "sendFrom": ""}, {"omit": ["contentType"], "empty": ["sendFrom"]}),
    ],
    ids=["both-empty", "only-sendFrom-empty", "only-replyTo-empty", "no-contentType", "html", "both"],
)
def test_a_store_template_with_empty_strings_or_no_content_type_pulls_back_exactly(
    cli: CliRunner, logto: FakeLogto, tmp_path: Path, details: dict[str, Any], variant: dict[str, Any]
) -> None:
    import yaml

    deploy(cli, logto, make_project(tmp_path / "mail"))
    stored = {"subject": "Votre code", "content": "Code : {{code}}", "contentType": "text/plain", **details}
    _store(logto, "fr", "Generic", {k: v for k, v in stored.items() if v is not None})
    out, built = _round_trip(cli, logto, tmp_path)
    assert built["fr", "Generic"] == {k: v for k, v in stored.items() if v is not None}
    project = yaml.safe_load((out / "smtp-connector.yaml").read_text())
    [generic] = [t for t in project["templates"] if t["usageType"] == "Generic"]
    fr = generic["locales"]["fr"]
    for key, value in variant.items():
        assert fr.get(key) == value, key
    # Sent as HTML without a contentType (buildMailOptions): its file says so.
    html = stored["contentType"] != "text/plain"
    assert fr["content"] == {"text": f"templates/fr/generic.{'html' if html else 'txt'}"}


def test_a_variant_inherits_what_the_store_repeats_and_says_none_for_what_it_lacks(
    cli: CliRunner, logto: FakeLogto, tmp_path: Path
) -> None:
    import yaml

    from .test_deploy import PROJECT

    project = PROJECT.replace(
        "    subject: Your code\n",
        "    subject: Your code\n    replyTo: Support <support@acme.test>\n    sendFrom: Acme <a@acme.test>\n",
    )
    assert project != PROJECT
    deploy(cli, logto, make_project(tmp_path / "mail", project=project))
    base = {"subject": "Votre code", "content": "Code : {{code}}", "contentType": "text/plain"}
    # The same replyTo as the project's template (inherited), no sendFrom (none), and sendFrom "" in de.
    _store(logto, "fr", "Generic", {**base, "replyTo": "Support <support@acme.test>"})
    logto.add_template("de", "Generic", {**base, "sendFrom": "", "replyTo": "Hilfe <h@acme.test>"})
    out, built = _round_trip(cli, logto, tmp_path)
    locales = yaml.safe_load((out / "smtp-connector.yaml").read_text())["templates"][3]["locales"]
    assert locales["fr"].get("replyTo") is None and locales["fr"]["sendFrom"] == ""
    assert "empty" not in locales["fr"] and "omit" not in locales["fr"]
    assert locales["de"]["empty"] == ["sendFrom"] and locales["de"]["replyTo"] == "Hilfe <h@acme.test>"
    assert built["de", "Generic"]["sendFrom"] == "" and "sendFrom" not in built["fr", "Generic"]
