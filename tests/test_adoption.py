"""Adopting smtp-connector in an existing repository (issue #22, as docs/projects.md tells it).

A real repository with files, hooks and a workflow of its own; ``init`` twice (two projects); the hook
config init writes, run by a real ``pre-commit`` on real commits; the CI workflow init writes, run step by
step from the repository's root with the env the workflow gives.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .dns_fixtures import DnsServer, Zone
from .smtp_fixtures import Certificates, Server, ServerFactory
from .test_precommit import _git_env

ROOT = Path(__file__).resolve().parent.parent
NOTIFIER = "fromEmail: alerts@example.com\nport: 25\nqueue: notifications\n"
NOTIFIER_TEMPLATES = '{"templates": {"welcome": "Hi {{name}}", "reset": "Reset: {{url}}"}}\n'
OWN_CONFIG = """# the repository's own hooks
repos:
  - repo: local
    hooks:
      - id: no-tabs
        name: no tabs in Python
        entry: "\\t"
        language: pygrep
        files: \\.py$
"""
OWN_WORKFLOW = (
    "name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n"
)


def _tool_bin(tmp_path: Path) -> Path:
    """A folder with `smtp-connector` running this checkout (the hook's `language: system` entry and the
    workflow's commands find it on PATH, as they would find an installed one)."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    script = folder / "smtp-connector"
    script.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m connector "$@"\n')
    script.chmod(0o755)
    return folder


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": f"{_tool_bin(tmp_path)}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
        "NO_COLOR": "1",
        **_git_env(tmp_path),  # one isolated git and pre-commit, as the other hook tests use
    }


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def _ok(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    result = _run(args, cwd, env)
    assert result.returncode == 0, f"{args}: {result.stdout}{result.stderr}"
    return result.stdout + result.stderr


def _commit(repo: Path, env: dict[str, str], message: str = "change") -> subprocess.CompletedProcess[str]:
    _ok(["git", "add", "-A"], repo, env)
    return _run(["git", "commit", "-q", "-m", message], repo, env)


def _fill(path: Path, values: dict[str, str]) -> None:
    text = path.read_text()
    for placeholder, value in values.items():
        assert placeholder in text, (path, placeholder)
        text = text.replace(placeholder, value)
    path.write_text(text)


@pytest.fixture
def infra(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """An infrastructure repository with its own files, hooks and workflow, then two projects made by
    init (SendGrid with a French locale and a template file, Gmail), their values filled in."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    env = _env(tmp_path)
    repo = tmp_path / "infra"
    (repo / "apps" / "notifier").mkdir(parents=True)
    (repo / "apps" / "notifier" / "config.yaml").write_text(NOTIFIER)
    (repo / "apps" / "notifier" / "templates.json").write_text(NOTIFIER_TEMPLATES)
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "ci.yml").write_text(OWN_WORKFLOW)
    (repo / ".pre-commit-config.yaml").write_text(OWN_CONFIG)
    (repo / "README.md").write_text("# infra\n")
    _ok(["git", "init", "-q", "-b", "main"], repo, env)
    _ok(["smtp-connector", "init", "email", "--provider", "sendgrid", "--env", "dev,staging,prod"], repo, env)
    _ok(["smtp-connector", "init", "mail/gmail", "--provider", "gmail"], repo, env)
    _fill(
        repo / "email" / "smtp-connector.yaml",
        {"<no-reply@your-verified-domain.com>": "no-reply@acme.example"},
    )
    _fill(repo / "mail" / "gmail" / "smtp-connector.yaml", {"<your-address@gmail.com>": "team@acme.example"})
    _fill(
        repo / "mail" / "gmail" / "environments" / "prod.yaml",
        {"<your-address@gmail.com>": "team@acme.example"},
    )
    # A template file and a French variant in staging, as a team adds them.
    (repo / "email" / "templates").mkdir()
    (repo / "email" / "templates" / "sign-in.txt").write_text("Your code is {{code}}.\n")
    (repo / "email" / "templates" / "sign-in.fr.txt").write_text("Votre code : {{code}}.\n")
    _fill(
        repo / "email" / "environments" / "staging.yaml",
        {
            "{}\n": "templates:\n  - usageType: SignIn\n    content: {file: templates/sign-in.txt}\n"
            "    locales:\n      fr: {subject: Votre code, content: {file: templates/sign-in.fr.txt}}"
            # Only SignIn is translated, on purpose: SC614 would list the eight types fr users get in en.
            "  # smtp-connector: disable=SC614\n"
        },
    )
    _ok(
        ["pre-commit", "install"]
        if shutil.which("pre-commit")
        else [sys.executable, "-m", "pre_commit", "install"],
        repo,
        env,
    )
    return repo, env


def test_init_scopes_one_hook_and_one_workflow_to_every_project(infra: tuple[Path, dict[str, str]]) -> None:
    repo, _ = infra
    config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())
    assert config["repos"][0]["hooks"][0]["id"] == "no-tabs"  # the repository's own hook is kept
    ours = config["repos"][1]
    assert ours["repo"] == "local"  # this checkout is no release on an index: the form that works here
    hook = ours["hooks"][0]
    assert (hook["entry"], hook["language"], hook["always_run"]) == (
        "smtp-connector lint --hook",
        "system",
        True,
    )
    assert hook["files"] == "^(?:email|mail/gmail)/"
    workflow = yaml.safe_load((repo / ".github" / "workflows" / "email-config.yml").read_text())
    assert (repo / ".github" / "workflows" / "ci.yml").read_text() == OWN_WORKFLOW
    steps = [step.get("run", "") for step in workflow["jobs"]["check"]["steps"]]
    assert "smtp-connector lint email mail/gmail --format github" in steps
    assert not any("secrets" in str(step) for step in workflow["jobs"]["check"]["steps"])


def test_commits_the_tool_outputs_and_leaves_unrelated_files_alone(
    infra: tuple[Path, dict[str, str]],
) -> None:
    repo, env = infra
    _ok(["smtp-connector", "build", "email", "--all", "--out-dir", "email/build/", "--keep-refs"], repo, env)
    assert (repo / "email" / "build" / "staging.email-templates.json").is_file()
    result = _commit(repo, env, "adopt smtp-connector")
    assert result.returncode == 0, result.stdout + result.stderr
    # The built dev config keeps the waiver its sources hold (dev-sink's SC302): reported as suppressed.
    hook = _run(["smtp-connector", "lint", "--hook", "email/build/dev.json", "--format", "json"], repo, env)
    assert hook.returncode == 0
    assert [(f["rule"], f["suppressed"]) for f in json.loads(hook.stdout)] == [("SC302", True)]
    assert "SC302" not in _run(["smtp-connector", "lint", "--hook", "email/build/dev.json"], repo, env).stdout
    # Unrelated files that look a little like ours (fromEmail, templates) never block a commit.
    (repo / "apps" / "notifier" / "config.yaml").write_text(NOTIFIER + "retries: 3\n")
    (repo / "apps" / "notifier" / "templates.json").write_text(NOTIFIER_TEMPLATES.replace("Hi", "Hello"))
    result = _commit(repo, env)
    assert result.returncode == 0, result.stdout + result.stderr
    # Named explicitly, such a file is still told what it is not.
    named = _run(["smtp-connector", "lint", "apps/notifier/config.yaml"], repo, env)
    assert named.returncode == 1 and "SC203" in named.stdout


def test_a_broken_email_templates_file_is_refused_as_what_it_is(infra: tuple[Path, dict[str, str]]) -> None:
    repo, env = infra
    _ok(["smtp-connector", "build", "email", "--all", "--out-dir", "email/build/", "--keep-refs"], repo, env)
    assert _commit(repo, env).returncode == 0
    body = repo / "email" / "build" / "staging.email-templates.json"
    body.write_text(body.read_text().replace("{{code}}", "{{cod}}"))
    result = _commit(repo, env)
    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "email/build/staging.email-templates.json:" in output and "SC106" in output, output
    assert "SC203" not in output and "languageTag" not in output, output


@pytest.mark.parametrize("change", ["delete", "rename"])
def test_deleting_or_renaming_a_used_template_is_refused(
    infra: tuple[Path, dict[str, str]], change: str
) -> None:
    repo, env = infra
    assert _commit(repo, env).returncode == 0
    if change == "delete":
        _ok(["git", "rm", "-q", "email/templates/sign-in.fr.txt"], repo, env)
    else:
        _ok(["git", "mv", "email/templates/sign-in.fr.txt", "email/templates/connexion.fr.txt"], repo, env)
    result = _run(["git", "commit", "-q", "-m", change], repo, env)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "SC604" in output and "sign-in.fr.txt" in output, output
    assert re.search(r"smtp-connector lint\.+Failed", output), output  # not "(no files to check) Skipped"


def test_a_deletion_elsewhere_does_not_relint_the_projects(infra: tuple[Path, dict[str, str]]) -> None:
    repo, env = infra
    # A broken project (an unknown key, committed past the hook) is not relinted by a commit that only
    # deletes a file of no project: the hook runs (always_run) and finds nothing of its own changed.
    staging = repo / "email" / "environments" / "staging.yaml"
    staging.write_text(staging.read_text() + "requireTls: true\n")
    _ok(["git", "add", "-A"], repo, env)
    _ok(["git", "commit", "-q", "--no-verify", "-m", "broken"], repo, env)
    _ok(["git", "rm", "-q", "README.md"], repo, env)
    result = _run(["git", "commit", "-q", "-m", "no readme"], repo, env)
    assert result.returncode == 0, result.stdout + result.stderr
    # The same deletion inside the project's folder relints it.
    _ok(["git", "rm", "-q", "email/README.md"], repo, env)
    result = _run(["git", "commit", "-q", "-m", "no project readme"], repo, env)
    assert result.returncode == 1 and "email/environments/staging.yaml" in result.stdout + result.stderr


# What the two projects' sender domain publishes, served by a DNS server on 127.0.0.1 to the workflow's
# doctor steps: each provider's SPF include, SendGrid's s1/s2 and Google's DKIM selectors, and DMARC.
ACME_ZONE: Zone = {
    "acme.example": {
        "MX": ["10 mx.acme.example."],
        "TXT": ["v=spf1 include:sendgrid.net include:_spf.google.com ~all"],
    },
    "sendgrid.net": {"TXT": ["v=spf1 ip4:167.89.0.0/17 ~all"]},
    "_spf.google.com": {"TXT": ["v=spf1 ip4:74.125.0.0/16 ~all"]},
    "s1._domainkey.acme.example": {"TXT": ["k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC"]},
    "s2._domainkey.acme.example": {"TXT": ["k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQD"]},
    "google._domainkey.acme.example": {"TXT": ["v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQE"]},
    "_dmarc.acme.example": {"TXT": ["v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.example"]},
}
CI_SECRETS = {"SMTP_PASS": "ci-test-secret"}


def _doctor_here(command: str, dns: DnsServer, smtp: dict[str, Server]) -> str:
    """A doctor step of the workflow, pointed at this test's servers on 127.0.0.1 instead of the
    internet: the DNS part at the local DNS server, the SMTP part at the project's local SMTP server
    (`--set` is the highest layer, applied to each environment checked). The rest is as written."""
    words = shlex.split(command)
    assert (
        words[:2] == ["smtp-connector", "doctor"]
        and "--all" in words
        and words[-2:] == ["--format", "github"]
    )
    if "dns,templates" in words:
        return f"{command} --dns-server {dns.address}"
    assert words[words.index("--only") + 1] == "smtp"
    return f"{command} --set host=127.0.0.1 --set port={smtp[words[2]].port}"


def test_the_workflow_steps_run_from_the_repository_root(
    infra: tuple[Path, dict[str, str]],
    smtp_server: ServerFactory,
    certificates: Certificates,
    dns_server: Any,
    tmp_path: Path,
) -> None:
    """Each `run:` step of each job, from the repository root, with the env the workflow gives it; the
    check job has no secret at all, the build job gets the secrets it lists (here: test values). The
    doctor steps run against real servers on 127.0.0.1: every check passes, and nothing is sent."""
    repo, env = infra
    dns = dns_server(ACME_ZONE)
    accounts = {"apikey": CI_SECRETS["SMTP_PASS"], "team@acme.example": CI_SECRETS["SMTP_PASS"]}
    smtp = {  # the providers' own TLS modes: SendGrid STARTTLS on 587, Gmail TLS from the first byte
        "email": smtp_server(tls="starttls", users=accounts),
        "mail/gmail": smtp_server(tls="implicit", users=accounts),
    }
    ca_file = tmp_path / "ca.pem"  # the test CA as the system's roots would hold a public one
    ca_file.write_text(certificates.ca_pem)
    workflow = yaml.safe_load((repo / ".github" / "workflows" / "email-config.yml").read_text())
    doctor_steps = []
    for job_name in ("check", "build"):
        job = workflow["jobs"][job_name]
        for step in job["steps"]:
            if "run" not in step:
                continue
            command = step["run"]
            assert "working-directory" not in step and "defaults" not in workflow
            if command.startswith("pip install"):
                assert command == 'pip install "smtp-connector==0.1.0"'
                continue  # this checkout stands in for the release (on PATH)
            step_env = {**env, "SSL_CERT_FILE": str(ca_file)}
            for name, value in {**job.get("env", {}), **step.get("env", {})}.items():
                assert job_name == "build", f"the check job must need no secret: {name}"
                assert value == f"${{{{ secrets.{name} }}}}"
                step_env[name] = CI_SECRETS[name]
            if command.startswith("smtp-connector doctor"):
                doctor_steps.append((job_name, command))
                command = _doctor_here(command, dns, smtp)
            result = _run(["bash", "-e", "-c", command], repo, step_env)
            output = result.stdout + result.stderr
            assert result.returncode == 0, f"{command}: {output}"
            assert CI_SECRETS["SMTP_PASS"] not in output
            if "doctor" in command:
                assert "::error" not in output and "::warning" not in output, output
    assert (repo / "email" / "out" / "prod.json").is_file()
    assert (repo / "mail" / "gmail" / "out" / "preview" / "index.html").is_file()
    assert doctor_steps == [
        ("check", "smtp-connector doctor email --all --only dns,templates --format github"),
        ("check", "smtp-connector doctor mail/gmail --all --only dns,templates --format github"),
        ("build", "smtp-connector doctor email --all --only smtp --format github"),
        ("build", "smtp-connector doctor mail/gmail --all --only smtp --format github"),
    ]
    # Every environment but dev (the local sink) logged in, and nothing was sent.
    assert [user for _, user in smtp["email"].handler.logins] == ["apikey", "apikey"]  # prod, staging
    assert [user for _, user in smtp["mail/gmail"].handler.logins] == ["team@acme.example"]  # prod
    assert smtp["email"].handler.mail_from == smtp["mail/gmail"].handler.mail_from == []
    assert ("acme.example", "TXT") in dns.questions


def test_the_check_job_fails_on_a_domain_that_does_not_authorize_its_provider(
    infra: tuple[Path, dict[str, str]], dns_server: Any
) -> None:
    """The pull request's doctor step fails, annotated with the environment, the check and the key."""
    repo, env = infra
    zone = {
        **ACME_ZONE,
        "acme.example": {**ACME_ZONE["acme.example"], "TXT": ["v=spf1 include:_spf.google.com ~all"]},
    }
    dns = dns_server(zone)
    result = _run(
        [
            "bash",
            "-e",
            "-c",
            f"smtp-connector doctor email --all --only dns,templates --format github --dns-server {dns.address}",
        ],
        repo,
        env,
    )
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert result.returncode == 1
    # On the line of email/smtp-connector.yaml that sets fromEmail, named from the repository's root.
    lines = (repo / "email" / "smtp-connector.yaml").read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("fromEmail: "))
    place = f"file=email/smtp-connector.yaml,line={line},col=12"
    assert [a.split("::")[1] for a in annotations] == [
        f"error {place},title=doctor prod%3A dns.spf (fromEmail)",
        f"error {place},title=doctor staging%3A dns.spf (fromEmail)",
    ], result.stdout
    assert "include:sendgrid.net" in annotations[0]


def test_the_workflow_annotations_name_files_from_the_repository_root(
    infra: tuple[Path, dict[str, str]],
) -> None:
    repo, env = infra
    staging = repo / "email" / "environments" / "staging.yaml"
    staging.write_text(staging.read_text() + "requireTls: true\n")
    workflow = yaml.safe_load((repo / ".github" / "workflows" / "email-config.yml").read_text())
    lint = next(s["run"] for s in workflow["jobs"]["check"]["steps"] if "lint" in s.get("run", ""))
    for fmt, expected in (
        ("github", "::error file=email/environments/staging.yaml,line="),
        ("sarif", '"uri": "email/environments/staging.yaml"'),
        ("json", '"file": "email/environments/staging.yaml"'),
        ("text", "email/environments/staging.yaml:"),
    ):
        command = lint.replace("--format github", f"--format {fmt}")
        for cwd in (repo, repo / "email") if fmt in ("github", "sarif") else (repo,):
            if cwd != repo:
                command = command.replace("email mail/gmail", ". ../mail/gmail")
            result = _run(["bash", "-c", command], cwd, env)
            assert result.returncode == 1 and expected in result.stdout, (fmt, cwd, result.stdout)


def test_a_third_init_updates_the_workflow_and_an_edited_one_is_left_alone(
    infra: tuple[Path, dict[str, str]],
) -> None:
    repo, env = infra
    workflow = repo / ".github" / "workflows" / "email-config.yml"
    out = _ok(["smtp-connector", "init", "ses", "--provider", "amazon-ses"], repo, env)
    assert "email-config.yml: now covers ses too" in out
    assert "smtp-connector lint email mail/gmail ses --format github" in workflow.read_text()
    assert "^(?:email|mail/gmail|ses)/" in (repo / ".pre-commit-config.yaml").read_text()
    workflow.write_text(workflow.read_text().replace("ubuntu-latest", "ubuntu-24.04"))
    edited = workflow.read_text()
    out = _ok(["smtp-connector", "init", "postmark", "--provider", "postmark"], repo, env)
    assert workflow.read_text() == edited
    assert "it is not as init wrote it" in out and "smtp-connector build postmark --all --keep-refs" in out


def test_lint_dot_at_the_root_lints_every_project_and_says_what_it_checked(
    infra: tuple[Path, dict[str, str]],
) -> None:
    repo, env = infra
    result = _run(["smtp-connector", "lint", "."], repo, env)
    assert result.returncode == 0, result.stdout + result.stderr
    # email's one warning (SC614, its French fallbacks) is suppressed where the variant is written.
    assert (result.stdout, result.stderr) == ("", "0 errors, 0 warnings (1 suppressed)\n")
    # mail/gmail: its project file, 2 environments, all clean.
    gmail = _run(["smtp-connector", "lint", "mail/gmail"], repo, env)
    assert (gmail.stdout, gmail.stderr) == ("", "All checks passed (3 files, 2 environments).\n")
    assert _run(["smtp-connector", "lint", "-q", "."], repo, env).stderr == ""
    # A folder with no project in or under it is an error at the folder (SC507, exit 1), as build says it.
    apps = _run(["smtp-connector", "lint", "apps"], repo, env)
    assert apps.returncode == 1 and apps.stdout.startswith("apps:1:1: error SC507 "), apps.stdout
    # A finding in a template file, named directly, is shown as the file was named (not absolute).
    (repo / "email" / "templates" / "sign-in.fr.txt").write_text("Votre code : {{ cod }}.\n")
    for cwd, name in ((repo, "email/templates/sign-in.fr.txt"), (repo / "email", "templates/sign-in.fr.txt")):
        named = _run(["smtp-connector", "lint", name], cwd, env)
        assert named.returncode == 1 and named.stdout.startswith(f"{name}:1:"), named.stdout


def test_a_secret_added_to_a_project_is_listed_when_init_runs_again(
    infra: tuple[Path, dict[str, str]],
) -> None:
    repo, env = infra
    prod = repo / "email" / "environments" / "prod.yaml"
    prod.write_text(prod.read_text().replace("{}\n", "auth: {user: '${SENDGRID_USER}'}\n"))
    out = _ok(["smtp-connector", "init", "email", "--provider", "sendgrid"], repo, env)
    assert "email-config.yml: lists the secrets the projects name now" in out
    workflow = yaml.safe_load((repo / ".github" / "workflows" / "email-config.yml").read_text())
    build = next(
        s
        for s in workflow["jobs"]["build"]["steps"]
        if s.get("run", "").startswith("smtp-connector build email")
    )
    assert build["env"] == {
        "SMTP_PASS": "${{ secrets.SMTP_PASS }}",
        "SENDGRID_USER": "${{ secrets.SENDGRID_USER }}",
    }


@pytest.mark.parametrize(
    ("version", "direct_url", "form"),
    [
        ("1.2.3", None, "remote"),  # a release from a package index: its tag exists for pre-commit
        ("1.2.3", '{"url": "file:///src/smtp-connector", "dir_info": {}}', "local"),  # pip install .
        ("1.2.3", '{"url": "file:///src", "dir_info": {"editable": true}}', "local"),  # pip install -e .
        ("1.3.0.dev4", None, "local"),  # not a release: no tag to fetch
        ("1.2.3+local", None, "local"),
    ],
)
def test_init_writes_the_hook_form_that_works_where_it_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: str, direct_url: str | None, form: str
) -> None:
    """The installed distribution's own metadata (PEP 610's direct_url.json) decides, read by importlib."""
    from connector.scaffold import hook_form

    info = tmp_path / "site" / f"smtp_connector-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: smtp-connector\nVersion: {version}\n")
    if direct_url is not None:
        (info / "direct_url.json").write_text(direct_url)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    assert hook_form() == form


