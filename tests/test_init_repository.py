"""init in an existing repository: the workflow and the hook config at the git root, the project in a
subfolder, --env, and what the generated workflow and hook do when they really run (git, pre-commit)."""

from __future__ import annotations

import re
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from connector import __version__
from connector.project.layout import load_project
from connector.scaffold import PROJECT_URL

from .conftest import CliRunner, run_subprocess
from .projects import fill_in
from .test_precommit import _git_env, _hooks, _run

WORKFLOW = ".github/workflows/email-config.yml"
OUR_REPO = {
    "repo": PROJECT_URL,
    "rev": f"v{__version__}",
    "hooks": [{"id": "smtp-connector-lint", "files": "^(?:email)/"}],
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A real git repository with a commit in it, like the one a user runs init in."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    path = tmp_path / "repo"
    (path / "web").mkdir(parents=True)
    (path / "web/app.py").write_text("print('hello')\n")
    _git(path, "init", "-q", "-b", "main")
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "-m", "the app")
    return path


def _git(repo: Path, *args: str) -> str:
    result = _run(["git", *args], cwd=repo, env=_git_env(repo.parent))
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _workflow(root: Path) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load((root / WORKFLOW).read_text())
    return data


def _steps(workflow: dict[Any, Any], job: str = "check") -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = workflow["jobs"][job]["steps"]
    return steps


