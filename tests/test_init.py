"""init: a complete project that builds for dev at once, and never overwrites a file."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from connector.logto import USAGE_TYPES
from connector.logto.addresses import envelope_sender, reading_difference
from connector.logto.placeholders import find_placeholders
from connector.project.layout import compose, load_project

from .conftest import CliRunner

FILES = [
    "smtp-connector.yaml",
    "environments/dev.yaml",
    "environments/prod.yaml",
    ".pre-commit-config.yaml",
    ".github/workflows/email-config.yml",
    ".gitignore",
    "README.md",
]


def test_init_writes_a_complete_project(cli: CliRunner, tmp_path: Path) -> None:
    result = cli("init", "--hook", "remote", str(tmp_path / "email"), "--provider", "gmail")
    root = tmp_path / "email"
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) == sorted(FILES)
    assert result.stdout.startswith(
        f"created:\n  {root}/smtp-connector.yaml\n  {root}/environments/dev.yaml\n"
    )
    assert result.stderr == ""
    project = load_project(root)
    assert project.environments == ("dev", "prod")
    assert project.provider == "gmail"
    assert project.environment_files["dev"].data == {
        "provider": "dev-sink",
        "fromEmail": "no-reply@example.com",
    }
    assert project.environment_files["prod"].data == {"auth": {"user": "<your-address@gmail.com>"}}


def test_every_usage_type_has_a_template_with_its_placeholder(tmp_path: Path, cli: CliRunner) -> None:
    cli("init", "--hook", "remote", str(tmp_path), "--provider", "sendgrid")
    templates = load_project(tmp_path).project_file.data["templates"]
    assert [t["usageType"] for t in templates] == list(USAGE_TYPES)
    for template in templates:
        roots = {p.root for p in find_placeholders(template["subject"] + template["content"])}
        assert roots == ({"link"} if template["usageType"] == "OrganizationInvitation" else {"code"})


def test_dev_builds_with_no_account_and_no_secret(tmp_path: Path, cli: CliRunner) -> None:
    cli("init", "--hook", "remote", str(tmp_path), "--provider", "amazon-ses")
    data = json.loads(cli("build", str(tmp_path), "--env", "dev", env={}).stdout)
    assert (data["host"], data["port"], data["auth"]) == ("127.0.0.1", 2525, {"type": "login"})


def test_the_fill_ins_land_in_the_project_with_their_comments(tmp_path: Path, cli: CliRunner) -> None:
    cli("init", "--hook", "remote", str(tmp_path), "--provider", "amazon-ses")
    prod = (tmp_path / "environments/prod.yaml").read_text()
    assert "host: email-smtp.<region>.amazonaws.com\n" in prod
    assert (
        "  # SES console > SMTP settings > Create SMTP credentials: the SMTP user name, not an AWS access key.\n"
        in prod
    )
    assert "SMTP_PASS from the" in prod
    base = (tmp_path / "smtp-connector.yaml").read_text()
    assert (
        "# A verified identity (address or domain) in the same region.\nfromEmail: <no-reply@your-verified-domain.com>\n"
        in base
    )
    composed = compose(load_project(tmp_path), "prod", resolve=False)
    assert composed.origin(("auth", "user")).layer_name == "environment:prod"


def test_the_hook_ci_and_gitignore(tmp_path: Path, cli: CliRunner) -> None:
    cli("init", "--hook", "remote", str(tmp_path), "--provider", "postmark")
    hooks = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())
    repo = hooks["repos"][0]
    assert repo["hooks"] == [{"id": "smtp-connector-lint"}]
    assert repo["rev"].startswith("v") and repo["repo"].startswith("https://")
    assert "Pin rev" in (tmp_path / ".pre-commit-config.yaml").read_text()
    workflow = yaml.safe_load((tmp_path / ".github/workflows/email-config.yml").read_text())
    runs = [step.get("run") for step in workflow["jobs"]["build"]["steps"]]
    assert "smtp-connector build --all --out-dir out/" in runs
    build = next(
        s for s in workflow["jobs"]["build"]["steps"] if s.get("run", "").startswith("smtp-connector build")
    )
    assert build["env"] == {"SMTP_PASS": "${{ secrets.SMTP_PASS }}"}
    ignored = (tmp_path / ".gitignore").read_text().splitlines()
    assert "out/" in ignored and "mail-sink/" in ignored


def test_every_generated_yaml_names_its_schema(tmp_path: Path, cli: CliRunner) -> None:
    cli("init", "--hook", "remote", str(tmp_path), "--provider", "zoho")
    for name in ("smtp-connector.yaml", "environments/dev.yaml", "environments/prod.yaml"):
        first = (tmp_path / name).read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=https://")
        assert first.endswith("/schema/smtp-connector.source.schema.json")


def test_init_skips_and_lists_the_files_that_exist_and_never_overwrites(
    tmp_path: Path, cli: CliRunner
) -> None:
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments/prod.yaml").write_text("port: 1\n")
    (tmp_path / "smtp-connector.yml").write_text("provider: gmail\n")  # the other spelling counts
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github/workflows").write_text("a file where a folder would go\n")
    result = cli("init", "--hook", "remote", str(tmp_path), "--provider", "gmail")
    assert result.stdout == (
        "created:\n"
        f"  {tmp_path}/environments/dev.yaml\n"
        f"  {tmp_path}/.gitignore\n"
        f"  {tmp_path}/README.md\n"
        f"  {tmp_path}/.pre-commit-config.yaml\n"
        "skipped (already there, left as it is):\n"
        f"  {tmp_path}/smtp-connector.yml\n"
        f"  {tmp_path}/environments/prod.yaml\n"
        f"  {tmp_path}/.github/workflows/email-config.yml ({tmp_path}/.github/workflows is a file, not a folder)\n"
        "next:\n"
        f"  1. smtp-connector build {tmp_path} --env dev   # works now: dev sends to the local sink (start it "
        "with `smtp-connector sink`)\n"
        f"  2. pre-commit install (in {tmp_path}), once the folder is a git repository   # lint the email config before every commit\n"
    )
    assert (tmp_path / "environments/prod.yaml").read_text() == "port: 1\n"
    assert (tmp_path / "smtp-connector.yml").read_text() == "provider: gmail\n"
    assert not (tmp_path / "smtp-connector.yaml").exists()
    assert (tmp_path / ".github/workflows").read_text() == "a file where a folder would go\n"


def test_running_init_again_changes_nothing(tmp_path: Path, cli: CliRunner) -> None:
    cli("init", "--hook", "remote", str(tmp_path), "--provider", "amazon-ses", "--env", "dev,staging,prod")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = cli(
        "init", "--hook", "remote", str(tmp_path), "--provider", "amazon-ses", "--env", "dev,staging,prod"
    )
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
    assert "created:" not in result.stdout and "updated" not in result.stdout
    assert "nothing to do: every file init writes is already there\n" in result.stdout
    assert result.stdout.count("\n  ") == 8 + 1  # the eight files skipped, one next step


def test_init_defaults_to_the_current_folder(tmp_path: Path, cli: CliRunner) -> None:
    result = cli("init", "--hook", "remote", "--provider", "postmark", cwd=tmp_path)
    assert "  smtp-connector.yaml\n" in result.stdout
    assert "smtp-connector build . --env dev" in result.stdout
    assert load_project(tmp_path).environments == ("dev", "prod")


def test_a_file_given_as_the_folder_is_an_input_error(tmp_path: Path, cli: CliRunner) -> None:
    (tmp_path / "email").write_text("x\n")
    result = cli("init", "--hook", "remote", str(tmp_path / "email"), "--provider", "gmail", expect=1)
    assert result.stderr.startswith(f"smtp-connector: error: {tmp_path}/email: is a file, not a folder")


def test_init_into_a_folder_with_other_files_is_fine(tmp_path: Path, cli: CliRunner) -> None:
    (tmp_path / "README.md").write_text("mine\n")
    cli("init", "--hook", "remote", str(tmp_path), "--provider", "gmail")
    assert (tmp_path / "README.md").read_text() == "mine\n"


def test_an_unknown_provider_is_a_usage_error(tmp_path: Path, cli: CliRunner) -> None:
    result = cli("init", "--hook", "remote", str(tmp_path), "--provider", "sendgird", expect=2)
    assert result.stderr.startswith(
        "smtp-connector: error: unknown provider `sendgird`; did you mean `sendgrid`?"
    )
    assert not any(tmp_path.iterdir())


def test_init_writes_addresses_that_nodemailer_reads_as_written(tmp_path: Path, cli: CliRunner) -> None:
    # Every shipped provider: no sender or reply-to that Logto would send otherwise (SC411) or not at all.
    from connector.lint import lint_paths
    from connector.resources import shipped_names

    assert len(shipped_names()) > 5
    for name in shipped_names():
        folder = tmp_path / name
        cli("init", "--hook", "remote", str(folder), "--provider", name)
        rules = {f.rule for f in lint_paths([str(folder)]).findings}
        assert not rules & {"SC405", "SC411"}, (name, rules)
        dev = compose(load_project(folder), "dev", resolve=False).data
        assert reading_difference(dev["fromEmail"], False) is None and envelope_sender(dev["fromEmail"])
