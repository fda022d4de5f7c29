"""One pipeline for the config Logto will hold, one SC402, one diff, one way to show a value on a line.

Each shared piece is fed the same bad input through every command that meets it (build, render,
send --dry-run, deploy --dry-run against the loopback Logto stand-in), and every command must report the
same finding: rule, message and hint.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import CliRunner
from .logto_server import FakeLogto
from .test_deploy import env_for, make_project

_FINDING = re.compile(r"^(?P<where>.+?:\d+:\d+): (?P<severity>error|warning) (?P<rest>SC\d{3} .*)$")


def _findings(stderr: str, rule: str) -> list[tuple[str, str]]:
    """(place, "RULE message (hint: ...)") of each printed finding of ``rule``."""
    out = []
    for line in stderr.splitlines():
        match = _FINDING.match(line)
        if match and match["rest"].startswith(rule + " "):
            out.append((match["where"], match["rest"]))
    return out


def _every_command(cli: CliRunner, logto: FakeLogto, target: Path, *extra: str) -> dict[str, str]:
    """stderr of build, render, send --dry-run and deploy --dry-run of ``target``'s prod, each refused."""
    env = env_for(logto)
    project = (str(target), "--env", "prod", *extra)
    message = ("--type", "SignIn", "--code", "123456")
    outbox = target.parent / "outbox"
    runs = {
        "build": cli("build", *project, expect=1, env=env),
        "render": cli("render", *project, *message, expect=1, env=env),
        "send --dry-run": cli(
            "send", *project, *message, "--to", "a@example.test", "--dry-run", str(outbox), expect=1, env=env
        ),
        "deploy --dry-run": cli("deploy", *project, "--dry-run", expect=1, env=env),
    }
    assert not outbox.exists() or list(outbox.iterdir()) == []
    assert logto.writes == []  # refused before anything reached Logto
    return {name: result.stderr for name, result in runs.items()}


def _built_file(cli: CliRunner, logto: FakeLogto, tmp_path: Path, change: Any) -> tuple[Path, dict[str, Any]]:
    """The project's prod environment built into a file, then changed by hand by ``change(config)``."""
    project = make_project(tmp_path / "mail")
    built = tmp_path / "prod.json"
    cli("build", str(project), "--env", "prod", "-o", str(built), env=env_for(logto))
    config = json.loads(built.read_text())
    change(config)
    built.write_text(json.dumps(config, indent=2))
    return built, config


def _file_commands(cli: CliRunner, built: Path, usage_type: str, out: Path) -> dict[str, str]:
    """What render and ``send --dry-run`` of a built file print on stderr (both refuse it)."""
    message = ("--type", usage_type, "--code", "123456")
    return {
        "render": cli("render", str(built), *message, expect=1).stderr,
        "send --dry-run": cli(
            "send", str(built), *message, "--to", "a@example.test", "--dry-run", str(out), expect=1
        ).stderr,
    }


@pytest.mark.parametrize(
    ("sets", "path", "place", "hint"),
    [
        (["fromEmail=''"], "fromEmail", "--set:1:1", "give fromEmail a value"),
        (["host=''"], "host", "--set:1:1", "give host a value"),
        (
            ["auth.user=''", "auth.pass=''"],
            "auth",
            "--set:1:6",  # the first key the highest layer wrote inside it: `user` of auth.user
            "fill in user and pass; a relay without credentials needs `auth: {type: login}` and must not "
            "advertise AUTH",
        ),
    ],
)
def test_an_emptied_required_value_is_one_finding_whichever_command_meets_it(
    cli: CliRunner, logto: FakeLogto, tmp_path: Path, sets: list[str], path: str, place: str, hint: str
) -> None:
    project = make_project(tmp_path / "mail")
    extra = [arg for value in sets for arg in ("--set", value)]
    said = {
        name: _findings(stderr, "SC402")
        for name, stderr in _every_command(cli, logto, project, *extra).items()
    }
    name = path.rpartition(".")[0] or path
    expected = (
        f"SC402 `{path}` is empty: Logto deletes empty values when it saves a config, and every send of the "
        f"saved config then fails because `{name}` is required (hint: {hint})"
    )
    # Where the --set that emptied it wrote it, in every command.
    assert said == {
        command: [(place, expected)] for command in ("build", "render", "send --dry-run", "deploy --dry-run")
    }