@pytest.mark.parametrize("folder", ["email", "services/mail config"])
def test_a_project_in_a_subfolder_gets_the_workflow_at_the_repository_root(
    repo: Path, cli: CliRunner, folder: str
) -> None:
    result = cli("init", "--hook", "remote", folder, "--provider", "sendgrid", cwd=repo)
    assert result.stdout.startswith("git repository: . (the CI workflow and the hook config go there)\n")
    assert f"  {WORKFLOW}\n  .pre-commit-config.yaml\n" in result.stdout
    assert not (repo / folder / ".github").exists()
    assert not (repo / folder / ".pre-commit-config.yaml").exists()
    workflow = _workflow(repo)
    assert "defaults" not in workflow  # every step runs from the root: annotations name files from there
    # PyYAML reads the `on:` key as True (YAML 1.1); GitHub reads it as "on".
    paths = [f"{folder}/**", WORKFLOW]
    assert workflow[True] == {"push": {"paths": paths}, "pull_request": {"paths": paths}}
    upload = next(s for s in _steps(workflow) if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == f"{folder}/out/preview/\n"
    scoped = {**OUR_REPO, "hooks": [{"id": "smtp-connector-lint", "files": f"^(?:{re.escape(folder)})/"}]}
    assert yaml.safe_load((repo / ".pre-commit-config.yaml").read_text()) == {"repos": [scoped]}
    # The comments that name the project say where it is from the root.
    assert f"`smtp-connector send {folder} --env dev" in (repo / folder / "environments/dev.yaml").read_text()


def test_init_from_inside_the_subfolder_finds_the_root_by_walking_up(repo: Path, cli: CliRunner) -> None:
    (repo / "email").mkdir()
    result = cli("init", "--hook", "remote", "--provider", "gmail", cwd=repo / "email")
    assert result.stdout.startswith("git repository: .. (the CI workflow and the hook config go there)\n")
    assert f"  ../{WORKFLOW}\n  ../.pre-commit-config.yaml\n" in result.stdout
    assert "  3. pre-commit install (in ..)   # lint the email config before every commit\n" in result.stdout
    assert "smtp-connector lint email --format github" in [s.get("run") for s in _steps(_workflow(repo))]


def test_a_git_file_marks_the_root_too(tmp_path: Path, cli: CliRunner) -> None:
    """A worktree or a submodule has a .git file, not a folder; git stops there, and so does init."""
    (tmp_path / "outer/.git").mkdir(parents=True)
    (tmp_path / "outer/sub").mkdir()
    (tmp_path / "outer/sub/.git").write_text("gitdir: ../.git/modules/sub\n")
    cli("init", "--hook", "remote", str(tmp_path / "outer/sub/email"), "--provider", "gmail")
    runs = [s.get("run") for s in _steps(_workflow(tmp_path / "outer/sub"))]
    assert "smtp-connector lint email --format github" in runs
    assert not (tmp_path / "outer/.github").exists()


def test_outside_a_repository_the_workflow_stays_in_the_project(tmp_path: Path, cli: CliRunner) -> None:
    result = cli("init", "--hook", "remote", str(tmp_path / "email"), "--provider", "gmail")
    assert not result.stdout.startswith("git repository")
    workflow = _workflow(tmp_path / "email")
    assert "defaults" not in workflow
    assert workflow[True] == {"push": None, "pull_request": None}
    upload = next(s for s in _steps(workflow) if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == "out/preview/\n"


def test_the_project_at_the_root_has_no_working_directory(repo: Path, cli: CliRunner) -> None:
    cli("init", "--hook", "remote", str(repo), "--provider", "gmail")
    assert "defaults" not in _workflow(repo)
    assert (repo / "smtp-connector.yaml").is_file()


def test_an_existing_workflow_is_skipped_and_listed(repo: Path, cli: CliRunner) -> None:
    (repo / ".github/workflows").mkdir(parents=True)
    (repo / ".github/workflows/email-config.yaml").write_text("name: mine\n")
    result = cli("init", "--hook", "remote", "email", "--provider", "gmail", cwd=repo)
    assert (
        "  .github/workflows/email-config.yaml (it is not as init wrote it, so init leaves it alone, and it "
        "may not check email; the steps are to add by hand: see next)\n"
    ) in result.stdout
    assert "- run: smtp-connector build email --all --keep-refs --out-dir email/out/\n" in result.stdout
    assert not (repo / WORKFLOW).exists()
    assert (repo / ".github/workflows/email-config.yaml").read_text() == "name: mine\n"
    assert "repository secret" not in result.stdout  # the workflow that would read it is not ours


def test_the_workflow_commands_succeed_from_the_repository_root(repo: Path, cli: CliRunner) -> None:
    """Every `run:` step that is our CLI, run as GitHub runs it: from the repository's root, with its env
    (the check job has none; the build job names the secret)."""
    cli("init", "--hook", "remote", "email", "--provider", "sendgrid", "--env", "dev,staging,prod", cwd=repo)
    fill_in(repo / "email")
    workflow = _workflow(repo)
    check = [s for s in _steps(workflow) if s.get("run", "").startswith("smtp-connector ")]
    assert [s["run"] for s in check] == [
        "smtp-connector lint email --format github",
        "smtp-connector build email --all --keep-refs --out-dir email/out/",
        "smtp-connector preview email --out email/out/preview",
        "smtp-connector doctor email --all --only dns,templates --format github",
    ]
    assert [s.get("env") for s in check] == [None, None, None, None]
    build = [s for s in _steps(workflow, "build") if s.get("run", "").startswith("smtp-connector ")]
    assert [s["run"] for s in build] == [
        "smtp-connector build email --all --out-dir email/out/",
        "smtp-connector doctor email --all --only smtp --format github",
    ]
    assert build[0]["env"] == build[1]["env"] == {"SMTP_PASS": "${{ secrets.SMTP_PASS }}"}
    assert workflow["jobs"]["build"]["if"] == "github.event_name == 'push'"
    # doctor asks DNS and SMTP servers: tests/test_adoption.py runs its steps against local ones.
    for step in check[:-1]:
        run_subprocess(*shlex.split(step["run"])[1:], cwd=repo, env={"SMTP_PASS": ""})
    assert '"pass": "${SMTP_PASS' in (repo / "email/out/prod.json").read_text()  # as written: no secret
    run_subprocess(*shlex.split(build[0]["run"])[1:], cwd=repo, env={"SMTP_PASS": "sg-secret-value"})
    workdir = repo / "email"
    assert sorted(p.name for p in (workdir / "out").glob("*.json")) == [
        "dev.json",
        "prod.json",
        "staging.json",
    ]
    assert (workdir / "out/preview/index.html").is_file()
    # The build output the workflow and the docs use is ignored by git: it holds the secret.
    assert _git(repo, "status", "--porcelain", "--untracked-files=all").count("email/out/") == 0
    assert _git(repo, "check-ignore", "email/out/prod.json").strip() == "email/out/prod.json"


def test_the_readme_commands_work_from_the_repository_root(repo: Path, cli: CliRunner) -> None:
    """The project's README names the chosen environments, and its commands run as written."""
    cli(
        "init",
        "--hook",
        "remote",
        "email",
        "--provider",
        "amazon-ses",
        "--env",
        "local,staging,prod",
        cwd=repo,
    )
    fill_in(repo / "email")
    readme = (repo / "email/README.md").read_text()
    assert "Environments: `local` (the local sink: `smtp-connector sink`), `staging`, `prod`." in readme
    block = readme.split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [shlex.split(line.split("   #", 1)[0]) for line in block.splitlines()]
    assert [c[c.index("smtp-connector") + 1] for c in commands] == [
        "lint",
        "build",
        "build",
        "explain",
        "preview",
    ]
    for command in commands:
        at = command.index("smtp-connector")
        env = {name: "ses-secret" for name, _, _ in (word.partition("=") for word in command[:at])}
        run_subprocess(*command[at + 1 :], cwd=repo, env=env)
    assert (repo / "email/out/prod.json").is_file() and (repo / "email/out/preview/index.html").is_file()


def test_the_workflow_commands_fail_while_values_are_unfilled(repo: Path, cli: CliRunner) -> None:
    cli("init", "--hook", "remote", "email", "--provider", "sendgrid", cwd=repo)
    # Run from the project's folder, the annotations still name files from the repository's root.
    lint = run_subprocess("lint", "--format", "github", cwd=repo / "email", expect=1)
    assert "::error file=email/smtp-connector.yaml,line=" in lint.stdout and "SC401" in lint.stdout


@pytest.mark.parametrize(
    ("envs", "sink", "account"),
    [
        ("dev,staging,prod", ["dev"], ["staging", "prod"]),
        ("prod", [], ["prod"]),
        ("local,prod", ["local"], ["prod"]),
        ("dev", ["dev"], []),
        (" dev , prod ", ["dev"], ["prod"]),
    ],
)
def test_env_chooses_the_environments_and_every_file_agrees(
    tmp_path: Path, cli: CliRunner, envs: str, sink: list[str], account: list[str]
) -> None:
    result = cli("init", "--hook", "remote", str(tmp_path), "--provider", "gmail", "--env", envs)
    project = load_project(tmp_path)
    assert project.environments == tuple(sorted(sink + account))
    for env in sink:
        assert project.environment_files[env].data["provider"] == "dev-sink"
    for env in account:
        assert project.environment_files[env].data == {"auth": {"user": "<your-address@gmail.com>"}}
    build = next(
        s for s in _steps(_workflow(tmp_path), "build") if s.get("run", "").startswith("smtp-connector build")
    )
    assert build["run"] == "smtp-connector build --all --out-dir out/"
    # Secrets only when an environment reads them; a sink-only project needs none.
    assert build.get("env") == ({"SMTP_PASS": "${{ secrets.SMTP_PASS }}"} if account else None)
    assert ("repository secret" in result.stdout) == bool(account)
    assert ("smtp-connector build" in result.stdout) == bool(sink)
    if sink:
        assert f"--env {sink[0]}   # works now" in result.stdout
    text = (tmp_path / "smtp-connector.yaml").read_text()
    assert f"`smtp-connector build --env {(account or sink)[0]}` merges" in text
    ignored = (tmp_path / ".gitignore").read_text().splitlines()
    assert "out/" in ignored and "mail-sink/" in ignored
    readme = (tmp_path / "README.md").read_text()
    listed = readme.split("Environments: ", 1)[1].split("\n", 1)[0]
    given = [e.strip() for e in envs.split(",")]
    assert sorted(given, key=lambda e: listed.index(f"`{e}`")) == given  # in the order given
    assert all(f"`{e}` (the local sink" in listed for e in sink)
    assert not any(f"`{e}` (" in listed for e in account)
    assert ("SMTP_PASS=... smtp-connector build --all" in readme) == bool(account)
    unscoped = {**OUR_REPO, "hooks": [{"id": "smtp-connector-lint"}]}  # the project is the whole folder
    assert yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text()) == {"repos": [unscoped]}


@pytest.mark.parametrize(
    ("envs", "message"),
    [
        (
            "",
            "--env ``: an empty environment name (give names separated by commas, e.g. --env dev,staging,prod)",
        ),
        ("dev,,prod", "--env `dev,,prod`: an empty environment name"),
        ("dev,prod,", "--env `dev,prod,`: an empty environment name"),
        ("dev,dev", "--env: `dev` is given twice; name each environment once"),
        ("prod,Prod", "--env: `prod` and `Prod` are one file; name each environment once"),
        ("pro d", "--env: `pro d` is not a usable environment name (letters, digits, `-`, `_` and `.`, "),
        ("-prod", "--env: `-prod` is not a usable environment name"),
        ("dev/prod", "--env: `dev/prod` is not a usable environment name"),
        ("prod.yaml", "--env: `prod.yaml` is a file name; give the environment's name, `prod`"),
        ("prod.yml", "--env: `prod.yml` is a file name; give the environment's name, `prod`"),
    ],
)
def test_a_bad_env_list_is_a_usage_error_and_writes_nothing(
    tmp_path: Path, cli: CliRunner, envs: str, message: str
) -> None:
    result = cli(
        "init", "--hook", "remote", str(tmp_path / "email"), "--provider", "gmail", f"--env={envs}", expect=2
    )
    assert result.stderr.startswith(f"smtp-connector: error: {message}")
    assert not (tmp_path / "email").exists()


def test_names_next_to_the_bad_ones_are_fine(tmp_path: Path, cli: CliRunner) -> None:
    cli("init", "--hook", "remote", str(tmp_path), "--provider", "gmail", "-e", "dev,eu.prod,us_prod-2,9")
    assert load_project(tmp_path).environments == ("9", "dev", "eu.prod", "us_prod-2")


# --- .gitignore --------------------------------------------------------------------------------------


def test_an_existing_gitignore_gets_only_the_missing_entries(repo: Path, cli: CliRunner) -> None:
    (repo / ".gitignore").write_text("node_modules/\n/out\n")  # no newline worries: it ends with one
    result = cli("init", "--hook", "remote", str(repo), "--provider", "gmail")
    assert f"updated (appended to):\n  {repo}/.gitignore: added mail-sink/\n" in result.stdout
    lines = (repo / ".gitignore").read_text().splitlines()
    assert lines[:2] == ["node_modules/", "/out"] and lines[-1] == "mail-sink/" and lines.count("out/") == 0
    again = cli("init", "--hook", "remote", str(repo), "--provider", "gmail")
    assert f"  {repo}/.gitignore (already ignores out/, mail-sink/)\n" in again.stdout
    assert "updated" not in again.stdout
    assert again.stdout.startswith(f"git repository: {repo} (")


def test_a_gitignore_without_a_final_newline(tmp_path: Path, cli: CliRunner) -> None:
    (tmp_path / ".gitignore").write_text("*.pyc")
    cli("init", "--hook", "remote", str(tmp_path), "--provider", "gmail")
    lines = (tmp_path / ".gitignore").read_text().splitlines()
    assert lines[0] == "*.pyc" and lines[-2:] == ["out/", "mail-sink/"]


# --- .pre-commit-config.yaml -----------------------------------------------------------------------


def _validate(config: Path) -> None:
    """Real pre-commit reads the file as a config (offline: it does not fetch the repositories)."""
    result = _run([sys.executable, "-m", "pre_commit", "validate-config", str(config)], cwd=config.parent)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "existing",
    [
        "repos:\n- repo: https://github.com/pre-commit/pre-commit-hooks\n  rev: v4.6.0\n  hooks:\n  - id: trailing-whitespace\n",
        "# my hooks\nrepos:\n  - repo: local\n    hooks:\n      - id: x\n        name: x\n        entry: 'true'\n        language: system\n",
        "default_stages: [pre-commit]\nrepos:\n    - repo: meta\n      hooks:\n          - id: check-useless-excludes\n# trailing comment",
        "repos:\r\n  - repo: meta\r\n    hooks:\r\n      - id: identity\r\n",
        "repos:\n  - repo: local\n    hooks:\n      - id: x\n        name: x\n        language: system\n"
        "        entry: >-\n          true\n",
    ],
    ids=["column 0", "indented", "four spaces, no final newline", "CRLF", "a block scalar last"],
)
def test_our_hook_is_appended_to_an_existing_pre_commit_config(
    repo: Path, cli: CliRunner, existing: str
) -> None:
    config = repo / ".pre-commit-config.yaml"
    config.write_bytes(existing.encode())
    old = yaml.safe_load(existing)
    result = cli("init", "--hook", "remote", "email", "--provider", "gmail", cwd=repo)
    assert "  .pre-commit-config.yaml: added the smtp-connector-lint hook\n" in result.stdout
    text = config.read_bytes().decode()
    assert text.startswith(existing)
    assert yaml.safe_load(text) == {**old, "repos": [*old["repos"], OUR_REPO]}
    _validate(config)
    again = cli("init", "--hook", "remote", "email", "--provider", "gmail", cwd=repo)
    assert config.read_bytes().decode() == text
    assert "  .pre-commit-config.yaml (already has the smtp-connector-lint hook)\n" in again.stdout


