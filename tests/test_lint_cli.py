"""`smtp-connector lint` on the command line: formats, exit codes, usage errors, skipped files, secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import CliRunner, run_subprocess
from .projects import write_project

DATA = Path(__file__).resolve().parent / "data" / "lint"
GOOD, BAD = DATA / "good", DATA / "bad"


def test_clean_file_exits_0_and_says_what_it_checked(cli: CliRunner) -> None:
    result = cli("lint", str(GOOD / "minimal.yaml"), expect=0)
    assert (result.stdout, result.stderr) == ("", "All checks passed (1 file).\n")
    quiet = cli("lint", "-q", str(GOOD / "minimal.yaml"), expect=0)
    assert (quiet.stdout, quiet.stderr) == ("", "")


def test_errors_exit_1_with_compiler_lines_and_a_summary(cli: CliRunner) -> None:
    result = cli("lint", str(BAD / "sc303-465-secure-false.yaml"), expect=1)
    assert result.stdout.startswith(
        f"{BAD / 'sc303-465-secure-false.yaml'}:3:9: error SC303 port 465 expects TLS"
    )
    assert result.stderr == "1 error, 0 warnings\n"


def test_warnings_alone_exit_0(cli: CliRunner) -> None:
    result = cli("lint", str(BAD / "sc302-auth-without-credentials.yaml"), expect=0)
    assert "warning SC302" in result.stdout


def test_json_format_is_one_array_with_suppressed_findings_marked(cli: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    text = (
        (GOOD / "minimal.yaml")
        .read_text()
        .replace("${SMTP_PASS}", "literal-pass-123  # smtp-connector: disable=SC403")
    )
    config.write_text(text)
    result = cli("lint", str(config), "--format", "json", expect=0)
    items = json.loads(result.stdout)
    assert [(i["rule"], i["line"], i["column"], i.get("suppressed")) for i in items] == [
        ("SC403", 6, 9, True)
    ]
    assert set(items[0]) == {
        "file", "line", "column", "rule", "severity", "message", "hint", "kind", "key", "keyPath", "suppressed"
    }  # fmt: skip
    assert (items[0]["kind"], items[0]["key"], items[0]["keyPath"]) == (
        "literal-secret",
        "auth.pass",
        ["auth", "pass"],
    )
    assert "literal-pass-123" not in result.stdout


def test_file_is_shown_as_given(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD)
    result = cli("lint", "sc404-non-ascii-name.yaml", "--format", "json", expect=1)
    assert json.loads(result.stdout)[0]["file"] == "sc404-non-ascii-name.yaml"


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_no_format_prints_a_literal_secret(cli: CliRunner, fmt: str) -> None:
    result = cli(
        "lint",
        str(BAD / "sc403-literal-secrets.yaml"),
        str(BAD / "sc403-oauth2.json"),
        "--format",
        fmt,
        expect=1,
    )
    for secret in (
        "hunter2-but-longer",
        "s3cret-proxy",
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
        "GOCSPX-literal-secret",
    ):
        assert secret not in result.stdout + result.stderr


def test_files_named_on_the_command_line_are_linted_as_final_configs(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "web"}')
    result = cli("lint", str(tmp_path / "package.json"), expect=1)
    assert f"{tmp_path / 'package.json'}:1:1: error SC203 missing required key `host`" in result.stdout


def test_unrelated_files_are_skipped_in_hook_mode(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "web"}')
    (tmp_path / "broken.yaml").write_text("key: [unclosed\n")
    result = cli(
        "lint", "--skip-unrelated", str(tmp_path / "package.json"), str(tmp_path / "broken.yaml"), expect=0
    )
    assert result.stdout == ""
    assert (
        result.stderr
        == f"smtp-connector: nothing to lint: {tmp_path / 'package.json'}, {tmp_path / 'broken.yaml'} are not SMTP connector configs\n"
    )


def test_a_broken_file_that_is_ours_is_reported(cli: CliRunner, tmp_path: Path) -> None:
    broken = tmp_path / "logto.yaml"
    broken.write_text("fromEmail: a@example.com\ntemplates: [unclosed\n")
    result = cli("lint", str(broken), expect=1)
    assert "error SC004 YAML syntax error" in result.stdout


def test_missing_file_is_an_input_error(cli: CliRunner, tmp_path: Path) -> None:
    result = cli("lint", str(tmp_path / "nope.json"), expect=1)
    assert f"{tmp_path / 'nope.json'}:1:1: error SC001 no such file" in result.stdout


def test_usage_errors_exit_2(cli: CliRunner, tmp_path: Path) -> None:
    assert "invalid choice" in cli("lint", "x.yaml", "--format", "xml", expect=2).stderr
    result = cli("lint", str(GOOD / "minimal.yaml"), "--env", "prod", expect=2)
    assert "--env applies to a config project, and none was given" in result.stderr


@pytest.mark.parametrize("command", ["lint", "build", "preview", "explain", "deploy"])
@pytest.mark.parametrize("given", [True, False], ids=["named", "current folder"])
def test_a_folder_that_is_not_a_project_is_an_input_error_for_every_command(
    cli: CliRunner, tmp_path: Path, command: str, given: bool
) -> None:
    """Exit 1 and SC507 at the folder, from lint as from build (docs/cli.md, "Exit codes"): the command
    line is right, the folder is what is wrong. A folder beside it (not under it) is not looked at."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "README.md").write_text("# notes\n")
    write_project(tmp_path / "email", {})
    result = cli(command, *([str(folder)] if given else []), cwd=folder, expect=1)
    shown = str(folder) if given else "."
    line = result.stdout + result.stderr
    assert (
        f"{shown}:1:1: error SC507 {shown} is not an smtp-connector project: it has no smtp-connector.yaml"
        in line
    )
    assert ("nor does any folder under it" in line) == (command == "lint")
    assert "Traceback" not in line and "usage:" not in line


