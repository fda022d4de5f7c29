from __future__ import annotations

import argparse
import sys
from pathlib import Path

from connector.cli.options import add_color, add_env, add_project, color_for
from connector.diagnostics.reporters import write_text
from connector.errors import UsageError

HELP = "write an HTML gallery of every template, per environment and language, filled with sample values"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_project(parser)
    add_env(parser, "only this environment (default: every environment)")
    parser.add_argument("--out", metavar="DIR", required=True, help="the folder to write index.html into")
    add_color(parser)


def run(args: argparse.Namespace) -> int:
    # start-up: a command's stage modules load only when it runs
    from connector import preview
    from connector.build.outputs import build_environments
    from connector.project.layout import load_project

    project = load_project(args.project)
    write_text(project.findings, sys.stderr, color=color_for(sys.stderr, args))
    envs = [args.env] if args.env is not None else list(project.environments)
    if not envs:
        raise UsageError(f"{project.root} has no environments/*.yaml to preview")
    # ${VAR} references stay as written: a gallery needs no secret, and none ends up in a CI artifact.
    built = build_environments(project, envs, resolve=False)
    sets: list[preview.PreviewSet] = []
    for env, item in built.items():
        write_text(item.warnings, sys.stderr, color=color_for(sys.stderr, args))
        sets += preview.preview_sets(env or "", item.config, language=item.language, variants=item.variants)
    print(preview.write_gallery(sets, Path(args.out)))
    return 0