@pytest.mark.parametrize(
    "existing",
    [
        "repos: [{repo: meta, hooks: [{id: identity}]}]\n",  # a flow list
        "repos:\n  - repo: meta\n    hooks: [{id: identity}]\nci:\n  autofix_prs: false\n",  # a key after repos
        "repos:\n  - repo: meta\n    hooks:\n      - id: identity\n...\n",  # the end of the document
        "repos:\n  - repo: meta\n    hooks:\n      - id: identity\nci:\n",  # would become ci's list
        "repos: [\n",  # not YAML
        "",  # empty
    ],
    ids=["flow list", "key after repos", "document end", "empty key last", "broken", "empty"],
)
def test_a_pre_commit_config_init_cannot_extend_safely_is_left_alone(
    repo: Path, cli: CliRunner, existing: str
) -> None:
    config = repo / ".pre-commit-config.yaml"
    config.write_text(existing)
    result = cli("init", "--hook", "remote", "email", "--provider", "gmail", cwd=repo)
    assert config.read_text() == existing
    assert (
        "  .pre-commit-config.yaml (the smtp-connector-lint hook is to add by hand: see next)\n"
        in result.stdout
    )
    assert (
        "add the smtp-connector-lint hook to the repos: list of .pre-commit-config.yaml (init could not do "
        "it safely):\n"
        f"       - repo: {PROJECT_URL}\n"
    ) in result.stdout
    after = result.stdout.split("(init could not do it safely):\n", 1)[1].splitlines()
    snippet = [line[7:] for line in after[: next(i for i, s in enumerate(after) if s[:7].strip())]]
    assert yaml.safe_load("\n".join(snippet)) == [OUR_REPO]
    assert "pre-commit install" not in result.stdout  # not until the hook is in the config


