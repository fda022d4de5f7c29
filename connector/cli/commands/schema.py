from __future__ import annotations

import argparse
import sys

HELP = "print the published JSON Schema of the final Logto config (or, with --source, of source files)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--generate",
        action="store_true",
        help="generate it from the models instead of printing the shipped file",
    )
    parser.add_argument(
        "--source",
        action="store_true",
        help="the schema of source files (smtp-connector.yaml, environments/*.yaml, provider overlays)",
    )


def run(args: argparse.Namespace) -> int:
    # start-up: a command's stage modules load only when it runs
    from connector.schema import generate as schema

    if args.source:
        # start-up: a command's stage modules load only when it runs
        from connector.schema import source_generate as source_schema

        if args.generate:
            sys.stdout.write(schema.schema_text(source_schema.generate_source_schema()))
        else:
            sys.stdout.write(source_schema.source_schema_path().read_text(encoding="utf-8"))
        return 0
    sys.stdout.write(
        schema.schema_text(schema.generate_schema()) if args.generate else schema.published_text()
    )
    return 0
