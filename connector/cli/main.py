"""The command line: parse, call a plain function, and decide the exit code once, here.

Exit codes: 0 success, 1 the input is wrong, 2 usage error, 3 a bug in this tool, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any, NoReturn, TextIO

from connector import __version__
from connector.diagnostics.redact import redact
from connector.errors import ConnectorError, InputError, UsageError

PROG = "smtp-connector"
# One module per command in connector.cli.commands; each keeps its heavy imports inside run().
COMMANDS = (
    "init",
    "providers",
    "build",
    "explain",
    "lint",
    "rules",
    "preview",
    "render",
    "send",
    "sink",
    "schema",
    "deploy",
    "pull",
    "completion",
)

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors as data (UsageError, exit 2 in main), the failing command's usage,
    did-you-mean for commands, choices and flags, options and positionals in any order, and no prefix
    matching: ``--env`` never silently stands for a longer flag, so a typo is an error (docs/cli.md)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}\n{self.format_usage().rstrip()}\nTry '{self.prog} --help' for help.")

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        choices = action.choices
        if choices is None or value in choices:
            return
        from connector.diagnostics.suggest import did_you_mean

        names = [str(c) for c in choices]
        guess = did_you_mean(str(value), names)
        raise argparse.ArgumentError(
            action,
            f"invalid choice: {value!r} "
            + (f"(did you mean {guess!r}?)" if guess else f"(choose from {', '.join(map(repr, names))})"),
        )

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        # argparse stops filling a list positional at the first option (`lint a --env dev b` leaves `b`
        # over): the words left over belong to it, as if the options had come last.
        rest = next((a for a in self._actions if not a.option_strings and a.nargs in ("*", "+")), None)
        if rest is not None and any(not a.startswith("-") for a in extras):
            setattr(
                parsed,
                rest.dest,
                [*getattr(parsed, rest.dest), *(a for a in extras if not a.startswith("-"))],
            )
            extras = [a for a in extras if a.startswith("-")]
        return parsed, extras

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            # An unknown flag of a command: say so with that command's usage and the flag it resembles.
            command = self._command_parser(getattr(parsed, "command", None))
            where = command or self
            message = f"unrecognized arguments: {' '.join(extras)}"
            flags = [*_option_strings(where), *([] if command is None else _option_strings(self))]
            for extra in extras:
                if not extra.startswith("-") and "@" in extra and "--to" in flags:
                    message += f" (one --to per recipient: --to {extra})"
                    break
                guess = _suggest_flag(extra, flags) if extra.startswith("-") else None
                if guess:
                    message += f" (did you mean {guess}?)"
                    break
            where.error(message)
        return parsed

    def _command_parser(self, name: str | None) -> argparse.ArgumentParser | None:
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction) and name in action.choices:
                parser: argparse.ArgumentParser = action.choices[name]
                return parser
        return None


def _option_strings(parser: argparse.ArgumentParser) -> list[str]:
    return [
        s for action in parser._actions if action.help != argparse.SUPPRESS for s in action.option_strings
    ]


def _suggest_flag(word: str, flags: list[str]) -> str | None:
    """The flag ``word`` was meant to be: the nearest spelling (``--fmt``: ``--format``), else the flag it
    spells out longer (``--environment``: ``--env``), which a similarity ratio alone misses. Compared
    without the dashes, which every long flag shares and would make any two short flags look alike."""
    from connector.diagnostics.suggest import did_you_mean

    word = word.split("=", 1)[0]
    by_name = {f.lstrip("-"): f for f in flags if f.startswith("--") or not word.startswith("--")}
    name = word.lstrip("-")
    guess = did_you_mean(name, by_name) if name else None
    if guess is None and word.startswith("--"):
        longer = [n for n in by_name if len(n) > 1 and name.startswith(n)]
        guess = max(longer, key=len) if longer else None
    return None if guess is None else by_name[guess]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Logto SMTP connector config as code: build, lint, render and send.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback for internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMANDS:
        module = importlib.import_module(f"connector.cli.commands.{name}")
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        command.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
        )
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit code (the console script exits with it)."""
    debug = "--debug" in (sys.argv[1:] if argv is None else argv)
    args = argparse.Namespace()
    try:
        parser = build_parser()
        if "_ARGCOMPLETE" in os.environ:  # the shell asks for completions (docs/cli.md)
            _complete(parser)
        args = parser.parse_args(argv)
        code: int = args.run(args)
        return code
    except UsageError as e:
        print_error(e, sys.stderr, color=_color(args))
        return EXIT_USAGE
    except InputError as e:
        print_error(e, sys.stderr, color=_color(args))
        return EXIT_INPUT
    except ConnectorError as e:
        print_error(e, sys.stderr, color=_color(args))
        return e.exit_code
    except SystemExit as e:  # --help and --version
        return e.code if isinstance(e.code, int) else EXIT_OK
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`); nothing left to say to it.
        sys.stderr.close()
        return EXIT_OK
    except Exception as e:
        if debug:
            sys.stderr.write(redact("".join(traceback.format_exception(e))))
        print(
            f"{PROG}: internal error ({type(e).__name__}); this is a bug, please report it"
            + ("" if debug else " with the output of --debug"),
            file=sys.stderr,
        )
        return EXIT_BUG


def _color(args: argparse.Namespace) -> bool:
    """Colour the boundary's findings as the command's --color says; plain for a command without it (or
    when the command line did not parse: no choice was made)."""
    if not hasattr(args, "color"):
        return False
    from connector.cli.options import color_for

    return color_for(sys.stderr, args)


def _complete(parser: argparse.ArgumentParser) -> None:
    """Answer the completion script and exit. argcomplete is imported here only: the hook's start stays as fast."""
    import argcomplete

    argcomplete.autocomplete(parser, always_complete_options=False)  # flags after a `-`


def print_error(error: ConnectorError, stream: TextIO, *, color: bool = False) -> None:
    """Print an error as the boundary does (findings, or one redacted line); for commands that go on after one."""
    findings = getattr(error, "findings", ())
    if findings:
        from connector.diagnostics.reporters import write_text

        write_text(findings, stream, color=color)
    else:
        print(redact(f"{PROG}: error: {error.describe()}"), file=stream)
