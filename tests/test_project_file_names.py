"""Both spellings of the project file (connector/source/files.py PROJECT_FILES) work in every command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import CliRunner
from .projects import PROJECT, write_project

ENV = {"SMTP_PASS": "sg-key-1234"}


def _project(root: Path, name: str, env_suffix: str = ".yaml") -> Path:
    files = {name: PROJECT, f"environments/prod{env_suffix}": "auth:\n  pass: ${SMTP_PASS}\n"}
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    return root


@pytest.fixture(params=["smtp-connector.yaml", "smtp-connector.yml"])
def project(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return _project(tmp_path / "email", request.param, ".yml" if request.param.endswith(".yml") else ".yaml")


def test_lint(cli: CliRunner, project: Path) -> None:
    cli("lint", str(project))
    # A source file names its project whichever spelling it has.
    cli("lint", str(project / "environments" / next(p.name for p in (project / "environments").iterdir())))
    cli("lint", cwd=project)


def test_build(cli: CliRunner, project: Path, tmp_path: Path) -> None:
    out = tmp_path / "prod.json"
    cli("build", str(project), "--env", "prod", "-o", str(out), env=ENV)
    assert json.loads(out.read_text())["host"] == "smtp.sendgrid.net"
    kept = tmp_path / "kept.json"
    cli("build", str(project), "--env", "prod", "--keep-refs", "-o", str(kept))
    cli("build", str(project), "--env", "prod", "--keep-refs", "-o", str(kept), "--check")


def test_render(cli: CliRunner, project: Path) -> None:
    out = cli("render", str(project), "--env", "prod", "--type", "SignIn", "--code", "123456", env=ENV).stdout
    assert "Your code: 123456" in out


def test_explain(cli: CliRunner, project: Path) -> None:
    out = cli("explain", str(project), "--env", "prod", "fromEmail").stdout
    assert f"{project.name}/smtp-connector.y" in out


def test_preview(cli: CliRunner, project: Path, tmp_path: Path) -> None:
    cli("preview", str(project), "--out", str(tmp_path / "gallery"))
    assert (tmp_path / "gallery" / "index.html").is_file()


def test_both_spellings_at_once_is_an_error(cli: CliRunner, tmp_path: Path) -> None:
    root = write_project(tmp_path, {"smtp-connector.yml": PROJECT})
    result = cli("lint", str(root), expect=1)
    assert "has both smtp-connector.yaml and smtp-connector.yml" in result.stderr + result.stdout
    cli("build", str(root), "--env", "x", expect=1)
