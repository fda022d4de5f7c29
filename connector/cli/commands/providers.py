from __future__ import annotations

import argparse
import sys

from connector.cli.options import add_provider
from connector.diagnostics.suggest import did_you_mean
from connector.errors import UsageError
from connector.resources import shipped_names

HELP = "list the shipped provider overlays and what each needs filled in"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_provider(parser, "name", nargs="?", metavar="NAME", help="show one provider in detail")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )


def run(args: argparse.Namespace) -> int:
    # start-up: a command's stage modules load only when it runs
    from connector.project.providers import detail, provider_info, table, to_json

    names = list(shipped_names())
    if args.name is not None:
        if args.name not in names:
            suggestion = did_you_mean(args.name, names)
            raise UsageError(
                f"unknown provider `{args.name}`" + (f"; did you mean `{suggestion}`?" if suggestion else "")
            )
        names = [args.name]
    infos = [provider_info(name) for name in names]
    if args.format == "json":
        sys.stdout.write(to_json(infos))
    else:
        sys.stdout.write(detail(infos[0]) if args.name else table(infos))
    return 0
