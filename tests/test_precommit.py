"""The pre-commit hooks: the manifest's entries on example files, and a real commit in a temporary repo."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from connector.cli.main import COMMANDS

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / ".pre-commit-hooks.yaml"
DATA = ROOT / "tests" / "data" / "lint"
TEMPLATES = """templates:
  - {usageType: SignIn, contentType: text/plain, subject: Code, content: "Your code is {{code}}"}
  - {usageType: Register, contentType: text/plain, subject: Code, content: "Your code is {{code}}"}
  - {usageType: ForgotPassword, contentType: text/plain, subject: Code, content: "Your code is {{code}}"}
  - {usageType: Generic, contentType: text/plain, subject: Code, content: "Your code is {{code}}"}
"""
CLEAN = f"""host: smtp.example.com
port: 587
auth:
  user: mailer@example.com
  pass: ${{SMTP_PASS}}
fromEmail: noreply@example.com
{TEMPLATES}"""


def _hooks() -> dict[str, dict[str, object]]:
    return {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text())}


def _command(hook: dict[str, object]) -> list[str]:
    """The hook's entry as this checkout runs it: `smtp-connector` is `python -m connector`."""
    entry = shlex.split(str(hook["entry"]))
    assert entry[0] == "smtp-connector"
    return [sys.executable, "-m", "connector", *entry[1:], *[str(a) for a in hook.get("args", [])]]  # type: ignore[attr-defined]


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", **(env or {})}
    return subprocess.run(args, cwd=cwd, env=full, capture_output=True, text=True, timeout=120, check=False)


def test_manifest_is_valid_for_pre_commit() -> None:
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(MANIFEST)}
    lint = hooks["smtp-connector-lint"]
    assert (lint["entry"], lint["language"]) == ("smtp-connector lint --hook", "python")
    assert lint["pass_filenames"] is True and lint["require_serial"] is True
    assert lint["always_run"] is True  # a commit that only deletes a template runs it too
    build = hooks["smtp-connector-build-check"]
    assert build["entry"] == "smtp-connector build --check" and build["pass_filenames"] is False
    for name in (
        "smtp-connector.yaml",
        "environments/prod.yaml",
        "build/prod.json",
        "templates/sign-in.html.j2",
    ):
        assert re.search(str(lint["files"]), name), name


def test_lint_hook_entry_passes_good_files_and_skips_unrelated_ones(tmp_path: Path) -> None:
    hook = _hooks()["smtp-connector-lint"]
    unrelated = tmp_path / "package.json"
    unrelated.write_text('{"name": "web", "version": "1.0.0"}')
    workflow = tmp_path / "ci.yml"
    workflow.write_text("name: CI\non: [push]\njobs: {}\n")
    files = [str(p) for p in sorted((DATA / "good").rglob("*")) if re.search(str(hook["files"]), p.name)]
    result = _run([*_command(hook), *files, str(unrelated), str(workflow)], cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("example", "expected"),
    [
        ("sc401-unfilled.yaml", ":6:9: error SC401 `auth.pass` still holds the example value `<password>`"),
        ("sc104-no-code.yaml", ':9:5: error SC104 template "SignIn" has no {{code}} placeholder'),
        ("sc403-oauth2.json", ":4:96: error SC403 `auth.clientSecret` is a secret written literally"),
    ],
)
def test_lint_hook_entry_fails_bad_files(example: str, expected: str) -> None:
    hook = _hooks()["smtp-connector-lint"]
    good = DATA / "good" / "minimal.yaml"
    result = _run([*_command(hook), str(good), str(DATA / "bad" / example)], cwd=ROOT)
    assert result.returncode == 1
    assert expected in result.stdout
    assert "GOCSPX-literal-secret" not in result.stdout + result.stderr


def test_build_check_hook_entry(tmp_path: Path) -> None:
    assert "build" in COMMANDS
    hook = _hooks()["smtp-connector-build-check"]
    result = _run([*_command(hook), "--help"], cwd=ROOT)
    assert result.returncode == 0 and "--check" in result.stdout


# A real repository, a real `pre-commit install` and real commits. The hook is declared `repo: local`
# with this checkout's interpreter (no network, no virtualenv to build), and the manifest's own settings.


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return _repo(tmp_path, {"smtp-connector-lint": []})


