"""init in a repository with symlinks and read-only files (issue 19): nothing is written through a link
that leads out of the repository, an existing file is appended to in place (its mode, its inode and the
link to it stay) or left alone with the lines to add listed, and the summary says which. Real git
repositories in temporary folders; the same as root, who may write any file."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
import yaml

from connector import scaffold
from connector.diagnostics.printable import printable
from connector.errors import InputError

from .conftest import CliRunner
from .test_init_repository import OUR_REPO, _git

GITIGNORE_LINES = "       # smtp-connector (added by `smtp-connector init`): built configs hold secrets; sink mail.\n       out/\n       mail-sink/\n"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A real git repository with a commit, and a folder next to it (``tmp_path / "elsewhere"``)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    path = tmp_path / "repo"
    path.mkdir()
    (path / "app.py").write_text("print('hi')\n")
    _git(path, "init", "-q", "-b", "main")
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "-m", "the app")
    (tmp_path / "elsewhere").mkdir()
    return path


def _everything(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    ("link", "files"),
    [
        ("email/environments", ["email/environments/dev.yaml", "email/environments/prod.yaml"]),
        (".github", [".github/workflows/email-config.yml"]),
        (".github/workflows", [".github/workflows/email-config.yml"]),
    ],
)
def test_nothing_is_written_into_a_folder_linked_out_of_the_repository(
    repo: Path, cli: CliRunner, link: str, files: list[str]
) -> None:
    elsewhere = repo.parent / "elsewhere"
    (repo / link).parent.mkdir(parents=True, exist_ok=True)
    (repo / link).symlink_to(elsewhere, target_is_directory=True)
    result = cli("init", "--hook", "remote", "email", "--provider", "sendgrid", cwd=repo)
    assert _everything(elsewhere) == {}
    assert "not written (init writes nothing through a symlink that leads out):\n" in result.stdout
    for name in files:
        assert f"  {name} ({link} is a link to {elsewhere}, out of the repository)\n" in result.stdout
        assert f"  {name}\n" not in result.stdout.split("skipped", 1)[0]  # not listed as created
    assert (repo / "email/smtp-connector.yaml").is_file()  # the rest is written
    assert (repo / link).is_symlink()


def test_a_dangling_link_out_of_the_repository_is_not_followed(repo: Path, cli: CliRunner) -> None:
    gone = repo.parent / "elsewhere" / "not\x1b[2Jyet"  # the link's text is the repository's: printable
    (repo / ".github").symlink_to(gone)
    result = cli("init", "--hook", "remote", str(repo), "--provider", "gmail")
    assert not gone.exists() and _everything(repo.parent / "elsewhere") == {}
    assert f".github is a link to {printable(str(gone))}, out of the repository)\n" in result.stdout
    assert "\x1b" not in result.stdout


def test_outside_a_repository_the_project_folder_is_the_boundary(tmp_path: Path, cli: CliRunner) -> None:
    (tmp_path / "project").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "project/environments").symlink_to("../elsewhere", target_is_directory=True)
    result = cli("init", "--hook", "remote", "project", "--provider", "gmail", cwd=tmp_path)
    assert _everything(tmp_path / "elsewhere") == {}
    assert (
        "  project/environments/dev.yaml (project/environments is a link to ../elsewhere, out of the project "
        "folder)\n"
    ) in result.stdout


def test_symlink_loops_are_reported_not_a_crash(repo: Path, cli: CliRunner) -> None:
    (repo / "email").mkdir()
    (repo / "email/environments").symlink_to("environments")
    result = cli("init", "--hook", "remote", "email", "--provider", "gmail", cwd=repo)
    assert (
        "  email/environments/dev.yaml (email/environments is a link to environments, a loop)\n"
        in result.stdout
    )
    (repo / "round").symlink_to("trip")
    (repo / "trip").symlink_to("round")
    result = cli("init", "--hook", "remote", "round", "--provider", "gmail", cwd=repo, expect=1)
    assert result.stderr.startswith("smtp-connector: error: round: a symlink loop")


def test_a_link_that_stays_in_the_repository_is_followed(repo: Path, cli: CliRunner) -> None:
    (repo / "shared/envs").mkdir(parents=True)
    (repo / "email").mkdir()
    (repo / "email/environments").symlink_to("../shared/envs", target_is_directory=True)
    result = cli("init", "--hook", "remote", "email", "--provider", "gmail", cwd=repo)
    assert "not written" not in result.stdout
    assert sorted(p.name for p in (repo / "shared/envs").iterdir()) == ["dev.yaml", "prod.yaml"]
    assert (repo / "email/environments").is_symlink()


def test_a_project_folder_linked_out_of_the_repository_is_refused(repo: Path, cli: CliRunner) -> None:
    elsewhere = repo.parent / "elsewhere"
    (repo / "email").symlink_to(elsewhere, target_is_directory=True)
    before = _everything(repo)
    result = cli("init", "--hook", "remote", "email/config", "--provider", "gmail", cwd=repo, expect=1)
    assert result.stderr.startswith(
        "smtp-connector: error: email/config: leads out of the repository . through a symlink "
        f"(to {elsewhere}/config)"
    )
    assert _everything(elsewhere) == {} and not (elsewhere / "config").exists()
    assert _everything(repo) == before
    # Named by its own path, it is a folder outside any repository: that is what the user asked for.
    cli("init", "--hook", "remote", str(elsewhere / "config"), "--provider", "gmail")
    assert (elsewhere / "config/smtp-connector.yaml").is_file()


@pytest.mark.parametrize("name", [".gitignore", ".pre-commit-config.yaml"])
def test_a_file_linked_out_of_the_repository_is_left_alone_and_the_lines_listed(
    repo: Path, cli: CliRunner, name: str
) -> None:
    target = repo.parent / "elsewhere" / "theirs"
    target.write_text("repos:\n  - repo: meta\n    hooks:\n      - id: identity\n")
    target.chmod(0o640)
    (repo / name).symlink_to(target)
    result = cli("init", "--hook", "remote", str(repo), "--provider", "gmail")
    assert target.read_text() == "repos:\n  - repo: meta\n    hooks:\n      - id: identity\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert os.readlink(repo / name) == str(target)
    why = f"{repo}/{name} is a link to {target}, out of the repository"
    subject = "the lines are" if name == ".gitignore" else "the smtp-connector-lint hook is"
    assert f"  {repo}/{name} ({why}; {subject} to add by hand: see next)\n" in result.stdout
    assert "updated" not in result.stdout
    where = "these lines to" if name == ".gitignore" else "the smtp-connector-lint hook to the repos: list of"
    assert f"add {where} {repo}/{name} ({why}):\n" in result.stdout
    if name == ".gitignore":
        assert f"({why}):\n{GITIGNORE_LINES}" in result.stdout
    else:
        assert "pre-commit install" not in result.stdout


def test_a_gitignore_linked_inside_the_repository_is_appended_through_the_link(
    repo: Path, cli: CliRunner
) -> None:
    (repo / "config").mkdir()
    shared = repo / "config/ignore"
    shared.write_text("*.log\n")
    shared.chmod(0o600)
    (repo / "email").mkdir()
    (repo / "email/.gitignore").symlink_to("../config/ignore")
    inode = shared.stat().st_ino
    result = cli("init", "--hook", "remote", "email", "--provider", "gmail", cwd=repo)
    assert (
        "updated (appended to):\n"
        "  email/.gitignore: added out/, mail-sink/ (in config/ignore, the link's target)\n"
    ) in result.stdout
    assert os.readlink(repo / "email/.gitignore") == "../config/ignore"
    assert shared.read_text().splitlines()[0] == "*.log" and shared.read_text().endswith("out/\nmail-sink/\n")
    assert (stat.S_IMODE(shared.stat().st_mode), shared.stat().st_ino) == (0o600, inode)


def test_a_pre_commit_config_linked_inside_the_repository_gets_the_hook_through_the_link(
    repo: Path, cli: CliRunner
) -> None:
    (repo / "ci").mkdir()
    real = repo / "ci/hooks.yaml"
    real.write_text("repos:\n  - repo: meta\n    hooks:\n      - id: identity\n")
    (repo / ".pre-commit-config.yaml").symlink_to("ci/hooks.yaml")
    result = cli("init", "--hook", "remote", "email", "--provider", "gmail", cwd=repo)
    assert (
        "  .pre-commit-config.yaml: added the smtp-connector-lint hook (in ci/hooks.yaml, the link's target)\n"
        in result.stdout
    )
    assert (repo / ".pre-commit-config.yaml").is_symlink()
    assert yaml.safe_load(real.read_text())["repos"][-1] == OUR_REPO


@pytest.mark.parametrize("mode", [0o444, 0o400, 0o440], ids=oct)
def test_a_read_only_file_is_left_alone_and_the_lines_listed(repo: Path, cli: CliRunner, mode: int) -> None:
    """Read-only as its owner set it: left so even for root, whom the mode does not stop."""
    ignore, hooks = repo / ".gitignore", repo / ".pre-commit-config.yaml"
    ignore.write_text("*.log\n")
    hooks.write_text("repos:\n  - repo: meta\n    hooks:\n      - id: identity\n")
    inodes = [p.stat().st_ino for p in (ignore, hooks)]
    for path in (ignore, hooks):
        path.chmod(mode)
    result = cli("init", "--hook", "remote", str(repo), "--provider", "gmail")
    assert ignore.read_text() == "*.log\n"
    assert hooks.read_text() == "repos:\n  - repo: meta\n    hooks:\n      - id: identity\n"
    assert [stat.S_IMODE(p.stat().st_mode) for p in (ignore, hooks)] == [mode, mode]
    assert [p.stat().st_ino for p in (ignore, hooks)] == inodes
    assert "updated" not in result.stdout
    assert f"  {repo}/.gitignore (it is read-only; the lines are to add by hand: see next)\n" in result.stdout
    assert f"add these lines to {repo}/.gitignore (it is read-only):\n{GITIGNORE_LINES}" in result.stdout
    assert (
        f"add the smtp-connector-lint hook to the repos: list of {repo}/.pre-commit-config.yaml (it is "
        "read-only):\n       - repo: https://"
    ) in result.stdout


def test_a_read_only_gitignore_that_has_every_line_is_just_listed(repo: Path, cli: CliRunner) -> None:
    ignore = repo / ".gitignore"
    ignore.write_text("out/\nmail-sink/\n")
    ignore.chmod(0o444)
    result = cli("init", "--hook", "remote", str(repo), "--provider", "gmail")
    assert f"  {repo}/.gitignore (already ignores out/, mail-sink/)\n" in result.stdout
    assert "add these lines" not in result.stdout


@pytest.mark.parametrize("mode", [0o600, 0o664, 0o640], ids=oct)
def test_an_extended_file_keeps_its_mode_and_inode(repo: Path, cli: CliRunner, mode: int) -> None:
    ignore, hooks = repo / ".gitignore", repo / ".pre-commit-config.yaml"
    ignore.write_text("*.log\n")
    hooks.write_text("repos:\n  - repo: meta\n    hooks:\n      - id: identity\n")
    for path in (ignore, hooks):
        path.chmod(mode)
    twin = repo.parent / "elsewhere/hard-link"
    os.link(ignore, twin)  # another name for the same file: still the same file after init
    inodes = [p.stat().st_ino for p in (ignore, hooks)]
    result = cli("init", "--hook", "remote", str(repo), "--provider", "gmail")
    assert "updated (appended to):\n" in result.stdout
    assert ignore.read_text().endswith("out/\nmail-sink/\n") and twin.read_text() == ignore.read_text()
    # The project is the repository's root: the hook covers every file, so it has no files: scope.
    assert yaml.safe_load(hooks.read_text())["repos"][-1] == {
        **OUR_REPO,
        "hooks": [{"id": "smtp-connector-lint"}],
    }
    assert [stat.S_IMODE(p.stat().st_mode) for p in (ignore, hooks)] == [mode, mode]
    assert [p.stat().st_ino for p in (ignore, hooks)] == inodes


@pytest.mark.parametrize("mode", [0o600, 0o664], ids=oct)
def test_a_rescoped_hook_and_workflow_keep_their_mode_and_inode(
    repo: Path, cli: CliRunner, mode: int
) -> None:
    """A second project widens the hook's files: and rewrites the workflow in place (same file)."""
    cli("init", "--hook", "remote", str(repo / "email"), "--provider", "gmail")
    hooks, workflow = repo / ".pre-commit-config.yaml", repo / ".github/workflows/email-config.yml"
    for path in (hooks, workflow):
        path.chmod(mode)
    inodes = [p.stat().st_ino for p in (hooks, workflow)]
    result = cli("init", "--hook", "remote", str(repo / "sms mail"), "--provider", "sendgrid")
    assert (
        "updated:\n" in result.stdout and "the smtp-connector-lint hook now covers sms mail" in result.stdout
    )
    hook = yaml.safe_load(hooks.read_text())["repos"][-1]["hooks"][0]
    assert hook == {"id": "smtp-connector-lint", "files": "^(?:email|sms\\ mail)/"}
    assert "smtp-connector lint email 'sms mail' --format github" in workflow.read_text()
    assert [stat.S_IMODE(p.stat().st_mode) for p in (hooks, workflow)] == [mode, mode]
    assert [p.stat().st_ino for p in (hooks, workflow)] == inodes
    again = cli("init", "--hook", "remote", str(repo / "sms mail"), "--provider", "sendgrid")
    assert "already has the smtp-connector-lint hook" in again.stdout and "updated" not in again.stdout


def test_a_failed_append_undoes_everything(
    repo: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second append fails (as on a full disk): the first is cut back, the new files and folders go."""
    ignore, hooks = repo / ".gitignore", repo / ".pre-commit-config.yaml"
    ignore.write_text("*.log")
    hooks.write_text("repos:\n  - repo: meta\n    hooks:\n      - id: identity\n")
    before = _everything(repo)
    real = scaffold._append_in_place

    def fails_on_the_hook_config(edit: scaffold._Edit) -> None:
        if edit.real.name == ".pre-commit-config.yaml":
            assert ignore.read_text().endswith("mail-sink/\n")  # the first one did land
            raise InputError(f"cannot write {edit.path}: No space left on device")
        real(edit)

    monkeypatch.setattr(scaffold, "_append_in_place", fails_on_the_hook_config)
    result = cli("init", "--hook", "remote", str(repo), "--provider", "gmail", expect=1)
    assert result.stderr.startswith(
        f"smtp-connector: error: cannot write {repo}/.pre-commit-config.yaml: No space left on device"
    )
    assert _everything(repo) == before
    assert not (repo / "environments").exists() and not (repo / ".github").exists()
