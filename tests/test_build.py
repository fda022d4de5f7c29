"""build: the exact Logto JSON, written atomically, all or nothing, with errors at source lines."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import jsonschema
import pytest

from connector import atomic
from connector.errors import InputError
from connector.schema.models import ConnectorConfig, Template

from .conftest import ROOT, CliRunner, run_subprocess
from .projects import write_project

ACME = ROOT / "examples" / "acme"
FINAL_SCHEMA = json.loads((ROOT / "schema" / "smtp-connector.schema.json").read_text())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(
        tmp_path / "email",
        {
            "environments/dev.yaml": "provider: dev-sink\n",
            "environments/prod.yaml": "auth:\n  pass: ${SMTP_PASS:?the API key}\n",
        },
    )


def test_build_prints_the_logto_json(cli: CliRunner, project: Path) -> None:
    out = cli("build", str(project), "--env", "dev").stdout
    assert out.startswith(
        '{\n  "host": "127.0.0.1",\n  "port": 2525,\n  "auth": {\n    "type": "login"\n  },\n'
    )
    assert out.endswith("\n}\n")
    data = json.loads(out)
    declared = [field.alias or name for name, field in ConnectorConfig.model_fields.items()]
    assert list(data) == [key for key in declared if key in data]
    assert list(data["templates"][0]) == ["usageType", "contentType", "subject", "content"]
    assert cli("build", str(project), "--env", "dev", "-o", "-").stdout == out


def test_the_project_defaults_to_the_current_folder(cli: CliRunner, project: Path) -> None:
    assert (
        cli("build", "--env", "dev", cwd=project).stdout == cli("build", str(project), "--env", "dev").stdout
    )


def test_build_to_a_file(cli: CliRunner, project: Path, tmp_path: Path) -> None:
    target = tmp_path / "built" / "prod.json"
    result = cli("build", str(project), "--env", "prod", "-o", str(target), env={"SMTP_PASS": "key-1234"})
    assert result.stdout == ""
    assert result.stderr == f"wrote {target}\n"
    assert json.loads(target.read_text())["auth"] == {"user": "apikey", "pass": "key-1234"}
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # it holds a secret


def test_build_all(cli: CliRunner, project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cli("build", str(project), "--all", "--out-dir", str(out), env={"SMTP_PASS": "key-1234"})
    assert sorted(p.name for p in out.iterdir()) == ["dev.json", "prod.json"]
    for path in out.iterdir():
        jsonschema.Draft202012Validator(FINAL_SCHEMA).validate(json.loads(path.read_text()))


def test_a_failing_build_leaves_the_existing_file_untouched(
    cli: CliRunner, project: Path, tmp_path: Path
) -> None:
    target = tmp_path / "prod.json"
    target.write_text("previous\n")
    result = cli("build", str(project), "--env", "prod", "-o", str(target), expect=1, env={})
    assert result.stderr == (
        f"{project}/environments/prod.yaml:2:9: error SC502 environment variable SMTP_PASS is not set: the API key "
        "(hint: set SMTP_PASS in the environment that runs the build)\n"
    )
    assert target.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["email", "prod.json"]


def test_build_all_is_all_or_nothing(cli: CliRunner, project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "dev.json").write_text("old dev\n")
    cli("build", str(project), "--all", "--out-dir", str(out), expect=1, env={})
    assert [p.name for p in out.iterdir()] == ["dev.json"]
    assert (out / "dev.json").read_text() == "old dev\n"


def test_every_failing_environment_is_reported(cli: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path, {"environments/a.yaml": "port: 0\n", "environments/b.yaml": "port: 70000\n"})
    result = cli("build", str(tmp_path), "--all", "--out-dir", str(tmp_path / "out"), expect=1)
    assert result.stderr.splitlines() == [
        f"{tmp_path}/environments/a.yaml:1:7: error SC202 port: 0 must be at least 1; Logto saves it, and nodemailer fails or misbehaves when it sends (hint: use a value at least 1)",
        f"{tmp_path}/environments/b.yaml:1:7: error SC202 port: 70000 must be at most 65535; Logto saves it, and nodemailer fails or misbehaves when it sends "
        "(hint: use a value at most 65535)",
    ]


def test_a_composed_error_points_at_the_layer_not_the_merged_result(cli: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path, {"environments/prod.yaml": "provider: null\nhost: relay.internal\nport: 25\n"})
    result = cli("build", str(tmp_path), "--env", "prod", expect=1)
    assert result.stderr == (
        f"{tmp_path}/smtp-connector.yaml:1:1: error SC203 missing required key `auth` (hint: add `auth:`)\n"
    )


def test_an_emptied_auth_is_reported_where_it_was_emptied(cli: CliRunner, tmp_path: Path) -> None:
    write_project(tmp_path, {"environments/prod.yaml": 'auth:\n  user: ""\n  pass: ""\n'})
    # build is a gate: lint's SC301 stops it first, at the user's line (not the provider's `auth:`).
    result = cli("build", str(tmp_path), "--env", "prod", expect=1)
    assert result.stderr == (
        f"{tmp_path}/environments/prod.yaml:2:3: error SC301 `auth` is empty: Logto deletes empty values when it "
        "saves the config, so the saved config has no `auth` and Logto rejects it (hint: set auth.user and "
        "auth.pass (pass: ${SMTP_PASS}))\n"
    )
    # The build itself says the same where it strips the value (render and send build through it).
    from connector.build.outputs import build_config
    from connector.errors import InputError

    with pytest.raises(InputError) as caught:
        build_config(tmp_path, "prod", environ={})
    assert [str(f.format()) for f in caught.value.findings] == [
        f"{tmp_path}/environments/prod.yaml:2:3: error SC402 `auth` is empty: Logto deletes empty values when it saves a "
        "config, and every send of the saved config then fails because `auth` is required (hint: fill in user and pass; a relay without "
        "credentials needs `auth: {type: login}` and must not advertise AUTH)"
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--all"], "--all writes one file per environment: add --out-dir DIR"),
        ([], "choose an environment with --env ENV (environments: dev, prod), or --all --out-dir DIR"),
        (["--env", "dev", "-o", "x.json", "--out-dir", "d"], "use either -o FILE or --out-dir DIR, not both"),
        (["--env", "prd"], "no environment `prd` in {project} (it has dev, prod); did you mean `prod`?"),
    ],
)
def test_usage_errors(cli: CliRunner, project: Path, args: list[str], message: str) -> None:
    result = cli("build", str(project), *args, expect=2)
    assert result.stderr == f"smtp-connector: error: {message.format(project=project)}\n"


def test_set_overrides_on_the_command_line(cli: CliRunner, project: Path) -> None:
    out = cli(
        "build", str(project), "--env", "dev", "--set", "port=2526", "--set", "fromEmail=Dev <d@x.example>"
    )
    data = json.loads(out.stdout)
    assert (data["port"], data["fromEmail"]) == (2526, "Dev <d@x.example>")


def test_an_unwritable_output_is_an_input_error(cli: CliRunner, project: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = cli("build", str(project), "--env", "dev", "-o", str(blocker / "x.json"), expect=1)
    assert result.stderr.startswith(f"smtp-connector: error: cannot write {blocker}/x.json: ")


def test_write_atomic_keeps_the_old_file_when_replacing_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "config.json"
    target.write_text("old\n")

    def fail(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(InputError, match=r"cannot write .*config\.json: No space left on device"):
        atomic.write_atomic(target, "new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["config.json"]


def test_the_acme_example_builds_every_environment(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    cli("build", str(ACME), "--all", "--out-dir", str(out), env={"SMTP_PASS": "dummy"})
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{env}{suffix}"
        for env in ("dev", "prod", "staging")
        for suffix in (".json", ".email-templates.json")
    )
    dev = json.loads((out / "dev.json").read_text())
    assert (dev["host"], dev["port"]) == ("127.0.0.1", 2525)
    staging = json.loads((out / "staging.json").read_text())
    assert staging["customHeaders"] == {"X-Acme-Environment": "staging"}
    assert "replyTo" not in staging
    for path in out.glob("*.email-templates.json"):
        for entry in json.loads(path.read_text())["templates"]:
            assert entry["languageTag"] == "fr"
            Template.model_validate({"usageType": entry["templateType"], **entry["details"]})
    for env in ("dev", "prod", "staging"):
        ConnectorConfig.model_validate(json.loads((out / f"{env}.json").read_text()))


def test_the_readme_main_command_in_a_real_process(tmp_path: Path) -> None:
    result = run_subprocess(
        "build",
        "examples/acme",
        "--all",
        "--out-dir",
        str(tmp_path / "out"),
        cwd=ROOT,
        env={"SMTP_PASS": "dummy"},
    )
    assert result.stderr.splitlines() == [
        f"wrote {tmp_path}/out/{env}{suffix}"
        for env in ("dev", "prod", "staging")
        for suffix in (".json", ".email-templates.json")
    ]


def test_build_all_with_a_write_failure_midway_writes_nothing(
    cli: CliRunner, project: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "dev.json").write_text("old dev\n")
    (out / "prod.json").mkdir()  # the second write fails: the first must not have happened either
    result = cli(
        "build", str(project), "--all", "--out-dir", str(out), expect=1, env={"SMTP_PASS": "key-1234"}
    )
    assert f"cannot write {out / 'prod.json'}: it is a folder" in result.stderr
    assert (out / "dev.json").read_text() == "old dev\n"
    assert sorted(p.name for p in out.iterdir()) == ["dev.json", "prod.json"]  # no temporary file left
