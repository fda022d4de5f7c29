"""doctor's command: the check catalog against docs/doctor.md, the three formats, exit codes, options."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from connector.doctor import CHECKS, Check, failed
from connector.doctor.report import as_github, as_json, as_text

from .conftest import ROOT, CliRunner
from .projects import TEMPLATES, write_project
from .smtp_fixtures import logto_config, write_config

CHECKS_SAMPLE = [
    Check("smtp.connect", "pass", "127.0.0.1:25 greeted"),
    Check("smtp.tls-mode", "fail", "expects TLS: 50% of sends\nfail", "set `secure: true`", "secure"),
    Check("smtp.starttls", "warn", "no requireTLS", "set `requireTLS: true`", "requireTLS"),
    Check("smtp.login", "skip", "::error::not tried"),
]


def test_every_check_is_documented_in_order() -> None:
    text = (ROOT / "docs" / "doctor.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([a-z0-9.-]+)` \| (\w+) \|", text, re.M)
    assert rows == [(id, info.part) for id, info in CHECKS.items()]


def test_a_check_must_have_a_known_id_and_status() -> None:
    with pytest.raises(ValueError):
        Check("smtp.nope", "pass", "")
    with pytest.raises(ValueError):
        Check("smtp.connect", "ok", "")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("statuses", "strict", "fails"),
    [
        (("pass", "skip"), False, False),
        (("pass", "warn"), False, False),
        (("pass", "warn"), True, True),
        (("fail",), False, True),
        (("skip",), True, False),
    ],
)
def test_what_fails_the_run(statuses: tuple[str, ...], strict: bool, fails: bool) -> None:
    checks = [Check("smtp.connect", s, "") for s in statuses]  # type: ignore[arg-type]
    assert failed(checks, strict=strict) == fails


def test_text_is_one_printable_line_per_check_and_a_summary() -> None:
    lines = as_text(CHECKS_SAMPLE).splitlines()
    assert lines == [
        "pass smtp.connect   127.0.0.1:25 greeted",
        "FAIL smtp.tls-mode  expects TLS: 50% of sends\\nfail (fix: set `secure: true`; key: secure)",
        "WARN smtp.starttls  no requireTLS (fix: set `requireTLS: true`; key: requireTLS)",
        "skip smtp.login     \\x3a:error::not tried",
        "4 checks: 1 passed, 1 warning, 1 failed, 1 skipped",
    ]


def test_json_has_stable_fields() -> None:
    data = json.loads(as_json(CHECKS_SAMPLE))
    assert data["checks"][1] == {
        "id": "smtp.tls-mode",
        "status": "fail",
        "message": "expects TLS: 50% of sends\nfail",
        "hint": "set `secure: true`",
        "key": "secure",
        "environment": None,  # a built config file's checks
        "file": None,  # the place a project's file sets the key: none for a built file
        "line": None,
        "column": None,
    }
    assert data["summary"] == {"pass": 1, "warn": 1, "fail": 1, "skip": 1}


@pytest.mark.parametrize("unsafe", ["\u202e", "\u2066", "\x9b", "\x85", "\x7f", "\u2028", "##["])
def test_json_writes_what_a_terminal_or_runner_acts_on_as_escapes_and_keeps_the_text(unsafe: str) -> None:
    said = f"554 {unsafe}group] spoofed"  # a server's reply, as it said it
    check = Check("smtp.connect", "fail", said, hint=said, key="host", environment=f"e{unsafe}")
    text = as_json([check])
    assert unsafe not in text  # JSON leaves these as they are; a terminal or a GitHub runner acts on them
    assert json.loads(text)["checks"][0] == check.as_dict()


def test_github_annotates_failures_and_warnings_and_nothing_else_is_a_command() -> None:
    lines = as_github(CHECKS_SAMPLE).splitlines()
    assert lines[1] == (
        "::error title=doctor smtp.tls-mode (secure)::expects TLS: 50%25 of sends\\nfail%0Afix: set `secure: true`"
    )
    assert lines[2].startswith("::warning title=doctor smtp.starttls (requireTLS)::")
    assert [line for line in lines if line.lstrip().startswith("::")] == lines[1:3]


def test_only_runs_the_parts_named(cli: CliRunner, tmp_path: Path) -> None:
    path = write_config(tmp_path / "logto.json", logto_config(25))
    result = cli("doctor", str(path), "--only", "templates", "--format", "json")
    ids = {c["id"] for c in json.loads(result.stdout)["checks"]}
    assert ids and all(CHECKS[i].part in ("templates", "config") for i in ids)
    assert {i for i in ids if CHECKS[i].part == "config"} == {"config.examples"}  # whatever parts run


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--only", "smpt"), "did you mean `smtp`"),
        (("--only", ","), "needs at least one"),
        (("--timeout", "0"), "--timeout"),
        (("--timeout", "nan"), "--timeout"),
        # Past Node's timer limit (2**31 - 1 ms) the config's timeouts would be refused; 1e308 overflowed.
        (("--timeout", "2147483.648"), "at most 2,147,483.647"),
        (("--timeout", "1e308"), "at most 2,147,483.647"),
        (("--format", "sarif"), "invalid choice"),
        # Wrong whatever the config holds (this one has a sender domain; see below for one without).
        (("--dns-server", "127.0.0.1:0"), "from 1 to 65535"),
        (("--dns-server", "[::1]:65536"), "from 1 to 65535"),
        (("--all",), "--all is for a project folder"),
        (("--locale", "fr"), "unrecognized arguments"),  # every language is checked: nothing to choose
    ],
)
def test_a_wrong_command_line_is_exit_2(
    cli: CliRunner, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    path = write_config(tmp_path / "logto.json", logto_config(25))
    result = cli("doctor", str(path), *args, expect=2)
    assert message in result.stderr


def test_the_longest_timeout_is_nodes_timer_limit(cli: CliRunner, tmp_path: Path) -> None:
    path = write_config(tmp_path / "logto.json", logto_config(25))
    cli("doctor", str(path), "--only", "templates", "--timeout", "2147483.647")


def test_a_config_that_does_not_load_is_exit_1_with_its_place(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "logto.json"
    path.write_text('{"host": "x", "port": "25"}', encoding="utf-8")
    result = cli("doctor", str(path), expect=1)
    assert "logto.json:1:" in result.stderr


def test_a_wrong_dns_server_is_exit_2_even_with_no_sender_domain(cli: CliRunner, tmp_path: Path) -> None:
    config = logto_config(25, fromEmail="{{user.primaryEmail}}")
    path = write_config(tmp_path / "logto.json", config)
    result = cli("doctor", str(path), "--only", "dns", "--dns-server", "127.0.0.1:x", expect=2)
    assert "--dns-server 127.0.0.1:x" in result.stderr


SINK = "host: 127.0.0.1\nport: 2525\n"


@pytest.fixture
def three_environments(tmp_path: Path) -> Path:
    """dev sends to a sink on this machine; staging and prod to the relay."""
    return write_project(
        tmp_path / "project",
        {
            "environments/dev.yaml": SINK,
            "environments/staging.yaml": "{}\n",
            "environments/prod.yaml": "{}\n",
        },
    )


def test_all_checks_each_environment_but_one_sending_to_this_machine(
    cli: CliRunner, three_environments: Path
) -> None:
    result = cli("doctor", str(three_environments), "--all", "--only", "templates", "--format", "json")
    checks = json.loads(result.stdout)["checks"]
    assert [(c["environment"], c["id"], c["status"]) for c in checks] == [
        ("dev", "config.environment", "skip"),
        ("prod", "config.examples", "pass"),
        ("prod", "templates.size", "pass"),
        ("prod", "templates.lint", "pass"),
        ("staging", "config.examples", "pass"),
        ("staging", "templates.size", "pass"),
        ("staging", "templates.lint", "pass"),
    ]
    assert "127.0.0.1:2525" in checks[0]["message"] and "-e dev" in checks[0]["hint"]
    text = cli("doctor", str(three_environments), "--all", "--only", "templates").stdout.splitlines()
    assert [line for line in text if line.startswith("environment ")] == [
        "environment dev:",
        "environment prod:",
        "environment staging:",
    ]
    github = cli("doctor", str(three_environments), "--all", "--only", "templates", "--format", "github")
    assert "pass prod: templates.size" in github.stdout


def test_all_chooses_by_the_files_and_set_applies_to_each_environment_checked(
    cli: CliRunner, three_environments: Path
) -> None:
    """`--set host=...` redirects the environments checked; it does not make dev one of them."""
    args = ("doctor", str(three_environments), "--all", "--only", "templates", "--format", "json")
    checks = json.loads(cli(*args, "--set", "host=127.0.0.1").stdout)["checks"]
    assert [c["environment"] for c in checks if c["id"] == "config.environment"] == ["dev"]
    assert {c["environment"] for c in checks} == {"dev", "prod", "staging"}


@pytest.mark.parametrize("host", ["localhost", "::1", "127.0.0.2"])
def test_every_loopback_name_is_this_machine(cli: CliRunner, tmp_path: Path, host: str) -> None:
    root = write_project(
        tmp_path / "p", {"environments/dev.yaml": f"host: '{host}'\n", "environments/prod.yaml": "{}\n"}
    )
    checks = json.loads(cli("doctor", str(root), "--all", "--only", "templates", "--format", "json").stdout)[
        "checks"
    ]
    assert (checks[0]["environment"], checks[0]["id"]) == ("dev", "config.environment")
    assert {c["environment"] for c in checks[1:]} == {"prod"}


@pytest.mark.parametrize(
    ("files", "code", "message"),
    [
        ({"notes.txt": "x"}, 1, ""),  # not a project: what load says of the folder
        ({"smtp-connector.yaml": "provider: sendgrid\n"}, 2, "has none (environments/ENV.yaml)"),
    ],
)
def test_all_needs_a_project_with_environments(
    cli: CliRunner, tmp_path: Path, files: dict[str, str], code: int, message: str
) -> None:
    folder = tmp_path / "folder"
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    result = cli("doctor", str(folder), "--all", expect=code)
    assert message in result.stderr and "Traceback" not in result.stderr


def test_all_and_env_are_one_or_the_other(cli: CliRunner, three_environments: Path) -> None:
    result = cli("doctor", str(three_environments), "--all", "-e", "prod", expect=2)
    assert "not both" in result.stderr


def test_a_key_the_project_sets_is_located_and_one_it_leaves_to_the_overlay_is_not(
    cli: CliRunner, three_environments: Path, dns_server: Any
) -> None:
    """fromEmail is in smtp-connector.yaml (line 2 of tests/projects.py's PROJECT); the host comes from
    the sendgrid overlay, which is not the project's to annotate."""
    result = cli(
        "doctor", str(three_environments), "-e", "prod", "--only", "dns", "--format", "json",
        "--dns-server", dns_server({}).address, "--timeout", "5", expect=1,
    )  # fmt: skip
    checks = json.loads(result.stdout)["checks"]
    spf = next(c for c in checks if c["id"] == "dns.spf")
    assert (spf["key"], spf["file"], spf["line"], spf["column"]) == (
        "fromEmail",
        str(three_environments / "smtp-connector.yaml"),
        2,
        12,
    )
    github = cli(
        "doctor", str(three_environments), "-e", "prod", "--only", "dns", "--format", "github",
        "--dns-server", dns_server({}).address, "--timeout", "5", expect=1,
    ).stdout  # fmt: skip
    assert (
        f"::error file={three_environments / 'smtp-connector.yaml'},line=2,col=12,title=doctor prod%3A dns.spf"
        in github
    )


def test_an_environment_files_key_is_located_there(cli: CliRunner, tmp_path: Path, dns_server: Any) -> None:
    root = write_project(tmp_path / "p", {"environments/prod.yaml": "# prod\nfromEmail: team@prod.example\n"})
    result = cli(
        "doctor", str(root), "-e", "prod", "--only", "dns", "--format", "json",
        "--dns-server", dns_server({}).address, "--timeout", "5", expect=1,
    )  # fmt: skip
    mx = next(c for c in json.loads(result.stdout)["checks"] if c["id"] == "dns.mx")
    assert (mx["file"], mx["line"], mx["column"]) == (str(root / "environments" / "prod.yaml"), 2, 12)


def test_a_key_given_by_set_is_not_located(cli: CliRunner, three_environments: Path, dns_server: Any) -> None:
    result = cli(
        "doctor", str(three_environments), "-e", "prod", "--only", "dns", "--format", "json",
        "--set", "fromEmail=ops@set.example", "--dns-server", dns_server({}).address, "--timeout", "5",
        expect=1,
    )  # fmt: skip
    mx = next(c for c in json.loads(result.stdout)["checks"] if c["id"] == "dns.mx")
    assert "set.example" in mx["message"] and mx["file"] is None


@pytest.mark.parametrize(
    ("changes", "key", "example"),
    [
        (
            {"fromEmail": "<no-reply@your-verified-domain.com>"},
            "fromEmail",
            "<no-reply@your-verified-domain.com>",
        ),
        ({"host": "<smtp host>"}, "host", "<smtp host>"),
        # A secret's value is never shown, even an example one: doctor's output redacts every secret.
        ({"auth": {"user": "apikey", "pass": "<api key>"}}, "auth.pass", "********"),
    ],
)
def test_an_example_value_left_in_place_fails_whatever_parts_run(
    cli: CliRunner, tmp_path: Path, changes: dict[str, Any], key: str, example: str
) -> None:
    path = write_config(tmp_path / "logto.json", logto_config(25, **changes))
    result = cli("doctor", str(path), "--only", "templates", "--format", "json", expect=1)
    found = [c for c in json.loads(result.stdout)["checks"] if c["id"] == "config.examples"]
    assert [(c["status"], c["key"]) for c in found] == [("fail", key)]
    assert example in found[0]["message"]


@pytest.mark.parametrize(
    "value",
    [
        "Acme <no-reply@acme.example>",  # a mailbox's angle brackets
        "s3cr<et>pw",  # part of a password: a secret is an example only when all of it is
    ],
)
def test_what_is_no_example_value_passes(cli: CliRunner, tmp_path: Path, value: str) -> None:
    key = "fromEmail" if "@" in value else "auth"
    config = logto_config(25, **({key: value} if key == "fromEmail" else {key: {"user": "u", "pass": value}}))
    path = write_config(tmp_path / "logto.json", config)
    result = cli("doctor", str(path), "--only", "templates", "--format", "json")
    found = [c for c in json.loads(result.stdout)["checks"] if c["id"] == "config.examples"]
    assert [c["status"] for c in found] == ["pass"]
    assert "s3cr" not in result.stdout


def test_an_example_sender_is_not_looked_up(cli: CliRunner, tmp_path: Path, dns_server: Any) -> None:
    server = dns_server({})
    config = logto_config(25, fromEmail="<no-reply@your-verified-domain.com>")
    path = write_config(tmp_path / "logto.json", config)
    cli("doctor", str(path), "--only", "dns", "--dns-server", server.address, expect=1)
    assert server.questions == []


VARIABLES = {
    "smtp-connector.yaml": "provider: sendgrid\nfromEmail: ${DOCTOR_FROM}\n" + TEMPLATES,
    "environments/prod.yaml": "host: ${DOCTOR_HOST}\n",
}


def test_an_unset_variable_outside_the_credentials_is_a_skip_as_in_the_pull_request_job(
    cli: CliRunner, tmp_path: Path, dns_server: Any
) -> None:
    """The check job has no secret: the keys reading one are checked as written, and the rest runs."""
    root = write_project(tmp_path / "p", VARIABLES)
    server = dns_server({})
    args = (
        "doctor",
        str(root),
        "--all",
        "--format",
        "json",
        "--dns-server",
        server.address,
        "--timeout",
        "5",
    )
    checks = json.loads(cli(*args).stdout)["checks"]
    variables = next(c for c in checks if c["id"] == "config.variables")
    assert variables["status"] == "skip" and "DOCTOR_HOST, DOCTOR_FROM not set" in variables["message"]
    assert (variables["key"], variables["line"]) == ("host", 1)  # environments/prod.yaml
    assert {c["status"] for c in checks if c["id"].startswith(("dns.", "smtp."))} == {"skip"}
    assert "${DOCTOR_HOST}" in next(c for c in checks if c["id"] == "smtp.connect")["message"]
    assert server.questions == []  # nothing looked up for a sender written ${DOCTOR_FROM}
    # With them set (the build job), nothing is skipped for them: the domain is looked up.
    env = {"DOCTOR_FROM": "team@acme.test", "DOCTOR_HOST": "127.0.0.1"}
    checks = json.loads(cli(*args, "--only", "dns", env=env, expect=1).stdout)["checks"]
    assert "config.variables" not in {c["id"] for c in checks}
    assert ("acme.test", "MX") in server.questions