def _repo(tmp_path: Path, hook_args: dict[str, list[str]]) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    path = tmp_path / "repo"
    path.mkdir()
    hooks = []
    for name, args in hook_args.items():
        hook = dict(_hooks()[name])
        entry = shlex.split(str(hook["entry"]))[1:]
        hook.update(
            entry=shlex.join([sys.executable, "-m", "connector", *entry]), language="system", args=args
        )
        hook.pop("description", None)
        hooks.append(hook)
    config = {"repos": [{"repo": "local", "hooks": hooks}]}
    (path / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    for args in (["git", "init", "-q", "-b", "main"], [sys.executable, "-m", "pre_commit", "install"]):
        result = _run(args, cwd=path, env=_git_env(tmp_path))
        assert result.returncode == 0, result.stdout + result.stderr
    return path


def _git_env(tmp_path: Path) -> dict[str, str]:
    return {
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache"),
    }


def _commit(repo: Path, files: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = _git_env(repo.parent)
    for name, text in files.items():
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    assert _run(["git", "add", "-A"], cwd=repo, env=env).returncode == 0
    return _run(["git", "commit", "-q", "-m", "change"], cwd=repo, env=env)


def _commits(repo: Path) -> int:
    result = _run(["git", "rev-list", "--count", "--all"], cwd=repo, env=_git_env(repo.parent))
    return int(result.stdout.strip() or 0)


def test_commit_with_an_unfilled_password_is_refused(repo: Path) -> None:
    result = _commit(repo, {"email/logto.yaml": CLEAN.replace("${SMTP_PASS}", "<password>")})
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert (
        "email/logto.yaml:5:9: error SC401 `auth.pass` still holds the example value `<password>`" in output
    ), output
    assert _commits(repo) == 0


def test_commit_with_a_template_without_code_is_refused(repo: Path) -> None:
    bad = CLEAN.replace('content: "Your code is {{code}}"}', 'content: "Welcome!"}', 1)
    result = _commit(repo, {"email/welcome.yaml": bad})
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert 'email/welcome.yaml:8:65: error SC104 template "SignIn" has no {{code}} placeholder' in output, (
        output
    )
    assert _commits(repo) == 0


def test_clean_commit_passes(repo: Path) -> None:
    result = _commit(
        repo,
        {
            "email/logto.yaml": CLEAN,
            "package.json": '{"name": "web", "version": "1.0.0"}\n',
            ".github/workflows/ci.yml": "name: CI\non: [push]\njobs: {}\n",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert _commits(repo) == 1


# A project whose prod environment renders a template file, and its built files committed next to it.
PROJECT = {
    "email/smtp-connector.yaml": CLEAN.replace(
        "  pass: ${SMTP_PASS}\n", "  pass: ${SMTP_PASS}\nvariables: {brand: Acme}\n"
    ),
    "email/environments/dev.yaml": "port: 2525\n",
    "email/environments/prod.yaml": (
        "templates:\n  - usageType: SignIn\n    contentType: text/html\n"
        "    content: {file: templates/sign-in.html.j2}\n"
    ),
    "email/templates/sign-in.html.j2": "<p>Your {{ brand }} code is {{code}}</p>\n",
}


@pytest.fixture
def project_repo(tmp_path: Path) -> Path:
    path = _repo(
        tmp_path,
        {
            "smtp-connector-lint": [],
            "smtp-connector-build-check": ["email", "--all", "--out-dir", "email/build"],
        },
    )
    for name, text in PROJECT.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    built = _run(
        [
            sys.executable,
            "-m",
            "connector",
            "build",
            "email",
            "--all",
            "--out-dir",
            "email/build",
            "--keep-refs",
        ],
        cwd=path,
    )
    assert built.returncode == 0, built.stderr
    result = _commit(path, {})
    assert result.returncode == 0, result.stdout + result.stderr
    return path


def test_a_template_change_is_linted_in_the_environment_that_renders_it(project_repo: Path) -> None:
    result = _commit(project_repo, {"email/templates/sign-in.html.j2": "<p>Welcome to {{ brand }}</p>\n"})
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert (
        'email/environments/prod.yaml:4:21: error SC104 template "SignIn" has no {{code}} placeholder'
        in output
    ), output
    assert "dev.yaml" not in output
    assert _commits(project_repo) == 1


def test_the_build_check_hook_refuses_stale_built_files(project_repo: Path) -> None:
    result = _commit(
        project_repo, {"email/templates/sign-in.html.j2": "<p>Your {{ brand }} code: {{code}}</p>\n"}
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "error: email/build/prod.json: differs at templates[SignIn].content" in output, output
    assert "dev.json" not in output
    rebuilt = _run(
        [
            sys.executable,
            "-m",
            "connector",
            "build",
            "email",
            "--all",
            "--out-dir",
            "email/build",
            "--keep-refs",
        ],
        cwd=project_repo,
    )
    assert rebuilt.returncode == 0
    assert _commit(project_repo, {}).returncode == 0
    assert _commits(project_repo) == 2