def test_a_template_outside_templates_is_relinted_by_the_hook(infra: tuple[Path, dict[str, str]]) -> None:
    repo, env = infra
    (repo / "email" / "layouts").mkdir()
    (repo / "email" / "layouts" / "sign-in.html").write_text("<p>Your code: {{code}}</p>\n")
    prod = repo / "email" / "environments" / "prod.yaml"
    prod.write_text(
        prod.read_text().replace(
            "{}\n",
            "templates:\n  - usageType: SignIn\n    contentType: text/html\n"
            "    content: {file: layouts/sign-in.html}\n",
        )
    )
    assert _commit(repo, env).returncode == 0
    (repo / "email" / "layouts" / "sign-in.html").write_text("<p>Welcome</b>\n")
    result = _commit(repo, env)
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "SC104" in output, output


def test_a_deletion_between_two_refs_is_seen_too(infra: tuple[Path, dict[str, str]]) -> None:
    """`pre-commit run --from-ref A --to-ref B` (pre-push, CI): the deletion is in a commit, not staged."""
    repo, env = infra
    assert _commit(repo, env).returncode == 0
    _ok(["git", "rm", "-q", "email/templates/sign-in.fr.txt"], repo, env)
    _ok(["git", "commit", "-q", "--no-verify", "-m", "past the hook"], repo, env)
    args = [sys.executable, "-m", "pre_commit", "run", "--from-ref", "HEAD~1", "--to-ref", "HEAD"]
    result = _run(args, repo, env)
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "SC604" in output and "sign-in.fr.txt" in output, output


