"""Issue 14, the everyday command line: any argument order, usage errors with did-you-mean, the shared
options (-e, --color) and shell completion (docs/cli.md)."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from connector.cli.main import COMMANDS, build_parser

from .conftest import ROOT, CliResult, CliRunner
from .projects import write_project

ESC = "\033["


def _project(root: Path) -> Path:
    # dev and prod; the shipped sendgrid overlay wants ${SMTP_PASS}, which --dry-run does not need.
    return write_project(
        root, {"environments/dev.yaml": "port: 587\n", "environments/prod.yaml": "port: 587\n"}
    )


def _sent_to(result_stdout: str) -> list[str]:
    return [json.loads(line)["to"] for line in result_stdout.splitlines()]


# --- send: --to never swallows the project --------------------------------------------------------------


@pytest.mark.parametrize(
    "order",
    [
        # The line from the issue: the project after --to.
        ("--env", "dev", "--type", "SignIn", "--to", "me@example.com", "PROJECT", "--code", "1"),
        ("PROJECT", "--env", "dev", "--type", "SignIn", "--to", "me@example.com", "--code", "1"),
        ("--to", "me@example.com", "PROJECT", "-e", "dev", "--code", "1", "--type", "SignIn"),
        ("--code", "1", "--type", "SignIn", "-e", "dev", "PROJECT", "--to", "me@example.com"),
    ],
)
def test_send_takes_its_arguments_in_any_order(
    cli: CliRunner, tmp_path: Path, order: tuple[str, ...]
) -> None:
    project = _project(tmp_path / "email")
    args = [str(project) if a == "PROJECT" else a for a in order]
    result = cli("send", *args, "--dry-run", str(tmp_path / "out"))
    assert _sent_to(result.stdout) == ["me@example.com"]


def test_to_is_repeatable_and_never_split_at_commas(cli: CliRunner, tmp_path: Path) -> None:
    project = _project(tmp_path / "email")
    result = cli(
        "send", "--to", "a@example.com", str(project), "-e", "dev", "--type", "SignIn", "--code", "1",
        "--to", "Acme, Inc. <b@example.com>", "--to", "c@example.com", "--dry-run", str(tmp_path / "out"),
    )  # fmt: skip
    assert _sent_to(result.stdout) == ["a@example.com", "Acme, Inc. <b@example.com>", "c@example.com"]
    assert len(list((tmp_path / "out").glob("*.eml"))) == 3
    # Two addresses in one --to are refused (docs/security.md), not fanned out to two messages.
    two = cli(
        "send", str(project), "-e", "dev", "--type", "SignIn", "--code", "1",
        "--to", "a@example.com, b@example.com", "--dry-run", str(tmp_path / "two"), expect=1,
    )  # fmt: skip
    assert [json.loads(line)["status"] for line in two.stdout.splitlines()] == ["failed"]
    assert "the recipient holds 2 addresses" in two.stdout


def test_the_old_list_form_is_a_usage_error_that_says_what_to_do(cli: CliRunner, tmp_path: Path) -> None:
    project = _project(tmp_path / "email")
    old = cli(
        "send", str(project), "-e", "dev", "--type", "SignIn", "--to", "a@x.example", "b@x.example", expect=2
    )
    assert "unrecognized arguments: b@x.example (one --to per recipient: --to b@x.example)" in old.stderr
    assert "usage: smtp-connector send " in old.stderr


def test_list_positionals_take_words_after_options(cli: CliRunner, tmp_path: Path) -> None:
    parser = build_parser()
    assert parser.parse_args(["lint", "a", "--env", "dev", "b", "-e", "x", "c"]).paths == ["a", "b", "c"]
    assert parser.parse_args(["rules", "SC001", "--format", "json", "SC002"]).ids == ["SC001", "SC002"]
    assert parser.parse_args(["explain", ".", "--env", "prod", "auth"]).targets == [".", "auth"]
    assert parser.parse_args(["build", "--env", "dev", "proj"]).project == "proj"
    # Both paths are linted, not just the first (the second is a typo: SC001).
    project = _project(tmp_path / "email")
    result = cli("lint", str(project), "-e", "dev", str(tmp_path / "emial"), expect=1)
    assert "emial:1:1: error SC001" in result.stdout


def test_no_list_option_can_swallow_a_positional() -> None:
    """The trap of issue 14 everywhere: an option taking a variable number of words."""
    for name, command in _commands().items():
        for action in command._actions:
            if action.option_strings:
                assert action.nargs not in ("*", "+", argparse.REMAINDER), (name, action.option_strings)


# --- usage errors ---------------------------------------------------------------------------------------


def test_a_misspelt_command_gets_did_you_mean(cli: CliRunner) -> None:
    result = cli("biuld", expect=2)
    assert result.stderr.startswith(
        "smtp-connector: error: argument COMMAND: invalid choice: 'biuld' (did you mean 'build'?)\n"
    )
    far = cli("frobnicate", expect=2)
    assert "(choose from 'init', 'providers', 'build'" in far.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("lint", "--fmt", "json"), "unrecognized arguments: --fmt (did you mean --format?)"),
        (("lint", "--environment", "dev"), "unrecognized arguments: --environment (did you mean --env?)"),
        (("build", "--environment=dev"), "unrecognized arguments: --environment=dev (did you mean --env?)"),
        (
            ("send", "x", "--too", "a@b.example"),
            "unrecognized arguments: --too a@b.example (did you mean --to?)",
        ),
        (("lint", "--Env", "dev"), "(did you mean --env?)"),
        # build has no --format: no far-fetched guess (--fmt is not --set).
        (("build", "--fmt", "json"), "unrecognized arguments: --fmt\n"),
        (("lint", "--format", "jsn"), "argument --format: invalid choice: 'jsn' (did you mean 'json'?)"),
        (("lint", "--color", "alwys"), "argument --color: invalid choice: 'alwys' (did you mean 'always'?)"),
    ],
)
def test_usage_errors_name_the_command_and_suggest_the_flag(
    cli: CliRunner, args: tuple[str, ...], said: str
) -> None:
    result = cli(*args, expect=2)
    assert said in result.stderr
    # The failing command's usage and help, not the top level's.
    assert f"usage: smtp-connector {args[0]} " in result.stderr
    assert f"Try 'smtp-connector {args[0]} --help' for help." in result.stderr


def test_abbreviations_are_not_accepted(cli: CliRunner, tmp_path: Path) -> None:
    """A prefix never silently stands for a flag: `--form` is a typo, reported, not `--format`."""
    _project(tmp_path / "email")
    result = cli("lint", "email", "--form", "json", cwd=tmp_path, expect=2)
    assert "unrecognized arguments: --form (did you mean --format?)" in result.stderr
    assert "unrecognized arguments: --skip" in cli("lint", "--skip", expect=2).stderr
    for command in _commands().values():
        assert command.allow_abbrev is False
    assert build_parser().allow_abbrev is False


# --- shared options -------------------------------------------------------------------------------------

FINDING_COMMANDS = ("lint", "build", "explain", "preview", "render", "send", "deploy")


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def _flags(command: argparse.ArgumentParser) -> set[str]:
    return {s for a in command._actions for s in a.option_strings}


def test_every_env_has_the_short_e_and_every_command_printing_findings_has_color() -> None:
    commands = _commands()
    assert set(commands) == set(COMMANDS)
    with_env = {name for name, c in commands.items() if "--env" in _flags(c)}
    assert {"build", "explain", "lint", "preview", "render", "send", "deploy", "pull", "init"} <= with_env
    for name in with_env:
        assert "-e" in _flags(commands[name]), name
    for name in FINDING_COMMANDS:
        assert "--color" in _flags(commands[name]), name


def test_shared_options_have_one_home() -> None:
    """-e/--env and --color are defined in connector/cli/options.py only, not copied per command."""
    for path in (ROOT / "connector" / "cli" / "commands").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for literal in ('"--env"', '"--color"', '"--set"'):
            assert literal not in text, f"{path.name} defines {literal}: use connector.cli.options"


BROKEN = {"smtp-connector.yaml": "provider: sendgrid\nhots: x\n", "environments/dev.yaml": "port: 587\n"}


@pytest.mark.parametrize("command", FINDING_COMMANDS)
def test_color_always_never_and_the_environment(cli: CliRunner, tmp_path: Path, command: str) -> None:
    project = write_project(tmp_path / "email", BROKEN)
    rest = {
        "render": ("--type", "SignIn", "--code", "1"),
        "send": (
            "--type",
            "SignIn",
            "--code",
            "1",
            "--to",
            "a@example.com",
            "--dry-run",
            str(tmp_path / "o"),
        ),
        "preview": ("--out", str(tmp_path / "p")),
    }.get(command, ())
    args = (command, str(project), "-e", "dev", *rest)

    def stream(result: CliResult) -> str:
        return result.stdout if command == "lint" else result.stderr

    always = stream(cli(*args, "--color", "always", expect=1))
    assert "SC" in always and f"{ESC}31merror{ESC}0m" in always
    never = stream(cli(*args, "--color", "never", expect=1, env={"FORCE_COLOR": "1"}))
    assert "error SC" in never and ESC not in never
    # auto: not a terminal here, so plain unless FORCE_COLOR; NO_COLOR wins over FORCE_COLOR.
    assert ESC not in stream(cli(*args, expect=1))
    assert ESC in stream(cli(*args, expect=1, env={"FORCE_COLOR": "1"}))
    assert ESC not in stream(cli(*args, expect=1, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}))


# --- completion ------------------------------------------------------------------------------------------


def test_completion_prints_a_script_for_each_shell(cli: CliRunner) -> None:
    bash = cli("completion", "bash").stdout
    assert "complete -o nospace -o default -o bashdefault -F _python_argcomplete smtp-connector" in bash
    assert "compdef _python_argcomplete smtp-connector" in cli("completion", "zsh").stdout
    assert "complete --command smtp-connector" in cli("completion", "fish").stdout
    assert "did you mean 'fish'?" in cli("completion", "fsh", expect=2).stderr


def _wrapper(tmp_path: Path) -> dict[str, str]:
    """A `smtp-connector` on PATH that runs this checkout, as the installed console script does."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "smtp-connector"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m connector "$@"\n')
    script.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(ROOT)}
    for key in ("_ARGCOMPLETE", "COMP_LINE", "COMP_POINT"):
        env.pop(key, None)
    return env