def test_a_config_that_already_runs_the_hook_locally_is_left_alone(repo: Path, cli: CliRunner) -> None:
    config = repo / ".pre-commit-config.yaml"
    text = "repos:\n  - repo: local\n    hooks:\n      - id: smtp-connector-lint\n        name: lint\n"
    config.write_text(text)
    result = cli("init", "--hook", "remote", "email", "--provider", "gmail", cwd=repo)
    assert config.read_text() == text
    assert "  .pre-commit-config.yaml (already has the smtp-connector-lint hook)\n" in result.stdout


def _aliases(levels: int, width: int) -> str:
    """A pre-commit config with a key of nested aliases: ``width ** levels`` values once expanded."""
    lines = ["x-values:", f"  l0: &l0 [{', '.join(['0'] * width)}]"]
    lines += [f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\nrepos:\n  - repo: meta\n    hooks:\n      - id: identity\n"


@pytest.mark.parametrize(("levels", "width"), [(4, 18), (12, 12)], ids=["just past the cap", "a bomb"])
def test_a_pre_commit_config_whose_aliases_expand_past_the_readers_cap_is_left_alone(
    repo: Path, cli: CliRunner, levels: int, width: int
) -> None:
    """The config is read by the tool's one YAML reader, capped at MAX_NODES counted through aliases:
    a file past it is not expanded (as a comparison would) but left alone, the hook printed to add."""
    config = repo / ".pre-commit-config.yaml"
    existing = _aliases(levels, width)
    config.write_text(existing)
    result = cli("init", "--hook", "remote", "email", "--provider", "gmail", cwd=repo)
    assert config.read_text() == existing
    assert (
        "  .pre-commit-config.yaml (the smtp-connector-lint hook is to add by hand: see next)\n"
        in result.stdout
    )
    assert f"       - repo: {PROJECT_URL}\n" in result.stdout


def test_a_pre_commit_config_with_aliases_within_the_cap_gets_the_hook(repo: Path, cli: CliRunner) -> None:
    config = repo / ".pre-commit-config.yaml"
    existing = _aliases(4, 17)  # 17 ** 4 = 83,521 values: under MAX_NODES with the keys and lists
    config.write_text(existing)
    cli("init", "--hook", "remote", "email", "--provider", "gmail", cwd=repo)
    assert config.read_text().startswith(existing)
    assert yaml.safe_load(config.read_text())["repos"][-1] == OUR_REPO


def _use_this_checkout(config: Path) -> None:
    """Our remote hook repository as `repo: local` running this checkout (no network in tests), with the
    manifest's settings: the same hook the generated config installs."""
    data = yaml.safe_load(config.read_text())
    ours = [i for i, r in enumerate(data["repos"]) if r.get("repo") == PROJECT_URL]
    assert len(ours) == 1 and data["repos"][ours[0]] == OUR_REPO
    hook = dict(_hooks()["smtp-connector-lint"])
    entry = shlex.split(str(hook.pop("entry")))[1:]
    hook.pop("description", None)
    hook.update(
        entry=shlex.join([sys.executable, "-m", "connector", *entry]), language="system", files="^(?:email)/"
    )
    data["repos"][ours[0]] = {"repo": "local", "hooks": [hook]}
    config.write_text(yaml.safe_dump(data, sort_keys=False))


def test_pre_commit_run_all_files_in_a_fresh_init_repository(repo: Path, cli: CliRunner) -> None:
    """Real pre-commit on every file of the repository: it fails on the values init left to fill in
    (naming them), and passes once they are filled, the workflow and the rest of the repository included."""
    cli("init", "--hook", "remote", "email", "--provider", "sendgrid", "--env", "dev,staging,prod", cwd=repo)
    _use_this_checkout(repo / ".pre-commit-config.yaml")
    _validate(repo / ".pre-commit-config.yaml")
    _git(repo, "add", "-A")
    args = [sys.executable, "-m", "pre_commit", "run", "--all-files"]
    unfilled = _run(args, cwd=repo, env=_git_env(repo.parent))
    assert unfilled.returncode == 1, unfilled.stdout + unfilled.stderr
    assert "email/smtp-connector.yaml:" in unfilled.stdout and "SC401" in unfilled.stdout
    fill_in(repo / "email")
    _git(repo, "add", "-A")
    filled = _run(args, cwd=repo, env=_git_env(repo.parent))
    assert filled.returncode == 0, filled.stdout + filled.stderr
    assert "Passed" in filled.stdout


@pytest.mark.parametrize("folder", ["services/mail config", "mail #1: eu"])
def test_each_workflow_step_names_the_project_folder_as_one_word_whatever_its_name(
    repo: Path, cli: CliRunner, folder: str
) -> None:
    """A space splits an unquoted shell word, ` #` starts a YAML comment and `: ` a YAML mapping: each `run:`
    step reads back, and runs, with the folder whole. The build and preview steps run here, from the root."""
    cli("init", "--hook", "remote", folder, "--provider", "sendgrid", cwd=repo)
    fill_in(repo / folder)
    workflow = _workflow(repo)
    runs = [s["run"] for job in ("check", "build") for s in _steps(workflow, job) if "run" in s]
    ours = [shlex.split(run) for run in runs if run.startswith("smtp-connector")]
    assert [words[:3] for words in ours] == [
        ["smtp-connector", "lint", folder],
        ["smtp-connector", "build", folder],
        ["smtp-connector", "preview", folder],
        ["smtp-connector", "doctor", folder],
        ["smtp-connector", "build", folder],
        ["smtp-connector", "doctor", folder],
    ]
    python = f"{shlex.quote(sys.executable)} -m connector"
    for run in runs[:4]:
        if run.startswith(("smtp-connector build", "smtp-connector preview")):
            result = _run(["bash", "-e", "-c", python + run.removeprefix("smtp-connector")], cwd=repo)
            assert result.returncode == 0, result.stdout + result.stderr
    assert (repo / folder / "out" / "prod.json").is_file()
    assert (repo / folder / "out" / "preview" / "index.html").is_file()
