from __future__ import annotations

import argparse
import sys

HELP = "print the published JSON Schema of the final Logto config"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--generate",
        action="store_true",
        help="generate it from the models instead of printing the shipped file",
    )


def run(args: argparse.Namespace) -> int:
    from connector import schema

    sys.stdout.write(schema.render(schema.generate_schema()) if args.generate else schema.published_text())
    return 0