LINES = {
    "commands": "smtp-connector b",
    "flags": "smtp-connector lint --co",
    "types": "smtp-connector send email --type Si",
    "environments": "smtp-connector build email -e ",
    "environments_after": "smtp-connector render -e ",
    "providers": "smtp-connector init new --provider sendg",
    "choices": "smtp-connector lint --color ",
    "shells": "smtp-connector completion ",
    "top": "smtp-connector ",
    "dash": "smtp-connector schema --",
    "rules": "smtp-connector rules SC00",
}
EXPECTED = {
    "commands": ["build"],
    "flags": ["--color"],
    "types": ["SignIn"],
    "environments": ["dev", "prod"],
    "environments_after": ["dev", "prod"],  # no project named yet: the current folder's
    "providers": ["sendgrid"],
    "choices": ["always", "auto", "never"],
    "shells": ["bash", "fish", "zsh"],
    "top": sorted(COMMANDS),  # flags only after a `-`
    "dash": ["--generate", "--help", "--source"],
    "rules": [f"SC00{n}" for n in range(1, 10)],
}


def _bash(lines: dict[str, str]) -> str:
    calls = [
        f"COMP_LINE='{line}'; COMP_POINT=${{#COMP_LINE}}; read -ra COMP_WORDS <<< \"$COMP_LINE\"; "
        f"[[ $COMP_LINE == *' ' ]] && COMP_WORDS+=(''); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); "
        f"COMPREPLY=(); _python_argcomplete smtp-connector; echo '== {name}'; "
        'printf "%s\\n" "${COMPREPLY[@]}"'
        for name, line in lines.items()
    ]
    return "source <(smtp-connector completion bash)\n" + "\n".join(calls)