@pytest.mark.parametrize(
    ("direct_url", "requirement", "note"),
    [
        (None, "smtp-connector==1.2.3", False),  # a release from a package index
        (
            '{"url": "https://github.com/acme/smtp-connector", "vcs_info": {"vcs": "git", "commit_id": "'
            + "a" * 40
            + '"}}',
            "smtp-connector @ git+https://github.com/acme/smtp-connector@" + "a" * 40,
            False,
        ),
        (  # a commit that is no commit id is left out, not quoted into a shell command
            '{"url": "https://github.com/acme/smtp-connector", "vcs_info": {"vcs": "git", "commit_id": "x;y"}}',
            "smtp-connector @ git+https://github.com/acme/smtp-connector",
            False,
        ),
        (
            '{"url": "https://files.example/smtp_connector-1.2.3.tar.gz", "archive_info": {}}',
            "smtp-connector @ https://files.example/smtp_connector-1.2.3.tar.gz",
            False,
        ),
        ('{"url": "file:///src/smtp-connector", "dir_info": {}}', "smtp-connector==1.2.3", True),
        ('{"url": "file:///src", "dir_info": {"editable": true}}', "smtp-connector==1.2.3", True),
        # A URL a shell would read otherwise is never written into the workflow.
        ('{"url": "https://h.example/$(id)", "vcs_info": {"vcs": "git"}}', "smtp-connector==1.2.3", True),
        ("not json", "smtp-connector==1.2.3", True),
    ],
)
def test_the_workflow_installs_the_smtp_connector_init_ran_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, direct_url: str | None, requirement: str, note: bool
) -> None:
    """PEP 610's direct_url.json says where this install came from; CI installs the same, or is told to."""
    from connector.scaffold import _workflow, install_requirement

    info = tmp_path / "site" / "smtp_connector-1.2.3.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: smtp-connector\nVersion: 1.2.3\n")
    if direct_url is not None:
        (info / "direct_url.json").write_text(direct_url)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    got, said = install_requirement()
    assert got == requirement
    assert (said is not None) == note
    workflow = yaml.safe_load(_workflow([("email", ["SMTP_PASS"])]))
    runs = [step.get("run") for job in workflow["jobs"].values() for step in job["steps"]]
    assert f'pip install "{requirement}"' in runs
    assert ("# To do: " in _workflow([("email", ["SMTP_PASS"])])) == note
