from __future__ import annotations

import argparse
import sys

HELP = "build the final Logto JSON of an environment (or of every one) from a config project"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "project", nargs="?", default=".", metavar="PROJECT", help="the project folder (default: .)"
    )
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--env", metavar="ENV", help="the environment to build (environments/ENV.yaml)")
    which.add_argument("--all", action="store_true", help="build every environment (with --out-dir)")
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write to FILE (- or nothing: standard output)"
    )
    parser.add_argument("--out-dir", metavar="DIR", help="write DIR/ENV.json for each environment built")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one value last, e.g. --set port=2525 (a YAML scalar; null removes the key)",
    )


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from connector.build import build_texts, write_outputs
    from connector.errors import UsageError
    from connector.project import load_project
    from connector.reporters import write_text

    if args.all and not args.out_dir:
        raise UsageError("--all writes one file per environment: add --out-dir DIR")
    if args.output and args.out_dir:
        raise UsageError("use either -o FILE or --out-dir DIR, not both")
    project = load_project(args.project)
    write_text(project.findings, sys.stderr)
    if args.all:
        envs = list(project.environments)
        if not envs:
            raise UsageError(f"{project.root} has no environments/*.yaml to build")
    elif args.env:
        envs = [args.env]
    else:
        names = ", ".join(project.environments) or "none yet"
        raise UsageError(
            f"choose an environment with --env ENV (environments: {names}), or --all --out-dir DIR"
        )
    texts = build_texts(project, envs, overrides=args.overrides)
    if args.out_dir:
        outputs = {Path(args.out_dir) / f"{env}.json": text for env, text in texts.items()}
    elif args.output and args.output != "-":
        outputs = {Path(args.output): texts[envs[0]]}
    else:
        sys.stdout.write(texts[envs[0]])
        return 0
    write_outputs(outputs)
    for path in outputs:
        print(f"wrote {path}", file=sys.stderr)
    return 0
