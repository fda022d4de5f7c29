from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from connector.cli import main as cli_module
from connector.diagnostics.findings import Finding, Location
from connector.diagnostics.redact import register_secret
from connector.errors import InputError

from .conftest import ROOT, CliRunner, run_subprocess


def test_schema_prints_the_published_file(cli: CliRunner) -> None:
    result = cli("schema")
    assert result.stdout == (ROOT / "schema" / "smtp-connector.schema.json").read_text()


def test_unknown_command_is_a_usage_error(cli: CliRunner) -> None:
    result = cli("frobnicate", expect=2)
    assert result.stderr.startswith("smtp-connector: error: argument COMMAND: invalid choice: 'frobnicate'")
    assert "Try 'smtp-connector --help' for help." in result.stderr


def test_no_command_is_a_usage_error(cli: CliRunner) -> None:
    assert "the following arguments are required: COMMAND" in cli(expect=2).stderr


def test_version(cli: CliRunner) -> None:
    assert cli("--version").stdout.startswith("smtp-connector ")


def _with_command(monkeypatch: pytest.MonkeyPatch, run: object) -> None:
    real = cli_module.build_parser

    def build() -> argparse.ArgumentParser:
        parser = real()
        parser.set_defaults(run=run)
        for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
            for sub in action.choices.values():  # type: ignore[union-attr]
                sub.set_defaults(run=run)
        return parser

    monkeypatch.setattr(cli_module, "build_parser", build)


def test_a_bug_is_exit_3_with_one_line(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(args: argparse.Namespace) -> int:
        raise ValueError("internal detail hunter2")

    _with_command(monkeypatch, boom)
    result = cli("schema", expect=3)
    assert result.stderr == (
        "smtp-connector: internal error (ValueError); this is a bug, please report it with the output of --debug\n"
    )


def test_debug_shows_the_traceback_without_secrets(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    register_secret("hunter2-secret")

    def boom(args: argparse.Namespace) -> int:
        raise ValueError("the password hunter2-secret was wrong")

    _with_command(monkeypatch, boom)
    assert cli_module.main(["--debug", "schema"]) == 3
    err = capsys.readouterr().err
    assert "Traceback" in err and "ValueError" in err
    assert "hunter2-secret" not in err and "********" in err


def test_input_error_prints_findings_and_exits_1(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    def bad(args: argparse.Namespace) -> int:
        finding = Finding.at(Location("a.yaml", 3, 5), "SC201", "unknown key `hots`", "rename it to `host`")
        raise InputError(findings=[finding])

    _with_command(monkeypatch, bad)
    result = cli("schema", expect=1)
    assert result.stderr == "a.yaml:3:5: error SC201 unknown key `hots` (hint: rename it to `host`)\n"


def test_ctrl_c_is_130(cli: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(args: argparse.Namespace) -> int:
        raise KeyboardInterrupt

    _with_command(monkeypatch, interrupted)
    assert cli("schema", expect=130).stderr == "smtp-connector: interrupted\n"


def test_python_dash_m_works(tmp_path: Path) -> None:
    result = run_subprocess("schema", cwd=tmp_path)
    assert '"$id": "urn:smtp-connector:schema:config:v1"' in result.stdout