def test_a_built_file_holding_an_emptied_value_says_what_build_says(
    cli: CliRunner, logto: FakeLogto, tmp_path: Path
) -> None:
    built, _ = _built_file(cli, logto, tmp_path, lambda config: config.update(auth={}))
    project = tmp_path / "mail"
    from_file = _file_commands(cli, built, "SignIn", tmp_path / "out")
    from_project = _every_command(cli, logto, project, "--set", "auth.user=''", "--set", "auth.pass=''")
    texts = {
        name: [rest for _, rest in _findings(stderr, "SC402")]
        for name, stderr in {**from_file, **from_project}.items()
    }
    assert len({tuple(t) for t in texts.values()}) == 1, texts
    assert texts["render"] == [
        "SC402 `auth` is empty: Logto deletes empty values when it saves a config, and every send of the saved "
        "config then fails because `auth` is required (hint: fill in user and pass; a relay without credentials "
        "needs `auth: {type: login}` and must not advertise AUTH)"
    ]
    # In the file, at the empty value it holds.
    line = built.read_text().splitlines().index('  "auth": {},') + 1
    assert [where for where, _ in _findings(from_file["render"], "SC402")] == [f"{built}:{line}:11"]


def _built_config(**changes: Any) -> dict[str, Any]:
    """A built config with the four required templates, as Logto holds it, and ``changes``."""
    return {
        "port": 2525,
        "auth": {"user": "u", "pass": "p"},
        "fromEmail": "a@example.test",
        "templates": [
            {"usageType": kind, "contentType": "text/plain", "subject": "S", "content": "{{code}}"}
            for kind in ("SignIn", "Register", "ForgotPassword", "Generic")
        ],
        **changes,
    }


def test_only_the_emptied_required_key_is_reported_not_every_emptied_value(
    cli: CliRunner, tmp_path: Path
) -> None:
    # An empty replyTo is dropped by Logto's save and harmless; the empty host is what fails every send.
    path = tmp_path / "prod.json"
    config = _built_config(host="", replyTo="")
    path.write_text(json.dumps(config))
    stderr = cli("render", str(path), "--type", "SignIn", "--code", "1", expect=1).stderr
    assert [rest.split(" ")[1] for _, rest in _findings(stderr, "SC402")] == ["`host`"]
    config["host"] = "smtp.example.test"
    path.write_text(json.dumps(config))
    out = cli("render", str(path), "--type", "SignIn", "--code", "1").stdout
    assert "Reply-To" not in out  # as Logto holds it: the empty replyTo is gone


