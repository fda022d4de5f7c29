from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Set as AbstractSet
from pathlib import Path

from connector.cli.options import add_color, add_env, add_set
from connector.errors import UsageError
from connector.source.files import SOURCE_SUFFIXES, project_files_in

HELP = "show each final value of an environment, the file:line that set it and what it overrode"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "targets",
        nargs="*",
        metavar="[PROJECT] [KEY]",
        help="the project folder (default: .) and a key to show, e.g. auth or templates.SignIn.subject",
    )
    add_env(parser, "the environment (without it: the base, no environment layer)")
    add_set(parser, "as for build")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    add_color(parser)


def run(args: argparse.Namespace) -> int:
    # start-up: a command's stage modules load only when it runs
    from connector.logto import CONFIG_KEYS
    from connector.project import explain
    from connector.project.layers import META_KEYS
    from connector.project.layout import compose, load_project

    targets = list(args.targets)
    if len(targets) > 2:
        raise UsageError("explain takes at most a PROJECT and a KEY")
    if len(targets) == 1 and not _names_project(targets[0], CONFIG_KEYS | set(META_KEYS)):
        targets.insert(0, ".")  # one argument that is not a path: a key in the current folder's project
    project = load_project(targets[0] if targets else ".")
    composed = compose(project, args.env, overrides=args.overrides, resolve=False)
    found = explain.entries(composed, targets[1] if len(targets) > 1 else None)
    sys.stdout.write(explain.format_json(found) if args.format == "json" else explain.format_text(found))
    return 0


_SEPARATORS = {"/", os.sep, *([os.altsep] if os.altsep else [])}


def _names_project(target: str, keys: AbstractSet[str]) -> bool:
    """Whether a lone argument is the PROJECT rather than a KEY of the current folder's project: a path that
    exists, one written as a path (a separator, a source file's suffix), or, where the current folder holds
    no project, a name that no key of a project (``keys``) starts with: a mistyped folder is reported as
    that folder, not as `.`."""
    path = Path(target)
    if path.exists() or any(sep in target for sep in _SEPARATORS) or path.suffix.lower() in SOURCE_SUFFIXES:
        return True
    first = target.replace("[", ".").split(".")[0]
    return not project_files_in(Path(".")) and first not in keys