def test_lint_of_a_folder_that_is_not_a_project_is_a_finding_in_every_format(
    cli: CliRunner, tmp_path: Path
) -> None:
    result = cli("lint", str(tmp_path), "--format", "json", "--env", "prod", expect=1)
    (finding,) = json.loads(result.stdout)
    assert (finding["file"], finding["rule"], finding["severity"]) == (str(tmp_path), "SC507", "error")
    assert result.stderr == ""  # the finding says it all: no "--env applies to a config project" usage error
    assert cli("lint", str(tmp_path), "--hook", expect=0).stdout == ""  # the hook skips what is not ours


def test_a_project_folder_is_composed_and_its_missing_keys_reported(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "smtp-connector.yaml").write_text("host: smtp.example.com\n")
    result = cli("lint", str(tmp_path), expect=1)
    path = tmp_path / "smtp-connector.yaml"
    assert result.stdout.splitlines() == [
        f"{path}:1:1: error SC203 missing required key `{key}` (hint: add `{key}:`)"
        for key in ("auth", "fromEmail", "port", "templates")
    ]
    assert cli("lint", cwd=tmp_path, expect=1).stdout.count("SC203") == 4


def test_github_format(cli: CliRunner) -> None:
    """GitHub names files from the repository's root: an absolute path given is shown from there."""
    from connector.safe_paths import repository_root

    path = BAD / "sc102-duplicate-usage-type.yaml"
    root = repository_root(path.parent)
    shown = path.relative_to(root).as_posix() if root is not None else str(path)
    result = cli("lint", str(path), "--format", "github", expect=1)
    assert result.stdout.startswith(f"::error file={shown},line=10,col=17,title=SC102 duplicate-usage-type::")


def test_real_process_exit_codes() -> None:
    assert run_subprocess("lint", str(GOOD / "oauth2.json"), expect=0).stdout == ""
    assert "SC401" in run_subprocess("lint", str(BAD / "sc401-unfilled.json"), expect=1).stdout
    run_subprocess("lint", "--format", "nope", expect=2)


def test_a_numeric_password_is_not_echoed_by_the_type_error(cli: CliRunner, tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text((GOOD / "minimal.yaml").read_text().replace("${SMTP_PASS}", "90817263"))
    result = cli("lint", str(config), expect=1)
    assert "error SC403 `auth.pass` is a secret written literally" in result.stdout
    assert "error SC202 auth.pass: expected a string" in result.stdout
    assert "90817263" not in result.stdout


@pytest.mark.parametrize("form", ["json", "sarif"])
def test_json_and_sarif_write_what_a_terminal_or_runner_acts_on_as_escapes(
    cli: CliRunner, tmp_path: Path, form: str
) -> None:
    """A key quoted in a finding carries a bidi override and a GitHub runner's `##[`: the JSON reads back
    as the same text, but neither character is written as it is."""
    key = "fo\u202eo##[group]"
    config = tmp_path / "logto.json"
    config.write_text(json.dumps({"host": "smtp.acme.test", "port": 587, key: 1}), encoding="utf-8")
    result = cli("lint", str(config), "--format", form, expect=None)
    assert "\u202e" not in result.stdout and "##[" not in result.stdout
    assert f"unknown key `{key}`" in json.dumps(json.loads(result.stdout), ensure_ascii=False)
