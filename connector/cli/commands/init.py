from __future__ import annotations

import argparse
import sys

from connector.cli.options import add_provider

HELP = "create a config project (provider, dev and prod environments, templates, hook and CI) in DIR"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", metavar="DIR", help="the folder to create the project in (never overwrites)")
    add_provider(
        parser,
        "--provider",
        required=True,
        metavar="NAME",
        help="a shipped provider (see `smtp-connector providers`)",
    )


def run(args: argparse.Namespace) -> int:
    from connector.scaffold import init_project

    for path in init_project(args.dir, args.provider):
        print(f"created {path}", file=sys.stderr)
    print(
        f"next: `smtp-connector build {args.dir} --env dev` works now (the local sink); "
        "replace the <...> values before building prod",
        file=sys.stderr,
    )
    return 0
