"""``smtp-connector completion SHELL``: print the shell's completion script (argcomplete, docs/cli.md)."""

from __future__ import annotations

import argparse
import sys

from connector.cli.main import PROG

HELP = 'print a shell completion script: eval "$(smtp-connector completion bash)" (or zsh, fish)'

SHELLS = ("bash", "zsh", "fish")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shell", choices=SHELLS, metavar="SHELL", help="bash, zsh or fish")


def run(args: argparse.Namespace) -> int:
    # start-up: argcomplete loads only when a shell completes
    import argcomplete

    # bash and zsh share one script; the script runs smtp-connector with _ARGCOMPLETE set and main
    # answers from the real parser, so completion never lags behind the commands.
    sys.stdout.write(argcomplete.shellcode([PROG], shell=args.shell))  # type: ignore[attr-defined]
    return 0
