"""Linting config projects: every layer, and each environment as composed, at the layer that set a value.

Each test runs twice: against connector.project (skipped until it is merged: "needs connector.project"),
and against a small stand-in that implements the agreed interface (load_project, compose, Composed.locate),
so that the lint's own part (which environments, which files, positions, dedup) is tested today.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from connector.errors import InputError, UsageError
from connector.findings import Location
from connector.lint import lint_paths
from connector.lint.project import affected_environments
from connector.loader import Document, KeyPath, load

BASE = """host: smtp.example.com
port: 587
auth:
  user: mailer@example.com
  pass: ${SMTP_PASS}
fromEmail: noreply@example.com
templates:
  - {usageType: SignIn, contentType: text/plain, subject: Code, content: "{{code}}"}
  - {usageType: Register, contentType: text/plain, subject: Code, content: "{{code}}"}
  - {usageType: ForgotPassword, contentType: text/plain, subject: Code, content: "{{code}}"}
  - {usageType: Generic, contentType: text/plain, subject: Code, content: "{{code}}"}
"""


# --- the stand-in -------------------------------------------------------------------------------------


@dataclass
class _Project:
    root: Path
    environments: tuple[str, ...]
    files: tuple[Path, ...]


@dataclass
class _Composed:
    layers: list[Document]
    data: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for layer in self.layers:
            self.data.update(layer.data)  # top-level keys replace; enough for these tests

    def locate(self, path: KeyPath, *, key: bool = False) -> Location:
        owner = next((d for d in reversed(self.layers) if path and path[0] in d.data), self.layers[0])
        return owner.locate(path, key=key)


def _load(path: Path) -> Document:
    result = load(path)
    if result.document is None:
        raise InputError(findings=result.findings)
    return result.document


def _stand_in() -> types.ModuleType:
    module = types.ModuleType("connector.project")
    module.composed: list[str | None] = []  # type: ignore[attr-defined, misc]

    def load_project(root: Path) -> _Project:
        root = Path(root)
        _load(root / "smtp-connector.yaml")
        envs = sorted((root / "environments").glob("*.yaml"))
        return _Project(root, tuple(p.stem for p in envs), (root / "smtp-connector.yaml", *envs))

    def compose(
        project: _Project, env: str | None, *, overrides: Any = (), resolve: bool = True
    ) -> _Composed:
        assert resolve is False, "lint must keep ${VAR} unresolved"
        module.composed.append(env)  # type: ignore[attr-defined]
        layers = [_load(project.root / "smtp-connector.yaml")]
        if env is not None:
            layers.append(_load(project.root / "environments" / f"{env}.yaml"))
        return _Composed(layers)

    module.load_project = load_project  # type: ignore[attr-defined]
    module.compose = compose  # type: ignore[attr-defined]
    return module


@pytest.fixture(params=["stand-in", "connector.project"])
def composer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[types.ModuleType]:
    if request.param == "connector.project":
        yield pytest.importorskip("connector.project", reason="needs connector.project")
        return
    module = _stand_in()
    monkeypatch.setitem(sys.modules, "connector.project", module)
    yield module


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "email"
    (root / "environments").mkdir(parents=True)
    (root / "templates").mkdir()
    (root / "smtp-connector.yaml").write_text(BASE)
    (root / "environments" / "dev.yaml").write_text("host: 127.0.0.1\nport: 2525\n")
    (root / "environments" / "prod.yaml").write_text("port: 465\nsecure: false\n")
    (root / "templates" / "sign-in.html.j2").write_text("<p>{{ code }}</p>\n")
    return root


def _found(paths: list[Path], env: str | None = None) -> list[tuple[str, str, int, int]]:
    result = lint_paths([str(p) for p in paths], env=env)
    return [(Path(f.file).name, f.rule, f.line, f.column) for f in result.findings if not f.suppressed]


def _composed(composer: types.ModuleType) -> list[str | None] | None:
    return getattr(composer, "composed", None)  # only the stand-in records what it composed


def test_a_project_folder_lints_every_environment_at_the_layer_that_set_the_value(
    composer: types.ModuleType, project: Path
) -> None:
    assert _found([project]) == [("prod.yaml", "SC303", 2, 9)]


def test_env_limits_the_lint_to_one_environment(composer: types.ModuleType, project: Path) -> None:
    assert _found([project], env="dev") == []
    with pytest.raises(UsageError, match="no environment `prd`; did you mean `prod`"):
        lint_paths([str(project)], env="prd")


def test_a_changed_environment_file_relints_that_environment(
    composer: types.ModuleType, project: Path
) -> None:
    assert _found([project / "environments" / "dev.yaml"]) == []
    if _composed(composer) is not None:
        assert _composed(composer) == ["dev"]
    assert _found([project / "environments" / "prod.yaml"]) == [("prod.yaml", "SC303", 2, 9)]


@pytest.mark.parametrize("changed", ["smtp-connector.yaml", "templates/sign-in.html.j2"])
def test_a_changed_project_file_or_template_relints_every_environment(
    composer: types.ModuleType, project: Path, changed: str
) -> None:
    assert _found([project / changed]) == [("prod.yaml", "SC303", 2, 9)]
    if _composed(composer) is not None:
        assert _composed(composer) == ["dev", "prod"]


def test_a_problem_in_the_base_is_reported_once(composer: types.ModuleType, project: Path) -> None:
    base = project / "smtp-connector.yaml"
    base.write_text(
        BASE.replace("${SMTP_PASS}", "literal-password").replace('content: "{{code}}"}', 'content: "Hi"}', 1)
    )
    found = _found([project])
    assert ("smtp-connector.yaml", "SC403", 5, 9) in found and (
        "smtp-connector.yaml",
        "SC104",
        8,
        65,
    ) in found
    assert len(found) == len(set(found)) == 3


def test_a_built_file_inside_the_project_is_linted_on_its_own(
    composer: types.ModuleType, project: Path
) -> None:
    built = project / "build" / "prod.json"
    built.parent.mkdir()
    built.write_text(
        '{"host": "smtp.example.com", "port": 465, "secure": false, "fromEmail": "a@example.com"}'
    )
    found = _found([built])
    assert ("prod.json", "SC303", 1, 53) in found
    if _composed(composer) is not None:
        assert _composed(composer) == []


def test_a_project_that_does_not_load_is_reported(composer: types.ModuleType, project: Path) -> None:
    (project / "smtp-connector.yaml").write_text("host: [unclosed\n")
    result = lint_paths([str(project)])
    assert result.failed and any(f.rule == "SC004" for f in result.findings)


def test_affected_environments() -> None:
    project = SimpleNamespace(root="email", environments=("dev", "prod"))
    assert affected_environments(project, [Path("email/environments/dev.yaml")]) == {"dev"}
    assert (
        affected_environments(
            project, [Path("email/environments/dev.yaml"), Path("email/smtp-connector.yaml")]
        )
        is None
    )
    assert affected_environments(project, [Path("email/templates/a.html.j2")]) is None
    assert affected_environments(project, [Path("elsewhere/x.yaml")]) == set()
