from __future__ import annotations

import argparse
import sys
from pathlib import Path

from connector.cli.options import add_color, add_env
from connector.diagnostics import reporters
from connector.safe_paths import repository_root

HELP = "check project folders, source files and final configs for what Logto would reject or send broken"

FORMATS = ("text", "json", "github", "sarif")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="project folders (a folder that is not one: the projects under it), source YAML files or final "
        "configs (JSON or YAML); default: the current folder",
    )
    add_env(parser, "lint only this environment of a project")
    parser.add_argument(
        "--skip-unrelated",
        action="store_true",
        help="skip files that do not look like SMTP connector configs instead of linting them as final configs",
    )
    parser.add_argument(
        "--hook",
        action="store_true",
        help="what the pre-commit hook runs: PATHs are the changed files (none: nothing changed), the files "
        "git says the commit deletes or renames count too, a change in a project's folder relints the "
        "project, and a file outside every project is linted only when it is surely a Logto config",
    )
    parser.add_argument(
        "--built",
        action="store_true",
        help="the files are built configs with their secrets resolved (as deployed to Logto): check what "
        "Logto accepts and sends, without the literal-secret check (SC403) meant for committed files",
    )
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print the findings only: no summary line (text format)",
    )
    add_color(parser)


def run(args: argparse.Namespace) -> int:
    # start-up: a command's stage modules load only when it runs
    from connector.lint import lint_paths

    deleted: list[str] = []
    if args.hook:
        # start-up: a command's stage modules load only when it runs
        from connector.lint.git_changes import removed_paths

        deleted = removed_paths()
    result = lint_paths(
        args.paths,
        env=args.env,
        skip_unrelated=args.skip_unrelated,
        built=args.built,
        hook=args.hook,
        deleted=deleted,
    )
    out = sys.stdout
    # GitHub and code scanning name files from the repository's root, whatever folder lint ran in.
    root = repository_root(Path.cwd()) if args.format in ("github", "sarif") else None
    if args.format == "json":
        reporters.write_json(result.findings, out)
    elif args.format == "github":
        reporters.write_github(result.findings, out, root=root)
    elif args.format == "sarif":
        reporters.write_sarif(result.findings, out, suppressions=result.suppressions, root=root)
    else:
        reporters.write_text(result.findings, out, color=reporters.use_color(out, args.color))
        summary = reporters.summary(result.findings)
        if not args.quiet:
            if summary:
                print(summary, file=sys.stderr)
            elif result.files:
                print(_checked(len(result.files), result.environments), file=sys.stderr)
    if args.skip_unrelated and not args.hook and not args.quiet and not result.linted and result.skipped:
        what = (
            "is not an SMTP connector config"
            if len(result.skipped) == 1
            else "are not SMTP connector configs"
        )
        print(f"smtp-connector: nothing to lint: {', '.join(result.skipped)} {what}", file=sys.stderr)
    return 1 if result.failed else 0


def _checked(files: int, environments: int) -> str:
    """The clean run's line: ``All checks passed (7 files, 2 environments).``"""
    counts = [f"{files} file{'s' * (files != 1)}"]
    if environments:
        counts.append(f"{environments} environment{'s' * (environments != 1)}")
    return f"All checks passed ({', '.join(counts)})."
