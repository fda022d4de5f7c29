"""The command line: parse, call a plain function, and decide the exit code once, here.

Exit codes: 0 success, 1 the input is wrong, 2 usage error, 3 a bug in this tool, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence
from typing import TextIO

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
)

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message}\n{self.format_usage().rstrip()}\nTry '{self.prog} --help' for help.")


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
    try:
        args = build_parser().parse_args(argv)
        code: int = args.run(args)
        return code
    except UsageError as e:
        print_error(e, sys.stderr)
        return EXIT_USAGE
    except InputError as e:
        print_error(e, sys.stderr)
        return EXIT_INPUT
    except ConnectorError as e:
        print_error(e, sys.stderr)
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


def print_error(error: ConnectorError, stream: TextIO) -> None:
    """Print an error as the boundary does (findings, or one redacted line); for commands that go on after one."""
    findings = getattr(error, "findings", ())
    if findings:
        from connector.diagnostics.reporters import write_text

        write_text(findings, stream)
    else:
        print(redact(f"{PROG}: error: {error.describe()}"), file=stream)