def _zsh(lines: dict[str, str]) -> str:
    # The completion system's _describe prints what it was given: the candidates, as `word:description`.
    setup = (
        'autoload -U compinit; compinit -u -D; eval "$(smtp-connector completion zsh)"\n'
        '_describe() { print -rl -- "${(@P)2}"; }\n'
    )
    calls = [
        f"BUFFER='{line}'; CURSOR=${{#BUFFER}}; words=(${{(z)BUFFER}}); "
        f"[[ $BUFFER == *' ' ]] && words+=(''); echo '== {name}'; _python_argcomplete"
        for name, line in lines.items()
    ]
    return setup + "\n".join(calls)


def _fish(lines: dict[str, str]) -> str:
    calls = [f"echo '== {name}'; complete -C '{line}'" for name, line in lines.items()]
    return "smtp-connector completion fish | source\n" + "\n".join(calls)


SHELLS = {
    "bash": (["bash", "-c"], _bash),
    "zsh": (["zsh", "-f", "-c"], _zsh),
    "fish": (["fish", "-c"], _fish),
}


@pytest.mark.parametrize("shell", SHELLS)
def test_the_shell_completes_commands_flags_types_environments_and_providers(
    tmp_path: Path, shell: str
) -> None:
    """The real shell, the script `completion SHELL` prints, and this checkout answering it."""
    command, script = SHELLS[shell]
    if shutil.which(command[0]) is None:
        pytest.skip(f"{shell} is not installed (.ci/run installs it)")
    _project(tmp_path / "email")
    _project(tmp_path)  # the current folder is a project too, for a line that names none
    env = {**_wrapper(tmp_path), "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / ".config")}
    env["XDG_DATA_HOME"] = str(tmp_path / ".local")
    done = subprocess.run(
        [*command, script(LINES)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )
    answers: dict[str, list[str]] = {}
    for block in done.stdout.split("== ")[1:]:
        name, *words = block.splitlines()
        # zsh lists `word:description`, fish `word<TAB>description`, bash the word alone.
        answers[name] = sorted(re.split(r"(?<!\\):|\t", w)[0].strip() for w in words if w.strip())
    assert answers == EXPECTED, done.stderr


def test_the_hook_never_imports_argcomplete(tmp_path: Path) -> None:
    """Completion costs nothing when not completing: lint's cold start does not grow."""
    project = _project(tmp_path / "email")
    code = (
        "import sys\nfrom connector.cli.main import main\n"
        f"code = main(['lint', '--skip-unrelated', {str(project / 'smtp-connector.yaml')!r}])\n"
        "assert 'argcomplete' not in sys.modules, 'argcomplete was imported'\nsys.exit(code)\n"
    )
    env = _wrapper(tmp_path)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
