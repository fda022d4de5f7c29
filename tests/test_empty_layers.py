"""An empty or comment-only source file is an empty layer: it changes nothing, as an empty YAML file does
in layered settings elsewhere. This holds for environment files, the project file and overlays alike, in
build, lint (project, file and hook modes) and explain. A final config (render/send CONFIG, `lint FILE`
of a config that is not a project source) must still hold a mapping: an empty one is SC007.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import CliRunner
from .projects import PROJECT, write_project

EMPTY = {
    "empty": "",
    "blank lines": "\n\n",
    "comments": "# staging: nothing differs from the project yet\n# (keep this file)\n",
    "a document marker and a comment": "---\n# nothing yet\n",
    "a BOM and a comment": "\ufeff# nothing\n",
    "CRLF comments": "# a\r\n# b\r\n",
}
SECRET = {"SMTP_PASS": "sg-key-1234"}


@pytest.mark.parametrize("name", list(EMPTY))
def test_an_empty_environment_file_builds_as_the_project(cli: CliRunner, tmp_path: Path, name: str) -> None:
    project = write_project(
        tmp_path / "p", {"environments/staging.yaml": EMPTY[name], "environments/prod.yaml": "port: 2525\n"}
    )
    staging = json.loads(cli("build", str(project), "--env", "staging", env=SECRET).stdout)
    prod = json.loads(cli("build", str(project), "--env", "prod", env=SECRET).stdout)
    assert staging == {**prod, "port": 587}


@pytest.mark.parametrize("name", list(EMPTY))
def test_lint_accepts_an_empty_environment_file(cli: CliRunner, tmp_path: Path, name: str) -> None:
    project = write_project(tmp_path / "p", {"environments/staging.yaml": EMPTY[name]})
    staging = project / "environments" / "staging.yaml"
    for args in (
        [str(project)],
        [str(project), "--env", "staging"],
        [str(staging)],
        ["--skip-unrelated", str(staging)],
    ):
        result = cli("lint", *args, expect=None)
        assert "SC007" not in result.stdout + result.stderr, (args, result)
        assert result.code == 0, (args, result)


def test_explain_names_no_environment_layer_for_an_empty_file(cli: CliRunner, tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {"environments/staging.yaml": "# nothing yet\n"})
    result = cli("explain", str(project), "--env", "staging", "port")
    assert "staging.yaml" not in result.stdout and "587" in result.stdout


def test_an_empty_project_file_is_an_empty_base(cli: CliRunner, tmp_path: Path) -> None:
    # Everything in the environment: the project file is an empty layer under it.
    project = write_project(
        tmp_path / "p", {"smtp-connector.yaml": "# all in environments/\n", "environments/prod.yaml": PROJECT}
    )
    built = json.loads(cli("build", str(project), "--env", "prod", env=SECRET).stdout)
    assert built["fromEmail"] == "Acme <no-reply@acme.example>"
    result = cli("lint", str(project), expect=None)
    assert "SC007" not in result.stdout, result.stdout


def test_an_empty_project_with_nothing_else_says_what_is_missing(cli: CliRunner, tmp_path: Path) -> None:
    project = write_project(tmp_path / "p", {"smtp-connector.yaml": ""})
    result = cli("lint", str(project), expect=1)
    assert "SC007" not in result.stdout and "missing required key `host`" in result.stdout, result.stdout


def test_an_empty_overlay_is_an_empty_layer(cli: CliRunner, tmp_path: Path) -> None:
    project = write_project(
        tmp_path / "p",
        {
            "smtp-connector.yaml": PROJECT.replace(
                "provider: sendgrid",
                "provider: ./relay.yaml\nhost: relay.example\nport: 25\nauth: {type: login, user: u, pass: '${SMTP_PASS}'}",
            ),
            "relay.yaml": "# the relay needs nothing of its own yet\n",
            "environments/prod.yaml": "",
        },
    )
    built = json.loads(cli("build", str(project), "--env", "prod", env=SECRET).stdout)
    assert built["host"] == "relay.example"


@pytest.mark.parametrize("text", ["", "# nothing\n"])
def test_an_empty_final_config_is_still_not_a_config(cli: CliRunner, tmp_path: Path, text: str) -> None:
    path = tmp_path / "logto.yaml"
    path.write_text(text)
    expected = f"{path}:1:1: error SC007 the top level is empty, not a mapping"
    render = cli("render", str(path), "--type", "SignIn", "--code", "1", expect=1)
    assert render.stderr.startswith(expected)
    lint = cli("lint", str(path), expect=1)
    assert lint.stdout.startswith(expected)


@pytest.mark.parametrize("text", ["null\n", "~\n", "[]\n"])
def test_a_top_level_that_is_written_but_not_a_mapping_is_still_refused(
    cli: CliRunner, tmp_path: Path, text: str
) -> None:
    project = write_project(tmp_path / "p", {"environments/staging.yaml": text})
    result = cli("build", str(project), "--env", "staging", env=SECRET, expect=1)
    assert "SC007" in result.stderr
