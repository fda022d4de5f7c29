from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "write an HTML gallery of every template, per environment and language, filled with sample values"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("project", metavar="PROJECT", help="the config project folder")
    parser.add_argument("--env", metavar="ENV", help="only this environment (default: every environment)")
    parser.add_argument("--out", metavar="DIR", required=True, help="the folder to write index.html into")


def run(args: argparse.Namespace) -> int:
    from connector import preview
    from connector.errors import InputError, UsageError
    from connector.findings import has_errors
    from connector.project import build_config, load_project  # type: ignore[import-not-found]
    from connector.suggest import did_you_mean

    root = Path(args.project)
    project = load_project(root)
    environments = list(project.environments)
    if args.env is not None and args.env not in environments:
        suggestion = did_you_mean(args.env, environments)
        known = ", ".join(environments) or "none"
        raise UsageError(
            f"no environment `{args.env}` in {root}"
            + (f"; did you mean `{suggestion}`?" if suggestion else f" (there are: {known})")
        )
    sets: list[preview.PreviewSet] = []
    findings = []
    for env in [args.env] if args.env is not None else environments:
        built = build_config(root, env)
        findings.extend(built.findings)
        if built.config is not None:
            sets += preview.preview_sets(env, built.config, language=built.language, variants=built.variants)
    if has_errors(findings):
        raise InputError(findings=findings)
    print(preview.write_gallery(sets, Path(args.out)), file=sys.stdout)
    return 0
