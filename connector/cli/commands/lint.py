from __future__ import annotations

import argparse
import sys

from connector.cli.options import add_color, add_env
from connector.diagnostics import reporters

HELP = "check project folders, source files and final configs for what Logto would reject or send broken"

FORMATS = ("text", "json", "github", "sarif")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="project folders, source YAML files or final configs (JSON or YAML); default: the current folder",
    )
    add_env(parser, "lint only this environment of a project")
    parser.add_argument(
        "--skip-unrelated",
        action="store_true",
        help="skip files that do not look like SMTP connector configs instead of linting them as final "
        "configs (the pre-commit hook uses this: it is given every YAML and JSON file)",
    )
    parser.add_argument(
        "--built",
        action="store_true",
        help="the files are built configs with their secrets resolved (as deployed to Logto): check what "
        "Logto accepts and sends, without the literal-secret check (SC403) meant for committed files",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    add_color(parser)


def run(args: argparse.Namespace) -> int:
    # start-up: a command's stage modules load only when it runs
    from connector.lint import lint_paths

    result = lint_paths(args.paths, env=args.env, skip_unrelated=args.skip_unrelated, built=args.built)
    out = sys.stdout
    if args.format == "json":
        reporters.write_json(result.findings, out)
    elif args.format == "github":
        reporters.write_github(result.findings, out)
    elif args.format == "sarif":
        reporters.write_sarif(result.findings, out, suppressions=result.suppressions)
    else:
        reporters.write_text(result.findings, out, color=reporters.use_color(out, args.color))
        summary = reporters.summary(result.findings)
        if summary:
            print(summary, file=sys.stderr)
    if args.skip_unrelated and not result.linted and result.skipped:
        what = (
            "is not an SMTP connector config"
            if len(result.skipped) == 1
            else "are not SMTP connector configs"
        )
        print(f"smtp-connector: nothing to lint: {', '.join(result.skipped)} {what}", file=sys.stderr)
    return 1 if result.failed else 0
