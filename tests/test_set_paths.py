"""A `--set` key path that names nothing is a clear error at its column, never a later, stranger one.

Templates are addressed by usage type (`templates.SignIn.subject`): an unknown type is SC101 with a
did-you-mean, word for word as `usageType: Signin` in a file is (tests/test_shared_checks.py); an unknown key is SC201 with a did-you-mean; a key
under a value that has none (`port.x`, `host[0]`) is SC202 naming what the value holds. Each exits 1, as
every finding about a `--set` value does; only a malformed option (no `=`) is a usage error (exit 2).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import CliRunner

# --set option: (the start of the first line on stderr, a phrase that must follow in it)
WRONG_PATHS: dict[str, tuple[str, str]] = {
    "templates.Signin.subject=x": (
        "--set:1:11: error SC101 usageType `Signin` is not one Logto sends; did you mean `SignIn`? (Logto would "
        "silently use the Generic template instead)",
        "(hint: write `SignIn`)",
    ),
    "templates[Signin].subject=x": ("--set:1:11: error SC101 usageType `Signin` is not one", "did you mean `SignIn`?"),
    "templates.signin.content=x": ("--set:1:11: error SC101 usageType `signin` is not one", "did you mean `SignIn`?"),
    "templates.Nothing.subject=x": ("--set:1:11: error SC101 usageType `Nothing` is not one", "use one of SignIn, Register"),
    "templates[0].subject=x": ("--set:1:11: error SC101 usageType `0` is not one Logto sends", "use one of SignIn"),
    "templates.SignIn.subjct=x": ("--set:1:18: error SC201 unknown key `subjct` in templates", "did you mean `subject`?"),
    "prot=587": ("--set:1:1: error SC201 unknown key `prot`: Logto saves it, and nodemailer ignores it: the setting does nothing; did you mean `port`?", ""),
    "auth.usr=x": ("--set:1:6: error SC201 unknown key `usr` in auth", "did you mean `user`?"),
    "port.x=1": (
        "--set:1:1: error SC202 `port` holds a number, so `port.x` names nothing that can be set",
        "(hint: set `port` itself: --set port=VALUE)",
    ),
    "host[0]=x": ("--set:1:1: error SC202 `host` holds text, so `host[0]` names nothing that can be set", ""),
    "auth.user.x=1": ("--set:1:1: error SC202 `auth.user` holds text, so `auth.user.x` names nothing", ""),
    "secure.on=true": ("--set:1:1: error SC202 `secure` holds true or false, so `secure.on`", ""),
    "customHeaders.X-Tag.a=1": ("--set:1:1: error SC202 `customHeaders.X-Tag` holds text or a list", ""),
}  # fmt: skip


def _project(cli: CliRunner, tmp_path: Path) -> Path:
    project = tmp_path / "email"
    cli("init", str(project), "--provider", "sendgrid")
    return project


@pytest.mark.parametrize("option", list(WRONG_PATHS))
def test_build_names_what_a_wrong_set_path_means(cli: CliRunner, tmp_path: Path, option: str) -> None:
    start, phrase = WRONG_PATHS[option]
    out = tmp_path / "dev.json"
    result = cli(
        "build", str(_project(cli, tmp_path)), "--env", "dev", "--set", option, "-o", str(out), expect=1
    )
    first = result.stderr.splitlines()[0]
    assert first.startswith(start) and phrase in first, result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


@pytest.mark.parametrize("option", ["templates.Signin.subject=x", "port.x=1", "prot=587"])
def test_render_and_explain_say_the_same(cli: CliRunner, tmp_path: Path, option: str) -> None:
    start, phrase = WRONG_PATHS[option]
    project = _project(cli, tmp_path)
    render = cli(
        "render", str(project), "--env", "dev", "--type", "SignIn", "--code", "1", "--set", option, expect=1
    )
    explain = cli("explain", str(project), "--env", "dev", "--set", option, expect=1)
    for result in (render, explain):
        assert result.stderr.startswith(start) and phrase in result.stderr.splitlines()[0], result.stderr


def test_render_of_a_config_file_checks_the_path_too(cli: CliRunner, tmp_path: Path) -> None:
    project = _project(cli, tmp_path)
    built = tmp_path / "dev.json"
    cli("build", str(project), "--env", "dev", "-o", str(built))
    result = cli(
        "render",
        str(built),
        "--type",
        "SignIn",
        "--code",
        "1",
        "--set",
        "templates.Signin.subject=x",
        expect=1,
    )
    assert result.stderr.startswith("--set:1:11: error SC101 usageType `Signin` is not one"), result.stderr


def test_a_secret_set_under_a_value_is_not_quoted(cli: CliRunner, tmp_path: Path) -> None:
    result = cli(
        "build", str(_project(cli, tmp_path)), "--env", "dev", "--set", "auth.pass.x=Hunter2Canary", expect=1
    )
    assert "`auth.pass` holds text" in result.stderr and "Hunter2Canary" not in result.stderr


@pytest.mark.parametrize(
    "option",
    [
        "templates.SignIn.subject=[dev] {{code}}",
        "templates[SignIn].subject=[dev] {{code}}",
        "variables.brand.name=Acme",  # variables are free-form: any path under them
        "customHeaders.X-Tag=dev",
    ],
)
def test_paths_that_name_something_still_build(cli: CliRunner, tmp_path: Path, option: str) -> None:
    cli("build", str(_project(cli, tmp_path)), "--env", "dev", "--set", option)


def test_a_template_of_a_new_usage_type_can_still_be_added_field_by_field(
    cli: CliRunner, tmp_path: Path
) -> None:
    result = cli(
        "build", str(_project(cli, tmp_path)), "--env", "dev",
        "--set", "templates.BindMfa.subject={{code}}", "--set", "templates.BindMfa.content=Code {{code}}",
        "--set", "templates.BindMfa.contentType=text/plain",
    )  # fmt: skip
    assert '"usageType": "BindMfa"' in result.stdout
