"""The command line through argparse's public API only (issue 20): the parser notes every action it adds,
those in argument groups and mutually exclusive groups too, so did-you-mean sees every flag; a misspelt
command is found after top-level options; choices are refused through the ``type`` hook."""

from __future__ import annotations

import re

import pytest

from connector.cli.main import COMMANDS, build_parser

from .conftest import CliRunner


def test_every_flag_the_help_shows_is_known_to_did_you_mean() -> None:
    parser = build_parser()
    for name in COMMANDS:
        command = parser.commands[name]
        shown = set(re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", command.format_help()))
        known = {s for action in command.arguments for s in action.option_strings}
        assert shown <= known, (name, shown - known)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        # a flag in a mutually exclusive group, and one in a titled argument group
        (("deploy", "--dry-rn"), "unrecognized arguments: --dry-rn (did you mean --dry-run?)"),
        (("deploy", "--endpont"), "unrecognized arguments: --endpont (did you mean --endpoint?)"),
        (("build", "--al"), "unrecognized arguments: --al (did you mean --all?)"),
        # a positional's choices
        (("completion", "zhs"), "argument SHELL: invalid choice: 'zhs' (did you mean 'zsh'?)"),
        (("providers", "--format=jsn"), "argument --format: invalid choice: 'jsn' (did you mean 'json'?)"),
    ],
)
def test_usage_errors_in_groups_and_positionals(cli: CliRunner, args: tuple[str, ...], said: str) -> None:
    result = cli(*args, expect=2)
    assert said in result.stderr
    assert f"usage: smtp-connector {args[0]} " in result.stderr


@pytest.mark.parametrize("before", [(), ("--debug",), ("--unknown",)])
def test_a_misspelt_command_after_top_level_options_gets_did_you_mean(
    cli: CliRunner, before: tuple[str, ...]
) -> None:
    result = cli(*before, "rendr", expect=2)
    assert result.stderr.startswith(
        "smtp-connector: error: argument COMMAND: invalid choice: 'rendr' (did you mean 'render'?)\n"
        "usage: smtp-connector [-h]"
    )


def test_other_usage_errors_of_the_top_level_are_argparse_own(cli: CliRunner) -> None:
    assert "the following arguments are required: COMMAND" in cli(expect=2).stderr
    assert "the following arguments are required: COMMAND" in cli("--debug", expect=2).stderr
    # a valid command after a top-level option: the command runs (its own usage error here)
    assert "usage: smtp-connector completion " in cli("--debug", "completion", expect=2).stderr


def test_a_value_in_choices_passes_unchanged() -> None:
    args = build_parser().parse_args(["lint", "--format", "json", "--color", "never"])
    assert (args.format, args.color) == ("json", "never")
