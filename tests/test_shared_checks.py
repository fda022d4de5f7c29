"""The checks several stages share (connector/logto/) give one finding per bad input: the same rule, message
and hint whichever command meets it: lint of a file, build, `--set`, render and `send --dry-run`, a batch
line, `deploy --dry-run`. Each case is run through every command that uses the check."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from connector.logto.timers import timer_problem
from connector.logto.usage_types import REQUIRED_HINT, missing_usage_types_message, usage_type_problem

from .conftest import ROOT, CliResult, CliRunner
from .projects import TEMPLATES, write_project

FINAL = "host: smtp.example.com\nport: 587\nauth: {type: login}\nfromEmail: a@example.com\n" + TEMPLATES
EXTRA_TEMPLATE = (
    '  - usageType: {kind}\n    contentType: text/plain\n    subject: x\n    content: "{{{{code}}}}"\n'
)


def _findings(result: CliResult, rule: str) -> set[tuple[str, str]]:
    """(message, hint) of every ``rule`` finding printed as ``file:line:col: severity RULE message (hint: h)``."""
    found = set()
    for line in (result.stdout + result.stderr).splitlines():
        head, sep, rest = line.partition(f" {rule} ")
        if not sep or not head.endswith(("error", "warning", "info")):
            continue
        message, _, hint = rest.partition(" (hint: ")
        found.add((message, hint.removesuffix(")")))
    return found


def _project(tmp_path: Path, env_text: str = "") -> Path:
    files = {
        "environments/dev.yaml": "provider: dev-sink\n" + env_text,
        "environments/prod.yaml": "provider: dev-sink\n",
    }
    return write_project(tmp_path / "p", files)


def _final(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "final.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- a usage type Logto never sends (SC101) ------------------------------------------------------------


def test_the_usage_type_finding_is_lints_documented_wording() -> None:
    assert usage_type_problem("Signin") == (
        "usageType `Signin` is not one Logto sends; did you mean `SignIn`? (Logto would silently use the "
        "Generic template instead)",
        "write `SignIn`",
    )
    message, hint = usage_type_problem("Nothing") or ("", "")
    assert "did you mean" not in message and hint.startswith("use one of SignIn, Register, ")
    assert usage_type_problem("SignIn") is None and usage_type_problem("BindMfa") is None


@pytest.mark.parametrize("kind", ["Signin", "Nothing"])
def test_an_unknown_usage_type_reads_the_same_in_every_command(
    cli: CliRunner, tmp_path: Path, kind: str
) -> None:
    expected = usage_type_problem(kind)
    assert expected is not None
    templates = "templates:\n" + EXTRA_TEMPLATE.format(kind=kind)
    final = _final(tmp_path, FINAL + EXTRA_TEMPLATE.format(kind=kind))
    assert _findings(cli("lint", str(final), expect=1), "SC101") == {expected}
    project = _project(tmp_path, templates)
    assert _findings(cli("build", str(project), "--env", "dev", expect=1), "SC101") == {expected}
    deploy = cli(
        "deploy", str(project), "--env", "dev", "--dry-run", "--endpoint", "http://127.0.0.1:9", expect=1
    )
    assert _findings(deploy, "SC101") == {expected}
    clean = _project(tmp_path / "clean")
    for command in ("build", "render"):
        rest = ["--type", "SignIn", "--code", "1"] if command == "render" else []
        option = f"templates.{kind}.subject=x"
        result = cli(command, str(clean), "--env", "dev", "--set", option, *rest, expect=1)
        assert _findings(result, "SC101") == {expected}, command
    message, hint = expected
    shown = f"smtp-connector: error: --type: {message} (hint: {hint})"
    assert (
        cli("render", str(clean), "--env", "dev", "--type", kind, "--code", "1", expect=2).stderr.strip()
        == shown
    )
    out = tmp_path / "out"
    send = ["send", str(clean), "--env", "dev", "--to", "a@example.com", "--dry-run", str(out)]
    assert cli(*send, "--type", kind, "--code", "1", expect=2).stderr.strip() == shown
    batch = tmp_path / "b.jsonl"
    batch.write_text(json.dumps({"to": "a@example.com", "type": kind}) + "\n", encoding="utf-8")
    send = ["send", str(clean), "--env", "dev", "--batch", str(batch), "--dry-run", str(out)]
    assert _findings(cli(*send, expect=1), "SC101") == {expected}
    assert not out.exists()


# --- the usage types Logto requires (SC204) -------------------------------------------------------------


def test_a_usage_type_of_another_type_counts_as_none() -> None:
    from connector.logto.usage_types import missing_usage_types

    kinds = [["SignIn"], {"a": 1}, "Register", None, "ForgotPassword", "Generic"]
    assert missing_usage_types(kinds) == ["SignIn"]
    assert missing_usage_types(["SignIn", "Register", "ForgotPassword", "Generic"]) == []


def test_missing_required_usage_types_read_the_same_in_every_command(cli: CliRunner, tmp_path: Path) -> None:
    expected = {(missing_usage_types_message(["Register", "Generic"]), REQUIRED_HINT)}
    assert expected == {("templates lack the usage types Logto requires: Register, Generic", REQUIRED_HINT)}
    kept = "templates:\n" + "".join(EXTRA_TEMPLATE.format(kind=kind) for kind in ("SignIn", "ForgotPassword"))
    final = _final(tmp_path, FINAL.split("templates:")[0] + kept)
    assert _findings(cli("lint", str(final), expect=1), "SC204") == expected
    render = ["render", str(final), "--type", "SignIn", "--code", "1"]
    assert _findings(cli(*render, expect=1), "SC204") == expected
    project = write_project(
        tmp_path / "p",
        {
            "smtp-connector.yaml": "provider: dev-sink\nfromEmail: a@example.com\n" + kept,
            "environments/dev.yaml": "",
        },
    )
    assert _findings(cli("build", str(project), "--env", "dev", expect=1), "SC204") == expected
    assert _findings(cli("render", str(project), "--env", "dev", *render[2:], expect=1), "SC204") == expected


# --- a timeout Node clamps to 1 ms (SC311) ---------------------------------------------------------------


def test_the_timer_limit_is_2_to_the_31_ms() -> None:
    assert timer_problem("socketTimeout", 2**31 - 1) is None
    assert timer_problem("socketTimeout", True) is None and timer_problem("socketTimeout", "9" * 20) is None
    assert timer_problem("socketTimeout", 2**31) == (
        "`socketTimeout` is 2,147,483,648 ms or more: Node clamps such a timer to 1 ms, so the timeout fires at "
        "once and every send fails",
        "use at most 2,147,483,647 ms (about 24.8 days); the default is nodemailer's",
    )


def test_a_timer_node_clamps_reads_the_same_in_every_command(cli: CliRunner, tmp_path: Path) -> None:
    expected = {timer_problem("connectionTimeout", 2**31)}
    final = _final(tmp_path, FINAL + f"connectionTimeout: {2**31}\n")
    assert _findings(cli("lint", str(final), expect=1), "SC311") == expected
    assert (
        _findings(cli("render", str(final), "--type", "SignIn", "--code", "1", expect=1), "SC311") == expected
    )
    project = _project(tmp_path, f"connectionTimeout: {2**31}\n")
    assert _findings(cli("build", str(project), "--env", "dev", expect=1), "SC311") == expected
    deploy = cli(
        "deploy", str(project), "--env", "dev", "--dry-run", "--endpoint", "http://127.0.0.1:9", expect=1
    )
    assert _findings(deploy, "SC311") == expected
    clean = _project(tmp_path / "clean")
    over = ["--set", f"connectionTimeout={2**31}"]
    out = tmp_path / "out"
    for args in (
        ["build", str(clean), "--env", "dev", *over],
        ["render", str(clean), "--env", "dev", *over, "--type", "SignIn", "--code", "1"],
        ["send", str(clean), "--env", "dev", *over, "--type", "SignIn", "--code", "1", "--to", "a@example.com",
         "--dry-run", str(out)],
        ["send", str(final), "--type", "SignIn", "--code", "1", "--to", "a@example.com", "--dry-run", str(out)],
        ["deploy", str(clean), "--env", "dev", *over, "--dry-run", "--endpoint", "http://127.0.0.1:9"],
    ):  # fmt: skip
        assert _findings(cli(*args, expect=1), "SC311") == expected, args[0]
    assert not out.exists()
    # One millisecond less is a timer Node keeps: every command takes it.
    fine = ["--set", f"connectionTimeout={2**31 - 1}"]
    assert "SC311" not in cli("build", str(clean), "--env", "dev", *fine).stderr
    assert (
        "SC311"
        not in cli("render", str(clean), "--env", "dev", *fine, "--type", "SignIn", "--code", "1").stderr
    )


def test_send_of_a_config_made_in_code_refuses_it_with_the_same_words() -> None:
    from connector.mail.batch import Job
    from connector.mail.send import send_all
    from connector.schema.models import ConnectorConfig
    from connector.source.loader import loads

    document = loads(FINAL + f"greetingTimeout: {2**31}\n", "final.yaml").document
    assert document is not None
    config = ConnectorConfig.model_validate(document.data)
    outcome = send_all(config, [Job("b@example.com", "SignIn", {"code": "1"})])
    assert outcome.fatal is not None
    assert (str(outcome.fatal), outcome.fatal.hint) == timer_problem("greetingTimeout", 2**31)


# --- a template's label ---------------------------------------------------------------------------------


def test_lint_and_the_header_check_name_a_template_alike(cli: CliRunner, tmp_path: Path) -> None:
    """SC402 (lint's rule) and SC408 (the shared header check) name the same template the same way."""
    odd = (
        FINAL
        + '  - usageType: "Sign\\u202eIn"\n    contentType: text/plain\n    subject: "a\\nb"\n    content: ""\n'
    )
    result = cli("lint", "--format", "json", str(_final(tmp_path, odd)), expect=1)
    messages = {f["rule"]: f["message"] for f in json.loads(result.stdout)}
    label = 'template "Sign\\u202eIn"'
    assert messages["SC402"].startswith(label) and messages["SC408"].startswith(label)


# --- the unknown-environment message --------------------------------------------------------------------


def test_an_unknown_environment_reads_the_same_in_every_command(cli: CliRunner, tmp_path: Path) -> None:
    project = _project(tmp_path)
    expected = (
        f"smtp-connector: error: no environment `prd` in {project} (it has dev, prod); did you mean `prod`?"
    )
    for args in (
        ["build", str(project), "--env", "prd"],
        ["lint", str(project), "--env", "prd"],
        ["render", str(project), "--env", "prd", "--type", "SignIn", "--code", "1"],
        ["deploy", str(project), "--env", "prd", "--dry-run", "--endpoint", "http://127.0.0.1:9"],
    ):
        assert cli(*args, expect=2).stderr.strip() == expected, args[0]


# --- what counts as loopback ----------------------------------------------------------------------------

# Strings naming this machine that are not a test of whether a host is it: defaults and generated names.
_NOT_A_TEST = {
    ("connector/sink.py", "127.0.0.1"),  # the sink's default address
    ("connector/cli/commands/sink.py", "127.0.0.1"),
    ("connector/mail/transport.py", "[127.0.0.1]"),  # nodemailer's EHLO name for an unqualified host
    ("connector/mail/transport.py", "localhost"),  # smtplib.SMTP's own default, in the override's signature
    ("connector/logto/headers.py", "localhost"),  # a Message-ID's domain when the sender has none
}


def test_loopback_has_one_definition() -> None:
    """Only connector/logto/loopback.py says what this machine is; no module compares a host inline."""
    found = set()
    definitions = []  # another is_loopback: none
    for path in sorted((ROOT / "connector").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name == "connector/logto/loopback.py":
            continue  # the definition
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and "loopback" in node.name:
                definitions.append(name)
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value.strip("[]")
                if text in ("localhost", "::1") or text.startswith("127.") or text.endswith(".localhost"):
                    found.add((name, node.value))
    from connector.logto import loopback

    assert (
        definitions == [] and loopback.is_loopback("::ffff:127.0.0.1") and loopback.is_loopback("a.localhost")
    )
    assert found <= _NOT_A_TEST, found - _NOT_A_TEST