def test_a_null_in_a_built_file_is_refused_as_logtos_save_refuses_it(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "prod.json"
    config = _built_config(host="h.example.test", replyTo=None)
    path.write_text(json.dumps(config))
    stderr = cli("render", str(path), "--type", "SignIn", "--code", "1", expect=1).stderr
    assert [rest.split(" ")[0] for _, rest in _findings(stderr, "SC202")] == ["SC202"]


# --- one diff: build --check and deploy's plan name the same keys -------------------------------------


def test_build_check_and_the_deploy_plan_name_the_same_keys(
    cli: CliRunner, logto: FakeLogto, tmp_path: Path
) -> None:
    project = make_project(tmp_path / "mail")
    env = env_for(logto)
    out = tmp_path / "built"
    cli("deploy", str(project), "--env", "prod", env=env)
    cli("build", str(project), "--env", "prod", "--out-dir", str(out), "--keep-refs", env=env)
    changes = (
        "--set",
        "port=2600",
        "--set",
        "templates.Register.subject=Hello",
        "--set",
        "replyTo=r@acme.test",
    )
    check = cli(
        "build", str(project), "--env", "prod", "--out-dir", str(out), "--check", *changes, expect=1, env=env
    )
    plan = cli("deploy", str(project), "--env", "prod", "--dry-run", *changes, env=env)
    listed = re.search(r"prod\.json: differs at (.*)$", check.stderr, re.M)
    assert listed is not None, check.stderr
    in_check = listed.group(1).split(", ")
    in_plan = [m.group(2) for m in re.finditer(r"^  ([~+-]) ([^ :(]+)", plan.stdout, re.M)]
    # One diff, one spelling: the same keys in the same order (the built config's), whichever command.
    assert in_check == ["port", "replyTo (missing from the file)", "templates[Register].subject"]
    assert in_plan == ["port", "replyTo", "templates[Register].subject"]


def test_the_diff_keeps_typed_paths_and_compares_unnamed_or_repeated_templates_whole() -> None:
    from connector.build.diff import Difference, differences

    one = {"usageType": "SignIn", "subject": "A", "content": "x"}
    assert differences({"templates": [one]}, {"templates": [{**one, "subject": "B"}]}) == [
        Difference(("templates", "SignIn", "subject"), "changed", "A", "B")
    ]
    # A key that holds a dot or a bracket stays one step: nothing is parsed back from a string.
    assert differences({"customHeaders": {"X-a.b[c]": "1"}}, {"customHeaders": {"X-a.b[c]": "2"}}) == [
        Difference(("customHeaders", "X-a.b[c]"), "changed", "1", "2")
    ]
    # Against an empty config (a connector Logto does not hold yet), every value is added.
    assert [(d.path, d.kind) for d in differences({}, {"port": 25, "tls": {}})] == [
        (("port",), "added"),
        (("tls",), "added"),
    ]
    twice = {"templates": [one, one]}
    assert [d.path for d in differences(twice, {"templates": [one]})] == [("templates",)]
    unnamed = {"templates": [{"subject": "A"}]}
    assert [d.path for d in differences(unnamed, {"templates": [one]})] == [("templates",)]
    store = {"templates": [{"languageTag": "fr", "templateType": "SignIn", "details": {"subject": "A"}}]}
    changed = {"templates": [{"languageTag": "fr", "templateType": "SignIn", "details": {"subject": "B"}}]}
    assert [d.path for d in differences(store, changed)] == [("templates", "fr SignIn", "details", "subject")]


def test_a_template_named_like_a_secret_key_is_not_a_secret() -> None:
    from connector.deploy.plan import diff_config

    before = {"templates": [{"usageType": "pass", "subject": "A"}]}
    changes, _ = diff_config(before, {"templates": [{"usageType": "pass", "subject": "B"}]})
    assert [c.line() for c in changes] == ['~ templates[pass].subject: "A" -> "B"']


# --- one way to show a value on one line ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("x" * 58, '"' + "x" * 58 + '"'),  # 60 characters of JSON: fits
        ("x" * 59, "(59 characters)"),  # 61: by its size
        ("a\nb", "(3 characters)"),  # more than one line
        ([1, 2], "[1, 2]"),
        ({"k": "v" * 60}, "(69 characters of JSON)"),
        ("\u202eevil", '"\\u202eevil"'),  # made printable: no bidi control reaches the terminal
    ],
)
def test_deploy_and_explain_show_a_value_the_same_way(value: object, shown: str) -> None:
    from connector.deploy.plan import ConfigChange
    from connector.diagnostics.describe import one_line
    from connector.project.explain import listed_value

    assert one_line(value) == shown
    assert ConfigChange(("host",), "added", after=value).line() == f"+ host: {shown}"
    if not isinstance(value, (dict, list)):  # explain names a collection by its kind ({…}, […])
        assert listed_value(("host",), value) == shown


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda config: config.update(host=""),
            "SC402 `host` is empty: Logto deletes empty values when it saves a config, and every send of the "
            "saved config then fails because `host` is required (hint: give host a value)",
        ),
        (
            lambda config: config["templates"][0].update(subject=""),
            "SC402 template {label} has an empty `subject`: Logto deletes empty values when it saves a config, "
            "and every send of the saved config then fails because `subject` is required (hint: write the subject)",
        ),
    ],
)
def test_lint_gives_the_finding_build_render_and_send_give_for_an_emptied_value(
    cli: CliRunner, logto: FakeLogto, tmp_path: Path, change: Any, expected: str
) -> None:
    """SC402 is one finding: the lint of a file says, at the same place, what render and send say of it."""
    built, config = _built_file(cli, logto, tmp_path, change)
    usage_type = config["templates"][0]["usageType"]
    label = f'"{usage_type}"'
    runs = {
        "lint": cli("lint", str(built), expect=1).stdout,
        **_file_commands(cli, built, usage_type, tmp_path / "out"),
    }
    said = {name: _findings(text, "SC402") for name, text in runs.items()}
    places = {where for found in said.values() for where, _ in found}
    assert len(places) == 1, said
    assert {name: [rest for _, rest in found] for name, found in said.items()} == {
        name: [expected.format(label=label)] for name in runs
    }
