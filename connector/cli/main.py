"""The command line: parse, call a plain function, and decide the exit code once, here.

Exit codes: 0 success, 1 the input is wrong, 2 usage error, 3 a bug in this tool, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn, TextIO

from connector import __version__
from connector.cli.options import color_for
from connector.diagnostics.redact import redact
from connector.diagnostics.reporters import write_text
from connector.diagnostics.suggest import did_you_mean
from connector.errors import ConnectorError, InputError, UsageError

PROG = "smtp-connector"
COMMAND = "COMMAND"  # the subcommand's name in usage and errors
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
    "doctor",
    "schema",
    "deploy",
    "pull",
    "completion",
)

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors as data (UsageError, exit 2 in main), the failing command's usage,
    did-you-mean for commands, choices and flags, options and positionals in any order, and no prefix
    matching: ``--env`` never silently stands for a longer flag, so a typo is an error (docs/cli.md).

    Only argparse's public API is used: the parser notes the actions it adds (``arguments``; argparse's
    own list is private) and the command parsers ``build_parser`` gives it (``commands``), and a value
    outside ``choices`` is refused by the ``type`` hook, which may raise ``ArgumentTypeError``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.arguments: list[argparse.Action] = []  # every action added, those in groups too
        self.commands: dict[str, _Parser] = {}  # the subcommands' parsers by name (the top parser's)
        self.groups = False  # argparse's own groups, made while it starts, stay as they are
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        self.groups = True

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action = super().add_argument(*args, **_checking_choices(kwargs))
        self.arguments.append(action)
        return action

    def add_argument_group(self, *args: Any, **kwargs: Any) -> Any:
        group = super().add_argument_group(*args, **kwargs)
        return _Group(group, self.arguments) if self.groups else group

    def add_mutually_exclusive_group(self, **kwargs: Any) -> Any:
        return _Group(super().add_mutually_exclusive_group(**kwargs), self.arguments)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}\n{self.format_usage().rstrip()}\nTry '{self.prog} --help' for help.")

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        words = list(sys.argv[1:] if args is None else args)
        try:
            parsed, extras = super().parse_known_args(words, namespace)
        except UsageError:
            command = self._command_word(words)
            if self.commands and command is not None and command not in self.commands:
                self.error(f"argument {COMMAND}: {_invalid_choice(command, self.commands)}")
            raise
        # argparse stops filling a list positional at the first option (`lint a --env dev b` leaves `b`
        # over): the words left over belong to it, as if the options had come last.
        rest = next((a for a in self.arguments if not a.option_strings and a.nargs in ("*", "+")), None)
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
            command = self.commands.get(getattr(parsed, "command", None) or "")
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

    def _command_word(self, words: list[str]) -> str | None:
        """The word argparse took as the command: the first that is not a top-level option or its value."""
        options = {s: a for a in self.arguments for s in a.option_strings}
        skip = False
        for word in words:
            if skip:
                skip = False
            elif word == "--":
                return None  # argparse's own handling of `--` before the command varies by version
            elif word.startswith("-") and word != "-":
                action = options.get(word)
                skip = action is not None and action.nargs != 0
            else:
                return word
        return None


class _Group:
    """An argument group that notes the actions added to it on its parser's ``arguments``."""

    def __init__(self, group: Any, arguments: list[argparse.Action]) -> None:
        self.group = group
        self.arguments = arguments

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        action: argparse.Action = self.group.add_argument(*args, **_checking_choices(kwargs))
        self.arguments.append(action)
        return action

    def add_mutually_exclusive_group(self, **kwargs: Any) -> _Group:
        return _Group(self.group.add_mutually_exclusive_group(**kwargs), self.arguments)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.group, name)


class _Choice:
    """An argument's ``type``: the value converted as before, then refused with did-you-mean when it is
    not one of ``choices`` (argparse's own refusal lists them all)."""

    def __init__(self, choices: Any, convert: Callable[[str], Any] | None) -> None:
        self.choices = choices
        self.convert = convert
        self.__name__ = getattr(convert, "__name__", "value")  # argparse names the type in its errors

    def __call__(self, value: str) -> Any:
        converted = value if self.convert is None else self.convert(value)
        if converted not in self.choices:
            raise argparse.ArgumentTypeError(_invalid_choice(converted, self.choices))
        return converted


def _checking_choices(kwargs: dict[str, Any]) -> dict[str, Any]:
    if kwargs.get("choices") is not None:
        kwargs["type"] = _Choice(kwargs["choices"], kwargs.get("type"))
    return kwargs


def _invalid_choice(value: Any, choices: Iterable[Any]) -> str:
    names = [str(c) for c in choices]
    guess = did_you_mean(str(value), names)
    return f"invalid choice: {value!r} " + (
        f"(did you mean {guess!r}?)" if guess else f"(choose from {', '.join(map(repr, names))})"
    )


def _option_strings(parser: _Parser) -> list[str]:
    return [
        s for action in parser.arguments if action.help != argparse.SUPPRESS for s in action.option_strings
    ]


def _suggest_flag(word: str, flags: list[str]) -> str | None:
    """The flag ``word`` was meant to be: the nearest spelling (``--fmt``: ``--format``), else the flag it
    spells out longer (``--environment``: ``--env``), which a similarity ratio alone misses. Compared
    without the dashes, which every long flag shares and would make any two short flags look alike."""

    word = word.split("=", 1)[0]
    by_name = {f.lstrip("-"): f for f in flags if f.startswith("--") or not word.startswith("--")}
    name = word.lstrip("-")
    guess = did_you_mean(name, by_name) if name else None
    if guess is None and word.startswith("--"):
        longer = [n for n in by_name if len(n) > 1 and name.startswith(n)]
        guess = max(longer, key=len) if longer else None
    return None if guess is None else by_name[guess]


def build_parser() -> _Parser:
    parser = _Parser(
        prog=PROG,
        description="Logto SMTP connector config as code: build, lint, render and send.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--debug", action="store_true", help="show a traceback for internal errors")
    sub = parser.add_subparsers(dest="command", metavar=COMMAND, parser_class=_Parser)
    sub.required = True
    for name in COMMANDS:
        module = importlib.import_module(f"connector.cli.commands.{name}")
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        parser.commands[name] = command
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

    return color_for(sys.stderr, args)


def _complete(parser: argparse.ArgumentParser) -> None:
    """Answer the completion script and exit. argcomplete is imported here only: the hook's start stays as fast."""
    # start-up: argcomplete loads only when a shell completes
    import argcomplete

    argcomplete.autocomplete(parser, always_complete_options=False)  # flags after a `-`


def print_error(error: ConnectorError, stream: TextIO, *, color: bool = False) -> None:
    """Print an error as the boundary does (findings, or one redacted line); for commands that go on after one."""
    findings = getattr(error, "findings", ())
    if findings:
        write_text(findings, stream, color=color)
    else:
        print(redact(f"{PROG}: error: {error.describe()}"), file=stream)
